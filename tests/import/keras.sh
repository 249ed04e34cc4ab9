#!/bin/sh
# aedlc import on the shared Keras / QKeras models (../shared/testdata/keras):
# each imports into a .aedl and a weights file; the float forward pass of the
# imported model (keras_eval) equals an independent numpy evaluation of Keras'
# own JSON and weights (keras_ref.py) to 1e-6; the HLS project of the QKeras
# jet tagger, on 10000 random inputs of its input type: its output logits
# (the model without the final softmax) equal numpy's QKeras quantizers bit
# for bit, and the C simulation equals the emulator bit for bit, with and
# without the softmax.  The model.save() form imports to the same files.  Bad
# input: a clear message naming the file and the thing, status 1, no output.
. tests/lib.sh
test_workdir import
K=../shared/testdata/keras
EVAL=$B/tests/import/keras_eval
REF=tests/import/keras_ref.py
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
NEV=10000

# each model: imported; its HLS project (the jet tagger's with 10000 random
# inputs, the float models' with the default 200) C-simulated bit for bit
# against the emulator; its float forward pass on the jet tagger's 10000 inputs
for m in qkeras_3layer KERAS_3layer KERAS_3layer_batch_norm; do
  "$AEDLC" import "$K/$m.json" "$K/${m}_weights.h5" -o "$W/$m.aedl" > "$W/$m.import.log" 2>&1; st=$?
  check import/$m/import "status $st: $(cat "$W/$m.import.log")" \
    sh -c "test $st -eq 0 && test -s '$W/$m.aedl' && test -s '$W/$m.weights.h5'"
  n=200; [ $m = qkeras_3layer ] && n=$NEV
  "$AEDLC" "$W/$m.aedl" --emit hls --weights "$W/$m.weights.h5" -o "$W/out_$m" --tb-events $n > "$W/$m.emit.log" 2>&1; st=$?
  check import/$m/hls "status $st: $(tail -n 3 "$W/$m.emit.log")" test $st -eq 0
  make -s -C "$W/out_$m/hls" csim WERROR=1 > "$W/$m.csim.out" 2>&1
  check import/$m/csim "$(tail -n 3 "$W/$m.csim.out" | tr '\n' ' ')" \
    grep -qx "csim: $n of $n events matched bit for bit" "$W/$m.csim.out"
  grep '^csim:' "$W/$m.csim.out" | sed "s/^/    $m: /"
  T=$W/out_qkeras_3layer/hls/tb_data
  "$EVAL" "$W/$m.aedl" "$W/$m.weights.h5" "$T/tb_input_features.dat" > "$W/$m.float.dat" 2> "$W/$m.eval.log"; st=$?
  out=$("$PY" "$REF" float "$K/$m.json" "$K/${m}_weights.h5" "$T/tb_input_features.dat" "$W/$m.float.dat" 1e-6 2>&1); st2=$?
  check import/$m/float "keras_eval status $st $(cat "$W/$m.eval.log"); numpy: $out" \
    sh -c "test $st -eq 0 && test $st2 -eq 0 && test \$(wc -l < '$W/$m.float.dat') -eq $NEV"
  echo "    $m: float forward, $out"
done

# the readable .aedl: Keras' names, QKeras' quantizers as .aedl quantizers
check import/qkeras_3layer/text "$(cat "$W/qkeras_3layer.aedl")" sh -c "
  grep -q '^  input fc1_input\[16\] : fixed<16, 6, rnd_conv, sat>' '$W/qkeras_3layer.aedl' &&
  grep -q '^  dense fc1(64, weight=quantized_bits(6, 0), bias=quantized_bits(6, 0)) *# QDense fc1\$' '$W/qkeras_3layer.aedl' &&
  grep -q '^  relu relu1(quant=quantized_relu(6, 0)) *# QActivation relu1\$' '$W/qkeras_3layer.aedl' &&
  grep -q '^  dense k_output(5, ' '$W/qkeras_3layer.aedl' && grep -q '^  softmax softmax ' '$W/qkeras_3layer.aedl'"
check import/KERAS_3layer_batch_norm/text "$(cat "$W/KERAS_3layer_batch_norm.aedl")" sh -c "
  grep -q '^  batchnorm bn1(momentum=0.9, epsilon=1e-06) *# BatchNormalization bn1\$' '$W/KERAS_3layer_batch_norm.aedl' &&
  grep -q '^  dense fc1_relu(64) *# Dense fc1_relu\$' '$W/KERAS_3layer.aedl' && grep -qx '  relu fc1_relu_relu' '$W/KERAS_3layer.aedl'"

