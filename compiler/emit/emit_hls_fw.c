/* emit_hls_fw.c — the C++ of the HLS project: firmware/MODEL.cpp (the top
 * function, one block per layer), MODEL.h, defines.h (a typedef per layer
 * and slot, with the reason), parameters.h (a config per layer), weights/
 * (exact values of their types, the data the kernels read), nnet/nnet_dense.h
 * (the dense kernel), nnet/nnet_layers.h (the element-wise kernels) and the
 * testbench.
 *
 * Every layer computes exactly what compiler/prec/precision.h says and
 * lib/emu.c does: sums in full precision cast to the accumulator after
 * each addition, in input order, then the quantizer, then the result type.
 * The integers come from the firmware plan (plan_build), so the emulator
 * and this code read the same weights.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "emit_hls_int.h"
#include "kinds.h"
#include "nn.h"
#include "util.h"
#include "weights.h"

/* ---- a kind's parts (the entries' `hls` hooks, kinds.h; below, before parameters.h) ---------------- */

/* The names a weights file uses: the slots' typedefs, the guard's upper-case
   name, the slots' step exponents. */
typedef struct { const char *wt, *bt, *up; int ew, eb; } HlsSlots;

typedef struct HlsKind HlsKind;
struct HlsKind {
    const char *wslot, *bslot;          /* the slots' names: "weight", "scale", ... */
    /* The reason of the weight (bias) slot's type in defines.h when no pass gave
       one; false: the default text.  why_weight_first: this reason wins. */
    bool (*why_weight)(const IrNode *n, char *why, int len);
    bool why_weight_first;
    bool (*why_bias)(const IrNode *n, char *why, int len);
    /* weights/LAYER.h after the layer's head, up to the guard's #endif (a plan layer with has_w). */
    void (*weights)(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, HlsSlots sl);
    /* The kind's members of config_LAYER (parameters.h). */
    void (*config)(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o);
    /* The layer's call in the top function: input in, output hn, configuration cfg. */
    void (*call)(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in, const HlsNode *hn,
                 const char *cfg);
};

/* ---- small helpers -------------------------------------------------------------------- */

int hls_pow2(int64_t m) {
    if (m == 0 || m == INT64_MIN) return -1;
    uint64_t a = (uint64_t)(m < 0 ? -m : m);
    if (a & (a - 1)) return -1;
    int p = 0;
    while (a > 1) { a >>= 1; p++; }
    return p;
}

const char *hls_wslot(const IrNode *n) { return kind_of(n->op)->hls->wslot; }
const char *hls_bslot(const IrNode *n) { return kind_of(n->op)->hls->bslot; }

void hls_tname(const IrNode *n, const char *slot, char *buf, int len) {
    snprintf(buf, (size_t)len, "%s_%s_t", n->name, slot);
}

/* The reason of a slot's width, for defines.h. */
const char *hls_mode_name(IrPrecMode m) {
    return m == PREC_BIT_EXACT ? "bit_exact" : m == PREC_CONSERVATIVE ? "conservative" : "fixed";
}

static void quant_text(const IrQuant *q, char *buf, int n) {
    char t[96];
    aedl_fixed_format(t, sizeof t, q->type);
    const char *what = q->kind == Q_BITS ? "quantized_bits" : q->kind == Q_RELU ? "quantized_relu" : NULL;
    if (what && q->kind == Q_BITS)
        snprintf(buf, (size_t)n, "%s%s%s(%d, %d, %d) = %s", q->name ? q->name : "", q->name ? " = " : "",
                 what, q->bits, q->integer, q->symmetric, t);
    else if (what && q->slope != 0)
        snprintf(buf, (size_t)n, "%s%s%s(%d, %d, negative_slope=%g) = %s", q->name ? q->name : "", q->name ? " = " : "",
                 what, q->bits, q->integer, q->slope, t);
    else if (what)
        snprintf(buf, (size_t)n, "%s%s%s(%d, %d) = %s", q->name ? q->name : "", q->name ? " = " : "",
                 what, q->bits, q->integer, t);
    else snprintf(buf, (size_t)n, "%s%s%s", q->name ? q->name : "", q->name ? " = " : "", t);
}

/* ---- defines.h ------------------------------------------------------------------------------ */

static void put_typedef(FILE *o, aedl_fixed t, const char *name, const char *why) {
    char ap[128];
    hls_ap(t, ap, sizeof ap);
    fprintf(o, "typedef %s %s;", ap, name);
    if (why && *why) fprintf(o, "  // %s", why);
    fputc('\n', o);
}

static void put_layer_head(FILE *o, const IrNode *n, const char *indent) {
    char st[512], org[300];
    hls_stmt(n, st, sizeof st);
    hls_origin(n, org, sizeof org);
    fprintf(o, "%s// %s: %s -- %s\n", indent, n->name, st, org);
}

/* The hardware inputs (target hardware_inputs): the top function's x holds each feature in its
   hardware type; the model's input x_model is (model_input_t)(hw_accum_t)((hw_J_t)x[j] * k_j + c_j). */
static void write_hw_types(Hls *h, FILE *o, const IrNode *n, const aedl_fw_layer *a) {
    char why[512], nm[64], tb[64];
    fprintf(o, "// The hardware inputs (the target's hardware_inputs): the firmware takes feature j\n"
               "// in its hardware type hw_in_J_t (the raw value; a feature not declared arrives\n"
               "// scaled, in the model input's type) and scales it itself: the model's input is\n"
               "// (model_input_t)(hw_accum_t)((hw_in_J_t)x[j] * k_j + c_j), every product and sum\n"
               "// exact.  k_j = 1 / (divisor * std), c_j = -(offset / divisor + mean) / std of\n"
               "// the fitted scaling (DIR/scaler.h5), rounded to hw_k_t and hw_c_t.  Not folded\n"
               "// into the first layer (the cast to model_input_t rounds): a stage of its own.\n");
    put_typedef(o, h->plan->in_t, "input_t", "holds every hardware type exactly: the top function's x");
    for (int j = 0; j < a->n_out; j++) {
        snprintf(nm, sizeof nm, "hw_in_%d_t", j);
        aedl_fixed t = aedl_fw_hwin_type(a, j);
        bool declared = h->t->hw_types && j < h->t->nhw_types && h->t->hw_types[j].width;
        snprintf(why, sizeof why, "%s", declared ? "the declared hardware type" : "not declared: the model input's type");
        put_typedef(o, t, nm, why);
    }
    snprintf(why, sizeof why, "the constants k_j: step 2^%d, so that |k - k_q| |x| <= 2^%d (a quarter of model_input_t's step)",
             aedl_fw_exp(a->w_t), aedl_fw_exp(a->res_t) - 2);
    put_typedef(o, a->w_t, "hw_k_t", why);
    snprintf(why, sizeof why, "the constants c_j: step 2^%d, an eighth of model_input_t's step at most off", aedl_fw_exp(a->b_t));
    put_typedef(o, a->b_t, "hw_c_t", why);
    put_typedef(o, a->acc_t, "hw_accum_t", "exact: holds every x * k_j + c_j of the hardware types");
    const IrPrec *p = n->prec;
    snprintf(why, sizeof why, "the model input's type %s", prec_type_str(a->res_t, tb, sizeof tb));
    put_typedef(o, a->res_t, "model_input_t", p && p->why_result ? p->why_result : why);
}

