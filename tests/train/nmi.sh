#!/bin/sh
# examples/ae_nmi.aedl (the FPGA-autoencoder paper's recipe, the masked score as the
# firmware's output) trained for 2 epochs on a small generated ADC2021-format sample,
# as it is (pT x / 32) and with `scale = standard(pt)` instead, which moves an absent
# object's pT from 0 to -mean/std: each run succeeds; the emulator's score equals the
# quantized model's on every test event; the firmware's AUC equals the quantized
# model's for every signal (the firmware skips a feature whose input is the padding,
# the input of a raw 0, and training one whose raw value is 0: the same features);
# summary.json counts where the two masks differ on the test split: never a raw 0
# that the firmware counts, and at most a few real values that round to the padding
# (none in these data); standardised, the padding constants in the plan, the C++ and
# summary.json are the raw 0 through scaler.h5 and the input type (python3);
# the threshold at the trigger rate is there; the C simulation matches the score bit
# for bit on every testbench event; pT is scaled (x / 32), eta and phi are not.
. tests/lib.sh
test_workdir nmi-test
PY=/usr/bin/python3                # Debian's, with python3-h5py
[ -x "$PY" ] || PY=python3
edited() {   # FILE TRANSFORM-LINE: the short run's edits are there, one pT rule
  grep -q '^  limit = 6000' "$1" && grep -q '^  epochs = 2' "$1" && grep -qxF "$2" "$1" &&
    test "$(grep -c '^  transform\|^  scale' "$1")" -eq 1
}
masks_agree() {   # RUN-LOG SUMMARY: the mask line, summary.json's counts, no warning
  grep -q "differs from training's (raw value != 0) on 0 features of 0 of 1200 test events" "$1" &&
    grep -q '"differs_from_training": { "test_events": 1200, "events": 0, "features": 0, "firmware_only": 0, "training_only": 0 }' "$2" &&
    ! grep -q "warning: the firmware's masked score" "$1"
}
"$GEN" --all "$W/data" --events 6000 --signal-events 1500 --jet-count 10 --seed 5 --quiet ||
  { fail nmi/data "aedl-gen failed"; exit 0; }
for v in affine standard; do
  D="$W/$v"
  mkdir -p "$D"
  ln -s ../data "$D/data"
  if [ $v = affine ]; then scale='s|^  transform = \[affine(pt, 0, 32)\]$|&|'
  else scale='s|^  transform = \[affine(pt, 0, 32)\]$|  scale = standard(pt)|'; fi
  sed -e 's|"\.\./data/|"data/|' -e 's|limit    = 1000000|limit = 6000|' -e 's|epochs    = 150|epochs = 2|' \
    -e "$scale" examples/ae_nmi.aedl > "$D/ae_nmi.aedl"
  if [ $v = affine ]; then want='  transform = [affine(pt, 0, 32)]'; else want='  scale = standard(pt)'; fi
  check nmi/$v/edited "the sed of examples/ae_nmi.aedl found no limit, epochs or pT line" edited "$D/ae_nmi.aedl" "$want"
  (cd "$D" && "$AEDLC" run ae_nmi.aedl -o out -- --threads 2 > run.log 2>&1); st=$?
  check nmi/$v/train "status $st: $(tail -n 3 "$D/run.log" | tr '\n' ' ')" test $st -eq 0
  J="$D/out/eval/summary.json"
  check nmi/$v/emulator-equals-quantized "$(grep -o '"test_events": [0-9]*, "equal_to_quantized": [0-9]*' "$J")" \
    grep -q '"test_events": 1200, "equal_to_quantized": 1200' "$J"
  "$PY" - "$J" > "$D/auc.out" 2>&1 <<'PY'
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
  check nmi/$v/firmware-auc-equals-quantized "$(tr '\n' ' ' < "$D/auc.out")" test $? -eq 0
  # the masks: a raw 0 is always the padding; a real value that rounds to it would be
  # counted by training only (a pT below half the input's step times std)
  line=$(grep '^firmware score: its mask' "$D/run.log")
  check nmi/$v/mask-vs-training "$line; $(grep -o '"differs_from_training": {[^}]*}' "$J")" masks_agree "$D/run.log" "$J"
  make -s -C "$D/out/hls" csim > "$D/csim.out" 2>&1
  check nmi/$v/csim "$(tail -n 3 "$D/csim.out" | tr '\n' ' ')" grep -qx 'csim: 1000 of 1000 events matched bit for bit' "$D/csim.out"
