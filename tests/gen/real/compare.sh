#!/usr/bin/env bash
# Checks leaktriage against Chrome DevTools node by node on real snapshots.
#
# Usage: tests/gen/real/compare.sh [-b BUILD_DIR] SNAPSHOT...   (from the repository root)
#   SNAPSHOT: .heapsnapshot, .gz or .xz. For each, runs the DevTools oracle
#   (node --max-old-space-size=20000 $LT_ORACLE FILE --top 50 --nodes-tsv ...) and
#   BUILD_DIR/leaktriage analyze FILE --json --top 50 --nodes ..., then compares every node
#   (id, self_size, retained_size, dominator_id, distance) and the summary numbers and 50
#   Summary-view classes (compare-summary.mjs). Prints one line per snapshot:
#     NAME  nodes edges  oracle_s ours_s  match | LOAD FAILED: ... | first mismatch
#   Work files go to $LT_COMPARE_DIR (default /var/tmp/leaktriage-compare), kept for
#   inspection: NAME.oracle.json, NAME.oracle.tsv, NAME.ours.json, NAME.ours.tsv, NAME.err.
#   Exit status: 0 when all match, 1 otherwise.
# Needs: node 20 and the oracle of the shared tools ($LT_ORACLE, default
#   /work/scratch/tools/oracle/devtools-oracle.mjs); an .xz input is unpacked for the oracle
#   (it reads plain or gzip only) into the work folder and deleted afterwards.
# Timing: about the oracle's time plus ours; 5-60 s per snapshot of 10-150 MB.
set -uo pipefail
build=build
if [ "${1:-}" = "-b" ]; then build=$2; shift 2; fi
oracle=${LT_ORACLE:-/work/scratch/tools/oracle/devtools-oracle.mjs}
work=${LT_COMPARE_DIR:-/var/tmp/leaktriage-compare}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"

snapshot_name() { basename "$1" | sed -E 's/\.(gz|xz)$//; s/\.heapsnapshot$//'; }

# Prints the first differing line of two TSVs as "line N: DevTools ... | ours ...".
first_node_mismatch() {
  paste -d'|' "$1" "$2" | awk -F'|' '$1 != $2 { printf "node line %d: DevTools %s | ours %s\n", NR - 1, $1, $2; exit }'
}

oracle_input() {  # the oracle reads plain or gzip: unpack .xz into the work folder
  case "$1" in
    *.xz) xz -dc "$1" > "$work/$2.heapsnapshot"; echo "$work/$2.heapsnapshot" ;;
    *) echo "$1" ;;
  esac
}

compare_one() {
  local file=$1 name w t0 t1 t2 input verdict
  name=$(snapshot_name "$file"); w=$work/$name
  input=$(oracle_input "$file" "$name")
  t0=$(date +%s.%N)
  node --max-old-space-size=20000 "$oracle" "$input" --top 50 --nodes-tsv "$w.oracle.tsv" > "$w.oracle.json" 2> "$w.oracle.err" \
    || { echo "$name  ORACLE FAILED: $(tail -1 "$w.oracle.err")"; return 1; }
  [ "$input" = "$file" ] || rm -f "$input"
  t1=$(date +%s.%N)
  if ! "$build/leaktriage" analyze "$file" --json --top 50 --nodes "$w.ours.tsv" > "$w.ours.json" 2> "$w.err"; then
    echo "$name  LOAD FAILED: $(head -1 "$w.err")"; return 1
  fi
  t2=$(date +%s.%N)
  if cmp -s "$w.oracle.tsv" "$w.ours.tsv"; then
    verdict=$(node "$here/compare-summary.mjs" "$w.oracle.json" "$w.ours.json")
  else
    verdict="MISMATCH $(first_node_mismatch "$w.oracle.tsv" "$w.ours.tsv")"
  fi
  printf '%s  nodes %s edges %s  oracle %.1fs ours %.1fs  %s\n' "$name" \
    "$(jq .node_count "$w.oracle.json")" "$(jq .edge_count "$w.oracle.json")" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$verdict"
  [ "$verdict" = match ]
}

status=0
for f in "$@"; do compare_one "$f" || status=1; done
exit $status