static void write_defines(Hls *h) {
    FILE *o = hls_open(h, "firmware/defines.h");
    const IrModel *m = h->m;
    fprintf(o, "// defines.h -- the types of %s's firmware, generated by aedlc from %s.\n", h->name, h->src_file);
    fprintf(o, "// One typedef per layer and slot, as precision inference chose them (precision =\n"
               "// %s); the comment after each says why.  The layers compute as\n"
               "// docs/precision.md says: full-precision products and sums cast to accum_t,\n"
               "// then the layer's quantizer (quant_t), then result_t.\n",
            hls_mode_name(h->t->precision));
    if (h->zero_weights)
        fprintf(o, "// Written without trained weights: these are the conservative types, which hold\n"
                   "// any weights of the quantizers' types; `aedlc run` writes this project again\n"
                   "// after training, with the trained weights and the exact types.\n");
    fprintf(o, "#ifndef DEFINES_H_\n#define DEFINES_H_\n\n#include \"ap_fixed.h\"\n#include \"ap_int.h\"\n\n");
    fprintf(o, "#define N_INPUT %d\n#define N_OUTPUT %d\n", h->d_in, h->d_out);
    char name[160], why[1024];
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const IrPrec *p = n->prec;
        fputc('\n', o);
        put_layer_head(o, n, "");
        if (n->op == OP_INPUT) {
            const aedl_fw_layer *hw = hls_hw_input(h);
            if (!hw) {
                put_typedef(o, h->plan->in_t, "input_t", p->why_result ? p->why_result : "the declared input type");
                continue;
            }
            write_hw_types(h, o, n, hw);
            continue;
        }
        const aedl_fw_layer *a = hls_layer(h, n);
        if (!a && h->N[n->id].unused) {
            fprintf(o, "// not in the firmware: the score needs only the layers the means depend on\n");
            continue;
        }
        if (!a) {
            fprintf(o, "// %s: no types of its own (its output is %s's)\n",
                    n->op == OP_DROPOUT ? "dropout is the identity in inference"
                    : n->op == OP_SAMPLE ? "sample is its mean in inference" : "folded into the layer before",
                    h->N[n->id].same_as->name);
            continue;
        }
        const char *mode = hls_mode_name(p->mode);
        bool cons = p->mode != PREC_BIT_EXACT || h->zero_weights;
        if (a->has_w) {
            hls_tname(n, hls_wslot(n), name, sizeof name);
            const HlsKind *k = kind_of(n->op)->hls;
            if (k->why_weight_first && k->why_weight(n, why, sizeof why)) {}
            else if (!cons && p->why_weight) snprintf(why, sizeof why, "%s: %s", mode, p->why_weight);
            else if (k->why_weight && k->why_weight(n, why, sizeof why)) {}
            else snprintf(why, sizeof why, "the target's default type (no weight quantizer)");
            put_typedef(o, a->w_t, name, why);
        }
        if (a->has_b) {
            hls_tname(n, hls_bslot(n), name, sizeof name);
            const HlsKind *k = kind_of(n->op)->hls;
            if (!cons && p->why_bias) snprintf(why, sizeof why, "%s: %s", mode, p->why_bias);
            else if (k->why_bias && k->why_bias(n, why, sizeof why)) {}
            else snprintf(why, sizeof why, "the target's default type (no bias quantizer)");
            put_typedef(o, a->b_t, name, why);
        }
        if (p->t.has_accum) {
            hls_tname(n, "accum", name, sizeof name);
            if (!cons && p->why_accum) snprintf(why, sizeof why, "%s: %s", mode, p->why_accum);
            else if (p->mode == PREC_FIXED) snprintf(why, sizeof why, "fixed: the target's type (may round or overflow)");
            else snprintf(why, sizeof why, "conservative: %s", p->cons_why ? p->cons_why : "width rules");
            put_typedef(o, a->acc_t, name, why);
        }
        if (a->has_quant) {
            hls_tname(n, "quant", name, sizeof name);
            if (n->quant) { char q[256]; quant_text(n->quant, q, sizeof q); snprintf(why, sizeof why, "the quantizer %s", q); }
            else snprintf(why, sizeof why, "the layer's quantizer");
            put_typedef(o, a->q_t, name, why);
        }
        hls_tname(n, "result", name, sizeof name);
        if (!cons && p->why_result) snprintf(why, sizeof why, "%s: %s", mode, p->why_result);
        else if (p->mode == PREC_FIXED && !a->has_quant) snprintf(why, sizeof why, "fixed: the target's type (may round or overflow)");
        else snprintf(why, sizeof why, "%s: %s", mode, p->cons_why ? p->cons_why : "width rules");
        if (!p->guaranteed) {
            size_t l = strlen(why);
            snprintf(why + l, sizeof why - l, " (not guaranteed to equal the quantized model)");
        }
        put_typedef(o, a->res_t, name, why);
    }
    const aedl_fw_layer *sc = hls_score(h);
    if (sc && sc->op == FW_MU2) {
        const aedl_fw_layer *mu = &h->plan->layers[sc->inputs[0]];
        fprintf(o, "\n// The anomaly score (the target's output = score, score = mu2): the sum of the\n"
                   "// squared means %s of the sample layer; the decoder is not in the firmware.\n"
                   "// Every step is exact (by construction, in every precision mode).\n", mu->name);
        snprintf(why, sizeof why, "exact: holds the square of every mean (%s)", prec_type_str(mu->res_t, name, sizeof name));
        put_typedef(o, sc->w_t, "score_square_t", why);
        snprintf(why, sizeof why, "exact: %d times the largest square of the means' type, unsigned", sc->n_in);
        put_typedef(o, sc->acc_t, "score_t", why);
        fprintf(o, "\n// The output: y[0] the score; the trigger fires when y[0] > threshold.\n");
        put_typedef(o, sc->res_t, "result_t", "score_t");
    } else if (sc) {
        const aedl_fw_layer *cnt = sc->op == FW_MASKED_SCORE ? &h->plan->layers[h->plan->outputs[1]] : NULL;
        char t1[64], t2[64];
        fprintf(o, "\n// The anomaly score (the target's output = score): the sum over the features of\n"
                   "// (reconstruction - input)^2%s.  Every step is exact (by construction,\n"
                   "// in every precision mode).  The MSE is score / %d: the same ordering of events.\n",
                !cnt ? "" : sc->has_w ? " where the input is not the padding\n// (score_pad in the top function), "
                                        "and the count of those features"
                                      : " where the input is not 0,\n// and the count of those features", sc->n_in);
        snprintf(why, sizeof why, "exact: holds every reconstruction - input (%s - %s), at the finer step of the two",
                 h->N[h->m->outputs[0]->id].type, "input_t");
        put_typedef(o, sc->w_t, "score_diff_t", why);
        snprintf(why, sizeof why, "exact: %d times the largest square of score_diff_t, unsigned", sc->n_in);
        put_typedef(o, sc->acc_t, "score_t", why);
        if (cnt) {
            snprintf(why, sizeof why, "exact: 0..%d, the features whose input is not %s", sc->n_in,
                     sc->has_w ? "the padding" : "0");
            put_typedef(o, cnt->acc_t, "score_count_t", why);
            fprintf(o, "\n// The output: y[0] the masked sum, y[1] the count; the trigger fires when\n"
                       "// y[0] > threshold * y[1] (no division).  result_t holds both exactly\n"
                       "// (%s and %s).\n", prec_type_str(sc->acc_t, t1, sizeof t1), prec_type_str(cnt->acc_t, t2, sizeof t2));
            put_typedef(o, sc->res_t, "result_t", "exact: the finer step and the larger integer part of the two");
        } else {
            fprintf(o, "\n// The output: y[0] the score; the trigger fires when y[0] > threshold.\n");
            put_typedef(o, sc->res_t, "result_t", "score_t");
        }
    } else
        fprintf(o, "\n// The model's output, y[N_OUTPUT].\ntypedef %s result_t;\n", h->N[h->m->outputs[0]->id].type);
    fprintf(o, "\n#endif\n");
    hls_close(h);
}

/* ---- weights/LAYER.h ------------------------------------------------------------------------------ */

/* Values, wrapped at about 100 columns. */
static void put_values(FILE *o, const int64_t *v, long n, int e, const char *indent) {
    char num[80];
    int col = (int)strlen(indent);
    fputs(indent, o);
    for (long k = 0; k < n; k++) {
        aedl_fixed_decimal(v[k], e, num, sizeof num);
        int w = (int)strlen(num) + 2;
        if (k && col + w > 100) { fprintf(o, ",\n%s", indent); col = (int)strlen(indent); }
        else if (k) fputs(", ", o);
        fputs(num, o);
        col += w;
    }
}

