#!/usr/bin/env bash
# Figures of the README's "Scaling out" section (issue 12), on this machine only; not run
# by CI. One private PostgreSQL (in a temporary folder of its own) and one or two
# `leaktriage serve` processes on this host, each with its own --data folder (no shared
# disk), all on the same --database. Prints one line per figure:
#   1. uploads per second accepted: UPLOADS small snapshots (tests/fixtures/fixed-loop,
#      819 KB gzip; each copy made distinct by its gzip header time), CONCURRENCY curl at
#      once, to one server, --store local and then --store postgres
#   2. analyses per minute: ANALYSES of phase 1's --store postgres snapshots queued at
#      once (one INSERT of new analyses, so the upload rate does not limit it), with 1
#      server and with 2 servers (same host: they share its cores), --workers 1 and 2
#      each; measured from the first start to the last finish in the analyses table
#   3. the large-object overhead: a ~100 MB upload (gzip of random bytes) to --store local
#      and to --store postgres (curl's total time), and the worker's fetch of it back from
#      the large object (its log line "fetched the snapshot's large object (...) in N ms");
#      then the bytes uploaded to --store postgres and the size of pg_largeobject
# Needs python3, curl, PostgreSQL; ~1 GB free in /tmp.
# Usage: tests/load/scaleout.sh [PATH/TO/leaktriage] [UPLOADS] [CONCURRENCY] [ANALYSES]
#        (default build/leaktriage 200 16 40)
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$src/build/leaktriage}")
uploads=${2:-200}
concurrency=${3:-16}
analyses=${4:-40}
. "$src/tests/integration/common.bash"

scratch_init scaleout-bench
pids=()
trap 'stop_servers; stop_cluster "$work/db"; rm -rf "$work"' EXIT
"$bin" migrate --data "$work/db" >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; exit 1; }
conninfo="host=$work/db/pg port=5432 dbname=leaktriage user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)"
sql() { psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
key=$("$bin" admin create-customer bench --data "$work/db" 2>/dev/null | tail -n 1)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(psql --version)"

declare -A port
serve() { # name store workers: a server on $work/NAME sharing the database
  port[$1]=$(free_port)
  "$bin" serve --data "$work/$1" --database "$conninfo" --store "$2" --workers "$3" --per-customer 64 \
    --listen "127.0.0.1:${port[$1]}" >"$work/$1.log" 2>&1 &
  pids+=($!)
  wait_listening "$work/$1.log"
}
restart() { stop_servers; pids=(); }
# COUNT distinct copies of fixed-loop: the gzip header's time (bytes 4-7) set to 1..COUNT
python3 - "$src/tests/fixtures/fixed-loop.heapsnapshot.gz" "$work/small" "$uploads" <<'PY'
import os, struct, sys
raw = open(sys.argv[1], "rb").read()
os.makedirs(sys.argv[2])
for i in range(1, int(sys.argv[3]) + 1):
    open(f"{sys.argv[2]}/{i}.gz", "wb").write(raw[:4] + struct.pack("<I", i) + raw[8:])
PY
upload_all() { # app first last server...: uploads small/FIRST..LAST, CONCURRENCY at once, round-robin
  local app=$1 first=$2 last=$3
  shift 3
  local servers=("$@")
  for i in $(seq "$first" "$last"); do
    echo "${port[${servers[$((i % ${#servers[@]}))]}]} $i"
  done | xargs -P "$concurrency" -n 2 sh -c 'curl -s -o /dev/null -w "%{http_code}\n" -H "Authorization: Bearer '"$key"'" \
    --data-binary @'"$work"'/small/$1.gz http://127.0.0.1:$0/api/v1/apps/'"$app"'/snapshots' | sort | uniq -c | tr '\n' ' '
}
settle() { # app: waits until none of its analyses is queued or running
  while [ "$(sql "SELECT count(*) FROM analyses a JOIN snapshots s ON s.id = a.snapshot_id JOIN apps p ON p.id = s.app_id
                  WHERE p.name = '$1' AND a.state IN ('queued', 'running')")" != 0 ]; do sleep 0.2; done
}

# --- 1. uploads per second ---
for store in local postgres; do
  serve up-$store $store 1 || exit 1
  t0=$(date +%s.%N)
  codes=$(upload_all "up-$store" 1 "$uploads" up-$store)
  t1=$(date +%s.%N)
  awk -v s="$store" -v n="$uploads" -v c="$concurrency" -v t="$t1 - $t0" -v codes="$codes" 'BEGIN {
    split(t, p, " - "); d = p[1] - p[2]
    printf "uploads accepted, --store %-8s: %d uploads, %d at once: %.1f s, %.0f uploads/s (answers: %s)\n", s, n, c, d, n / d, codes }'
  restart
  sql "UPDATE analyses SET state = 'failed', error = 'left by the upload phase' WHERE state IN ('queued', 'running')" >/dev/null
done

# --- 2. analyses per minute, 1 and 2 servers ---
for workers in 1 2; do
  for servers in 1 2; do
    for s in $(seq 1 "$servers"); do serve "an$workers-$servers-$s" postgres "$workers" || exit 1; done
    marker=$(sql "SELECT max(id) FROM analyses")
    sql "INSERT INTO analyses (snapshot_id, customer_id) SELECT s.id, s.customer_id FROM snapshots s
         JOIN apps p ON p.id = s.app_id WHERE p.name = 'up-postgres' ORDER BY s.id LIMIT $analyses" >/dev/null
    while [ "$(sql "SELECT count(*) FROM analyses WHERE id > $marker AND state IN ('queued', 'running')")" != 0 ]; do
      sleep 0.2
    done
    sql "SELECT format('analyses per minute: %s server(s) x %s worker(s), --store postgres: %s analyses in %s s = %s/min (%s done, %s failed)',
           $servers, $workers, count(*), round(extract(epoch FROM max(finished_at) - min(started_at))::numeric, 1),
           round(count(*) * 60 / extract(epoch FROM max(finished_at) - min(started_at))::numeric),
           count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'failed'))
         FROM analyses WHERE id > $marker"
    restart
  done
done

# --- 3. the large-object overhead of a ~100 MB upload ---
head -c 100000000 /dev/urandom | gzip -1 >"$work/big.gz"
for store in local postgres; do
  serve big-$store $store 1 || exit 1
  time_total=$(curl -s -o /dev/null -w "%{time_total}" -H "Authorization: Bearer $key" --data-binary @"$work/big.gz" \
    "http://127.0.0.1:${port[big-$store]}/api/v1/apps/big-$store/snapshots")
  settle "big-$store"
  fetched=$(grep -o "large object ([0-9.]* MiB) in [0-9]* ms" "$work/big-$store.log" || echo "read in place, no fetch")
  printf "100 MB upload, --store %-8s: %s s; worker: %s\n" "$store" "$time_total" "$fetched"
  restart
done
sql "SELECT format('large objects: %s uploaded to --store postgres, pg_largeobject holds %s', pg_size_pretty(sum(compressed_bytes)),
       pg_size_pretty(pg_total_relation_size('pg_largeobject'))) FROM snapshots WHERE store = 'postgres'"
