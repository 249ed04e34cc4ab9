"""An independent check of a firmware with a float part (tests/train/firmware.sh):
the model of float_part.aedl there, evaluated exactly here from the trained
weights (integers, no floating point in the sums), against the firmware.

    python3 float_part_check.py PLAN WEIGHTS.h5 INPUTS.dat PLAN_LAYER_TOOL

Plain Python (integers; the weights read with h5dump -b): nothing beyond the
project's packages.

Checks, printing one line each:
  weights  every dense layer's weights and biases in the plan are the trained
           ones quantized by q8_3 = quantized_bits(8, 3, 1): fixed<8,4>, round
           half to even, saturate to +-127/16 (also the layers after the float part);
  exact    every layer the plan calls guaranteed comes before the first one it
           does not (the float part), there is a float part, and at least three
           layers before it; each of those equals the exact quantized model on
           every event of INPUTS (the emulator's mantissas from PLAN_LAYER_TOOL).
Exit status 0 when everything holds, 1 otherwise.
"""
import array
import math
import os
import subprocess
import sys
import tempfile

plan_path, weights_path, inputs_path, tool = sys.argv[1:5]

# The model (float_part.aedl): input fixed<16,7,rnd,sat>; dense q8_3 weights and
# biases; leaky_relu with the default alpha 0.3, used as 0.3 on the 2^-10 step.
LAYERS = [("dense", "enc1"), ("leaky", "leaky_relu_1"), ("dense", "enc2"), ("leaky", "leaky_relu_2"),
          ("dense", "latent"), ("leaky", "leaky_relu_3"), ("dense", "out")]
IN_FRAC, IN_BITS = 9, 16              # fixed<16,7>: 9 fraction bits
Q_FRAC, Q_MAX = 4, 127                # fixed<8,4,rnd_conv,sat_sym>
ALPHA_M, ALPHA_FRAC = round(0.3 * 1024), 10   # 307 / 1024 (0.3 * 1024 = 307.2: no tie)


def quantize_q8_3(v):
    """Round half to even on the 2^-4 step (round() on the exact product), saturate symmetrically."""
    return [min(max(round(x * 16), -Q_MAX), Q_MAX) for x in v]


def read_dataset(h5, name):
    """A float32 dataset of the weights file as a list of floats (C order)."""
    fd, tmp = tempfile.mkstemp()
    os.close(fd)
    try:
        subprocess.run(["h5dump", "-d", name, "-b", "LE", "-o", tmp, h5], check=True, capture_output=True)
        a = array.array("f")
        with open(tmp, "rb") as f:
            a.frombytes(f.read())
        if sys.byteorder != "little":
            a.byteswap()
        return list(a)
    finally:
        os.remove(tmp)


def read_plan(path):
    """Layers of the plan text: name -> dict(op, guaranteed, w_exp, b_exp, w, b, res_exp), in order."""
    tok = []
    with open(path) as f:
        for line in f:
            tok.extend(line.split("#", 1)[0].split())
    layers, i = [], 0
    while i < len(tok):
        if tok[i] != "layer":
            i += 1
            continue
        lay = {"op": tok[i + 1], "name": tok[i + 2]}
        i += 3
        while i < len(tok) and tok[i] not in ("layer", "outputs"):
            key = tok[i]
            if key == "flags":
                lay["guaranteed"] = tok[i + 4] == "1"
                i += 5
            elif key in ("w_t", "b_t", "acc_t", "q_t", "res_t"):
                W, I = int(tok[i + 1]), int(tok[i + 2])
                lay[key[:-2] + "_exp"] = I - W
                i += 6
            elif key in ("w", "b"):
                n = int(tok[i + 1])
                lay[key] = [int(x) for x in tok[i + 2:i + 2 + n]]
                i += 2 + n
            elif key == "inputs":
                i += 2 + int(tok[i + 1])
            elif key == "size":
                lay["n_in"], lay["n_out"] = int(tok[i + 1]), int(tok[i + 2])
                i += 3
            else:
                i += 1
        layers.append(lay)
    return layers


def same(m1, e1, m2, e2):
    """m1 * 2^e1 == m2 * 2^e2 exactly."""
    e = min(e1, e2)
    return m1 * 2 ** (e1 - e) == m2 * 2 ** (e2 - e)


plan = read_plan(plan_path)
by_name = {lay["name"]: lay for lay in plan}
ok = True

