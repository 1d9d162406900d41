#!/usr/bin/env bash
# `leaktriage analyze` with three snapshots of one process (memlab's method), as a user runs
# it: --baseline/--target/--final on files, and a tar or zip upload holding the set (named,
# or exactly three in order) give the same leaked_since_baseline finding: the 500
# SessionRecords of tests/fixtures/three, never the freed TempBuffers; target = baseline
# finds nothing; a bad flag combination is a usage error (2); a missing snapshot is named.
# Usage: three.sh LEAKTRIAGE FIXTURES_DIR
set -uo pipefail
# shellcheck source=common.bash
source "$(dirname "$0")/common.bash"

set_dir=$fixtures/three
b=$set_dir/r500-baseline.heapsnapshot.xz t=$set_dir/r500-target.heapsnapshot.xz f=$set_dir/r500-final.heapsnapshot.xz
for p in baseline target final; do xz -dc "$set_dir/r500-$p.heapsnapshot.xz" > "$work/$p.heapsnapshot"; done

"$bin" analyze --baseline "$b" --target "$t" --final "$f" --json > "$work/flags.json"
finding() { # report.json: "kind fingerprint class count" of each leaked_since_baseline finding
  python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["kind"] == "leaked_since_baseline": print(f["kind"], f["fingerprint"], f["class"], f["count"])' "$1"
}
finding "$work/flags.json" > "$work/flags.txt"
check "flags: one finding, 500 SessionRecords" grep -qx "leaked_since_baseline lb-[0-9a-f]* SessionRecord 500" "$work/flags.txt"
check "flags: exactly one leaked_since_baseline finding" [ "$(wc -l < "$work/flags.txt")" -eq 1 ]
check "flags: no TempBuffer" bash -c "! grep -q TempBuffer '$work/flags.json'"
check "flags: the report says what the method saw" grep -q '"three_snapshots"' "$work/flags.json"

same_finding() { # archive: the same finding as with the flags
  "$bin" analyze "$1" --json > "$work/archive.json" || return 1
  finding "$work/archive.json" | cmp -s - "$work/flags.txt"
}
(cd "$work" && mkdir named && cp final.heapsnapshot named/app-final.heapsnapshot \
  && cp baseline.heapsnapshot named/app-baseline.heapsnapshot && cp target.heapsnapshot named/app-target.heapsnapshot \
  && tar -C named -cJf named.tar.xz app-final.heapsnapshot app-target.heapsnapshot app-baseline.heapsnapshot \
  && (cd named && zip -q ../named.zip app-target.heapsnapshot app-final.heapsnapshot app-baseline.heapsnapshot) \
  && mkdir order && cp baseline.heapsnapshot order/1.heapsnapshot && cp target.heapsnapshot order/2.heapsnapshot \
  && cp final.heapsnapshot order/3.heapsnapshot && tar -C order -cf order.tar 1.heapsnapshot 2.heapsnapshot 3.heapsnapshot)
check "tar.xz named baseline/target/final, out of order" same_finding "$work/named.tar.xz"
check "zip named baseline/target/final" same_finding "$work/named.zip"
check "tar of exactly three, in order" same_finding "$work/order.tar"
"$bin" analyze "$work/order.tar" > "$work/summary.txt"
check "summary: the three-snapshot line and the finding" \
  grep -q "Three snapshots: .* still alive" "$work/summary.txt"
check "summary: reads the final entry" grep -q "entry 3.heapsnapshot" "$work/summary.txt"

"$bin" analyze --baseline "$b" --target "$b" --final "$f" --json > "$work/same.json"
check "target = baseline: nothing" bash -c "! grep -q leaked_since_baseline '$work/same.json'"

usage() { # args...: exit 2, a usage line, nothing on stdout
  "$bin" analyze "$@" > "$work/out" 2> "$work/err"
  [ $? -eq 2 ] && [ ! -s "$work/out" ] && grep -q "^usage: leaktriage analyze" "$work/err"
}
check "--baseline alone is a usage error" usage --baseline "$b"
check "FILE and the flags together is a usage error" usage "$f" --baseline "$b" --target "$t" --final "$f"
check "no FILE is a usage error" usage --json
"$bin" analyze --baseline "$b" --target "$work/none.heapsnapshot" --final "$f" > "$work/out" 2> "$work/err"
check "a missing target: exit 2, names it" bash -c "[ $? -eq 2 ] && grep -q 'target snapshot: .*none.heapsnapshot' '$work/err'"

cli_done
