#!/usr/bin/env bash
# huge-string.sh: format-limit inputs of issue 11 (defects 3 and 4): a well-formed V8 heap
# snapshot of two nodes with BYTES bytes of 'a' (default 3 GiB) in one string, compressed.
# Generated JSON on purpose: it tests the budget and fairness, not a finding. Takes a few
# seconds a GiB; nothing is held in memory.
#   default:   the string is in "strings" (the graph must hold it), zstd -3 (3 GiB: ~100 KB)
#   --skipped: the string is in "samples", a value the reader skips (costs time, not memory)
#   --gzip2:   gzip inside gzip instead of zstd (a "gzip bomb": 1 GiB is ~10 KB)
# Run: tests/gen/huge-string.sh OUT [BYTES] [--skipped] [--gzip2]
set -euo pipefail
out=${1:?usage: huge-string.sh OUT [BYTES] [--skipped] [--gzip2]}
bytes=${2:-3221225472}
skipped=0 gzip2=0
for a in "${@:3}"; do
    case $a in
    --skipped) skipped=1 ;;
    --gzip2) gzip2=1 ;;
    *) echo "huge-string.sh: unknown option $a" >&2 && exit 2 ;;
    esac
done
compress() { if [ $gzip2 = 1 ]; then gzip -1 | gzip -9; else zstd -q -3 -T0; fi; }
{
    printf '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],'
    printf '"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic",'
    printf '"concatenated string","sliced string","symbol","bigint","object shape","wasm object"],"string","number","number","number","number","number"],'
    printf '"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],'
    printf '"location_fields":["object_index","script_id","line","column"]},"node_count":2,"edge_count":1},\n'
    printf '"nodes":[9,0,1,0,1,0,0,2,1,3,32,0,0,0],\n"edges":[1,0,7],\n"locations":[],\n'
    if [ $skipped = 1 ]; then printf '"strings":["","x"],\n"samples":["'; else printf '"strings":["","'; fi
    python3 -c 'import sys
n = int(sys.argv[1]); chunk = b"a" * (1 << 24)
while n > 0:
    sys.stdout.buffer.write(chunk[: min(n, len(chunk))]); n -= len(chunk)' "$bytes"
    printf '"]}\n'
} | compress >"$out"
