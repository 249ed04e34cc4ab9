/* emu.h — the firmware emulator: integer arithmetic with exactly the semantics
 * of the HLS types aedlc chose.
 *
 * A plan is the list of the firmware's layers with their integer weights and
 * types.  aedlc builds it (compiler/prec/plan.c) and writes it as text
 * (aedl_fw_plan_write); the training executable reads it (aedl_fw_plan_read)
 * to compute the "firmware" column of its evaluation and the testbench's
 * expected outputs.
 *
 * Every value is an integer mantissa m of its type: value = m * 2^(I - W).
 * Each layer computes, per output element (see compiler/prec/precision.h):
 *
 *   dense      v_j = (acc)b_j + sum_i x_i * w_ij    (i in input order, w_ij != 0)
 *   batchnorm  v_j = (acc)(x_j * w_j + b_j)          (scale w, shift b)
 *   relu       v_j = max(x_j, 0)
 *   leaky_relu v_j = x_j >= 0 ? x_j : w_0 * x_j     (alpha w_0 in w_t)
 *   linear     v_j = x_j
 *   clip       v_j = min(max(x_j, w_0), w_1)         (bounds in w_t, the input's type)
 *   abs        v_j = |x_j|
 *   bound      v_j = x_j, max(x_j, 0) or k_j * T[x_j] by feature (w: tanh's table T
 *              in w_t, then the modes 0 none, 1 relu, 2 tanh; b: k_j in b_t)
 *   add        v_j = (acc)(x_j + y_j + ...)
 *   concat     the inputs one after another
 *   sigmoid, tanh, softmax   in double, then cast to res_t (not guaranteed)
 *   score      v_0 = sum_j (x_j - y_j)^2   (x the reconstruction, y the model's
 *              input; exact, n_in = the size of each, n_out = 1)
 *   masked_score v_0 = the same sum over the j with y_j != z_j
 *   count      v_0 = the number of j with x_j != z_j (n_in = the input's size)
 *              z_j: the padding, the quantized image of a raw 0 of feature j (what
 *              the preprocessing and the input cast make of it); w (n_in) holds
 *              z_j as mantissas of the compared input's type when has_w, else
 *              every z_j is 0
 *   hw_input   v_j = (H_j)x_j * k_j + c_j        (the hardware inputs' scaling: H_j the
 *              feature's hardware type, k_j in w_t, c_j in b_t; exact in acc_t)
 *
 * then out_j = (res_t)(q_t)v_j with has_quant, else (res_t)v_j; each cast
 * rounds and overflows as its type says (ap_fixed semantics).  The dense and
 * add accumulators follow HLS: "acc += product" casts after every addition;
 * when the accumulator's step divides every product's and it wraps (the
 * bit_exact and conservative cases), that equals one cast of the exact sum,
 * which is what the fast path computes.
 */
#ifndef AEDL_EMU_H
#define AEDL_EMU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "fixed.h"

/* The firmware's layer ops: X(ID, name in the plan file), in the plan file's
   numbering (append new ones). */
#define AEDL_FW_OPS(X)                                                            \
    X(DENSE, "dense") X(BATCHNORM, "batchnorm") X(RELU, "relu") X(LEAKY_RELU, "leaky_relu") \
    X(LINEAR, "linear") X(ADD, "add") X(CONCAT, "concat") X(SIGMOID, "sigmoid")  \
    X(TANH, "tanh") X(SOFTMAX, "softmax") X(CLIP, "clip") X(ABS, "abs") \
    X(BOUND, "bound") X(SCORE, "score") X(MASKED_SCORE, "masked_score") X(COUNT, "count") \
    X(HW_INPUT, "hw_input") X(MU2, "mu2")

typedef enum {
#define AEDL_FW_ENUM(id, name) FW_##id,
    AEDL_FW_OPS(AEDL_FW_ENUM)
#undef AEDL_FW_ENUM
} aedl_fw_op;

#define AEDL_FW_NAME 64
#define AEDL_FW_MAX_INPUTS 16

