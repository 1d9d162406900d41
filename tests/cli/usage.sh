#!/usr/bin/env bash
# Usage errors and help of every subcommand, and the README's agreement with them: a bad
# option, a bad number or a missing operand prints `leaktriage COMMAND: message` and the
# command's usage line on standard error and exits 2 with nothing on standard output;
# --help prints the usage line first and exits 0; the README lists each usage line as
# --help prints it, and the defaults --help states (defaults.h) appear in the README.
# Needs no database. Usage: usage.sh LEAKTRIAGE FIXTURES_DIR
set -uo pipefail
bin=$1
readme=$(dirname "$0")/../../README.md
. "$(dirname "$0")/common.bash"

usage_error() { # command message-fragment args...
  local command=$1 want=$2
  shift 2
  "$bin" "$command" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  [ $rc -eq 2 ] && [ ! -s "$work/out" ] && [ "$(wc -l <"$work/err")" -eq 2 ] &&
    head -1 "$work/err" | grep -q "^leaktriage $command: .*$want" &&
    [ "$(tail -1 "$work/err")" = "$("$bin" "$command" --help | head -1)" ]
}

for command in analyze upload serve migrate admin; do
  check "$command --help exits 0 with its usage line first" \
    bash -c "'$bin' $command --help | head -1 | grep -q '^usage: leaktriage $command'"
  check "$command: an unknown option is a usage error" usage_error "$command" "unknown option --bogus" --bogus
  synopsis=$("$bin" "$command" --help | head -1 | sed 's/^usage: //')
  check "README shows the usage line of $command" grep -qF -- "$synopsis" "$readme"
done
check "analyze: no FILE" usage_error analyze "needs FILE"
check "analyze: two FILEs" usage_error analyze "unexpected argument 'b'" a b
check "analyze: --top past its limit" usage_error analyze "--top takes a number from 0 to 100000" x --top 100001
check "analyze: --top without its value" usage_error analyze "--top needs a value" x --top
check "upload: no FILE" usage_error upload "needs FILE" --app a
check "upload: no --app" usage_error upload "needs --app APP" f.heapsnapshot --key k
LEAKTRIAGE_KEY='' check "upload: no --key and no \$LEAKTRIAGE_KEY" usage_error upload "needs an API key" f --app a
check "upload: a bad --fail-on, before any upload" usage_error upload "--fail-on: unknown rule 'bogus'" f --app a --key k --fail-on bogus
check "serve: --workers 0" usage_error serve "--workers takes a number from 1 to 256" --workers 0
check "serve: --max-upload not a number" usage_error serve "--max-upload takes a number" --max-upload 8G
check "serve: --listen without its value" usage_error serve "--listen needs a value" --listen
check "migrate: an operand" usage_error migrate "unexpected argument 'x'" x
check "admin: no command" usage_error admin "needs COMMAND \\[ARG\\]"
check "admin: an unknown command" usage_error admin "unknown command 'frobnicate'" frobnicate x
check "admin: a command without its argument" usage_error admin "create-key needs CUSTOMER" create-key
check "admin: list-keys takes no more than one argument" usage_error admin "unexpected argument 'y'" list-keys x y

"$bin" >/dev/null 2>"$work/err"
check "no command: exit 2 and the command list" test $? -eq 2 -a -n "$(grep -c '^  serve ' "$work/err")"
"$bin" frobnicate >/dev/null 2>"$work/err"
check "an unknown command: exit 2" test $? -eq 2

help=$("$bin" serve --help)
for default in 127.0.0.1:8080 ./data LEAKTRIAGE_DATABASE_URL "8 GiB" "number of cores"; do
  check "serve --help and the README both state the default $default" \
    bash -c "grep -qF -- '$default' <<<\"\$1\" && grep -qF -- '$default' '$readme'" _ "$help"
done

# Two programs (server/main.c): leaktriage runs analyze itself and hands the rest to
# leaktriage-server, found next to it or on PATH.
check "leaktriage loads neither libpq, libmicrohttpd nor libcurl (analyze's start-up)" \
  bash -c "ldd '$bin' | grep -q libjansson && ! ldd '$bin' | grep -qE 'libpq|libmicrohttpd|libcurl'"
check "leaktriage-server next to it has every command" \
  bash -c "'$(dirname "$bin")/leaktriage-server' --help | grep -q '^  serve '"
mkdir -p "$work/alone"
cp "$bin" "$work/alone/leaktriage"
PATH=/usr/bin:/bin "$work/alone/leaktriage" serve --help >/dev/null 2>"$work/err"
check "a leaktriage without leaktriage-server next to it or on PATH: serve exits 2 and says what is missing" \
  bash -c "[ $? -eq 2 ] && grep -qF 'cannot run $work/alone/leaktriage-server (serve, upload, migrate and admin are its commands)' '$work/err'"
check "... while analyze still runs there" \
  bash -c "'$work/alone/leaktriage' analyze '$fixtures/fixed-loop.heapsnapshot.gz' --top 1 | grep -q '^Snapshot: 39590 nodes'"

version=$(grep -m1 '^project(leaktriage VERSION' "$(dirname "$0")/../../CMakeLists.txt" | sed 's/.*VERSION \([0-9.]*\).*/\1/')
check "leaktriage --version prints the project's version ($version) and exits 0" \
  test "$("$bin" --version)" = "leaktriage $version"
cli_done
