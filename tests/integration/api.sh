#!/usr/bin/env bash
# Integration test of the REST API over real HTTP on 127.0.0.1 against a real PostgreSQL:
# uploads (raw and multipart, idempotent, size limit, spool files), API keys, tenant
# isolation, analysis progress with ?wait=, reports, the lists, errors as JSON, and every
# route the OpenAPI document lists. It runs the HTTP server alone through its driver
# (tests/integration/http_test_main.c, built by CMake: the server without workers, so
# analyses stay queued until the test writes their results by hand); `leaktriage serve`
# with its workers is tested end to end by serve.sh.
# Usage: tests/integration/api.sh PATH/TO/leaktriage PATH/TO/http_test_main
# Prints one ok/FAIL line per check; exits 1 if any failed.
set -uo pipefail

driver=$(realpath "${2:?usage: api.sh PATH/TO/leaktriage PATH/TO/http_test_main}")
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/common.bash"
scratch_init api

server_pid=

trap stop_all EXIT


# --- start the server: private cluster, migrations, a free loopback port, 8 MiB limit ---
max_upload=$((8 * 1024 * 1024))
"$driver" "$data" "$src/migrations" "$max_upload" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q '^conninfo ' "$work/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
port=$(sed -n 's/^port //p' "$work/server.out")
conninfo=$(sed -n 's/^conninfo //p' "$work/server.out")
if [ -z "$port" ]; then
  cat "$work/server.err"
  fail "the server starts"
  exit 1
