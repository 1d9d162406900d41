#!/usr/bin/env bash
# Browser sign-in and the pages over real HTTP against a real PostgreSQL, with curl playing
# the browser: POST /api/v1/session with a key sets an HttpOnly, SameSite=Strict cookie
# (Secure behind a TLS proxy); the cookie is accepted by a second server on the same
# database; state-changing requests with the cookie need the CSRF token; sign out and a
# revoked key end the session. The pages: every page path answers the page shell with the
# security headers, files under /static/ with their types, from the built-in copy and from
# a --static folder.
# Usage: tests/integration/session.sh PATH/TO/leaktriage PATH/TO/http_test_main
set -uo pipefail
driver=$(realpath "${2:?usage: session.sh PATH/TO/leaktriage PATH/TO/http_test_main}")
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/common.bash"
scratch_init session

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  stop_cluster "$data"
  rm -rf "$work"
}
trap cleanup EXIT

start() { # name [static-dir]: starts a driver, sets port_NAME
  "$driver" "$data" "$src/migrations" $((8 << 20)) ${2:+"$2"} >"$work/$1.out" 2>"$work/$1.err" &
  pids+=($!)
  for _ in $(seq 1 600); do
    grep -q '^conninfo ' "$work/$1.out" 2>/dev/null && break
    sleep 0.1
  done
  printf -v "port_$1" %s "$(sed -n 's/^port //p' "$work/$1.out")"
}
start a
cp -r "$src/static" "$work/static"
echo '<!doctype html><title>from the folder</title>' >"$work/static/page.html"
start b "$work/static"
conninfo=$(sed -n 's/^conninfo //p' "$work/a.out")
[ -n "$port_a" ] && [ -n "$port_b" ] || { cat "$work"/*.err; fail "both servers start"; exit 1; }
a=http://127.0.0.1:$port_a
b=http://127.0.0.1:$port_b
sql() { psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

key="lt_$(head -c 64 /dev/urandom | base32 | tr -dc 'a-z2-7' | tr 'A-Z' 'a-z' | head -c 40)"
sql "INSERT INTO customers (name) VALUES ('acme');
     INSERT INTO api_keys (customer_id, prefix, hash) SELECT id, '${key:3:8}',
       decode('$(printf %s "$key" | sha256sum | cut -d' ' -f1)', 'hex') FROM customers" >/dev/null

req() { # [curl args...] url: status in $status, headers in $work/h, body in $work/body
  status=$(curl -s -D "$work/h" -o "$work/body" -w '%{http_code}' "$@")
}
header() { grep -i "^$1:" "$work/h" | cut -d' ' -f2- | tr -d '\r'; }
field() { jq -r "$1" "$work/body" 2>/dev/null; }
sign_in() { req -H 'Content-Type: application/json' --data "{\"key\": \"$1\"}" "${@:2}"; }

# --- signing in ---
sign_in lt_wrong "$a/api/v1/session"
check "a wrong key answers 401 unauthorized" test "$status $(field .error.code)" = "401 unauthorized"
check "... and sets no cookie" test -z "$(header Set-Cookie)"
req --data "key=$key" "$a/api/v1/session"
check "a form post (not JSON) answers 415" test "$status" = 415
sign_in "$key" "$a/api/v1/session"
check "the right key answers 201 with the customer" test "$status $(field .customer)" = "201 acme"
cookie=$(header Set-Cookie)
csrf=$(field .csrf_token)
check "the cookie is HttpOnly and SameSite=Strict, not Secure over plain HTTP" \
  bash -c '[[ "$1" == *HttpOnly* && "$1" == *SameSite=Strict* && "$1" != *Secure* ]]' _ "$cookie"
check "a 64-hex CSRF token comes back" grep -qE '^[0-9a-f]{64}$' <<<"$csrf"
check "the key is stored nowhere in the session row" test "$(sql "SELECT count(*) FROM sessions WHERE csrf_token = '$key'")" = 0
session=$(sed 's/;.*//' <<<"$cookie")
sign_in "$key" -H 'X-Forwarded-Proto: https' "$a/api/v1/session"
check "behind a TLS proxy the cookie is Secure" grep -q '; Secure' <<<"$(header Set-Cookie)"

# --- using the cookie, on another server of the same database ---
req -H "Cookie: $session" "$b/api/v1/apps"
check "server B accepts the cookie server A made" test "$status" = 200
req -H "Cookie: $session" "$b/api/v1/session"
check "GET /session says who and how" test "$(field .customer) $(field .via) $(field .csrf_token)" = "acme session $csrf"
req -H "Authorization: Bearer $key" "$a/api/v1/session"
check "with the key itself: via key, no CSRF token" test "$(field .via) $(field .csrf_token)" = "key null"
fixture=$src/tests/fixtures/fixed-loop.heapsnapshot.gz
req -H "Cookie: $session" --data-binary @"$fixture" "$a/api/v1/apps/web/snapshots"
check "an upload with the cookie but no CSRF token answers 403 csrf_failed" test "$status $(field .error.code)" = "403 csrf_failed"
# a token one hex digit off (its first changed: a token need not hold any given digit)
wrong_csrf=$([ "${csrf:0:1}" = 0 ] && echo 1 || echo 0)${csrf:1}
req -H "Cookie: $session" -H "X-CSRF-Token: $wrong_csrf" --data-binary @"$fixture" "$a/api/v1/apps/web/snapshots"
check "... a wrong CSRF token too" test "$status" = 403
req -H "Cookie: $session" -H "X-CSRF-Token: $csrf" --data-binary @"$fixture" "$b/api/v1/apps/web/snapshots"
check "... with its CSRF token it is stored (202)" test "$status" = 202
req -H "Cookie: lt_session=$(printf '%064d' 0)" "$a/api/v1/apps"
check "an unknown session answers 401" test "$status $(field .error.code)" = "401 unauthorized"

# --- signing out, revoking ---
req -X DELETE -H "Cookie: $session" "$a/api/v1/session"
check "sign out without the CSRF token answers 403" test "$status" = 403
req -X DELETE -H "Cookie: $session" -H "X-CSRF-Token: $csrf" "$a/api/v1/session"
check "sign out answers 200 and clears the cookie" test "$status" = 200 -a -n "$(header Set-Cookie | grep 'Max-Age=0')"
req -H "Cookie: $session" "$b/api/v1/apps"
check "after sign out the cookie is refused everywhere" test "$status" = 401
sign_in "$key" "$a/api/v1/session"
second=$(header Set-Cookie | sed 's/;.*//')
sql "UPDATE api_keys SET revoked_at = now()" >/dev/null
req -H "Cookie: $second" "$a/api/v1/apps"
check "revoking the key ends its sessions" test "$status" = 401

# --- the pages ---
for path in / /upload /apps/web /reports/1 /leaks/1 "/?status=new&kind=recursive_chain"; do
  req "$a$path"
  check "page $path: 200 HTML" test "$status $(header Content-Type)" = "200 text/html; charset=utf-8"
  check "page $path: the built-in page shell" cmp -s "$work/body" "$src/static/page.html"
done
csp=$(header Content-Security-Policy)
check "pages send a CSP without inline scripts" bash -c '[[ "$1" == *"script-src '"'self'"';"* && "$1" != *unsafe-inline* ]]' _ "$csp"
check "... and frame-ancestors 'none'" grep -q "frame-ancestors 'none'" <<<"$csp"
check "... and X-Content-Type-Options: nosniff" test "$(header X-Content-Type-Options)" = nosniff
for f in "$src"/static/*; do
  name=$(basename "$f")
  req "$a/static/$name"
  check "/static/$name: 200, same bytes" test "$status" = 200 -a "$(cmp -s "$work/body" "$f" && echo same)" = same
done
req "$a/static/main.js"
check "scripts are text/javascript" test "$(header Content-Type)" = "text/javascript; charset=utf-8"
req "$a/static/nothing.js"
check "a missing file answers 404" test "$status" = 404
req --path-as-is "$a/static/..%2Fpage.html"
check "a name with a path in it answers 404" test "$status" = 404
req "$a/reports/1?x=1"
check "a page with an unknown query parameter answers 400" test "$status" = 400
req "$b/"
check "--static DIR serves the folder's page" grep -q "from the folder" "$work/body"
req "$b/static/main.js"
check "--static DIR serves the folder's files" cmp -s "$work/body" "$work/static/main.js"

[ "$failures" -eq 0 ] && echo "all session and page checks passed"
[ "$failures" -eq 0 ]
