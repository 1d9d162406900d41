#!/usr/bin/env bash
# Sets everything up and runs every test, in four suites, each its own build:
#   release     gcc, Release: unit, CLI and integration tests (real PostgreSQL, real HTTP)
#   asan+ubsan  gcc, AddressSanitizer + UndefinedBehaviorSanitizer: unit and CLI tests
#   clang       clang -Werror, Release, every target: unit and CLI tests, and each libFuzzer
#               target (tests/fuzz) for a fixed time
#   tsan        clang, ThreadSanitizer: the threaded parts (the archive reader thread's
#               unit test, the snapshot reader's with its helper thread and its packing of
#               the edges, the edge codes' packing on a thread of its own, the memory kept
#               between analyses, which both stage threads share, the worker-pool
#               integration test against PostgreSQL, whose analyses run every stage thread)
# Prints each suite's time ("== release: 41 s =="), ends with every suite's CTest summary
# and a last line "N passed, N failed". A build that fails counts as one failure.
# Usage: ./test.sh
set -uo pipefail
cd "$(dirname "$0")"
scripts/setup.sh || exit 1

passed=0
failed=0
summaries=()
run_suite() { # name build-dir ctest-args cmake-args...
  local name=$1 dir=$2 filter=$3 start=$SECONDS
  shift 3
  echo "== $name =="
  if ! scripts/build.sh "$dir" "$@"; then
    echo "build of $name failed"
    failed=$((failed + 1))
    summaries+=("== $name: build failed ==")
    return
  fi
  local log
  log=$(mktemp)
  # shellcheck disable=SC2086 # filter is several ctest arguments
  (cd "$dir" && ctest --output-on-failure -j2 $filter 2>&1) | tee "$log"
  local p f
  p=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$log" || true)
  f=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(Failed|Exception|Timeout|Not Run)' "$log" || true)
  passed=$((passed + p))
  failed=$((failed + f))
  local took=$((SECONDS - start))
  echo "== $name: $took s =="
  summaries+=("== $name: $took s == $(grep -E 'tests passed' "$log" | tail -1)")
  rm -f "$log"
}

run_suite "release" build ""
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite "asan+ubsan" build-asan "-E ^integration_" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLT_ASAN=ON -DLT_UBSAN=ON
run_suite "clang" build-clang "-E ^integration_" -DCMAKE_C_COMPILER=clang -DLT_WERROR=ON -DLT_FUZZ=ON
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  run_suite "tsan" build-tsan "-R ^(test_archive_input|test_snapshot_reader|test_edge_codes|test_big_alloc|test_kept_memory|integration_jobs)$" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DLT_TSAN=ON

echo
printf '%s\n' "${summaries[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
