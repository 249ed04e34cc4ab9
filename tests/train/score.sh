#!/bin/sh
# output = score: the firmware outputs the anomaly score.  After training a small
# quantized model (mse, then masked_mse): the emulator's score equals the quantized
# model's on every test event (summary.json), C simulation matches the emulator's
# score bit for bit on every testbench event, and the trigger threshold and the TPR
# per signal in summary.json equal an independent computation (python3) from the
# per-event firmware sums aedlc predict writes.  Masked: feature c holds some values
# (0.0004) that are not 0 but that the input type rounds to 0, which training's mask
# counts and the firmware's skips: the run log warns, and summary.json's count of them
# equals an independent one (python3) from the testbench inputs.
. tests/lib.sh
test_workdir score-test
awk 'BEGIN { srand(7); print "a,b,c,d,e,f"
  for (i = 0; i < 1500; i++) { u = rand(); printf "%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", u, 2 * u,
    rand() < 0.3 ? 0 : rand() < 0.05 ? 0.0004 : rand(),
    u * u, rand() - 0.5, rand() < 0.3 ? 0 : 1 - u } }' > "$W/t.csv"
awk 'BEGIN { srand(8); print "a,b,c,d,e,f"
  for (i = 0; i < 300; i++) { u = rand(); printf "%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", u, 3 * rand(), rand() < 0.3 ? 0 : 2 * rand(),
    u, rand(), rand() < 0.3 ? 0 : u } }' > "$W/s.csv"

for score in mse masked_mse; do
  D="$W/$score"
  mkdir -p "$D"
  cp "$W/t.csv" "$W/s.csv" "$D/"
  cat > "$D/p.aedl" <<AEDL
model p {
  input x[6] : fixed<12, 3, rnd, sat>
  dense enc(4, weight=quantized_bits(6, 1, 1), bias=quantized_bits(6, 1, 1))
  relu(quant=quantized_relu(6, 2))
  dense out(6, weight=quantized_bits(6, 1, 1), bias=quantized_bits(6, 1, 1))
}
data t {
  train = csv("t.csv")
  signal odd = csv("s.csv")
  test = 0.4
}
train {
  epochs = 2
  batch = 64
  score = $score
  metrics = [roc, auc, residuals]
}
target trig {
  output = score
  trigger_rate = 1e6     # of bunch_rate 40e6: FPR 0.025
}
AEDL
  (cd "$D" && "$AEDLC" run p.aedl -o out -- --threads 1 > run.log 2>&1); st=$?
  check score/$score/train "status $st: $(tail -3 "$D/run.log")" test $st -eq 0
  J="$D/out/eval/summary.json"
  check score/$score/emulator-equals-quantized "$(grep -o '"test_events": [0-9]*, "equal_to_quantized": [0-9]*' "$J")" \
    grep -q '"test_events": 600, "equal_to_quantized": 600' "$J"
  check score/$score/defines "defines.h lacks the score types" \
    sh -c "grep -q '^typedef ap_ufixed<[0-9]*,[0-9]*> score_t;  // exact' '$D/out/hls/firmware/defines.h' &&
           grep -q 'score_diff_t d = out_out\[j\] - x\[j\];' '$D/out/hls/firmware/p.cpp'"
  if [ $score = masked_mse ]; then
    # the firmware's mask vs training's: the test split is the testbench's input (600 events)
    python3 - "$J" "$D/out/hls/tb_data/tb_input_features.dat" > "$D/mask.out" 2>&1 <<'PY'
import json, math, sys
m = json.load(open(sys.argv[1]))["firmware"]["score_output"]["mask"]
d = m["differs_from_training"]
step = 2.0 ** -9                   # fixed<12, 3, rnd, sat>: rnd rounds half up
rows = [[float(v) for v in l.split()] for l in open(sys.argv[2])]
rounds_to_0 = lambda x: x != 0 and math.floor(x / step + 0.5) == 0
per = [sum(1 for x in r if rounds_to_0(x)) for r in rows]
print("python: %d features of %d events round to 0; summary.json: %s, padding %s" % (sum(per), sum(1 for c in per if c), d, m["padding"]))
ok = (d["test_events"] == len(rows) == 600 and d["firmware_only"] == 0 and d["training_only"] == sum(per) > 0
      and d["events"] == sum(1 for c in per if c) and d["features"] == sum(per) and m["padding"] == [0] * 6)
