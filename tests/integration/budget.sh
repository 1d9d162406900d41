#!/usr/bin/env bash
# Integration test of issue 11's budget (defects 3, 4, 6) on a real server and PostgreSQL:
# - defect 3: a 101 KB zstd upload holding one 3 GiB string (tests/gen/huge-string.sh) with
#   --analysis-memory 1G fails at once "needs about N GB ... the limit is M GB", after one
#   attempt, error_kind bad_input; the server's peak RSS stays under 1.5 GB and it still
#   analyses the next upload;
# - defect 4: four 11 KB gzip-in-gzip bombs (1 GiB each) from one customer, then another
#   customer's small snapshot: with --per-customer 1 the small one is done within 5 s;
#   with the default --max-ratio the CLI stops such a bomb at 256 MiB ("compression bomb?");
# - defect 6: a zip whose member name is not UTF-8 fails at once with a valid UTF-8 error.
# Usage: tests/integration/budget.sh PATH/TO/leaktriage. Prints ok/FAIL lines; exit 1 on any FAIL.
set -uo pipefail
bin=$(realpath "${1:?usage: budget.sh PATH/TO/leaktriage}")
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
fixtures=$src/tests/fixtures
. "$here/common.bash"
failures=0
server_test_init budget

port=$(free_port)
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --workers 2 --per-customer 1 --analysis-memory 1G \
  --max-ratio 4294967295 >"$work/server.log" 2>&1 &
pids+=($!)
server_pid=$!
for _ in $(seq 1 150); do grep -q "listening on" "$work/server.log" && break; sleep 0.2; done
key=$(grep -A1 "shown once" "$work/server.log" | tail -1)
check "the server starts with the budget flags" grep -q "1.0 GiB per analysis" "$work/server.log" || exit 1
key_b=$("$bin" admin create-customer other --data "$data" | tail -n1)
base=http://127.0.0.1:$port/api/v1
wait_state() { # key id: the state once finished (or after 120 s)
  curl -s -H "Authorization: Bearer $1" "$base/analyses/$2?wait=120" | json 'd["state"]'
}
upload() { # key app file: the analysis id
  curl -s -H "Authorization: Bearer $1" --data-binary @"$3" "$base/apps/$2/snapshots" | json 'd["analysis_id"]'
}

# --- defect 4: four bombs, then another customer's small analysis ---
"$src/tests/gen/huge-string.sh" "$work/bomb.gz" $((1 << 30)) --skipped --gzip2
"$bin" analyze "$work/bomb.gz" >/dev/null 2>"$work/bomb.err"
check "the CLI stops a gzip-in-gzip bomb at its ratio (exit 2)" grep -q "compression bomb" "$work/bomb.err"
bombs=()
for i in 1 2 3 4; do bombs+=("$(upload "$key" "bomb$i" "$work/bomb.gz")"); done
start=$(date +%s.%N)
small=$(upload "$key_b" small "$fixtures/fixed-loop.heapsnapshot.gz")
state=$(wait_state "$key_b" "$small")
latency=$(python3 -c "print(round($(date +%s.%N) - $start, 2))")
check "another customer's small analysis is done during four bombs" test "$state" = done
check "... within 5 s (took $latency s)" python3 -c "import sys; sys.exit(not $latency < 5)"
for id in "${bombs[@]}"; do wait_state "$key" "$id" >/dev/null; done

# --- defect 3: one 3 GiB string in a 101 KB zstd, --analysis-memory 1G ---
"$src/tests/gen/huge-string.sh" "$work/huge.zst"
huge=$(upload "$key" huge "$work/huge.zst")
answer=$(curl -s -H "Authorization: Bearer $key" "$base/analyses/$huge?wait=120")
check "the 3 GiB string fails" test "$(json 'd["state"]' <<<"$answer")" = failed
check "... with 'needs about N GB, the limit is 1.0 GB'" \
  grep -qE "needs about [0-9.]+ GB.*the limit is 1.0 GB" <<<"$(json 'd["error"]' <<<"$answer")"
check "... after one attempt" test "$(json 'd["attempts"]' <<<"$answer")" = 1
check "... as bad input (never retried)" test "$(json 'd["error_kind"]' <<<"$answer")" = bad_input
peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
check "the server's peak RSS stays under 1.5 GB ($((peak_kb / 1024)) MB)" test "$peak_kb" -lt 1572864
after=$(upload "$key" after "$fixtures/fixed-loop.heapsnapshot.gz")
check "the server still analyses the next upload" test "$(wait_state "$key" "$after")" = done

# --- defect 6: a zip member name that is not UTF-8 ---
python3 - "$work/latin1.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr(zipfile.ZipInfo("rXsumX\u0007.txt"), b"not a snapshot")
data = open(sys.argv[1], "rb").read().replace(b"rXsumX", b"r\xe9sum\xe9")  # Latin-1 e-acute: not UTF-8
open(sys.argv[1], "wb").write(data)
PY
zipped=$(upload "$key" zipped "$work/latin1.zip")
answer=$(curl -s -H "Authorization: Bearer $key" "$base/analyses/$zipped?wait=60")
check "a zip with a non-UTF-8 member name fails at once" test "$(json 'd["state"]' <<<"$answer")" = failed
check "... its error is valid UTF-8 with the control character escaped" \
  python3 -c 'import json,sys; e=json.loads(sys.argv[1])["error"]; sys.exit(not ("\\x07" in e and "\ufffd" in e))' "$answer"
[ "$failures" -eq 0 ]
