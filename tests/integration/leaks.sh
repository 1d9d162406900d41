#!/usr/bin/env bash
# Leak records, statuses, comparison and the verdict (issue 9), end to end: the real
# `leaktriage serve` (HTTP + 2 workers) on a private PostgreSQL it starts itself, real
# snapshots uploaded over HTTP. seed-co at 5,000 levels then at 20,000 -> one leak,
# recurring, 2 occurrences, the contexts' class growth in `comparison`; three fixed-loop
# uploads -> resolved; seed-co again -> regressed; the default verdict fails on the first
# and the regressed upload and passes the recurring one; ignored -> pass; growth:10 fails
# when the heap grows; two analyses of a new leak finishing together (both held at the
# app's row lock, then let go at once) -> one leak and one `new` event; an analysis
# finishing after a later upload's (its spool file is a FIFO fed late) -> the statuses of
# upload order, and the later upload's verdict waits for the earlier one; every leaks route refuses another customer's ids (404); unknown parameters
# and bad values -> 400 naming them; a re-upload with other labels says they were ignored.
# Usage: tests/integration/leaks.sh PATH/TO/leaktriage
# Prints one ok/FAIL line per check; exits 1 if any failed.
set -uo pipefail
bin=$(realpath "${1:?usage: leaks.sh PATH/TO/leaktriage}")
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../fixtures
server_pid=
bg_pids=()
. "$here/common.bash"
scratch_init leaks

cleanup() {
  for p in "${bg_pids[@]}" "$server_pid"; do stop_process "$p"; done
  stop_cluster "$data"
  rm -rf "$work"
}
trap cleanup EXIT

equal() { # description actual expected
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (got '$2', want '$3')"; fi
}

# --- the service ---
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --workers 2 --public-url "https://leaks.example/" \
  >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q "listening on" "$work/serve.log" 2>/dev/null && break
  sleep 0.2
done
key=$(grep -A1 "shown once" "$work/serve.log" | tail -1)
if ! grep -qE '^lt_[a-z0-9]{40}$' <<<"$key"; then
  cat "$work/serve.log"
  fail "the service starts"
  exit 1
fi
ok "the service starts on 127.0.0.1:$port"
conninfo="host=$data/pg dbname=leaktriage user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)"
sql() { psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
other_key=$("$bin" admin create-customer other --data "$data" 2>/dev/null | tail -1)
base=http://127.0.0.1:$port/api/v1

# --- helpers: status code in $status, body in $work/body ---
call() { # key method path [curl args...]
  local k=$1 method=$2 path=$3
  shift 3
  status=$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $k" "$@" "$base$path")
}
field() { jq -r "$1" "$work/body" 2>/dev/null; }
bad_value() { # description parameter: a 400 bad_parameter whose message names it
  if [ "$status" = 400 ] && [ "$(field .error.code)" = bad_parameter ] && field .error.message | grep -q "$2"; then
    ok "$1"
  else
    fail "$1 (got $status $(cat "$work/body"))"
  fi
}
upload() { # app file [query]: uploads, waits for the analysis; prints its id
  local id
  id=$(curl -s -H "Authorization: Bearer $key" --data-binary @"$2" "$base/apps/$1/snapshots${3:-}" | jq -r .analysis_id)
  curl -s -H "Authorization: Bearer $key" "$base/analyses/$id?wait=120" >/dev/null
  echo "$id"
}
regzip() { zcat "$1" | gzip -"$2" >"$3"; } # the same snapshot, other bytes
leak_status() { # app: "status,occurrences" of its recursive chain
  sql "SELECT status || ',' || occurrences FROM leaks l JOIN apps a ON a.id = l.app_id
       WHERE a.name = '$1' AND l.kind = 'recursive_chain'"
}
verdict() { # analysis [fail_on]
  call "$key" GET "/analyses/$1/verdict${2:+?fail_on=$2}"
  echo "$(field .verdict) $(field '[.reasons[].rule] | join(",")')"
}

co5k=$fixtures/findings/seed-co-5000.heapsnapshot.gz
co20k=$fixtures/seed-co.heapsnapshot.gz
for level in 1 2 3; do regzip "$fixtures/fixed-loop.heapsnapshot.gz" "$level" "$work/fixed-$level.gz"; done
regzip "$co5k" 1 "$work/co5k-again.gz"

# --- seed-co at 5,000 then 20,000 levels: one leak, recurring ---
a1=$(upload shop "$co5k" "?branch=main&environment=ci&version=1.0")
equal "seed-co 5,000: one leak, new" "$(leak_status shop)" "new,1"
equal "... the default verdict fails on rule new" "$(verdict "$a1")" "fail new"
check "... with the finding's kind, title, fingerprint and absolute links" \
  test "$(field '.reasons[0] | [.kind, (.title | test("scheduleUpdatingTask")), (.fingerprint | startswith("rc-")),
    (.leak_url | test("^https://leaks.example/leaks/[0-9]+$")), .report_url] | map(tostring) | join(" ")')" = \
  "recursive_chain true true true https://leaks.example/reports/$a1"
