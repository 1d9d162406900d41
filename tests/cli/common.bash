# Sourced by the tests/cli/*.sh scripts (after `set -uo pipefail`), with the script's
# arguments LEAKTRIAGE FIXTURES_DIR: sets bin, fixtures, a private work folder removed on
# exit, and check DESCRIPTION COMMAND... which prints ok/FAIL and counts failures in
# fails; the script ends with `cli_done`, its exit status 0 only when nothing failed.
bin=$1
fixtures=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
check() { # description, command...
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi
}
cli_done() {
  echo "$fails failed"
  [ "$fails" -eq 0 ]
}
