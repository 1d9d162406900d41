#!/usr/bin/env bash
# `cmake --install` and the installed binary run from another folder, as an operator runs
# it: installs the build into a temporary prefix; the binary names no migrations or pages
# folder of the checkout (they are built in; it keeps only its build folder's name, to tell
# it is installed); the unit passes `systemd-analyze verify` (offline: against the
# installed copy, whose ExecStart names the installed binary) and `systemd-sysusers
# --root=TMP` makes its user; an installed
# binary's data folder is /var/lib/leaktriage and a build-tree binary's ./data, and neither
# admin nor migrate creates one; `serve` configured by environment variables alone starts
# from an empty folder, applies the built-in migrations, prints its database URL, serves
# the pages, and an upload through the installed binary is analysed. Run as root, serve
# runs as the user nobody, as the unit's User= does (its data folder given to it, as
# StateDirectory= does): the private PostgreSQL runs as that user, root's admin commands
# run PostgreSQL's tools as it, and SIGTERM stops the cluster with the server.
# Usage: install.sh LEAKTRIAGE (a binary in its CMake build folder)
set -uo pipefail
bin=$(realpath "$1")
build=$(dirname "$bin")
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/common.bash"
server_test_init install
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  run_as=(runuser -u nobody --)
  trap 'stop_servers; (cd / && runuser -u nobody -- "$bindir/pg_ctl" stop -D "$data/pg" -m fast -w >/dev/null 2>&1); rm -rf "$work"' EXIT
fi

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
lt=$prefix/bin/leaktriage
unit=$prefix/lib/systemd/system/leaktriage.service
check "cmake --install puts bin/leaktriage and bin/leaktriage-server, the unit, its sysusers file and the README" \
  test -x "$lt" -a -x "$prefix/bin/leaktriage-server" -a -f "$unit" -a -f "$prefix/lib/sysusers.d/leaktriage.conf" -a -f "$prefix/share/doc/leaktriage/README.md"
check "the installed programs read no migrations or pages from the checkout" \
  bash -c "! grep -qaE '$src/(migrations|static)' '$lt' '$prefix/bin/leaktriage-server'"
check "the unit's ExecStart is the installed binary" grep -qx "ExecStart=$lt serve" "$unit"
verify=$(systemd-analyze verify "$unit" 2>&1)
check "systemd-analyze verify accepts the unit, without a warning" test $? -eq 0 -a -z "$verify" || echo "$verify"
mkdir -p "$work/root/etc"
systemd-sysusers --root="$work/root" "$prefix/lib/sysusers.d/leaktriage.conf" >/dev/null 2>&1
check "systemd-sysusers (into a temporary root) makes the unit's user leaktriage, home /var/lib/leaktriage" \
  grep -q '^leaktriage:x:[0-9]*:[0-9]*:[^:]*:/var/lib/leaktriage:' "$work/root/etc/passwd"
check "the unit stops with SIGTERM, allowing more than serve's --grace" \
  bash -c "grep -qx 'KillSignal=SIGTERM' '$unit' && [ \$(sed -n 's/^TimeoutStopSec=//p' '$unit') -gt 20 ]"

elsewhere=$work/elsewhere
mkdir -p "$elsewhere"
cd "$elsewhere" || exit 1
version=$(sed -n 's/^project(leaktriage VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
check "the installed binary from another folder: --version" test "$("$lt" --version)" = "leaktriage $version"
if [ ! -e /var/lib/leaktriage/pg ]; then
  "$lt" admin list-keys >/dev/null 2>"$work/err"
  check "installed: admin without --data looks in /var/lib/leaktriage, finds nothing, exits 2" \
    bash -c "[ $? -eq 2 ] && grep -qF 'no leaktriage data in /var/lib/leaktriage — pass --data DIR' '$work/err'"
fi
"$bin" migrate >/dev/null 2>"$work/err"
check "build tree: migrate without --data in a stray folder exits 2: no leaktriage data in ./data" \
  bash -c "[ $? -eq 2 ] && grep -qF 'no leaktriage data in ./data — pass --data DIR' '$work/err'"
check "... and neither created a data folder" test -z "$(ls -A "$elsewhere")"

port=$(free_port)
mkdir -p "$data" && chown "$(${run_as[@]+"${run_as[@]}"} id -u)" "$data"
${run_as[@]+"${run_as[@]}"} env LEAKTRIAGE_DATA="$data" LEAKTRIAGE_LISTEN="127.0.0.1:$port" LEAKTRIAGE_WORKERS=1 \
  "$lt" serve >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do grep -q "listening on" "$work/serve.log" && break; sleep 0.2; done
check "serve from the environment alone listens on \$LEAKTRIAGE_LISTEN" grep -q "listening on http://127.0.0.1:$port" "$work/serve.log" ||
  cat "$work/serve.log"
check "... applied the built-in migrations" grep -q "applied 0010_fair_claim.sql" "$work/serve.log"
check "... printed its private database's URL" grep -qF "database: postgresql:///leaktriage?host=$data/pg&port=5432" "$work/serve.log"
check "... keeps its data in \$LEAKTRIAGE_DATA, nothing in the working folder" test -d "$data/pg" -a -z "$(ls -A "$elsewhere")"
page=$(curl -s "http://127.0.0.1:$port/")
check "GET / answers the built-in page" grep -qi "<html" <<<"$page"
key=$(grep -A1 "shown once" "$work/serve.log" | tail -1)
LEAKTRIAGE_KEY=$key LEAKTRIAGE_URL=http://127.0.0.1:$port "$lt" upload "$fixtures/fixed-loop.heapsnapshot.gz" --app inst >"$work/upload.log" 2>&1
check "an upload through the installed binary is analysed and passes" test $? -eq 0 || cat "$work/upload.log"
answers=$(curl -s -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v1/apps"; curl -s "http://127.0.0.1:$port/api/v1/bogus")
check "no HTTP answer names the database's socket folder" bash -c "! grep -qF '$data' <<<'$answers'"
"$lt" admin list-keys --data "$data" >"$work/keys" 2>&1
check "admin list-keys (as $(id -un)) on the server's data lists its key" grep -q "^${key:0:11} " "$work/keys" || cat "$work/keys"
stop_process "${pids[-1]}"
check "SIGTERM: the server stopped its private PostgreSQL" \
  bash -c "grep -q 'stopped the private PostgreSQL' '$work/serve.log' && [ ! -e '$data/pg/postmaster.pid' ]"
echo "$failures failed"
[ "$failures" -eq 0 ]
