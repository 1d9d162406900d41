#!/usr/bin/env bash
# `leaktriage analyze` as a user runs it: every container format gives the
# same report, --nodes writes DevTools' numbers, bad input exits 2 with one line.
# Usage: analyze.sh LEAKTRIAGE FIXTURES_DIR
set -uo pipefail
# shellcheck source=common.bash
source "$(dirname "$0")/common.bash"

name=fixed-loop
zcat "$fixtures/$name.heapsnapshot.gz" > "$work/$name.heapsnapshot"
"$bin" analyze "$fixtures/$name.heapsnapshot.gz" --json --top 20 > "$work/ref.json"
check "gzip: report has the fixture's node count" grep -q '"node_count": 39590' "$work/ref.json"

same_report() { # file [args] : same JSON (but the input description) as the gzip one
  "$bin" analyze "$@" --json --top 20 > "$work/out.json" 2> "$work/err" || return 1
  diff <(grep -v -E '"(input_format|compressed_bytes)"' "$work/ref.json") \
       <(grep -v -E '"(input_format|compressed_bytes)"' "$work/out.json") > /dev/null
}
(cd "$work" && zstd -q -k "$name.heapsnapshot" && xz -k -T1 "$name.heapsnapshot" && bzip2 -k "$name.heapsnapshot" \
  && zip -q snap.zip "$name.heapsnapshot" && echo hi > README.txt && zip -q two.zip README.txt "$name.heapsnapshot" \
  && tar czf snap.tar.gz "$name.heapsnapshot" && tar cf snap.tar README.txt "$name.heapsnapshot")
check "plain file" same_report "$work/$name.heapsnapshot"
check "zstd" same_report "$work/$name.heapsnapshot.zst"
check "xz" same_report "$work/$name.heapsnapshot.xz"
check "bzip2" same_report "$work/$name.heapsnapshot.bz2"
check "zip" same_report "$work/snap.zip"
check "zip with another file first" same_report "$work/two.zip"
check "tar.gz" same_report "$work/snap.tar.gz"
check "tar with another file first" same_report "$work/snap.tar"
check "standard input" same_report - < "$fixtures/$name.heapsnapshot.gz"

"$bin" analyze "$fixtures/$name.heapsnapshot.gz" --nodes "$work/nodes.tsv" > "$work/summary.txt"
check "--nodes equals DevTools' per-node numbers" cmp -s "$work/nodes.tsv" <(zcat "$fixtures/$name.nodes.tsv.gz")
check "summary names the top retainer" grep -q "Top retainers" "$work/summary.txt"
check "summary lists classes" grep -q "system / Context" "$work/summary.txt"

fails_cleanly() { # expected message part, file...
  local want=$1
  shift
  "$bin" analyze "$@" > "$work/out" 2> "$work/err"
  local rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l < "$work/err")" -eq 1 ] && grep -q -- "$want" "$work/err" && [ ! -s "$work/out" ] \
    || { echo "     rc=$rc stderr: $(cat "$work/err")"; return 1; }
}
head -c 400000 "$fixtures/$name.heapsnapshot.gz" > "$work/cut.gz"
check "truncated gzip: exit 2, one line" fails_cleanly "truncated" "$work/cut.gz"
head -c 1000000 "$work/$name.heapsnapshot" > "$work/cut.heapsnapshot"
check "truncated JSON: exit 2, names the byte" fails_cleanly "truncated at byte 1000000" "$work/cut.heapsnapshot"
echo '{"hello": "world", "list": [1, 2]}' > "$work/other.json"
check "JSON that is not a heap snapshot" fails_cleanly "not a V8 heap snapshot" "$work/other.json"
check "zip without a snapshot names its entries" fails_cleanly "README.txt" <(cd "$work" && zip -q - README.txt)
# random bytes after a fixed first byte: one time in 256 random bytes start with '{' and are
# (rightly) read as JSON that is "not a V8 heap snapshot" instead (seen once in CI)
{ printf '\007'; head -c 4999 /dev/urandom; } > "$work/random.bin"
check "random bytes" fails_cleanly "not a heap snapshot" "$work/random.bin"
check "missing file" fails_cleanly "no-such-file" "$work/no-such-file.heapsnapshot"
sed 's/"edge_count":179882/"edge_count":179881/' "$work/$name.heapsnapshot" > "$work/count.heapsnapshot"
check "wrong edge count" fails_cleanly "edge_count" "$work/count.heapsnapshot"
"$bin" analyze > /dev/null 2>&1
check "usage error exits 2" [ $? -eq 2 ]

cli_done