sys.exit(0 if ok else 1)
PY
    check score/$score/mask-vs-training "$(cat "$D/mask.out")" test $? -eq 0
    check score/$score/mask-warning "$(grep -i 'mask' "$D/run.log")" \
      grep -Eq "warning: the firmware's masked score counts other features than training's masked_mse: on [1-9][0-9]* of 600 test events, [1-9][0-9]* features \(0 counted by the firmware only" "$D/run.log"
  fi
  make -s -C "$D/out/hls" csim WERROR=1 > "$D/csim.out" 2>&1
  check score/$score/csim "$(tail -n 3 "$D/csim.out" | tr '\n' ' ')" grep -qx 'csim: 600 of 600 events matched bit for bit' "$D/csim.out"
  # the test split (600 events <= 1000: all in tb_data) and the signal, scored by predict
  "$AEDLC" predict "$D/p.aedl" "$D/out/hls/tb_data/tb_input_features.dat" --format csv -o "$D/out" \
    --out "$D/bg.csv" > "$D/p1.log" 2>&1; st1=$?
  "$AEDLC" predict "$D/p.aedl" "$D/s.csv" -o "$D/out" --out "$D/sig.csv" > "$D/p2.log" 2>&1; st2=$?
  check score/$score/predict "status $st1 $st2: $(tail -n 2 "$D/p1.log" "$D/p2.log")" test $st1 -eq 0 -a $st2 -eq 0
  # over 4096 events: the quantized model's reconstruction comes from the emulation
  # (the score layer's input), the same file as QI on every event gives
  { head -1 "$D/s.csv"; for k in $(seq 17); do tail -n +2 "$D/s.csv"; done; } > "$D/big.csv"
  "$AEDLC" predict "$D/p.aedl" "$D/big.csv" -o "$D/out" --out "$D/big.csv.out.csv" > "$D/p3.log" 2>&1; st1=$?
  "$AEDLC" predict "$D/p.aedl" "$D/big.csv" -o "$D/out" --out "$D/big-qi.csv" --check-quantized > "$D/p4.log" 2>&1; st2=$?
  check score/$score/predict-quantized-from-emulation "status $st1 $st2: $(tail -n 1 "$D/p3.log" "$D/p4.log"); $(cmp "$D/big.csv.out.csv" "$D/big-qi.csv" 2>&1)" \
    sh -c "test $st1 -eq 0 && test $st2 -eq 0 && cmp -s '$D/big.csv.out.csv' '$D/big-qi.csv' &&
      grep -q 'latent_quantized: the firmware emulation (the plan is exact by construction; QI equalled it on the first 4096 events)' '$D/p3.log' &&
      grep -q 'equal to the firmware emulation on 5100 of 5100 events' '$D/p4.log'"
  # the firmware's outputs in predict equal the testbench's expected ones
  if [ $score = mse ]; then cols=5; else cols=5,6; fi
  tail -n +2 "$D/bg.csv" | cut -d, -f$cols | tr ',' ' ' > "$D/bg.fw"
  check score/$score/predict-equals-testbench "predict's firmware sums differ from tb_output_predictions.dat" \
    cmp -s "$D/bg.fw" "$D/out/hls/tb_data/tb_output_predictions.dat"
  python3 - "$J" "$D/bg.csv" "$D/sig.csv" $score > "$D/py.out" 2>&1 <<'PY'
import csv, json, math, sys
from fractions import Fraction
j = json.load(open(sys.argv[1]))["firmware"]["score_output"]
masked = sys.argv[4] == "masked_mse"
def events(path):
    rows = list(csv.DictReader(open(path)))
    return [(Fraction(r["score_firmware_sum"]), int(float(r["score_firmware_count"])) if masked else 1) for r in rows]
bg, sig = events(sys.argv[2]), events(sys.argv[3])
fpr = j["trigger_rate"] / j["bunch_rate"]
w, i = [int(x) for x in j["type"].split("<")[1].rstrip(">").split(",")]
step = Fraction(2) ** (i - w)
k = math.floor(fpr * len(bg))
ratios = sorted((s / c for s, c in bg if c), reverse=True) + [Fraction(0)] * sum(1 for s, c in bg if not c)
T = math.ceil(ratios[k] / step)          # the smallest mantissa with at most k events above
fires = lambda ev: sum(1 for s, c in ev if s > T * step * c)
assert fires(bg) <= k and (T == 0 or fires([(s, c) for s, c in bg]) <= k), "threshold"
ok = (j["threshold_bits"] == T and Fraction(j["threshold"]) == T * step and j["background_fired"] == fires(bg)
      and abs(j["tpr"]["odd"] - fires(sig) / len(sig)) < 1e-9)
