/* keras.c — `aedlc import`: a Keras / QKeras model into a .aedl file and a
 * weights file (docs/import.md).
 *
 *   aedlc import MODEL.json WEIGHTS.h5 [-o OUT.aedl] [--input-type T]
 *   aedlc import MODEL.h5 [-o OUT.aedl] [--input-type T]
 *
 * The model is Keras' model.to_json() (with the HDF5 of save_weights()), or
 * the HDF5 of model.save() (the JSON in the root attribute model_config, the
 * weights in the group model_weights).  The layers must form one chain from
 * the input; each becomes an .aedl layer of the same name, each QKeras
 * quantizer the .aedl quantizer of the same semantics.  OUT.weights.h5 holds
 * the weights in aedl's layout (docs/semantics.md), for --weights.  Nothing
 * else of the pipeline knows about Keras.
 */
#include <ctype.h>
#include <errno.h>
#include <hdf5.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "data.h"
#include "h5mem.h"
#include "keras.h"
#include "util.h"

#define MAXNAME 128

/* A QKeras quantizer, read.  on_weights: binary, ternary, quantized_po2 and
   quantized_bits with 1 signed bit, the .aedl weight quantizers binary(...),
   ternary(...), quantized_po2(...) (not activations). */
typedef enum { QK_NONE, QK_BITS, QK_RELU, QK_TANH, QK_BINARY, QK_TERNARY, QK_PO2 } QKind;

typedef struct {
    QKind kind;
    long bits, integer, symmetric, keep_negative;
    double slope;               /* quantized_relu: negative_slope */
    double alpha;               /* binary, ternary: the scale (a power of two) */
    const char *auto_alpha;     /* quantized_bits: "auto" / "auto_po2", or NULL */
    bool use_01;                /* binary */
    float threshold;            /* ternary, compared in float32 as QKeras */
    double max_value;           /* quantized_po2: 0 when None */
    bool log2_floor;            /* quantized_po2: log2_rounding="floor" */
    bool on_weights;
    char text[256];             /* the .aedl quantizer */
    char keras[256];            /* as QKeras writes it, for the comment */
} QSpec;

typedef enum { L_DENSE, L_BATCHNORM, L_ACT, L_DROPOUT } LayerKind;

typedef struct {
    LayerKind kind;
    char name[MAXNAME];          /* the .aedl name */
    const char *kname, *kclass;  /* Keras' name and class */
    char text[1024];             /* the .aedl line, without indentation */
    char note[600];              /* the end of its comment, or "" */
    QSpec kq, bq;                /* dense: QDense's quantizers (kind QK_NONE: none) */
    int n_in, units;             /* dense: kernel (n_in, units); batchnorm: units = n */
    bool use_bias, center, scale;
    float *kernel, *bias, *gamma, *beta, *mean, *var;
} Layer;

typedef struct {
    const char *model_path, *weights_path;   /* weights_path == model_path for model.save() */
    const char *weights_group;               /* "/" or "/model_weights" */
    int errors;
    Layer *layers;
    int nlayers, cap;
    char input_name[MAXNAME];
    int n_input;
    bool quantized;
    const char *kclass_top, *kversion;
} Imp;

static const char supported_layers[] =
    "InputLayer, Dense, QDense, Activation, QActivation, BatchNormalization, LeakyReLU, Dropout, "
    "Flatten (of a 1-D input)";
static const char supported_acts[] = "linear, relu, tanh, sigmoid, softmax, quantized_relu, quantized_tanh, quantized_bits";

static void error_at(Imp *im, const char *file, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void error_at(Imp *im, const char *file, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", file);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    im->errors++;
}

/* ---- names ------------------------------------------------------------------------ */

static const char *const keywords[] = {
    "import", "quantizer", "pruning", "model", "data", "train", "target", "input", "output", "signal",
    "true", "false", "none", NULL
};

/* A Keras name as an .aedl identifier: other characters become '_', a leading
   digit or a keyword gets a 'k_' prefix. */
static void aedl_name(const char *k, char *out) {
    char buf[MAXNAME];
    int j = 0;
    for (int i = 0; k[i] && j < MAXNAME - 3; i++)
        buf[j++] = (isalnum((unsigned char)k[i]) || k[i] == '_') ? k[i] : '_';
    buf[j] = 0;
    bool bad = j == 0 || isdigit((unsigned char)buf[0]);
    for (int i = 0; keywords[i]; i++) if (!strcmp(buf, keywords[i])) bad = true;
    snprintf(out, MAXNAME, "%s%.120s", bad ? "k_" : "", buf);
}

/* ---- JSON helpers ------------------------------------------------------------------ */

static const char *jstr(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An integral number (JSON integer, a real with no fraction, or a boolean). */
static bool jint(json_t *v, long *out) {
    if (json_is_integer(v)) { *out = (long)json_integer_value(v); return true; }
    if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) && fabs(json_real_value(v)) < 1e9) {
        *out = (long)json_real_value(v); return true;
    }
    if (json_is_boolean(v)) { *out = json_is_true(v); return true; }
    return false;
}