done
# the saved preprocessing: divisor 32 for every pT (features 0, 3, ...), 1 for eta and phi
h5dump -d /scaler/divisor "$W/affine/out/scaler.h5" > "$W/div.out" 2>&1
check nmi/scaler "$(grep -A 3 'DATA {' "$W/div.out" | tr '\n' ' ')" \
  sh -c "grep -q '(0): 32, 1, 1, 32, 1, 1, 32, 1, 1, 32,' '$W/div.out'"
# affine(pt, 0, 32) keeps a raw 0 at 0: no padding constants, the C++ compares with 0
check nmi/affine/padding-zero "$(grep -n 'score_pad\|!= 0' "$W/affine/out/hls/firmware/ae.cpp" | head -3)" \
  sh -c "! grep -q score_pad '$W/affine/out/hls/firmware/ae.cpp' && grep -q 'if (x\[j\] != 0) {' '$W/affine/out/hls/firmware/ae.cpp'"
# standard(pt): z_j = the input type's cast (fixed<16, 7, rnd>: step 2^-9, half up) of
# (0 - mean) / std in float32 from scaler.h5, in summary.json, firmware.plan (both layers)
# and the C++ array
D="$W/standard"
"$PY" - "$D/out/scaler.h5" "$D/out/eval/summary.json" "$D/out/firmware.plan" "$D/out/hls/firmware/ae.cpp" \
  > "$W/pad.out" 2>&1 <<'PY'
import json, re, sys
import h5py, numpy as np
s = h5py.File(sys.argv[1], "r")["scaler"]
mean, std = np.asarray(s["mean"], np.float32), np.asarray(s["std"], np.float32)
off, div = np.asarray(s["offset"], np.float32), np.asarray(s["divisor"], np.float32)
x = ((np.float32(0) - off) / div - mean) / std          # float32 throughout, as data_scale.c
z = [int(np.floor(float(v) * 512 + 0.5)) for v in x]    # mantissas of fixed<16, 7, rnd, sat>
z = [min(max(m, -2 ** 15), 2 ** 15 - 1) for m in z]
m = json.load(open(sys.argv[2]))["firmware"]["score_output"]["mask"]
plan = open(sys.argv[3]).read()
vecs = []   # the w vectors of the layers masked_score and count
for layer in re.split(r"^layer ", plan, flags=re.M)[1:]:
    if layer.startswith(("masked_score ", "count ")):
        w = re.search(r"^  w 57\n((?:   .*\n)+)", layer, re.M)
        vecs.append([int(t) for t in w.group(1).split()] if w else None)
cpp = open(sys.argv[4]).read()
arr = re.search(r"static const input_t score_pad\[N_INPUT\] = \{([^}]*)\}", cpp)
cvals = [float(t) for t in arr.group(1).replace("\n", " ").split(",")] if arr else []
pt = [3 * o for o in range(19)]
print("python z (pT features):", [z[j] for j in pt])
print("summary.json:", [m["padding"][j] * 512 for j in pt], "plan vectors:", len(vecs), "C++ values:", len(cvals))
ok = (sum(1 for v in z if v) >= 5 and [v * 512 for v in m["padding"]] == z and len(vecs) == 2 and vecs[0] == z
      and vecs[1] == z and [v * 512 for v in cvals] == z and all(z[j] == 0 for j in range(57) if j % 3))
sys.exit(0 if ok else 1)
PY
check nmi/standard/padding-constants "$(tr '\n' ' ' < "$W/pad.out")" test $? -eq 0
