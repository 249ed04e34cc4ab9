#!/bin/sh
# aedlc --emit rtl: the Verilog of a small model equals the goldens in
# tests/rtl/golden (UPDATE_GOLDEN=1 rewrites them); Icarus Verilog simulates the
# small model, every example (random weights from hls_tool) and random small
# models bit for bit equal to the emulator (the testbench vectors); a wrong
# expected value is caught; verilator --lint-only -Wall reports nothing; a
# softmax model is an error naming the layer, and no DIR/rtl is left; bound,
# output = score and masked_mse's score and count simulate bit for bit (Icarus
# and Verilator) and lint clean, a score too wide for the testbench is refused,
# and every third random model ends with bound and/or the score; two outputs
# of different depths leave the top in the same cycle; yosys
# synthesises the small model, resources.json holds its layers and the
# precision report shows them beside EBOPs; Verilator simulates it bit for bit.
# Under the sanitizers (SAN=1) only aedlc is sanitized, not the simulators and
# yosys: the examples and random models are emitted there, simulated and
# synthesised in the plain run.
. tests/lib.sh
test_workdir rtl-test
TOOL=$B/tests/hls/hls_tool

# sim DIR [EVENTS]: make sim-iverilog (on the first EVENTS events when given); true when all matched.
sim() {
  if [ -n "${2:-}" ]; then
    mkdir -p "$1/tb_few"
    head -n "$2" "$1/tb_data/tb_input_features.dat" > "$1/tb_few/tb_input_features.dat"
    head -n "$2" "$1/tb_data/tb_output_predictions.dat" > "$1/tb_few/tb_output_predictions.dat"
    make -s -C "$1" sim-iverilog TB=tb_few > "$1/sim.out" 2>&1 || return 1
  else
    make -s -C "$1" sim-iverilog TB=tb_data > "$1/sim.out" 2>&1 || return 1
  fi
  grep -Eq '^iverilog: rtl sim: ([1-9][0-9]*) of \1 events matched bit for bit$' "$1/sim.out"
}
why_sim() { tail -n 4 "$1/sim.out" 2>/dev/null | tr '\n' ' '; }
# lint DIR: verilator --lint-only -Wall prints nothing (else its first lines go to stderr)
lint() {
  make -s -C "$1" lint > "$1/lint.out" 2>&1 && test ! -s "$1/lint.out" && return 0
  head -n 5 "$1/lint.out" | sed 's/^/lint: /' >&2
  return 1
}

# ---- the golden design -------------------------------------------------------------------------
G=tests/rtl/golden
"$TOOL" weights tests/hls/tiny.aedl "$W/tiny.h5" 42 || fail rtl/tool "hls_tool weights failed"
"$AEDLC" tests/hls/tiny.aedl --emit rtl --weights "$W/tiny.h5" -o "$W/tiny" > "$W/emit.log" 2>&1
check rtl/emit-tiny "aedlc failed: $(cat "$W/emit.log")" test -s "$W/tiny/rtl/tiny.v"
check rtl/emit-quiet "aedlc printed: $(cat "$W/emit.log")" test ! -s "$W/emit.log"
P="$W/tiny/rtl"
files=$(cd "$P" && ls *.v Makefile synth.ys vivado_synth.tcl design.json stat2json.awk | LC_ALL=C sort)
golden_tree rtl/golden "$G" "$P" $files
check rtl/source-lines "tiny_enc.v does not cite tiny.aedl:9" grep -q '^// tiny_enc.v -- layer enc (dense), tiny.aedl:9' "$P/tiny_enc.v"
check rtl/no-machine-path "a generated file names the work folder" sh -c "! grep -rq '$W' '$P'"
check rtl/sim-tiny "$(why_sim "$P")" sim "$P"
check rtl/lint-tiny "$(head -n 5 "$P/lint.out" 2>/dev/null)" lint "$P"