a2=$(upload shop "$co20k" "?branch=main")
equal "seed-co 20,000: still one leak, recurring, 2 occurrences" "$(leak_status shop)" "recurring,2"
equal "... the default verdict passes" "$(verdict "$a2")" "pass "
equal "... growth:10 fails (the heap grew)" "$(verdict "$a2" growth:10)" "fail growth:10"
call "$key" GET "/analyses/$a2/report"
check "the report's comparison has the previous analysis as baseline" test "$(field .comparison.baseline_analysis_id)" = "$a1"
check "... heap before/after/change" test "$(field '.comparison.heap | [.before, .after, .change] | map(tostring) | join(" ")')" = \
  "6998251 18872379 11874128"
check "... the contexts' class growth (system / Context grew in count and retained size)" \
  test "$(field '[.comparison.classes[] | select(.class == "system / Context") | (.count.change > 0 and .retained_size.change > 0)] | .[0]')" = true
check "... classes sorted by retained growth" \
  test "$(field '[.comparison.classes[].retained_size.change] | . == (sort | reverse)')" = true
check "... the leak is 'still'" test "$(field '[.comparison.leaks.new, .comparison.leaks.still, .comparison.leaks.gone] | map(length) | map(tostring) | join(",")')" = 0,1,0
call "$key" GET "/analyses/$a1/report"
check "the first analysis's comparison has no baseline (null)" test "$(field '.comparison.baseline_analysis_id')" = null
call "$key" GET "/analyses/$a2/compare?baseline=$a1"
check "compare?baseline= answers the same comparison" test "$status $(field .heap.change)" = "200 11874128"
call "$key" GET "/analyses/$a1/compare?baseline=$a2"
check "... either way round (the heap shrank, the leak is still)" test "$(field '[.heap.change, (.leaks.still | length)] | map(tostring) | join(" ")')" = "-11874128 1"

# --- three fixed-loop uploads: resolved; seed-co again: regressed ---
f1=$(upload shop "$work/fixed-1.gz")
upload shop "$work/fixed-2.gz" >/dev/null
equal "absent from 2 analysed snapshots: still recurring" "$(leak_status shop)" "recurring,2"
f3=$(upload shop "$work/fixed-3.gz")
equal "absent from the last 3: resolved" "$(leak_status shop)" "resolved,2"
call "$key" GET "/analyses/$f1/report"
check "the first fixed-loop's comparison: the leak is gone" test "$(field '.comparison.leaks.gone | length')" = 1
a3=$(upload shop "$work/co5k-again.gz")
equal "seed-co again: regressed" "$(leak_status shop)" "regressed,3"
equal "... the default verdict fails on rule regressed" "$(verdict "$a3")" "fail regressed"
equal "the recurring upload's verdict still passes (status as of its snapshot)" "$(verdict "$a2")" "pass "
equal "the first upload's verdict still fails on new" "$(verdict "$a1")" "fail new"
leak=$(sql "SELECT l.id FROM leaks l JOIN apps a ON a.id = l.app_id WHERE a.name = 'shop'")

# --- the leak and its events through the API ---
call "$key" GET "/leaks/$leak"
check "GET leak: status, occurrences, first/last seen with labels" test "$(field '.leak | [.status, .occurrences,
  .first_seen.analysis_id, .first_seen.labels.branch, .first_seen.labels.environment, .last_seen.analysis_id]
  | map(tostring) | join(",")')" = "regressed,3,$a1,main,ci,$a3"
check "... latest and peak retained sizes" test "$(field '.leak | (.peak_retained_size > .latest_retained_size)')" = true
check "... occurrences newest first with their status then, levels and report link" \
  test "$(field '[.occurrences[] | "\(.analysis_id):\(.status):\(.levels)"] | join(" ")')" = \
  "$a3:regressed:5000 $a2:recurring:20000 $a1:new:5000"
check "... events new, recurring, resolved, regressed by the system" \
  test "$(field '[.events[] | "\(.actor):\(.to)"] | join(" ")')" = "system:new system:recurring system:resolved system:regressed"