# the quantized jet tagger: logits bit for bit against numpy, csim against the emulator
sed '/^  softmax /d' "$W/qkeras_3layer.aedl" > "$W/logits.aedl"
"$AEDLC" "$W/logits.aedl" --emit hls --weights "$W/qkeras_3layer.weights.h5" -o "$W/out_logits" --tb-events $NEV > "$W/logits.log" 2>&1
T=$W/out_logits/hls/tb_data
out=$("$PY" "$REF" quant "$K/qkeras_3layer.json" "$K/qkeras_3layer_weights.h5" "$T/tb_input_features.dat" \
      "$T/tb_output_predictions.dat" --no-softmax 2>&1); st=$?
check import/qkeras_3layer/quantized-logits "$out" test $st -eq 0
echo "    qkeras_3layer: quantized logits, emulator vs numpy: $out"
make -s -C "$W/out_logits/hls" csim WERROR=1 > "$W/csim_logits.out" 2>&1
check import/qkeras_3layer/csim-logits "$(tail -n 3 "$W/csim_logits.out" | tr '\n' ' ')" \
  grep -qx "csim: $NEV of $NEV events matched bit for bit" "$W/csim_logits.out"
grep '^csim:' "$W/csim_logits.out" | sed 's/^/    qkeras_3layer (logits): /'
# with the softmax (ufixed<16,1,rnd,sat>: within one step of numpy's softmax)
T=$W/out_qkeras_3layer/hls/tb_data
out=$("$PY" "$REF" quant "$K/qkeras_3layer.json" "$K/qkeras_3layer_weights.h5" "$T/tb_input_features.dat" \
      "$T/tb_output_predictions.dat" --tol 3.0517578125e-05 2>&1); st=$?
check import/qkeras_3layer/quantized-softmax "$out" test $st -eq 0

# the QKeras quantizer family on the jet tagger's weights: binary, ternary,
# quantized_po2 and 1-bit quantized_bits kernels, a binary(use_01) bias,
# quantized_relu with negative_slope, quantized_tanh; logits against numpy and
# csim against the emulator bit for bit; no multiplier left in the dense layers
"$PY" - "$K/qkeras_3layer.json" "$W/family.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
L = d["config"]["layers"]
q = lambda c, **k: {"class_name": c, "config": k}
L[1]["config"]["kernel_quantizer"] = q("binary", use_01=False, alpha=None, use_stochastic_rounding=False)
L[3]["config"]["kernel_quantizer"] = "ternary()"
L[4]["config"]["activation"] = q("quantized_relu", bits=6, integer=0, use_sigmoid=0, negative_slope=0.25,
                                 use_stochastic_rounding=False, relu_upper_bound=None, qnoise_factor=1.0)
L[5]["config"]["kernel_quantizer"] = q("quantized_po2", bits=4, max_value=1, use_stochastic_rounding=False,
                                       quadratic_approximation=False, log2_rounding="rnd", qnoise_factor=1.0)
L[6]["config"]["activation"] = "quantized_tanh(6)"
L[7]["config"]["kernel_quantizer"] = q("quantized_bits", bits=1, integer=0, symmetric=0, alpha=1,
                                       keep_negative=True, use_stochastic_rounding=False, qnoise_factor=1.0)
L[7]["config"]["bias_quantizer"] = q("binary", use_01=True, alpha=0.5)
json.dump(d, open(sys.argv[2], "w"), indent=1)
EOF
"$AEDLC" import "$W/family.json" "$K/qkeras_3layer_weights.h5" -o "$W/family.aedl" > "$W/family.log" 2>&1; st=$?
check import/family/import "status $st: $(cat "$W/family.log")" sh -c "test $st -eq 0 &&
  grep -q '^  dense fc1(64, weight=binary(), bias=quantized_bits(6, 0)) *# QDense fc1\$' '$W/family.aedl' &&
  grep -q '^  dense fc2(32, weight=ternary(), ' '$W/family.aedl' &&
  grep -q '^  relu relu2(quant=quantized_relu(6, 0, negative_slope=0.25)) *# QActivation relu2\$' '$W/family.aedl' &&
  grep -q '^  dense fc3(32, weight=quantized_po2(4, max_value=1), ' '$W/family.aedl' &&
  grep -q '^  dense k_output(5, weight=binary(), bias=binary(use_01=1, alpha=0.5)) ' '$W/family.aedl' &&
  grep -q '^  linear relu3(quant=quantized_bits(6, 0)) *# QActivation relu3: quantized_tanh(bits=6)' '$W/family.aedl'"
