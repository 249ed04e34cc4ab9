#!/bin/sh
# binary, ternary and quantized_po2 as .aedl weight quantizers (QKeras'
# definitions, lib/qvalue.h): an autoencoder with them trains 2 epochs on
# generated data (straight-through gradients); the firmware equals the
# quantized model on every test event and the C simulation equals the
# emulator, bit for bit; the firmware's weights are QKeras' values of the
# trained float weights (numpy), and no dense layer has a multiplier.
. tests/lib.sh
. tests/import/blocks.sh
test_workdir qvalue
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

"$GEN" --all "$W/data" --events 4000 --signal-events 500 --jet-count 100 --seed 11 --quiet \
  || { echo "FAIL import/qvalue/data: aedl-gen failed"; exit 1; }
cat > "$W/qv.aedl" <<'AEDL'
quantizer qa = quantized_relu(8, 2)

model qv {
  input x[57] : fixed<16, 7, rnd, sat>
  dense enc(16, weight=binary(), bias=quantized_bits(8, 2, 1))
  relu(quant=qa)
  dense latent(3, weight=ternary(threshold=0.1), bias=binary(use_01=1, alpha=0.5))
  dense dec(16, weight=quantized_po2(4, max_value=1), bias=quantized_bits(8, 2, 1))
  relu(quant=qa)
  dense out(57, weight=binary(alpha=0.25), bias=quantized_bits(8, 2, 1))
}
AEDL
blocks qv >> "$W/qv.aedl"
(cd "$W" && AEDL_NO_REPORT=1 "$AEDLC" run qv.aedl -o out -- --threads 2 > train.log 2>&1); st=$?
check import/qvalue/train "status $st: $(tail -n 3 "$W/train.log")" \
  sh -c "test $st -eq 0 && grep -q 'firmware == quantized model on \([0-9]*\)/\1 test events' '$W/train.log'"
grep -o 'firmware == quantized model on [0-9/]* test events' "$W/train.log" | sed 's/^/    qvalue: /'
make -s -C "$W/out/hls" csim WERROR=1 > "$W/csim.out" 2>&1
check import/qvalue/csim "$(tail -n 3 "$W/csim.out" | tr '\n' ' ')" grep -q '^csim: \([0-9]*\) of \1 events matched bit for bit$' "$W/csim.out"
grep '^csim:' "$W/csim.out" | sed 's/^/    qvalue: /'
out=$("$PY" - "$W/out/qv.weights.h5" "$W/out/hls/firmware/weights" <<'PYEOF'
import re, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
def header(layer):
    text = open("%s/%s.h" % (sys.argv[2], layer)).read()
    body = text[text.index(layer + "_w["):]
    body = body[body.index("{"):body.index("};")]
    return np.array([float(v) for v in re.findall(r"-?[0-9][0-9.e+-]*", re.sub(r"//[^\n]*", "", body))])
sign1 = lambda x: np.where(x >= 0, 1.0, -1.0)
def po2(x, bits=4, max_value=1.0):
    b = bits - 1 - (1 if max_value is None or max_value > 1 else 0)
    lo, hi = -2 ** b, min(2 ** b - 1, int(np.rint(np.log2(max_value))))
    a = np.abs(x)
    e = np.where(a < np.float32(1e-7), lo, np.clip(np.rint(np.log2(np.maximum(np.minimum(a, max_value), 1e-30))), lo, hi))
    return sign1(x) * 2.0 ** e
k = {n: f[n]["kernel"][()] for n in ("enc", "latent", "dec", "out")}
want = {"enc": sign1(k["enc"]), "latent": (np.abs(k["latent"]) >= np.float32(0.1)) * np.sign(k["latent"]),
        "dec": po2(k["dec"]), "out": 0.25 * sign1(k["out"])}
for n, v in want.items():
    got = header(n)
    assert got.shape == v.ravel().shape and np.array_equal(got, v.ravel()), n
print("firmware weights == QKeras' values of the trained weights (binary, ternary, quantized_po2)")
PYEOF
); st=$?
check import/qvalue/weights "$out" test $st -eq 0
P=$W/out/hls/firmware/parameters.h
check import/qvalue/no-multipliers "$(grep n_multipliers "$P")" sh -c "test \$(grep -c 'n_multipliers = 0;' '$P') -eq 4"