# A wrong expected value must be reported.
mkdir -p "$P/tb_bad"
cp "$P/tb_data/tb_input_features.dat" "$P/tb_bad/"
awk 'NR == 5 { $1 = $1 + 1 } { print }' "$P/tb_data/tb_output_predictions.dat" > "$P/tb_bad/tb_output_predictions.dat"
make -s -C "$P" sim-iverilog TB=tb_bad > "$W/bad.out" 2>&1; st=$?
check rtl/sim-catches-mismatch "status $st: $(tail -n 2 "$W/bad.out" | tr '\n' ' ')" \
  sh -c "test $st -ne 0 && grep -q '^iverilog: rtl sim: 199 of 200 events matched' '$W/bad.out' && grep -q '^event 4: output 0' '$P/obj/iverilog.log'"

# multipliers = dsp: the constant products as x * C, the same values, lint clean.
sed 's/  precision    = bit_exact/  precision    = bit_exact\n  multipliers  = dsp/' tests/hls/tiny.aedl > "$W/tiny_dsp.aedl"
"$AEDLC" "$W/tiny_dsp.aedl" --emit rtl --weights "$W/tiny.h5" -o "$W/dsp" > "$W/dsp.log" 2>&1
check rtl/dsp-products "tiny_mid.v has no product: $(cat "$W/dsp.log")" grep -q '\$signed(.*) \* \$signed(' "$W/dsp/rtl/tiny_mid.v"
check rtl/dsp-sim "$(why_sim "$W/dsp/rtl")" sim "$W/dsp/rtl"
check rtl/dsp-lint "$(head -n 5 "$W/dsp/rtl/lint.out" 2>/dev/null)" lint "$W/dsp/rtl"

# The pipeline: the testbench saw one event per clock; the latency is in design.json.
check rtl/latency "design.json has no latency" grep -Eq '"latency_cycles": [1-9][0-9]*,' "$P/design.json"

