#!/usr/bin/env bash
# Options from environment variables (cli_common): every serve, migrate and admin option is
# also LEAKTRIAGE_<NAME> (--max-upload is LEAKTRIAGE_MAX_UPLOAD, --database keeps
# LEAKTRIAGE_DATABASE_URL); a bad value in a variable is a usage error (exit 2) naming the
# variable; the same option on the command line wins, so its variable is not even read; an
# empty variable is unset; --help lists every variable. Needs no database (every case stops
# at a usage error before serve opens anything). Usage: env.sh LEAKTRIAGE FIXTURES_DIR
set -uo pipefail
. "$(dirname "$0")/common.bash"

usage_error_naming() { # want-fragment env-assignment... -- command args...
  local want=$1
  shift
  local vars=()
  while [ "$1" != -- ]; do vars+=("$1"); shift; done
  shift
  env "${vars[@]}" "$bin" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  [ $rc -eq 2 ] && [ ! -s "$work/out" ] && head -1 "$work/err" | grep -qF -- "$want"
}

check "serve: a bad LEAKTRIAGE_WORKERS is a usage error naming the variable" \
  usage_error_naming '$LEAKTRIAGE_WORKERS (--workers) takes a number from 1 to 256' LEAKTRIAGE_WORKERS=0 -- serve
check "serve: LEAKTRIAGE_MAX_UPLOAD is --max-upload" \
  usage_error_naming '$LEAKTRIAGE_MAX_UPLOAD (--max-upload) takes a number' LEAKTRIAGE_MAX_UPLOAD=8G -- serve
check "serve: a multi-word option's variable (--max-connections-per-ip)" \
  usage_error_naming '$LEAKTRIAGE_MAX_CONNECTIONS_PER_IP' LEAKTRIAGE_MAX_CONNECTIONS_PER_IP=x -- serve
check "serve: the command line's --workers wins, its variable is not read" \
  usage_error_naming '--public-url must start with http' LEAKTRIAGE_WORKERS=0 -- serve --workers 2 --public-url ftp://x
check "serve: a text variable is taken (LEAKTRIAGE_PUBLIC_URL reaches --public-url's check)" \
  usage_error_naming '--public-url must start with http' LEAKTRIAGE_PUBLIC_URL=ftp://x -- serve
check "serve: an empty variable is unset" \
  usage_error_naming '--public-url must start with http' LEAKTRIAGE_WORKERS= -- serve --public-url ftp://x
check "admin: a usage error is still reported before any variable" \
  usage_error_naming "needs COMMAND" LEAKTRIAGE_DATA=/nonexistent -- admin

help=$("$bin" serve --help)
options=$(grep -o '^  --[a-z-]*' <<<"$help" | sed 's/^  //')
for option in $options; do
  want=LEAKTRIAGE_$(tr 'a-z-' 'A-Z_' <<<"${option#--}")
  [ "$option" = --database ] && want=LEAKTRIAGE_DATABASE_URL
  check "serve --help lists $option's variable \$$want" grep -qF -- "or \$$want" <<<"$help"
done
for command in migrate admin; do
  check "$command --help lists \$LEAKTRIAGE_DATA and \$LEAKTRIAGE_DATABASE_URL" \
    bash -c "'$bin' $command --help | grep -q 'or \\\$LEAKTRIAGE_DATA\$' && '$bin' $command --help | grep -q 'or \\\$LEAKTRIAGE_DATABASE_URL\$'"
done
check "upload keeps LEAKTRIAGE_KEY and LEAKTRIAGE_URL in its --help" \
  bash -c "'$bin' upload --help | grep -q 'LEAKTRIAGE_KEY' && '$bin' upload --help | grep -q 'LEAKTRIAGE_URL'"
cli_done
