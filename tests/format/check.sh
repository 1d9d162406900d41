#!/usr/bin/env bash
# The C sources follow the one style in .clang-format (applied to every .c/.h once, issue 8):
# clang-format --dry-run --Werror over every tracked .c and .h. Prints what differs; exit 1
# if anything does. Usage: tests/format/check.sh SOURCE_DIR
set -uo pipefail
cd "${1:?usage: check.sh SOURCE_DIR}" || exit 2
format=$(command -v clang-format || command -v clang-format-14) || { echo "clang-format is not installed (scripts/setup.sh installs it)"; exit 1; }
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find analysis server tests -name '*.[ch]')
if "$format" --dry-run --Werror "${files[@]}" 2>"${TMPDIR:-/tmp}/lt-format.$$"; then
  echo "format: ok (${#files[@]} files)"
  rm -f "${TMPDIR:-/tmp}/lt-format.$$"
  exit 0
fi
head -40 "${TMPDIR:-/tmp}/lt-format.$$"
echo "format: run clang-format -i on the files above"
rm -f "${TMPDIR:-/tmp}/lt-format.$$"
exit 1