# ---- every example, random weights ------------------------------------------------------------------
# ae_baseline (a float model: 16-bit weights, 35-bit accumulators, 5 MB of Verilog) takes Icarus
# Verilog half a minute to compile: 20 events, no lint, and under the sanitizers (SAN=1: the
# simulators are not sanitized, only aedlc) its RTL is emitted and checked for its modules only.
# (and the small models of tests/hls with one layer kind each)
for f in examples/*.aedl tests/hls/clip.aedl tests/hls/abs.aedl; do
  b=$(basename "$f" .aedl)
  "$TOOL" weights "$f" "$W/$b.h5" 7 > "$W/$b.tool" 2>&1 || { fail "rtl/example/$b" "hls_tool: $(cat "$W/$b.tool")"; continue; }
  if ! "$AEDLC" "$f" --emit rtl --weights "$W/$b.h5" -o "$W/$b" > "$W/$b.log" 2>&1; then
    fail "rtl/example/$b" "aedlc: $(head -n 5 "$W/$b.log" | tr '\n' ' ')"; continue
  fi
  # under the sanitizers only aedlc is sanitized, not the simulators: the examples are
  # emitted and checked for their top module there, simulated in the plain run
  if [ "${SAN:-}" = 1 ]; then
    check "rtl/example/$b (emitted; simulated in the plain run)" "no top module" sh -c "ls '$W/$b/rtl/'*.v > /dev/null && test -s '$W/$b/rtl/Makefile'"
    continue
  fi
  if [ "$b" = ae_baseline ]; then
    check "rtl/example/$b" "$(why_sim "$W/$b/rtl")" sim "$W/$b/rtl" 20
    continue
  fi
  check "rtl/example/$b" "$(why_sim "$W/$b/rtl")" sim "$W/$b/rtl"
  # the large examples' layer kinds are linted in the small models above and below (9 s each)
  case $b in cms_opendata|ae_nmi) continue ;; esac
  check "rtl/lint/$b" "$(head -n 5 "$W/$b/rtl/lint.out" 2>/dev/null)" lint "$W/$b/rtl"
done

# ---- bad input: softmax is refused, nothing written ------------------------------------------------
cat > "$W/soft.aedl" <<'EOF2'
model soft {
  input x[4] : fixed<10, 3, rnd, sat>
  dense d(3, weight=fixed<6, 2>, bias=fixed<6, 2>)
  softmax p
}
EOF2
"$TOOL" weights "$W/soft.aedl" "$W/soft.h5" 3 > /dev/null 2>&1
"$AEDLC" "$W/soft.aedl" --emit rtl --weights "$W/soft.h5" -o "$W/soft" > "$W/soft.log" 2>&1; st=$?
check rtl/softmax-refused "status $st: $(head -n 2 "$W/soft.log" | tr '\n' ' ')" \
  sh -c "test $st -eq 1 && grep -q \"soft.aedl:4:3: error: layer 'p': softmax is computed in floating point; --emit rtl builds only exact fixed-point layers\" '$W/soft.log' && test ! -e '$W/soft/rtl'"

# ---- random small models ----------------------------------------------------------------------------
# Every third model gets a last dense of the input's size and output = score: bounded
# for odd seeds, its result quantized unless the seed is a multiple of 9 (then the
# score's types may exceed the limits, refused), masked_mse for even seeds.
cat > "$W/decorate.awk" <<'EOF2'
/^}$/ && !m { m = 1
  print "  dense z(" n ", weight=quantized_bits(8, 2, 1), bias=quantized_bits(8, 2, 1))"
  if (s % 2) print "  bound zb([relu([0:" n "], every=3), tanh(2.5, [1:" n "], every=3)])"
  if (s % 9) print "  linear zq(quant=quantized_bits(10, 3))" }
/^}$/ && t { print "  output = score" }
/^target/ { t = 1 }
{ print }
END { if (s % 2 == 0) print "data d {\n  train = csv(\"t.csv\")\n}\ntrain {\n  score = masked_mse\n}" }
EOF2
cat > "$W/one.sh" <<EOF2
s=\$1; d="$W/rnd\$s"; what=; mkdir -p "\$d"
"$TOOL" model "\$d/rnd.aedl" \$s || { echo "FAIL rtl/random/\$s: hls_tool"; exit 0; }
if [ \$((s % 3)) = 0 ]; then
  n=\$(sed -n 's/^  input x\[\([0-9]*\)\].*/\1/p' "\$d/rnd.aedl")
  awk -v n="\$n" -v s=\$s -f "$W/decorate.awk" "\$d/rnd.aedl" > "\$d/score.aedl" && mv "\$d/score.aedl" "\$d/rnd.aedl"
  what=" (\$([ \$((s % 2)) = 1 ] && echo 'bound, ')\$([ \$((s % 2)) = 0 ] && echo 'masked ')score)"
fi
"$TOOL" weights "\$d/rnd.aedl" "\$d/w.h5" \$s > /dev/null || { echo "FAIL rtl/random/\$s: hls_tool"; exit 0; }
if ! "$AEDLC" "\$d/rnd.aedl" --emit rtl --weights "\$d/w.h5" -o "\$d" > "\$d/log" 2>&1; then
  # documented limits (docs/rtl.md, docs/precision.md), refused with these messages and nothing written
  if grep -Eq "error: (layer '.*': (softmax is computed|its sums need about [0-9]* bits|its output has [0-9]* bits)|--emit rtl: the score(: the steps| needs [0-9]* bits))" "\$d/log" && test ! -e "\$d/rtl"; then
    echo "PASS rtl/random/\$s (refused clearly: \$(grep -o "error: .*" "\$d/log" | head -n 1 | cut -c 1-90))"; exit 0
  fi
  echo "FAIL rtl/random/\$s: aedlc: \$(head -n 3 "\$d/log" | tr '\n' ' ')"; exit 0
