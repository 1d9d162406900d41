#!/usr/bin/env bash
# Turns snapshots made by make-snapshots.sh into committed fixtures in tests/fixtures/real/.
#
# Usage: tests/gen/real/make-fixtures.sh SNAPDIR NAME...   (from the repository root)
#   For each NAME, reads SNAPDIR/NAME.heapsnapshot (or SNAPDIR/NAME.heapsnapshot.gz) and writes
#     tests/fixtures/real/NAME.heapsnapshot.xz   xz -9 of the snapshot
#     tests/fixtures/real/NAME.expected.json     node --max-old-space-size=20000 $LT_ORACLE FILE --top 50
#     tests/fixtures/real/NAME.nodes.sha256      sha256sum of the oracle's --nodes-tsv output
#   and prints the README row figures: bytes raw / xz, nodes, edges, oracle wall time.
# Needs node 20 and the DevTools oracle ($LT_ORACLE, default /work/scratch/tools/oracle/devtools-oracle.mjs).
# Timing: xz -9 takes about 1 s per raw MB on one core; the oracle 2-10 s per snapshot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../../fixtures/real
oracle=${LT_ORACLE:-/work/scratch/tools/oracle/devtools-oracle.mjs}
src=${1:?usage: make-fixtures.sh SNAPDIR NAME...}; shift
mkdir -p "$fixtures"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

fixture_one() {  # NAME
  local raw=$tmp/$1.heapsnapshot t0 t1
  if [ -f "$src/$1.heapsnapshot" ]; then cp "$src/$1.heapsnapshot" "$raw"; else gzip -dc "$src/$1.heapsnapshot.gz" > "$raw"; fi
  xz -9 -T1 -c "$raw" > "$fixtures/$1.heapsnapshot.xz"
  t0=$(date +%s.%N)
  node --max-old-space-size=20000 "$oracle" "$raw" --top 50 --nodes-tsv "$tmp/$1.nodes.tsv" > "$fixtures/$1.expected.json"
  t1=$(date +%s.%N)
  (cd "$tmp" && sha256sum "$1.nodes.tsv") > "$fixtures/$1.nodes.sha256"
  printf '%s raw %s xz %s nodes %s edges %s oracle %.1fs\n' "$1" "$(stat -c %s "$raw")" \
    "$(stat -c %s "$fixtures/$1.heapsnapshot.xz")" "$(jq .node_count "$fixtures/$1.expected.json")" \
    "$(jq .edge_count "$fixtures/$1.expected.json")" "$(echo "$t1 - $t0" | bc)"
  rm -f "$raw" "$tmp/$1.nodes.tsv"
}

for name in "$@"; do fixture_one "$name"; done
