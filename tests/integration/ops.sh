#!/usr/bin/env bash
# Operations of a real `leaktriage serve` (real binary, private PostgreSQL, real HTTP):
# /healthz; /readyz ready, then 503 naming the spool when the spool folder is replaced by a
# file, and naming the database when the private PostgreSQL is stopped, without a server
# path; /metrics before and after an upload and its analysis, parsed by a strict checker
# (prom_check.py): the counters grow by exactly the upload, its bytes and its request,
# each histogram's count by one; one JSON log line per request on standard error with the
# client's X-Request-Id and the fields, job events; generated request ids echoed in the
# header and the error body (also of an answer given before the body is read); the API key
# nowhere in the log; a worker idle for --keep-memory seconds gives back the memory it
# kept from its analysis and logs how much.
# Usage: ops.sh LEAKTRIAGE
set -uo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.bash"
server_test_init ops

port=$(free_port)
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --workers 2 --keep-memory 1 >"$work/out.log" 2>"$work/err.log" &
pids+=($!)
for _ in $(seq 1 150); do
  grep -q "listening on" "$work/out.log" 2>/dev/null && break
  sleep 0.2
done
key=$(grep -A1 "shown once" "$work/out.log" | tail -1)
base=http://127.0.0.1:$port
fixture=$fixtures/fixed-loop.heapsnapshot.gz

get() { # path [curl args]: body in $work/body, headers in $work/head, status in $status
  local path=$1
  shift
  status=$(curl -s -D "$work/head" -o "$work/body" -w '%{http_code}' "$@" "$base$path")
}
header_id() { tr -d '\r' <"$work/head" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: //p'; }
jqb() { jq -r "$1" "$work/body"; }
scrape() { # file: the metrics, checked strictly, as "SERIES VALUE" lines
  get /metrics
  [ "$status" = 200 ] && python3 "$here/prom_check.py" "$work/body" >"$1"
}
metric() { awk -v s="$2" '$1 == s { printf "%.6f\n", $2 }' "$1"; }
lacks() { ! grep -qF -- "$1" "$2"; } # text file
grew() { # before after series amount
  local a b
  a=$(metric "$1" "$3")
  b=$(metric "$2" "$3")
  [ -n "$b" ] && awk -v a="${a:-0}" -v b="$b" -v d="$4" 'BEGIN { exit !(b - a == d) }' || {
    echo "  $3: ${a:-none} -> ${b:-none}, expected +$4"
    return 1
  }
}

# --- health and readiness ---
get /healthz
check "/healthz answers 200 {status: ok} without a key" test "$status $(jqb .status)" = "200 ok"
get /readyz
check "/readyz answers 200 ready with each check ok" \
  test "$status $(jqb '[.status, .checks.database, .checks.migrations, .checks.spool] | join(",")')" = "200 ready,ok,ok,ok"

# --- metrics around one upload and its analysis ---
check "/metrics parses strictly before any upload" scrape "$work/m1"
check "... has its content type" grep -qi '^content-type: text/plain; version=0.0.4' "$work/head"
get "/api/v1/apps/web/snapshots?version=v1" -H "Authorization: Bearer $key" -H "X-Request-Id: ops-upload.1" \
  --data-binary @"$fixture"
check "an upload with X-Request-Id answers 202" test "$status" = 202
check "... and echoes the id" test "$(header_id)" = ops-upload.1
analysis=$(jqb .analysis_id)
get "/api/v1/analyses/$analysis?wait=120" -H "Authorization: Bearer $key"
check "its analysis is done" test "$(jqb .state)" = done
sleep 1.2 # the analyses-by-state cache
check "/metrics parses strictly after it" scrape "$work/m2"
bytes=$(stat -c %s "$fixture")
check "leaktriage_uploads_total grew by 1" grew "$work/m1" "$work/m2" leaktriage_uploads_total 1
check "leaktriage_upload_bytes_total grew by the file's $bytes bytes" \
  grew "$work/m1" "$work/m2" leaktriage_upload_bytes_total "$bytes"
check "leaktriage_analysis_duration_seconds_count grew by 1" \
  grew "$work/m1" "$work/m2" leaktriage_analysis_duration_seconds_count 1
check "leaktriage_queue_wait_seconds_count grew by 1" grew "$work/m1" "$work/m2" leaktriage_queue_wait_seconds_count 1
check "leaktriage_analyses{state=done} grew by 1" grew "$work/m1" "$work/m2" 'leaktriage_analyses{state="done"}' 1
check "the upload counts once under its route pattern" grew "$work/m1" "$work/m2" \
  'leaktriage_http_requests_total{method="POST",route="/api/v1/apps/{app}/snapshots",status="202"}' 1
check "the first scrape counts under /metrics" grew "$work/m1" "$work/m2" \
  'leaktriage_http_requests_total{method="GET",route="/metrics",status="200"}' 1
check "leaktriage_workers is 2, none busy" \
  test "$(metric "$work/m2" leaktriage_workers) $(metric "$work/m2" leaktriage_workers_busy)" = "2.000000 0.000000"
check "the pool's size is shown" test "$(metric "$work/m2" leaktriage_db_pool_size | cut -d. -f1)" -gt 0
check "leaktriage_build_info names the version" \
  grep -q "^leaktriage_build_info{version=\"$("$bin" --version | awk '{print $2}')\"} 1" "$work/m2"
check "process_start_time_seconds is a time of today" \
  test "$(metric "$work/m2" process_start_time_seconds | cut -d. -f1)" -gt "$(($(date +%s) - 86400))"

# --- the log ---
line=$(grep '"request_id":"ops-upload.1"' "$work/err.log")
check "the upload's request has one log line with the client's id" test "$(grep -c . <<<"$line")" = 1
check "... with its fields" test "$(jq -r '[.event, .method, .route, .status, .bytes_in, (.bytes_out > 0),
  (.duration_ms >= 0), (.customer_id > 0), (.time | test("^[0-9-]{10}T[0-9:]{8}[.][0-9]{3}Z$"))] | map(tostring) | join(" ")' <<<"$line")" \
  = "request POST /api/v1/apps/{app}/snapshots 202 $bytes true true true true"