# ---- weights: every dense layer, before and after the float part
params = {name: (read_dataset(weights_path, f"/{name}/kernel"), read_dataset(weights_path, f"/{name}/bias"))
          for op, name in LAYERS if op == "dense"}
bad = []
count = 0
for name, (kernel, bias) in params.items():
    lay = by_name.get(name)
    if lay is None or "w" not in lay or "b" not in lay:
        bad.append(f"{name}: no weights or biases in the plan")
        continue
    qk, qb = quantize_q8_3(kernel), quantize_q8_3(bias)
    for what, q, fw, e in (("weight", qk, lay["w"], lay["w_exp"]), ("bias", qb, lay["b"], lay["b_exp"])):
        if len(fw) != len(q):
            bad.append(f"{name}: {len(fw)} {what} values in the plan, {len(q)} trained")
            continue
        for k, (a, b) in enumerate(zip(fw, q)):
            count += 1
            if not same(a, e, int(b), -Q_FRAC):
                bad.append(f"{name} {what} {k}: plan {a * 2.0 ** e}, trained quantized {int(b) / 16}")
                break
if bad:
    ok = False
    print("weights: FAIL: " + "; ".join(bad[:4]))
else:
    print(f"weights: ok: {count} weights and biases of {len(params)} dense layers are the trained ones quantized")

# ---- exact: the layers before the float part, on every event
with open(inputs_path) as f:
    x = [[float(t) for t in line.split()] for line in f if line.strip()]
lo, hi = -2 ** (IN_BITS - 1), 2 ** (IN_BITS - 1) - 1
# AP_RND (half up) on the 2^-9 step, saturated; each x is a float32 value, x * 512 + 0.5 is exact
val = [[min(max(math.floor(v * 2 ** IN_FRAC + 0.5), lo), hi) for v in ev] for ev in x]
exp = -IN_FRAC
first_float = None
exact_layers = []
for op, name in LAYERS:
    lay = by_name.get(name)
    if lay is None:
        ok = False
        print(f"exact: FAIL: the plan has no layer {name}")
        break
    if not lay["guaranteed"]:
        first_float = name
        break
    if op == "dense":
        kernel, bias = params[name]
        n_in, n_out = lay["n_in"], lay["n_out"]
        qk, qb = quantize_q8_3(kernel), quantize_q8_3(bias)
        cols = [qk[j::n_out] for j in range(n_out)]          # kernel (n_in, n_out), row-major
        # sum_i x_i w_ij on the step 2^(exp - 4); the bias (step 2^-4) shifted onto it
        sb = [b << -exp for b in qb]
        val = [[sum(map(int.__mul__, ev, c)) + b for c, b in zip(cols, sb)] for ev in val]
        exp -= Q_FRAC
    else:
        val = [[v << ALPHA_FRAC if v >= 0 else v * ALPHA_M for v in ev] for ev in val]
        exp -= ALPHA_FRAC
    out = subprocess.run([tool, plan_path, name, inputs_path], capture_output=True, text=True)
    if out.returncode != 0:
        ok = False
        print(f"exact: FAIL: {tool} {name}: {out.stderr.strip()}")
        break
    lines = out.stdout.split("\n")
    fw_exp = int(lines[0].split()[1])
    rows = [r for r in lines[1:] if r]
    if len(rows) != len(val):
        ok = False
        print(f"exact: FAIL: {name}: {len(rows)} events from the emulator, {len(val)} inputs")
        break
    diff = None
    for e, r in enumerate(rows):
        for j, m in enumerate(int(t) for t in r.split()):
            if not same(m, fw_exp, val[e][j], exp):
                diff = (e, j, m * 2.0 ** fw_exp, val[e][j] * 2.0 ** exp)
                break
        if diff:
            break
    if diff:
        ok = False
        print(f"exact: FAIL: {name} event {diff[0]} element {diff[1]}: firmware {diff[2]!r}, exact quantized model {diff[3]!r}")
        break
    exact_layers.append(name)

if ok:
    later = [lay["name"] for lay in plan[len(exact_layers) + 1:] if lay.get("guaranteed")]
    if first_float is None or len(exact_layers) < 3 or later:
        ok = False
        print(f"exact: FAIL: float part {first_float}, exact layers before it {exact_layers}, "
              f"guaranteed layers after it {later}")
    else:
        print(f"exact: ok: {', '.join(exact_layers)} equal the exact quantized model on all {len(x)} events; "
              f"first float part {first_float}")
sys.exit(0 if ok else 1)
