#!/usr/bin/env bash
# `leaktriage serve` as a user runs it: the real binary, a real PostgreSQL it
# starts itself, real HTTP on 127.0.0.1. Uploads every fixture raw and as a
# multipart form, waits, checks the findings through the API; two servers on
# one database share the queue; kill -9 of a server in the middle of an
# analysis, restart, the job completes.
# Usage: serve.sh LEAKTRIAGE
set -uo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.bash"
server_test_init serve

port_a=$(free_port)
start_server "$work/a.log" "$port_a" || exit 1
pid_a=${pids[-1]}
key=$(grep -A1 "shown once" "$work/a.log" | tail -1)
check "the first start prints an API key alone on its line" grep -qE '^lt_[a-z0-9]{40}$' <<<"$key"
base_a=http://127.0.0.1:$port_a/api/v1

# -- every fixture, raw and multipart -----------------------------------------
declare -A expect=(
  [seed-co]="recursive_chain:scheduleUpdatingTask"
  [seed-async]="recursive_chain:task"
  [fixed-loop]="none"
  [mixed-app]="retainer_cluster:RequestRecord"
  [chromium-todo-undo]="detached_dom:<li>"
)
for name in "${!expect[@]}"; do
  file=$fixtures/$name.heapsnapshot.gz
  raw=$(api --data-binary @"$file" "$base_a/apps/raw/snapshots?version=1.0&host=h1")
  form=$(api -F "snapshot=@$file" -F version=1.0 "$base_a/apps/form/snapshots")
  for how in raw form; do
    answer=${!how}
    id=$(json 'd["analysis_id"]' <<<"$answer" 2>/dev/null)
    state=$(api "$base_a/analyses/$id?wait=120" | json 'd["state"]' 2>/dev/null)
    check "$name ($how upload) is analysed" test "$state" = done
    report=$(api "$base_a/analyses/$id/report")
    want=${expect[$name]}
    if [ "$want" = none ]; then
      check "$name ($how): no leak finding" test "$(json '[f["kind"] for f in d["findings"] if f["kind"] != "large_retainer"]' <<<"$report")" = "[]"
    else
      check "$name ($how): ${want%%:*} naming ${want#*:}" \
        grep -q "${want#*:}" <<<"$(json "[f['title'] for f in d['findings'] if f['kind'] == '${want%%:*}']" <<<"$report")"
    fi
  done
done
n=$(api "$base_a/apps/raw/snapshots" | json 'len(d["snapshots"])')
check "the app lists its 5 snapshots" test "$n" = 5
fp=$(api "$base_a/apps/raw/findings" | json '[f["fingerprint"] for f in d["findings"] if f["kind"] == "recursive_chain"]')
check "the app's findings carry the chains' fingerprints" grep -q "rc-" <<<"$fp"

# -- two servers, one database, one queue ----------------------------------------
port_b=$(free_port)
start_server "$work/b.log" "$port_b" || exit 1
pid_b=${pids[-1]}
base_b=http://127.0.0.1:$port_b/api/v1
# Each server in turn is frozen (SIGSTOP) while the other takes uploads: analyses got fast
# enough that one server's workers could claim every job before the other's woke up, so
# who takes which is made certain; a frozen server's uploads wait in the shared queue for
# whichever server is awake.
ids=()
all_done=1
upload_through() { # base levels...: uploads through base, waits for each there
  local base=$1 level id
  shift
  for level in "$@"; do # distinct bytes: the same snapshot at other gzip levels
    zcat "$fixtures/seed-co.heapsnapshot.gz" | gzip -"$level" > "$work/s$level.gz"
    id=$(api --data-binary @"$work/s$level.gz" "$base/apps/shared/snapshots" | json 'd["analysis_id"]')
    ids+=("$id")
    [ "$(api "$base/analyses/$id?wait=120" | json 'd["state"]')" = done ] || all_done=0
  done
}
kill -STOP "$pid_a"
upload_through "$base_b" 1 3 5 7 9
kill -CONT "$pid_a"
kill -STOP "$pid_b"
upload_through "$base_a" 2 4 6 8
kill -CONT "$pid_b"
check "9 uploads through two servers are all analysed" test $all_done = 1
conninfo="host=$data/pg dbname=leaktriage user=postgres"
workers=$(psql "$conninfo" -XAtq -c "SELECT DISTINCT split_part(worker, '/', 1) FROM analyses WHERE id IN ($(IFS=,; echo "${ids[*]}"))")
check "both servers' workers took jobs" test "$(grep -c . <<<"$workers")" = 2
check "each job ran once" test "$(psql "$conninfo" -XAtq -c "SELECT max(attempts) FROM analyses WHERE id IN ($(IFS=,; echo "${ids[*]}"))")" = 1
kill -TERM "$pid_b"
wait "$pid_b" 2>/dev/null

# -- kill -9 in the middle of an analysis ------------------------------------------
mkfifo "$work/slow.heapsnapshot"
chmod 0666 "$work/slow.heapsnapshot"
slow=$(psql "$conninfo" -XAtq -c "
  WITH s AS (INSERT INTO snapshots (app_id, customer_id, sha256, spool_path, compressed_bytes)
             SELECT id, customer_id, sha256('slow'::bytea), '$work/slow.heapsnapshot', 0 FROM apps WHERE name = 'raw'
             RETURNING id, customer_id)
  INSERT INTO analyses (snapshot_id, customer_id) SELECT id, customer_id FROM s RETURNING id" | head -1)
for _ in $(seq 1 50); do # the worker opens the pipe and waits for data
  [ "$(psql "$conninfo" -XAtq -c "SELECT state FROM analyses WHERE id = $slow")" = running ] && break
  sleep 0.2
done
check "the analysis is running when the server is killed" \
  test "$(psql "$conninfo" -XAtq -c "SELECT state FROM analyses WHERE id = $slow")" = running
kill -9 "$pid_a"
wait "$pid_a" 2>/dev/null
port_c=$(free_port)
start_server "$work/c.log" "$port_c" LEAKTRIAGE_STALE_SECONDS=6 || exit 1
(sleep 3; zcat "$fixtures/seed-co.heapsnapshot.gz" > "$work/slow.heapsnapshot") &
writer=$!
state=$(api "http://127.0.0.1:$port_c/api/v1/analyses/$slow?wait=60" | json 'd["state"]')
wait "$writer" 2>/dev/null
check "after kill -9 and a restart the job completes" test "$state" = done
check "... on its second attempt" test "$(psql "$conninfo" -XAtq -c "SELECT attempts FROM analyses WHERE id = $slow")" = 2
check "the restarted server did not print a new key" bash -c "! grep -q 'shown once' '$work/c.log'"

echo "$failures failed"
[ "$failures" -eq 0 ]