static void write_weights(Hls *h, const IrNode *n, const aedl_fw_layer *a) {
    char wt[160], bt[160], up[160];
    hls_tname(n, hls_wslot(n), wt, sizeof wt);
    hls_tname(n, hls_bslot(n), bt, sizeof bt);
    snprintf(up, sizeof up, "%s", n->name);
    for (char *c = up; *c; c++) if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
    FILE *o = hls_open(h, "firmware/weights/%s.h", n->name);
    put_layer_head(o, n, "");
    int ew = aedl_fw_exp(a->w_t), eb = aedl_fw_exp(a->b_t);
    kind_of(n->op)->hls->weights(h, n, a, o, (HlsSlots){wt, bt, up, ew, eb});
    fprintf(o, "\n#endif\n");
    hls_close(h);
}

/* ---- the kinds' parts ------------------------------------------------------------------------------ */

static void config_none(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o) { (void)h; (void)n; (void)a; (void)o; }
static void weights_none(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, HlsSlots sl) {
    (void)h; (void)n; (void)a; (void)o; (void)sl;
}

/* dense */
static bool why_weight_dense(const IrNode *n, char *why, int len) {
    if (!n->weight_q) return false;
    quant_text(n->weight_q, why, len);
    return true;
}
static bool why_bias_dense(const IrNode *n, char *why, int len) {
    if (!n->bias_q) return false;
    quant_text(n->bias_q, why, len);
    return true;
}
static void weights_dense(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, HlsSlots sl) {
    const char *wt = sl.wt, *bt = sl.bt, *up = sl.up;
    int ew = sl.ew, eb = sl.eb;
    long total = (long)a->n_in * a->n_out, zeros = 0, masked = 0;
    for (long k = 0; k < total; k++) {
        zeros += a->w[k] == 0;
        if (a->w[k] == 0 && n->params && n->params->mask && n->params->mask[k] == 0.0f) masked++;
    }
    fprintf(o, "// Kernel w[i][j] (input i, neuron j; the Keras layout) in %s, bias b[j] in %s:\n"
               "// exact values of their types.  %ld of %ld weights are 0 and cost nothing in the\n"
               "// latency strategy: %ld pruned (mask), %ld rounded to zero.%s\n"
               "// nnet::dense (nnet/nnet_dense.h) reads these arrays: a value edited here changes\n"
               "// the design (a zero skips its term, a non-zero makes one).  Keep values of the\n"
               "// types; defines.h says which range the types were chosen for.\n",
            wt, a->has_b ? bt : "(no bias)", zeros, total, masked, zeros - masked,
            h->zero_weights ? "\n// No trained weights were given (--weights): every weight is 0 here." : "");
    fprintf(o, "#ifndef WEIGHTS_%s_H_\n#define WEIGHTS_%s_H_\n\n", up, up);
    fprintf(o, "static const %s %s_w[%d][%d] = {\n", wt, n->name, a->n_in, a->n_out);
    for (int i = 0; i < a->n_in; i++) {
        const int64_t *row = a->w + (long)i * a->n_out;
        char num[80];
        int width = 6;
        for (int j = 0; j < a->n_out; j++) width += (int)strlen(aedl_fixed_decimal(row[j], ew, num, sizeof num)) + 2;
        if (width <= 90) {     /* the row on one line */
            fprintf(o, "    {");
            put_values(o, row, a->n_out, ew, "");
            fprintf(o, "}%s  // x[%d]\n", i + 1 < a->n_in ? "," : "", i);
            continue;
        }
        fprintf(o, "    {  // x[%d]\n", i);
        put_values(o, row, a->n_out, ew, "        ");
        fprintf(o, "\n    }%s\n", i + 1 < a->n_in ? "," : "");
    }
    fprintf(o, "};\n");
    if (a->has_b) {
        fprintf(o, "\nstatic const %s %s_b[%d] = {\n", bt, n->name, a->n_out);
        put_values(o, a->b, a->n_out, eb, "    ");
        fprintf(o, "\n};\n");
    }
}
static void config_dense(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o) {
    (void)n;
    long total = (long)a->n_in * a->n_out, nz = 0, sh = 0;
    for (long k = 0; k < total; k++) if (a->w[k]) { nz++; sh += hls_pow2(a->w[k]) >= 0; }
    fprintf(o, "    static const unsigned strategy = nnet::%s;\n",
            h->t->strategy == STRATEGY_RESOURCE ? "resource" : "latency");
    fprintf(o, "    static const unsigned reuse_factor = %d;\n", h->t->reuse_factor);
    fprintf(o, "    static const unsigned n_zeros = %ld;      // pruned or rounded to zero\n", total - nz);
    fprintf(o, "    static const unsigned n_nonzeros = %ld;\n", nz);
    fprintf(o, "    static const unsigned n_shifts = %ld;     // non-zero weights +-2^k: shifts\n", sh);
    fprintf(o, "    static const unsigned n_multipliers = %ld;\n", nz - sh);
}
static void call_dense(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in, const HlsNode *hn,
                       const char *cfg) {
    (void)h;
    fprintf(o, "    nnet::dense<%s, %s, %s>(%s, %s, %s_w", in->type, hn->type, cfg, in->arr, hn->arr, n->name);
    if (a->has_b) fprintf(o, ", %s_b", n->name);
    fprintf(o, ");\n");
}
const HlsKind hls_dense = {"weight", "bias", why_weight_dense, false, why_bias_dense, weights_dense, config_dense, call_dense};

/* batchnorm: scale and shift */
static bool why_weight_batchnorm(const IrNode *n, char *why, int len) {
    (void)n;
    snprintf(why, (size_t)len, "scale = gamma / sqrt(var + eps), the batchnorm parameter type");
    return true;
}
static bool why_bias_batchnorm(const IrNode *n, char *why, int len) {
    (void)n;
    snprintf(why, (size_t)len, "shift = beta - mean * scale, the batchnorm parameter type");
    return true;
}
static void weights_batchnorm(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, HlsSlots sl) {
    const char *wt = sl.wt, *bt = sl.bt, *up = sl.up;
    int ew = sl.ew, eb = sl.eb;
    fprintf(o, "// Inference: y = x * scale + shift, scale = gamma / sqrt(moving_variance + epsilon),\n"
               "// shift = beta - moving_mean * scale, quantized to %s and %s (exact values).%s\n",
            wt, bt, h->zero_weights ? "\n// No trained weights were given: gamma 1, beta 0, mean 0, variance 1." : "");
    fprintf(o, "#ifndef WEIGHTS_%s_H_\n#define WEIGHTS_%s_H_\n\n", up, up);
    fprintf(o, "static const %s %s_scale[%d] = {\n", wt, n->name, a->n_out);
    put_values(o, a->w, a->n_out, ew, "    ");
    fprintf(o, "\n};\n\nstatic const %s %s_shift[%d] = {\n", bt, n->name, a->n_out);
    put_values(o, a->b, a->n_out, eb, "    ");
    fprintf(o, "\n};\n");
}
static void call_batchnorm(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in,
                           const HlsNode *hn, const char *cfg) {
    (void)h; (void)a;
    fprintf(o, "    nnet::batchnorm<%s, %s, %s>(%s, %s, %s_scale, %s_shift);\n", in->type, hn->type, cfg,
            in->arr, hn->arr, n->name, n->name);
}
const HlsKind hls_batchnorm = {"scale", "shift", why_weight_batchnorm, false, why_bias_batchnorm, weights_batchnorm,
                               config_none, call_batchnorm};

