# Shared by the CLI tests (source it): a scratch folder $work removed at exit, and
# ok/FAIL checks counted in $failures; end a test with `finish`.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { # description command...
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
finish() {
  echo "$failures failed"
  [ "$failures" -eq 0 ]
}