fi
ok "the server starts on 127.0.0.1:$port"
base=http://127.0.0.1:$port
sql() { psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

# --- customers and keys (stored as SHA-256, as admin.c does) ---
new_key() { echo "lt_$(head -c 64 /dev/urandom | base32 | tr -dc 'a-z2-7' | tr 'A-Z' 'a-z' | head -c 40)"; }
add_key() { # customer key [revoked]
  local hash
  hash=$(printf %s "$2" | sha256sum | cut -d' ' -f1)
  sql "INSERT INTO customers (name) VALUES ('$1') ON CONFLICT DO NOTHING;
       INSERT INTO api_keys (customer_id, prefix, hash, revoked_at)
       SELECT id, '${2:3:8}', decode('$hash', 'hex'), ${3:-NULL} FROM customers WHERE name = '$1'" >/dev/null
}
key_a=$(new_key)
key_b=$(new_key)
key_revoked=$(new_key)
while [ "${key_a:3:8}" = "${key_b:3:8}" ]; do key_b=$(new_key); done
add_key alpha "$key_a"
add_key beta "$key_b"
add_key alpha "$key_revoked" "now()"

# --- helpers: status code in $status, body in $work/body ---
call() { # key method path [curl args...]
  local key=$1 method=$2 path=$3
  shift 3
  local auth=()
  [ -n "$key" ] && auth=(-H "Authorization: Bearer $key")
  status=$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" "${auth[@]}" "$@" "$base$path")
  echo "$method $path $status" >>"$work/seen" # for the OpenAPI comparison at the end
}
body() { cat "$work/body"; }
field() { jq -r "$1" "$work/body" 2>/dev/null; }
is_error() { # status code
  [ "$status" = "$1" ] && [ "$(field .error.code)" = "$2" ] && [ -n "$(field .error.message)" ]
}

fixture=$src/tests/fixtures/fixed-loop.heapsnapshot.gz
other=$src/tests/fixtures/mixed-app.heapsnapshot.gz
sha=$(sha256sum "$fixture" | cut -d' ' -f1)

# --- uploads ---
call "$key_a" POST "/api/v1/apps/web/snapshots?version=1.2.3&host=h1&commit=abc123" --data-binary @"$fixture"
snap1=$(field .snapshot_id)
an1=$(field .analysis_id)
check "raw upload answers 202" test "$status" = 202 || body
check "... with numeric snapshot_id and analysis_id" grep -qE '^[0-9]+ [0-9]+$' <<<"$snap1 $an1"
check "... and analysis_url /api/v1/analyses/ID" test "$(field .analysis_url)" = "/api/v1/analyses/$an1"
check "the spool file is named by its SHA-256 and holds the bytes" cmp -s "$data/spool/$sha" "$fixture"
check "no .part file is left in the spool" test -z "$(find "$data/spool" -name '*.part')"
check "the snapshot row has spool_path (the file's name, no path), machine, size, labels" test "$(sql "SELECT
  spool_path || '|' || store || '|' || machine_id || '|' || compressed_bytes || '|' ||
  version || '|' || host || '|' || commit_sha FROM snapshots WHERE id = $snap1")" = \
  "$sha|local|$(cat "$data/machine-id")|$(stat -c %s "$fixture")|1.2.3|h1|abc123"
check "the analysis row is queued" test "$(sql "SELECT state FROM analyses WHERE id = $an1")" = queued

call "$key_a" POST /api/v1/apps/web/snapshots --data-binary @"$fixture" -H 'Content-Type: application/gzip'
check "the same bytes again answer 200 with the same ids" \
  test "$status $(field .snapshot_id) $(field .analysis_id)" = "200 $snap1 $an1"
call "$key_a" POST /api/v1/apps/web/snapshots -F snapshot=@"$fixture"
check "the same bytes as multipart answer 200 with the same ids" \
  test "$status $(field .snapshot_id) $(field .analysis_id)" = "200 $snap1 $an1"
check "... still one snapshot and one analysis" test "$(sql "SELECT count(*) || ',' || (SELECT count(*) FROM analyses) FROM snapshots")" = 1,1

call "$key_a" POST /api/v1/apps/web/snapshots -F snapshot=@"$other" -F version=2.0 -F host=h2 -F commit=def456
snap2=$(field .snapshot_id)
an2=$(field .analysis_id)
check "multipart upload of other bytes answers 202 with new ids" test "$status" = 202 -a "$snap2" != "$snap1" -a "$an2" != "$an1"
check "... its spool file holds the field's bytes" cmp -s "$data/spool/$(field .sha256)" "$other"
check "... form fields become labels" test "$(sql "SELECT version || host || commit_sha FROM snapshots WHERE id = $snap2")" = 2.0h2def456

call "$key_a" POST /api/v1/apps/worker.v2_x-1/snapshots --data-binary @"$fixture"
snap3=$(field .snapshot_id)
check "the same bytes for another app answer 202 with new ids" test "$status" = 202 -a "$snap3" != "$snap1"
check "... and the app was created" test "$(sql "SELECT string_agg(a.name, ',' ORDER BY a.name) FROM apps a JOIN customers c
  ON c.id = a.customer_id WHERE c.name = 'alpha'")" = "web,worker.v2_x-1"

call "$key_a" GET "/api/v1/apps/web/snapshots?limt=5"
check "a misspelt query parameter answers 400 unknown_parameter naming it" \
  sh -c '[ "$1" = 400 ] && jq -e ".error.code == \"unknown_parameter\" and (.error.message | contains(\"limt\"))" "$2" >/dev/null' _ "$status" "$work/body"
call "$key_a" GET "/api/v1/apps?status=new"
check "... also on a route that takes none" is_error 400 unknown_parameter
call "" GET "/api/v1/apps?status=new"
check "... after the key check (no key: 401)" test "$status" = 401
call "$key_a" POST "/api/v1/apps/web/snapshots?verison=1" --data-binary @"$fixture"
check "... and on uploads (a misspelt label is not dropped silently)" is_error 400 unknown_parameter

call "$key_a" POST '/api/v1/apps/bad!name/snapshots' --data-binary @"$fixture"
check "a bad app name answers 400 bad_app_name" is_error 400 bad_app_name || body
lost=0
for i in $(seq 20); do # the answer is given before the 800 KB body is read: it must not be lost to a reset
  call "$key_a" POST '/api/v1/apps/bad!name/snapshots' --data-binary @"$fixture"
  is_error 400 bad_app_name || lost=$((lost + 1))
  call "" POST /api/v1/apps/web/snapshots --data-binary @"$fixture"
  is_error 401 unauthorized || lost=$((lost + 1))
done
check "40 answers given before an unread body all arrive (none lost to a reset)" test "$lost" = 0
call "$key_a" POST "/api/v1/apps/$(printf 'a%.0s' $(seq 101))/snapshots" --data-binary @"$fixture"
check "a 101-character app name answers 400" is_error 400 bad_app_name
call "$key_a" GET "/api/v1/apps?$(head -c 100000 /dev/zero | tr '\0' a)"
check "a request target of 100 KB answers 414 uri_too_long as JSON" is_error 414 uri_too_long
call "$key_a" GET /api/v1/apps -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' a)"
check "headers of 100 KB answer 431 headers_too_large as JSON" is_error 431 headers_too_large
call "$key_a" GET /api/v1/apps -H "X-Big: $(head -c 30000 /dev/zero | tr '\0' a)"
check "... and headers of 30 KB pass" test "$status" = 200
call "$key_a" POST '/api/v1/apps/a%00b/snapshots' --data-binary @"$fixture"
check "an app name with %00 answers 400 bad_app_name (the path is not cut at the NUL)" is_error 400 bad_app_name
call "$key_a" POST /api/v1/apps/web/snapshots --data-binary ''
check "an empty body answers 400 empty_upload" is_error 400 empty_upload
call "$key_a" POST /api/v1/apps/web/snapshots -F version=1
check "a form without 'snapshot' answers 400 bad_form" is_error 400 bad_form
call "$key_a" POST /api/v1/apps/web/snapshots -H 'Content-Type: multipart/form-data; boundary=xyz' --data-binary 'garbage'
check "a malformed multipart body answers 400" test "$status" = 400
call "$key_a" POST "/api/v1/apps/web/snapshots?version=$(printf 'v%.0s' $(seq 201))" --data-binary @"$fixture"
check "a label over 200 bytes answers 400 bad_label" is_error 400 bad_label

# --- size limit ---
big=$work/big.bin # random bytes behind gzip's magic: they pass the sniffing at upload
{ printf '\x1f\x8b'; head -c $((max_upload + 4094)) /dev/urandom; } >"$big"
call "$key_a" POST /api/v1/apps/web/snapshots --data-binary @"$big"
check "an oversized body (Content-Length) answers 413" is_error 413 payload_too_large || body
call "$key_a" POST /api/v1/apps/web/snapshots --data-binary @"$big" -H 'Transfer-Encoding: chunked'
check "an oversized chunked body answers 413" is_error 413 payload_too_large || body
call "$key_a" POST /api/v1/apps/web/snapshots -F snapshot=@"$big" -H 'Transfer-Encoding: chunked'
check "an oversized chunked multipart body answers 413" is_error 413 payload_too_large || body
check "no partial file is left in the spool" test -z "$(find "$data/spool" -name '*.part')"
check "the spool holds only the two distinct uploaded files" test "$(find "$data/spool" -type f | wc -l)" = 2
{ printf '\x1f\x8b'; head -c $((max_upload - 1002)) /dev/urandom; } >"$big"
call "$key_a" POST /api/v1/apps/web/snapshots --data-binary @"$big" -H 'Transfer-Encoding: chunked'
check "a body just under the limit is accepted (chunked)" test "$status" = 202 || body

# --- keys ---
call "" GET /api/v1/apps
check "no key answers 401" is_error 401 unauthorized
call "$(new_key)" GET /api/v1/apps
check "a wrong key answers 401" is_error 401 unauthorized
call "$key_revoked" GET /api/v1/apps
check "a revoked key answers 401" is_error 401 unauthorized
call "" POST /api/v1/apps/web/snapshots --data-binary @"$fixture"
check "an upload without a key answers 401" is_error 401 unauthorized
status=$(curl -s -o "$work/body" -w '%{http_code}' -H 'Authorization: Basic Zm9vOmJhcg==' "$base/api/v1/apps")
check "a Basic Authorization answers 401" is_error 401 unauthorized

# --- analyses and reports ---
call "$key_a" GET "/api/v1/analyses/$an1"
check "GET analysis answers id, state, phase, percent, error" \
  test "$status $(field '[.id, .state, .phase, .percent, .error] | map(tostring) | join(",")')" = "200 $an1,queued,null,0,null"
start=$(date +%s.%N)
call "$key_a" GET "/api/v1/analyses/$an1?wait=1"
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
check "?wait=1 holds about a second, then answers queued (${elapsed}s)" \
  test "$status" = 200 -a "$(field .state)" = queued -a "$(echo "$elapsed >= 0.9 && $elapsed < 2.5" | bc)" = 1
call "$key_a" GET "/api/v1/analyses/$an1?wait=601"
check "?wait=601 answers 400" is_error 400 bad_parameter
call "$key_a" GET "/api/v1/analyses/$an1/report"
check "the report answers 404 report_not_ready while queued" is_error 404 report_not_ready
call "$key_a" GET /api/v1/analyses/abc
check "a non-numeric id answers 400" is_error 400 bad_id
call "$key_a" GET /api/v1/analyses/0
check "id 0 answers 400" is_error 400 bad_id
call "$key_a" GET /api/v1/analyses/999999999
check "an unknown id answers 404" is_error 404 not_found

# what a worker stores, done by hand: the API serves it
sql "UPDATE analyses SET state = 'done', phase = 'storing', percent = 100 WHERE id = $an1;
     INSERT INTO reports VALUES ($an1, '{\"snapshot\": {\"node_count\": 7}, \"findings\": []}');
     INSERT INTO findings (analysis_id, customer_id, app_id, rank, kind, fingerprint, title, retained_size, retained_percent)
     SELECT $an1, customer_id, app_id, 1, 'recursive_chain', 'fp1', 'chain of f', 1000, 50 FROM snapshots WHERE id = $snap1;
     INSERT INTO analysis_tree (analysis_id, row_no, child_count, kind, node_id, type, class, name, edge, self_size,
       retained_size, distance, count) VALUES ($an1, 0, 0, 'node', 1, 'synthetic', '(synthetic)', '', '', 0, 7, 0, 1)" >/dev/null
start=$(date +%s.%N)
call "$key_a" GET "/api/v1/analyses/$an1?wait=30"
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
check "?wait on a done analysis answers at once with done, 100%" \
  test "$status $(field .state) $(field .percent) $(echo "$elapsed < 1" | bc)" = "200 done 100 1"
call "$key_a" GET "/api/v1/analyses/$an1/report"
check "the report is the stored document" test "$status $(field .snapshot.node_count)" = "200 7"
(sleep 1 && sql "UPDATE analyses SET state = 'failed', error = 'bad input at byte 3' WHERE id = $an2" >/dev/null) &
fail_pid=$!
call "$key_a" GET "/api/v1/analyses/$an2?wait=20"
wait "$fail_pid"
check "?wait returns when the analysis fails, with its error" test "$status $(field .state) $(field .error)" = "200 failed bad input at byte 3"
sql "UPDATE analyses SET error_kind = 'bad_input' WHERE id = $an2" >/dev/null
call "$key_a" GET "/api/v1/analyses/$an2"
check "... and its error_kind" test "$(field .error_kind)" = bad_input
call "$key_a" GET "/api/v1/analyses/$an2/report"
check "a failed analysis's report answers 409 with its error" \
  test "$status $(field .error.code)" = "409 analysis_failed" -a -n "$(field .error.message | grep 'bad input at byte 3')"
call "$key_a" POST "/api/v1/analyses/$an1/retry"
check "retry of a done analysis answers 409 naming its state" \
  test "$status $(field .error.code)" = "409 not_failed" -a -n "$(field .error.message | grep 'is done')"
call "$key_b" POST "/api/v1/analyses/$an2/retry"
check "retry of another customer's analysis answers 404" is_error 404 not_found
call "$key_a" POST "/api/v1/analyses/$an2/retry?now=1"
check "retry takes no query parameter" is_error 400 unknown_parameter

# --- lists ---
call "$key_a" GET /api/v1/apps
check "GET apps lists the caller's apps" test "$status $(field '[.apps[].name] | join(",")')" = "200 web,worker.v2_x-1"
check "... with snapshot counts" test "$(field '[.apps[].snapshot_count] | map(tostring) | join(",")')" = 3,1
call "$key_a" GET /api/v1/apps/web/snapshots
check "GET snapshots lists the app's snapshots newest first" \
  test "$status $(field .total) $(field '.snapshots | length') $(field '.snapshots[2].id')" = "200 3 3 $snap1"
check "... with labels, sizes, latest analysis id/state" test "$(field '.snapshots[2] | [.version, .host, .commit,
  .compressed_bytes, .sha256, .analysis_id, .analysis_state] | map(tostring) | join(",")')" = \
  "1.2.3,h1,abc123,$(stat -c %s "$fixture"),$sha,$an1,done"