typedef struct {
    aedl_fw_op op;
    char name[AEDL_FW_NAME];            /* the layer's name in the .aedl file */
    int ninputs;
    int inputs[AEDL_FW_MAX_INPUTS];     /* producing layer indices; -1 = the model input */
    int n_in, n_out;                    /* dense: n_in -> n_out; concat: n_out = sum; others n_in = n_out */
    aedl_fixed w_t, b_t, acc_t, q_t, res_t;
    bool has_w, has_b, has_quant;
    bool guaranteed;                    /* exact by construction (false: float parts) */
    int64_t *w;                         /* dense (n_in, n_out) Keras layout; batchnorm (n); leaky (1); clip (2);
                                           bound (table + n); hw_input (k: n, then per feature
                                           its hardware type: W I signed rounding overflow);
                                           masked_score, count (the padding z: n_in) */
    int64_t *b;                         /* dense (n_out) or NULL; batchnorm (n) */
} aedl_fw_layer;

typedef struct aedl_fw_plan {
    char model[AEDL_FW_NAME];
    int d_in;                           /* model input size */
    aedl_fixed in_t;                    /* the input's type: float input is cast to it first */
    int nlayers;
    aedl_fw_layer *layers;              /* topological order */
    int noutputs;
    int outputs[AEDL_FW_MAX_INPUTS];    /* layer indices, concatenated into the output */
    int d_out;
    struct aedl_fw_exec *exec;          /* prepared form (aedl_fw_prepare); NULL until then */
} aedl_fw_plan;

/* Checks the plan (sizes, indices, widths) and prepares the fast form: per-neuron
   lists of non-zero weights, aligned shifts, buffers.  Returns 0, or -1 with a
   message in err (size errn).  aedl_fw_run prepares on first use. */
int aedl_fw_prepare(aedl_fw_plan *p, char *err, int errn);

/* in (n, d_in) float, cast to in_t first; out (n, d_out) the exact firmware
   values (every firmware value fits a double: widths <= 53 bits are checked
   by the precision pass; wider ones are rounded to double here only).
   threads <= 0: as many as the machine has (at most 16). */
void aedl_fw_run(aedl_fw_plan *p, const float *in, double *out, long n);
void aedl_fw_run_threads(aedl_fw_plan *p, const float *in, double *out, long n, int threads);
/* The same, output k (the layer p->outputs[k]) apart: its value j of event e at
   outs[k][e * ostride[k] + j]. */
void aedl_fw_run_split(aedl_fw_plan *p, const float *in, double *const *outs, const long *ostride, long n,
                       int threads);
/* The same with integer mantissas of the output layers' res_t (n, d_out). */
void aedl_fw_run_mantissa(aedl_fw_plan *p, const float *in, int64_t *out, long n);
/* Input already as mantissas of in_t (n, d_in) (testbenches, property tests). */
void aedl_fw_run_from_mantissa(aedl_fw_plan *p, const int64_t *in, double *out, long n);

/* The testbenches' input events (HLS and Verilog: tb_input_features.dat), as mantissas
   of in_t (nev, d_in), deterministic: event 0 all zero, 1 the maximum, 2 the minimum,
   then by turns the whole range and small values, with about half of the features of
   every fourth event padded (0, or a masked score's padding z_j).  The caller frees. */
int64_t *aedl_fw_test_inputs(const aedl_fw_plan *p, int nev);

/* Appends a layer to the plan's outputs (the emulation then gives its values too;
   aedlc predict reads the latent layer so).  0, or -1 (no such layer, too many outputs). */
int aedl_fw_add_output(aedl_fw_plan *p, int layer);

/* Text file form; write returns 0 or -1 (errno); read returns NULL and a
   message in err on a malformed file. */
int aedl_fw_plan_write(const aedl_fw_plan *p, const char *path);
int aedl_fw_plan_fprint(const aedl_fw_plan *p, FILE *f);
aedl_fw_plan *aedl_fw_plan_read(const char *path, char *err, int errn);
/* An empty plan with nlayers zeroed layers (then fill them in). */
aedl_fw_plan *aedl_fw_plan_new(int nlayers);
void aedl_fw_plan_free(aedl_fw_plan *p);

