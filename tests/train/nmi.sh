#!/bin/sh
# examples/ae_nmi.aedl (the FPGA-autoencoder paper's recipe, the masked score as the
# firmware's output) trained for 2 epochs on a small generated ADC2021-format sample:
# the run succeeds; the emulator's score equals the quantized model's on every test
# event; the firmware's AUC equals the quantized model's for every signal (the
# firmware's mask, "quantized input != 0", and training's, "input != 0", select the
# same features: a preprocessing that moved a padded 0 elsewhere would break this);
# the threshold at the trigger rate is there; the C simulation matches the score bit
# for bit on every testbench event; pT is scaled (x / 32), eta and phi are not.
. tests/lib.sh
test_workdir nmi-test
"$GEN" --all "$W/data" --events 6000 --signal-events 1500 --jet-count 10 --seed 5 --quiet ||
  { fail nmi/data "aedl-gen failed"; exit 0; }
sed -e 's|"\.\./data/|"data/|' -e 's|limit    = 1000000|limit = 6000|' -e 's|epochs    = 150|epochs = 2|' \
  examples/ae_nmi.aedl > "$W/ae_nmi.aedl"
check nmi/edited "the sed of examples/ae_nmi.aedl found no limit or epochs line" \
  sh -c "grep -q '^  limit = 6000' '$W/ae_nmi.aedl' && grep -q '^  epochs = 2' '$W/ae_nmi.aedl'"
(cd "$W" && "$AEDLC" run ae_nmi.aedl -o out -- --threads 2 > run.log 2>&1); st=$?
check nmi/train "status $st: $(tail -n 3 "$W/run.log" | tr '\n' ' ')" test $st -eq 0
J="$W/out/eval/summary.json"
check nmi/emulator-equals-quantized "$(grep -o '"test_events": [0-9]*, "equal_to_quantized": [0-9]*' "$J")" \
  grep -q '"test_events": 1200, "equal_to_quantized": 1200' "$J"
python3 - "$J" > "$W/auc.out" 2>&1 <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
so = j["firmware"]["score_output"]
bad = []
for name, s in j["signals"].items():
    q, f = s["quantized"]["auc"], s["firmware"]["auc"]
    print("%s quantized %.5f firmware %.5f" % (name, q, f))
    if not abs(q - f) < 0.003: bad.append(name)
print("threshold", so["threshold"], so["type"], so["threshold_bits"], so["decision"])
ok = not bad and so["score"] == "masked_mse" and so["decision"] == "sum > threshold * count" \
     and isinstance(so["threshold_bits"], int) and len(so["tpr"]) == 4
sys.exit(0 if ok else 1)
PY
check nmi/firmware-auc-equals-quantized "$(tr '\n' ' ' < "$W/auc.out")" test $? -eq 0
make -s -C "$W/out/hls" csim > "$W/csim.out" 2>&1
check nmi/csim "$(tail -n 3 "$W/csim.out" | tr '\n' ' ')" grep -qx 'csim: 1000 of 1000 events matched bit for bit' "$W/csim.out"
# the saved preprocessing: divisor 32 for every pT (features 0, 3, ...), 1 for eta and phi
h5dump -d /scaler/divisor "$W/out/scaler.h5" > "$W/div.out" 2>&1
check nmi/scaler "$(grep -A 3 'DATA {' "$W/div.out" | tr '\n' ' ')" \
  sh -c "grep -q '(0): 32, 1, 1, 32, 1, 1, 32, 1, 1, 32,' '$W/div.out'"