print("python: threshold bits %d value %s fired %d of %d, TPR odd %.6f; summary.json: %s %s %s %s"
      % (T, float(T * step), fires(bg), len(bg), fires(sig) / len(sig), j["threshold_bits"], j["threshold"],
         j["background_fired"], j["tpr"]["odd"]))
sys.exit(0 if ok else 1)
PY
  check score/$score/threshold-tpr "$(cat "$D/py.out")" test $? -eq 0
  # aedl-report shows the threshold (value, type, bit pattern) and the TPR: --summary and index.html
  bits=$(grep -o '"threshold_bits": [0-9]*' "$J" | grep -o '[0-9]*$')
  ty=$(grep -o '"score": "[a-z_]*", "type": "[a-z]*<[0-9,]*>"' "$J" | sed 's/.*"type": "\(.*\)"/\1/')
  "$B/aedl-report" --summary "$D/out" > "$D/sum.out" 2>&1
  check score/$score/report-summary "$(grep trigger "$D/sum.out") (bits ${bits:-?}, $ty)" \
    grep -Eq "^  trigger \($score in firmware\) at 1 MHz of 40 MHz \(FPR 0.025\): fires when [a-z >*]*, threshold [0-9.e+-]* \($ty, bits ${bits:-x}\); [0-9]* of 600 background test events fire; TPR odd [0-9.e+-]*\$" "$D/sum.out"
  "$B/aedl-report" --quiet "$D/out" > "$D/rep.out" 2>&1
  check score/$score/report-index "$(grep -o '<tr><th>trigger.*' "$D/out/report/index.html" | head -c 300)" \
    grep -Eq "<tr><th>trigger \(score in firmware\)</th><td>$score at 1 MHz of 40 MHz \(FPR 0.025\): fires when .* bits ${bits:-x} \(0x[0-9a-f]*\); [0-9]* of 600 background test events fire.<br>TPR at it: odd <b>" "$D/out/report/index.html"
  # --compare's trigger column: the firmware's AUC and the TPR at that threshold, as summary.json has them
  tpr=$(grep -o '"tpr": { "odd": [0-9.e-]*' "$J" | sed 's/.*: //')
  "$B/aedl-report" --compare "t=$D/out:trigger" > "$D/cmp.out" 2>&1
  check score/$score/report-compare "$(tr '\n' ' ' < "$D/cmp.out") (summary.json: $tpr)" \
    sh -c "grep -q '^ *| *AUC *TPR@1MHz\$' '$D/cmp.out' && grep -Eq \"^odd +\\| +0\\.[0-9]{4} +$(printf '%.4f' "${tpr:-0}")[ *]\$\" '$D/cmp.out'"
done

# Bad input: a located error
cat > "$W/two.aedl" <<'AEDL'
model two {
  input x[4] : fixed<10, 3>
  dense a(2, weight=quantized_bits(6, 1, 1))
  dense b(4, weight=quantized_bits(6, 1, 1))
  dense c(4, weight=quantized_bits(6, 1, 1))
  output b, c
}
target t {
  output = score
}
AEDL
"$AEDLC" "$W/two.aedl" --emit hls -o "$W/two" > "$W/two.log" 2>&1; st=$?
check score/error-two-outputs "status $st: $(cat "$W/two.log")" \
  sh -c "test $st -eq 1 && grep -q 'two.aedl:9:12: error: output = score needs a model with one output' '$W/two.log'"
cat > "$W/bad.aedl" <<'AEDL'
model m {
  input x[4] : fixed<10, 3>
  dense a(4, weight=quantized_bits(6, 1, 1))
}
target t {
  output = scores
}
AEDL
"$AEDLC" "$W/bad.aedl" --emit hls -o "$W/bad" > "$W/bad.log" 2>&1; st=$?
check score/error-bad-value "status $st: $(cat "$W/bad.log")" \
  sh -c "test $st -eq 1 && grep -q 'bad.aedl:6:12: error: ' '$W/bad.log'"
sed 's/output = scores/output = score\n  trigger_rate = 5e7/' "$W/bad.aedl" > "$W/rate.aedl"
"$AEDLC" "$W/rate.aedl" --emit hls -o "$W/rate" > "$W/rate.log" 2>&1; st=$?
check score/error-trigger-rate "status $st: $(cat "$W/rate.log")" \
  sh -c "test $st -eq 1 && grep -q 'rate.aedl:7:18: error: trigger_rate must be a positive number of Hz below bunch_rate' '$W/rate.log'"
