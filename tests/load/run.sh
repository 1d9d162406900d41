#!/usr/bin/env bash
# Load test of issue 11 (a service strangers can't knock over), on loopback only and
# bounded in time; not run by CI. Starts a private `leaktriage serve` (its own PostgreSQL in
# a temporary data folder) and prints one line of figures per phase:
#   1. 1,100 idle connections from 127.0.0.2 and up + a normal client on 127.0.0.1 (latency)
#   2. 200 concurrent `GET /analyses/{id}?wait=20` + another customer's upload and list
#   3. 50 concurrent uploads + 200 concurrent reads (lost, 5xx, p50/p99)
#   4. a 3 GiB-string snapshot (zstd, ~100 KB) with --analysis-memory 1G: the server's peak
#      RSS (VmHWM), the job's state, message and attempts
#   5. four gzip-in-gzip bombs (4 GiB each) of one customer + another's small analysis
#      (its latency)
# The server gets --analysis-memory 1G and --max-snapshot-bytes when it knows them (older
# servers: the phase runs without, and says so). It raises its own descriptor limit.
# Needs python3, zstd, gzip, PostgreSQL; ~6 GB free in /tmp for nothing (all streamed).
# Usage: tests/load/run.sh [PATH/TO/leaktriage] [PHASES]   (default build/leaktriage "1 2 3 4 5")
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$src/build/leaktriage}")
phases=${2:-1 2 3 4 5}
. "$src/tests/integration/common.bash"
ulimit -n 8192 || ulimit -n 4096
server_test_init load
port=$(free_port)
base=http://127.0.0.1:$port
load="python3 $src/tests/load/load.py"
"$bin" migrate --data "$data" > "$work/m.out" 2>&1 || { cat "$work/m.out"; exit 1; }
export KEY_A KEY_B
KEY_A=$("$bin" admin create-customer alpha --data "$data" | tail -1)
KEY_B=$("$bin" admin create-customer beta --data "$data" | tail -1)
flags=()
help=$("$bin" serve --help 2>&1)
[[ $help == *--analysis-memory* ]] && flags+=(--analysis-memory 1G) || echo "note: serve has no --analysis-memory"
[[ $help == *--max-snapshot-bytes* ]] && flags+=(--max-snapshot-bytes 64G)
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --workers 2 "${flags[@]}" > "$work/serve.log" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 1 150); do grep -q "listening on" "$work/serve.log" 2>/dev/null && break; sleep 0.2; done

export FILE_SMALL=$work/small.heapsnapshot
zcat "$fixtures/findings/linked-list.heapsnapshot.gz" > "$FILE_SMALL"
first=$(curl -s -H "Authorization: Bearer $KEY_A" --data-binary @"$FILE_SMALL" "$base/api/v1/apps/shop/snapshots" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["analysis_id"])')
curl -s -H "Authorization: Bearer $KEY_A" "$base/api/v1/analyses/$first?wait=60" > /dev/null

for p in $phases; do
  case $p in
  1) timeout 300 $load idle 1100 "$base" ;;
  2) # an analysis that stays queued: 150 distinct copies of a ~1-s analysis before it
    # keep the 2 workers busy past the waits' 20 s
    last=$($load queue 150 "$base" "$fixtures/seed-co.heapsnapshot.gz")
    timeout 300 $load waits 200 "$base" "$last" ;;
  3) timeout 600 $load mixed 50 200 "$base" "$FILE_SMALL" ;;
  4) big=$work/string-3g.heapsnapshot.zst
    python3 - <<'PY' | zstd -q -3 -T0 -o "$big"
import sys
out = sys.stdout.buffer
out.write(b'{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],'
          b'"node_types":[["hidden","string"],"string","number","number","number"],'
          b'"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"],"number","node"]},'
          b'"node_count":2,"edge_count":1},"nodes":[0,0,1,0,1,1,1,3,32,0],"edges":[0,0,5],'
          b'"strings":["(root)","')
chunk = b'a' * (1 << 24)
for _ in range(3 * 64):
    out.write(chunk)
out.write(b'"]}')
PY
    echo "phase 4: $(stat -c %s "$big") bytes of zstd"
    timeout 1200 $load one "$base" "$big" huge "$KEY_A"
    echo "phase 4: server peak RSS $(awk '/VmHWM/ {printf "%.2f GB", $2 / 1048576}' /proc/$server/status)" ;;
  5) bomb=$work/bomb.gz.gz
    head -c $((4 << 30)) /dev/zero | gzip -1 | gzip -9 > "$bomb"
    echo "phase 5: each bomb is $(stat -c %s "$bomb") bytes"
    for i in 1 2 3 4; do
      (cat "$bomb"; printf '%*s' "$i" '') > "$work/bomb$i"
      curl -s -o /dev/null -H "Authorization: Bearer $KEY_A" --data-binary @"$work/bomb$i" "$base/api/v1/apps/bombs/snapshots"
    done
    printf ' ' >> "$FILE_SMALL"
    timeout 600 $load one "$base" "$FILE_SMALL" small "$KEY_B" ;;
  esac
done