/* leaky_relu: alpha */
static bool why_weight_leaky_relu(const IrNode *n, char *why, int len) {
    snprintf(why, (size_t)len, "alpha = %g on the batchnorm parameter step%s", n->alpha,
             n->prec->alpha_exact ? " (exact)" : " (rounded, as in training)");
    return true;
}
static void weights_leaky_relu(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, HlsSlots sl) {
    (void)h;
    const char *wt = sl.wt, *up = sl.up;
    int ew = sl.ew;
    char num[80];
    fprintf(o, "// alpha = %g in %s%s.\n", n->alpha, wt, n->prec->alpha_exact ? " (exact)" : " (rounded to its step; training uses the same value)");
    fprintf(o, "#ifndef WEIGHTS_%s_H_\n#define WEIGHTS_%s_H_\n\n", up, up);
    fprintf(o, "static const %s %s_alpha = %s;\n", wt, n->name, aedl_fixed_decimal(a->w[0], ew, num, sizeof num));
}
static void call_leaky_relu(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in,
                            const HlsNode *hn, const char *cfg) {
    (void)h; (void)a;
    fprintf(o, "    nnet::leaky_relu<%s, %s, %s>(%s, %s, %s_alpha);\n", in->type, hn->type, cfg,
            in->arr, hn->arr, n->name);
}
const HlsKind hls_leaky_relu = {"alpha", "bias", why_weight_leaky_relu, true, NULL, weights_leaky_relu, config_none,
                                call_leaky_relu};

/* clip: the bounds */
static bool why_weight_clip(const IrNode *n, char *why, int len) {
    snprintf(why, (size_t)len, "lo = %g, hi = %g on the 2^-10 step, as in training", n->lo, n->hi);
    return true;
}
static void weights_clip(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, HlsSlots sl) {
    (void)h;
    const char *wt = sl.wt, *up = sl.up;
    int ew = sl.ew;
    char lo[80], hi[80];
    fprintf(o, "// clip(lo = %g, hi = %g): the bounds on the 2^-10 step (training uses the same values), in %s.\n",
            n->lo, n->hi, wt);
    fprintf(o, "#ifndef WEIGHTS_%s_H_\n#define WEIGHTS_%s_H_\n\n", up, up);
    fprintf(o, "static const %s %s_lo = %s;\nstatic const %s %s_hi = %s;\n", wt, n->name,
            aedl_fixed_decimal(a->w[0], ew, lo, sizeof lo), wt, n->name, aedl_fixed_decimal(a->w[1], ew, hi, sizeof hi));
}
static void call_clip(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in, const HlsNode *hn,
                      const char *cfg) {
    (void)h; (void)a;
    fprintf(o, "    nnet::clip<%s, %s, %s>(%s, %s, %s_lo, %s_hi);\n", in->type, hn->type, cfg,
            in->arr, hn->arr, n->name, n->name);
}
const HlsKind hls_clip = {"bounds", "bias", why_weight_clip, false, NULL, weights_clip, config_none, call_clip};

/* bound: tanh's table, each feature's k and mode */
static bool why_weight_bound(const IrNode *n, char *why, int len) {
    (void)n;
    snprintf(why, (size_t)len, "tanh's table, as the tanh layer's");
    return true;
}
static bool why_bias_bound(const IrNode *n, char *why, int len) {
    (void)n;
    snprintf(why, (size_t)len, "the factors k on the 2^-10 step, as in training");
    return true;
}
static void weights_bound(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, HlsSlots sl) {
    (void)h;
    int half = AEDL_ACT_TABLE / 2, sh = AEDL_ACT_SHIFT_TANH;
    fprintf(o, "// Per feature: mode 0 y = x, 1 y = max(x, 0), 2 y = k * tanh(x), tanh by a table of %d\n"
               "// entries (x reads entry floor(x * %d) + %d, clamped; entry i = tanh((i - %d) / %d) rounded\n"
               "// to %s) and k on the 2^-10 step in %s (exact values; training uses the same).\n",
            AEDL_ACT_TABLE, 1 << sh, half, half, 1 << sh, sl.wt, sl.bt);
    fprintf(o, "#ifndef WEIGHTS_%s_H_\n#define WEIGHTS_%s_H_\n\n", sl.up, sl.up);
    fprintf(o, "static const %s %s_table[%d] = {\n", sl.wt, n->name, AEDL_ACT_TABLE);
    put_values(o, a->w, AEDL_ACT_TABLE, sl.ew, "    ");
    fprintf(o, "\n};\n\nstatic const %s %s_k[%d] = {\n", sl.bt, n->name, a->n_out);
    put_values(o, a->b, a->n_out, sl.eb, "    ");
    fprintf(o, "\n};\n\nstatic const unsigned char %s_mode[%d] = {\n", n->name, a->n_out);
    put_values(o, a->w + AEDL_ACT_TABLE, a->n_out, 0, "    ");
    fprintf(o, "\n};\n");
}
static void config_bound(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o) {
    (void)h; (void)n; (void)a;
    fprintf(o, "    static const unsigned table_size = %d;\n    static const int table_shift = %d;    "
               "// entry floor(x * 2^table_shift) + table_size / 2\n", AEDL_ACT_TABLE, AEDL_ACT_SHIFT_TANH);
}
static void call_bound(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in, const HlsNode *hn,
                       const char *cfg) {
    (void)h; (void)a;
    fprintf(o, "    nnet::bound<%s, %s, %s>(%s, %s, %s_table, %s_k, %s_mode);\n", in->type, hn->type, cfg,
            in->arr, hn->arr, n->name, n->name, n->name);
}
const HlsKind hls_bound = {"table", "k", why_weight_bound, true, why_bias_bound, weights_bound, config_bound, call_bound};

/* sigmoid, tanh: the table */
static bool why_weight_table(const IrNode *n, char *why, int len) {
    (void)n;
    snprintf(why, (size_t)len, "the table's values: the result type");
    return true;
}
static void weights_table(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, HlsSlots sl) {
    (void)h;
    const char *wt = sl.wt, *up = sl.up;
    int ew = sl.ew;
    int sh = aedl_fw_table_shift(a->op), half = AEDL_ACT_TABLE / 2;
    fprintf(o, "// %s(x) by a table of %d entries over [%d, %d), as hls4ml does: x reads entry\n"
               "// floor(x * %d) + %d, clamped to [0, %d]; entry i = %s((i - %d) / %d) rounded to %s\n"
               "// (exact values).  Training's quantized inference reads the same table.\n",
            ir_op_name(n->op), AEDL_ACT_TABLE, -(half >> sh), half >> sh, 1 << sh, half, AEDL_ACT_TABLE - 1,
            ir_op_name(n->op), half, 1 << sh, wt);
    fprintf(o, "#ifndef WEIGHTS_%s_H_\n#define WEIGHTS_%s_H_\n\n", up, up);
    fprintf(o, "static const %s %s_table[%d] = {\n", wt, n->name, AEDL_ACT_TABLE);
    put_values(o, a->w, AEDL_ACT_TABLE, ew, "    ");
    fprintf(o, "\n};\n");
}
static void config_table(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o) {
    (void)h; (void)n;
    fprintf(o, "    static const unsigned table_size = %d;\n    static const int table_shift = %d;    "
               "// entry floor(x * 2^table_shift) + table_size / 2\n", AEDL_ACT_TABLE, aedl_fw_table_shift(a->op));
}
static void call_table(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in, const HlsNode *hn,
                       const char *cfg) {
    (void)h; (void)a;
    fprintf(o, "    nnet::%s<%s, %s, %s>(%s, %s, %s_table);\n", ir_op_name(n->op), in->type, hn->type, cfg,
            in->arr, hn->arr, n->name);
}
const HlsKind hls_table = {"table", "bias", why_weight_table, false, NULL, weights_table, config_table, call_table};

