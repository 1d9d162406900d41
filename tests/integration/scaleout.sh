#!/usr/bin/env bash
# Integration test of several machines on one PostgreSQL with no shared disk
# (server/snapshot_store.c, the claim and release in server/jobs.c): one private cluster
# (its own folder), two `leaktriage serve` processes with separate --data folders (so
# separate spools and machine ids) and --database the cluster's conninfo.
#   --store postgres: 20 distinct snapshots (one small fixture, gzipped with 20 different
#   header times) uploaded at once, spread over both servers -> every analysis done exactly
#   once (attempts = 1, one report each), none failed, both servers worked, no file left
#   in either spool; kill -9 of the server running an analysis (held at its store step by
#   the test's lock on reports) -> the other finishes it (attempt 2); DELETE of a snapshot
#   and of an app, and the --keep-snapshots sweep, remove the large objects
#   (pg_largeobject_metadata empty at the end); a job of an expired snapshot fails at once
#   saying its bytes are gone.
#   --store local: 10 uploads spread over both -> each analysed by the server holding its
#   file, never released, none failed; a job whose file is on an absent machine is
#   released by others (attempt not counted, not_before set and shown by the API) and
#   fails after 5 releases saying which machine holds it.
# Usage: tests/integration/scaleout.sh PATH/TO/leaktriage   (about 30 s; needs PostgreSQL)
# Prints one ok/FAIL line per check; exits 1 if any failed.
set -uo pipefail

bin=$(realpath "${1:?usage: scaleout.sh PATH/TO/leaktriage}")
. "$(dirname "$0")/common.bash"

scratch_init scaleout
pids=()
trap 'stop_servers; stop_cluster "$work/db"; rm -rf "$work"' EXIT

equal() { # description actual expected
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (got '$2', want '$3')"; fi
}

# --- the shared database: a private cluster in a folder of its own ---
if ! "$bin" migrate --data "$work/db" >"$work/migrate.log" 2>&1; then
  cat "$work/migrate.log"
  fail "migrate a private cluster"
  exit 1
fi
conninfo="host=$work/db/pg port=5432 dbname=leaktriage user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)"
sql() { psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
key=$("$bin" admin create-customer acme --data "$work/db" 2>/dev/null | tail -n 1)
export LEAKTRIAGE_STALE_SECONDS=2 # a killed server's job is put back within about 3 s

declare -A port pid
serve() { # name store [options...]: a server on $work/NAME sharing the database
  local name=$1 store=$2
  shift 2
  port[$name]=$(free_port)
  "$bin" serve --data "$work/$name" --database "$conninfo" --store "$store" --listen "127.0.0.1:${port[$name]}" \
    --workers 2 --per-customer 4 "$@" >"$work/$name.log" 2>&1 &
  pid[$name]=$!
  pids+=($!)
  wait_listening "$work/$name.log"
}
upload() { # server app file: prints the answer
  curl -s -H "Authorization: Bearer $key" --data-binary @"$3" "http://127.0.0.1:${port[$1]}/api/v1/apps/$2/snapshots"
}
settle() { # app timeout_s: waits until no analysis of app is queued or running
  for _ in $(seq 1 $(($2 * 5))); do
    [ "$(sql "SELECT count(*) FROM analyses a JOIN snapshots s ON s.id = a.snapshot_id JOIN apps p ON p.id = s.app_id
              WHERE p.name = '$1' AND a.state IN ('queued', 'running')")" = 0 ] && return 0
    sleep 0.2
  done
  return 1
}
of_app() { # app expression: the expression over the app's analyses a and snapshots s
  sql "SELECT $2 FROM analyses a JOIN snapshots s ON s.id = a.snapshot_id JOIN apps p ON p.id = s.app_id
       WHERE p.name = '$1'"
}
# distinct snapshots: the bytes of one fixture, gzipped with header time FIRST..LAST
make_snapshots() { # fixture first last
  python3 - "$1" "$work" "$2" "$3" <<'PY'
import gzip, sys
raw = gzip.open(sys.argv[1]).read()
for t in range(int(sys.argv[3]), int(sys.argv[4]) + 1):
    with open(f"{sys.argv[2]}/snap-{t}.heapsnapshot.gz", "wb") as f:
        f.write(gzip.compress(raw, compresslevel=1, mtime=t))
PY
}

# --- --store postgres: 20 uploads spread over two servers ---
serve a postgres || exit 1
serve b postgres || exit 1
equal "each data folder is its own machine" "$(cat "$work/a/machine-id" "$work/b/machine-id" | sort -u | wc -l)" 2
make_snapshots "$fixtures/fixed-loop.heapsnapshot.gz" 1 20
uploads=()
for i in $(seq 1 20); do
  upload "$([ $((i % 2)) = 1 ] && echo a || echo b)" pg "$work/snap-$i.heapsnapshot.gz" >"$work/up-$i.json" &
  uploads+=($!)
done
wait "${uploads[@]}"
equal "20 uploads accepted" "$(cat "$work"/up-*.json | grep -o '"analysis_id"' | wc -l)" 20
check "all 20 analysed within 60 s" settle pg 60
equal "every analysis done exactly once, none failed" "$(of_app pg "count(*) FILTER (WHERE a.state = 'done' AND a.attempts = 1)")" 20
equal "... each with its report" "$(of_app pg "count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reports r WHERE r.analysis_id = a.id))")" 20
equal "both servers analysed some" "$(of_app pg "count(DISTINCT split_part(a.worker, '/', 1))")" 2
equal "the snapshots are large objects, no machine" "$(of_app pg "count(*) FILTER (WHERE s.store = 'postgres' AND s.large_object IS NOT NULL AND s.machine_id IS NULL)")" 20
equal "... one each in pg_largeobject_metadata" "$(sql "SELECT count(*) FROM pg_largeobject_metadata")" 20
equal "no file is left in either spool" "$(find "$work/a/spool" "$work/b/spool" -type f | wc -l)" 0

