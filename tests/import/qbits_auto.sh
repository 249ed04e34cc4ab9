#!/bin/sh
# quantized_bits(bits, integer, alpha="auto" / "auto_po2"): QKeras' per-channel
# power-of-two scale, recomputed from the float weights.  On the jet tagger's
# weights (import): the firmware's weights equal an independent numpy version
# of QKeras' formula in float32 (keras_ref.py) bit for bit, its logits equal
# numpy's quantized model on 10000 random inputs, and the C simulation equals
# the emulator.  An autoencoder with them trains 2 epochs (the scales
# recomputed at each step): the firmware equals the quantized model on every
# test event, the C simulation equals the emulator, and the firmware's
# weights are numpy's values of the trained float weights.
. tests/lib.sh
. tests/import/blocks.sh
test_workdir qbits_auto
K=../shared/testdata/keras
REF=tests/import/keras_ref.py
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
NEV=10000

# check(FIRMWARE_WEIGHTS_DIR, LAYER, SLOT, FLOATS, bits, integer, alpha): the
# firmware's weights header against numpy's auto map of the float tensor
cat > "$W/check_w.py" <<'PYEOF'
import re, sys, importlib.util
import numpy as np
spec = importlib.util.spec_from_file_location("keras_ref", REF)
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
def header(path, layer, slot):
    text = open(path).read()
    body = text[text.index("%s_%s[" % (layer, slot)):]
    body = body[body.index("{"):body.index("};")]
    return np.array([float(v) for v in re.findall(r"-?[0-9][0-9.e+-]*", re.sub(r"//[^\n]*", "", body))])
def check(fw, layer, slot, x, bits, integer, alpha):
    want = ref.quantized_bits_auto(np.asarray(x), bits, integer, alpha).ravel()
    got = header("%s/%s.h" % (fw, layer), layer, slot)
    assert got.shape == want.shape, (layer, slot, got.shape, want.shape)
    bad = np.flatnonzero(got != want)
    assert len(bad) == 0, "%s %s: %d of %d values differ, first %d: firmware %r, numpy %r" % (
        layer, slot, len(bad), len(want), bad[0], got[bad[0]], want[bad[0]])
PYEOF

# 1. import: kernels and a bias with alpha auto / auto_po2 on the jet tagger's weights
"$PY" - "$K/qkeras_3layer.json" "$W/auto.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
L = d["config"]["layers"]
def qb(bits, integer, alpha):
    return {"class_name": "quantized_bits", "config": {"bits": bits, "integer": integer, "symmetric": 0,
            "alpha": alpha, "keep_negative": True, "use_stochastic_rounding": False, "qnoise_factor": 1.0}}
L[1]["config"]["kernel_quantizer"] = qb(6, 0, "auto_po2")
L[3]["config"]["kernel_quantizer"] = qb(4, 0, "auto")
L[5]["config"]["kernel_quantizer"] = qb(8, 1, "auto_po2")
L[5]["config"]["bias_quantizer"] = qb(8, 2, "auto_po2")
json.dump(d, open(sys.argv[2], "w"), indent=1)
PYEOF
"$AEDLC" import "$W/auto.json" "$K/qkeras_3layer_weights.h5" -o "$W/jet_auto.aedl" > "$W/import.log" 2>&1; st=$?
check import/qbits-auto/import "status $st: $(cat "$W/import.log") $(cat "$W/jet_auto.aedl")" sh -c "test $st -eq 0 &&
  grep -q '^  dense fc1(64, weight=quantized_bits(6, 0, alpha=\"auto_po2\"), bias=quantized_bits(6, 0)) *# QDense fc1\$' '$W/jet_auto.aedl' &&
  grep -q '^  dense fc2(32, weight=quantized_bits(4, 0, alpha=\"auto\"), ' '$W/jet_auto.aedl' &&
  grep -q '^  dense fc3(32, weight=quantized_bits(8, 1, alpha=\"auto_po2\"), bias=quantized_bits(8, 2, alpha=\"auto_po2\")) ' '$W/jet_auto.aedl'"
