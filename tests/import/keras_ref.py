"""keras_ref.py — an independent evaluation of a Keras / QKeras model, for
tests/import/keras.sh.  It reads Keras' own files (the JSON of model.to_json()
and the HDF5 of save_weights(): groups layer/layer/kernel:0 ...) with numpy
and h5py only; nothing of aedlc.

  python3 keras_ref.py float MODEL.json WEIGHTS.h5 INPUTS.dat OTHER.dat TOL
      the float forward pass (no quantizer) of every event of INPUTS.dat
      against OTHER.dat (one event per line): prints the largest difference,
      exit 1 when it exceeds TOL.
  python3 keras_ref.py quant MODEL.json WEIGHTS.h5 INPUTS.dat OTHER.dat [--no-softmax] [--tol T]
      the quantized forward pass (QKeras' quantizers, see below) against
      OTHER.dat bit for bit (within T with --tol: a softmax, computed in
      floating point, against its fixed-point result); --no-softmax leaves out
      a softmax at the end.  Prints how many events match and how many of the
      outputs differ from each other; exit 1 unless all match and more than a
      tenth of them are distinct.

QKeras' quantizers (qkeras/quantizers.py), with sign(0) = +1 where QKeras
makes it so:
  quantized_bits(bits, integer, symmetric, keep_negative), alpha 1 or None:
      m = 2^(bits - keep_negative), m_i = 2^integer,
      q(x) = m_i * clip(round(x * m / m_i), keep_negative * (-m + symmetric), m - 1) / m,
      and sign(x) when bits - keep_negative is 0
  quantized_bits(bits, integer, alpha="auto" / "auto_po2"): per output channel
      (the kernel's last axis; the whole bias), in float32: x = w / m_i,
      levels = 2^bits - 1, s = (max(x) - min(x)) / levels (auto_po2: po2(s)),
      5 times { z = sign(x) * min(floor(|x| / s + 0.5), (levels - 1) / 2);
      s = po2(mean(x * z) / (mean(z * z) + 1e-7)) }, q = m_i * z * s,
      po2(s) = 2^round(log(s + 1e-7) / log(2))
  quantized_relu(bits, integer, negative_slope=s):
      m = 2^(bits - (s != 0)), m_i = 2^integer, p = x * m / m_i,
      q(x) = m_i * clip(round(p) / m, 0, 1 - 1/m)
             + m_i * s * clip(round(p * s) / (s * m), -1, 0)
  quantized_tanh(bits, symmetric) (hard tanh): m = 2^(bits - 1),
      q(x) = clip(round((2 * clip(x / 2 + 1/2, 0, 1) - 1) * m) / m, -1 + symmetric / m, 1 - 1/m)
  binary(use_01, alpha): alpha * sign(x) (use_01: alpha * (sign(x) + 1) / 2)
  ternary(alpha, threshold=0.33): alpha * sign(x) where |x| >= threshold
      (float32), else 0
  quantized_po2(bits, max_value, log2_rounding): sign(x) * 2^e, e =
      round(log2(min(|x|, max_value))) (floor with "floor") clipped to
      [-2^b, 2^b - 1], b = bits - 1 - (max_value is None or max_value > 1);
      |x| < 1e-7 gives 2^-2^b
round() is tf.round: half to even (numpy's rint).  A dense layer is
x @ q(kernel) + q(bias), then its activation; BatchNormalization (inference)
is gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta.
"""
import json
import sys

import h5py
import numpy as np


def quantized_bits_auto(x, bits, integer, alpha):
    """QKeras' quantized_bits with alpha "auto" / "auto_po2", in float32 as TensorFlow
    computes it: a scale per output channel (the last axis; one for a bias)."""
    f = np.float32
    eps = f(1e-7)                                   # K.epsilon()
    po2 = lambda s: f(2.0) ** np.round(np.log(s + eps) / f(np.log(2.0)))
    mi = f(2.0 ** integer)
    x = x.astype(f) / mi
    levels = 2 ** bits - 1
    top = f((levels - 1) / 2)
    with np.errstate(all="ignore"):
        scale = (x.max(axis=0, keepdims=True) - x.min(axis=0, keepdims=True)) / f(levels)
        if alpha == "auto_po2":
            scale = po2(scale)
        for _ in range(5):
            v = np.floor(np.abs(x) / scale + f(0.5))
            z = np.sign(x) * np.where(v < top, v, top)
            qx = np.mean(x * z, axis=0, keepdims=True)
            qq = np.mean(z * z, axis=0, keepdims=True)
            scale = po2(qx / (qq + eps))
    m = f(2.0 ** bits)      # xq = m_i * z / m, times scale * m
    return (scale * m * (mi * z / m)).astype(np.float64)


