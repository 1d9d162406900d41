#!/usr/bin/env bash
# Sets everything up and runs the leaktriage service on http://127.0.0.1:8080:
# a private PostgreSQL in ./data unless LEAKTRIAGE_DATABASE_URL (or --database)
# is given; on first start it prints the first API key.
# Usage: ./run.sh [serve options: --listen ADDR:PORT --data DIR --workers N ...]
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
scripts/build.sh build
exec build/leaktriage serve "$@"