sed '/^  softmax /d' "$W/family.aedl" > "$W/family_logits.aedl"
"$AEDLC" "$W/family_logits.aedl" --emit hls --weights "$W/family.weights.h5" -o "$W/out_family" --tb-events $NEV > "$W/family_emit.log" 2>&1
T=$W/out_family/hls/tb_data
out=$("$PY" "$REF" quant "$W/family.json" "$K/qkeras_3layer_weights.h5" "$T/tb_input_features.dat" \
      "$T/tb_output_predictions.dat" --no-softmax 2>&1); st=$?
check import/family/quantized-logits "$out $(tail -n 3 "$W/family_emit.log")" test $st -eq 0
echo "    family: quantized logits, emulator vs numpy: $out"
make -s -C "$W/out_family/hls" csim WERROR=1 > "$W/csim_family.out" 2>&1
check import/family/csim "$(tail -n 3 "$W/csim_family.out" | tr '\n' ' ')" \
  grep -qx "csim: $NEV of $NEV events matched bit for bit" "$W/csim_family.out"
grep '^csim:' "$W/csim_family.out" | sed 's/^/    family: /'
check import/family/no-multipliers "$(grep n_multipliers "$W/out_family/hls/firmware/parameters.h")" \
  sh -c "test \$(grep -c 'n_multipliers = 0;' '$W/out_family/hls/firmware/parameters.h') -eq 4"

# model.save(): one HDF5 file, the JSON in model_config, the weights under model_weights
"$PY" - "$K/qkeras_3layer.json" "$K/qkeras_3layer_weights.h5" "$W/saved.h5" <<'EOF'
import sys, h5py
src = h5py.File(sys.argv[2], "r")
with h5py.File(sys.argv[3], "w") as f:
    f.attrs["model_config"] = open(sys.argv[1]).read()
    f.attrs["keras_version"] = "2.4.0"
    g = f.create_group("model_weights")
    for k, v in src.attrs.items():
        g.attrs[k] = v
    for name in src:
        src.copy(src[name], g, name)
EOF
"$AEDLC" import "$W/saved.h5" -o "$W/saved.aedl" > "$W/saved.log" 2>&1; st=$?
grep -v '^#' "$W/saved.aedl" | sed 's/^model saved {/model qkeras_3layer {/' > "$W/a.txt"
grep -v '^#' "$W/qkeras_3layer.aedl" > "$W/b.txt"
check import/model-save "status $st: $(cat "$W/saved.log"); $(diff "$W/a.txt" "$W/b.txt" | head -n 5)" \
  sh -c "test $st -eq 0 && cmp -s '$W/a.txt' '$W/b.txt' &&
         for g in fc1 fc2 fc3 k_output; do h5diff '$W/saved.weights.h5' '$W/qkeras_3layer.weights.h5' /\$g /\$g || exit 1; done"

# bad input: status 1, the file and the thing named, nothing written
bad() {   # NAME EXPECTED-TEXT ARGS...
  name=$1 want=$2; shift 2
  rm -f "$W/bad.aedl" "$W/bad.weights.h5"
  "$AEDLC" import "$@" -o "$W/bad.aedl" > "$W/bad.log" 2>&1; st=$?
  check import/bad/$name "status $st: $(cat "$W/bad.log")" sh -c "test $st -eq 1 && grep -qF \"\$1\" '$W/bad.log' &&
    ! test -e '$W/bad.aedl' && ! test -e '$W/bad.weights.h5'" - "$want"
}
echo '{"format": "something else", "layers": []}' > "$W/other.json"
bad not-keras "other.json: error: not a Keras model" "$W/other.json" "$K/qkeras_3layer_weights.h5"
echo 'model = Sequential()' > "$W/text.json"
bad not-json "text.json:1:5: error: not JSON" "$W/text.json" "$K/qkeras_3layer_weights.h5"
bad other-weights "KERAS_3layer_batch_norm_weights.h5: error: layer 'fc1' (QDense) of the model is missing" \
  "$K/qkeras_3layer.json" "$K/KERAS_3layer_batch_norm_weights.h5"
check import/bad/other-weights-listed "$(cat "$W/bad.log")" \
  sh -c "test \$(grep -c 'is not in the model' '$W/bad.log') -eq 8 && test \$(grep -c 'of the model is missing' '$W/bad.log') -eq 4"
