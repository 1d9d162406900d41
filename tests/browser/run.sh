#!/usr/bin/env bash
# Runs the browser tests (tests/browser/*.test.mjs) against a real `leaktriage serve`: a
# private PostgreSQL in a fresh data folder, the pages built into the binary, 2 workers.
# Needs Debian's chromium (/usr/bin/chromium) and tests/browser/node_modules (both from
# scripts/setup.sh). Screenshots of every page go to SHOTS_DIR (default
# build/tests/browser-shots; ignored by git).
# Usage: tests/browser/run.sh PATH/TO/leaktriage [SHOTS_DIR]
set -uo pipefail
bin=$(realpath "${1:?usage: run.sh PATH/TO/leaktriage [SHOTS_DIR]}")
here=$(cd "$(dirname "$0")" && pwd)
shots=${2:-$(dirname "$bin")/tests/browser-shots}
. "$here/../integration/common.bash"

for need in /usr/bin/chromium "$here/node_modules/playwright-core" ; do
  [ -e "$need" ] || { echo "FAIL $need is missing: run scripts/setup.sh"; exit 1; }
done
work=$(mktemp -d /tmp/lt-browser.XXXXXX)
chmod 0755 "$work"
server=
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
  stop_cluster "$work/data"
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work" && exec "$bin" serve --data "$work/data" --listen "127.0.0.1:$port" --workers 2) >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  grep -q "listening on" "$work/serve.log" 2>/dev/null && break
  sleep 0.2
done
key=$(grep -A1 "shown once" "$work/serve.log" | tail -1)
grep -q "listening on" "$work/serve.log" || { cat "$work/serve.log"; fail "the server starts"; exit 1; }

rm -rf "$shots"
status=0
for t in "$here"/*.test.mjs; do
  echo "== $(basename "$t")"
  LT_BASE=http://127.0.0.1:$port LT_KEY=$key LT_FIXTURES=$here/../fixtures LT_SHOTS=$shots \
    node "$t" || status=1
done
[ $status -eq 0 ] || { echo "--- server log ---"; tail -n 30 "$work/serve.log"; }
exit $status