static bool jnum(json_t *v, double *out) {
    if (json_is_number(v)) { *out = json_number_value(v); return true; }
    return false;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v. */
static const char *num(double v, char *buf, size_t n) {
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

static void jtext(json_t *v, char *buf, size_t n) {
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
    snprintf(buf, n, "%s", s ? s : "?");
    free(s);
}

/* QKeras also writes a quantizer as a string, "quantized_bits(6, 0, alpha=1)":
   it becomes {"class_name": NAME, "config": {...}} with the positional
   arguments named in QKeras' order.  NULL when it is not of that form. */
static json_t *quantizer_from_string(const char *s) {
    static const char *const bits_args[] = {"bits", "integer", "symmetric", "keep_negative", "alpha",
                                            "use_stochastic_rounding", NULL};
    static const char *const relu_args[] = {"bits", "integer", "use_sigmoid", "negative_slope",
                                            "use_stochastic_rounding", "relu_upper_bound", NULL};
    static const char *const tanh_args[] = {"bits", "use_stochastic_rounding", "symmetric", "use_real_tanh", NULL};
    static const char *const binary_args[] = {"use_01", "alpha", "use_stochastic_rounding", NULL};
    static const char *const ternary_args[] = {"alpha", "threshold", "use_stochastic_rounding", "number_of_unrolls",
                                               NULL};
    static const char *const po2_args[] = {"bits", "max_value", "use_stochastic_rounding", "quadratic_approximation",
                                           "log2_rounding", NULL};
    static const char *const none_args[] = {NULL};
    while (isspace((unsigned char)*s)) s++;
    const char *p = s;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    if (p == s) return NULL;
    json_t *q = json_object(), *cfg = json_object();
    json_object_set_new(q, "class_name", json_stringn(s, (size_t)(p - s)));
    json_object_set_new(q, "config", cfg);
    const char *cls = json_string_value(json_object_get(q, "class_name"));
    const char *const *names = !strcmp(cls, "quantized_bits")   ? bits_args
                               : !strcmp(cls, "quantized_relu") ? relu_args
                               : !strcmp(cls, "quantized_tanh") ? tanh_args
                               : !strcmp(cls, "binary")         ? binary_args
                               : !strcmp(cls, "ternary")        ? ternary_args
                               : !strcmp(cls, "quantized_po2")  ? po2_args
                                                                : none_args;
    while (isspace((unsigned char)*p)) p++;
    if (!*p) return q;
    if (*p++ != '(') goto bad;
    for (int pos = 0;; pos++) {
        while (isspace((unsigned char)*p)) p++;
        if (*p == ')') { p++; break; }
        char key[64] = "";
        const char *e = p;
        while (isalnum((unsigned char)*e) || *e == '_') e++;
        const char *after = e;
        while (isspace((unsigned char)*after)) after++;
        if (e > p && *after == '=' && !isdigit((unsigned char)*p)) {
            snprintf(key, sizeof key, "%.*s", (int)(e - p), p);
            p = after + 1;
            while (isspace((unsigned char)*p)) p++;
        } else {
            int k = 0;
            while (names[k] && k < pos) k++;
            if (!names[k]) snprintf(key, sizeof key, "argument %d", pos + 1);
            else snprintf(key, sizeof key, "%s", names[k]);
        }
        json_t *val;
        if (*p == '\'' || *p == '"') {
            char c = *p++;
            const char *b = p;
            while (*p && *p != c) p++;
            if (!*p) goto bad;
            val = json_stringn(b, (size_t)(p - b));
            p++;
        } else {
            const char *b = p;
            while (*p && *p != ',' && *p != ')' && !isspace((unsigned char)*p)) p++;
            char tok[64];
            snprintf(tok, sizeof tok, "%.*s", (int)(p - b), b);
            char *end;
            double d = strtod(tok, &end);
            if (!strcmp(tok, "True")) val = json_true();
            else if (!strcmp(tok, "False")) val = json_false();
            else if (!strcmp(tok, "None")) val = json_null();
            else if (*tok && !*end) val = d == floor(d) && fabs(d) < 1e9 && !strpbrk(tok, ".eE") ? json_integer((json_int_t)d) : json_real(d);
            else val = json_string(tok);
        }
        json_object_set_new(cfg, key, val);
        while (isspace((unsigned char)*p)) p++;
        if (*p == ',') { p++; continue; }
        if (*p == ')') { p++; break; }
        goto bad;
    }
    while (isspace((unsigned char)*p)) p++;
    if (*p) goto bad;
    return q;
bad:
    json_decref(q);
    return NULL;
}

/* ---- quantizers ---------------------------------------------------------------------- */

typedef struct {
    Imp *im;
    const char *lname, *lclass, *what;   /* layer, its class, "kernel_quantizer" ... */
} QCtx;

static bool q_unsupported(QCtx *c, const char *cls, const char *opt, json_t *v, const char *what_is) {
    char t[200];
    jtext(v, t, sizeof t);
    error_at(c->im, c->im->model_path, "layer '%s' (%s): %s %s(%s=%s) is not supported (%s)", c->lname, c->lclass,
             c->what, cls, opt, t, what_is);
    return false;
}

static bool is_po2(double v) {
    int e;
    return v > 0 && frexp(v, &e) == 0.5;
}

/* Reads the QKeras quantizer q (an object or a string) into *s. */
static bool parse_quantizer(QCtx *c, json_t *q, QSpec *s) {
    json_t *own = NULL;
    memset(s, 0, sizeof *s);
    if (json_is_string(q)) {
        own = quantizer_from_string(json_string_value(q));
        if (!own) {
            error_at(c->im, c->im->model_path, "layer '%s' (%s): %s '%s' is not a quantizer QKeras writes", c->lname,
                     c->lclass, c->what, json_string_value(q));
            return false;
        }
        q = own;
    }
    const char *cls = jstr(q, "class_name");
    json_t *cfg = json_object_get(q, "config");
    bool ok = true;
    if (!cls || (cfg && !json_is_object(cfg))) {
        char t[200];
        jtext(q, t, sizeof t);
        error_at(c->im, c->im->model_path, "layer '%s' (%s): %s is not a quantizer: %s", c->lname, c->lclass, c->what, t);
        json_decref(own);
        return false;
    }
    static const char *const names[] = {"quantized_bits", "quantized_relu", "quantized_tanh", "binary", "ternary",
                                        "quantized_po2", NULL};
    int kind = 0;
    while (names[kind] && strcmp(names[kind], cls)) kind++;
    if (!names[kind]) {
        error_at(c->im, c->im->model_path,
                 "layer '%s' (%s): %s %s is not supported (supported: quantized_bits, quantized_relu, quantized_tanh,"
                 " binary, ternary, quantized_po2)", c->lname, c->lclass, c->what, cls);
        json_decref(own);
        return false;
    }
    s->kind = (QKind)(kind + 1);
    s->bits = 8;
    s->keep_negative = 1;
    s->alpha = 1.0;
    s->threshold = 0.33f;
    bool is_bits = s->kind == QK_BITS, is_relu = s->kind == QK_RELU, is_tanh = s->kind == QK_TANH;
    bool has_bits = is_bits || is_relu || is_tanh || s->kind == QK_PO2;
    char *kt = s->keras;
    size_t kn = sizeof s->keras;
    int kk = snprintf(kt, kn, "%s(", cls);
    const char *key;
    json_t *v;
    json_object_foreach(cfg, key, v) {
        long iv;
        double dv = 0;
        if (!json_is_null(v) && strcmp(key, "qnoise_factor") && strcmp(key, "use_stochastic_rounding") &&
            strcmp(key, "var_name") && strcmp(key, "use_ste") && strcmp(key, "use_variables") && kk < (int)kn - 1) {
            char t[64];
            jtext(v, t, sizeof t);
            kk += snprintf(kt + kk, kn - (size_t)kk, "%s%s=%s", kt[kk - 1] == '(' ? "" : ", ", key, t);
        }
        if (has_bits && !strcmp(key, "bits")) {
            if (!jint(v, &iv) || iv < 1 || iv > 64) ok = q_unsupported(c, cls, key, v, "an integer in 1..64 is expected");
            else s->bits = iv;
        } else if ((is_bits || is_relu) && !strcmp(key, "integer")) {
            if (!jint(v, &iv) || iv < -64 || iv > 64) ok = q_unsupported(c, cls, key, v, "an integer is expected");
            else s->integer = iv;
        } else if ((is_bits || is_tanh) && !strcmp(key, "symmetric")) {
            if (!jint(v, &iv) || (iv != 0 && iv != 1)) ok = q_unsupported(c, cls, key, v, "0, 1, true or false");
            else s->symmetric = iv;
        } else if (is_bits && !strcmp(key, "keep_negative")) {
            if (!jint(v, &iv) || (iv != 0 && iv != 1)) ok = q_unsupported(c, cls, key, v, "0, 1, true or false");
            else s->keep_negative = iv;
        } else if (!strcmp(key, "alpha") && (is_bits || s->kind == QK_BINARY || s->kind == QK_TERNARY)) {
            if (json_is_string(v) && is_bits &&
                (!strcmp(json_string_value(v), "auto") || !strcmp(json_string_value(v), "auto_po2")))
                s->auto_alpha = !strcmp(json_string_value(v), "auto") ? "auto" : "auto_po2";
            else if (json_is_string(v))
                ok = q_unsupported(c, cls, key, v, is_bits ? "a number (1), \"auto\" or \"auto_po2\"" :
                                   "a scale computed in training: only a power of two or None is supported");
            else if (!json_is_null(v) && !(jnum(v, &dv) && (is_bits ? dv == 1.0 : is_po2(dv))))
                ok = q_unsupported(c, cls, key, v, is_bits ? "only alpha=1 or None is supported"
                                                           : "only a power of two or None is supported");
            else if (!json_is_null(v)) s->alpha = dv;
        } else if (s->kind == QK_BINARY && !strcmp(key, "use_01")) {
            if (!jint(v, &iv) || (iv != 0 && iv != 1)) ok = q_unsupported(c, cls, key, v, "true or false");
            else s->use_01 = iv;
        } else if (s->kind == QK_TERNARY && !strcmp(key, "threshold")) {
            if (!json_is_null(v) && !(jnum(v, &dv) && dv >= 0)) ok = q_unsupported(c, cls, key, v, "a number >= 0 or None");
            else if (!json_is_null(v)) s->threshold = (float)dv;
        } else if (s->kind == QK_TERNARY && !strcmp(key, "number_of_unrolls")) {
            /* used with alpha="auto" only */
        } else if (s->kind == QK_PO2 && !strcmp(key, "max_value")) {
            if (!json_is_null(v) && !(jnum(v, &dv) && dv > 0)) ok = q_unsupported(c, cls, key, v, "a number > 0 or None");
            else if (!json_is_null(v)) s->max_value = dv;
        } else if (s->kind == QK_PO2 && !strcmp(key, "log2_rounding")) {
            const char *r = json_is_string(v) ? json_string_value(v) : "";
            if (strcmp(r, "rnd") && strcmp(r, "floor")) ok = q_unsupported(c, cls, key, v, "\"rnd\" or \"floor\"");
            else s->log2_floor = !strcmp(r, "floor");
        } else if (s->kind == QK_PO2 && !strcmp(key, "quadratic_approximation")) {
            if (!(jint(v, &iv) && iv == 0)) ok = q_unsupported(c, cls, key, v, "only false is supported");
        } else if (!strcmp(key, "use_stochastic_rounding")) {
            if (!json_is_false(v) && !(jint(v, &iv) && iv == 0)) ok = q_unsupported(c, cls, key, v, "only false is supported");
        } else if (!strcmp(key, "qnoise_factor")) {
            if (!(jnum(v, &dv) && dv == 1.0)) ok = q_unsupported(c, cls, key, v, "only 1.0 is supported");
        } else if (is_relu && !strcmp(key, "use_sigmoid")) {
            if (!(jint(v, &iv) && iv == 0)) ok = q_unsupported(c, cls, key, v, "only 0 is supported");
        } else if (is_relu && !strcmp(key, "negative_slope")) {
            if (!(jnum(v, &dv) && (dv == 0.0 || (is_po2(dv) && dv >= 1.0 / 1024 && dv <= 0.5))))
                ok = q_unsupported(c, cls, key, v, "0 or a power of two in [2^-10, 0.5] is supported");
            else s->slope = dv;
        } else if (is_relu && !strcmp(key, "relu_upper_bound")) {
            if (!json_is_null(v)) ok = q_unsupported(c, cls, key, v, "only None is supported");
        } else if (is_relu && !strcmp(key, "is_quantized_clip")) {
            /* with relu_upper_bound None it changes only the gradient */
        } else if (is_tanh && !strcmp(key, "use_real_tanh")) {
            if (!(jint(v, &iv) && iv == 0))
                ok = q_unsupported(c, cls, key, v, "only the default, hard tanh, is exact in fixed point");
        } else if (!strcmp(key, "use_ste") || !strcmp(key, "use_variables")) {
            /* the gradient and how TensorFlow holds the parameters: not the values */
        } else if (!strcmp(key, "var_name") || !strcmp(key, "elements_per_scale") || !strcmp(key, "scale_axis") ||
                   !strcmp(key, "min_po2_exponent") || !strcmp(key, "max_po2_exponent") ||
                   !strcmp(key, "post_training_scale")) {
            if (!json_is_null(v) && strcmp(key, "var_name")) ok = q_unsupported(c, cls, key, v, "only None is supported");
        } else {
            ok = q_unsupported(c, cls, key, v, "an option aedlc does not know");
        }
    }
    snprintf(kt + kk, kn - (size_t)kk, ")");
    if (ok && is_relu && s->slope > 0 && (s->bits < 2 || s->slope * ldexp(1.0, (int)s->bits - 1) < 1 ||
                                          s->integer < -10 || s->integer > 19)) {
        error_at(c->im, c->im->model_path, "layer '%s' (%s): %s %s is not supported (with negative_slope: bits >= 2,"
                 " negative_slope * 2^(bits-1) >= 1, integer in -10..19)", c->lname, c->lclass, c->what, s->keras);
        ok = false;
    }
    if (ok && is_bits && s->auto_alpha && (s->bits < 2 || s->bits > 24 || s->integer < -32 || s->integer > 32)) {
        error_at(c->im, c->im->model_path, "layer '%s' (%s): %s %s is not supported (with alpha=\"%s\": bits in 2..24,"
                 " integer in -32..32)", c->lname, c->lclass, c->what, s->keras, s->auto_alpha);
        ok = false;
    }
    if (ok && is_tanh && s->bits < 2) {
        error_at(c->im, c->im->model_path, "layer '%s' (%s): %s quantized_tanh needs at least 2 bits", c->lname,
                 c->lclass, c->what);
        ok = false;
    }
    if (ok && s->kind == QK_PO2 && (s->bits < 2 || s->bits > 7)) {
        error_at(c->im, c->im->model_path, "layer '%s' (%s): %s quantized_po2(bits=%ld) is not supported (bits in"
                 " 2..7)", c->lname, c->lclass, c->what, s->bits);
        ok = false;
    }
    if (ok) {
        switch (s->kind) {
        case QK_BITS:
            if (s->auto_alpha) {        /* a per-channel scale from the weights: weights only */
                s->on_weights = true;
                snprintf(s->text, sizeof s->text, "quantized_bits(%ld, %ld, alpha=\"%s\")", s->bits, s->integer,
                         s->auto_alpha);
            } else if (s->keep_negative && s->bits == 1) {      /* sign(x), sign(0) = +1 */
                s->on_weights = true;
                snprintf(s->text, sizeof s->text, "binary()");
            } else {
                snprintf(s->text, sizeof s->text, "quantized_bits(%ld, %ld%s%s)", s->bits, s->integer,
                         s->symmetric ? ", symmetric=1" : "", s->keep_negative ? "" : ", keep_negative=0");
            }
            break;
        case QK_RELU:
            if (s->slope > 0) {
                char t[40];
                snprintf(s->text, sizeof s->text, "quantized_relu(%ld, %ld, negative_slope=%s)", s->bits, s->integer,
                         num(s->slope, t, sizeof t));
            } else
                snprintf(s->text, sizeof s->text, "quantized_relu(%ld, %ld)", s->bits, s->integer);
            break;
        case QK_TANH:     /* 2 * hard_sigmoid(x) - 1 = clip(x, -1, 1), then m = 2^(bits-1) steps */
            snprintf(s->text, sizeof s->text, "quantized_bits(%ld, 0%s)", s->bits, s->symmetric ? ", symmetric=1" : "");
            break;
        case QK_BINARY: {
            char a[40];
            s->on_weights = true;
            snprintf(s->text, sizeof s->text, "binary(%s%s%s%s)", s->use_01 ? "use_01=1" : "",
                     s->use_01 && s->alpha != 1 ? ", " : "", s->alpha != 1 ? "alpha=" : "",
                     s->alpha != 1 ? num(s->alpha, a, sizeof a) : "");
            break;
        }
        case QK_TERNARY: {
            char a[40], t[40];
            s->on_weights = true;
            bool th = s->threshold != 0.33f;
            snprintf(t, sizeof t, "%.9g", (double)s->threshold);
            for (int prec = 6; prec <= 9; prec++) {      /* the shortest that is the same float */
                snprintf(t, sizeof t, "%.*g", prec, (double)s->threshold);
                if (strtof(t, NULL) == s->threshold) break;
            }
            snprintf(s->text, sizeof s->text, "ternary(%s%s%s%s%s)", s->alpha != 1 ? "alpha=" : "",
                     s->alpha != 1 ? num(s->alpha, a, sizeof a) : "", s->alpha != 1 && th ? ", " : "",
                     th ? "threshold=" : "", th ? t : "");
            break;
        }
        case QK_NONE:
            break;
        case QK_PO2: {
            char a[64] = "", mv[40];
            s->on_weights = true;
            if (s->max_value > 0) snprintf(a, sizeof a, ", max_value=%s", num(s->max_value, mv, sizeof mv));
            snprintf(s->text, sizeof s->text, "quantized_po2(%ld%s%s)", s->bits, a,
                     s->log2_floor ? ", log2_rounding=floor" : "");
            break;
        }
        }
        c->im->quantized = true;
    }
    json_decref(own);
    return ok;
}

/* ---- layers ----------------------------------------------------------------------------- */

static Layer *add_layer(Imp *im, LayerKind kind, const char *name, const char *kname, const char *kclass) {
    if (im->nlayers == im->cap) {
        im->cap = im->cap ? 2 * im->cap : 16;
        im->layers = xrealloc(im->layers, sizeof *im->layers * (size_t)im->cap);
    }
    Layer *l = &im->layers[im->nlayers++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    snprintf(l->name, sizeof l->name, "%s", name);
    l->kname = kname;
    l->kclass = kclass;
    return l;
}

/* An activation: a name ("relu") or a QKeras quantizer (object or string). */
static void add_activation(Imp *im, json_t *act, const char *name, const char *kname, const char *kclass) {
    if (json_is_string(act) && !strchr(json_string_value(act), '(')) {
        const char *a = json_string_value(act);
        if (!strcmp(a, "relu") || !strcmp(a, "tanh") || !strcmp(a, "sigmoid") || !strcmp(a, "softmax") ||
            !strcmp(a, "linear")) {
            Layer *l = add_layer(im, L_ACT, name, kname, kclass);
            snprintf(l->text, sizeof l->text, "%s %s", a, name);
            return;
        }
        if (strcmp(a, "binary") && strcmp(a, "ternary") && strncmp(a, "quantized_", 10)) {
            error_at(im, im->model_path, "layer '%s' (%s): activation '%s' is not supported (supported: %s)", kname,
                     kclass, a, supported_acts);
            return;
        }
        /* a quantizer named without arguments: its defaults */
    }
    QCtx c = {im, kname, kclass, "activation"};
    QSpec q;
    if (!parse_quantizer(&c, act, &q)) return;
    if (q.on_weights) {
        error_at(im, im->model_path, "layer '%s' (%s): activation %s is not supported (as an activation: "
                 "quantized_bits, quantized_relu, quantized_tanh)", kname, kclass, q.keras);
        return;
    }
    Layer *l = add_layer(im, L_ACT, name, kname, kclass);
    snprintf(l->text, sizeof l->text, "%s %s(quant=%s)", q.kind == QK_RELU ? "relu" : "linear", name, q.text);
    if (q.kind == QK_TANH) snprintf(l->note, sizeof l->note, ": %s", q.keras);
}

static bool is_linear(json_t *act) {
    return !act || json_is_null(act) || (json_is_string(act) && !strcmp(json_string_value(act), "linear"));
}

static void dense_layer(Imp *im, json_t *cfg, const char *kname, const char *kclass, const char *name, int *width) {
    long units;
    if (!jint(json_object_get(cfg, "units"), &units) || units < 1 || units > 1000000) {
        error_at(im, im->model_path, "layer '%s' (%s): 'units' is not a number of units in 1..1000000", kname, kclass);
        return;
    }
    json_t *ub = json_object_get(cfg, "use_bias");
    bool use_bias = !json_is_false(ub);
    QSpec wq = {0}, bq = {0};
    if (!strcmp(kclass, "QDense")) {
        json_t *kq = json_object_get(cfg, "kernel_quantizer"), *bqj = json_object_get(cfg, "bias_quantizer");
        QCtx c = {im, kname, kclass, "kernel_quantizer"};
        for (int j = 0; j < 2; j++) {
            json_t *qj = j ? bqj : kq;
            QSpec *qs = j ? &bq : &wq;
            c.what = j ? "bias_quantizer" : "kernel_quantizer";
            if (!qj || json_is_null(qj) || (j && !use_bias)) continue;
            if (!parse_quantizer(&c, qj, qs)) {
                qs->kind = QK_NONE;
            } else if (qs->kind == QK_RELU || qs->kind == QK_TANH) {
                error_at(im, im->model_path, "layer '%s' (%s): %s %s is not supported for weights (an activation)",
                         kname, kclass, c.what, qs->keras);
                qs->kind = QK_NONE;
            }
        }
    }
    Layer *l = add_layer(im, L_DENSE, name, kname, kclass);
    l->kq = wq;
    l->bq = bq;
    l->n_in = *width;
    l->units = (int)units;
    l->use_bias = use_bias;
    int k = snprintf(l->text, sizeof l->text, "dense %s(%ld", name, units);
    if (wq.kind) k += snprintf(l->text + k, sizeof l->text - (size_t)k, ", weight=%s", wq.text);
    if (bq.kind) k += snprintf(l->text + k, sizeof l->text - (size_t)k, ", bias=%s", bq.text);
    if (!use_bias) k += snprintf(l->text + k, sizeof l->text - (size_t)k, ", use_bias=false");
    snprintf(l->text + k, sizeof l->text - (size_t)k, ")");
    *width = (int)units;
    json_t *act = json_object_get(cfg, "activation");
    if (!is_linear(act)) {
        char an[MAXNAME + 16];
        const char *suffix = json_is_string(act) && !strchr(json_string_value(act), '(') ? json_string_value(act) : "act";
        snprintf(an, sizeof an, "%s_%s", name, suffix);
        char nm[MAXNAME];
        aedl_name(an, nm);
        add_activation(im, act, nm, kname, kclass);
    }
}

/* The input width from a shape [null, n] (batch_input_shape, batch_shape). */
static bool input_width(Imp *im, json_t *shape, const char *kname, int *width) {
    long n;
    if (!json_is_array(shape) || json_array_size(shape) < 2 || !json_is_null(json_array_get(shape, 0))) return false;
    if (json_array_size(shape) != 2 || !jint(json_array_get(shape, 1), &n) || n < 1) {
        char t[200];
        jtext(shape, t, sizeof t);
        error_at(im, im->model_path, "layer '%s': input shape %s is not supported (a 1-D input [None, n] is)", kname, t);
        return true;
    }
    *width = (int)n;
    return true;
}

/* The name of the one layer a functional layer reads, or NULL (reported). */
static const char *inbound_of(Imp *im, json_t *layer, const char *kname) {
    json_t *nodes = json_object_get(layer, "inbound_nodes");
    if (!json_is_array(nodes) || json_array_size(nodes) != 1) goto bad;
    json_t *node = json_array_get(nodes, 0);
    if (json_is_array(node)) {                 /* Keras 2: [[name, node, tensor, kwargs]] */
        if (json_array_size(node) != 1) goto bad;
        json_t *in = json_array_get(node, 0);
        if (json_is_array(in) && json_is_string(json_array_get(in, 0))) return json_string_value(json_array_get(in, 0));
    } else if (json_is_object(node)) {         /* Keras 3: {"args": [keras_tensor], ...} */
        json_t *args = json_object_get(node, "args");
        if (json_is_array(args) && json_array_size(args) == 1) {
            json_t *h = json_object_get(json_object_get(json_array_get(args, 0), "config"), "keras_history");
            if (json_is_array(h) && json_is_string(json_array_get(h, 0))) return json_string_value(json_array_get(h, 0));
        }
    }
bad:
    error_at(im, im->model_path, "layer '%s' (%s): not a single chain (it must read exactly one earlier layer)", kname,
             jstr(layer, "class_name") ? jstr(layer, "class_name") : "?");
    return NULL;
}

static void read_layers(Imp *im, json_t *root) {
    const char *cls = jstr(root, "class_name");
    json_t *cfg = json_object_get(root, "config");
    json_t *layers = json_is_array(cfg) ? cfg : json_object_get(cfg, "layers");
    bool functional = cls && (!strcmp(cls, "Model") || !strcmp(cls, "Functional"));
    if (!cls || (strcmp(cls, "Sequential") && !functional) || !json_is_array(layers)) {
        error_at(im, im->model_path,
                 "not a Keras model: expected the JSON of model.to_json() (class_name Sequential, Model or "
                 "Functional with config.layers)%s%s%s",
                 cls ? ", found class_name '" : "", cls ? cls : "", cls ? "'" : "");
        return;
    }
    im->kclass_top = cls;
    im->kversion = jstr(root, "keras_version");
    int width = 0;
    const char *prev = NULL;
    size_t i;
    json_t *layer;
    json_array_foreach(layers, i, layer) {
        const char *lc = jstr(layer, "class_name");
        json_t *lcfg = json_object_get(layer, "config");
        const char *kname = jstr(lcfg, "name");
        if (!kname) kname = jstr(layer, "name");
        if (!lc || !json_is_object(lcfg) || !kname) {
            error_at(im, im->model_path, "layer %zu: no class_name, config or name: not a Keras layer", i + 1);
            continue;
        }
        char name[MAXNAME];
        aedl_name(kname, name);
        if (!width) {
            json_t *shape = json_object_get(lcfg, "batch_input_shape");
            if (!shape) shape = json_object_get(lcfg, "batch_shape");
            if (!input_width(im, shape, kname, &width) && strcmp(lc, "InputLayer")) {
                error_at(im, im->model_path, "layer '%s' (%s): the model's input shape is not given (batch_input_shape)",
                         kname, lc);
                return;
            }
            if (!width) return;
            if (!strcmp(lc, "InputLayer")) snprintf(im->input_name, sizeof im->input_name, "%s", name);
            else snprintf(im->input_name, sizeof im->input_name, "%.100s_input", name);
            im->n_input = width;
        }
        if (functional && strcmp(lc, "InputLayer")) {
            const char *in = inbound_of(im, layer, kname);
            if (in && prev && strcmp(in, prev)) {
                error_at(im, im->model_path, "layer '%s' (%s) reads '%s', not the layer before it ('%s'): only a single"
                         " chain is supported", kname, lc, in, prev);
            }
        }
        prev = kname;
        if (!strcmp(lc, "InputLayer")) {
            if (i != 0) error_at(im, im->model_path, "layer '%s' (InputLayer): a second input is not supported", kname);
        } else if (!strcmp(lc, "Dense") || !strcmp(lc, "QDense")) {
            dense_layer(im, lcfg, kname, lc, name, &width);
        } else if (!strcmp(lc, "Activation") || !strcmp(lc, "QActivation")) {
            json_t *act = json_object_get(lcfg, "activation");
            if (!act) error_at(im, im->model_path, "layer '%s' (%s): no 'activation'", kname, lc);
            else add_activation(im, act, name, kname, lc);
        } else if (!strcmp(lc, "BatchNormalization")) {
            double eps = 1e-3, mom = 0.99;
            json_t *ax = json_object_get(lcfg, "axis");
            long axis = -1;
            if (json_is_array(ax) && json_array_size(ax) == 1) ax = json_array_get(ax, 0);
            if (ax && !(jint(ax, &axis) && (axis == -1 || axis == 1)))
                error_at(im, im->model_path, "layer '%s' (%s): only axis=-1 (the features) is supported", kname, lc);
            if (json_object_get(lcfg, "epsilon") && !jnum(json_object_get(lcfg, "epsilon"), &eps))
                error_at(im, im->model_path, "layer '%s' (%s): 'epsilon' is not a number", kname, lc);
            if (json_object_get(lcfg, "momentum") && !jnum(json_object_get(lcfg, "momentum"), &mom))
                error_at(im, im->model_path, "layer '%s' (%s): 'momentum' is not a number", kname, lc);
            Layer *l = add_layer(im, L_BATCHNORM, name, kname, lc);
            l->n_in = l->units = width;
            l->center = !json_is_false(json_object_get(lcfg, "center"));
            l->scale = !json_is_false(json_object_get(lcfg, "scale"));
            char a[40], b[40];
            snprintf(l->text, sizeof l->text, "batchnorm %s(momentum=%s, epsilon=%s)", name, num(mom, a, sizeof a),
                     num(eps, b, sizeof b));
        } else if (!strcmp(lc, "LeakyReLU")) {
            double alpha = 0.3;
            json_t *a = json_object_get(lcfg, "alpha");
            if (!a) a = json_object_get(lcfg, "negative_slope");
            if (a && !jnum(a, &alpha)) error_at(im, im->model_path, "layer '%s' (%s): 'alpha' is not a number", kname, lc);
            Layer *l = add_layer(im, L_ACT, name, kname, lc);
            char t[40];
            snprintf(l->text, sizeof l->text, "leaky_relu %s(alpha=%s)", name, num(alpha, t, sizeof t));
            if (alpha * 1024 != floor(alpha * 1024))
                fprintf(stderr, "%s: warning: layer '%s' (LeakyReLU): alpha %g is used as its value on the 2^-10 step,"
                        " %.10g (docs/semantics.md)\n", im->model_path, kname, alpha, round(alpha * 1024) / 1024);
        } else if (!strcmp(lc, "Dropout")) {
            double rate = 0;
            if (!jnum(json_object_get(lcfg, "rate"), &rate) || rate < 0 || rate >= 1)
                error_at(im, im->model_path, "layer '%s' (%s): 'rate' is not a number in [0, 1)", kname, lc);
            Layer *l = add_layer(im, L_DROPOUT, name, kname, lc);
            char a[40];
            snprintf(l->text, sizeof l->text, "dropout %s(%s)", name, num(rate, a, sizeof a));
        } else if (!strcmp(lc, "Flatten")) {
            /* the input is 1-D (checked above): Flatten is the identity */
        } else {
            error_at(im, im->model_path, "layer '%s' has class %s, which is not supported (supported: %s)", kname, lc,
                     supported_layers);
        }
    }
    if (!width && !im->errors) error_at(im, im->model_path, "the model has no layers");
}

/* ---- weights ------------------------------------------------------------------------------ */

/* The strings of attribute name of loc (fixed-length or variable-length), or NULL. */
static char **read_str_attr(hid_t loc, const char *name, int *n) {
    *n = 0;
    if (H5Aexists(loc, name) <= 0) return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t t = H5Aget_type(a), s = H5Aget_space(a);
    char **out = NULL;
    hssize_t cnt = H5Sget_simple_extent_npoints(s);
    if (H5Tget_class(t) == H5T_STRING && cnt >= 0 && cnt < 100000) {
        out = xcalloc((size_t)cnt + 1, sizeof *out);
        if (H5Tis_variable_str(t) > 0) {
            char **v = xcalloc((size_t)cnt + 1, sizeof *v);
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(t));
            if (H5Aread(a, mt, v) >= 0) {
                for (hssize_t i = 0; i < cnt; i++) out[i] = xstrdup(v[i] ? v[i] : "");
                H5Dvlen_reclaim(mt, s, H5P_DEFAULT, v);
                *n = (int)cnt;
            }
            H5Tclose(mt);
            free(v);
        } else {
            size_t sz = H5Tget_size(t);
            char *buf = xcalloc((size_t)cnt * sz + 1, 1);
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, sz);
            H5Tset_strpad(mt, H5T_STR_NULLPAD);
            H5Tset_cset(mt, H5Tget_cset(t));
            if (H5Aread(a, mt, buf) >= 0) {
                for (hssize_t i = 0; i < cnt; i++) {
                    out[i] = xcalloc(sz + 1, 1);
                    memcpy(out[i], buf + (size_t)i * sz, sz);
                }
                *n = (int)cnt;
            }
            H5Tclose(mt);
            free(buf);
        }
        if (!*n) { free(out); out = NULL; }
    }
    H5Sclose(s);
    H5Tclose(t);
    H5Aclose(a);
    return out;
}

static void free_strs(char **v, int n) {
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Reads the dataset at path (in loc) of shape (d0) or (d0, d1) as float. */
static float *read_weight(Imp *im, hid_t loc, const char *lname, const char *path, const char *what, int rank, int d0,
                          int d1) {
    char why[600];
    if (aedl_h5_link_problem(loc, path, why, sizeof why)) {
        error_at(im, im->weights_path, "layer '%s': %s: %s", lname, what, why);
        return NULL;
    }
    hid_t ds = H5Dopen2(loc, path, H5P_DEFAULT);
    if (ds < 0) {
        error_at(im, im->weights_path, "layer '%s': %s: '%s' is not a dataset", lname, what, path);
        return NULL;
    }
    hid_t sp = H5Dget_space(ds);
    int r = H5Sget_simple_extent_ndims(sp);
    hsize_t d[8] = {0};
    if (r >= 0 && r <= 8) H5Sget_simple_extent_dims(sp, d, NULL);
    H5Sclose(sp);
    if (r != rank || (long)d[0] != d0 || (rank == 2 && (long)d[1] != d1)) {
        char got[100] = "(", want[64];
        for (int k = 0, o = 1; k < r && k < 8; k++) o += snprintf(got + o, sizeof got - (size_t)o, "%s%llu", k ? ", " : "", (unsigned long long)d[k]);
        strncat(got, r == 1 ? ",)" : ")", sizeof got - strlen(got) - 1);
        if (rank == 2) snprintf(want, sizeof want, "(%d, %d)", d0, d1);
        else snprintf(want, sizeof want, "(%d,)", d0);
        error_at(im, im->weights_path, "layer '%s': %s has shape %s, the model needs %s", lname, what, got, want);
        H5Dclose(ds);
        return NULL;
    }
    size_t n = (size_t)d0 * (size_t)(rank == 2 ? d1 : 1);
    float *v = xmalloc(sizeof *v * (n ? n : 1));
    if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        error_at(im, im->weights_path, "layer '%s': %s cannot be read (a damaged or cut-off file?)", lname, what);
        free(v);
        H5Dclose(ds);
        return NULL;
    }
    H5Dclose(ds);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(v[k])) {
            error_at(im, im->weights_path, "layer '%s': %s[%zu] is %g", lname, what, k, (double)v[k]);
            free(v);
            return NULL;
        }
    return v;
}

