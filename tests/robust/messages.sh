#!/bin/sh
# Error messages of the front end that tests/errors/ (the goldens of
# tests/golden.sh, one file per error class) does not exercise: value ranges,
# unknown modes and functions with and without a suggestion, duplicate
# outputs/signals/callbacks/metrics, input dimensions, layer order, data,
# train and target keys.  tests/robust/errors/NAME.aedl must exit 1 without a
# sanitizer report, end with a diagnostic, and print every "LINE:COL: error|note:
# message" line of NAME.expect (prefixed with the file name).
. tests/robust/common.sh
for f in tests/robust/errors/*.aedl; do
  n=$(basename "$f" .aedl)
  timeout 20 "$AEDLC" "$f" --emit ir > "$T/out" 2> "$T/err"
  st=$?
  why=""
  [ "$st" -eq 1 ] || why="exit status $st, expected 1"
  insane "$T/err" && why="${why:+$why; }a crash or sanitizer report"
  ends_with_diag "$T/err" || why="${why:+$why; }the output does not end with a diagnostic"
  missing=0
  while IFS= read -r line; do
    grep -qxF -- "$f:$line" "$T/err" || { missing=$((missing + 1)); echo "  missing: $f:$line"; }
  done < "tests/robust/errors/$n.expect"
  [ $missing -eq 0 ] || why="${why:+$why; }$missing expected message(s) missing"
  [ -s "tests/robust/errors/$n.expect" ] || why="${why:+$why; }empty $n.expect"
  if [ -z "$why" ]; then pass "robust/messages/$n"; else fail "robust/messages/$n" "$why"; fi
done
exit 0