fi
if [ "${SAN:-}" = 1 ]; then echo "PASS rtl/random/\$s (emitted; simulated in the plain run)"; exit 0; fi
if make -s -C "\$d/rtl" sim-iverilog TB=tb_data > "\$d/sim.out" 2>&1 && grep -Eq '^iverilog: rtl sim: ([1-9][0-9]*) of \1 events matched' "\$d/sim.out"; then
  echo "PASS rtl/random/\$s\$what"
else
  echo "FAIL rtl/random/\$s: \$(tail -n 3 "\$d/sim.out" | tr '\n' ' ')"
fi
EOF2
seq 1 "${RTL_RANDOM:-$([ "${SAN:-}" = 1 ] && echo 6 || echo 16)}" | xargs -P 2 -n 1 sh "$W/one.sh"

# ---- yosys on the small model (plain run: yosys is not sanitized) ------------------------------------
if [ "${SAN:-}" != 1 ]; then
make -s -C "$P" synth > "$W/synth.out" 2>&1; st=$?
check rtl/synth-tiny "status $st: $(tail -n 3 "$W/synth.out" | tr '\n' ' ')" \
  sh -c "test $st -eq 0 && grep -q '\"name\": \"enc\", \"module\": \"tiny_enc\", \"lut\": [1-9]' '$P/resources.json' && grep -q 'not vendor place-and-route' '$P/resources.json' && grep -Eq '\"total\": \\{\"lut\": [1-9][0-9]*, \"ff\": [1-9]' '$P/resources.json'"

# The precision report shows the resources beside EBOPs once resources.json exists.
"$AEDLC" tests/hls/tiny.aedl --emit report --weights "$W/tiny.h5" -o "$W/tiny" > "$W/report.log" 2>&1
check rtl/report-resources "precision.txt: $(grep '^RTL' "$W/tiny/report/precision.txt")" \
  sh -c "grep -Eq '^RTL \\(rtl/resources.json; yosys estimates, not vendor place-and-route figures\\): [1-9][0-9]* LUT, .* LUT / EBOPs [0-9.]+\$' '$W/tiny/report/precision.txt' && grep -Eq '^  enc +[0-9]+ LUT .* LUT / EBOPs [0-9.]+\$' '$W/tiny/report/precision.txt'"
fi

# Verilator simulates the small model too (plain run only: its C++ build is not sanitized anyway).
if [ "${SAN:-}" != 1 ]; then
  make -s -C "$P" sim-verilator TB=tb_data > "$W/vsim.out" 2>&1
  check rtl/sim-verilator-tiny "$(tail -n 3 "$W/vsim.out" | tr '\n' ' ')" \
    grep -q '^verilator: rtl sim: 200 of 200 events matched bit for bit$' "$W/vsim.out"
fi

# ---- bound and the anomaly score -------------------------------------------------------------------
# bound: per feature relu, k * tanh (tanh's table, then k's shift-adds) and the identity
"$TOOL" weights tests/hls/bound.aedl "$W/bound.h5" 3 > /dev/null 2>&1
"$AEDLC" tests/hls/bound.aedl --emit rtl --weights "$W/bound.h5" -o "$W/bound" > "$W/bound.log" 2>&1
check rtl/bound-emit "$(head -n 3 "$W/bound.log" | tr '\n' ' ')" \
  sh -c "grep -q '^// bd_out.v -- layer out (bound), bound.aedl:10' '$W/bound/rtl/bd_out.v' && grep -q 'table_of(' '$W/bound/rtl/bd_out.v'"
check rtl/bound-sim "$(why_sim "$W/bound/rtl")" sim "$W/bound/rtl"
check rtl/bound-lint "$(head -n 5 "$W/bound/rtl/lint.out" 2>/dev/null)" lint "$W/bound/rtl"

