#!/usr/bin/env bash
# Three snapshots of one process uploaded as one archive (issue 9, memlab's method): the
# real server and a real PostgreSQL. A tar.xz of tests/fixtures/three named
# baseline/target/final (in another order) is analysed by the three-snapshot method: the
# report has one leaked_since_baseline finding, the 500 SessionRecords, and its
# three_snapshots counts; the finding is stored with its lb- fingerprint (so it becomes a
# leak record); a zip of exactly three unnamed entries in order gives the same fingerprint;
# a set whose target is the baseline reports nothing of the kind.
# Usage: three.sh LEAKTRIAGE
set -uo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.bash"
server_test_init three

for p in baseline target final; do xz -dc "$fixtures/three/r500-$p.heapsnapshot.xz" > "$work/$p.heapsnapshot"; done
(cd "$work" && mkdir named order same && cp final.heapsnapshot named/run-final.heapsnapshot \
  && cp target.heapsnapshot named/run-target.heapsnapshot && cp baseline.heapsnapshot named/run-baseline.heapsnapshot \
  && tar -C named -cJf named.tar.xz run-final.heapsnapshot run-baseline.heapsnapshot run-target.heapsnapshot \
  && cp baseline.heapsnapshot order/a.heapsnapshot && cp target.heapsnapshot order/b.heapsnapshot \
  && cp final.heapsnapshot order/c.heapsnapshot && (cd order && zip -q ../order.zip a.heapsnapshot b.heapsnapshot c.heapsnapshot) \
  && cp baseline.heapsnapshot same/baseline.heapsnapshot && cp baseline.heapsnapshot same/target.heapsnapshot \
  && cp final.heapsnapshot same/final.heapsnapshot && tar -C same -czf same.tar.gz baseline.heapsnapshot target.heapsnapshot final.heapsnapshot) \
  || { echo "FAIL packing the sets"; exit 1; }

port=$(free_port)
start_server "$work/server.log" "$port" || exit 1
key=$(grep -A1 "shown once" "$work/server.log" | tail -1)
base=http://127.0.0.1:$port/api/v1

report_of() { # archive app: uploads it, waits, prints the report
  local id
  id=$(api --data-binary @"$1" "$base/apps/$2/snapshots" | json 'd["analysis_id"]')
  [ "$(api "$base/analyses/$id?wait=120" | json 'd["state"]')" = done ] || return 1
  api "$base/analyses/$id/report"
}
leaked() { json '[(f["class"], f["count"], f["fingerprint"][:3]) for f in d["findings"] if f["kind"] == "leaked_since_baseline"]'; }

named=$(report_of "$work/named.tar.xz" shop)
check "the named tar.xz is analysed" test -n "$named"
check "one leaked_since_baseline finding: 500 SessionRecords, lb- fingerprint" \
  test "$(leaked <<<"$named")" = "[('SessionRecord', 500, 'lb-')]"
check "the report is the final snapshot's, with the method's counts" \
  test "$(json '(d["snapshot"]["node_count"], d["three_snapshots"]["baseline_nodes"], d["three_snapshots"]["target_nodes"])' <<<"$named")" = "(44908, 40786, 46404)"
fp=$(json '[f["fingerprint"] for f in d["findings"] if f["kind"] == "leaked_since_baseline"][0]' <<<"$named")
check "the app's stored findings carry its fingerprint" \
  grep -q "$fp" <<<"$(api "$base/apps/shop/findings" | json '[f["fingerprint"] for f in d["findings"]]')"
order=$(report_of "$work/order.zip" shop)
check "a zip of three unnamed entries, in order: the same fingerprint" \
  test "$(json '[f["fingerprint"] for f in d["findings"] if f["kind"] == "leaked_since_baseline"]' <<<"$order")" = "['$fp']"
same=$(report_of "$work/same.tar.gz" shop)
check "target = baseline: analysed, nothing leaked since the baseline" \
  test "$(leaked <<<"$same")/$(json 'd["three_snapshots"]["new_in_target"]' <<<"$same")" = "[]/0"

echo "$failures failed"
[ "$failures" -eq 0 ]