/* Kinds without parameters: nnet::KIND<in, out, config>(x, y) (nnet_layers.h). */
static void call_plain(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in, const HlsNode *hn,
                       const char *cfg) {
    (void)h; (void)a;
    fprintf(o, "    nnet::%s<%s, %s, %s>(%s, %s);\n", ir_op_name(n->op), in->type, hn->type, cfg,
            in->arr, hn->arr);
}
const HlsKind hls_plain = {"weight", "bias", NULL, false, NULL, weights_none, config_none, call_plain};

/* add: the exact sum, one cast */
static void call_add(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in, const HlsNode *hn,
                     const char *cfg) {
    (void)a; (void)in;
    fprintf(o, "    for (int j = 0; j < %d; j++) {\n        #pragma HLS UNROLL\n", hn->size);
    fprintf(o, "        %s::accum_t v = ", cfg);
    for (int k = 0; k < n->ninputs; k++)
        fprintf(o, "%s%s[j]", k ? " + " : "", h->N[n->inputs[k]->id].arr);
    fprintf(o, ";  // exact sum, one cast\n        %s[j] = %s::quant_t(v);\n    }\n", hn->arr, cfg);
}
const HlsKind hls_add = {"weight", "bias", NULL, false, NULL, weights_none, config_none, call_add};

/* concat: the inputs one after another */
static void call_concat(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in,
                        const HlsNode *hn, const char *cfg) {
    (void)a; (void)in; (void)cfg;
    int off = 0;
    char idx[32];
    for (int k = 0; k < n->ninputs; k++) {
        const HlsNode *s = &h->N[n->inputs[k]->id];
        if (off) snprintf(idx, sizeof idx, "j + %d", off);
        else snprintf(idx, sizeof idx, "j");
        fprintf(o, "    for (int j = 0; j < %d; j++) {\n        #pragma HLS UNROLL\n"
                   "        %s[%s] = %s[j];\n    }\n", s->size, hn->arr, idx, s->arr);
        off += s->size;
    }
}
const HlsKind hls_concat = {"weight", "bias", NULL, false, NULL, weights_none, config_none, call_concat};

/* dropout: the identity in inference, no plan layer, nothing in the project. */
static void call_none(Hls *h, const IrNode *n, const aedl_fw_layer *a, FILE *o, const HlsNode *in, const HlsNode *hn,
                      const char *cfg) {
    (void)h; (void)n; (void)a; (void)o; (void)in; (void)hn; (void)cfg;
}
const HlsKind hls_train_only = {"weight", "bias", NULL, false, NULL, weights_none, config_none, call_none};

/* The input: the top function's x, no layer. */
const HlsKind hls_input = {"weight", "bias", NULL, false, NULL, weights_none, config_none, call_none};

/* ---- parameters.h ----------------------------------------------------------------------------------- */

static void write_parameters(Hls *h) {
    const IrModel *m = h->m;
    FILE *o = hls_open(h, "firmware/parameters.h");
    fprintf(o, "// parameters.h -- one configuration per layer of %s (generated by aedlc from %s):\n"
               "// sizes, strategy, reuse factor and the types each layer uses (defines.h).\n",
            h->name, h->src_file);
    fprintf(o, "#ifndef PARAMETERS_H_\n#define PARAMETERS_H_\n\n#include \"defines.h\"\n#include \"nnet/nnet_layers.h\"\n#include \"nnet/nnet_dense.h\"\n\n");
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const aedl_fw_layer *a = hls_layer(h, n);
        if (a && a->has_w) fprintf(o, "#include \"weights/%s.h\"\n", n->name);
    }
    char t[160];
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const aedl_fw_layer *a = hls_layer(h, n);
        if (!a) continue;
        fputc('\n', o);
        put_layer_head(o, n, "");
        fprintf(o, "struct config_%s {\n", n->name);
        fprintf(o, "    static const unsigned n_in = %d;\n    static const unsigned n_out = %d;\n", a->n_in, a->n_out);
        kind_of(n->op)->hls->config(h, n, a, o);
        if (a->has_w) { hls_tname(n, hls_wslot(n), t, sizeof t); fprintf(o, "    typedef %s %s_t;\n", t, hls_wslot(n)); }
        if (a->has_b) { hls_tname(n, hls_bslot(n), t, sizeof t); fprintf(o, "    typedef %s %s_t;\n", t, hls_bslot(n)); }
        bool acc = n->prec->t.has_accum;
        hls_tname(n, acc ? "accum" : "result", t, sizeof t);
        fprintf(o, "    typedef %s accum_t;%s\n", t, acc ? "" : "  // computed in the result type");
        if (a->has_quant) { hls_tname(n, "quant", t, sizeof t); fprintf(o, "    typedef %s quant_t;\n", t); }
        else fprintf(o, "    typedef accum_t quant_t;  // no quantizer\n");
        hls_tname(n, "result", t, sizeof t);
        fprintf(o, "    typedef %s result_t;\n};\n", t);
    }
    fprintf(o, "\n#endif\n");
    hls_close(h);
}

/* ---- firmware/MODEL.cpp ------------------------------------------------------------------------------ */

/* The type of the score's second input, the model's input (the hardware inputs' layer's
   result when the firmware takes them). */
static aedl_fixed hls_score_input_t(const Hls *h, const aedl_fw_layer *sc) {
    return sc->inputs[1] < 0 ? h->plan->in_t : h->plan->layers[sc->inputs[1]].res_t;
}

static void put_array(FILE *o, const HlsNode *hn) {
    if (!strcmp(hn->arr, "y")) return;
    fprintf(o, "    %s %s[%d];\n    #pragma HLS ARRAY_PARTITION variable=%s complete dim=0\n",
            hn->type, hn->arr, hn->size, hn->arr);
}

