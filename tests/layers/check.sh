#!/usr/bin/env bash
# The layering rule of analysis/ (README "Layout"), checked on every #include "...":
# a folder may include only itself and the folders below it, so arrows never run
# backwards and folders have no include cycle:
#   util      -> (nothing)
#   input     -> util
#   snapshot  -> util
#   devtools  -> snapshot, util
#   findings  -> devtools, snapshot, util
#   include/  -> include/ only (the public face names no layer)
# Every layer may include the public headers (lt_error.h); only the top
# (analysis.c, report.c, analysis_result.h) includes the pipeline and report.
# server/ includes no layer header at all (CMake gives it include/ only; this says so
# in words when someone adds an include path).
# Usage: tests/layers/check.sh SOURCE_DIR. Prints one line per violation; exit 1 if any.
set -uo pipefail
src=${1:?usage: check.sh SOURCE_DIR}
cd "$src" || exit 2
declare -A allowed=(
  [util]="util"
  [input]="input util"
  [snapshot]="snapshot util"
  [devtools]="devtools snapshot util"
  [findings]="findings devtools snapshot util"
)
bad=0
violation() { echo "layering: $1"; bad=1; }
for layer in "${!allowed[@]}"; do
  for f in analysis/"$layer"/*.[ch]; do
    [ -e "$f" ] || continue
    while IFS= read -r inc; do
      case "$inc" in
      */*)
        target=${inc%%/*}
        [[ " ${allowed[$layer]} " == *" $target "* ]] || violation "$f includes \"$inc\" ($layer may include: ${allowed[$layer]})"
        ;;
      analysis.h | report.h | analysis_result.h)
        violation "$f includes \"$inc\": only the top of analysis/ may"
        ;;
      esac
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
  done
done
for f in analysis/include/*.h; do
  sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | grep / | while read -r inc; do
    echo "layering: $f includes \"$inc\": the public face names no layer"
  done | grep . && bad=1
done
for f in server/*.[ch]; do
  sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | grep -E '^(util|input|snapshot|devtools|findings)/|analysis_result\.h' |
    while read -r inc; do echo "layering: $f includes \"$inc\": the server sees analysis/include only"; done | grep . && bad=1
done
[ "$bad" -eq 0 ] && echo "layering: ok ($(ls analysis/*/*.[ch] | wc -l) files in ${#allowed[@]} layers)"
exit "$bad"