# output = score: y is the sum of squared differences with the input (delayed to the
# reconstruction), the squares as multipliers
sed 's/^  precision    = bit_exact$/&\n  output       = score/' tests/hls/tiny.aedl > "$W/score.aedl"
"$AEDLC" "$W/score.aedl" --emit rtl --weights "$W/tiny.h5" -o "$W/score" > "$W/score.log" 2>&1
S="$W/score/rtl"
check rtl/score-emit "$(head -n 3 "$W/score.log" | tr '\n' ' ')" \
  sh -c "grep -q '^//   score: 1 x ufixed<' '$S/tiny.v' && grep -q '^// tiny_score.v -- layer score (score), score.aedl:22' '$S/tiny_score.v' &&
         grep -q '\$signed(.*) \* \$signed(' '$S/tiny_score.v' && grep -q 'x1 arrives [1-9][0-9]* cycle(s) early: delayed' '$S/tiny_score.v' &&
         awk 'NF != 1 { exit 1 }' '$S/tb_data/tb_output_predictions.dat'"
check rtl/score-sim "$(why_sim "$S")" sim "$S"
check rtl/score-lint "$(head -n 5 "$S/lint.out" 2>/dev/null)" lint "$S"

# bound, then score = masked_mse: the sum over the features whose input is not 0 and
# their count; the testbench's events have such features (the count takes several
# values); Icarus Verilog and, in the plain run, Verilator
cat > "$W/masked.aedl" <<'EOF2'
quantizer qw = quantized_bits(6, 2, 1)
model bd {
  input x[6] : fixed<8, 3, rnd, sat>
  dense enc(4, weight=qw, bias=qw)
  relu
  dense dec(6, weight=qw, bias=qw)
  bound out([relu([0:6], every=3), tanh(3.0, [1, 4]), tanh(pi, [2:6], every=3)])
  linear q(quant=quantized_bits(12, 3))
}
data d {
  train = csv("t.csv")
}
train {
  score = masked_mse
}
target small {
  clock_period = 2.5
  precision    = bit_exact
  output       = score
}
EOF2
"$TOOL" weights "$W/masked.aedl" "$W/masked.h5" 5 > /dev/null 2>&1
"$AEDLC" "$W/masked.aedl" --emit rtl --weights "$W/masked.h5" -o "$W/masked" > "$W/masked.log" 2>&1
M="$W/masked/rtl"
check rtl/masked-score-emit "$(head -n 3 "$W/masked.log" | tr '\n' ' ')" \
  sh -c "grep -q '^// bd_score.v -- layer score (masked_score)' '$M/bd_score.v' && grep -q '^// bd_count.v -- layer count (count)' '$M/bd_count.v' &&
         grep -q 'u_count (.clk(clk), .x(x), .y(count_y))' '$M/bd.v' &&
         test \$(awk 'NF != 2 { exit 1 } { print \$2 }' '$M/tb_data/tb_output_predictions.dat' | sort -u | wc -l) -ge 5"
check rtl/masked-score-sim "$(why_sim "$M")" sim "$M"
check rtl/masked-score-lint "$(head -n 5 "$M/lint.out" 2>/dev/null)" lint "$M"

# the same with preprocessing that moves a raw 0 (scale = standard of features 0 and 3,
# affine(2, 1, 4)): the mask compares each input with its padding z_j, the input of a raw
# 0 (from DIR/scaler.h5, written here by python3: z = -3, 0, -0.25, -0.35 -> -0.34375, 0, 0);
# the testbench's padded features hold z_j, its expected counts are the features != z_j
# (python3), and Icarus Verilog matches them bit for bit
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
sed -e 's|^  train = csv("t.csv")$|&\n  transform = affine(2, 1, 4)\n  scale = standard([0, 3])|' "$W/masked.aedl" > "$W/padded.aedl"
mkdir -p "$W/padded"
"$PY" - "$W/padded/scaler.h5" <<'PY' > "$W/padded.py.out" 2>&1
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    g = f.create_group("scaler")
    for k, v in (("mean", [1.5, 0, 0, 0.7, 0, 0]), ("std", [0.5, 1, 1, 2, 1, 1]), ("offset", [0, 0, 1, 0, 0, 0]),
                 ("divisor", [1, 1, 4, 1, 1, 1])):
        g[k] = np.array(v, np.float32)
    g["log10"] = np.zeros(6, np.uint8)