static void write_top(Hls *h) {
    const IrModel *m = h->m;
    FILE *o = hls_open(h, "firmware/%s.cpp", h->name);
    fprintf(o, "// %s.cpp -- the top function of model %s (%s), generated by aedlc.\n"
               "// One block per layer of the .aedl file, in its order.  Types: defines.h;\n"
               "// layer configurations: parameters.h; weights: weights/; kernels: nnet/.\n",
            h->name, h->name, h->src_file);
    fprintf(o, "#include \"%s.h\"\n#include \"parameters.h\"\n", h->name);
    fprintf(o, "\nvoid %s(input_t x[N_INPUT], result_t y[N_OUTPUT]) {\n", h->name);
    fprintf(o, "    #pragma HLS ARRAY_RESHAPE variable=x complete dim=0\n"
               "    #pragma HLS ARRAY_PARTITION variable=y complete dim=0\n"
               "    #pragma HLS INTERFACE ap_vld port=x,y\n"
               "    #pragma HLS PIPELINE II=%d\n", h->t->reuse_factor);
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const HlsNode *hn = &h->N[n->id];
        fputc('\n', o);
        put_layer_head(o, n, "    ");
        if (n->op == OP_INPUT) {
            const aedl_fw_layer *hw = hls_hw_input(h);
            if (!hw) { fprintf(o, "    // the top function's x[N_INPUT]\n"); continue; }
            char k[80], c[80];
            fprintf(o, "    // the top function's x[N_INPUT], the hardware inputs, scaled as in training\n"
                       "    // (defines.h: x * k + c exact, then model_input_t)\n");
            put_array(o, hn);
            for (int j = 0; j < hw->n_out; j++)
                fprintf(o, "    %s[%d] = (hw_accum_t)((hw_in_%d_t)x[%d] * (hw_k_t)%s + (hw_c_t)%s);\n", hn->arr, j, j, j,
                        aedl_fixed_decimal(hw->w[j], aedl_fw_exp(hw->w_t), k, sizeof k),
                        aedl_fixed_decimal(hw->b[j], aedl_fw_exp(hw->b_t), c, sizeof c));
            continue;
        }
        const aedl_fw_layer *a = hls_layer(h, n);
        if (!a && hn->unused) {
            fprintf(o, "    // not in the firmware: the score needs only the layers the means depend on\n");
            continue;
        }
        if (!a) {
            fprintf(o, "    // %s: its output is %s\n",
                    n->op == OP_DROPOUT ? "dropout, the identity in inference"
                    : n->op == OP_SAMPLE ? "sample, its mean in inference" : "folded into the dense layer before",
                    hn->arr);
            continue;
        }
        const HlsNode *in = &h->N[n->inputs[0]->id];
        put_array(o, hn);
        char cfg[160];
        snprintf(cfg, sizeof cfg, "config_%s", n->name);
        kind_of(n->op)->hls->call(h, n, a, o, in, hn, cfg);
    }
    const aedl_fw_layer *sc = hls_score(h);
    if (sc && sc->op == FW_MU2) {
        const IrNode *mu = NULL;
        for (int i = 0; i < m->nnodes; i++)
            if (h->N[m->nodes[i]->id].pl == sc->inputs[0]) mu = m->nodes[i];
        fprintf(o, "\n    // the anomaly score (output = score, score = mu2): the sum of the squared means\n");
        fprintf(o, "    score_t score_sum = 0;\n");
        fprintf(o, "    for (int j = 0; j < %d; j++) {\n        #pragma HLS UNROLL\n"
                   "        score_square_t s = %s[j] * %s[j];\n        score_sum += s;\n    }\n",
                sc->n_in, h->N[mu->id].arr, h->N[mu->id].arr);
        fprintf(o, "    y[0] = score_sum;\n}\n");
        hls_close(h);
    } else if (sc) {
        bool masked = sc->op == FW_MASKED_SCORE, pad = masked && sc->has_w;
        const HlsNode *xn = NULL;   /* the model's input */
        for (int i = 0; i < m->nnodes; i++) if (m->nodes[i]->op == OP_INPUT) xn = &h->N[m->nodes[i]->id];
        const char *xa = xn ? xn->arr : "x";
        fprintf(o, "\n    // the anomaly score (output = score): sum of (reconstruction - input)^2%s\n",
                pad ? " over the\n    // features whose input is not the padding, and their count"
                    : masked ? " over the\n    // features whose input is not 0, and their count" : "");
        if (pad) {
            fprintf(o, "    // score_pad[j]: what %s[j] holds for a raw 0 of feature j (an absent object's\n"
                       "    // padding, which the training's masked_mse skips) after the data block's\n"
                       "    // preprocessing (scaler.h5) and the cast to %s\n", xa, xn ? xn->type : "input_t");
            fprintf(o, "    static const %s score_pad[N_INPUT] = {\n", xn ? xn->type : "input_t");
            put_values(o, sc->w, sc->n_in, aedl_fw_exp(hls_score_input_t(h, sc)), "        ");
            fprintf(o, "\n    };\n");
        }
        fprintf(o, "    score_t score_sum = 0;\n");
        if (masked) fprintf(o, "    score_count_t score_count = 0;\n");
        fprintf(o, "    for (int j = 0; j < N_INPUT; j++) {\n        #pragma HLS UNROLL\n"
                   "        score_diff_t d = %s[j] - %s[j];\n", h->N[m->outputs[0]->id].arr, xa);
        if (masked)
            fprintf(o, "        if (%s[j] != %s) {\n            score_sum += d * d;\n"
                       "            score_count = score_count + 1;\n        }\n", xa, pad ? "score_pad[j]" : "0");
        else fprintf(o, "        score_sum += d * d;\n");
        fprintf(o, "    }\n    y[0] = score_sum;\n");
        if (masked) fprintf(o, "    y[1] = score_count;\n");
        fprintf(o, "}\n");
        hls_close(h);
    }
    /* outputs that are not written in place */
    int col = 0;
    for (int k = 0; !sc && k < m->noutputs; k++) {
        const HlsNode *s = &h->N[m->outputs[k]->id];
        if (strcmp(s->arr, "y") != 0) {
            if (!col) fprintf(o, "\n    // the output\n");
            fprintf(o, "    for (int j = 0; j < %d; j++) {\n        #pragma HLS UNROLL\n"
                       "        y[%d + j] = %s[j];\n    }\n", s->size, col, s->arr);
        }
        col += s->size;
    }
    if (!sc) {
        fprintf(o, "}\n");
        hls_close(h);
    }

    o = hls_open(h, "firmware/%s.h", h->name);
    char up[200];
    snprintf(up, sizeof up, "%s_H_", h->name);
    for (char *c = up; *c; c++) if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
    fprintf(o, "// %s.h -- the top function of model %s (generated by aedlc from %s).\n", h->name, h->name, h->src_file);
    fprintf(o, "#ifndef %s\n#define %s\n\n#include \"defines.h\"\n\n", up, up);
    fprintf(o, "// One event: x, the %d inputs (input_t), to y, the %d outputs (result_t).\n"
               "// Fully pipelined (II = %d): a new event every %d clock cycle%s.\n",
            h->d_in, h->d_out, h->t->reuse_factor, h->t->reuse_factor, h->t->reuse_factor == 1 ? "" : "s");
    fprintf(o, "void %s(input_t x[N_INPUT], result_t y[N_OUTPUT]);\n\n#endif\n", h->name);
    hls_close(h);
}

/* ---- nnet/nnet_layers.h: the element-wise kernels ------------------------------------------------------ */