echo "$line" >"$work/line"
check "... and not the query string" lacks "version=v1" "$work/line"
check "the job's claim and end are logged with analysis, customer, worker, attempt, duration" test "$(jq -rs --argjson id "$analysis" \
  '[.[] | select(.analysis_id == $id) | "\(.event) \(.customer_id > 0) \(.worker != null) \(.attempt)"] | join(",")' "$work/err.log")" \
  = "job_claimed true true 1,job_done true true 1"

# --- request ids ---
get /api/v1/nothing -H "X-Request-Id: bad id!"
id=$(header_id)
check "an insane X-Request-Id is replaced by a generated one" grep -qE '^[0-9a-f]{32}$' <<<"$id"
check "... echoed in the error body" test "$(jqb .error.request_id)" = "$id"
get /api/v1/apps/web/snapshots -H "Authorization: Bearer lt_wrong" --data-binary @"$fixture"
id=$(header_id)
check "an answer given before the body is read (401) carries a generated id" test "$status ${#id}" = "401 32"
check "... also in its body" test "$(jqb .error.request_id)" = "$id"
check "the API key appears nowhere in the log" test "$(grep -c -- "$key" "$work/err.log")" = 0

# --- memory kept between analyses ---
released() { jq -rs '[.[] | select(.event == "worker_memory_released")] | length' "$work/err.log"; }
before=$(released)
get "/api/v1/apps/web/snapshots?version=v2" -H "Authorization: Bearer $key" \
  --data-binary @"$fixtures/seed-co.heapsnapshot.gz" # its edges fill a kept block (4 MiB and more)
big=$(jqb .analysis_id)
get "/api/v1/analyses/$big?wait=120" -H "Authorization: Bearer $key"
check "a snapshot with big arrays is analysed" test "$(jqb .state)" = done
for _ in $(seq 1 50); do
  [ "$(released)" -gt "$before" ] && break
  sleep 0.2
done
check "a second after its job (--keep-memory 1) the worker gives its kept memory back, logged with worker and bytes" \
  test "$(jq -rs '[.[] | select(.event == "worker_memory_released")] | last | "\(.worker | test("/w[0-9]+$")) \(.bytes >= 4194304)"' "$work/err.log")" = "true true"

# --- readiness failures ---
mv "$data/spool" "$data/spool.away" && touch "$data/spool"
get /readyz
check "a spool that is not a writable folder: 503 naming spool" test "$status $(jqb '.failed | join(",")')" = "503 spool"
check "... without a server path" lacks "$work" "$work/body"
rm "$data/spool" && mv "$data/spool.away" "$data/spool"
get /readyz
check "ready again once the spool is back" test "$status" = 200
stop_cluster "$data"
get /readyz
check "PostgreSQL stopped: 503 naming database" test "$status $(jqb '.failed | index("database") != null')" = "503 true"
check "... without a server path" lacks "$work" "$work/body"
get /healthz
check "/healthz still answers 200" test "$status" = 200
get /metrics
check "/metrics still answers without the database" test "$status" = 200

check "every line on standard error (libmicrohttpd's too) is a JSON object with time and event" \
  jq -se 'all(.[]; type == "object" and has("time") and has("event"))' "$work/err.log" >/dev/null

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