sed '/^  softmax /d' "$W/jet_auto.aedl" > "$W/logits.aedl"
"$AEDLC" "$W/logits.aedl" --emit hls --weights "$W/jet_auto.weights.h5" -o "$W/out_auto" --tb-events $NEV > "$W/emit.log" 2>&1; st=$?
check import/qbits-auto/hls "status $st: $(tail -n 3 "$W/emit.log")" test $st -eq 0
out=$("$PY" - "$REF" "$W/check_w.py" "$K/qkeras_3layer_weights.h5" "$W/out_auto/hls/firmware/weights" 2>&1 <<'PYEOF'
import sys, h5py
REF = sys.argv[1]
exec(open(sys.argv[2]).read())
f = h5py.File(sys.argv[3], "r")
w = lambda l, n: f[l][l][n + ":0"][()]
check(sys.argv[4], "fc1", "w", w("fc1", "kernel"), 6, 0, "auto_po2")
check(sys.argv[4], "fc2", "w", w("fc2", "kernel"), 4, 0, "auto")
check(sys.argv[4], "fc3", "w", w("fc3", "kernel"), 8, 1, "auto_po2")
check(sys.argv[4], "fc3", "b", w("fc3", "bias"), 8, 2, "auto_po2")
print("firmware weights == numpy's QKeras auto / auto_po2 values (fc1, fc2, fc3 kernels, fc3 bias)")
PYEOF
); st=$?
check import/qbits-auto/weights "$out" test $st -eq 0
echo "    qbits-auto: $out"
T=$W/out_auto/hls/tb_data
out=$("$PY" "$REF" quant "$W/auto.json" "$K/qkeras_3layer_weights.h5" "$T/tb_input_features.dat" \
      "$T/tb_output_predictions.dat" --no-softmax 2>&1); st=$?
check import/qbits-auto/quantized-logits "$out" test $st -eq 0
echo "    qbits-auto: quantized logits, emulator vs numpy: $out"
make -s -C "$W/out_auto/hls" csim WERROR=1 > "$W/csim_auto.out" 2>&1
check import/qbits-auto/csim "$(tail -n 3 "$W/csim_auto.out" | tr '\n' ' ')" \
  grep -qx "csim: $NEV of $NEV events matched bit for bit" "$W/csim_auto.out"
grep '^csim:' "$W/csim_auto.out" | sed 's/^/    qbits-auto: /'

# 2. training: the scales recomputed from the float weights at every step
"$GEN" --all "$W/data" --events 3000 --signal-events 500 --jet-count 100 --seed 7 --quiet \
  || { echo "FAIL import/qbits-auto/data: aedl-gen failed"; exit 1; }
cat > "$W/qa.aedl" <<'AEDL'
model qa {
  input x[57] : fixed<16, 7, rnd, sat>
  dense enc(16, weight=quantized_bits(6, 0, alpha="auto_po2"), bias=quantized_bits(8, 2, 1))
  relu(quant=quantized_relu(8, 2))
  dense latent(3, weight=quantized_bits(4, 0, alpha="auto"), bias=quantized_bits(8, 2, alpha="auto_po2"))
  dense dec(16, weight=quantized_bits(6, 1, alpha="auto_po2"), bias=quantized_bits(8, 2, 1))
  relu(quant=quantized_relu(8, 2))
  dense out(57, weight=quantized_bits(8, 0, alpha="auto_po2"), bias=quantized_bits(8, 2, 1))
}
AEDL
blocks qa >> "$W/qa.aedl"
(cd "$W" && AEDL_NO_REPORT=1 "$AEDLC" run qa.aedl -o out -- --threads 2 > train.log 2>&1); st=$?
check import/qbits-auto/train "status $st: $(tail -n 3 "$W/train.log")" \
  sh -c "test $st -eq 0 && grep -q 'firmware == quantized model on \([0-9]*\)/\1 test events' '$W/train.log'"
grep -o 'firmware == quantized model on [0-9/]* test events' "$W/train.log" | sed 's/^/    qbits-auto: /'
make -s -C "$W/out/hls" csim WERROR=1 > "$W/csim.out" 2>&1
check import/qbits-auto/train-csim "$(tail -n 3 "$W/csim.out" | tr '\n' ' ')" \
  grep -q '^csim: \([0-9]*\) of \1 events matched bit for bit$' "$W/csim.out"
grep '^csim:' "$W/csim.out" | sed 's/^/    qbits-auto: /'
out=$("$PY" - "$REF" "$W/check_w.py" "$W/out/qa.weights.h5" "$W/out/hls/firmware/weights" 2>&1 <<'PYEOF'
import sys, h5py
REF = sys.argv[1]
exec(open(sys.argv[2]).read())
f = h5py.File(sys.argv[3], "r")
check(sys.argv[4], "enc", "w", f["enc"]["kernel"][()], 6, 0, "auto_po2")
check(sys.argv[4], "latent", "w", f["latent"]["kernel"][()], 4, 0, "auto")
check(sys.argv[4], "latent", "b", f["latent"]["bias"][()], 8, 2, "auto_po2")
check(sys.argv[4], "dec", "w", f["dec"]["kernel"][()], 6, 1, "auto_po2")
check(sys.argv[4], "out", "w", f["out"]["kernel"][()], 8, 0, "auto_po2")
print("firmware weights == numpy's QKeras auto / auto_po2 values of the trained float weights")
PYEOF
); st=$?
check import/qbits-auto/train-weights "$out" test $st -eq 0
echo "    qbits-auto: $out"
