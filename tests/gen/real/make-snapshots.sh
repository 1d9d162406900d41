#!/usr/bin/env bash
# Makes heap snapshots of real programs on every producer: node 20, 22, 24, Deno, Bun, Chromium.
#
# Usage: tests/gen/real/make-snapshots.sh OUTDIR [NAME...]
#   NAME is PRODUCER-PROGRAM (e.g. node24-typescript, bun-koa, chromium-prettier); without
#   names, the default list below. Writes OUTDIR/NAME.heapsnapshot.gz (gzip -9) and appends
#   the program's JSON line (runtime, versions, node/edge counts, timings) to
#   OUTDIR/snapshots.jsonl. Producers: node20 (node on PATH, must be v20), node22, node24,
#   deno, bun, chromium. Programs: typescript, eslint, prettier, rollup, express, koa,
#   fastify (run-program.mjs; chromium: typescript, prettier, rollup, browser/programs.js).
# Cache: $LT_REAL_CACHE (default /var/tmp/leaktriage-real) gets npm install of package.json
#   (exact versions, package-lock.json) and, in CACHE/runtimes, npm's node@22, node@24, deno
#   and bun (their install scripts approved and rebuilt, as npm 11 asks). Runtimes already
#   installed elsewhere can be given as $NODE22, $NODE24, $DENO, $BUN (paths to binaries).
#   Chromium is Debian's /usr/bin/chromium (apt-get install -y --no-install-recommends chromium).
# Not run in CI. Timing on 2 cores: 1-3 s per snapshot, except TypeScript processes:
#   Bun 9 s, node 24 14 s, Chromium 30 s, and node 20 over 15 minutes
#   (v8.writeHeapSnapshot of the compiler's heap is that slow on V8 11.3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make-snapshots.sh OUTDIR [NAME...]}; shift
cache=${LT_REAL_CACHE:-/var/tmp/leaktriage-real}
defaults=(node20-express node20-eslint node20-typescript node22-koa node22-eslint node22-express
          node22-typescript node24-fastify node24-prettier node24-typescript deno-koa deno-express
          deno-eslint deno-prettier deno-rollup deno-fastify deno-typescript bun-koa bun-express
          bun-rollup bun-eslint bun-prettier bun-typescript chromium-rollup chromium-prettier
          chromium-typescript)
[ $# -gt 0 ] || set -- "${defaults[@]}"
mkdir -p "$out" "$cache"
out=$(cd "$out" && pwd)

install_packages() {
  if ! cmp -s "$here/package-lock.json" "$cache/package-lock.json" || [ ! -d "$cache/node_modules" ]; then
    cp "$here/package.json" "$here/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --no-audit --no-fund >&2)
  fi
}

# Prints the path of a runtime binary, installing its npm package into CACHE/runtimes first.
runtime_binary() {  # PACKAGE BIN
  local dir=$cache/runtimes
  if [ ! -x "$dir/node_modules/.bin/$2" ]; then
    mkdir -p "$dir"
    (cd "$dir" && [ -f package.json ] || echo '{"private": true}' > package.json
     npm install --no-audit --no-fund "$1" >&2
     npm install-scripts approve "${1%@*}" >&2 || true
     npm rebuild "${1%@*}" >&2) || return 1
  fi
  echo "$dir/node_modules/.bin/$2"
}

producer_command() {  # PRODUCER -> the command that runs run-program.mjs
  case $1 in
    node20) node --version | grep -q '^v20\.' || { echo "node on PATH is not v20" >&2; return 1; }; echo node ;;
    node22) echo "${NODE22:-$(runtime_binary node@22 node)}" ;;
    node24) echo "${NODE24:-$(runtime_binary node@24 node)}" ;;
    deno) echo "${DENO:-$(runtime_binary deno deno)} run --allow-all" ;;
    bun) echo "${BUN:-$(runtime_binary bun bun)}" ;;
    *) echo "unknown producer $1" >&2; return 1 ;;
  esac
}

make_one() {  # NAME
  local producer=${1%%-*} program=${1#*-} raw=$out/$1.heapsnapshot cmd
  if [ "$producer" = chromium ]; then
    [ -x /usr/bin/chromium ] || { echo "$1: /usr/bin/chromium missing" >&2; return 1; }
    node "$here/chromium-run.mjs" "$program" "$raw" "$cache" | tee -a "$out/snapshots.jsonl"
  else
    cmd=$(producer_command "$producer") || return 1
    (cd "$cache" && $cmd "$here/run-program.mjs" "$program" "$raw" "$cache") | tee -a "$out/snapshots.jsonl"
  fi
  gzip -9 -f "$raw"
}

install_packages
status=0
for name in "$@"; do make_one "$name" || { echo "$name: FAILED" >&2; status=1; }; done
exit $status