PY
"$AEDLC" "$W/padded.aedl" --emit rtl --weights "$W/masked.h5" -o "$W/padded" > "$W/padded.log" 2>&1
Q="$W/padded/rtl"
"$PY" - "$Q/tb_data/tb_input_features.dat" "$Q/tb_data/tb_output_predictions.dat" > "$W/padded.chk" 2>&1 <<'PY'
import sys
z = [-3.0, 0.0, -0.25, -0.34375, 0.0, 0.0]   # fixed<8, 3, rnd>: step 1/32; -0.35 rounds to -11/32
xs = [[float(v) for v in l.split()] for l in open(sys.argv[1])]
cs = [int(float(l.split()[1])) for l in open(sys.argv[2])]
want = [sum(1 for x, p in zip(r, z) if x != p) for r in xs]
padded = sum(1 for r in xs for x, p in zip(r, z) if p != 0 and x == p)
print("python: %d of %d counts as expected, %d padded features with z != 0" % (sum(a == b for a, b in zip(cs, want)), len(cs), padded))
sys.exit(0 if cs == want and padded >= 50 else 1)
PY
check rtl/padded-score-counts "$(cat "$W/padded.py.out" "$W/padded.chk" | tr '\n' ' ') $(head -n 3 "$W/padded.log" | tr '\n' ' ')" test $? -eq 0
check rtl/padded-score-emit "the Verilog lacks the comparisons with the padding" \
  sh -c "grep -q ' != 8.ha0;\$' '$Q/bd_count.v' && grep -q ' != 8.hf5;\$' '$Q/bd_score.v' && grep -q '^  // the padding z_j' '$Q/bd_score.v'"
check rtl/padded-score-sim "$(why_sim "$Q")" sim "$Q"
check rtl/padded-score-lint "$(head -n 5 "$Q/lint.out" 2>/dev/null)" lint "$Q"

# two outputs of different depths: the earlier one is delayed to the later one's cycle
cat > "$W/two.aedl" <<'EOF2'
model two {
  input x[4] : fixed<10, 3, rnd, sat>
  dense a(6, weight=quantized_bits(6, 1, 1), bias=quantized_bits(6, 1, 1))
  relu
  dense b(4, weight=quantized_bits(6, 1, 1))
  dense c(4, weight=quantized_bits(6, 1, 1))
  output a, c
}
target t {
  clock_period = 2.5
  precision    = bit_exact
}
EOF2
"$TOOL" weights "$W/two.aedl" "$W/two.h5" 4 > /dev/null 2>&1
"$AEDLC" "$W/two.aedl" --emit rtl --weights "$W/two.h5" -o "$W/two" > "$W/two.log" 2>&1
check rtl/two-outputs-delayed "$(head -n 3 "$W/two.log" | tr '\n' ' ')" grep -q '^  // a_y: [1-9][0-9]* cycle(s) early, delayed$' "$W/two/rtl/two.v"
check rtl/two-outputs-sim "$(why_sim "$W/two/rtl")" sim "$W/two/rtl"

# a score wider than the testbench's 53 bits is refused at `output = score`, as by --emit hls
sed 's/^  input x\[4\] : fixed<10, 3, rnd, sat>$/  input x[4] : fixed<30, 12, rnd, sat>/' "$W/score.aedl" > "$W/wide.aedl"
"$AEDLC" "$W/wide.aedl" --emit rtl --weights "$W/tiny.h5" -o "$W/wide" > "$W/wide.log" 2>&1; st=$?
check rtl/score-wide-refused "status $st: $(head -n 2 "$W/wide.log" | tr '\n' ' ')" \
  sh -c "test $st -eq 1 && grep -q \"wide.aedl:22:18: error: layer 'score': its output has [0-9]* bits; --emit rtl, as --emit hls, supports at most 53\" '$W/wide.log' && test ! -e '$W/wide/rtl'"