"$PY" - "$K/KERAS_3layer_weights.h5" "$W/shape.h5" <<'EOF'
import sys, h5py
src = h5py.File(sys.argv[1], "r")
with h5py.File(sys.argv[2], "w") as f:
    for k, v in src.attrs.items():
        f.attrs[k] = v
    for name in src:
        src.copy(src[name], f, name)
    del f["fc2_relu/fc2_relu/kernel:0"]
    f["fc2_relu/fc2_relu/kernel:0"] = src["fc2_relu/fc2_relu/kernel:0"][:, :16]
EOF
bad shape "shape.h5: error: layer 'fc2_relu': fc2_relu/fc2_relu/kernel:0 has shape (64, 16), the model needs (64, 32)" \
  "$K/KERAS_3layer.json" "$W/shape.h5"
head -c 20000 "$K/qkeras_3layer_weights.h5" > "$W/cut.h5"
bad truncated "cut.h5: error: cannot open the weights file as an HDF5 file: it is cut off (20000 of its" \
  "$K/qkeras_3layer.json" "$W/cut.h5"
bad missing "nosuch.h5: error: cannot open the weights file: No such file or directory" "$K/qkeras_3layer.json" "$W/nosuch.h5"
"$PY" - "$K" "$W" <<'EOF'
import json, sys
k, w = sys.argv[1], sys.argv[2]
d = json.load(open(k + "/qkeras_3layer.json"))
d["config"]["layers"][1]["config"]["kernel_quantizer"]["config"]["alpha"] = "auto_po2"
d["config"]["layers"][1]["config"]["kernel_quantizer"]["config"]["bits"] = 30
json.dump(d, open(w + "/auto_po2.json", "w"))
d["config"]["layers"][1]["config"]["kernel_quantizer"]["config"]["bits"] = 6
d["config"]["layers"][1]["config"]["kernel_quantizer"] = {"class_name": "binary", "config": {"alpha": "auto_po2"}}
json.dump(d, open(w + "/binary.json", "w"))
d = json.load(open(k + "/qkeras_3layer.json"))
d["config"]["layers"][2]["config"]["activation"] = "quantized_relu(6, 0, negative_slope=0.3)"
json.dump(d, open(w + "/slope.json", "w"))
d["config"]["layers"][2]["config"]["activation"] = "binary"
json.dump(d, open(w + "/binary_act.json", "w"))
d = json.load(open(k + "/KERAS_3layer.json"))
d["config"]["layers"][2]["class_name"] = "Conv1D"
json.dump(d, open(w + "/conv.json", "w"))
d = json.load(open(k + "/KERAS_3layer.json"))
d["config"]["layers"][3]["inbound_nodes"][0][0][0] = "input_1"
json.dump(d, open(w + "/branch.json", "w"))
EOF
bad alpha-auto-po2 "auto_po2.json: error: layer 'fc1' (QDense): kernel_quantizer quantized_bits(bits=30, integer=0, symmetric=0, alpha=\"auto_po2\", keep_negative=true) is not supported (with alpha=\"auto_po2\": bits in 2..24" \
  "$W/auto_po2.json" "$K/qkeras_3layer_weights.h5"
bad binary-auto "binary.json: error: layer 'fc1' (QDense): kernel_quantizer binary(alpha=\"auto_po2\") is not supported (a scale computed in training" \
  "$W/binary.json" "$K/qkeras_3layer_weights.h5"
bad negative-slope "slope.json: error: layer 'relu1' (QActivation): activation quantized_relu(negative_slope=0.3) is not supported (0 or a power of two" \
  "$W/slope.json" "$K/qkeras_3layer_weights.h5"
bad binary-activation "binary_act.json: error: layer 'relu1' (QActivation): activation binary() is not supported (as an activation: quantized_bits, quantized_relu, quantized_tanh)" \
  "$W/binary_act.json" "$K/qkeras_3layer_weights.h5"
bad layer "conv.json: error: layer 'fc2_relu' has class Conv1D, which is not supported (supported: InputLayer, Dense, QDense," \
  "$W/conv.json" "$K/KERAS_3layer_weights.h5"
bad branch "branch.json: error: layer 'fc3_relu' (Dense) reads 'input_1', not the layer before it ('fc2_relu')" \
  "$W/branch.json" "$K/KERAS_3layer_weights.h5"