call "$key" GET "/leaks/$leak?limit=2"
c=$(field .next_cursor)
call "$key" GET "/leaks/$leak?limit=2&cursor=$c"
check "occurrences are paged by cursor" test "$(field '[.occurrences[].analysis_id] | map(tostring) | join(",")') $(field .next_cursor)" = "$a1 null"

# --- the user's choices ---
call "$key" PATCH "/leaks/$leak" --data '{"status": "ignored"}'
check "PATCH ignored answers the leak, ignored, with the choice" test "$status $(field .leak.status) $(field .leak.choice.status)" = "200 ignored ignored"
equal "an ignored leak never fails the verdict" "$(verdict "$a3")" "pass "
equal "... whatever the rule" "$(verdict "$a3" kind:recursive_chain,new,regressed)" "pass "
check "... the event names the key prefix" test "$(sql "SELECT actor || ':' || to_status FROM leak_events WHERE leak_id = $leak ORDER BY id DESC LIMIT 1")" = "${key:3:8}:ignored"
upload shop "$work/fixed-1.gz" >/dev/null # same bytes as before: no new snapshot
a4=$(upload shop "$(regzip "$co20k" 4 "$work/co20k-4.gz"; echo "$work/co20k-4.gz")")
equal "it stays ignored while it occurs" "$(leak_status shop)" "ignored,4"
# the same choice from the pages: a session cookie and its CSRF token, no Authorization header
curl -s -c "$work/jar" -H 'Content-Type: application/json' --data "{\"key\": \"$key\"}" "$base/session" >"$work/session"
csrf=$(jq -r .csrf_token "$work/session")
status=$(curl -s -o "$work/body" -w '%{http_code}' -b "$work/jar" -H "X-CSRF-Token: $csrf" -X PATCH \
  --data '{"status": "ignored"}' "$base/leaks/$leak")
check "a PATCH with the session cookie (and its CSRF token) answers 200" test "$status" = 200
check "... and its event names the prefix of the key the session was opened with" \
  test "$(sql "SELECT actor FROM leak_events WHERE leak_id = $leak ORDER BY id DESC LIMIT 1")" = "${key:3:8}"
call "$key" PATCH "/leaks/$leak" --data '{"status": "open"}'
equal "open clears the choice and recomputes: recurring" "$(field .leak.status),$(field .leak.choice)" "recurring,null"
call "$key" PATCH "/leaks/$leak" --data '{"status": "resolved"}'
equal "the user resolves it" "$(field .leak.status)" "resolved"
a5=$(upload shop "$(regzip "$co5k" 5 "$work/co5k-5.gz"; echo "$work/co5k-5.gz")")
equal "... it occurs again: regressed" "$(leak_status shop)" "regressed,5"
equal "... and fails the default verdict" "$(verdict "$a5")" "fail regressed"

# --- resolve_after ---
call "$key" PATCH /apps/shop --data '{"resolve_after": 1}'
check "PATCH resolve_after 1 answers the app" test "$status $(field .resolve_after)" = "200 1"
upload shop "$(regzip "$fixtures/fixed-loop.heapsnapshot.gz" 5 "$work/fixed-5.gz"; echo "$work/fixed-5.gz")" >/dev/null
equal "... one absence then resolves it" "$(leak_status shop)" "resolved,5"
for body in '{"resolve_after": 0}' '{"resolve_after": 1001}' '{"resolve_after": "3"}' '{}' 'x'; do
  call "$key" PATCH /apps/shop --data "$body"
  check "PATCH app $body answers 400" test "$status" = 400
done
call "$key" PATCH "/leaks/$leak" --data '{"status": "recurring"}'
bad_value "PATCH leak with a status a user cannot set answers 400" status
call "$key" PATCH /apps/nope --data '{"resolve_after": 3}'
check "PATCH of an unknown app answers 404" test "$status" = 404

# --- lists: filters, sorts, cursors, errors ---
upload shop "$fixtures/mixed-app.heapsnapshot.gz" >/dev/null
call "$key" GET /apps/shop/leaks
n_all=$(field '.leaks | length')
check "the app's leaks: the chain and mixed-app's leaks" test "$n_all" -ge 2
check "... newest last_seen first" test "$(field '[.leaks[].last_seen.at] | . == (sort | reverse)')" = true
call "$key" GET "/apps/shop/leaks?status=resolved"
check "?status=resolved lists the chain" test "$(field '[.leaks[].id] | map(tostring) | join(",")')" = "$leak"
call "$key" GET "/apps/shop/leaks?kind=recursive_chain&q=SCHEDULEupdating"
check "?kind=&q= (case-insensitive) find it" test "$(field '[.leaks[].id] | map(tostring) | join(",")')" = "$leak"
call "$key" GET "/apps/shop/leaks?sort=occurrences&limit=1"
check "?sort=occurrences&limit=1: the chain first, with a next_cursor" test "$(field '.leaks[0].id') $(field '.next_cursor | startswith("occurrences:")')" = "$leak true"
seen=1
c=$(field .next_cursor)
while [ "$c" != null ] && [ "$seen" -lt 50 ]; do
  call "$key" GET "/apps/shop/leaks?sort=occurrences&limit=1&cursor=$c"
  seen=$((seen + $(field '.leaks | length')))
  c=$(field .next_cursor)
