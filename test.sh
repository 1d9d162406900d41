#!/usr/bin/env bash
# Sets everything up and runs every test: the Release build, then the unit
# tests again under AddressSanitizer + UndefinedBehaviorSanitizer. Ends with a
# CTest summary per build and a last line "N passed, N failed".
# Usage: ./test.sh
set -uo pipefail
cd "$(dirname "$0")"
scripts/setup.sh || exit 1

passed=0
failed=0
run_suite() { # name build-dir cmake-args...
  local name=$1 dir=$2
  shift 2
  echo "== $name =="
  if ! scripts/build.sh "$dir" "$@"; then
    echo "build of $name failed"
    failed=$((failed + 1))
    return
  fi
  local log
  log=$(mktemp)
  (cd "$dir" && ctest --output-on-failure -j2 2>&1) | tee "$log"
  local p f
  p=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$log" || true)
  f=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(Failed|Exception|Timeout|Not Run)' "$log" || true)
  passed=$((passed + p))
  failed=$((failed + f))
  rm -f "$log"
}

run_suite "release" build
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite "asan+ubsan" build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLT_ASAN=ON -DLT_UBSAN=ON

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
