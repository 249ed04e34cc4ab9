#!/bin/sh
# Hardware inputs (target hardware_inputs): the firmware takes the raw values in declared
# hardware types and applies the fitted scaling itself, in fixed point.  After training a
# small quantized model (pT and E standardised, eta affine, phi raw; two features not
# declared): the emulator equals the quantized model on every test event (the firmware
# column), C simulation matches the emulator bit for bit on the testbench, whose inputs are
# the raw values in their hardware types (checked against the data file, python3); the
# constants in the C++ follow the documented rule from scaler.h5 (python3); aedlc predict's
# firmware score equals the quantized one on every event; the same with output = score
# (masked); --emit rtl refuses the stage by name.
. tests/lib.sh
test_workdir hwin-test
awk 'BEGIN { srand(7); print "pt,eta,phi,e,f,g"
  for (i = 0; i < 1500; i++) { u = rand(); printf "%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", 200 * u * u, 4 * rand() - 2,
    6 * rand() - 3, 50 * rand(), rand() - 0.5, rand() < 0.3 ? 0 : 1 - u } }' > "$W/t.csv"

for v in plain score; do
  D="$W/$v"
  mkdir -p "$D"
  cp "$W/t.csv" "$D/"
  if [ $v = score ]; then extra="score = masked_mse"; tgt="output = score
  trigger_rate = 1e6"; else extra=""; tgt=""; fi
  cat > "$D/p.aedl" <<AEDL
model p {
  input x[6] : fixed<14, 4, rnd, sat>
  dense enc(4, weight=quantized_bits(6, 1, 1), bias=quantized_bits(6, 1, 1))
  relu(quant=quantized_relu(6, 2))
  dense out(6, weight=quantized_bits(6, 1, 1), bias=quantized_bits(6, 1, 1))
}
data t {
  train = csv("t.csv")
  test = 0.4
  names = [pt, eta, phi, e, f, g]
  transform = affine(eta, 0, 2)
  scale = standard([pt, e])
}
train {
  epochs = 2
  batch = 64
  $extra
}
target trig {
  $tgt
  hardware_inputs = [hw(pt, ufixed<16, 10>), hw([eta, phi], fixed<12, 4>), hw(e, ufixed<14, 7, rnd, sat>)]
}
AEDL
  (cd "$D" && "$AEDLC" run p.aedl -o out -- --threads 1 > run.log 2>&1); st=$?
  check hwin/$v/train "status $st: $(tail -3 "$D/run.log")" test $st -eq 0
  J="$D/out/eval/summary.json"
  check hwin/$v/emulator-equals-quantized "$(grep -o '"test_events": [0-9]*, "equal_to_quantized": [0-9]*' "$J")" \
    grep -q '"test_events": 600, "equal_to_quantized": 600' "$J"
  make -s -C "$D/out/hls" csim WERROR=1 > "$D/csim.out" 2>&1
  check hwin/$v/csim "$(tail -n 3 "$D/csim.out" | tr '\n' ' ')" grep -qx 'csim: 600 of 600 events matched bit for bit' "$D/csim.out"
  if [ $v = plain ]; then
    "$AEDLC" predict "$D/p.aedl" "$D/t.csv" -o "$D/out" --out "$D/pred.csv" > "$D/pred.log" 2>&1; st=$?
    same=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "score_quantized") q = i; if ($i == "score_firmware") f = i } }
                    NR > 1 { n++; if ($q == $f) e++ } END { print e + 0 "/" n + 0 }' "$D/pred.csv")
    check hwin/$v/predict-firmware-equals-quantized "status $st, $same: $(tail -n 2 "$D/pred.log")" \
      test "$st $same" = "0 1500/1500"
  else
    # the testbench's inputs are raw values already in their hardware types (f and g have no
    # scaling): predict takes them through the same path, its firmware sums are the testbench's
    "$AEDLC" predict "$D/p.aedl" "$D/out/hls/tb_data/tb_input_features.dat" --format csv -o "$D/out" \
      --out "$D/tb.csv" > "$D/pred.log" 2>&1; st=$?
    tail -n +2 "$D/tb.csv" | cut -d, -f5,6 | tr ',' ' ' > "$D/tb.fw"
    check hwin/$v/predict-equals-testbench "status $st: $(tail -n 2 "$D/pred.log")" \
      sh -c "test $st -eq 0 && cmp -s '$D/tb.fw' '$D/out/hls/tb_data/tb_output_predictions.dat'"
  fi
done

D="$W/plain"
check hwin/defines "defines.h lacks the hardware types or the stage" \
  sh -c "grep -q '^typedef ap_ufixed<16,10> hw_in_0_t;  // the declared hardware type' '$D/out/hls/firmware/defines.h' &&
         grep -q '^typedef ap_fixed<14,4,AP_RND,AP_SAT> hw_in_4_t;  // not declared' '$D/out/hls/firmware/defines.h' &&
         grep -q 'x_model\[0\] = (hw_accum_t)((hw_in_0_t)x\[0\] \* (hw_k_t)' '$D/out/hls/firmware/p.cpp'"