done
equal "... following the cursors lists every leak once" "$seen" "$n_all"
call "$key" GET /leaks
check "GET /leaks lists every app's leaks" test "$(field '[.leaks[].app] | unique | join(",")')" = shop
call "$key" GET "/apps/shop/leaks?status=bogus"
bad_value "?status=bogus answers 400 naming status" status
call "$key" GET "/leaks?sort=size"
bad_value "?sort=size answers 400 naming sort" sort
call "$key" GET "/apps/shop/leaks?cursor=abc"
bad_value "?cursor=abc answers 400 naming cursor" cursor
call "$key" GET "/apps/shop/leaks?sort=peak&cursor=occurrences:3:1"
bad_value "a cursor of another sort answers 400" cursor
call "$key" GET "/apps/shop/leaks?limit=x"
bad_value "?limit=x answers 400" limit
call "$key" GET "/apps/shop/leaks?kind=Bad-Kind"
bad_value "?kind=Bad-Kind answers 400" kind
call "$key" GET "/apps/shop/leaks?stauts=new"
check "an unknown parameter answers 400 unknown_parameter" test "$status $(field .error.code)" = "400 unknown_parameter"
call "$key" GET "/analyses/$a1/verdict?fail_on=nope"
bad_value "?fail_on=nope answers 400 naming fail_on" fail_on
call "$key" GET "/analyses/$a1/compare?baseline=x"
check "?baseline=x answers 400" test "$status" = 400
call "$key" GET "/analyses/$a1/verdict?failon=new"
check "a misspelt fail_on answers 400 unknown_parameter" test "$status $(field .error.code)" = "400 unknown_parameter"

# --- another customer ---
for route in "GET /leaks/$leak" "PATCH /leaks/$leak {\"status\":\"ignored\"}" "GET /apps/shop/leaks" \
             "PATCH /apps/shop {\"resolve_after\":2}" "GET /analyses/$a1/verdict" "GET /analyses/$a1/compare" \
             "GET /analyses/$a2/compare?baseline=$a1"; do
  read -r method path body <<<"$route"
  call "$other_key" "$method" "$path" ${body:+--data "$body"}
  check "another customer: $route answers 404" test "$status" = 404
done
call "$other_key" GET /leaks
check "another customer's /leaks is empty" test "$status $(field '.leaks | length')" = "200 0"
equal "... and nothing changed" "$(sql "SELECT status || ',' || occurrences FROM leaks WHERE id = $leak")" "resolved,5"

# --- labels: a re-upload of the same bytes with other labels says so ---
call "$key" POST "/apps/shop/snapshots?branch=feature&version=1.0" --data-binary @"$co5k"
check "re-upload with other labels: 200, labels_ignored names them and a note" test "$status $(field '.labels_ignored | keys | join(",")') $(field '.note | length > 0')" = "200 branch true"
call "$key" POST "/apps/shop/snapshots?branch=main" --data-binary @"$co5k"
check "... the same labels: nothing ignored" test "$status $(field .labels_ignored)" = "200 null"

