#!/usr/bin/env bash
# Connections, waiters, PostgreSQL outage and SIGTERM drain (issue 11, defects 1, 2, 10),
# against the real binary, a real private PostgreSQL and real HTTP on loopback:
#  - 1,100 idle connections from 127.0.0.2 and up; a normal client still answered < 1 s;
#  - request headers dripped at 1 byte/s are cut within ~10 s;
#  - an upload body at 100 bytes/s gets 408 after the 30 s window;
#  - 200 concurrent `?wait=` on a running analysis hold few database connections, all
#    answer 200, and another customer's upload and list answer < 1 s meanwhile; a waiter is woken at
#    once when its analysis changes state;
#  - PostgreSQL stopped: 503 + Retry-After without a socket path; started again: 200;
#  - SIGTERM with a running analysis and a waiter: the waiter is answered, the server exits
#    within its grace, the job is queued again.
# The slow-client checks run in the background while the rest goes on (~45 s in all).
# Usage: conn.sh LEAKTRIAGE
set -uo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.bash"
server_test_init conn
clients="python3 $here/conn_clients.py"

port=$(free_port)
log=$work/server.log
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --workers 1 --grace 3 >"$log" 2>&1 &
pids+=($!)
server=${pids[-1]}
for _ in $(seq 1 150); do grep -q "listening on" "$log" 2>/dev/null && break; sleep 0.2; done
key=$(grep -A1 "shown once" "$log" | tail -1)
other=$("$bin" admin create-customer other --data "$data" | tail -1)
conninfo="host=$data/pg dbname=leaktriage user=postgres"
sql() { psql "$conninfo" -XAtq -c "$1"; }
base=http://127.0.0.1:$port/api/v1

# -- slow clients, in the background --------------------------------------------------
$clients drip "$port" >"$work/drip.json" &
drip=$!
$clients slowbody "$port" "$key" >"$work/slowbody.json" &
slowbody=$!

# -- idle connections ----------------------------------------------------------------------
idle=$($clients idle "$port" "$key" 1100)
echo "idle: $idle"
check "1,100 idle connections are accepted" test "$(json 'd["opened"]' <<<"$idle")" = 1100
check "... and a normal client is answered 200 in under 1 s" \
  test "$(json 'd["status"] == 200 and d["latency"] < 1' <<<"$idle")" = True

# -- a running analysis (its worker blocked on a pipe) and 200 waiters -------------------
api --data-binary @"$fixtures/seed-co.heapsnapshot.gz" "$base/apps/raw/snapshots" >/dev/null
mkfifo "$work/slow.heapsnapshot"
chmod 0666 "$work/slow.heapsnapshot"
fake_job() { # spool path: a queued analysis of a fake snapshot; prints its id
  sql "WITH s AS (INSERT INTO snapshots (app_id, customer_id, sha256, spool_path, compressed_bytes)
         SELECT id, customer_id, sha256('$1'::bytea), '$1', 0 FROM apps WHERE name = 'raw' RETURNING id, customer_id)
       INSERT INTO analyses (snapshot_id, customer_id) SELECT id, customer_id FROM s RETURNING id" | head -1
}
sleep 2 # the real upload is analysed first
slow=$(fake_job "$work/slow.heapsnapshot")
for _ in $(seq 1 50); do [ "$(sql "SELECT state FROM analyses WHERE id = $slow")" = running ] && break; sleep 0.2; done
check "the analysis on the pipe is running" test "$(sql "SELECT state FROM analyses WHERE id = $slow")" = running
(sleep 2.5; sql "SELECT count(*) FROM pg_stat_activity WHERE datname = 'leaktriage'" >"$work/conns") &
waits=$($clients waits "$port" "$key" "$slow" 200 "$other" "$fixtures/fixed-loop.heapsnapshot.gz")
echo "waits: $waits; database connections meanwhile: $(cat "$work/conns")"
check "200 concurrent waits all answer 200" test "$(json 'd["statuses"]' <<<"$waits")" = "{'200': 200}"
check "... another customer's list meanwhile: 200 in under 1 s" \
  test "$(json 'd["other_status"] == 200 and d["other_latency"] < 1' <<<"$waits")" = True
check "... and its upload: 202 in under 1 s" \
  test "$(json 'd["upload_status"] == 202 and d["upload_latency"] < 1' <<<"$waits")" = True
check "... with fewer than 40 database connections open" test "$(cat "$work/conns")" -lt 40
queued=$(fake_job "$work/never.heapsnapshot") # the one worker is busy: stays queued
start=$(date +%s.%N)
(sleep 1; sql "UPDATE analyses SET state = 'failed', error = 'test' WHERE id = $queued") &
state=$(api "$base/analyses/$queued?wait=30" | json 'd["state"]')
took=$(echo "$(date +%s.%N) - $start" | bc)
check "a waiter wakes when its analysis changes state (${took}s)" \
  bash -c "[ '$state' = failed ] && (( \$(echo '$took < 3' | bc) ))"

# -- PostgreSQL outage ------------------------------------------------------------------------
stop_cluster "$data"
headers=$(curl -s -D - -o "$work/outage.json" -H "Authorization: Bearer $key" "$base/apps")
check "PostgreSQL stopped: 503" grep -q "^HTTP/1.1 503" <<<"$headers"
check "... with Retry-After" grep -qi "^Retry-After: [0-9]" <<<"$headers"
check "... and no path in the message" bash -c "! grep -q '/' '$work/outage.json'"
"$bin" migrate --data "$data" >/dev/null # starts the private cluster again
status=0
for _ in $(seq 1 10); do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$base/apps")
  [ "$status" = 200 ] && break
  sleep 0.5
done
check "PostgreSQL back: 200 again" test "$status" = 200

# -- slow clients' results ----------------------------------------------------------------------
wait "$drip" "$slowbody"
echo "drip: $(cat "$work/drip.json"); slow body: $(cat "$work/slowbody.json")"
check "headers dripped at 1 byte/s are cut within 11 s" test "$(json 'd["cut_after"] <= 11' <"$work/drip.json")" = True
check "a body at 100 bytes/s gets 408 within 35 s" \
  test "$(json 'd["status"] == 408 and d["after"] <= 35' <"$work/slowbody.json")" = True

# -- SIGTERM drain -----------------------------------------------------------------------------
for _ in $(seq 1 50); do [ "$(sql "SELECT state FROM analyses WHERE id = $slow")" = running ] && break; sleep 0.2; done
curl -s -o "$work/inflight.json" -w '%{http_code}' -H "Authorization: Bearer $key" \
  "$base/analyses/$slow?wait=60" >"$work/inflight.status" &
inflight=$!
sleep 0.5
start=$(date +%s)
kill -TERM "$server"
wait "$server"
rc=$?
wait "$inflight"
check "a wait in flight at SIGTERM is answered 200 with the state so far" \
  bash -c "[ \"\$(cat '$work/inflight.status')\" = 200 ] && grep -q '\"state\" *: *\"running\"' '$work/inflight.json'"
took=$(($(date +%s) - start))
check "SIGTERM with a running analysis: exit 0 within the grace (${took}s)" bash -c "[ $rc = 0 ] && [ $took -le 8 ]"
"$bin" migrate --data "$data" >/dev/null # the server stopped its private cluster as it ended
check "... the analysis is back in the queue, its attempt not counted" \
  test "$(sql "SELECT state || ' ' || attempts FROM analyses WHERE id = $slow")" = "queued 0"
check "... and the log says so" grep -q "put 1 running analyses back" "$log"

echo "$failures failed"
[ "$failures" -eq 0 ]
