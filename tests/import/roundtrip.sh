#!/bin/sh
# The round trip: a QKeras autoencoder (its to_json() and save_weights() files,
# written here with numpy and h5py) is imported, fine-tuned for one epoch on
# generated data starting from the imported weights (the training program's
# --weights), its firmware C-simulated bit for bit, and its weights written
# back in Keras' layout (--emit keras): the same groups, datasets, shapes and
# attributes as the Keras file, holding the fine-tuned weights.  A weights
# file of another model as the starting point is an error listing the
# differences.
. tests/lib.sh
test_workdir import-rt
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

"$GEN" --all "$W/data" --events 4000 --signal-events 500 --jet-count 100 --seed 11 --quiet \
  || { echo "FAIL import/roundtrip/data: aedl-gen failed"; exit 1; }
"$PY" - "$W" <<'EOF'
import json, sys
import h5py, numpy as np
w = sys.argv[1]
rng = np.random.default_rng(5)
qb = lambda b, i: {"class_name": "quantized_bits", "config": {"bits": b, "integer": i, "symmetric": 1,
                   "keep_negative": True, "alpha": 1, "use_stochastic_rounding": False, "qnoise_factor": 1.0}}
qr = {"class_name": "quantized_relu", "config": {"bits": 8, "integer": 2, "use_sigmoid": 0, "negative_slope": 0.0,
      "use_stochastic_rounding": False, "relu_upper_bound": None, "qnoise_factor": 1.0}}
sizes = [("enc", 16), ("latent", 3), ("dec", 16), ("out", 57)]
layers = [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, 57], "dtype": "float32", "name": "enc_input"}}]
for n, u in sizes:
    layers.append({"class_name": "QDense", "config": {"name": n, "units": u, "activation": "linear", "use_bias": True,
                   "kernel_quantizer": qb(8, 2), "bias_quantizer": qb(8, 2)}})
    if n in ("enc", "dec"):
        layers.append({"class_name": "QActivation", "config": {"name": n + "_act", "activation": qr}})
json.dump({"class_name": "Sequential", "config": {"name": "ae", "layers": layers}, "keras_version": "2.4.0",
           "backend": "tensorflow"}, open(w + "/ae.json", "w"))
with h5py.File(w + "/ae_weights.h5", "w") as f:
    names = [l["config"]["name"] for l in layers[1:]]
    f.attrs["layer_names"] = np.array([n.encode() for n in names])
    f.attrs["backend"] = b"tensorflow"
    f.attrs["keras_version"] = b"2.4.0"
    n_in = 57
    for n in names:
        g = f.create_group(n)
        u = dict(sizes).get(n)
        if u is None:
            g.attrs["weight_names"] = np.array([], dtype="S1")
            continue
        g.attrs["weight_names"] = np.array([(n + "/kernel:0").encode(), (n + "/bias:0").encode()])
        g.create_dataset(n + "/kernel:0", data=rng.uniform(-0.3, 0.3, (n_in, u)).astype(np.float32))
        g.create_dataset(n + "/bias:0", data=rng.uniform(-0.1, 0.1, u).astype(np.float32))
        n_in = u
EOF
"$AEDLC" import "$W/ae.json" "$W/ae_weights.h5" --input-type 'fixed<16, 7, rnd, sat>' -o "$W/ae.aedl" > "$W/import.log" 2>&1
check import/roundtrip/import "$(cat "$W/import.log")" test -s "$W/ae.weights.h5"
cat >> "$W/ae.aedl" <<'EOF'

data gen {
  train  = hdf5("data/background_for_training.h5", "Particles")
  signal Ato4l = hdf5("data/Ato4l_lepFilter_13TeV.h5", "Particles")
  features = [0:3]
  flatten  = true
  validation = 0.2
  test       = 0.2
  scale    = none
  seed     = 3
}

train {
  model     = ae
  data      = gen
  loss      = mse
  optimizer = adam(lr=1e-3)
  epochs    = 1
  batch     = 256
  score     = mse
  metrics   = [auc]
}
EOF
(cd "$W" && AEDL_NO_REPORT=1 "$AEDLC" run ae.aedl -o out -- --weights ae.weights.h5 --threads 2 > train.log 2>&1); st=$?
check import/roundtrip/fine-tune "status $st: $(tail -n 3 "$W/train.log")" \
  sh -c "test $st -eq 0 && grep -q 'starting from the weights in ae.weights.h5' '$W/train.log'"
# one epoch of 10 steps at lr 1e-3 moves no weight by more than 0.02 from the
# imported ones (a fresh initialisation would be anywhere in +-0.6)
out=$("$PY" - "$W/ae.weights.h5" "$W/out/ae.weights.h5" <<'EOF'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
d = max(float(np.abs(a[g]["kernel"][()] - b[g]["kernel"][()]).max()) for g in ("enc", "latent", "dec", "out"))
moved = any(not np.array_equal(a[g]["kernel"][()], b[g]["kernel"][()]) for g in ("enc", "latent", "dec", "out"))
print("max |fine-tuned - imported| %.4g" % d)
sys.exit(0 if d < 0.02 and moved else 1)
EOF
); st=$?
check import/roundtrip/started-from-import "$out" test $st -eq 0
echo "    roundtrip: $out"
make -s -C "$W/out/hls" csim WERROR=1 > "$W/csim.out" 2>&1
check import/roundtrip/csim "$(tail -n 3 "$W/csim.out" | tr '\n' ' ')" grep -q '^csim: \([0-9]*\) of \1 events matched bit for bit$' "$W/csim.out"
grep '^csim:' "$W/csim.out" | sed 's/^/    roundtrip: /'

"$AEDLC" "$W/ae.aedl" --emit keras --weights "$W/out/ae.weights.h5" -o "$W/out" > "$W/export.log" 2>&1; st=$?
out=$("$PY" - "$W/ae_weights.h5" "$W/out/keras/ae_weights.h5" "$W/out/ae.weights.h5" <<'EOF'
import sys, h5py, numpy as np
k, e, t = (h5py.File(p, "r") for p in sys.argv[1:4])
names = lambda f: [n.decode() for n in f.attrs["layer_names"]]
assert names(k) == names(e), (names(k), names(e))
for a in ("backend", "keras_version"):
    assert a in e.attrs, a
for n in names(k):
    wk = [x.decode() for x in k[n].attrs["weight_names"]]
    we = [x.decode() for x in e[n].attrs["weight_names"]]
    assert wk == we, (n, wk, we)
    for w in wk:
        assert k[n][w].shape == e[n][w].shape and e[n][w].dtype == np.float32, (n, w)
        v = t[n][w.split("/")[-1].split(":")[0]][()]
        assert np.array_equal(e[n][w][()], v), (n, w)
print("layer_names, weight_names, shapes as Keras wrote them; the fine-tuned values")
EOF
); st2=$?
check import/roundtrip/export "status $st $(cat "$W/export.log"); $out" sh -c "test $st -eq 0 && test $st2 -eq 0"

# the starting point must be this model's weights
"$W/out/train/ae_train" --weights "$W/out/keras/ae_weights.h5" -o "$W/bad" --aedl "$W/ae.aedl" > "$W/bad.log" 2>&1; st=$?
check import/roundtrip/other-weights "status $st: $(cat "$W/bad.log")" sh -c "test $st -eq 1 &&
  grep -q \"ae_weights.h5: layer 'enc': no dataset 'kernel'\" '$W/bad.log' &&
  grep -q \"ae_weights.h5: not weights of model 'ae' (8 differences)\" '$W/bad.log'"