def quantized_bits(x, bits=8, integer=0, symmetric=0, keep_negative=True, alpha=None, **_):
    if alpha in ("auto", "auto_po2"):
        return quantized_bits_auto(x, bits, integer, alpha)
    assert alpha in (None, 1, 1.0), alpha
    kn = 1 if keep_negative else 0
    m = 2.0 ** (bits - kn)
    mi = 2.0 ** integer
    return mi * np.clip(np.rint(x * m / mi), kn * (-m + (1 if symmetric else 0)), m - 1) / m


def sign1(x):
    return np.where(x >= 0, 1.0, -1.0)


def quantized_relu(x, bits=8, integer=0, negative_slope=0.0, use_sigmoid=0, relu_upper_bound=None, **_):
    assert not use_sigmoid and relu_upper_bound is None
    m = 2.0 ** (bits - (negative_slope != 0))
    mi = 2.0 ** integer
    p = x * m / mi
    xq = mi * np.clip(np.rint(p) / m, 0, 1 - 1 / m)
    if negative_slope:
        xq = xq + mi * negative_slope * np.clip(np.rint(p * negative_slope) / (negative_slope * m), -1, 0)
    return xq


def quantized_tanh(x, bits=8, symmetric=0, use_real_tanh=False, **_):
    assert not use_real_tanh
    m = 2.0 ** (bits - 1)
    p = 2 * np.clip(0.5 * x + 0.5, 0, 1) - 1
    return np.clip(np.rint(p * m) / m, -1 + (1 if symmetric else 0) / m, 1 - 1 / m)


def binary(x, use_01=False, alpha=None, **_):
    k = sign1(x)
    return (1.0 if alpha is None else alpha) * ((k + 1) / 2 if use_01 else k)


def ternary(x, alpha=None, threshold=None, **_):
    t = np.float32(0.33 if threshold is None else threshold)
    q = (np.abs(x.astype(np.float32)) >= t) * np.sign(x)
    return (1.0 if alpha is None else alpha) * q


def quantized_po2(x, bits=8, max_value=None, log2_rounding="rnd", quadratic_approximation=False, **_):
    assert not quadratic_approximation
    b = bits - 1 - (1 if max_value is None or max_value > 1 else 0)
    lo, hi = -2 ** b, 2 ** b - 1
    a = np.abs(x)
    f = np.minimum(a, max_value) if max_value is not None else a
    f = np.where(a < np.float32(1e-7), 1.0, f)
    e = np.floor(np.log2(f)) if log2_rounding == "floor" else np.rint(np.log2(f))
    e = np.where(a < np.float32(1e-7), lo, np.clip(e, lo, hi))
    return sign1(x) * 2.0 ** e


QUANTIZERS = {"quantized_bits": quantized_bits, "quantized_relu": quantized_relu, "quantized_tanh": quantized_tanh,
              "binary": binary, "ternary": ternary, "quantized_po2": quantized_po2}
POSITIONAL = {"quantized_bits": ["bits", "integer", "symmetric", "keep_negative", "alpha"],
              "quantized_relu": ["bits", "integer", "use_sigmoid", "negative_slope"],
              "quantized_tanh": ["bits", "use_stochastic_rounding", "symmetric", "use_real_tanh"],
              "binary": ["use_01", "alpha", "use_stochastic_rounding"],
              "ternary": ["alpha", "threshold", "use_stochastic_rounding"],
              "quantized_po2": ["bits", "max_value", "use_stochastic_rounding", "quadratic_approximation"]}


