#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time, starting from the inputs in
# tests/fuzz/seeds/NAME/ (the first 3,000 bytes of real fixtures: `zcat
# tests/fixtures/X.heapsnapshot.gz | head -c 3000`, so mutations start past a valid header)
# and with the dictionary tests/fuzz/NAME.dict when there is one. CTest runs it for each
# fuzz_*.c (LT_FUZZ=ON).
# A crash, leak, UBSan report or timeout fails it; the input that caused it is kept in
# OUT_DIR (crash-*, leak-*, timeout-*) to replay with `FUZZER FILE`.
# Usage: tests/fuzz/run.sh FUZZER OUT_DIR SECONDS
set -euo pipefail
fuzzer=${1:?usage: run.sh FUZZER OUT_DIR SECONDS}
out=${2:?usage: run.sh FUZZER OUT_DIR SECONDS}
seconds=${3:?usage: run.sh FUZZER OUT_DIR SECONDS}
here=$(dirname "$0")
name=$(basename "$fuzzer")
dict=$here/$name.dict

rm -rf "$out/corpus"
mkdir -p "$out/corpus"
[ -d "$here/seeds/$name" ] && cp "$here/seeds/$name"/* "$out/corpus/"
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/")
[ -f "$dict" ] && args+=(-dict="$dict")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$fuzzer" "${args[@]}" "$out/corpus"
