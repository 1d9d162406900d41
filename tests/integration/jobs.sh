#!/usr/bin/env bash
# Integration test of the analysis queue and worker pool (server/jobs.c, server/store.c)
# against a real PostgreSQL: jobs queued as an upload queues them are analysed by a pool of
# two workers; results (findings, class_stats, top_retainers, the report, snapshot counts)
# match `leaktriage analyze --json --top 200`; bad input fails at once with its error kept;
# a missing file (deleted, expired) fails at once saying so; a worker's heartbeat beats through a silent
# phase; a stale 'running' job (and one killed with kill -9) is put back and finished by a
# new pool; two pools on one database share six jobs, each done exactly once.
# The pool runs in tests/integration/jobs_test.c (built by CMake; in a -DLT_TSAN=ON build
# it runs under ThreadSanitizer). Usage: tests/integration/jobs.sh PATH/TO/leaktriage PATH/TO/jobs_test
# Prints one ok/FAIL line per check; exits 1 if any failed.
set -uo pipefail

bin=$(realpath "${1:?usage: jobs.sh PATH/TO/leaktriage PATH/TO/jobs_test}")
driver=$(realpath "${2:?usage: jobs.sh PATH/TO/leaktriage PATH/TO/jobs_test}")
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fixtures=$src/tests/fixtures
. "$(dirname "$0")/common.bash"

work=$(mktemp -d /tmp/lt-jobs.XXXXXX)
chmod 0755 "$work"
bg_pids=()

cleanup() {
  for p in "${bg_pids[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  stop_cluster "$work/data"
  rm -rf "$work"
}
trap cleanup EXIT

equal() { # description actual expected
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (got '$2', want '$3')"; fi
}

# --- the database ---
data=$work/data
if ! "$bin" migrate --data "$data" --migrations "$src/migrations" >"$work/migrate.log" 2>&1; then
  cat "$work/migrate.log"
  fail "migrate a private cluster"
  exit 1
fi
check "migrate applies 0002_jobs_notify" grep -q "0002_jobs_notify" "$work/migrate.log"
conninfo="host=$data/pg port=5432 dbname=leaktriage user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)"
sql() { psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
run_pool() { # pools workers timeout heartbeat_ms [sql]
  "$driver" "$conninfo" "$@" >>"$work/driver.log" 2>&1 || { tail -n 20 "$work/driver.log"; return 1; }
}

sql "INSERT INTO customers (name) VALUES ('acme'), ('globex');
     INSERT INTO apps (customer_id, name) VALUES (1, 'web'), (2, 'api');" >/dev/null
# add_job CUSTOMER PATH [STATE ATTEMPTS HEARTBEAT_AGE WORKER]: a snapshot and its analysis,
# as an upload writes them (or as a worker left them); prints the analysis id.
add_job() {
  local c=$1 path=$2 state=${3:-queued} attempts=${4:-0} age=${5:-0} worker=${6:-}
  sql "WITH s AS (INSERT INTO snapshots (app_id, customer_id, sha256, spool_path, compressed_bytes)
         VALUES ($c, $c, sha256(convert_to('$path' || random()::text, 'UTF8')), '$path', 0) RETURNING id)
       INSERT INTO analyses (snapshot_id, customer_id, state, attempts, heartbeat_at, worker)
       SELECT id, $c, '$state', $attempts, now() - interval '$age seconds', nullif('$worker', '') FROM s RETURNING id"
}
field() { sql "SELECT coalesce($2::text, '<null>') FROM analyses WHERE id = $1"; }

# --- one pool of two workers: good, bad, missing input ---
cp "$fixtures/seed-co.heapsnapshot.gz" "$fixtures/mixed-app.heapsnapshot.gz" "$work/"
head -c 1000000 "$fixtures/seed-co.heapsnapshot.gz" >"$work/truncated.heapsnapshot.gz"
co=$(add_job 1 "$work/seed-co.heapsnapshot.gz")
mixed=$(add_job 2 "$work/mixed-app.heapsnapshot.gz")
trunc=$(add_job 1 "$work/truncated.heapsnapshot.gz")
missing=$(add_job 1 "$work/missing.heapsnapshot.gz")
check "a pool of 2 workers drains the queue" run_pool 1 2 120 5000