/* The path (from the weights group) of layer kname's weight `base` ("kernel"),
   from its weight_names attribute ("fc1/kernel:0"), or "" when it has none. */
static void weight_path(char **names, int n, const char *kname, const char *base, char *out, size_t len) {
    out[0] = 0;
    size_t bl = strlen(base);
    for (int i = 0; i < n; i++) {
        const char *s = strrchr(names[i], '/');
        s = s ? s + 1 : names[i];
        if (!strncmp(s, base, bl) && (s[bl] == 0 || s[bl] == ':')) {
            snprintf(out, len, "%s/%s", kname, names[i]);
            return;
        }
    }
}

static bool has_weights(const Layer *l) { return l->kind == L_DENSE || l->kind == L_BATCHNORM; }

static void read_weights(Imp *im, hid_t f) {
    char why[600];
    hid_t root = H5Gopen2(f, im->weights_group, H5P_DEFAULT);
    if (root < 0) {
        error_at(im, im->weights_path, "no group '%s': not a Keras weights file", im->weights_group);
        return;
    }
    int nln;
    char **lnames = read_str_attr(root, "layer_names", &nln);
    if (!lnames) {
        error_at(im, im->weights_path, "no attribute 'layer_names'%s%s: not a Keras weights file (save_weights() of"
                 " Keras 2 writes it; the .weights.h5 of Keras 3 is not supported)",
                 strcmp(im->weights_group, "/") ? " in " : "", strcmp(im->weights_group, "/") ? im->weights_group : "");
        H5Gclose(root);
        return;
    }
    /* layers of the file with weights that the model does not have */
    for (int i = 0; i < nln; i++) {
        bool known = false;
        for (int k = 0; k < im->nlayers; k++) if (!strcmp(im->layers[k].kname, lnames[i])) known = true;
        if (known || H5Lexists(root, lnames[i], H5P_DEFAULT) <= 0) continue;
        hid_t g = H5Gopen2(root, lnames[i], H5P_DEFAULT);
        int nw = 0;
        char **w = g >= 0 ? read_str_attr(g, "weight_names", &nw) : NULL;
        if (nw > 0) error_at(im, im->weights_path, "layer '%s' (%d weights) is not in the model %s", lnames[i], nw, im->model_path);
        free_strs(w, nw);
        if (g >= 0) H5Gclose(g);
    }
    for (int k = 0; k < im->nlayers; k++) {
        Layer *l = &im->layers[k];
        if (!has_weights(l)) continue;
        bool listed = false;
        for (int i = 0; i < nln; i++) if (!strcmp(lnames[i], l->kname)) listed = true;
        if (!listed || H5Lexists(root, l->kname, H5P_DEFAULT) <= 0) {
            error_at(im, im->weights_path, "layer '%s' (%s) of the model is missing", l->kname, l->kclass);
            continue;
        }
        if (aedl_h5_link_problem(root, l->kname, why, sizeof why)) {
            error_at(im, im->weights_path, "layer '%s': %s", l->kname, why);
            continue;
        }
        hid_t g = H5Gopen2(root, l->kname, H5P_DEFAULT);
        int nw = 0;
        char **w = g >= 0 ? read_str_attr(g, "weight_names", &nw) : NULL;
        if (g >= 0) H5Gclose(g);
        char p[600];
        struct { const char *base; float **dst; int rank, d0, d1; bool need; } want[] = {
            {"kernel", &l->kernel, 2, l->n_in, l->units, l->kind == L_DENSE},
            {"bias", &l->bias, 1, l->units, 0, l->kind == L_DENSE && l->use_bias},
            {"gamma", &l->gamma, 1, l->units, 0, l->kind == L_BATCHNORM && l->scale},
            {"beta", &l->beta, 1, l->units, 0, l->kind == L_BATCHNORM && l->center},
            {"moving_mean", &l->mean, 1, l->units, 0, l->kind == L_BATCHNORM},
            {"moving_variance", &l->var, 1, l->units, 0, l->kind == L_BATCHNORM},
        };
        int expected = 0;
        for (size_t j = 0; j < sizeof want / sizeof want[0]; j++) {
            if (!want[j].need) continue;
            expected++;
            weight_path(w, nw, l->kname, want[j].base, p, sizeof p);
            if (!*p) {
                error_at(im, im->weights_path, "layer '%s' (%s): no weight '%s' (weight_names lists %d)", l->kname,
                         l->kclass, want[j].base, nw);
                continue;
            }
            *want[j].dst = read_weight(im, root, l->kname, p, p, want[j].rank, want[j].d0, want[j].d1);
        }
        if (nw > expected)
            error_at(im, im->weights_path, "layer '%s' (%s): %d weights, the model's layer has %d", l->kname, l->kclass,
                     nw, expected);
        free_strs(w, nw);
        if (l->kind == L_BATCHNORM && l->var)
            for (int j = 0; j < l->units; j++)
                if (l->var[j] < 0) {
                    error_at(im, im->weights_path, "layer '%s': moving_variance[%d] is negative (%g)", l->kname, j,
                             (double)l->var[j]);
                    break;
                }
    }
    free_strs(lnames, nln);
    H5Gclose(root);
}

