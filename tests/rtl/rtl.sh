#!/bin/sh
# aedlc --emit rtl: the Verilog of a small model equals the goldens in
# tests/rtl/golden (UPDATE_GOLDEN=1 rewrites them); Icarus Verilog simulates the
# small model, every example (random weights from hls_tool) and random small
# models bit for bit equal to the emulator (the testbench vectors); a wrong
# expected value is caught; verilator --lint-only -Wall reports nothing; a
# softmax model is an error naming the layer, and no DIR/rtl is left; yosys
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
lint() { make -s -C "$1" lint > "$1/lint.out" 2>&1 && test ! -s "$1/lint.out"; }

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
# Examples whose layers the Verilog emitter refuses by name (bound, the score in firmware),
# nothing written: the check is that refusal; an example leaves this list once it has a Verilog form.
RTL_REFUSED="ae_nmi"
for f in examples/*.aedl tests/hls/clip.aedl tests/hls/abs.aedl; do
  b=$(basename "$f" .aedl)
  "$TOOL" weights "$f" "$W/$b.h5" 7 > "$W/$b.tool" 2>&1 || { fail "rtl/example/$b" "hls_tool: $(cat "$W/$b.tool")"; continue; }
  case " $RTL_REFUSED " in *" $b "*)
    "$AEDLC" "$f" --emit rtl --weights "$W/$b.h5" -o "$W/$b" > "$W/$b.log" 2>&1; st=$?
    check "rtl/example/$b (refused)" "status $st: $(head -n 2 "$W/$b.log" | tr '\n' ' ')" \
      sh -c "test $st -eq 1 && grep -q 'has no Verilog form yet' '$W/$b.log' && test ! -e '$W/$b/rtl'"
    continue ;;
  esac
  if ! "$AEDLC" "$f" --emit rtl --weights "$W/$b.h5" -o "$W/$b" > "$W/$b.log" 2>&1; then
    # a VAE's mu2 step (target output = score) has no Verilog form: refused by name, nothing written
    if grep -q "^aedlc: error: layer 'mu2': .* has no Verilog form yet; --emit hls builds it" "$W/$b.log" && ! test -e "$W/$b/rtl"; then
      pass "rtl/example/$b (the mu2 step refused by name)"; continue
    fi
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
cat > "$W/one.sh" <<EOF2
s=\$1; d="$W/rnd\$s"; mkdir -p "\$d"
"$TOOL" model "\$d/rnd.aedl" \$s && "$TOOL" weights "\$d/rnd.aedl" "\$d/w.h5" \$s > /dev/null || { echo "FAIL rtl/random/\$s: hls_tool"; exit 0; }
if ! "$AEDLC" "\$d/rnd.aedl" --emit rtl --weights "\$d/w.h5" -o "\$d" > "\$d/log" 2>&1; then
  # documented limits (docs/rtl.md), refused with these messages and nothing written
  if grep -Eq "error: layer '.*': (softmax is computed|its sums need about [0-9]* bits)" "\$d/log" && test ! -e "\$d/rtl"; then
    echo "PASS rtl/random/\$s (refused clearly: \$(grep -o "error: layer '[^']*': [a-z ]*" "\$d/log" | head -n 1))"; exit 0
  fi
  echo "FAIL rtl/random/\$s: aedlc: \$(head -n 3 "\$d/log" | tr '\n' ' ')"; exit 0
fi
if [ "${SAN:-}" = 1 ]; then echo "PASS rtl/random/\$s (emitted; simulated in the plain run)"; exit 0; fi
if make -s -C "\$d/rtl" sim-iverilog TB=tb_data > "\$d/sim.out" 2>&1 && grep -Eq '^iverilog: rtl sim: ([1-9][0-9]*) of \1 events matched' "\$d/sim.out"; then
  echo "PASS rtl/random/\$s"
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

# bound (k * tanh per feature) has no Verilog form yet: refused by name, nothing written
"$TOOL" weights tests/hls/bound.aedl "$W/bound.h5" 3 > /dev/null 2>&1
"$AEDLC" tests/hls/bound.aedl --emit rtl --weights "$W/bound.h5" -o "$W/bound" > "$W/bound.log" 2>&1; st=$?
check rtl/bound-refused "status $st: $(head -n 2 "$W/bound.log" | tr '\n' ' ')" \
  sh -c "test $st -eq 1 && grep -q \"error: layer '[a-z_0-9]*': bound (k \\* tanh per feature) has no Verilog form yet\" '$W/bound.log' && test ! -e '$W/bound/rtl'"

# the anomaly score in firmware (target output = score) has no Verilog form yet: refused, nothing written
sed 's/^  precision    = bit_exact$/&\n  output       = score/' tests/hls/tiny.aedl > "$W/score.aedl"
"$AEDLC" "$W/score.aedl" --emit rtl --weights "$W/tiny.h5" -o "$W/score" > "$W/score.log" 2>&1; st=$?
check rtl/score-refused "status $st: $(head -n 2 "$W/score.log" | tr '\n' ' ')" \
  sh -c "test $st -eq 1 && grep -q 'the anomaly score in firmware (target output = score) has no Verilog form yet' '$W/score.log' && test ! -e '$W/score/rtl'"
