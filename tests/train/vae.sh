#!/bin/sh
# A variational autoencoder (sample z <- mu, logvar; loss = vae(...); score = mu2;
# target output = score): trained a few epochs, deterministic for a number of
# threads and with the same noise for any (the draws are made for the whole
# batch before the rows are split); the firmware is the encoder and the sum of
# the squared means: the emulator equals the quantized model on every test
# event, C simulation equals the emulator bit for bit on every testbench event,
# and the decoder is nowhere in the firmware; summary.json gives AUCs of the
# three scores; predict writes the means, kl and mu2; the Verilog emitter
# refuses the mu2 step by name.
. tests/lib.sh
test_workdir vae-test
awk 'BEGIN { srand(7); print "a,b,c,d,e,f"
  for (i = 0; i < 1500; i++) { u = rand(); printf "%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", u, 2 * u, rand() < 0.3 ? 0 : rand(),
    u * u, rand() - 0.5, rand() < 0.3 ? 0 : 1 - u } }' > "$W/t.csv"
awk 'BEGIN { srand(8); print "a,b,c,d,e,f"
  for (i = 0; i < 300; i++) { u = rand(); printf "%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", u, 3 * rand(), rand() < 0.3 ? 0 : 2 * rand(),
    u, rand(), rand() < 0.3 ? 0 : u } }' > "$W/s.csv"
cat > "$W/v.aedl" <<'AEDL'
model v {
  input x[6] : fixed<12, 3, rnd, sat>
  dense enc(4, weight=quantized_bits(6, 1, 1), bias=quantized_bits(6, 1, 1))
  relu(quant=quantized_relu(6, 2))
  dense mu(2, weight=quantized_bits(6, 1, 1), bias=quantized_bits(6, 1, 1)) <- relu_1
  dense logvar(2) <- relu_1
  sample z <- mu, logvar
  dense dec(4)
  relu
  dense out(6)
}
data t {
  train = csv("t.csv")
  signal odd = csv("s.csv")
  test = 0.4
}
train {
  epochs = 3
  batch = 64
  loss = vae(reco = mse, beta = 0.8, reco_weight = 0.2)
  score = mu2
  metrics = [roc, auc, tpr_at_fpr(0.01)]
}
target trig {
  output = score
  trigger_rate = 1e6
}
AEDL
for th in 1 2 2b; do
  (cd "$W" && "$AEDLC" run v.aedl -o "out$th" -- --threads "${th%b}" > "run$th.log" 2>&1); st=$?
  check vae/train-$th "status $st: $(tail -3 "$W/run$th.log")" test $st -eq 0
done
cut -d, -f1-3 "$W/out2/history.csv" > "$W/h2"; cut -d, -f1-3 "$W/out2b/history.csv" > "$W/h2b"
check vae/deterministic "two runs with 2 threads give different losses" cmp -s "$W/h2" "$W/h2b"
h5dump "$W/out2/v.weights.h5" | tail -n +2 > "$W/w2.txt"; h5dump "$W/out2b/v.weights.h5" | tail -n +2 > "$W/w2b.txt"
check vae/deterministic-weights "two runs with 2 threads give different weights" cmp -s "$W/w2.txt" "$W/w2b.txt"
# 1 and 2 threads: the same noise; only the summation order of the gradients differs
python3 - "$W/out1/history.csv" "$W/out2/history.csv" > "$W/hist.out" 2>&1 <<'PY'
import csv, sys
a, b = (list(csv.DictReader(open(p))) for p in sys.argv[1:3])
d = max(abs(float(x["loss"]) - float(y["loss"])) / abs(float(x["loss"])) for x, y in zip(a, b))
print("epochs %d %d, largest relative loss difference %.3g" % (len(a), len(b), d))
sys.exit(0 if len(a) == len(b) == 3 and d < 1e-4 else 1)
PY
check vae/threads-same-noise "$(cat "$W/hist.out")" test $? -eq 0
O="$W/out1"
J="$O/eval/summary.json"
check vae/emulator-equals-quantized "$(grep -o '"test_events": [0-9]*, "equal_to_quantized": [0-9]*' "$J")" \
  grep -q '"test_events": 600, "equal_to_quantized": 600' "$J"
python3 - "$J" > "$W/json.out" 2>&1 <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
s = j["signals"]["odd"]["scores"]
ok = (j["score"] == "mu2" and j["vae"]["sample"] == "z" and j["vae"]["beta"] == 0.8 and
      j["firmware"]["score_output"]["score"] == "mu2" and sorted(s) == ["kl", "mse", "mu2"] and
      all(0 <= s[k][v]["auc"] <= 1 for k in s for v in ("float", "quantized")) and
      s["mu2"]["quantized"]["auc"] == j["signals"]["odd"]["quantized"]["auc"])
print(json.dumps({k: s[k]["quantized"]["auc"] for k in s}), j["firmware"]["score_output"]["type"])
sys.exit(0 if ok else 1)
PY
check vae/summary-scores "$(cat "$W/json.out")" test $? -eq 0
# the latent means' histograms (aedl-report's panel): every test and signal event once per mean
L="$O/eval/latent_means_hist.csv"
check vae/latent-means "$(head -n 3 "$L" 2>&1 | tr '\n' ' ')" \
  sh -c "test \$(awk -F, 'NR > 1 && \$1 == \"mu_0\" && \$2 == \"background\" { n += \$5 } END { print n }' '$L') -eq 600 &&
         test \$(awk -F, 'NR > 1 && \$1 == \"mu_1\" && \$2 == \"odd\" { n += \$5 } END { print n }' '$L') -eq 300 &&
         test \$(wc -l < '$L') -eq 241"