/* ---- outputs ------------------------------------------------------------------------------ */

static int put_attr(hid_t loc, const char *name, const char *value) {
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(value) + 1);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return rc < 0;
}

static int put_ds(hid_t g, const char *name, const float *v, int rank, int d0, int d1) {
    hsize_t d[2] = {(hsize_t)d0, (hsize_t)d1};
    hid_t s = H5Screate_simple(rank, d, NULL);
    hid_t ds = H5Dcreate2(g, name, H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(s);
    return rc < 0;
}

/* The aedl weights file (docs/semantics.md), built in memory, written atomically. */
static int write_weights(Imp *im, const char *path, const char *model) {
    hid_t f = aedl_h5mem_create(path);
    if (f < 0) {
        fprintf(stderr, "%s: error: cannot create the weights file in memory (HDF5)\n", path);
        return 1;
    }
    int bad = put_attr(f, "model", model) | put_attr(f, "aedl_version", AEDL_VERSION);
    for (int k = 0; k < im->nlayers && !bad; k++) {
        Layer *l = &im->layers[k];
        if (!has_weights(l)) continue;
        hid_t g = H5Gcreate2(f, l->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0) { bad = 1; break; }
        int n = l->units;
        if (l->kind == L_DENSE) {
            bad |= put_ds(g, "kernel", l->kernel, 2, l->n_in, n);
            if (l->use_bias) bad |= put_ds(g, "bias", l->bias, 1, n, 0);
        } else {
            float *one = xmalloc(sizeof *one * (size_t)n), *zero = xcalloc((size_t)n, sizeof *zero);
            for (int j = 0; j < n; j++) one[j] = 1.0f;
            bad |= put_ds(g, "gamma", l->gamma ? l->gamma : one, 1, n, 0);
            bad |= put_ds(g, "beta", l->beta ? l->beta : zero, 1, n, 0);
            bad |= put_ds(g, "moving_mean", l->mean, 1, n, 0);
            bad |= put_ds(g, "moving_variance", l->var, 1, n, 0);
            free(one);
            free(zero);
        }
        H5Gclose(g);
    }
    int rc = aedl_h5mem_commit(f, path, bad), e = errno;
    if (rc == -1) fprintf(stderr, "%s: error: cannot build the weights file (HDF5)\n", path);
    if (rc == -2) fprintf(stderr, "%s: error: cannot write the weights file%s%s\n", path, e ? ": " : "", e ? strerror(e) : "");
    return rc ? 1 : 0;
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int write_aedl(Imp *im, const char *path, const char *model, const char *weights, const char *input_type) {
    aedl_atomic a = {0};
    if (aedl_atomic_open(&a, path, "w") != 0) {
        fprintf(stderr, "%s: error: cannot write: %s\n", path, strerror(errno));
        return 1;
    }
    FILE *o = a.f;
    fprintf(o, "# %s — imported by `aedlc import` from the Keras model (%s) in %s", base_name(path), im->kclass_top,
            base_name(im->model_path));
    if (strcmp(im->weights_path, im->model_path)) fprintf(o, "\n# and the weights in %s", base_name(im->weights_path));
    fprintf(o, "%s%s%s.\n", im->kversion ? " (Keras " : "", im->kversion ? im->kversion : "", im->kversion ? ")" : "");
    fprintf(o, "# The weights, in aedl's layout: %s\n", base_name(weights));
    fprintf(o, "#   aedlc %s --emit hls --weights %s\n", base_name(path), base_name(weights));
    fprintf(o, "# The input type is the firmware's (and the quantized model's) input precision.\n\n");
    fprintf(o, "model %s {\n", model);
    fprintf(o, "  input %s[%d] : %s\n\n", im->input_name, im->n_input, input_type);
    for (int k = 0; k < im->nlayers; k++) {
        Layer *l = &im->layers[k];
        if (strcmp(l->kname, k ? im->layers[k - 1].kname : "") || k == 0)
            fprintf(o, "  %-56s # %s %s%s\n", l->text, l->kclass, l->kname, l->note);
        else if (*l->note)
            fprintf(o, "  %-56s # %s\n", l->text, l->note + 2);
        else
            fprintf(o, "  %s\n", l->text);
    }
    fprintf(o, "}\n\n");
    fprintf(o, "target fpga {\n"
               "  backend      = vitis\n"
               "  part         = \"xcu250-figd2104-2L-e\"\n"
               "  clock_period = 5\n"
               "  precision    = bit_exact\n"
               "}\n");
    if (aedl_atomic_commit(&a) != 0) {
        fprintf(stderr, "%s: error: cannot write: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

/* ---- the command ---------------------------------------------------------------------------- */

static bool is_hdf5(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    unsigned char sig[8] = {0};
    size_t n = fread(sig, 1, 8, f);
    fclose(f);
    return n == 8 && !memcmp(sig, "\x89HDF\r\n\x1a\n", 8);
}

static int usage(const char *why, const char *a) {
    fprintf(stderr, "aedlc import: ");
    fprintf(stderr, why, a);
    fprintf(stderr, "\nusage: aedlc import MODEL.json WEIGHTS.h5 [-o OUT.aedl] [--input-type TYPE]\n"
                    "       aedlc import MODEL.h5 [-o OUT.aedl] [--input-type TYPE]\n");
    return 2;
}

/* Whether path can be read as an input file; reports why not. */
static bool readable(const char *path, const char *what) {
    char why[900];
    if (!aedl_file_problem(path, why, sizeof why)) return true;
    if (!strncmp(why, "cannot open: ", 13)) fprintf(stderr, "%s: error: cannot open the %s: %s\n", path, what, why + 13);
    else fprintf(stderr, "%s: error: the %s is %s\n", path, what, why);
    return false;
}

/* Opens an HDF5 input, reporting why it cannot be. */
static hid_t open_h5(const char *path, const char *what) {
    char why[900];
    if (!readable(path, what)) return -1;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        aedl_h5_open_why(why, sizeof why);
        fprintf(stderr, "%s: error: cannot open the %s as an HDF5 file%s\n", path, what, why);
    }
    return f;
}

int keras_import_main(int argc, char **argv) {
    const char *files[2] = {NULL, NULL}, *out = NULL, *input_type = "fixed<16, 6, rnd_conv, sat>";
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--input-type")) {
            if (i + 1 >= argc || !*argv[i + 1]) return usage("option '%s' needs a value", argv[i]);
            if (argv[i][1] == 'o') out = argv[++i];
            else input_type = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage("unknown option '%s'", argv[i]);
        } else if (nfiles == 2) {
            return usage("one model file and at most one weights file ('%s' is a third)", argv[i]);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!nfiles) return usage("no model file%s", "");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    Imp im = {0};
    im.model_path = files[0];
    im.weights_path = files[1] ? files[1] : files[0];
    im.weights_group = files[1] ? "/" : "/model_weights";
    json_t *root = NULL;
    json_error_t je;
    hid_t mf = -1;
    if (is_hdf5(files[0])) {              /* model.save(): the JSON in model_config */
        if (files[1]) return usage("'%s' is an HDF5 file (model.save()): give it alone, without a weights file", files[0]);
        if ((mf = open_h5(files[0], "model file")) < 0) return 1;
        int n = 0;
        char **cfg = read_str_attr(mf, "model_config", &n);
        if (!cfg) {
            fprintf(stderr, "%s: error: no attribute 'model_config': not a Keras model.save() file (for the weights"
                    " of save_weights(), give the model's JSON first)\n", files[0]);
            H5Fclose(mf);
            return 1;
        }
        root = json_loads(cfg[0], 0, &je);
        free_strs(cfg, n);
        if (!root) {
            fprintf(stderr, "%s: error: attribute model_config is not JSON: %s (line %d, column %d)\n", files[0], je.text,
                    je.line, je.column);
            H5Fclose(mf);
            return 1;
        }
    } else {
        if (!files[1]) return usage("'%s' is not an HDF5 file: give the model's JSON and its weights file", files[0]);
        if (!readable(files[0], "model file")) return 1;
        root = json_load_file(files[0], 0, &je);
        if (!root) {
            fprintf(stderr, "%s:%d:%d: error: not JSON: %s\n", files[0], je.line, je.column, je.text);
            return 1;
        }
    }
    read_layers(&im, root);
    if (!im.errors) {
        hid_t wf = mf >= 0 ? mf : open_h5(im.weights_path, "weights file");
        if (wf < 0) im.errors++;
        else {
            read_weights(&im, wf);
            if (wf != mf) H5Fclose(wf);
        }
    }
    if (mf >= 0) H5Fclose(mf);
    int rc = 0;
    if (im.errors) {
        rc = 1;
    } else {
        char model[MAXNAME], *aedl_path, *weights;
        const char *b = out ? base_name(out) : base_name(files[0]);
        char stem[MAXNAME];
        snprintf(stem, sizeof stem, "%.*s", (int)(strchr(b, '.') ? strchr(b, '.') - b : (long)strlen(b)), b);
        aedl_name(stem, model);
        if (out) {
            size_t n = strlen(out);
            aedl_path = xstrdup(out);
            weights = xmalloc(n + 16);
            snprintf(weights, n + 16, "%.*s.weights.h5", (int)(n > 5 && !strcmp(out + n - 5, ".aedl") ? n - 5 : n), out);
        } else {
            aedl_path = xmalloc(strlen(stem) + 8);
            sprintf(aedl_path, "%s.aedl", stem);
            weights = xmalloc(strlen(stem) + 16);
            sprintf(weights, "%s.weights.h5", stem);
        }
        rc = write_weights(&im, weights, model) || write_aedl(&im, aedl_path, model, weights, input_type);
        if (!rc)
            fprintf(stderr, "aedlc import: wrote %s and %s (%d layers%s)\n", aedl_path, weights, im.nlayers,
                    im.quantized ? ", quantized" : "");
        free(aedl_path);
        free(weights);
    }
    for (int k = 0; k < im.nlayers; k++) {
        Layer *l = &im.layers[k];
        free(l->kernel); free(l->bias); free(l->gamma); free(l->beta); free(l->mean); free(l->var);
    }
    free(im.layers);
    json_decref(root);
    return rc;
}