check hwin/report "precision.txt does not say how the stage was built" \
  grep -q '^  not folded: the scaling is a stage of its own (hw_input) before the first layer' \
  "$D/out/report/precision.txt"

# Independent checks (python3): the testbench's inputs are the data's raw values in the
# hardware types (pt ufixed<16,10> and eta, phi fixed<12,4> truncated; e ufixed<14,7,rnd,sat>
# rounded; f, g arrive scaled, i.e. raw here, in the input's fixed<14,4,rnd,sat>); the
# constants are 1 / (divisor * std) at step 2^-21 and -(offset / divisor + mean) / std at
# step 2^-12, rounded half up (model input step 2^-10, hardware types' integer part 10).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" - "$W/t.csv" "$D/out/hls/tb_data/tb_input_features.dat" "$D/out/scaler.h5" "$D/out/hls/firmware/p.cpp" \
  > "$W/py.out" 2>&1 <<'PY'
import csv, math, re, sys
from fractions import Fraction as F
import h5py, numpy as np
rows = [[F(v) for v in r] for r in list(csv.reader(open(sys.argv[1])))[1:]]
def cast(x, w, i, signed, rnd, sat):
    q = x * 2 ** (w - i)
    m = math.floor(q + F(1, 2)) if rnd else math.floor(q)
    lo, hi = (-(2 ** (w - 1)), 2 ** (w - 1) - 1) if signed else (0, 2 ** w - 1)
    if sat: m = min(max(m, lo), hi)
    else: m = (m - lo) % 2 ** w + lo
    return F(m, 2 ** (w - i))
types = [(16, 10, 0, 0, 0), (12, 4, 1, 0, 0), (12, 4, 1, 0, 0), (14, 7, 0, 1, 1), (14, 4, 1, 1, 1), (14, 4, 1, 1, 1)]
allowed = [set(cast(r[j], *types[j]) for r in rows) for j in range(6)]
tb = [[F(v) for v in l.split()] for l in open(sys.argv[2])]
bad = sum(1 for e in tb if any(e[j] not in allowed[j] for j in range(6)))
s = h5py.File(sys.argv[3], "r")["scaler"]
mean, std, off, div = (np.asarray(s[k], dtype=np.float64) for k in ("mean", "std", "offset", "divisor"))
cpp = re.findall(r"x_model\[(\d)\] = \(hw_accum_t\)\(\(hw_in_\d_t\)x\[\d\] \* \(hw_k_t\)(\S+) \+ \(hw_c_t\)(\S+)\);",
                 open(sys.argv[4]).read())
wrong = []
for j, k, c in cpp:
    j = int(j)
    kk, cc = (1.0 / (div[j] * std[j]), -(off[j] / div[j] + mean[j]) / std[j]) if j < 4 else (1.0, 0.0)
    kq, cq = F(math.floor(F(kk) * 2 ** 21 + F(1, 2)), 2 ** 21), F(math.floor(F(cc) * 2 ** 12 + F(1, 2)), 2 ** 12)
    if F(k) != kq or F(c) != cq: wrong.append((j, k, c, float(kq), float(cq)))
print("testbench events not in the hardware types: %d of %d; constants: %d features, wrong: %s" % (bad, len(tb), len(cpp), wrong))
sys.exit(0 if bad == 0 and len(tb) == 600 and len(cpp) == 6 and not wrong else 1)
PY
check hwin/python-testbench-and-constants "$(cat "$W/py.out")" test $? -eq 0

# The Verilog of the same plan: the hardware inputs' stage too, on the test events' hardware values
# (../hls/tb_data); simulated in the plain run (under the sanitizers only aedlc is sanitized).
"$AEDLC" "$D/p.aedl" --emit rtl -o "$D/out" --weights "$D/out/p.weights.h5" > "$W/rtl.log" 2>&1; st=$?
check hwin/rtl-emitted "status $st: $(head -n 3 "$W/rtl.log")" sh -c "test $st -eq 0 && test -s '$D/out/rtl/p_hw_input.v'"
if [ "${SAN:-}" != 1 ] && command -v iverilog > /dev/null 2>&1; then
  make --no-print-directory -C "$D/out/rtl" sim-iverilog > "$W/rtlsim.log" 2>&1
  check hwin/rtl-sim "$(tail -n 3 "$W/rtlsim.log")" grep -Eq '^iverilog: rtl sim: ([0-9]+) of \1 events matched bit for bit' "$W/rtlsim.log"
  if command -v verilator > /dev/null 2>&1; then
    make --no-print-directory -C "$D/out/rtl" lint > "$W/lint.log" 2>&1; st=$?
    check hwin/rtl-lint "status $st: $(grep -m 3 '%' "$W/lint.log")" sh -c "test $st -eq 0 && ! grep -q '%Warning\|%Error' '$W/lint.log'"
  fi
fi