if command -v gnuplot > /dev/null 2>&1; then
  check vae/report-panel "index.html has no latent means panel" grep -q 'latent_means.png' "$O/report/index.html"
fi
F="$O/hls/firmware"
check vae/encoder-only "the decoder is in the firmware" \
  sh -c "! grep -q 'config_dec\|config_out\|config_logvar' '$F/parameters.h' && ! test -e '$F/weights/dec.h' &&
         ! test -e '$F/weights/logvar.h' && ! grep -q 'layer dense dec\|layer dense logvar' '$O/firmware.plan' &&
         grep -q 'score_square_t s = mu_out\[j\] \* mu_out\[j\];' '$F/v.cpp' &&
         grep -q '^typedef ap_ufixed<[0-9]*,[0-9]*> score_t;  // exact' '$F/defines.h'"
make -s -C "$O/hls" csim WERROR=1 > "$W/csim.out" 2>&1
check vae/csim "$(tail -n 3 "$W/csim.out" | tr '\n' ' ')" grep -qx 'csim: 600 of 600 events matched bit for bit' "$W/csim.out"
# predict: the firmware's mu2 of the testbench inputs equals the testbench's; mu2_quantized
# is the sum of the squared latent_quantized (the means), exactly
(cd "$W" && "$AEDLC" predict v.aedl out1/hls/tb_data/tb_input_features.dat --format csv -o out1 --out bg.csv) > "$W/p.log" 2>&1
check vae/predict "$(tail -n 2 "$W/p.log")" test $? -eq 0
tail -n +2 "$W/bg.csv" | cut -d, -f5 > "$W/bg.fw"
check vae/predict-equals-testbench "predict's firmware mu2 differs from tb_output_predictions.dat" \
  cmp -s "$W/bg.fw" "$O/hls/tb_data/tb_output_predictions.dat"
python3 - "$W/bg.csv" > "$W/pc.out" 2>&1 <<'PY'
import csv, sys
from fractions import Fraction as Q
rows = list(csv.DictReader(open(sys.argv[1])))
bad = [r["event"] for r in rows
       if Q(r["mu2_quantized"]) != Q(r["latent_quantized_0"]) ** 2 + Q(r["latent_quantized_1"]) ** 2
       or Q(r["mu2_quantized"]) != Q(r["score_firmware"]) or float(r["kl_quantized"]) < 0]
print("%d events, %d where mu2 != the squared means or the firmware's, or kl < 0" % (len(rows), len(bad)))
sys.exit(0 if rows and not bad else 1)
PY
check vae/predict-mu2 "$(cat "$W/pc.out")" test $? -eq 0
# the trigger threshold and TPR of summary.json from the firmware's mu2 of every test
# event (the testbench's 600) and of the signal, computed independently
(cd "$W" && "$AEDLC" predict v.aedl s.csv -o out1 --out sig.csv) > "$W/p2.log" 2>&1
python3 - "$J" "$W/bg.csv" "$W/sig.csv" > "$W/thr.out" 2>&1 <<'PY'
import csv, json, math, sys
from fractions import Fraction as Q
j = json.load(open(sys.argv[1]))["firmware"]["score_output"]
bg, sig = ([Q(r["score_firmware_sum"]) for r in csv.DictReader(open(p))] for p in sys.argv[2:4])
w, i = [int(x) for x in j["type"].split("<")[1].rstrip(">").split(",")]
step = Q(2) ** (i - w)
k = math.floor(j["fpr"] * len(bg))
T = math.ceil(sorted(bg, reverse=True)[k] / step)
fires = lambda ev: sum(1 for s in ev if s > T * step)
ok = (j["threshold_bits"] == T and Q(j["threshold"]) == T * step and j["background_fired"] == fires(bg) <= k
      and abs(j["tpr"]["odd"] - fires(sig) / len(sig)) < 1e-9 and len(bg) == 600 and len(sig) == 300)
print("python: threshold bits %d, %d of %d fire, TPR %.6f; summary.json: %s, %s, %s"
      % (T, fires(bg), len(bg), fires(sig) / len(sig), j["threshold_bits"], j["background_fired"], j["tpr"]["odd"]))
sys.exit(0 if ok else 1)
PY
check vae/threshold-tpr "$(cat "$W/thr.out")" test $? -eq 0
# the Verilog of the encoder and its mu2 step, simulated on the test events (../hls/tb_data) in the
# plain run (under the sanitizers only aedlc is sanitized)
(cd "$W" && "$AEDLC" v.aedl --emit rtl --weights out1/v.weights.h5 -o out1) > "$W/rtl.log" 2>&1; st=$?
check vae/rtl-emitted "status $st: $(head -c 300 "$W/rtl.log")" sh -c "test $st -eq 0 && test -s '$W/out1/rtl/v_mu2.v'"
if [ "${SAN:-}" != 1 ] && command -v iverilog > /dev/null 2>&1; then
  make --no-print-directory -C "$W/out1/rtl" sim-iverilog > "$W/rtlsim.log" 2>&1
  check vae/rtl-sim "$(tail -n 3 "$W/rtlsim.log")" grep -Eq '^iverilog: rtl sim: ([0-9]+) of \1 events matched bit for bit' "$W/rtlsim.log"
fi
# score = kl cannot be the firmware's output: a message naming it
sed 's/score = mu2/score = kl/' "$W/v.aedl" > "$W/kl.aedl"
(cd "$W" && "$AEDLC" kl.aedl --emit hls --weights out1/v.weights.h5 -o kl) > "$W/kl.log" 2>&1; st=$?
check vae/kl-not-in-firmware "status $st: $(head -c 300 "$W/kl.log")" \
  sh -c "test $st -ne 0 && grep -q 'not kl' '$W/kl.log'"
