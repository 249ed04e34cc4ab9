#!/bin/sh
# Runs test programs and scripts; each prints "PASS name" or "FAIL name: why"
# lines.  A program that exits non-zero counts as one more failure (a crash or
# a sanitizer report is never lost).  Prints every line, then "label: N passed, N failed".
label=plain
if [ "$1" = "--label" ]; then label=$2; shift 2; fi
pass=0; fail=0
tmp=$(mktemp)
for t in "$@"; do
  t0=$(date +%s.%N)
  case "$t" in
    *.sh) sh "$t" > "$tmp" 2>&1; st=$? ;;
    *)    "./$t" > "$tmp" 2>&1; st=$? ;;
  esac
  p=$(grep -c '^PASS' "$tmp"); f=$(grep -c '^FAIL' "$tmp")
  if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL $t: exited with status $st" >> "$tmp"; f=1
  fi
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL $t: ran no check" >> "$tmp"; f=1
  fi
  t1=$(date +%s.%N)
  echo "# time $t: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s" >> "$tmp"
  # Keep PASS lines terse; show everything else (failures, sanitizer reports).
  sed "s|^|[$label] |" "$tmp"
  pass=$((pass + p)); fail=$((fail + f))
done
rm -f "$tmp"
echo "$label: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