static const char nnet_layers_h[] =
"// nnet_layers.h -- the element-wise layers of aedlc's firmware projects.\n"
"//\n"
"// Each kernel computes, per element, exactly what aedlc's firmware emulator\n"
"// does (compiler/prec/precision.h): v = the layer's value in CONFIG_T::accum_t,\n"
"// then y = (result)(quant_t)v.  Products and sums of ap_fixed values are\n"
"// exact; only the assignments round and saturate, as their types say.\n"
"#ifndef NNET_LAYERS_H_\n"
"#define NNET_LAYERS_H_\n"
"\n"
"#include <cmath>\n"
"#include \"ap_fixed.h\"\n"
"\n"
"namespace nnet {\n"
"\n"
"enum strategy { latency, resource };\n"
"\n"
"// x * 2^K exactly: K more integer bits first, then the shift moves the mantissa.\n"
"template <int K, int W, int I, ap_q_mode Q, ap_o_mode O, int N>\n"
"inline ap_fixed<W + K, I + K> shl(const ap_fixed<W, I, Q, O, N> &x) {\n"
"    #pragma HLS INLINE\n"
"    ap_fixed<W + K, I + K> r = x;\n"
"    return r << K;\n"
"}\n"
"template <int K, int W, int I, ap_q_mode Q, ap_o_mode O, int N>\n"
"inline ap_ufixed<W + K, I + K> shl(const ap_ufixed<W, I, Q, O, N> &x) {\n"
"    #pragma HLS INLINE\n"
"    ap_ufixed<W + K, I + K> r = x;\n"
"    return r << K;\n"
"}\n"
"\n"
"// y = x * scale + shift (inference batchnorm), one cast of the exact value.\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void batchnorm(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
"               const typename CONFIG_T::scale_t scale[CONFIG_T::n_in],\n"
"               const typename CONFIG_T::shift_t shift[CONFIG_T::n_in]) {\n"
"    #pragma HLS INLINE\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {\n"
"        #pragma HLS UNROLL\n"
"        typename CONFIG_T::accum_t v = x[j] * scale[j] + shift[j];\n"
"        y[j] = typename CONFIG_T::quant_t(v);\n"
"    }\n"
"}\n"
"\n"
"// y = max(x, 0).\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void relu(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out]) {\n"
"    #pragma HLS INLINE\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {\n"
"        #pragma HLS UNROLL\n"
"        typename CONFIG_T::accum_t v = 0;\n"
"        if (x[j] > 0) v = x[j];\n"
"        y[j] = typename CONFIG_T::quant_t(v);\n"
"    }\n"
"}\n"
"\n"
"// y = x >= 0 ? x : alpha * x.\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void leaky_relu(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
"                const typename CONFIG_T::alpha_t alpha) {\n"
"    #pragma HLS INLINE\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {\n"
"        #pragma HLS UNROLL\n"
"        typename CONFIG_T::accum_t v;\n"
"        if (x[j] >= 0) v = x[j];\n"
"        else v = x[j] * alpha;\n"
"        y[j] = typename CONFIG_T::quant_t(v);\n"
"    }\n"
"}\n"
"\n"
"// y = min(max(x, lo), hi): accum_t holds every value of the result exactly.\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void clip(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
"          const typename CONFIG_T::bounds_t lo, const typename CONFIG_T::bounds_t hi) {\n"
"    #pragma HLS INLINE\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {\n"
"        #pragma HLS UNROLL\n"
"        typename CONFIG_T::accum_t v = x[j];\n"
"        if (x[j] < lo) v = lo;\n"
"        if (x[j] > hi) v = hi;\n"
"        y[j] = typename CONFIG_T::quant_t(v);\n"
"    }\n"
"}\n"
"\n"
"// y = |x|: accum_t holds every value of the result exactly (|-2^(I-1)| = 2^(I-1)).\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void abs(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out]) {\n"
"    #pragma HLS INLINE\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {\n"
"        #pragma HLS UNROLL\n"
"        typename CONFIG_T::accum_t v;\n"
"        if (x[j] < 0) v = -x[j];\n"
"        else v = x[j];\n"
"        y[j] = typename CONFIG_T::quant_t(v);\n"
"    }\n"
"}\n"
"\n"
"// y = x, through the layer's quantizer.\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void linear(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out]) {\n"
"    #pragma HLS INLINE\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {\n"
"        #pragma HLS UNROLL\n"
"        typename CONFIG_T::accum_t v = x[j];\n"
"        y[j] = typename CONFIG_T::quant_t(v);\n"
"    }\n"
"}\n"
"\n"
"// sigmoid and tanh: a table (weights/LAYER.h), as hls4ml's.  The index is\n"
"// floor(x * 2^table_shift): K more integer bits make the shift exact, the cast to\n"
"// an integer type rounds toward -inf (AP_TRN) and saturates; then it is clamped to\n"
"// the table.  Exact: the same entry as the emulator and the training program read.\n"
"template <class data_T, typename CONFIG_T>\n"
"int table_index(const data_T &x) {\n"
"    #pragma HLS INLINE\n"
"    ap_fixed<16, 16, AP_TRN, AP_SAT> i = nnet::shl<CONFIG_T::table_shift>(x);\n"
"    int k = i.to_int() + (int)CONFIG_T::table_size / 2;\n"
"    if (k < 0) k = 0;\n"
"    if (k > (int)CONFIG_T::table_size - 1) k = (int)CONFIG_T::table_size - 1;\n"
"    return k;\n"
"}\n"
"\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void table_lookup(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
"                  const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {\n"
"    #pragma HLS INLINE\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {\n"
"        #pragma HLS UNROLL\n"
"        y[j] = table[table_index<data_T, CONFIG_T>(x[j])];\n"
"    }\n"
"}\n"
"\n"
"// sigmoid and tanh differ only in their tables.\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void sigmoid(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
"             const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {\n"
"    #pragma HLS INLINE\n"
"    table_lookup<data_T, res_T, CONFIG_T>(x, y, table);\n"
"}\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void tanh(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
"          const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {\n"
"    #pragma HLS INLINE\n"
"    table_lookup<data_T, res_T, CONFIG_T>(x, y, table);\n"
"}\n"
"\n"
"// bound: per feature y = x (mode 0), max(x, 0) (1) or k * tanh(x) (2), tanh by\n"
"// its table: accum_t holds every value exactly (the product of k and an entry too).\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void bound(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
"           const typename CONFIG_T::table_t table[CONFIG_T::table_size],\n"
"           const typename CONFIG_T::k_t k[CONFIG_T::n_out], const unsigned char mode[CONFIG_T::n_out]) {\n"
"    #pragma HLS INLINE\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++) {\n"
"        #pragma HLS UNROLL\n"
"        typename CONFIG_T::accum_t v;\n"
"        if (mode[j] == 2) v = k[j] * table[table_index<data_T, CONFIG_T>(x[j])];\n"
"        else if (mode[j] == 1 && x[j] < 0) v = 0;\n"
"        else v = x[j];\n"
"        y[j] = typename CONFIG_T::quant_t(v);\n"
"    }\n"
"}\n"
"\n"
"// softmax is computed in double and rounded to res_T, as the emulator does: C\n"
"// simulation is exact, synthesis uses the HLS math library (costly; not\n"
"// guaranteed to equal the quantized model).\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void softmax(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out]) {\n"
"    double mx = -HUGE_VAL, sum = 0;\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++)\n"
"        if (x[j].to_double() > mx) mx = x[j].to_double();\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++) sum += std::exp(x[j].to_double() - mx);\n"
"    for (unsigned j = 0; j < CONFIG_T::n_in; j++) y[j] = res_T(std::exp(x[j].to_double() - mx) / sum);\n"
"}\n"
"\n"
"} // namespace nnet\n"
"\n"
"#endif\n";

/* ---- nnet/nnet_dense.h: the dense kernel ----------------------------------------------------------- */

