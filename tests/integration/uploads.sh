#!/usr/bin/env bash
# Integration test of what strangers and careless clients send to uploads (issue 11,
# defects 5, 8, 9, 11), against `leaktriage serve` (real binary, its own PostgreSQL, real
# HTTP on 127.0.0.1, one worker): a chunked upload past --max-upload answers 413 at once;
# what is not a snapshot answers 415 saying what it is, keeping nothing; labels that are not
# UTF-8 or hold control characters answer 400 naming the label; app names '.' and '..';
# HTTP/1.1 without Host and two different Content-Length headers answer 400; every answer
# is JSON with nosniff; DELETE of snapshots and apps (files and rows, per customer); .part
# left-overs of a kill -9 removed at the next start (not those a live upload holds);
# --keep-snapshots removes old raw files (results stay) and a job of such a snapshot fails
# at once saying so; and every status seen here is listed in the OpenAPI document.
# Usage: tests/integration/uploads.sh PATH/TO/leaktriage
# Prints one ok/FAIL line per check; exits 1 if any failed.
set -uo pipefail
bin=$(realpath "${1:?usage: uploads.sh PATH/TO/leaktriage}")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.bash"
server_test_init uploads
max_upload=2000000
port=$(free_port)
base=http://127.0.0.1:$port

serve() { # log [serve options...]: starts the server on $data and $port, waits for it
  local log=$1
  shift
  "$bin" serve --data "$data" --listen "127.0.0.1:$port" --workers 1 --max-upload "$max_upload" "$@" >"$log" 2>&1 &
  server=$!
  pids+=("$server")
  for _ in $(seq 1 150); do
    grep -q "listening on" "$log" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "server did not start:"
  cat "$log"
  return 1
}