call "$key_a" GET '/api/v1/apps/web/snapshots?limit=1&offset=2'
check "?limit=1&offset=2 pages" test "$status $(field '.snapshots | length') $(field '.snapshots[0].id')" = "200 1 $snap1"
call "$key_a" GET '/api/v1/apps/web/snapshots?limit=x'
check "?limit=x answers 400" is_error 400 bad_parameter
call "$key_a" GET /api/v1/apps/nope/snapshots
check "snapshots of an unknown app answer 404" is_error 404 not_found
call "$key_a" GET /api/v1/apps/web/findings
check "GET findings lists the app's findings" test "$status $(field '.findings[0] | [.kind, .fingerprint, .title,
  .retained_size, .retained_percent, .analysis_id, .snapshot_id] | map(tostring) | join(",")')" = \
  "200 recursive_chain,fp1,chain of f,1000,50,$an1,$snap1"

# --- tenant isolation ---
call "$key_b" GET "/api/v1/analyses/$an1"
check "customer B gets 404 for A's analysis" is_error 404 not_found
call "$key_b" GET "/api/v1/analyses/$an1?wait=1"
check "... also with ?wait" is_error 404 not_found
call "$key_b" GET "/api/v1/analyses/$an1/report"
check "customer B gets 404 for A's report" is_error 404 not_found
call "$key_b" GET /api/v1/apps
check "customer B's app list is empty" test "$status $(field '.apps | length')" = "200 0"
call "$key_b" GET /api/v1/apps/web/snapshots
check "customer B gets 404 for A's app snapshots" is_error 404 not_found
call "$key_b" GET /api/v1/apps/web/findings
check "customer B gets 404 for A's app findings" is_error 404 not_found
call "$key_b" POST /api/v1/apps/web/snapshots --data-binary @"$fixture"
snap_b=$(field .snapshot_id)
check "customer B uploading the same bytes to 'web' gets its own snapshot (202)" test "$status" = 202 -a "$snap_b" != "$snap1"
call "$key_b" GET /api/v1/apps/web/snapshots
check "... and sees only its own snapshot" test "$(field '[.snapshots[].id] | map(tostring) | join(",")')" = "$snap_b"
call "$key_b" GET /api/v1/apps/web/findings
check "... and none of A's findings" test "$status $(field '.findings | length')" = "200 0"
call "$key_a" GET /api/v1/apps/web/snapshots
check "A still sees its 3 snapshots" test "$(field .total)" = 3

