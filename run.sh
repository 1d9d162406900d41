#!/usr/bin/env bash
# Sets everything up and runs leaktriage. Until the service exists this
# analyses the example snapshot that ships with the project (or FILE).
# Usage: ./run.sh [FILE]
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
scripts/build.sh build
exec build/leaktriage analyze "${1:-tests/fixtures/seed-co.heapsnapshot.gz}"
