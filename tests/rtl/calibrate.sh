#!/bin/sh
# The delay model against yosys' logic depth (make bench, never make test).
# Synthesises several designs (examples with random weights, the small models
# of tests/hls, random models from hls_tool; plus the RTL folders given as
# arguments, already synthesised, e.g. the seed AE of bench.sh) and prints, per
# layer module, the emitter's longest path inside the module (design.json's
# module_path: LUT levels, carry chains, carry bits, the widest chain) beside
# yosys' logic depth of the module (resources.json's logic_depth: `ltp -noff`,
# cells on the longest path between registers); then the least-squares fit of
# the depth on the model's counts and its residual (docs/rtl.md, "Calibration").
#   sh tests/rtl/calibrate.sh [RTL_DIR...]
. tests/lib.sh
test_workdir rtl-calibrate
TOOL=$B/tests/hls/hls_tool
J=$(nproc 2>/dev/null || echo 2)
dirs=""
for a in "$@"; do dirs="$dirs $a"; done
synth() {   # synth NAME FILE.aedl SEED
  "$TOOL" weights "$2" "$W/$1.h5" "$3" > /dev/null 2>&1 || { echo "calibrate: $1: hls_tool weights failed"; return 1; }
  "$AEDLC" "$2" --emit rtl --weights "$W/$1.h5" -o "$W/$1" > "$W/$1.log" 2>&1 || { echo "calibrate: $1: aedlc: $(head -n 2 "$W/$1.log")"; return 1; }
  make -s -j"$J" -C "$W/$1/rtl" synth > "$W/$1.synth" 2>&1 || { echo "calibrate: $1: make synth failed: $(tail -n 3 "$W/$1.synth")"; return 1; }
  echo "$1" > "$W/$1/rtl/calibrate.name"
  dirs="$dirs $W/$1/rtl"
}
synth jet_compress examples/jet_compress.aedl 7
synth tiny tests/hls/tiny.aedl 42
synth clip tests/hls/clip.aedl 7
synth abs tests/hls/abs.aedl 7
for s in 2 3 4 5 6; do
  "$TOOL" model "$W/rnd$s.aedl" "$s" > /dev/null 2>&1 || continue
  # a random model the emitter refuses (softmax: floating point) is not a design to calibrate on
  "$TOOL" weights "$W/rnd$s.aedl" "$W/rnd$s.h5" "$s" > /dev/null 2>&1 &&
    "$AEDLC" "$W/rnd$s.aedl" --emit rtl --weights "$W/rnd$s.h5" -o "$W/rnd$s.try" > /dev/null 2>&1 &&
    synth "rnd$s" "$W/rnd$s.aedl" "$s"
done
: > "$W/rows"
for d in $dirs; do
  test -s "$d/resources.json" || { echo "calibrate: $d: no resources.json"; continue; }
  nm=$(cat "$d/calibrate.name" 2>/dev/null || sed -n 's/^ *"model": "\([^"]*\)".*/\1/p' "$d/design.json")
  awk -v dsg="$nm" '
    FNR == NR && /"module_path"/ {
      match($0, /"name": "[^"]*"/); n = substr($0, RSTART + 9, RLENGTH - 10)
      match($0, /"op": "[^"]*"/); op[n] = substr($0, RSTART + 7, RLENGTH - 8)
      match($0, /"lut_levels": [0-9]+/); l[n] = substr($0, RSTART + 14, RLENGTH - 14)
      match($0, /"carry_chains": [0-9]+/); c[n] = substr($0, RSTART + 16, RLENGTH - 16)
      match($0, /"carry_bits": [0-9]+/); b[n] = substr($0, RSTART + 14, RLENGTH - 14)
      match($0, /"widest_chain": [0-9]+/); w[n] = substr($0, RSTART + 16, RLENGTH - 16)
      next
    }
    FNR != NR && /"logic_depth"/ {
      match($0, /"name": "[^"]*"/); n = substr($0, RSTART + 9, RLENGTH - 10)
      match($0, /"logic_depth": [0-9]+/); y = substr($0, RSTART + 15, RLENGTH - 15)
      if (n in op) print dsg, n, op[n], l[n], c[n], b[n], w[n], y
    }' "$d/design.json" "$d/resources.json" >> "$W/rows"
done
# The fit: depth = a * LUT levels + b * carry chains + c * (widest chain / 4), least squares
# (normal equations, 3 x 3), over the modules with a path (pure wiring has depth 0); beside it
# the residual of two fixed counts: every chain's bits (LUT levels + carry bits / 4, the sum of
# the CARRY4 cells of every adder) and one CARRY4 per chain plus the widest chain once.
awk '
  function solve(   i, j, k, p, f, t) {     # Gauss-Jordan on m[1..3][1..4]
    for (i = 1; i <= 3; i++) {
      p = i
      for (k = i + 1; k <= 3; k++) if ((m[k, i] < 0 ? -m[k, i] : m[k, i]) > (m[p, i] < 0 ? -m[p, i] : m[p, i])) p = k
      for (j = 1; j <= 4; j++) { t = m[i, j]; m[i, j] = m[p, j]; m[p, j] = t }
      if (m[i, i] == 0) return 0
      for (k = 1; k <= 3; k++) if (k != i) { f = m[k, i] / m[i, i]; for (j = 1; j <= 4; j++) m[k, j] -= f * m[i, j] }
    }
    for (i = 1; i <= 3; i++) x[i] = m[i, 4] / m[i, i]
    return 1
  }
  BEGIN {
    printf "%-13s %-13s %-10s %4s %6s %5s %6s | %6s %6s | %6s\n", "design", "layer", "op", "LUT", "chains", "bits", "widest", "sum", "once", "yosys"
  }
  {
    s1 = $4 + $6 / 4; s2 = $4 + $5 + $7 / 4
    printf "%-13s %-13s %-10s %4d %6d %5d %6d | %6.1f %6.1f | %6d\n", $1, $2, $3, $4, $5, $6, $7, s1, s2, $8
    if ($4 + $5 == 0) next
    n++; L[n] = $4; C[n] = $5; Q[n] = $7 / 4; Y[n] = $8; S1[n] = s1; S2[n] = s2
    v[1] = $4; v[2] = $5; v[3] = $7 / 4
    for (i = 1; i <= 3; i++) { for (j = 1; j <= 3; j++) m[i, j] += v[i] * v[j]; m[i, 4] += v[i] * $8 }
  }
  END {
    if (n < 3 || !solve()) { print "calibrate: too few modules to fit"; exit 1 }
    for (k = 1; k <= n; k++) {
      e = Y[k] - (x[1] * L[k] + x[2] * C[k] + x[3] * Q[k]); ss += e * e; if (e < 0) e = -e; if (e > mx) mx = e
      e = Y[k] - S1[k]; r1 += e * e; e = Y[k] - S2[k]; r2 += e * e
    }
    printf "fit over %d modules: yosys depth = %.2f x LUT levels + %.2f x carry chains + %.2f x widest chain / 4\n", n, x[1], x[2], x[3]
    printf "residual of the fit: rms %.2f cells, largest %.1f; of the counts: sum (every chain) rms %.2f, once (widest chain once) rms %.2f\n", sqrt(ss / n), mx, sqrt(r1 / n), sqrt(r2 / n)
  }' "$W/rows"
