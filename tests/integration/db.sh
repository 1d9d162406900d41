#!/usr/bin/env bash
# Integration test of the database side of leaktriage against a real PostgreSQL: the
# private cluster (initdb, start, socket in DATA/pg; as root it runs as postgres),
# `leaktriage migrate` (once, then a no-op, also through --database and the environment),
# `leaktriage admin` (customers, keys stored only as hashes, revocation, exit statuses), and
# two `migrate`s at once on a fresh cluster. Clusters are stopped on exit.
# Usage: tests/integration/db.sh PATH/TO/leaktriage
# Prints one ok/FAIL line per check; exits 1 if any failed.
set -uo pipefail

bin=${1:?usage: db.sh PATH/TO/leaktriage}
bin=$(realpath "$bin")
. "$(dirname "$0")/common.bash"

work=$(mktemp -d /tmp/lt-db.XXXXXX)
chmod 0755 "$work"

cleanup() {
  for d in "$work"/*/; do stop_cluster "${d%/}"; done
  rm -rf "$work"
}
trap cleanup EXIT


data=$work/one
conninfo="host=$data/pg port=5432 dbname=leaktriage user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)"
sql() { psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

# --- the private cluster and migrations ---
out=$("$bin" migrate --data "$data" 2>&1)
check "migrate starts a private cluster and applies 0001_init" grep -q "applied 0001_init.sql" <<<"$out" ||
  echo "$out"
check "the socket lives in DATA/pg" test -S "$data/pg/.s.PGSQL.5432"
check "no TCP: listen_addresses is empty" test "$(sql "SHOW listen_addresses")" = ""
if [ "$(id -u)" -eq 0 ]; then
  check "as root the cluster belongs to postgres" test "$(stat -c %U "$data/pg")" = postgres
fi
out=$("$bin" migrate --data "$data" 2>&1)
check "a second migrate is a no-op" grep -q "up to date" <<<"$out"
check "schema_migrations records 0001 once" test "$(sql "SELECT count(*) FROM schema_migrations WHERE version = '0001'")" = 1
out=$("$bin" migrate --database "$conninfo" 2>&1)
check "migrate --database URL reaches the same database" grep -q "up to date" <<<"$out"
out=$(LEAKTRIAGE_DATABASE_URL=$conninfo "$bin" migrate --data "$work/unused" 2>&1)
check "LEAKTRIAGE_DATABASE_URL is used instead of --data" grep -q "up to date" <<<"$out"
check "... and no cluster was made in --data" test ! -e "$work/unused/pg"
check "every table exists" test "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN
  ('customers','api_keys','apps','snapshots','analyses','findings','class_stats','top_retainers','reports')")" = 9

# a cluster that was stopped is started again by the next command
stop_cluster "$data"
out=$("$bin" migrate --data "$data" 2>&1)
check "a stopped cluster is started again" grep -q "up to date" <<<"$out"

# --- customers and keys ---
out=$("$bin" admin create-customer acme --data "$data")
rc=$?
key1=$(tail -n1 <<<"$out")
check "create-customer exits 0" test $rc -eq 0
check "create-customer prints a key alone on the last line" grep -qE '^lt_[a-z2-7]{40}$' <<<"$key1"
key2=$("$bin" admin create-key acme --data "$data" | tail -n1)
check "create-key prints another key" grep -qE '^lt_[a-z2-7]{40}$' <<<"$key2"
check "the two keys differ" test "$key1" != "$key2"
check "two keys are stored for acme" test "$(sql "SELECT count(*) FROM api_keys k JOIN customers c ON c.id = k.customer_id
  WHERE c.name = 'acme'")" = 2

dump=$("${as_owner[@]}" "$bindir/pg_dump" --data-only -h "$data/pg" -p 5432 -U "${conninfo##*user=}" leaktriage 2>&1)
check "pg_dump of the database works" grep -q "COPY public.api_keys" <<<"$dump"
check "the key text is stored nowhere" test "$(grep -c -e "${key1#lt_}" -e "${key2#lt_}" <<<"$dump")" = 0
hash1=$(printf %s "$key1" | sha256sum | cut -d' ' -f1)
check "api_keys.hash is the key's SHA-256" test "$(sql "SELECT prefix FROM api_keys WHERE hash = decode('$hash1', 'hex')")" = "${key1:3:8}"

"$bin" admin create-customer acme --data "$data" >/dev/null 2>&1
check "a duplicate customer exits 2" test $? -eq 2
"$bin" admin create-key nobody --data "$data" >/dev/null 2>&1
check "an unknown customer exits 2" test $? -eq 2
"$bin" admin --data "$data" >/dev/null 2>&1
check "admin without a command exits 2" test $? -eq 2
"$bin" admin frobnicate x --data "$data" >/dev/null 2>&1
check "an unknown admin command exits 2" test $? -eq 2

"$bin" admin revoke-key "${key1:0:11}" --data "$data" >/dev/null
check "revoke-key exits 0" test $? -eq 0
check "the key is revoked, the other is not" test "$(sql "SELECT string_agg(prefix || ':' || (revoked_at IS NOT NULL)::text,
  ',' ORDER BY id) FROM api_keys")" = "${key1:3:8}:true,${key2:3:8}:false"
"$bin" admin revoke-key zzzzzzzz --data "$data" >/dev/null 2>&1
check "revoking an unknown prefix exits 2" test $? -eq 2

# --- two migrates at once on a fresh data folder ---
fresh=$work/two
"$bin" migrate --data "$fresh" >"$work/m1.log" 2>&1 &
p1=$!
"$bin" migrate --data "$fresh" >"$work/m2.log" 2>&1 &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
check "two concurrent migrates both succeed" test $r1 -eq 0 -a $r2 -eq 0 || cat "$work/m1.log" "$work/m2.log"
check "exactly one of them applied 0001_init" test "$(cat "$work/m1.log" "$work/m2.log" | grep -c "applied 0001_init.sql")" = 1
fresh_conninfo=${conninfo//$data/$fresh}
check "schema_migrations has one row per migration" test "$(psql "$fresh_conninfo" -XAtq -c "SELECT count(*) FROM schema_migrations")" = "$(ls "$(dirname "$0")/../../migrations"/*.sql | wc -l)"

# --- two migrates at once on one running, empty database (the advisory lock alone) ---
psql "$fresh_conninfo" -XAtq -c "CREATE DATABASE race" >/dev/null
race=${fresh_conninfo//dbname=leaktriage/dbname=race}
pids=()
for i in 1 2 3; do
  "$bin" migrate --database "$race" >"$work/race$i.log" 2>&1 &
  pids+=($!)
done
races_ok=1
for p in "${pids[@]}"; do wait "$p" || races_ok=0; done
check "three concurrent migrates of one database all succeed" test $races_ok -eq 1 || cat "$work"/race*.log
check "exactly one of them applied 0001_init" test "$(cat "$work"/race*.log | grep -c "applied 0001_init.sql")" = 1

if [ "$failures" -eq 0 ]; then
  echo "all database checks passed"
else
  echo "$failures database check(s) failed"
fi
[ "$failures" -eq 0 ]