def quantizer(q):
    if q is None:
        return lambda x: x
    if isinstance(q, str):
        name, _, rest = q.partition("(")
        args = eval("dict(" + rest.rstrip(")") + ")", {"dict": lambda *a, **k: (a, k)})  # noqa: S307
        pos, kw = args
        kw.update(dict(zip(POSITIONAL[name], pos)))
        q = {"class_name": name, "config": kw}
    f = QUANTIZERS[q["class_name"]]
    cfg = {k: v for k, v in q["config"].items() if k not in ("use_stochastic_rounding", "qnoise_factor")}
    if q["class_name"] == "quantized_bits" and cfg.get("bits", 8) == 1 and cfg.get("keep_negative", True):
        return sign1
    return lambda x: f(x, **cfg)


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


NAMED = {"linear": lambda x: x, "relu": lambda x: np.maximum(x, 0), "tanh": np.tanh,
         "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "softmax": softmax}


def activation(a, quant):
    if a is None or (isinstance(a, str) and "(" not in a):
        return NAMED[a or "linear"]
    if quant:
        return quantizer(a)
    text = json.dumps(a)
    return NAMED["relu"] if "relu" in text else NAMED["tanh"] if "tanh" in text else NAMED["linear"]


def weights(h5, layer):
    g = h5[layer]
    names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
    return {n.split("/")[-1].split(":")[0]: np.array(g[n], dtype=np.float64) for n in names}


def forward(model_json, weights_h5, x, quant, no_softmax=False):
    model = json.load(open(model_json))
    layers = model["config"]["layers"] if isinstance(model["config"], dict) else model["config"]
    h5 = h5py.File(weights_h5, "r")
    for i, layer in enumerate(layers):
        cls, cfg = layer["class_name"], layer["config"]
        last = i == len(layers) - 1
        if cls in ("InputLayer", "Dropout", "Flatten"):
            continue
        if cls in ("Dense", "QDense"):
            w = weights(h5, cfg["name"])
            k, b = w["kernel"], w.get("bias")
            if quant and cls == "QDense":
                k = quantizer(cfg.get("kernel_quantizer"))(k)
                b = quantizer(cfg.get("bias_quantizer"))(b) if b is not None else None
            x = x @ k + (b if b is not None else 0)
            a = cfg.get("activation", "linear")
            if not (no_softmax and last and a == "softmax"):
                x = activation(a, quant)(x)
        elif cls in ("Activation", "QActivation"):
            a = cfg["activation"]
            if not (no_softmax and last and a == "softmax"):
                x = activation(a, quant)(x)
        elif cls == "BatchNormalization":
            w = weights(h5, cfg["name"])
            g = w.get("gamma", 1.0)
            be = w.get("beta", 0.0)
            x = g * (x - w["moving_mean"]) / np.sqrt(w["moving_variance"] + cfg["epsilon"]) + be
        elif cls == "LeakyReLU":
            x = np.where(x >= 0, x, cfg.get("alpha", 0.3) * x)
        else:
            raise SystemExit("keras_ref: layer class %s not evaluated" % cls)
    return x


def main():
    mode, mj, wh, inp, other = sys.argv[1:6]
    x = np.loadtxt(inp, ndmin=2)
    y = np.loadtxt(other, ndmin=2)
    if mode == "float":
        tol = float(sys.argv[6])
        r = forward(mj, wh, x, False)
        d = np.abs(r - y).max()
        print("max |aedl - numpy| %.3g over %d events" % (d, len(x)))
        return 0 if d <= tol and r.shape == y.shape else 1
    r = forward(mj, wh, x, True, "--no-softmax" in sys.argv)
    tol = float(sys.argv[sys.argv.index("--tol") + 1]) if "--tol" in sys.argv else 0.0
    if r.shape != y.shape:
        print("shapes differ: numpy %s, aedl %s" % (r.shape, y.shape))
        return 1
    ok = (np.abs(r - y) <= tol).all(axis=1)
    distinct = len(np.unique(y, axis=0))
    print("%d of %d events equal %s (%d distinct outputs)"
          % (ok.sum(), len(x), "within %g" % tol if tol else "bit for bit", distinct))
    if not ok.all():
        e = int(np.argmin(ok))
        print("first difference: event %d: numpy %s, aedl %s" % (e, r[e].tolist(), y[e].tolist()))
    return 0 if ok.all() and distinct * 10 > len(x) else 1


if __name__ == "__main__":
    sys.exit(main())