# --- routing errors ---
call "$key_a" GET /api/v1/nothing
check "an unknown path answers 404 JSON" is_error 404 not_found
call "$key_a" DELETE "/api/v1/analyses/$an1"
check "a wrong method answers 405 JSON" is_error 405 method_not_allowed
call "$key_a" PUT /api/v1/apps/web/snapshots
check "PUT on snapshots answers 405" is_error 405 method_not_allowed

# --- OpenAPI: valid, lists every route, and each route answers ---
call "" GET /api/v1/openapi.json
check "openapi.json is public and valid JSON" test "$status $(field .openapi)" = "200 3.0.3"
cp "$work/body" "$work/openapi.json"
check "... declares the bearer security scheme" test "$(jq -r .components.securitySchemes.bearerAuth.scheme "$work/openapi.json")" = bearer
routes=$(jq -r '.paths | to_entries[] | .key as $p | .value | keys[] | select(. != "parameters") | "\(ascii_upcase) \($p)"' "$work/openapi.json" | sort)
expected=$(printf '%s\n' "GET /api/v1/analyses/{id}" "GET /api/v1/analyses/{id}/report" "GET /api/v1/apps" \
  "GET /api/v1/analyses/{id}/classes" "GET /api/v1/analyses/{id}/tree" "GET /api/v1/analyses/{id}/path" \
  "POST /api/v1/analyses/{id}/retry" \
  "GET /api/v1/apps/{app}/findings" "GET /api/v1/apps/{app}/snapshots" "GET /api/v1/openapi.json" \
  "POST /api/v1/apps/{app}/snapshots" "GET /api/v1/apps/{app}/leaks" "PATCH /api/v1/apps/{app}" \
  "GET /api/v1/leaks" "GET /api/v1/leaks/{id}" "PATCH /api/v1/leaks/{id}" \
  "GET /api/v1/analyses/{id}/compare" "GET /api/v1/analyses/{id}/verdict" \
  "GET /api/v1/session" "POST /api/v1/session" "DELETE /api/v1/session" \
  "DELETE /api/v1/apps/{app}" "DELETE /api/v1/snapshots/{id}" \
  "GET /healthz" "GET /readyz" "GET /metrics" | sort)