# --- kill -9 of the server running an analysis: the other finishes it ---
# A session of the test's own holds SHARE on reports, so whoever runs the analysis stops at
# its store step (one transaction, opened by the fenced MARK_DONE) and the analysis stays
# 'running' for certain, however fast it is. The lock goes once the runner is dead: the dead
# runner's transaction can never commit (its COMMIT never comes; its backend ends at EOF).
PGAPPNAME=scaleout-lock psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 \
  -c "BEGIN" -c "LOCK TABLE reports IN SHARE MODE" -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
locker=$!
for _ in $(seq 1 100); do
  [ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = 'reports'::regclass AND mode = 'ShareLock' AND granted")" = 1 ] && break
  sleep 0.05
done
make_snapshots "$fixtures/seed-co.heapsnapshot.gz" 100 100
big=$(upload a big "$work/snap-100.heapsnapshot.gz" | json 'd["analysis_id"]')
for _ in $(seq 1 300); do # until the runner waits for the lock on reports
  [ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = 'reports'::regclass AND NOT granted")" = 1 ] && break
  sleep 0.05
done
runner=$(sql "SELECT split_part(split_part(worker, '/', 1), ':', 2) FROM analyses WHERE id = $big")
alive=$([ "$runner" = "${pid[a]}" ] && echo b || echo a)
survivor=${pid[$alive]}
check "the big analysis runs on one of the two servers" test "$runner" = "${pid[a]}" -o "$runner" = "${pid[b]}"
check "... and is still running when its server is killed" test "$(sql "SELECT state FROM analyses WHERE id = $big")" = running
exec 3>&2 2>/dev/null # no "Killed" line from bash
kill -9 "$runner"
wait "$runner"
exec 2>&3 3>&-
sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'scaleout-lock'" >/dev/null
wait "$locker"
check "after kill -9 of its server, the other finishes it" settle big 40
equal "... at attempt 2, on the surviving server" \
  "$(sql "SELECT state || ' ' || attempts || ' ' || split_part(split_part(worker, '/', 1), ':', 2) FROM analyses WHERE id = $big")" \
  "done 2 $survivor"

# --- deleting removes large objects ---
one=$(json 'd["snapshot_id"]' <"$work/up-1.json")
curl -s -X DELETE -H "Authorization: Bearer $key" "http://127.0.0.1:${port[$alive]}/api/v1/snapshots/$one" >/dev/null
equal "DELETE of a snapshot removes its large object" "$(sql "SELECT count(*) FROM pg_largeobject_metadata")" 20
stop_servers
pids=()

# --- --store local on two machines; a's start sweeps 10 aged snapshots (--keep-snapshots 1) ---
sql "UPDATE snapshots SET uploaded_at = now() - interval '2 days' WHERE id IN
     (SELECT s.id FROM snapshots s JOIN apps p ON p.id = s.app_id WHERE p.name = 'pg' ORDER BY s.id LIMIT 10)" >/dev/null