# --- two analyses of a new leak finishing together ---
upload race "$work/fixed-1.gz" >/dev/null
regzip "$co5k" 6 "$work/race-1.gz"
regzip "$co5k" 7 "$work/race-2.gz"
(sql "BEGIN; SELECT 1 FROM apps WHERE name = 'race' FOR NO KEY UPDATE; SELECT pg_sleep(60); COMMIT" >/dev/null 2>&1) &
bg_pids+=($!)
sleep 0.5
r1=$(curl -s -H "Authorization: Bearer $key" --data-binary @"$work/race-1.gz" "$base/apps/race/snapshots" | jq -r .analysis_id)
r2=$(curl -s -H "Authorization: Bearer $key" --data-binary @"$work/race-2.gz" "$base/apps/race/snapshots" | jq -r .analysis_id)
waiting=0
for _ in $(seq 1 100); do
  waiting=$(sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM apps%'")
  [ "$waiting" -ge 2 ] && break
  sleep 0.2
done
equal "both analyses wait at the app's lock, their results ready" "$waiting" 2
sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
for r in $r1 $r2; do curl -s -H "Authorization: Bearer $key" "$base/analyses/$r?wait=60" >/dev/null; done
equal "... let go together: one leak, recurring, 2 occurrences" "$(leak_status race)" "recurring,2"
equal "... and one new event" "$(sql "SELECT count(*) FROM leak_events e JOIN leaks l ON l.id = e.leak_id JOIN apps a ON a.id = l.app_id
  WHERE a.name = 'race' AND e.to_status = 'new'")" 1

# --- an analysis finishing after a later upload's: statuses of upload order ---
mkfifo "$work/slow.heapsnapshot"
chmod 0666 "$work/slow.heapsnapshot"
sql "INSERT INTO apps (customer_id, name) SELECT id, 'order' FROM customers WHERE name = 'default'" >/dev/null
early=$(sql "WITH s AS (INSERT INTO snapshots (app_id, customer_id, sha256, spool_path, compressed_bytes, branch)
  SELECT id, customer_id, sha256('slow'::bytea), '$work/slow.heapsnapshot', 0, 'main' FROM apps WHERE name = 'order'
  RETURNING id, customer_id)
  INSERT INTO analyses (snapshot_id, customer_id) SELECT id, customer_id FROM s RETURNING id" | head -1)
sleep 0.5
late=$(upload order "$co20k" "?branch=main")
equal "the later upload finishes first: the leak is new" "$(leak_status order)" "new,1"
call "$key" GET "/analyses/$late/verdict"
check "... its verdict waits for the earlier upload: 409 waiting_for_earlier" \
  test "$status $(field .error.code) $(field .error.state)" = "409 analysis_not_done waiting_for_earlier"
curl -s -o "$work/late-verdict" -H "Authorization: Bearer $key" "$base/analyses/$late/verdict?wait=60" &
late_verdict=$!
sleep 0.5
check "... with ?wait= it is still waiting while the earlier upload is not analysed" kill -0 "$late_verdict"
zcat "$co5k" >"$work/slow.heapsnapshot" &
bg_pids+=($!)
wait "$late_verdict"
equal "... and answers once it is: pass (the leak recurs; never 'new' by accident of timing)" \
  "$(jq -r .verdict "$work/late-verdict")" "pass"
curl -s -H "Authorization: Bearer $key" "$base/analyses/$early?wait=60" >/dev/null
check "the earlier upload finished last" test "$(sql "SELECT (SELECT finished_at FROM analyses WHERE id = $early) >
  (SELECT finished_at FROM analyses WHERE id = $late)")" = t
equal "... the statuses are upload order's: recurring, 2 occurrences" "$(leak_status order)" "recurring,2"
equal "... first seen at the earlier upload" "$(sql "SELECT first_analysis_id FROM leaks l JOIN apps a ON a.id = l.app_id WHERE a.name = 'order'")" "$early"
equal "... the earlier upload's verdict fails on new, the later's passes" "$(verdict "$early") / $(verdict "$late")" "fail new / pass "
call "$key" GET "/analyses/$late/report"
check "... the later upload's comparison has the earlier as baseline" test "$(field .comparison.baseline_analysis_id)" = "$early"

# --- not done yet: 409 ---
fifo2=$work/slow2.heapsnapshot
mkfifo "$fifo2"
chmod 0666 "$fifo2"
pending=$(sql "WITH s AS (INSERT INTO snapshots (app_id, customer_id, sha256, spool_path, compressed_bytes)
  SELECT id, customer_id, sha256('slow2'::bytea), '$fifo2', 0 FROM apps WHERE name = 'order' RETURNING id, customer_id)
  INSERT INTO analyses (snapshot_id, customer_id) SELECT id, customer_id FROM s RETURNING id" | head -1)
call "$key" GET "/analyses/$pending/verdict"
check "the verdict of an analysis not done answers 409 with its state" \
  test "$status $(field .error.code) $(field '.error.state | test("queued|running")')" = "409 analysis_not_done true"
zcat "$co5k" >"$fifo2" &
bg_pids+=($!)
call "$key" GET "/analyses/$pending/verdict?wait=60"
check "... ?wait= holds it until done" test "$status $(field .verdict)" = "200 pass"

check "the service is still running" kill -0 "$server_pid"
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
check "the service stops cleanly (no sanitizer report)" test $rc -eq 0 -a -z "$(grep -l Sanitizer "$work/serve.log")" ||
  tail -n 40 "$work/serve.log"
echo "$failures failed"
[ "$failures" -eq 0 ]
