#!/usr/bin/env bash
# The bad-input matrix of README "Reliability": sends each bad input through HTTP (a
# private `leaktriage serve` on 127.0.0.1 with its own PostgreSQL, --max-upload 1 MiB)
# and through the CLI, and prints one Markdown table row per case with what came back:
# HTTP status and the error's code and message (for an accepted upload, the state and
# error of its analysis after ?wait=), or the CLI's exit code and first stderr line.
# Loopback only; takes about a minute; not run by CI (it needs PostgreSQL).
# Usage: tests/load/bad_inputs.sh [PATH/TO/leaktriage] > table.md   (default build/leaktriage)
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$src/build/leaktriage}")
. "$src/tests/integration/common.bash"
server_test_init bad-inputs
port=$(free_port)
base=http://127.0.0.1:$port
gen=$work/gen
mkdir -p "$gen"
"$bin" migrate --data "$data" > "$work/m.out" 2>&1 || { cat "$work/m.out"; exit 1; }
"$bin" admin create-customer alpha --data "$data" > "$work/a.out" 2>&1 || { cat "$work/a.out"; exit 1; }
key=$(tail -1 "$work/a.out")
"$bin" admin create-customer beta --data "$data" > "$work/b.out" 2>&1
key_b=$(tail -1 "$work/b.out")
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --workers 1 --max-upload 1048576 > "$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do grep -q "listening on" "$work/serve.log" 2>/dev/null && break; sleep 0.2; done

# --- inputs ---
snap=$src/tests/fuzz/seeds/fuzz_analyze/linked-list # 60 nodes of a real snapshot, 4 KB
full=$gen/linked-list.heapsnapshot
zcat "$fixtures/findings/linked-list.heapsnapshot.gz" > "$full"
head -c 1000 "$fixtures/findings/linked-list.heapsnapshot.gz" > "$gen/truncated.gz"
head -c 4096 /dev/urandom > "$gen/random.bin"
: > "$gen/empty"
echo '{}' > "$gen/empty-object.json"
echo 'hello, not a snapshot' > "$gen/text.txt"
head -c 300000 "$full" > "$gen/cut.heapsnapshot"
(cd "$gen" && cp text.txt notes.txt && zip -q no-snapshot.zip notes.txt)
head -c $((1 << 30)) /dev/zero | gzip -1 > "$gen/zeros-1g.gz"
python3 -c "
import sys; sys.stdout.write('{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\"],\"node_types\":[[\"hidden\"]],\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],\"edge_types\":[[\"element\"]]},\"node_count\":2,\"edge_count\":1},\"nodes\":[0,0,1,16,1,0,0,3,8,0],\"edges\":[0,0,99],\"strings\":[\"(root)\"]}')
" > "$gen/edge-out-of-range.heapsnapshot"
printf '{"snapshot":{"meta":{}},"nodes":[1,2,3' > "$gen/bad-meta.heapsnapshot"
head -c $((2 * 1024 * 1024)) /dev/urandom > "$gen/2m.bin"
long=$(printf 'a%.0s' $(seq 1 200))