serve "$work/s1.log" || exit 1
key_a=$(grep -A1 "shown once" "$work/s1.log" | tail -1)
key_b=$("$bin" admin create-customer beta --data "$data" | tail -1)
conninfo="host=$data/pg port=5432 dbname=leaktriage user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)"
sql() { psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

# --- helpers: status in $status, body in $work/body, headers in $work/headers; every
# request is recorded in $work/seen for the OpenAPI comparison at the end ---
call() { # key method path [curl args...]
  local key=$1 method=$2 path=$3
  shift 3
  local auth=()
  [ -n "$key" ] && auth=(-H "Authorization: Bearer $key")
  status=$(curl -s --path-as-is -D "$work/headers" -o "$work/body" -w '%{http_code}' -X "$method" "${auth[@]}" "$@" "$base$path")
  echo "$method $path $status" >>"$work/seen"
}
field() { jq -r "$1" "$work/body" 2>/dev/null; }
is_error() { # status code [text the message contains]
  [ "$status" = "$1" ] && [ "$(field .error.code)" = "$2" ] && field .error.message | grep -qF -- "${3:-}"
}
nosniff() { grep -qi '^X-Content-Type-Options: nosniff' "$work/headers"; }
answered_nosniff() { test "$status" = "$1" && nosniff; } # status
raw() { # sends stdin as it is, prints the answer
  python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.settimeout(5)
s.sendall(sys.stdin.buffer.read()); out = b""
try:
    while True:
        d = s.recv(65536)
        if not d: break
        out += d
except OSError: pass
sys.stdout.write(out.decode("latin-1"))' "$port"
}
spool_files() { find "$data/spool" -type f | wc -l; }
snapshot_rows() { sql "SELECT count(*) FROM snapshots"; }

fixture=$fixtures/fixed-loop.heapsnapshot.gz
other=$fixtures/archive/small.heapsnapshot # raw JSON
call "$key_a" POST /api/v1/apps/web/snapshots --data-binary @"$fixture"
check "an upload answers 202 (nosniff)" answered_nosniff 202
snap_web=$(field .snapshot_id)
an_web=$(field .analysis_id)

# --- defect 5: a chunked upload past --max-upload answers 413 as soon as it is past ---
files=$(spool_files)
read -r answer sent seconds < <(python3 - "$port" "$key_a" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(("POST /api/v1/apps/big/snapshots HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Transfer-Encoding: chunked\r\n\r\n" % sys.argv[2]).encode())
chunk = b"\x1f\x8b" + b"\0" * 65534  # gzip magic: passes the sniffing, never ends
sent, start, answer = 0, time.time(), b""
s.settimeout(0.001)
while sent < (256 << 20) and not answer:
    try:
        s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        sent += len(chunk)
    except socket.timeout:
        pass
    except OSError:
        break
    try:
        answer = s.recv(4096) or b"closed"
    except socket.timeout:
        pass
    except OSError:
        break
s.settimeout(5)
try:
    answer = answer if answer not in (b"", b"closed") else s.recv(4096) or b"closed"
except OSError:
    answer = answer or b"reset"
print(answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/") else answer.decode(), sent,
      "%.1f" % (time.time() - start))
EOF
)
echo "POST /api/v1/apps/big/snapshots $answer" >>"$work/seen"
check "a chunked upload past --max-upload answers 413 (after ${sent} bytes, ${seconds} s)" test "$answer" = 413
check "... before 32 MiB of it were sent (the limit is $max_upload bytes)" test "$sent" -lt $((32 << 20))
check "... and keeps no file" test "$(spool_files)" = "$files"

# --- defect 9: sniffing ---
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$work/x.png"
echo "hello, this is not a heap snapshot" >"$work/x.txt"
echo '{"nodes": [1, 2, 3]}' >"$work/x.json"
printf 'MZ\x90\0\3\0\0\0' >"$work/x.exe"
rows=$(snapshot_rows)
declare -A says=([x.png]="a PNG image" [x.txt]="this is text" [x.json]="JSON that does not start with" [x.exe]="4d 5a 90 00")
for f in "${!says[@]}"; do
  call "$key_a" POST /api/v1/apps/web/snapshots --data-binary @"$work/$f"
  check "$f answers 415 saying '${says[$f]}'" is_error 415 unsupported_media_type "${says[$f]}"
  check "... without a server path" sh -c '! grep -qF "$1" "$2"' _ "$data" "$work/body"
done
call "$key_a" POST /api/v1/apps/web/snapshots -F snapshot=@"$work/x.png"
check "a PNG in a multipart form answers 415 too" is_error 415 unsupported_media_type "PNG"
check "... nothing of them was kept (files, rows)" test "$(spool_files) $(snapshot_rows)" = "$files $rows"
# what the real tools make of a snapshot passes the sniffing (made here when installed)
cp "$other" "$work/s.heapsnapshot"
(cd "$work" && for tool in gzip zstd xz bzip2 lz4; do
  command -v "$tool" >/dev/null && "$tool" -c s.heapsnapshot >"s.heapsnapshot.$tool" 2>/dev/null
done
command -v zip >/dev/null && zip -q s.zip s.heapsnapshot
tar -cf s.tar s.heapsnapshot)
cp "$fixtures/archive/small.7z" "$work/s.7z"
for f in "$work"/s.heapsnapshot.* "$work"/s.zip "$work"/s.tar "$work"/s.7z; do
  call "$key_a" POST /api/v1/apps/formats/snapshots --data-binary @"$f"
  check "${f##*/} (made by its tool) is accepted" test "$status" = 202
done
head -c 300 /dev/urandom >"$work/rand"
printf '\x1f\x8b' | cat - "$work/rand" >"$work/bad.gz"
call "$key_a" POST /api/v1/apps/web/snapshots --data-binary @"$work/bad.gz"
check "gzip magic with garbage behind is accepted (202) and analysed" test "$status" = 202
call "$key_a" GET "/api/v1/analyses/$(field .analysis_id)?wait=60"
check "... its analysis fails with a message that names no server path" \
  test "$(field .state)" = failed -a -n "$(field .error)" -a -z "$(field .error | grep -F "$data")"

# --- defect 8: labels ---
files=$(spool_files)
rows=$(snapshot_rows)
call "$key_a" POST "/api/v1/apps/web/snapshots?version=%ff%fe" --data-binary @"$other"
check "?version=%ff%fe answers 400 bad_label naming version" is_error 400 bad_label "'version' label is not valid UTF-8"
call "$key_a" POST "/api/v1/apps/web/snapshots?host=a%01b" --data-binary @"$other"
check "a control character in ?host= answers 400 naming host" is_error 400 bad_label "'host' label contains a control"
call "$key_a" POST /api/v1/apps/web/snapshots -F snapshot=@"$other" -F "branch=$(printf 'a\033[31mb')"
check "a control character in a form label answers 400 naming it" is_error 400 bad_label "'branch'"
call "$key_a" POST "/api/v1/apps/web/snapshots?commit=$(head -c 201 /dev/zero | tr '\0' c)" --data-binary @"$other"
check "a label of 201 bytes answers 400" is_error 400 bad_label "longer than 200"
check "... nothing of them was kept (files, rows)" test "$(spool_files) $(snapshot_rows)" = "$files $rows"
call "$key_a" POST "/api/v1/apps/web/snapshots?version=v%C3%A9-1" --data-binary @"$other"
check "a UTF-8 label is stored as it is" test "$status $(sql "SELECT version FROM snapshots WHERE id = $(field .snapshot_id)")" = "202 vé-1"

# --- defect 11: app names, HTTP strictness, JSON and nosniff everywhere ---
for name in . ..; do
  call "$key_a" POST "/api/v1/apps/$name/snapshots" --data-binary @"$other"
  check "app name '$name' answers 400 bad_app_name" is_error 400 bad_app_name
done
answer=$(printf 'GET /api/v1/apps HTTP/1.1\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' "$key_a" | raw)
check "HTTP/1.1 without Host answers 400 JSON with nosniff" \
  bash -c 'head -1 <<<"$1" | grep -q " 400 " && grep -q "\"bad_request\"" <<<"$1" && grep -qi "nosniff" <<<"$1"' _ "$answer"
answer=$(printf 'GET /api/v1/apps HTTP/1.0\r\nAuthorization: Bearer %s\r\n\r\n' "$key_a" | raw)
check "HTTP/1.0 without Host is fine" bash -c 'head -1 <<<"$1" | grep -q " 200 "' _ "$answer"
answer=$(printf 'POST /api/v1/apps/web/snapshots HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\n{"sn' "$key_a" | raw)
check "two different Content-Length headers answer 400 JSON" \
  bash -c 'head -1 <<<"$1" | grep -q " 400 " && grep -q "two different Content-Length" <<<"$1"' _ "$answer"
call "$key_a" GET /api/v1/nothing
check "an unknown route answers 404 JSON with nosniff" is_error 404 not_found
check "... with nosniff" answered_nosniff 404

# --- defect 8: DELETE /api/v1/snapshots/{id} and /api/v1/apps/{app} ---
{ cat "$other"; echo; } >"$work/del.json" # bytes no other app has
sha=$(sha256sum "$work/del.json" | cut -d' ' -f1)
call "$key_a" POST /api/v1/apps/keep/snapshots --data-binary @"$work/del.json"
call "$key_a" POST /api/v1/apps/gone/snapshots --data-binary @"$work/del.json"
snap_gone=$(field .snapshot_id)
call "$key_b" DELETE "/api/v1/snapshots/$snap_gone"
check "another customer's snapshot: DELETE answers 404" is_error 404 not_found
call "$key_a" DELETE "/api/v1/snapshots/$snap_gone"
check "DELETE of a snapshot answers 200 with what went" test "$status $(field .deleted) $(field .analyses)" = "200 snapshot 1"
check "... its rows are gone, its analysis with it" test "$(sql "SELECT count(*) FROM snapshots WHERE id = $snap_gone") $(sql "SELECT count(*) FROM analyses WHERE snapshot_id = $snap_gone")" = "0 0"
check "... its file stays: another app's snapshot has the same bytes" test -f "$data/spool/$sha"
call "$key_a" DELETE "/api/v1/snapshots/$snap_gone"
check "... a second DELETE answers 404" is_error 404 not_found
call "$key_b" DELETE /api/v1/apps/keep
check "another customer's app: DELETE answers 404" is_error 404 not_found
call "$key_a" DELETE /api/v1/apps/keep
check "DELETE of an app answers 200 with its snapshots and files" \
  test "$status $(field .snapshots) $(field .files_removed)" = "200 1 1"
check "... the file is gone now" test ! -e "$data/spool/$sha"
call "$key_a" GET /api/v1/apps/keep/snapshots
check "... and the app" is_error 404 not_found
call "$key_a" DELETE /api/v1/apps/..
check "DELETE of app '..' answers 400" is_error 400 bad_app_name

# --- defect 8: left-overs of a kill -9, retention, a job whose file is gone ---
call "$key_a" GET "/api/v1/analyses/$an_web?wait=120"
check "the first upload is analysed" test "$(field .state)" = done
web_file=$(sql "SELECT spool_path FROM snapshots WHERE id = $snap_web")
head -c 1900000 /dev/urandom | cat "$fixture" - | head -c 1900000 >"$work/slow.gz"
curl -s --limit-rate 200k -H "Authorization: Bearer $key_a" --data-binary @"$work/slow.gz" \
  "$base/api/v1/apps/slow/snapshots" >/dev/null 2>&1 &
slow=$!
sleep 2
kill -9 "$server"
wait "$server" 2>/dev/null
kill "$slow" 2>/dev/null
wait "$slow" 2>/dev/null
check "kill -9 during an upload leaves a .part file" test -n "$(find "$data/spool" -name '*.part')"
flock "$data/spool/live.part" sleep 30 &
holder=$!
sleep 0.5
sql "UPDATE snapshots SET uploaded_at = now() - interval '10 days' WHERE id = $snap_web" >/dev/null
serve "$work/s2.log" --keep-snapshots 7 || exit 1
check "the next start removes the .part the killed server left" grep -q "removed 1 partial upload" "$work/s2.log"
check "... not one a live upload holds" test -f "$data/spool/live.part"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
for _ in $(seq 1 50); do grep -q "retention:" "$work/s2.log" && break; sleep 0.2; done
check "--keep-snapshots 7 removes the file of a snapshot uploaded 10 days ago" test ! -e "$web_file"
check "... and records it on the snapshot" test "$(sql "SELECT bytes_removed_at IS NOT NULL FROM snapshots WHERE id = $snap_web")" = t
call "$key_a" GET /api/v1/apps/web/snapshots
check "... which the app's snapshot list shows" \
  test "$(field "[.snapshots[] | select(.id == $snap_web) | .bytes_removed_at != null] | first")" = true
check "... newer files stay" test -n "$(find "$data/spool" -type f -name '[0-9a-f]*' | head -1)"
call "$key_a" GET "/api/v1/analyses/$an_web/report"
check "... its results stay" test "$status" = 200
sql "UPDATE analyses SET state = 'failed', error = 'made to fail by the test', finished_at = now() WHERE id = $an_web" >/dev/null
call "$key_a" POST "/api/v1/analyses/$an_web/retry"
check "a retry of its analysis is queued" test "$status" = 202
call "$key_a" GET "/api/v1/analyses/$an_web?wait=60"
check "... and fails at once saying the file is gone, one attempt" \
  test "$(field .state) $(field .attempts) $(field .error_kind)" = "failed 1 bad_input" -a -n "$(field .error | grep -F 'file is gone')"

# --- the OpenAPI document lists every status seen here ---
call "" GET /api/v1/openapi.json
cp "$work/body" "$work/openapi.json"
check "every status a route answered here is in its OpenAPI responses" \
  python3 "$here/openapi_statuses.py" "$work/openapi.json" "$work/seen"

check "the server is still running" kill -0 "$server"
check "no sanitizer report in the servers' logs" test -z "$(grep -l 'Sanitizer\|runtime error' "$work"/s*.log)"
if [ "$failures" -eq 0 ]; then
  echo "all upload checks passed"
else
  echo "$failures upload check(s) failed"
  tail -n 20 "$work/s2.log" "$work/s1.log"
fi
[ "$failures" -eq 0 ]