/* sigmoid / tanh layers: w holds the AEDL_ACT_TABLE entries (nn.h) as mantissas of
   res_t; aedl_fw_table fills them (the compiler's plan, the HLS project and the
   training program's quantized inference all use these). */
void aedl_fw_table(aedl_fw_op op, aedl_fixed res_t, int64_t *table);

/* hw_input: the scaling the firmware applies to its hardware inputs.  Feature j
   arrives in the hardware type hw[j] and the model takes y = x * k[j] + c[j]
   (k, c real: aedl_fw_hwin_consts).  Fills a (op, sizes, types, w, b) with
   the constants rounded to w_t (step 2^(e_in - I_hw - 1), I_hw the largest
   integer part of the hardware types, so that |k - k_q| |x| <= 2^(e_in - 2))
   and b_t (step 2^(e_in - 2)), acc_t the exact type of every x * k_q + c_q,
   res_t = in_t, the model input's type.  Returns 0, or -1 and a message. */
int aedl_fw_hwin_build(aedl_fw_layer *a, int n, const aedl_fixed *hw, aedl_fixed in_t, const double *k,
                       const double *c, char *err, int errn);
/* k and c of the standardisation y = ((x - offset) / divisor - mean) / std. */
void aedl_fw_hwin_consts(double mean, double std, double offset, double divisor, double *k, double *c);
/* The layer of a model input of n features: feature j declared in hw[j] (width 0:
   not declared: it arrives scaled, in in_t, and k = 1, c = 0), scaled by the
   fitted ((x - offset) / divisor - mean) / std (NULL arrays: the identity). */
int aedl_fw_hwin_from_scaling(aedl_fw_layer *a, int n, const aedl_fixed *hw, aedl_fixed in_t, const float *mean,
                              const float *std, const float *offset, const float *divisor, char *err, int errn);
/* The hardware type of feature j of a hw_input layer. */
aedl_fixed aedl_fw_hwin_type(const aedl_fw_layer *a, int j);
/* The type holding every hardware type exactly (the firmware's input array). */
aedl_fixed aedl_fw_hwin_container(int n, const aedl_fixed *hw);
/* Feature j of a hw_input layer on one value x (any double): the mantissa of
   res_t (the training program's input path; the emulator's arithmetic). */
int64_t aedl_fw_hwin_value(const aedl_fw_layer *a, int j, double x);

/* The number of values in w of a layer with has_w. */
long aedl_fw_weight_count(const aedl_fw_layer *a);
/* An element-wise op's value in floating point (the float model: observed
   ranges), with the layer's parameters as doubles (w: leaky_relu's alpha,
   clip's bounds); the identity for the others. */
double aedl_fw_float_value(aedl_fw_op op, const double *w, double x);
int aedl_fw_table_shift(aedl_fw_op op);

/* ap_fixed casts on mantissas, as the emulator does them.
   m has value m * 2^from_exp; returns the mantissa of (to)value. */
int64_t aedl_fw_cast(__int128 m, int from_exp, aedl_fixed to);
/* (to)x for a double x (rounding exactly, as ap_fixed's double constructor). */
int64_t aedl_fw_from_double(double x, aedl_fixed to);
/* Two paths compute the same values: a fast one (lib/emu_fast.c: every
   value an exact double, used when aedl_fw_prepare can prove that exactness
   from the plan's types and parameters) and the integer reference path (any
   plan).  aedl_fw_uses_fast says which one aedl_fw_run takes;
   aedl_fw_set_reference(p, true) makes it the reference path (tests). */
bool aedl_fw_uses_fast(aedl_fw_plan *p);
void aedl_fw_set_reference(aedl_fw_plan *p, bool reference);
/* The exponent of a type's step: I - W. */
static inline int aedl_fw_exp(aedl_fixed t) { return t.integer - t.width; }

#endif