serve a local --keep-snapshots 1 || exit 1
serve b local || exit 1
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM pg_largeobject_metadata")" = 10 ] && break
  sleep 0.1
done
equal "the --keep-snapshots sweep removes the large objects of 10 aged snapshots" \
  "$(sql "SELECT count(*) FROM pg_largeobject_metadata")" 10
gone=$(sql "INSERT INTO analyses (snapshot_id, customer_id) SELECT id, customer_id FROM snapshots
            WHERE bytes_removed_at IS NOT NULL ORDER BY id LIMIT 1 RETURNING id")
make_snapshots "$fixtures/fixed-loop.heapsnapshot.gz" 201 210
uploads=()
for i in $(seq 201 210); do
  upload "$([ $((i % 2)) = 1 ] && echo a || echo b)" local "$work/snap-$i.heapsnapshot.gz" >/dev/null &
  uploads+=($!)
done
wait "${uploads[@]}"
check "10 local uploads analysed within 60 s" settle local 60
equal "... all done once, none failed, none released" \
  "$(of_app local "count(*) FILTER (WHERE a.state = 'done' AND a.attempts = 1 AND a.releases = 0)")" 10
machine_pid="CASE s.machine_id WHEN '$(cat "$work/a/machine-id")' THEN '${pid[a]}' WHEN '$(cat "$work/b/machine-id")' THEN '${pid[b]}' END"
equal "... each by the server holding its file" \
  "$(of_app local "count(*) FILTER (WHERE split_part(split_part(a.worker, '/', 1), ':', 2) = $machine_pid)")" 10
equal "... which keeps it in its own spool (5 each)" \
  "$(find "$work/a/spool" -type f | wc -l) $(find "$work/b/spool" -type f | wc -l)" "5 5"
for _ in $(seq 1 50); do
  [ "$(sql "SELECT state FROM analyses WHERE id = $gone")" = failed ] && break
  sleep 0.1
done
equal "a job of a snapshot whose large object is gone fails at once, saying so" \
  "$(sql "SELECT state || ' ' || attempts || ' ' || (error LIKE '%gone%') FROM analyses WHERE id = $gone")" "failed 1 true"
# a local-store job whose machine is absent (queued 2 minutes: others may claim it), with
# RELEASES releases so far; prints the analysis id
absent=ffffffffffffffffffffffffffffffff
foreign() {
  sql "WITH s AS (INSERT INTO snapshots (app_id, customer_id, sha256, spool_path, compressed_bytes, store, machine_id)
         SELECT id, customer_id, sha256(convert_to('foreign$1', 'UTF8')), 'ab12', 1, 'local', '$absent'
         FROM apps WHERE name = 'local' RETURNING id, customer_id)
       INSERT INTO analyses (snapshot_id, customer_id, releases, created_at)
       SELECT id, customer_id, $1, now() - interval '2 minutes' FROM s RETURNING id"
}
once=$(foreign 0)
last=$(foreign 4)
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM analyses WHERE (id = $once AND releases > 0) OR (id = $last AND state = 'failed')")" = 2 ] && break
  sleep 0.1
done
equal "a job whose file is on an absent machine is released, its attempt not counted, backed off" \
  "$(sql "SELECT state || ' ' || attempts || ' ' || (releases > 0) || ' ' || (not_before > now()) FROM analyses WHERE id = $once")" \
  "queued 0 true true"
equal "... not_before shows in GET /api/v1/analyses/{id}" "$(curl -s -H "Authorization: Bearer $key" \
  "http://127.0.0.1:${port[b]}/api/v1/analyses/$once" | json '"not_before" in d')" True
equal "... and after 5 releases it fails, naming the machine" \
  "$(sql "SELECT state || ' ' || attempts || ' ' || releases || ' ' || error_kind || ' ' || (error LIKE 'the snapshot is on machine $absent, which has not claimed it%') FROM analyses WHERE id = $last")" \
  "failed 0 5 internal true"
curl -s -X DELETE -H "Authorization: Bearer $key" "http://127.0.0.1:${port[a]}/api/v1/apps/pg" >/dev/null
curl -s -X DELETE -H "Authorization: Bearer $key" "http://127.0.0.1:${port[a]}/api/v1/apps/big" >/dev/null
equal "DELETE of the apps leaves pg_largeobject_metadata empty" "$(sql "SELECT count(*) FROM pg_largeobject_metadata")" 0

if [ "$failures" -eq 0 ]; then
  echo "all scaleout checks passed"
else
  echo "$failures scaleout check(s) failed"
  exit 1
fi
