#!/usr/bin/env bash
# Sets everything up and runs every test: the Release build (unit, CLI and
# integration tests against a real PostgreSQL and real HTTP), then the unit
# and CLI tests again under AddressSanitizer + UndefinedBehaviorSanitizer. Ends with a
# CTest summary per build and a last line "N passed, N failed".
# Usage: ./test.sh
set -uo pipefail
cd "$(dirname "$0")"
scripts/setup.sh || exit 1

passed=0
failed=0
run_suite() { # name build-dir ctest-filter cmake-args...
  local name=$1 dir=$2 filter=$3
  shift 3
  echo "== $name =="
  if ! scripts/build.sh "$dir" "$@"; then
    echo "build of $name failed"
    failed=$((failed + 1))
    return
  fi
  local log
  log=$(mktemp)
  (cd "$dir" && ctest --output-on-failure -j2 $filter 2>&1) | tee "$log"
  local p f
  p=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$log" || true)
  f=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(Failed|Exception|Timeout|Not Run)' "$log" || true)
  passed=$((passed + p))
  failed=$((failed + f))
  rm -f "$log"
}

run_suite "release" build ""
# unit and CLI tests again under the sanitizers (the integration tests build
# their own drivers and run against the release build above)
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite "asan+ubsan" build-asan "-E ^integration_" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLT_ASAN=ON -DLT_UBSAN=ON

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