equal "seed-co: done, attempt 1, 100%, no error" "$(field "$co" "state || ' ' || attempts || ' ' || percent || ' ' || coalesce(error, '-')")" "done 1 100 -"
equal "seed-co: one recursive_chain finding for scheduleUpdatingTask" \
  "$(sql "SELECT string_agg(kind || ' ' || fingerprint || ' ' || (details->>'function') || ' ' || rank, ';') FROM findings WHERE analysis_id = $co")" \
  "recursive_chain rc-3b4257b36b8348735ab5fe127b99543a scheduleUpdatingTask 1"
check "seed-co: the finding's details carry fix and evidence" \
  test "$(sql "SELECT (details ? 'fix') AND (details ? 'evidence') AND retained_size > 0 FROM findings WHERE analysis_id = $co")" = t

for job in "co:$co:seed-co" "mixed:$mixed:mixed-app"; do
  IFS=: read -r _ id name <<<"$job"
  "$bin" analyze "$fixtures/$name.heapsnapshot.gz" --json --top 200 >"$work/$name.cli.json"
  sql "SELECT document FROM reports WHERE analysis_id = $id" >"$work/$name.db.json"
  check "$name: the stored report equals analyze --json --top 200" python3 - "$work/$name.cli.json" "$work/$name.db.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if a == b else 1)
EOF
  read -r classes retainers findings nodes edges total < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['snapshot']
print(len(d['classes']), len(d['top_retainers']), len(d['findings']), s['node_count'], s['edge_count'], s['total_self_size'])" "$work/$name.cli.json")
  equal "$name: class_stats rows (<= 200)" "$(sql "SELECT count(*) FROM class_stats WHERE analysis_id = $id")" "$classes"
  check "$name: at most 200 classes" test "$classes" -le 200
  equal "$name: top_retainers rows" "$(sql "SELECT count(*) || ' ' || min(rank) || ' ' || max(rank) FROM top_retainers WHERE analysis_id = $id")" "$retainers 1 $retainers"
  equal "$name: findings rows, all of the job's customer" \
    "$(sql "SELECT count(*) FILTER (WHERE f.customer_id = a.customer_id) FROM analyses a LEFT JOIN findings f ON f.analysis_id = a.id WHERE a.id = $id")" "$findings"
  equal "$name: snapshot counts and sizes" \
    "$(sql "SELECT s.node_count || ' ' || s.edge_count || ' ' || s.total_size || ' ' || (s.uncompressed_bytes > 0) FROM snapshots s JOIN analyses a ON a.snapshot_id = s.id WHERE a.id = $id")" \
    "$nodes $edges $total true"
done
equal "mixed-app: the RequestRecord cluster is stored" \
  "$(sql "SELECT count(*) FROM findings WHERE analysis_id = $mixed AND kind = 'retainer_cluster' AND title LIKE '%RequestRecord%'")" 1