n=0
row() { n=$((n + 1)); printf '| %d | %s | %s | %s |\n' "$n" "$1" "$2" "$3"; }
# Describes an HTTP answer in $work/body: "STATUS" and "code: message" (or the analysis).
answer() { # what status
  local what=$1 status=$2 detail
  detail=$(python3 - "$work/body" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    t = open(sys.argv[1], 'rb').read()[:80].decode('utf-8', 'replace').replace('\n', ' ')
    print(('(not JSON) ' + t) if t else '(empty body)'); sys.exit()
e = d.get('error') if isinstance(d, dict) else None
if e:
    print(f"{e.get('code')}: {e.get('message')}")
elif isinstance(d, dict) and 'analysis_id' in d:
    print(f"accepted, analysis {d['analysis_id']}")
else:
    print(json.dumps(d)[:100])
PY
)
  if [[ $detail == accepted* ]]; then
    local id=${detail##* }
    curl -s -H "Authorization: Bearer $key" "$base/api/v1/analyses/$id?wait=60" > "$work/body"
    detail="$status, then analysis: $(python3 -c "
import json,sys; d=json.load(open('$work/body')); print(d.get('state'), '-', (d.get('error') or d.get('message') or '')[:160])")"
  fi
  detail=${detail//|/\\|}
  row "$what" "$status" "$detail"
}
http() { # what curl-args...
  local what=$1 status
  shift
  status=$(curl -s -o "$work/body" -w '%{http_code}' "$@")
  answer "$what" "$status"
}
auth=(-H "Authorization: Bearer $key")
up=$base/api/v1/apps/shop/snapshots
cli() { # what args...
  local what=$1 rc
  shift
  timeout 120 "$bin" "$@" > /dev/null 2> "$work/err"
  rc=$?
  local msg
  msg=$(head -1 "$work/err" | cut -c1-180 | sed "s|$gen/||g; s|$gen|FOLDER|g; s/|/\\\\|/g")
  row "$what" "exit $rc" "$msg"
}

echo '| # | bad input | answer | code: message |'
echo '|---|---|---|---|'
http "HTTP: no Authorization header" "$base/api/v1/apps"
http "HTTP: unknown API key" -H "Authorization: Bearer lt_nosuchkeynosuchkeynosuchkey" "$base/api/v1/apps"
http "HTTP: Authorization not Bearer" -H "Authorization: Basic YTpi" "$base/api/v1/apps"
http "HTTP: unknown path" "${auth[@]}" "$base/api/v1/nothing"
http "HTTP: wrong method (DELETE /api/v1/apps)" "${auth[@]}" -X DELETE "$base/api/v1/apps"
http "HTTP: unknown query parameter" "${auth[@]}" "$base/api/v1/apps?colour=red"
http "HTTP: misspelt filter on leaks" "${auth[@]}" "$base/api/v1/leaks?stauts=new"
http "HTTP: app name with a space" "${auth[@]}" --data-binary @"$snap" "$base/api/v1/apps/a%20b/snapshots"
http "HTTP: app name of 200 characters" "${auth[@]}" --data-binary @"$snap" "$base/api/v1/apps/$long/snapshots"
http "HTTP: app name with NUL (%00)" "${auth[@]}" --data-binary @"$snap" "$base/api/v1/apps/a%00b/snapshots"
http "HTTP: label of 300 bytes" "${auth[@]}" --data-binary @"$snap" "$up?version=$long$long"
http "HTTP: empty upload" "${auth[@]}" --data-binary @"$gen/empty" "$up"
http "HTTP: upload over --max-upload (Content-Length)" "${auth[@]}" --data-binary @"$gen/2m.bin" "$up"
http "HTTP: upload over --max-upload (chunked)" "${auth[@]}" -H "Transfer-Encoding: chunked" --data-binary @"$gen/2m.bin" "$up"
http "HTTP: multipart without a snapshot field" "${auth[@]}" -F "version=1" "$up"
http "HTTP: multipart with two snapshot fields" "${auth[@]}" -F "snapshot=@$snap" -F "snapshot=@$snap" "$up"
http "HTTP: multipart without boundary" "${auth[@]}" -H "Content-Type: multipart/form-data" --data-binary @"$snap" "$up"
printf -- '--B\r\nContent-Disposition: form-data; name="snapshot"; filename="a"\r\n\r\n{"snap' > "$gen/cut-form"
http "HTTP: multipart body cut short" "${auth[@]}" -H "Content-Type: multipart/form-data; boundary=B" --data-binary @"$gen/cut-form" "$up"
http "HTTP: random bytes" "${auth[@]}" --data-binary @"$gen/random.bin" "$up"
http "HTTP: plain text" "${auth[@]}" --data-binary @"$gen/text.txt" "$up"
http "HTTP: JSON that is not a snapshot ({})" "${auth[@]}" --data-binary @"$gen/empty-object.json" "$up"
http "HTTP: truncated gzip" "${auth[@]}" --data-binary @"$gen/truncated.gz" "$up"
http "HTTP: snapshot cut at 300 KB" "${auth[@]}" --data-binary @"$gen/cut.heapsnapshot" "$up"
http "HTTP: zip without a .heapsnapshot" "${auth[@]}" --data-binary @"$gen/no-snapshot.zip" "$up"
http "HTTP: edge to a node out of range" "${auth[@]}" --data-binary @"$gen/edge-out-of-range.heapsnapshot" "$up"
http "HTTP: gzip bomb (1 GiB of zeros, 1 MB gz)" "${auth[@]}" --data-binary @"$gen/zeros-1g.gz" "$up"
http "HTTP: analysis id not a number" "${auth[@]}" "$base/api/v1/analyses/abc"
http "HTTP: analysis id that does not exist" "${auth[@]}" "$base/api/v1/analyses/99999999"
http "HTTP: ?wait=abc" "${auth[@]}" "$base/api/v1/analyses/1?wait=abc"
http "HTTP: ?wait=-1" "${auth[@]}" "$base/api/v1/analyses/1?wait=-1"
http "HTTP: ?limit=-5" "${auth[@]}" "$base/api/v1/apps/shop/snapshots?limit=-5"
http "HTTP: ?limit=99999999999999999999" "${auth[@]}" "$base/api/v1/apps/shop/snapshots?limit=99999999999999999999"
http "HTTP: another customer's analysis" -H "Authorization: Bearer $key_b" "$base/api/v1/analyses/1"
http "HTTP: PATCH app with broken JSON" "${auth[@]}" -X PATCH -H "Content-Type: application/json" --data '{"name":' "$base/api/v1/apps/shop"
http "HTTP: PATCH leak that does not exist" "${auth[@]}" -X PATCH -H "Content-Type: application/json" --data '{"status":"fixed"}' "$base/api/v1/leaks/99999999"
http "HTTP: sign-in with broken JSON" -H "Content-Type: application/json" --data '{{' "$base/api/v1/session"
http "HTTP: path traversal in /static/" --path-as-is "$base/static/../../etc/passwd"
http "HTTP: encoded path traversal in /static/" "$base/static/..%2f..%2fetc%2fpasswd"
http "HTTP: URL of 100 KB" "${auth[@]}" "$base/api/v1/apps?$(head -c 100000 /dev/zero | tr '\0' a)"
http "HTTP: header of 100 KB" "${auth[@]}" -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' a)" "$base/api/v1/apps"
http "HTTP: Content-Length not a number" "${auth[@]}" -H "Content-Length: abc" --data-binary @"$snap" "$up"
cli "CLI: analyze a missing file" analyze "$gen/missing.heapsnapshot"
cli "CLI: analyze an empty file" analyze "$gen/empty"
cli "CLI: analyze a folder" analyze "$gen"
cli "CLI: analyze random bytes" analyze "$gen/random.bin"
cli "CLI: analyze plain text" analyze "$gen/text.txt"
cli "CLI: analyze {}" analyze "$gen/empty-object.json"
cli "CLI: analyze a truncated gzip" analyze "$gen/truncated.gz"
cli "CLI: analyze a snapshot cut at 300 KB" analyze "$gen/cut.heapsnapshot"
cli "CLI: analyze a zip without a .heapsnapshot" analyze "$gen/no-snapshot.zip"
cli "CLI: analyze an edge out of range" analyze "$gen/edge-out-of-range.heapsnapshot"
cli "CLI: analyze meta without fields" analyze "$gen/bad-meta.heapsnapshot"
cli "CLI: analyze a gzip bomb (1 GiB of zeros)" analyze "$gen/zeros-1g.gz"
cli "CLI: analyze with an unknown option" analyze "$snap" --colour
cli "CLI: upload with a bad app name" upload "$snap" --app "a b" --server "$base" --key "$key"
cli "CLI: upload with a wrong key" upload "$snap" --app shop --server "$base" --key lt_wrong
cli "CLI: upload to a port nobody listens on" upload "$snap" --app shop --server "http://127.0.0.1:1" --key "$key"
cli "CLI: upload over the server's limit" upload "$gen/2m.bin" --app shop --server "$base" --key "$key"
