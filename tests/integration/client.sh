#!/usr/bin/env bash
# `leaktriage upload`, the CI client, against the real service: `leaktriage serve` with a
# private PostgreSQL, real HTTP on 127.0.0.1. Its exit codes (README "Exit status"): 0 an
# upload with --no-wait and a passing verdict, 2 a wrong key ("401 unknown or revoked API
# key"), a missing file, a file that is not a snapshot (415 at upload) or only starts like one (the
# analysis fails on bad input), 3
# nothing listening and a 5xx answer (the database stopped under the server); the progress
# line only on a terminal (under `script -qc`); failed analyses are no dead end: retry of
# one whose spool file was missing (its error shows no server path), its report answers
# 409, the same bad bytes uploaded again start a new analysis; `analyze --fail-on` exits
# 0/1/2 on the fixtures; the server's verdict fails a new leak (exit 1) and passes fixed-loop.
# Usage: client.sh LEAKTRIAGE
set -uo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../fixtures
server_pid=
. "$here/common.bash"
scratch_init client

trap stop_all EXIT


port=$(free_port)
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --workers 2 >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
  grep -q "listening on" "$work/server.log" 2>/dev/null && break
  sleep 0.2
done
export LEAKTRIAGE_KEY=$(grep -A1 "shown once" "$work/server.log" | tail -1)
export LEAKTRIAGE_URL=http://127.0.0.1:$port
check "the server starts and prints its key" grep -qE '^lt_[a-z0-9]{40}$' <<<"$LEAKTRIAGE_KEY" || exit 1
conninfo="host=$data/pg dbname=leaktriage user=postgres"
sql() { psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
api() { curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $LEAKTRIAGE_KEY" "$@"; }

upload() { # status args... : runs upload; stdout in $work/out, stderr in $work/err
  local want=$1
  shift
  "$bin" upload "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || { echo "     exit $rc, wanted $want; stderr: $(head -3 "$work/err")"; return 1; }
}
says() { grep -q -- "$1" "$work/${2:-err}"; }
analysis_of() { sed -n 's|^analysis \([0-9]*\): .*|\1|p' "$work/out" | head -1; }

# --- exit 0: --no-wait ---
check "--no-wait: exit 0" upload 0 "$fixtures/seed-co.heapsnapshot.gz" --app ci --no-wait --app-version 1.0 --commit abc
check "... printing the analysis URL" says "^analysis [0-9]*: $LEAKTRIAGE_URL/api/v1/analyses/[0-9]*$" out
first=$(analysis_of)
check "... the labels were sent" test "$(sql "SELECT version || ' ' || commit_sha FROM snapshots s JOIN analyses a
  ON a.snapshot_id = s.id WHERE a.id = $first")" = "1.0 abc"
check "no progress line when standard error is not a terminal" test ! -s "$work/err"

# --- exit 2: bad input or usage ---
check "a wrong key: exit 2" upload 2 "$fixtures/fixed-loop.heapsnapshot.gz" --app ci --key lt_wrong
check "... saying 401 unknown or revoked API key" says "401 unknown or revoked API key"
check "a missing file: exit 2" upload 2 "$work/none.heapsnapshot.gz" --app ci
check "... with the system's message" says "none.heapsnapshot.gz: No such file or directory"
echo '{"hello": "world"}' >"$work/not-json-snapshot.json"
check "a file that is not a snapshot: exit 2" upload 2 "$work/not-json-snapshot.json" --app ci
check "... the server's 415 saying what it is" says "415 this is JSON that does not start with"
echo '{"snapshot": {"meta": {}}, "nodes": []}' >"$work/not-a-snapshot.json" # passes the sniffing
check "a file that only starts like a snapshot: exit 2" upload 2 "$work/not-a-snapshot.json" --app ci
check "... the analysis's message" says "failed: snapshot.meta: node_fields and edge_fields must be arrays"
bad=$(analysis_of)
check "... its error_kind is bad_input" test "$(sql "SELECT error_kind FROM analyses WHERE id = $bad")" = bad_input

# --- the same failed bytes again: a new analysis, and the answer says so ---
check "uploading the failed bytes again: exit 2 again" upload 2 "$work/not-a-snapshot.json" --app ci
again=$(analysis_of)
check "... a new analysis ($bad then $again)" test -n "$again" -a "$again" != "$bad"
check "... and the answer says the previous one failed" says "analysis $bad failed: a new analysis is queued" out

# --- exit 3: nothing listening ---
check "nothing listening: exit 3" upload 3 "$fixtures/fixed-loop.heapsnapshot.gz" --app ci --server "http://127.0.0.1:$(free_port)"
check "... with the system's message" says "Couldn't connect to server"

# --- the progress line on a terminal ---
if command -v script >/dev/null; then
  zcat "$fixtures/mixed-app.heapsnapshot.gz" >"$work/mixed.heapsnapshot"
  script -qc "'$bin' upload '$work/mixed.heapsnapshot' --app tty" /dev/null >"$work/tty" 2>&1
  check "on a terminal: the upload's bytes, percent and speed" grep -qE 'upload: [0-9.]+ MB of [0-9.]+ MB \(100%\), [0-9.]+ MB/s' "$work/tty"
  check "... and the analysis's phase and percent" grep -qE 'analysis [0-9]+: done storing 100%' "$work/tty"
else
  echo "skip the terminal progress line: no script(1)"
fi

# --- retry of a failed analysis (its spool file was missing) ---
spool=$work/later.heapsnapshot.gz
lost=$(sql "WITH s AS (INSERT INTO snapshots (app_id, customer_id, sha256, spool_path, compressed_bytes)
  SELECT id, customer_id, sha256('lost'::bytea), '$spool', 1 FROM apps WHERE name = 'ci' RETURNING id, customer_id)
  INSERT INTO analyses (snapshot_id, customer_id) SELECT id, customer_id FROM s RETURNING id" | head -1)
status=$(api "$LEAKTRIAGE_URL/api/v1/analyses/$lost?wait=60")
check "a missing spool file fails the analysis at once" test "$status $(jq -r '.state + " " + (.attempts | tostring)' "$work/body")" = "200 failed 1"
check "... error_kind bad_input, saying the file is gone, and no server path" \
  test "$(jq -r '.error_kind + ": " + .error' "$work/body")" = "bad_input: the snapshot's file is gone (deleted, or past serve --keep-snapshots)"
status=$(api "$LEAKTRIAGE_URL/api/v1/analyses/$lost/report")
check "the failed analysis's report answers 409 with its error" \
  test "$status $(jq -r .error.code "$work/body")" = "409 analysis_failed" -a -n "$(jq -r .error.message "$work/body" | grep 'file is gone')"
cp "$fixtures/fixed-loop.heapsnapshot.gz" "$spool"
status=$(api -X POST "$LEAKTRIAGE_URL/api/v1/analyses/$lost/retry")
check "retry answers 202, queued, with the previous error" \
  test "$status $(jq -r '.state + " " + (.previous_error | tostring)' "$work/body")" = "202 queued the snapshot's file is gone (deleted, or past serve --keep-snapshots)"
status=$(api "$LEAKTRIAGE_URL/api/v1/analyses/$lost?wait=60")
check "... and the retried analysis is done, at its first attempt" test "$(jq -r '.state + " " + (.attempts | tostring)' "$work/body")" = "done 1"
status=$(api -X POST "$LEAKTRIAGE_URL/api/v1/analyses/$lost/retry")
check "retry of a done analysis answers 409 naming its state" \
  test "$status $(jq -r .error.code "$work/body")" = "409 not_failed" -a -n "$(jq -r .error.message "$work/body" | grep 'is done')"

# --- analyze --fail-on, offline ---
check "analyze --fail-on kind:recursive_chain on seed-co: exit 1" \
  bash -c '"$1" analyze "$2" --fail-on kind:recursive_chain >/dev/null 2>&1; [ $? -eq 1 ]' _ "$bin" "$fixtures/seed-co.heapsnapshot.gz"
check "analyze --fail-on kind:recursive_chain on fixed-loop: exit 0" \
  bash -c '"$1" analyze "$2" --fail-on kind:recursive_chain >/dev/null 2>&1' _ "$bin" "$fixtures/fixed-loop.heapsnapshot.gz"
check "analyze --fail-on new (needs history): exit 2" \
  bash -c '"$1" analyze "$2" --fail-on new >/dev/null 2>&1; [ $? -eq 2 ]' _ "$bin" "$fixtures/seed-co.heapsnapshot.gz"

# --- the verdict (GET /api/v1/analyses/{id}/verdict) ---
zcat "$fixtures/seed-co.heapsnapshot.gz" | gzip -1 >"$work/seed-co-1.gz" # bytes not uploaded yet
check "a new leak fails the default verdict: exit 1" upload 1 "$work/seed-co-1.gz" --app verdict
check "... the verdict line" says '^verdict: fail (fail_on new,regressed)$' out
check "... one line per reason: rule, kind, title, fingerprint, URL" \
  says '^  \[new\] recursive_chain: .*scheduleUpdatingTask.* (rc-[0-9a-f]*) http://.*/leaks/[0-9]*$' out
check "fixed-loop passes kind:recursive_chain: exit 0" upload 0 "$fixtures/fixed-loop.heapsnapshot.gz" --app verdict --fail-on kind:recursive_chain
check "... verdict: pass" says '^verdict: pass (fail_on kind:recursive_chain)$' out

# --- exit 3: the server answers 5xx (its database is gone: 503) ---
stop_cluster "$data"
check "a 5xx answer (database stopped): exit 3" upload 3 "$fixtures/fixed-loop.heapsnapshot.gz" --app ci
check "... with the server's message" says "upload: 503 the database is unavailable"
check "... that shows no path on the server" bash -c "! grep -q '$work' '$work/err'"

echo "$failures failed"
[ "$failures" -eq 0 ]