cli_error=$("$bin" analyze "$work/truncated.heapsnapshot.gz" 2>&1 >/dev/null)
equal "truncated: failed at the first attempt (bad input is not retried)" "$(field "$trunc" "state || ' ' || attempts")" "failed 1"
shown=${cli_error#"leaktriage: $work/truncated.heapsnapshot.gz: "}
shown=${shown//"'$work/truncated.heapsnapshot.gz'"/the stored snapshot}
check "truncated: the error is the analysis's message, the server's path replaced" test "$(field "$trunc" error)" = "$shown"
equal "truncated: its error_kind is bad_input" "$(field "$trunc" error_kind)" bad_input
equal "missing file: failed at once" "$(field "$missing" "state || ' ' || attempts")" "failed 1"
equal "missing file: the error says so without the server's path" "$(field "$missing" error)" \
  "the snapshot's file is gone (deleted, or past serve --keep-snapshots)"
equal "missing file: its error_kind is bad_input" "$(field "$missing" error_kind)" bad_input
equal "nothing is stored for failed jobs" "$(sql "SELECT count(*) FROM reports WHERE analysis_id IN ($trunc, $missing)")" 0

# --- heartbeats through a silent phase: the file is a FIFO nobody writes yet ---
mkfifo "$work/slow.heapsnapshot.gz"
slow=$(add_job 1 "$work/slow.heapsnapshot.gz")
"$driver" "$conninfo" 1 1 60 300 >>"$work/driver.log" 2>&1 &
bg_pids+=($!)
driver_pid=$!
sleep 2
equal "a blocked job is running in phase reading" "$(field "$slow" "state || ' ' || phase")" "running reading"
check "its heartbeat is under a second old (beats every 300 ms)" \
  test "$(field "$slow" "(heartbeat_at > now() - interval '1 second')")" = true
cat "$fixtures/seed-co.heapsnapshot.gz" >"$work/slow.heapsnapshot.gz"
wait "$driver_pid"
equal "... and completes once the bytes come" "$(field "$slow" "state || ' ' || attempts")" "done 1"

# --- crash recovery: kill -9 mid-analysis; stale rows from dead nodes ---
rm -f "$work/slow2.heapsnapshot.gz" && mkfifo "$work/slow2.heapsnapshot.gz"
killed=$(add_job 1 "$work/slow2.heapsnapshot.gz")
"$driver" "$conninfo" 1 1 60 300 >>"$work/driver.log" 2>&1 &
driver_pid=$!
bg_pids+=($driver_pid)
sleep 1.5
equal "the job to be killed is running" "$(field "$killed" state)" running
exec 3>&2 2>/dev/null # no "Killed" line from bash
kill -9 "$driver_pid"
wait "$driver_pid"
exec 2>&3 3>&-
rm -f "$work/slow2.heapsnapshot.gz" && cp "$fixtures/seed-co.heapsnapshot.gz" "$work/slow2.heapsnapshot.gz"
stale=$(add_job 1 "$work/seed-co.heapsnapshot.gz" running 1 3600 dead/w0)
used_up=$(add_job 1 "$work/seed-co.heapsnapshot.gz" running 3 3600 dead/w1)
# a live node's job: its heartbeat is set a minute ahead so it stays fresh all through the run
alive=$(add_job 1 "$work/seed-co.heapsnapshot.gz" running 1 -60 alive/w0)
sleep 2
LEAKTRIAGE_STALE_SECONDS=2 run_pool 1 2 60 500
check "a new pool drains the queue after recovery" test $? -eq 0
equal "the killed job is put back and done at attempt 2" "$(field "$killed" "state || ' ' || attempts || ' ' || coalesce(error, '-')")" "done 2 -"
equal "a stale running job (heartbeat an hour old) is done at attempt 2" "$(field "$stale" "state || ' ' || attempts")" "done 2"
equal "a stale job with no attempts left is failed" "$(field "$used_up" "state || ' ' || attempts")" "failed 3"
check "... its error says the worker stopped" grep -q "worker dead/w1 stopped during attempt 3" <<<"$(field "$used_up" error)"
equal "a running job with a fresh heartbeat is left alone" "$(field "$alive" "state || ' ' || attempts || ' ' || worker")" "running 1 alive/w0"
sql "DELETE FROM analyses WHERE id = $alive" >/dev/null

# --- two pools on one database share six jobs ---
sixth=$(sql "SELECT max(id) FROM analyses")
insert6=$(for i in 1 2 3 4 5 6; do
  c=$((i % 2 + 1))
  f=$([ $c -eq 1 ] && echo seed-co || echo mixed-app)
  echo "WITH s AS (INSERT INTO snapshots (app_id, customer_id, sha256, spool_path, compressed_bytes)
        VALUES ($c, $c, sha256(convert_to('six$i', 'UTF8')), '$work/$f.heapsnapshot.gz', 0) RETURNING id)
        INSERT INTO analyses (snapshot_id, customer_id) SELECT id, $c FROM s;"
done)
check "two pools of 2 workers drain 6 jobs queued while they run" run_pool 2 2 120 5000 "BEGIN; $insert6 COMMIT;"
equal "each of the 6 jobs is done exactly once (attempts = 1)" \
  "$(sql "SELECT count(*) FILTER (WHERE state = 'done' AND attempts = 1) FROM analyses WHERE id > $sixth")" 6
equal "both pools took some" "$(sql "SELECT count(DISTINCT split_part(worker, '/', 1)) FROM analyses WHERE id > $sixth")" 2
equal "each has exactly one report" "$(sql "SELECT count(*) FROM reports r JOIN analyses a ON a.id = r.analysis_id WHERE a.id > $sixth")" 6
check "an idle pool stops within a second" test "$(grep -c 'stopped .* in [0-9]\{1,3\} ms' "$work/driver.log")" -ge 3
check "no sanitizer report from any pool (ThreadSanitizer in a -DLT_TSAN=ON build)" \
  test -z "$(grep -l 'Sanitizer' "$work/driver.log")"

if [ "$failures" -eq 0 ]; then
  echo "all jobs checks passed"
else
  echo "$failures jobs check(s) failed"
  echo "--- driver log ---"
  cat "$work/driver.log"
fi
[ "$failures" -eq 0 ]
