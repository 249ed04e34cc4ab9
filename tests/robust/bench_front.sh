#!/bin/sh
# `make bench`: the front end on big inputs, timed (aedlc --emit ir, the whole
# front end, to /dev/null): 100,000 declarations, 100,000 layers, an import
# chain 20,000 files deep.  Each must take under 2 s (the front end is linear:
# names are looked up in hash tables, imports followed with a stack).
BUILD=${BUILD:-build}
AEDLC=$PWD/$BUILD/aedlc
case "$BUILD" in /*) AEDLC=$BUILD/aedlc ;; esac
W=$(mktemp -d "${TMPDIR:-/tmp}/aedl-bench-front.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
cd "$W" || exit 1

awk 'BEGIN { for (i = 0; i < 100000; i++) printf "quantizer q%d = quantized_bits(8, 3, 1)\n", i
  print "model m {\n  input x[4] : fixed<8, 3>\n  dense d(4, weight=q99999)\n}" }' > decls.aedl
awk 'BEGIN { print "model m {\n  input x[4] : fixed<8, 3>"
  for (i = 0; i < 50000; i++) printf "  dense d%d(4)\n  relu\n", i
  print "}" }' > layers.aedl
mkdir chain
awk -v N=20000 'BEGIN {
  for (i = 0; i < N; i++) { f = sprintf("chain/c%d.aedl", i); printf "import \"c%d\"\n", i + 1 > f; close(f) }
  printf "quantizer deepest = quantized_bits(8, 3, 1)\n" > sprintf("chain/c%d.aedl", N) }'

bad=0
for f in decls.aedl layers.aedl chain/c0.aedl; do
  t0=$(date +%s.%N)
  "$AEDLC" "$f" --emit ir > /dev/null
  st=$?
  t1=$(date +%s.%N)
  s=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
  ok=$(echo "$s" | awk '{ print ($1 < 2.0) ? "ok" : "SLOW" }')
  [ "$st" -eq 0 ] || ok="FAILED (exit $st)"
  echo "front end: $f: $s s ($ok, limit 2 s)"
  [ "$ok" = ok ] || bad=1
done
exit $bad
