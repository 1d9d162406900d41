#!/usr/bin/env bash
# The private PostgreSQL's life and `admin list-keys`: two servers on one --data (different
# ports) share one cluster; stopping the first leaves the second's database running; an
# admin command beside the second does not stop it either; stopping the second, the last
# user, stops the cluster (no postmaster.pid). list-keys shows prefix, customer, created and
# revoked, never a key, for all customers or one; an unknown customer exits 2.
# Usage: private_pg.sh LEAKTRIAGE
set -uo pipefail
bin=$(realpath "$1")
. "$(dirname "$0")/common.bash"
server_test_init private_pg

port_a=$(free_port) port_b=$(free_port)
start_server "$work/a.log" "$port_a" || exit 1
pid_a=${pids[-1]}
start_server "$work/b.log" "$port_b" || exit 1
pid_b=${pids[-1]}
key=$(grep -A1 "shown once" "$work/a.log" | tail -1)
apps() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "http://127.0.0.1:$1/api/v1/apps"; }
check "both servers print the one cluster's URL" \
  bash -c "grep -qF 'database: postgresql:///leaktriage?host=$data/pg' '$work/a.log' && grep -qF 'database: postgresql:///leaktriage?host=$data/pg' '$work/b.log'"

stop_process "$pid_a"
check "the first server stopped: the second still answers /api/v1/apps" test "$(apps "$port_b")" = 200
check "... and the first left the cluster to it" bash -c "! grep -q 'stopped the private PostgreSQL' '$work/a.log'"

other=$("$bin" admin create-key default --data "$data" | tail -1)
"$bin" admin revoke-key "${other:0:11}" --data "$data" >/dev/null
LEAKTRIAGE_DATA=$data "$bin" admin list-keys >"$work/keys" 2>&1
check "list-keys (the data folder from \$LEAKTRIAGE_DATA) beside a server: exit 0" test $? -eq 0 || cat "$work/keys"
check "... a header and one line per key" test "$(wc -l <"$work/keys")" -eq 3
check "... the first key: its prefix, its customer, not revoked" \
  grep -qE "^${key:0:11} +default +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}Z +-$" "$work/keys"
check "... the revoked key with when" grep -qE "^${other:0:11} +default +[0-9-]{10} [0-9:]{8}Z +[0-9-]{10} [0-9:]{8}Z$" "$work/keys"
check "... never a key" bash -c "! grep -qF -e '$key' -e '$other' '$work/keys'"
check "the admin commands ended: the second server still answers" test "$(apps "$port_b")" = 200
"$bin" admin create-customer acme --data "$data" >/dev/null
check "list-keys CUSTOMER lists that customer's keys only" \
  test "$("$bin" admin list-keys acme --data "$data" | tail -n +2 | awk '{print $2}' | sort -u)" = acme
"$bin" admin list-keys nobody --data "$data" >/dev/null 2>"$work/err"
check "list-keys of an unknown customer exits 2" bash -c "[ $? -eq 2 ] && grep -q \"unknown customer 'nobody'\" '$work/err'"

stop_process "$pid_b"
check "the last server stopped: it stopped the cluster" grep -q "stopped the private PostgreSQL" "$work/b.log"
check "... no postmaster.pid left" test ! -e "$data/pg/postmaster.pid"
echo "$failures failed"
[ "$failures" -eq 0 ]
