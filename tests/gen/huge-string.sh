#!/usr/bin/env bash
# huge-string.sh: a format-limit input (issue 11, defect 3): a well-formed V8 heap snapshot
# of two nodes whose strings array holds one string of BYTES bytes of 'a' (default 3 GiB),
# written zstd-compressed to OUT (about 100 KB for 3 GiB). Generated JSON on purpose: it
# tests the memory budget, not a finding. Takes a few seconds; nothing is held in memory.
# Run: tests/gen/huge-string.sh OUT.heapsnapshot.zst [BYTES]
set -euo pipefail
out=${1:?usage: huge-string.sh OUT.heapsnapshot.zst [BYTES]}
bytes=${2:-3221225472}
{
    printf '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],'
    printf '"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic",'
    printf '"concatenated string","sliced string","symbol","bigint","object shape","wasm object"],"string","number","number","number","number","number"],'
    printf '"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],'
    printf '"location_fields":["object_index","script_id","line","column"]},"node_count":2,"edge_count":1},\n'
    printf '"nodes":[9,0,1,0,1,0,0,2,1,3,32,0,0,0],\n"edges":[1,0,7],\n"locations":[],\n"strings":["","'
    python3 -c 'import sys
n = int(sys.argv[1]); chunk = b"a" * (1 << 24)
while n > 0:
    sys.stdout.buffer.write(chunk[: min(n, len(chunk))]); n -= len(chunk)' "$bytes"
    printf '"]}\n'
} | zstd -q -3 -T0 -f -o "$out"