static const char nnet_dense_h[] =
"// nnet_dense.h -- the dense layer of aedlc's firmware projects, as hls4ml's nnet::dense.\n"
"//\n"
"// y[j] = quant_t(b[j] + x[0] * w[0][j] + x[1] * w[1][j] + ...): each product\n"
"// exact, each addition exact and cast to CONFIG_T::accum_t, in input order,\n"
"// exactly as aedlc's firmware emulator computes it.\n"
"//\n"
"// w and b are the arrays of weights/LAYER.h, passed by the top function: the\n"
"// kernel reads them, so a value edited there changes the design.  In the\n"
"// latency strategy the loops are unrolled over constant arrays, so the tool\n"
"// decides every `w[i][j] != 0` when it compiles: a zero weight (pruned or\n"
"// rounded to zero) makes no multiplier and no adder, and a weight +-2^k is a\n"
"// multiplication by a constant power of two, which it builds as wiring.\n"
"#ifndef NNET_DENSE_H_\n"
"#define NNET_DENSE_H_\n"
"\n"
"#include \"ap_fixed.h\"\n"
"#include \"nnet_layers.h\"\n"
"\n"
"namespace nnet {\n"
"\n"
"// acc[j] += x[i] * w[i][j] for every non-zero weight: all products at once.\n"
"template <class data_T, typename CONFIG_T>\n"
"void dense_latency(const data_T x[CONFIG_T::n_in], typename CONFIG_T::accum_t acc[CONFIG_T::n_out],\n"
"                   const typename CONFIG_T::weight_t w[CONFIG_T::n_in][CONFIG_T::n_out]) {\n"
"    #pragma HLS INLINE\n"
"    #pragma HLS ARRAY_PARTITION variable=w complete dim=0\n"
"    for (unsigned i = 0; i < CONFIG_T::n_in; i++) {\n"
"        #pragma HLS UNROLL\n"
"        for (unsigned j = 0; j < CONFIG_T::n_out; j++) {\n"
"            #pragma HLS UNROLL\n"
"            if (w[i][j] != 0) acc[j] += x[i] * w[i][j];\n"
"        }\n"
"    }\n"
"}\n"
"\n"
"// acc[j] += x[i] * w[i][j] for every weight, in reuse_factor passes of\n"
"// n_in * n_out / reuse_factor products, one pass per clock cycle (each multiplier\n"
"// used reuse_factor times); a neuron's products still come in input order.\n"
"template <class data_T, typename CONFIG_T>\n"
"void dense_resource(const data_T x[CONFIG_T::n_in], typename CONFIG_T::accum_t acc[CONFIG_T::n_out],\n"
"                    const typename CONFIG_T::weight_t w[CONFIG_T::n_in][CONFIG_T::n_out]) {\n"
"    #pragma HLS INLINE\n"
"    const unsigned block = CONFIG_T::n_in * CONFIG_T::n_out / CONFIG_T::reuse_factor;\n"
"    for (unsigned r = 0; r < CONFIG_T::reuse_factor; r++) {\n"
"        #pragma HLS PIPELINE II=1\n"
"        for (unsigned k = r * block; k < (r + 1) * block; k++) {\n"
"            #pragma HLS UNROLL\n"
"            acc[k % CONFIG_T::n_out] += x[k / CONFIG_T::n_out] * w[k / CONFIG_T::n_out][k % CONFIG_T::n_out];\n"
"        }\n"
"    }\n"
"}\n"
"\n"
"// From acc[j] = the bias (or 0): the sums, then y[j] = quant_t(acc[j]).\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void dense_sums(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
"                typename CONFIG_T::accum_t acc[CONFIG_T::n_out],\n"
"                const typename CONFIG_T::weight_t w[CONFIG_T::n_in][CONFIG_T::n_out]) {\n"
"    #pragma HLS INLINE\n"
"    if (CONFIG_T::strategy == nnet::latency) dense_latency<data_T, CONFIG_T>(x, acc, w);\n"
"    else dense_resource<data_T, CONFIG_T>(x, acc, w);\n"
"    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {\n"
"        #pragma HLS UNROLL\n"
"        y[j] = typename CONFIG_T::quant_t(acc[j]);\n"
"    }\n"
"}\n"
"\n"
"// y = quant_t(b + x w).\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void dense(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
"           const typename CONFIG_T::weight_t w[CONFIG_T::n_in][CONFIG_T::n_out],\n"
"           const typename CONFIG_T::bias_t b[CONFIG_T::n_out]) {\n"
"    #pragma HLS INLINE\n"
"    #pragma HLS ARRAY_PARTITION variable=b complete\n"
"    typename CONFIG_T::accum_t acc[CONFIG_T::n_out];\n"
"    #pragma HLS ARRAY_PARTITION variable=acc complete\n"
"    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {\n"
"        #pragma HLS UNROLL\n"
"        acc[j] = b[j];\n"
"    }\n"
"    dense_sums<data_T, res_T, CONFIG_T>(x, y, acc, w);\n"
"}\n"
"\n"
"// y = quant_t(x w), a dense layer without bias (use_bias=false).\n"
"template <class data_T, class res_T, typename CONFIG_T>\n"
"void dense(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
"           const typename CONFIG_T::weight_t w[CONFIG_T::n_in][CONFIG_T::n_out]) {\n"
"    #pragma HLS INLINE\n"
"    typename CONFIG_T::accum_t acc[CONFIG_T::n_out];\n"
"    #pragma HLS ARRAY_PARTITION variable=acc complete\n"
"    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {\n"
"        #pragma HLS UNROLL\n"
"        acc[j] = 0;\n"
"    }\n"
"    dense_sums<data_T, res_T, CONFIG_T>(x, y, acc, w);\n"
"}\n"
"\n"
"} // namespace nnet\n"
"\n"
"#endif\n";

/* ---- the testbench ----------------------------------------------------------------------------------- */

void hls_write_testbench(Hls *h) {
    FILE *o = hls_open(h, "%s_test.cpp", h->name);
    fprintf(o,
"// %s_test.cpp -- C simulation testbench of %s (generated by aedlc).\n"
"//\n"
"// Reads tb_data/tb_input_features.dat (one event per line, %d numbers) and\n"
"// tb_data/tb_output_predictions.dat (the expected %d outputs per event: exact\n"
"// values of result_t, computed by aedlc's firmware emulator), runs the top\n"
"// function on every event, writes the outputs to tb_data/csim_results.log and\n"
"// prints how many events matched bit for bit.  Exit status 0 when all did.\n"
"#include <cstdio>\n"
"#include <cstdlib>\n"
"#include <fstream>\n"
"#include <iostream>\n"
"#include <string>\n"
"\n"
"#include \"firmware/%s.h\"\n"
"\n"
"// The numbers of one line into v[0..n); returns how many there were, or -1 at\n"
"// the end of the file.\n"
"static int read_line(std::ifstream &f, double *v, int n) {\n"
"    std::string line;\n"
"    if (!std::getline(f, line)) return -1;\n"
"    const char *p = line.c_str();\n"
"    int k = 0;\n"
"    for (;;) {\n"
"        char *end;\n"
"        double d = std::strtod(p, &end);\n"
"        if (end == p) break;\n"
"        if (k < n) v[k] = d;\n"
"        k++;\n"
"        p = end;\n"
"    }\n"
"    return k;\n"
"}\n"
"\n"
"int main() {\n"
"    std::ifstream fin(\"tb_data/tb_input_features.dat\");\n"
"    std::ifstream fpr(\"tb_data/tb_output_predictions.dat\");\n"
"    std::ofstream fout(\"tb_data/csim_results.log\");\n"
"    if (!fin.is_open() || !fpr.is_open()) {\n"
"        std::cerr << \"%s_test: cannot open tb_data/tb_input_features.dat or tb_output_predictions.dat\\n\";\n"
"        return 1;\n"
"    }\n"
"    static double in[N_INPUT], want[N_OUTPUT];\n"
"    long events = 0, matched = 0;\n"
"    int k;\n"
"    while ((k = read_line(fin, in, N_INPUT)) >= 0) {\n"
"        if (k == 0) continue;\n"
"        if (k != N_INPUT) {\n"
"            std::cerr << \"%s_test: event \" << events << \": \" << k << \" inputs, expected \" << N_INPUT << \"\\n\";\n"
"            return 1;\n"
"        }\n"
"        if (read_line(fpr, want, N_OUTPUT) != N_OUTPUT) {\n"
"            std::cerr << \"%s_test: event \" << events << \": no line of \" << N_OUTPUT << \" expected outputs\\n\";\n"
"            return 1;\n"
"        }\n"
"        input_t x[N_INPUT];\n"
"        result_t y[N_OUTPUT];\n"
"        for (int i = 0; i < N_INPUT; i++) x[i] = in[i];\n"
"        %s(x, y);\n"
"        bool same = true;\n"
"        char num[64];\n"
"        for (int j = 0; j < N_OUTPUT; j++) {\n"
"            double got = y[j].to_double();\n"
"            std::snprintf(num, sizeof num, \"%%s%%.17g\", j ? \" \" : \"\", got);\n"
"            fout << num;\n"
"            if (got != want[j]) {\n"
"                if (same && events - matched < 5)\n"
"                    std::printf(\"event %%ld: output %%d is %%.17g, expected %%.17g\\n\", events, j, got, want[j]);\n"
"                same = false;\n"
"            }\n"
"        }\n"
"        fout << \"\\n\";\n"
"        events++;\n"
"        matched += same;\n"
"    }\n"
"    std::printf(\"csim: %%ld of %%ld events matched bit for bit\\n\", matched, events);\n"
"    return events > 0 && matched == events ? 0 : 1;\n"
"}\n",
            h->name, h->name, h->d_in, h->d_out, h->name, h->name, h->name, h->name, h->name);
    hls_close(h);
}

/* ---- all of it --------------------------------------------------------------------------------------- */

void hls_write_firmware(Hls *h) {
    write_defines(h);
    write_parameters(h);
    for (int i = 0; i < h->m->nnodes; i++) {
        const IrNode *n = h->m->nodes[i];
        const aedl_fw_layer *a = hls_layer(h, n);
        if (!a) continue;
        if (a->has_w) write_weights(h, n, a);
    }
    write_top(h);
    FILE *o = hls_open(h, "firmware/nnet/nnet_layers.h");
    fputs(nnet_layers_h, o);
    hls_close(h);
    o = hls_open(h, "firmware/nnet/nnet_dense.h");
    fputs(nnet_dense_h, o);
    hls_close(h);
}