check "... lists every route" test "$routes" = "$expected"
# a leak of an1's finding, as a worker records it (store_leaks.c), for the leak routes
leak1=$(sql "WITH l AS (INSERT INTO leaks (customer_id, app_id, fingerprint, kind, title, occurrences)
  SELECT customer_id, app_id, fingerprint, kind, title, 1 FROM findings WHERE analysis_id = $an1 RETURNING id, customer_id)
  INSERT INTO leak_occurrences (leak_id, customer_id, snapshot_id, analysis_id, finding_id, retained_size, retained_percent, status)
  SELECT l.id, l.customer_id, $snap1, $an1, f.id, f.retained_size, f.retained_percent, 'new'
  FROM l, findings f WHERE f.analysis_id = $an1 RETURNING leak_id")
while read -r method path; do
  p=${path//\{app\}/web}
  p=${p//\{id\}/$an1}
  [ "${path#/api/v1/leaks/}" != "$path" ] && p=/api/v1/leaks/$leak1
  [ "${p##*/}" = path ] && p="$p?node=r0" # the one route with a required parameter
  [ "$path" = "/api/v1/analyses/{id}/retry" ] && p=${path//\{id\}/$an2} # a failed one
  if [ "$method" = DELETE ] && [ "$path" != /api/v1/session ]; then # on an app made for it
    call "$key_a" POST /api/v1/apps/doomed/snapshots --data-binary @"$fixture"
    p=/api/v1/apps/doomed
    [ "$path" = "/api/v1/snapshots/{id}" ] && p=/api/v1/snapshots/$(field .snapshot_id)
    call "$key_a" DELETE "$p"
  elif [ "$method $path" = "POST /api/v1/session" ]; then
    call "" POST "$p" -H 'Content-Type: application/json' --data "{\"key\": \"$key_a\"}"
  elif [ "$method" = POST ]; then
    call "$key_a" POST "$p" --data-binary @"$fixture"
  elif [ "$method" = PATCH ]; then
    body='{"resolve_after": 3}'
    [ "$p" = "/api/v1/leaks/$leak1" ] && body='{"status": "open"}'
    call "$key_a" PATCH "$p" --data "$body"
  else
    call "$key_a" "$method" "$p"
  fi
  if [ "$path" = /metrics ]; then # the one answer in Prometheus' text format
    check "openapi route $method $path answers 2xx text" grep -q '^# TYPE leaktriage_uploads_total counter$' "$work/body"
    continue
  fi
  check "openapi route $method $path answers 2xx JSON" test "${status:0:1}" = 2 -a "$(jq -e type "$work/body" >/dev/null && echo json)" = json
done <<<"$routes"
call "$key_a" GET "/api/v1/analyses/$an2"
check "the retried analysis is queued again: no error, no attempt used" \
  test "$(field '[.state, .error, .error_kind, .attempts] | map(tostring) | join(",")')" = "queued,null,null,0"

check "every status a route answered here is in its OpenAPI responses" \
  python3 "$(dirname "$0")/openapi_statuses.py" "$work/openapi.json" "$work/seen"

check "the server is still running" kill -0 "$server_pid"
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
check "the server stops cleanly on SIGTERM (no sanitizer report)" test $rc -eq 0 -a -z "$(grep -l Sanitizer "$work/server.err")" ||
  tail -n 40 "$work/server.err"
if [ "$failures" -eq 0 ]; then
  echo "all API checks passed"
else
  echo "$failures API check(s) failed"
  echo "--- server stderr ---"
  tail -n 20 "$work/server.err"
fi
[ "$failures" -eq 0 ]
