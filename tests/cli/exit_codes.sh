#!/usr/bin/env bash
# The one exit-code table (README "Exit status"; cli_common.h) as `leaktriage analyze`
# keeps it: 0 success / the verdict passes, 1 the --fail-on verdict fails, 2 bad input or
# usage (a missing file, a file that is not a snapshot, a rule that needs the app's
# history, an unknown rule), 3 out of memory. --fail-on applies the single-snapshot rules
# offline: seed-co holds a recursive_chain of scheduleUpdatingTask (84% of the heap),
# fixed-loop none. The verdict goes to standard error; standard output stays the report.
# Needs no database. Usage: exit_codes.sh LEAKTRIAGE FIXTURES_DIR
set -uo pipefail
bin=$1
fixtures=$2
. "$(dirname "$0")/common.bash"
exits() { # status args... : runs analyze, stdout/stderr in $work/out, $work/err
  local want=$1
  shift
  "$bin" analyze "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || { echo "     exit $rc, wanted $want; stderr: $(head -3 "$work/err")"; return 1; }
}
seed=$fixtures/seed-co.heapsnapshot.gz
fixed=$fixtures/fixed-loop.heapsnapshot.gz

check "no --fail-on: a leak still exits 0" exits 0 "$seed"
check "kind:recursive_chain on seed-co: exit 1" exits 1 "$seed" --fail-on kind:recursive_chain
check "... the verdict line says fail and the rule" grep -qx 'verdict: fail (fail_on kind:recursive_chain)' "$work/err"
check "... the failing finding is one line naming the rule, the function and the fingerprint" \
  grep -qE '^  \[kind:recursive_chain\] recursive_chain: .*scheduleUpdatingTask.* \(rc-[0-9a-f]+\)$' "$work/err"
check "... the summary is still printed on standard output" grep -q "Top retainers" "$work/out"
check "kind:recursive_chain on fixed-loop: exit 0, verdict pass" exits 0 "$fixed" --fail-on kind:recursive_chain
check "... verdict: pass" grep -qx 'verdict: pass (fail_on kind:recursive_chain)' "$work/err"
check "retained:50 fails the 84% chain" exits 1 "$seed" --fail-on retained:50
check "retained:90 passes it" exits 0 "$seed" --fail-on retained:90
check "--json --fail-on: standard output is the JSON report alone" \
  bash -c '"$1" analyze "$2" --json --top 1 --fail-on kind:recursive_chain 2>/dev/null | jq -e .findings >/dev/null;
           [ "${PIPESTATUS[0]}" -eq 1 ]' _ "$bin" "$seed"
check "a rule that needs history (new): exit 2" exits 2 "$seed" --fail-on new
check "... saying so" grep -q "'new' needs the app's earlier snapshots" "$work/err"
check "growth:10: exit 2" exits 2 "$seed" --fail-on kind:closure_chain,growth:10
check "an unknown rule: exit 2 naming it" exits 2 "$seed" --fail-on leaks
check "... naming the rule" grep -q "unknown rule 'leaks'" "$work/err"
check "--fail-on with --no-findings: exit 2" exits 2 "$seed" --fail-on kind:recursive_chain --no-findings
check "a missing file: exit 2 with the system's message" exits 2 "$work/none.heapsnapshot"
check "... saying No such file or directory" grep -q "No such file or directory" "$work/err"
echo '{"not": "a snapshot"}' >"$work/other.json"
check "a file that is not a snapshot: exit 2" exits 2 "$work/other.json" --fail-on kind:recursive_chain
# ldd's output is read whole first: `ldd | grep -q` can kill ldd with SIGPIPE, and with
# pipefail the sanitizer build would then run the check it cannot pass.
if grep -qE 'libasan|libtsan' <<<"$(ldd "$bin")"; then
  echo "skip out of memory: the sanitizers reserve address space (ulimit -v cannot apply)"
else
  check "out of memory (ulimit -v 70000: 70 MB of address space, the libraries included): exit 3 saying so" \
    bash -c 'ulimit -v 70000; "$1" analyze "$2" >/dev/null 2>"$3"; [ $? -eq 3 ] && grep -q "out of memory" "$3"' \
    _ "$bin" "$seed" "$work/err"
fi
check "output not writable (/dev/full): exit 3" bash -c '"$1" analyze "$2" --top 1 >/dev/full 2>/dev/null; [ $? -eq 3 ]' _ "$bin" "$fixed"
cli_done
