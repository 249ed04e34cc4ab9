#!/bin/sh
# Sums the "label: N passed, N failed" lines of the given logs.
pass=0; fail=0
for f in "$@"; do
  line=$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed$' "$f" | tail -n 1)
  if [ -z "$line" ]; then echo "FAIL: $f has no summary line (the run did not finish)"; fail=$((fail + 1)); continue; fi
  echo "$line"
  p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/'); q=$(echo "$line" | sed -E 's/.* ([0-9]+) failed/\1/')
  pass=$((pass + p)); fail=$((fail + q))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
