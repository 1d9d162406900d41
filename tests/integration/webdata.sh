#!/usr/bin/env bash
# What a report page explores, over real HTTP against `leaktriage serve` and the real
# PostgreSQL it starts: upload seed-co, wait for its analysis; page every class in two
# orders with the keyset cursor and filter them by name; open the dominator tree from the
# root down the biggest rows, three levels through the collapsed 20,000-level chain (the
# chain row, its first level, the middle levels) to the last level; the retainer path of a
# node of the first and of the last level (past the collapsed levels); 400 naming the
# parameter for bad values; 404 for another customer's analysis.
# Usage: webdata.sh LEAKTRIAGE
# Prints one ok/FAIL line per check; exits 1 if any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.bash"
scratch_init webdata
bin=$(realpath "$1")
seed_co=$here/../fixtures/seed-co.heapsnapshot.gz
server_pid=

trap stop_all EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --workers 2 >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
  grep -q "listening on" "$work/serve.log" 2>/dev/null && break
  sleep 0.2
done
key=$(grep -A1 "shown once" "$work/serve.log" | tail -1)
other=$("$bin" admin create-customer other --data "$data" 2>/dev/null | tail -1)
check "the server starts and prints a key" grep -qE '^lt_[a-z0-9]{40}$' <<<"$key"
check "a second customer gets a key" grep -qE '^lt_[a-z0-9]{40}$' <<<"$other"
base=http://127.0.0.1:$port/api/v1

call() { # key path: status in $status, body in $work/body
  status=$(curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $1" "$base$2")
}
get() { call "$key" "$1"; cat "$work/body"; }
jqe() { jq -e "$@" >/dev/null; } # a jq condition as a check
is_400() { # path parameter: 400 whose message names the parameter
  call "$key" "$1"
  [ "$status" = 400 ] && jq -e --arg p "$2" '.error.message | contains($p)' "$work/body" >/dev/null
}

# -- the analysis ----------------------------------------------------------------
id=$(curl -s -H "Authorization: Bearer $key" --data-binary @"$seed_co" \
  "$base/apps/checkout/snapshots" | jq -r .analysis_id)
check "seed-co is analysed" test "$(get "/analyses/$id?wait=300" | jq -r .state)" = done

# -- classes, every one, paged in two orders ---------------------------------------
page_all() { # sort limit: every class's name, one per line, following next_cursor
  local cursor="" pages=0
  while :; do
    get "/analyses/$id/classes?sort=$1&limit=$2${cursor:+&cursor=$cursor}" >"$work/page"
    jq -r '.classes[] | [.class, .retained_size, .shallow_size, .count, .distance] | @tsv' "$work/page"
    pages=$((pages + 1))
    cursor=$(jq -r '.next_cursor // empty' "$work/page")
    [ -n "$cursor" ] && [ "$pages" -lt 1000 ] || break
  done
}
total=$(get "/analyses/$id/classes?limit=1000" | jq '.classes | length')
check "every class is stored (169 in seed-co)" test "$total" = 169
page_all retained 25 >"$work/by-retained"
page_all name 40 >"$work/by-name"
check "paged by retained size, 25 a page: every class once" test "$(sort -u "$work/by-retained" | wc -l)" = 169
check "... biggest first" bash -c "cut -f2 '$work/by-retained' | sort -s -n -r -c"
check "... global first" test "$(head -1 "$work/by-retained" | cut -f1)" = global
check "paged by name, 40 a page: every class once" test "$(sort -u "$work/by-name" | wc -l)" = 169
check "... in order of name" bash -c "cut -f1 '$work/by-name' | LC_ALL=C sort -c"
check "paged by count and by distance too" \
  test "$(page_all count 50 | wc -l)$(page_all distance 50 | wc -l)" = 169169
get "/analyses/$id/classes?q=SCHEDULE" >"$work/q"
check "q filters by class name (any case), with the allocation site's script and line" \
  jqe '.classes | length == 1 and .[0].class == "scheduleUpdatingTask" and .[0].count == 20000
         and (.[0].script | endswith("gen/seed-co.js")) and .[0].line == 31' "$work/q"

# -- the tree: down the biggest rows to the chain, then through it ----------------------
child() { # ref: the first (biggest) child row of that row, as JSON
  get "/analyses/$id/tree${1:+?node=$1}" | jq -c '.children[0]'
}
row=$(child "")
for _ in $(seq 1 12); do
  [ "$(jq -r .kind <<<"$row")" = chain ] && break
  row=$(child "$(jq -r .ref <<<"$row")")
done
check "the 20,000-level chain is one row on the path of the biggest rows" \
  jqe '.kind == "chain" and .count >= 19990 and .count <= 20010 and (.name | contains("Promise"))' <<<"$row"
levels=$(jq .count <<<"$row")
head=$(child "$(jq -r .ref <<<"$row")")
check "opened (1), it shows the first level's head, the chain's first node" \
  test "$(jq -r '.kind + " " + (.id | tostring)' <<<"$head")" = "node $(jq -r .id <<<"$row")"
row=$head
for _ in $(seq 1 16); do
  row=$(child "$(jq -r .id <<<"$row")") # by node id, as a page may open a listed object
  [ "$(jq -r .kind <<<"$row")" = chain ] && break
done
check "opened (2), the first level leads to one row of the middle levels" \
  jqe --argjson n "$levels" '.kind == "chain" and .count == $n - 2' <<<"$row"
last=$(child "$(jq -r .ref <<<"$row")")
check "opened (3), the middle levels give the last level" \
  jqe '.kind == "node" and .retained_size < 10000' <<<"$last"

# -- retainer paths ----------------------------------------------------------------------
get "/analyses/$id/path?node=$(jq -r .id <<<"$head")" >"$work/path"
check "the path of the chain's first node starts at the root and ends at it" \
  jqe --argjson id "$(jq .id <<<"$head")" '.from_root and .path[0].ref == "r0" and .path[-1].id == $id
     and ([.path[] | .skipped] | add) == 0 and any(.path[]; .edge == "_idleNext")' "$work/path"
get "/analyses/$id/path?node=$(jq -r .id <<<"$last")" >"$work/path"
check "the path of the last level skips the collapsed levels, in one step" \
  jqe '.from_root and ([.path[] | select(.skipped > 50000)] | length) == 1' "$work/path"

# -- errors -------------------------------------------------------------------------------
check "sort=size: 400 naming sort" is_400 "/analyses/$id/classes?sort=size" sort
check "limit=many: 400 naming limit" is_400 "/analyses/$id/classes?limit=many" limit
check "a made-up cursor: 400 naming cursor" is_400 "/analyses/$id/classes?cursor=zz" cursor
cursor=$(get "/analyses/$id/classes?limit=5" | jq -r .next_cursor)
check "a cursor of another order: 400 naming cursor" is_400 "/analyses/$id/classes?sort=name&cursor=$cursor" cursor
check "node=abc: 400 naming node" is_400 "/analyses/$id/tree?node=abc" node
check "a path needs a node: 400 naming node" is_400 "/analyses/$id/path" node
check "an unknown parameter: 400 naming it" is_400 "/analyses/$id/tree?depth=3" depth
call "$key" "/analyses/$id/tree?node=4000000000"
check "a node not in the summary: 404" test "$status" = 404
for route in "classes" "tree" "path?node=r0"; do
  call "$other" "/analyses/$id/$route"
  check "another customer's analysis: $route 404" test "$status" = 404
done

echo "$failures failed"
[ "$failures" -eq 0 ]
