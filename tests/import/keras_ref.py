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

QKeras' quantizers (qkeras/quantizers.py), alpha=1:
  quantized_bits(bits, integer, symmetric, keep_negative):
      m = 2^(bits - keep_negative), m_i = 2^integer,
      q(x) = m_i * clip(round(x * m / m_i), keep_negative * (-m + symmetric), m - 1) / m
  quantized_relu(bits, integer):
      m = 2^bits, m_i = 2^integer, q(x) = m_i * clip(round(relu(x) * m / m_i), 0, m - 1) / m
round() is tf.round: half to even (numpy's rint).  A dense layer is
x @ q(kernel) + q(bias), then its activation; BatchNormalization (inference)
is gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta.
"""
import json
import sys

import h5py
import numpy as np


def quantized_bits(x, bits=8, integer=0, symmetric=0, keep_negative=True, alpha=None, **_):
    assert alpha in (None, 1, 1.0), alpha
    kn = 1 if keep_negative else 0
    m = 2.0 ** (bits - kn)
    mi = 2.0 ** integer
    return mi * np.clip(np.rint(x * m / mi), kn * (-m + (1 if symmetric else 0)), m - 1) / m


def quantized_relu(x, bits=8, integer=0, negative_slope=0.0, use_sigmoid=0, relu_upper_bound=None, **_):
    assert negative_slope == 0 and not use_sigmoid and relu_upper_bound is None
    m = 2.0 ** bits
    mi = 2.0 ** integer
    return mi * np.clip(np.rint(np.maximum(x, 0) * m / mi), 0, m - 1) / m


QUANTIZERS = {"quantized_bits": quantized_bits, "quantized_relu": quantized_relu}


def quantizer(q):
    if q is None:
        return lambda x: x
    if isinstance(q, str):
        name, _, rest = q.partition("(")
        args = eval("dict(" + rest.rstrip(")") + ")", {"dict": lambda *a, **k: (a, k)})  # noqa: S307
        pos, kw = args
        names = ["bits", "integer", "symmetric", "keep_negative", "alpha"] if name == "quantized_bits" else \
                ["bits", "integer", "use_sigmoid", "negative_slope"]
        kw.update(dict(zip(names, pos)))
        q = {"class_name": name, "config": kw}
    f = QUANTIZERS[q["class_name"]]
    cfg = {k: v for k, v in q["config"].items() if k not in ("use_stochastic_rounding", "qnoise_factor")}
    return lambda x: f(x, **cfg)


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


NAMED = {"linear": lambda x: x, "relu": lambda x: np.maximum(x, 0), "tanh": np.tanh,
         "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "softmax": softmax}


def activation(a, quant):
    if a is None or (isinstance(a, str) and "(" not in a):
        return NAMED[a or "linear"]
    return quantizer(a) if quant else (NAMED["relu"] if "relu" in json.dumps(a) else NAMED["linear"])


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
