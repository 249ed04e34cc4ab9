/* emu_fast.c — the emulator's fast path: every value an exact double.
 *
 * A value of type <W, I> is m * 2^(I - W) for an integer mantissa m; with
 * |m| < 2^51 it is exactly a double, and so are the products and sums the
 * plan forms as long as their exact results stay below 2^51 units of their
 * step.  emu_fast_prepare proves that from the types and the integer
 * parameters, layer by layer, tracking for every output element a range
 * [lo, hi] and for the layer a step 2^e of which every value is a multiple;
 * then any order of summation gives the exact sum, and the emulator's
 * semantics (emu.h) are computed without a single rounding:
 *
 *   dense      exact sum, then the wrap into acc_t: the reference's modular
 *              path (other accumulators: the plan stays on the reference path)
 *   batchnorm, leaky_relu, add: the exact value, then the cast into acc_t
 *   every cast y = v * 2^-e (exact), rounded by mode with floor/trunc and
 *              comparisons of the exact remainder y - floor(y) (rnd_conv:
 *              nearbyint, IEEE's ties-to-even), overflow by mode with
 *              comparisons (wrap: y - 2^W floor((y - min) 2^-W)), then times
 *              2^e; a cast the ranges prove to be the identity is skipped.
 *
 * Events go through in blocks of EB, stored transposed ([row][event]) so that
 * every loop runs over events.  The dense kernels add one non-zero weight
 * times an input row at a time into accumulators held in registers (pruned
 * weights cost nothing, nor do the input rows that are zero in every event of the
 * block): 64 events in 8 x 8 floats when the layer's inputs,
 * weights and partial sums are below 2^24 units of their steps (exact in a
 * float too), else 32 events in 8 x 4 doubles.  Inputs and outputs are
 * transposed 4 x 4 in registers; the element-wise loops vectorize (AVX2 via
 * target_clones where GCC supports it).
 */
#include <fenv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "emu_fast.h"
#include "nn.h"
#include "util.h"

#define EB 64                    /* events per block: a multiple of TILE */
#define TILE 32                  /* events per register tile of the dense kernel */
#define LIM 0x1p51               /* every mantissa stays below this */

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define FAST_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define FAST_SIMD
#endif

typedef double v4d __attribute__((vector_size(32)));
typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
typedef int v8i __attribute__((vector_size(32)));          /* the bits of a v8f */
typedef long long v4l __attribute__((vector_size(32)));   /* comparison masks of v4d */

/* A 4 x 4 transpose of doubles: rows r0..r3 -> columns c0..c3. */
#define TRANSPOSE4(r0, r1, r2, r3, c0, c1, c2, c3) do {                                    \
        v4d t0_ = __builtin_shufflevector(r0, r1, 0, 4, 2, 6), t1_ = __builtin_shufflevector(r0, r1, 1, 5, 3, 7); \
        v4d t2_ = __builtin_shufflevector(r2, r3, 0, 4, 2, 6), t3_ = __builtin_shufflevector(r2, r3, 1, 5, 3, 7); \
        c0 = __builtin_shufflevector(t0_, t2_, 0, 1, 4, 5); c1 = __builtin_shufflevector(t1_, t3_, 0, 1, 4, 5);   \
        c2 = __builtin_shufflevector(t0_, t2_, 2, 3, 6, 7); c3 = __builtin_shufflevector(t1_, t3_, 2, 3, 6, 7);   \
    } while (0)
#define LIM32 0x1p24             /* float: integers below this are exact */

/* One cast into a type, prepared for the values that reach it. */
typedef struct {
    bool active;                 /* false: the ranges prove it the identity */
    bool round, ovf;             /* rounding needed (finer step), overflow possible */
    aedl_rounding rnd;
    aedl_overflow mode;
    double sc, isc;              /* 2^-e, 2^e of the target */
    double lo, hi;               /* the target's mantissa range as overflow sees it */
    double wmin, span, ispan;    /* wrap: the full W-bit minimum, 2^W, 2^-W */
} fcast;

/* What is known of a layer's n values: value i in [lo[i], hi[i]] (real values),
   every value a multiple of 2^step. */
typedef struct { int n; double *lo, *hi; int step; } vinfo;

typedef struct {
    aedl_fw_op op;
    int size;
    long out;                    /* first output row */
    int nin;
    long in[AEDL_FW_MAX_INPUTS];
    int in_size[AEDL_FW_MAX_INPUTS];
    int *nz_start;               /* dense (size + 1): non-zero weights of each output */
    long *nz_off;                /* their input rows' offsets (row * EB) */
    double *nz_w, *bias;         /* dense weights and biases as values */
    bool f32;                    /* dense: every value and partial sum exact in a float too */
    float *nz_wf, *bias_f;       /* the same as floats (f32) */
    double *scale, *shift;       /* batchnorm */
    double alpha;                /* leaky_relu */
    double lo, hi;               /* clip */
    fcast cast[3];               /* acc_t, q_t, res_t (those that are active) */
    int ncast;
    fcast *ccast;                /* concat: each input into res_t */
    aedl_fixed res_t;            /* sigmoid, tanh, softmax */
    double *table;               /* sigmoid, tanh, bound: the table's values (nn.h) */
    double *bk;                  /* bound: each feature's k (0: none, relu) */
    int *bmode;                  /* bound: each feature's mode (emu.h) */
    double *pad;                 /* masked_score, count: each feature's padding z_j (NULL: every z_j is 0) */
    int table_shift;
} flayer;

struct emu_fast {
    int nlayers;
    flayer *L;
    long in, rows;               /* the input's first row; rows per block */
    int max_in;                  /* the widest f32 dense input (float scratch rows) */
    int d_in;
    fcast in_cast;               /* float input -> in_t */
    double in_isc;               /* 2^e of in_t */
    int noutputs;
    long out_row[AEDL_FW_MAX_INPUTS];
    int out_size[AEDL_FW_MAX_INPUTS];
    double out_sc[AEDL_FW_MAX_INPUTS];   /* 2^-e of the output types (mantissas) */
};

/* ---- preparation: the proofs ------------------------------------------------------ */

static int texp(aedl_fixed t) { return t.integer - t.width; }
/* Mantissa ranges: the full W bits, and the range overflow clamps to (sat_sym). */
static double full_min(aedl_fixed t) { return t.is_signed ? -ldexp(1, t.width - 1) : 0; }
static double full_max(aedl_fixed t) { return t.is_signed ? ldexp(1, t.width - 1) - 1 : ldexp(1, t.width) - 1; }
static double ovf_min(aedl_fixed t) { return (double)aedl_fixed_result_min(t); }   /* fixed.h's rule */
static bool sane_type(aedl_fixed t) { return texp(t) >= -900 && texp(t) <= 900; }
static double fmax2(double a, double b) { return a > b ? a : b; }
static double fmin2(double a, double b) { return a < b ? a : b; }
/* A value below LIM units of its step (false for inf and NaN). */
static bool exact_at(double bound, int step) { return bound < ldexp(LIM, step); }
static bool small_mant(int64_t m) { return m > -(int64_t)LIM && m < (int64_t)LIM; }

static vinfo vi_new(int n, int step) {
    return (vinfo){n, xmalloc(sizeof(double) * (n ? n : 1)), xmalloc(sizeof(double) * (n ? n : 1)), step};
}
static void vi_free(vinfo *v) { free(v->lo); free(v->hi); v->lo = v->hi = NULL; }
static vinfo vi_copy(const vinfo *v) {
    vinfo c = vi_new(v->n, v->step);
    memcpy(c.lo, v->lo, sizeof(double) * v->n); memcpy(c.hi, v->hi, sizeof(double) * v->n);
    return c;
}
static double vi_abs(const vinfo *v, int i) { return fmax2(fabs(v->lo[i]), fabs(v->hi[i])); }

/* Prepares the cast of values v into t; v becomes what is known after it.
   False when exactness cannot be proved. */
static bool prep_cast(fcast *c, vinfo *v, aedl_fixed t) {
    int et = texp(t);
    memset(c, 0, sizeof *c);
    c->round = v->step < et;
    if (c->round && et - v->step > 52) return false;        /* the remainder must be exact */
    double tlo = ovf_min(t), thi = full_max(t);
    for (int i = 0; i < v->n; i++) {                         /* v in mantissas of t */
        double ylo = ldexp(v->lo[i], -et), yhi = ldexp(v->hi[i], -et);
        if (!(isfinite(ylo) && isfinite(yhi))) return false;
        if (c->round) { ylo = floor(ylo); yhi = ceil(yhi); } /* rounding stays between these */
        c->ovf |= ylo < tlo || yhi > thi;
        if (t.width > 52) c->ovf |= ylo <= tlo || yhi >= thi;   /* tlo, thi may be rounded */
        v->lo[i] = ylo; v->hi[i] = yhi;
    }
    c->active = c->round || c->ovf;
    if (c->active)
        for (int i = 0; i < v->n; i++) if (!(fabs(v->lo[i]) < LIM && fabs(v->hi[i]) < LIM)) return false;
    if (c->ovf && t.width > 52) return false;
    c->rnd = t.rnd; c->mode = t.ovf;
    c->sc = ldexp(1, -et); c->isc = ldexp(1, et);
    c->lo = tlo; c->hi = thi;
    c->wmin = full_min(t); c->span = ldexp(1, t.width); c->ispan = ldexp(1, -t.width);
    for (int i = 0; i < v->n; i++) {
        if (v->lo[i] < tlo || v->hi[i] > thi) { v->lo[i] = full_min(t); v->hi[i] = full_max(t); }
        v->lo[i] = ldexp(v->lo[i], et); v->hi[i] = ldexp(v->hi[i], et);
    }
    v->step = et;
    return true;
}

/* The chain acc_t -> (q_t) -> res_t of a layer. */
static bool prep_chain(flayer *L, const aedl_fw_layer *a, vinfo *v) {
    aedl_fixed ts[3] = {a->acc_t, a->q_t, a->res_t};
    L->ncast = 0;
    for (int k = 0; k < 3; k++) {
        if (k == 1 && !a->has_quant) continue;
        fcast c;
        if (!prep_cast(&c, v, ts[k])) return false;
        if (c.active) L->cast[L->ncast++] = c;
    }
    return true;
}

void emu_fast_free(emu_fast *f) {
    if (!f) return;
    for (int l = 0; l < f->nlayers; l++) {
        flayer *L = &f->L[l];
        free(L->nz_start); free(L->nz_off); free(L->nz_w); free(L->bias); free(L->nz_wf); free(L->bias_f);
        free(L->scale); free(L->shift); free(L->ccast); free(L->table);
        free(L->bk); free(L->bmode); free(L->pad);
    }
    free(f->L);
    free(f);
}

/* A dense layer: the reference's modular sum, values and proof. */
static bool prep_dense(flayer *L, const aedl_fw_layer *a, aedl_fixed in_t, const vinfo *x, vinfo *v) {
    int n_in = a->n_in, n_out = a->n_out;
    int acc_e = texp(a->acc_t), pe = texp(a->w_t) + texp(in_t);
    int be = a->has_b ? texp(a->b_t) : pe;
    /* exactly the reference's condition for the modular path */
    if (!(a->acc_t.ovf == AEDL_WRAP && pe >= acc_e && be >= acc_e && pe - acc_e < 62 && be - acc_e < 62 &&
          a->w_t.width + in_t.width + (pe - acc_e) <= 126))
        return false;
    if (!sane_type(a->w_t) || (a->has_b && !sane_type(a->b_t))) return false;
    int me = pe < be ? pe : be;
    long nz = 0;
    for (long k = 0; k < (long)n_in * n_out; k++) {
        if (!small_mant(a->w[k])) return false;
        nz += a->w[k] != 0;
    }
    L->nz_start = xmalloc(sizeof(int) * (n_out + 1));
    L->nz_off = xmalloc(sizeof(long) * (nz ? nz : 1));
    L->nz_w = xmalloc(sizeof(double) * (nz ? nz : 1));
    L->bias = xcalloc(n_out, sizeof(double));
    *v = vi_new(n_out, me);
    long c = 0;
    for (int j = 0; j < n_out; j++) {
        L->nz_start[j] = (int)c;
        if (a->has_b && !small_mant(a->b[j])) return false;
        double b = a->has_b ? ldexp((double)a->b[j], be) : 0;
        double l = b, h = b, s = fabs(b);
        for (int i = 0; i < n_in; i++) {
            int64_t wm = a->w[(long)i * n_out + j];
            if (!wm) continue;
            double w = ldexp((double)wm, texp(a->w_t));
            L->nz_off[c] = (long)i * EB;
            L->nz_w[c++] = w;
            l += fmin2(w * x->lo[i], w * x->hi[i]);
            h += fmax2(w * x->lo[i], w * x->hi[i]);
            s += fabs(w) * vi_abs(x, i);
        }
        L->bias[j] = b;
        /* the double sums above may round: widen by far more than they can */
        double m = s * 0x1p-30;
        if (!exact_at(s + m, me)) return false;             /* every partial sum is exact */
        v->lo[j] = l - m; v->hi[j] = h + m;
    }
    L->nz_start[n_out] = (int)c;
    /* 8 float lanes instead of 4 doubles when floats are exact: the inputs, the
       weights and every partial sum below 2^24 units of their steps, and no
       step or magnitude near float's exponent limits */
    bool f32 = me >= -120 && texp(in_t) >= -120 && texp(a->w_t) >= -120 && x->step >= -120;
    for (int i = 0; f32 && i < n_in; i++) f32 = vi_abs(x, i) < ldexp(LIM32, x->step) && vi_abs(x, i) < 0x1p100;
    for (long k = 0; f32 && k < c; k++) f32 = fabs(ldexp(L->nz_w[k], -texp(a->w_t))) < LIM32;
    for (int j = 0; f32 && j < n_out; j++) {
        double s = 0;
        for (int k = L->nz_start[j]; k < L->nz_start[j + 1]; k++) s += fabs(L->nz_w[k]) * vi_abs(x, (int)(L->nz_off[k] / EB));
        s += fabs(L->bias[j]);
        f32 = s * (1 + 0x1p-30) < ldexp(LIM32, me) && s < 0x1p100;
    }
    if (f32) {
        L->f32 = true;
        L->nz_wf = xmalloc(sizeof(float) * (c ? c : 1));
        L->bias_f = xmalloc(sizeof(float) * n_out);
        for (long k = 0; k < c; k++) L->nz_wf[k] = (float)L->nz_w[k];
        for (int j = 0; j < n_out; j++) L->bias_f[j] = (float)L->bias[j];
    }
    return true;
}

/* One layer's values before its casts (v), from its inputs' (x). */
/* masked_score, count: the padding values z_j as values of t, the compared input's type. */
static bool prep_pad(flayer *L, const aedl_fw_layer *a, aedl_fixed t) {
    if (!a->has_w) return true;
    L->pad = xmalloc(sizeof(double) * (size_t)a->n_in);
    for (int j = 0; j < a->n_in; j++) {
        if (!small_mant(a->w[j])) return false;
        L->pad[j] = ldexp((double)a->w[j], texp(t));
    }
    return true;
}

static bool prep_op(flayer *L, const aedl_fw_layer *a, const aedl_fixed *in_t, const vinfo *x, vinfo *v) {
    int n = a->n_out;
    switch (a->op) {
    case FW_DENSE:
        return prep_dense(L, a, in_t[0], &x[0], v);
    case FW_BATCHNORM: {
        int pe = texp(a->w_t) + texp(in_t[0]), be = texp(a->b_t);
        if (!sane_type(a->w_t) || !sane_type(a->b_t)) return false;
        *v = vi_new(n, pe < be ? pe : be);
        L->scale = xmalloc(sizeof(double) * n);
        L->shift = xmalloc(sizeof(double) * n);
        for (int j = 0; j < n; j++) {
            if (!small_mant(a->w[j]) || !small_mant(a->b[j])) return false;
            double s = ldexp((double)a->w[j], texp(a->w_t)), t = ldexp((double)a->b[j], be);
            double bound = fabs(s) * vi_abs(x, j) + fabs(t), m = bound * 0x1p-30;
            if (!exact_at(bound + m, v->step)) return false;
            v->lo[j] = fmin2(s * x->lo[j], s * x->hi[j]) + t - m;
            v->hi[j] = fmax2(s * x->lo[j], s * x->hi[j]) + t + m;
            L->scale[j] = s; L->shift[j] = t;
        }
        return true;
    }
    case FW_RELU: case FW_LINEAR:
        *v = vi_copy(x);
        if (a->op == FW_RELU)
            for (int j = 0; j < n; j++) { v->lo[j] = fmax2(v->lo[j], 0); v->hi[j] = fmax2(v->hi[j], 0); }
        return true;
    case FW_ABS:   /* |x| is exact in double */
        *v = vi_copy(x);
        for (int j = 0; j < n; j++) {
            double lo = fabs(x->lo[j]), hi = fabs(x->hi[j]);
            v->lo[j] = x->lo[j] <= 0 && x->hi[j] >= 0 ? 0 : fmin2(lo, hi);
            v->hi[j] = fmax2(lo, hi);
        }
        return true;
    case FW_CLIP:
        if (!small_mant(a->w[0]) || !small_mant(a->w[1])) return false;
        if (!sane_type(a->w_t)) return false;
        L->lo = ldexp((double)a->w[0], texp(a->w_t));
        L->hi = ldexp((double)a->w[1], texp(a->w_t));
        *v = vi_new(n, texp(in_t[0]) < texp(a->w_t) ? texp(in_t[0]) : texp(a->w_t));
        for (int j = 0; j < n; j++) {
            v->lo[j] = fmin2(fmax2(x->lo[j], L->lo), L->hi);
            v->hi[j] = fmin2(fmax2(x->hi[j], L->lo), L->hi);
            if (!exact_at(fmax2(fabs(v->lo[j]), fabs(v->hi[j])), v->step)) return false;
        }
        return true;
    case FW_LEAKY_RELU: {
        if (!small_mant(a->w[0]) || !sane_type(a->w_t)) return false;
        int ea = texp(a->w_t);
        L->alpha = ldexp((double)a->w[0], ea);
        *v = vi_new(n, texp(in_t[0]) + (ea < 0 ? ea : 0));
        for (int j = 0; j < n; j++) {   /* piecewise linear: extremes at the ends or at 0 */
            double xl = x->lo[j], xh = x->hi[j];
            double fl = xl >= 0 ? xl : L->alpha * xl, fh = xh >= 0 ? xh : L->alpha * xh;
            v->lo[j] = fmin2(fl, fh); v->hi[j] = fmax2(fl, fh);
            if (xl < 0 && xh > 0) { v->lo[j] = fmin2(v->lo[j], 0); v->hi[j] = fmax2(v->hi[j], 0); }
            if (!exact_at(fmax2(fabs(v->lo[j]), fabs(v->hi[j])), v->step)) return false;
        }
        return true;
    }
    case FW_ADD: {
        int me = x[0].step;
        for (int k = 1; k < a->ninputs; k++) if (x[k].step < me) me = x[k].step;
        *v = vi_new(n, me);
        for (int j = 0; j < n; j++) {
            double lo = 0, hi = 0, s = 0;
            for (int k = 0; k < a->ninputs; k++) { lo += x[k].lo[j]; hi += x[k].hi[j]; s += vi_abs(&x[k], j); }
            double m = s * 0x1p-40;
            if (!exact_at(s + m, me)) return false;
            v->lo[j] = lo - m; v->hi[j] = hi + m;
        }
        return true;
    }
    case FW_CONCAT: {
        L->ccast = xcalloc(a->ninputs, sizeof(fcast));
        *v = vi_new(n, texp(a->res_t));
        int j = 0;
        for (int k = 0; k < a->ninputs; k++) {
            vinfo u = vi_copy(&x[k]);
            bool ok = prep_cast(&L->ccast[k], &u, a->res_t);
            for (int i = 0; ok && i < u.n; i++, j++) { v->lo[j] = u.lo[i]; v->hi[j] = u.hi[i]; }
            vi_free(&u);
            if (!ok) return false;
        }
        return true;
    }
    case FW_BOUND: {   /* k * table entry: both small, the product exact */
        if (!sane_type(a->w_t) || !sane_type(a->b_t) || a->w_t.width > 26 || a->b_t.width > 26) return false;
        int pe = texp(a->w_t) + texp(a->b_t);
        L->table = xmalloc(sizeof(double) * AEDL_ACT_TABLE);
        double tl = 0, th = 0;
        for (int i = 0; i < AEDL_ACT_TABLE; i++) {
            L->table[i] = ldexp((double)a->w[i], texp(a->w_t));
            tl = fmin2(tl, L->table[i]); th = fmax2(th, L->table[i]);
        }
        L->bk = xmalloc(sizeof(double) * (size_t)n);
        L->bmode = xmalloc(sizeof(int) * (size_t)n);
        *v = vi_new(n, texp(in_t[0]) < pe ? texp(in_t[0]) : pe);
        for (int j = 0; j < n; j++) {
            L->bmode[j] = (int)a->w[AEDL_ACT_TABLE + j];
            L->bk[j] = ldexp((double)a->b[j], texp(a->b_t));
            if (L->bmode[j] == 2) { v->lo[j] = L->bk[j] * tl; v->hi[j] = L->bk[j] * th; }
            else {
                v->lo[j] = L->bmode[j] == 1 ? fmax2(x->lo[j], 0) : x->lo[j];
                v->hi[j] = L->bmode[j] == 1 ? fmax2(x->hi[j], 0) : x->hi[j];
            }
            if (!exact_at(fmax2(fabs(v->lo[j]), fabs(v->hi[j])), v->step)) return false;
        }
        return true;
    }
    case FW_SCORE: case FW_MASKED_SCORE: {   /* every difference, square and partial sum exact */
        if (a->op == FW_MASKED_SCORE && !prep_pad(L, a, in_t[1])) return false;
        int me = x[0].step < x[1].step ? x[0].step : x[1].step;
        double sum = 0;
        for (int j = 0; j < a->n_in; j++) {
            double d = vi_abs(&x[0], j) + vi_abs(&x[1], j);
            if (!exact_at(d, me)) return false;
            sum += d * d;
        }
        if (!exact_at(sum * (1 + 0x1p-30), 2 * me)) return false;
        *v = vi_new(1, 2 * me);
        v->lo[0] = 0; v->hi[0] = sum * (1 + 0x1p-30);
        return true;
    }
    case FW_MU2: {   /* every square and partial sum exact */
        double sum = 0;
        for (int j = 0; j < a->n_in; j++) sum += vi_abs(&x[0], j) * vi_abs(&x[0], j);
        if (!exact_at(sum * (1 + 0x1p-30), 2 * x[0].step)) return false;
        *v = vi_new(1, 2 * x[0].step);
        v->lo[0] = 0; v->hi[0] = sum * (1 + 0x1p-30);
        return true;
    }
    case FW_COUNT:
        if (!prep_pad(L, a, in_t[0])) return false;
        *v = vi_new(1, 0);
        v->lo[0] = 0; v->hi[0] = a->n_in;
        return true;
    case FW_SIGMOID: case FW_TANH: case FW_SOFTMAX:
        if (a->res_t.width > 52) return false;
        L->res_t = a->res_t;
        if (a->op != FW_SOFTMAX) {
            L->table = xmalloc(sizeof(double) * AEDL_ACT_TABLE);
            for (int i = 0; i < AEDL_ACT_TABLE; i++) L->table[i] = ldexp((double)a->w[i], texp(a->res_t));
            L->table_shift = aedl_fw_table_shift(a->op);
        }
        *v = vi_new(n, texp(a->res_t));
        for (int j = 0; j < n; j++) {
            v->lo[j] = ldexp(full_min(a->res_t), texp(a->res_t));
            v->hi[j] = ldexp(full_max(a->res_t), texp(a->res_t));
        }
        return true;
    default:
        return false;
    }
}

emu_fast *emu_fast_prepare(const aedl_fw_plan *p) {
    if (!sane_type(p->in_t) || p->in_t.width > 52) return NULL;
    int nl = p->nlayers;
    emu_fast *f = xcalloc(1, sizeof *f);
    f->nlayers = nl;
    f->L = xcalloc(nl > 0 ? nl : 1, sizeof *f->L);
    vinfo *vi = xcalloc(nl > 0 ? nl : 1, sizeof(vinfo));
    int *uses = xcalloc(nl > 0 ? nl : 1, sizeof(int));
    for (int l = 0; l < nl; l++)
        for (int k = 0; k < p->layers[l].ninputs; k++)
            if (p->layers[l].inputs[k] >= 0) uses[p->layers[l].inputs[k]]++;
    for (int k = 0; k < p->noutputs; k++) if (p->outputs[k] >= 0) uses[p->outputs[k]] += 2;

    f->d_in = p->d_in;
    f->in = 0; f->rows = p->d_in;
    aedl_fixed it = p->in_t;
    vinfo vin = vi_new(p->d_in, texp(it));
    for (int i = 0; i < p->d_in; i++) { vin.lo[i] = ldexp(full_min(it), texp(it)); vin.hi[i] = ldexp(full_max(it), texp(it)); }
    {   /* float input: always rounded and overflowed; |x 2^-e| < LIM is checked per value */
        fcast *c = &f->in_cast;
        c->active = c->round = c->ovf = true;
        c->rnd = it.rnd; c->mode = it.ovf;
        c->sc = ldexp(1, -texp(it)); c->isc = ldexp(1, texp(it));
        c->lo = ovf_min(it); c->hi = full_max(it);
        c->wmin = full_min(it); c->span = ldexp(1, it.width); c->ispan = ldexp(1, -it.width);
        f->in_isc = c->isc;
    }
    for (int l = 0; l < nl; l++) {
        const aedl_fw_layer *a = &p->layers[l];
        flayer *L = &f->L[l];
        L->op = a->op; L->size = a->n_out; L->nin = a->ninputs;
        vinfo x[AEDL_FW_MAX_INPUTS];
        aedl_fixed in_t[AEDL_FW_MAX_INPUTS];
        for (int k = 0; k < a->ninputs; k++) {
            int s = a->inputs[k];
            x[k] = s < 0 ? vin : vi[s];
            in_t[k] = s < 0 ? p->in_t : p->layers[s].res_t;
            L->in[k] = s < 0 ? f->in : f->L[s].out;
            L->in_size[k] = s < 0 ? p->d_in : p->layers[s].n_out;
        }
        if (!sane_type(a->acc_t) || !sane_type(a->res_t) || (a->has_quant && !sane_type(a->q_t))) goto fail;
        bool ok = prep_op(L, a, in_t, x, &vi[l]);
        vinfo *v = &vi[l];
        if (ok && a->op != FW_CONCAT && a->op != FW_SIGMOID && a->op != FW_TANH && a->op != FW_SOFTMAX)
            ok = prep_chain(L, a, v);
        for (int j = 0; ok && j < v->n; j++) ok = exact_at(vi_abs(v, j), v->step);
        if (!ok) goto fail;
        /* element-wise layers overwrite their input when nothing else reads it */
        int s = a->inputs[0];
        bool inplace = (a->op == FW_BATCHNORM || a->op == FW_RELU || a->op == FW_LINEAR || a->op == FW_LEAKY_RELU ||
                        a->op == FW_CLIP || a->op == FW_ABS || a->op == FW_BOUND) &&
                       s >= 0 && uses[s] == 1;
        if (L->f32 && L->in_size[0] > f->max_in) f->max_in = L->in_size[0];
        if (inplace) L->out = f->L[s].out;
        else { L->out = f->rows; f->rows += a->n_out; }
    }
    f->noutputs = p->noutputs;
    for (int k = 0; k < p->noutputs; k++) {
        int l = p->outputs[k];
        aedl_fixed t = l < 0 ? p->in_t : p->layers[l].res_t;
        f->out_row[k] = l < 0 ? f->in : f->L[l].out;
        f->out_size[k] = l < 0 ? p->d_in : p->layers[l].n_out;
        f->out_sc[k] = ldexp(1, -texp(t));
    }
    for (int l = 0; l < nl; l++) vi_free(&vi[l]);
    vi_free(&vin);
    free(vi); free(uses);
    return f;
fail:
    for (int l = 0; l < nl; l++) vi_free(&vi[l]);
    vi_free(&vin);
    free(vi); free(uses);
    emu_fast_free(f);
    return NULL;
}

bool emu_fast_env_ok(void) { return fegetround() == FE_TONEAREST; }

bool emu_fast_inputs_ok(const aedl_fw_plan *p, const int64_t *min, long n) {
    aedl_fixed t = p->in_t;
    if (t.width > 52) return false;
    int64_t lo = (int64_t)full_min(t), hi = (int64_t)full_max(t);
    bool ok = true;
    for (long k = 0; k < n * p->d_in; k++) ok &= min[k] >= lo && min[k] <= hi;
    return ok;
}

/* ---- the block kernels ---------------------------------------------------------------- */

/* One value y (a mantissa, exact) rounded to an integer by mode (-1: none).
   y - floor(y) is exact (the steps are checked); rnd_conv is IEEE's
   round-half-even, nearbyint in the default rounding mode (run_all checks it). */
static inline __attribute__((always_inline)) double round_mode(double y, int mode) {
    double f, r;
    switch (mode) {
    case AEDL_TRN: return floor(y);
    case AEDL_TRN_ZERO: return trunc(y);
    case AEDL_RND: f = floor(y); return y - f >= 0.5 ? f + 1 : f;
    case AEDL_RND_ZERO: f = floor(y); r = y - f; return ((r > 0.5) | ((r == 0.5) & (y < 0))) ? f + 1 : f;
    case AEDL_RND_INF: f = floor(y); r = y - f; return ((r > 0.5) | ((r == 0.5) & (y > 0))) ? f + 1 : f;
    case AEDL_RND_MIN_INF: f = floor(y); return y - f > 0.5 ? f + 1 : f;
    case AEDL_RND_CONV: return nearbyint(y);
    default: return y;
    }
}
/* An integer y into the target's range by overflow mode (-1: none). */
static inline __attribute__((always_inline)) double ovf_mode(double y, int mode, const fcast *c) {
    switch (mode) {
    case AEDL_SAT: case AEDL_SAT_SYM: y = y < c->lo ? c->lo : y; return y > c->hi ? c->hi : y;
    case AEDL_SAT_ZERO: return ((y < c->lo) | (y > c->hi)) ? 0.0 : y;
    case AEDL_WRAP: return y - c->span * floor((y - c->wmin) * c->ispan);
    default: return y;
    }
}

/* v[0..n) = (t)v: to mantissas, round, overflow, back to values; one loop
   per (rounding, overflow) pair so that each vectorizes. */
#define CAST_CASE(R, O) \
    case ((R) + 1) * 5 + (O) + 1: \
        for (long k = 0; k < n; k++) v[k] = ovf_mode(round_mode(v[k] * sc, (R)), (O), &cc) * isc; \
        break;
#define CAST_CASES(R) CAST_CASE(R, -1) CAST_CASE(R, 0) CAST_CASE(R, 1) CAST_CASE(R, 2) CAST_CASE(R, 3)
FAST_SIMD
static void cast_rows(double *restrict v, long n, const fcast *c) {
    const fcast cc = *c;
    const double sc = c->sc, isc = c->isc;
    int r = c->round ? (int)c->rnd : -1, o = c->ovf ? (int)c->mode : -1;
    switch ((r + 1) * 5 + o + 1) {
    CAST_CASES(-1) CAST_CASES(0) CAST_CASES(1) CAST_CASES(2) CAST_CASES(3) CAST_CASES(4) CAST_CASES(5) CAST_CASES(6)
    default: break;
    }
}

/* Dense: Y[j] = b_j + sum_k w_k X[i_k] over the non-zero weights, 32 events
   at a time in registers. */
FAST_SIMD
static void dense_rows(const flayer *L, const double *restrict X, double *restrict Y) {
    for (int t = 0; t < EB; t += TILE) {
        for (int j = 0; j < L->size; j++) {
            double b = L->bias[j];
            v4d a0 = {b, b, b, b}, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int k = L->nz_start[j]; k < L->nz_start[j + 1]; k++) {
                const v4d *x = (const v4d *)(X + L->nz_off[k] + t);
                double w = L->nz_w[k];
                v4d wv = {w, w, w, w};
                a0 += wv * x[0]; a1 += wv * x[1]; a2 += wv * x[2]; a3 += wv * x[3];
                a4 += wv * x[4]; a5 += wv * x[5]; a6 += wv * x[6]; a7 += wv * x[7];
            }
            v4d *y = (v4d *)(Y + (long)j * EB + t);
            y[0] = a0; y[1] = a1; y[2] = a2; y[3] = a3; y[4] = a4; y[5] = a5; y[6] = a6; y[7] = a7;
        }
    }
}

/* Dense in float lanes (f32): the inputs converted once (exactly), then
   Y[j] = b_j + sum_k w_k X[i_k] for all EB = 64 events in 8 registers.  An input
   row that is zero in every event of the block (padded features, a relu off for
   the whole block) adds nothing: with skip, its weights are left out. */
static inline __attribute__((always_inline)) void dense_out_f32(const flayer *L, double *restrict Y,
                                                                 const float *restrict xf, int j,
                                                                 const unsigned char *live, int skip) {
    float b = L->bias_f[j];
    v8f a0 = {b, b, b, b, b, b, b, b}, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int k = L->nz_start[j]; k < L->nz_start[j + 1]; k++) {
        if (skip && !live[L->nz_off[k] / EB]) continue;
        const v8f *x = (const v8f *)(xf + L->nz_off[k]);
        float w = L->nz_wf[k];
        v8f wv = {w, w, w, w, w, w, w, w};
        a0 += wv * x[0]; a1 += wv * x[1]; a2 += wv * x[2]; a3 += wv * x[3];
        a4 += wv * x[4]; a5 += wv * x[5]; a6 += wv * x[6]; a7 += wv * x[7];
    }
    v8f acc[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
    const float *r = (const float *)acc;
    double *y = Y + (long)j * EB;
    for (int e = 0; e < EB; e++) y[e] = r[e];
}

FAST_SIMD
static void dense_rows_f32(const flayer *L, const double *restrict X, double *restrict Y, float *restrict xf,
                           unsigned char *live, int n_in) {
    for (long k = 0; k < (long)n_in * EB; k++) xf[k] = (float)X[k];
    int dead = 0;
    for (int i = 0; i < n_in; i++) {   /* the bits of the row's 64 values but the signs, or-ed */
        const v8f *x = (const v8f *)(xf + (long)i * EB);
        v8i o = ((v8i)x[0] | (v8i)x[1] | (v8i)x[2] | (v8i)x[3] | (v8i)x[4] | (v8i)x[5] | (v8i)x[6] | (v8i)x[7]) &
                0x7fffffff;
        live[i] = (o[0] | o[1] | o[2] | o[3] | o[4] | o[5] | o[6] | o[7]) != 0;
        dead += !live[i];
    }
    if (dead * 8 > n_in)   /* checking every weight's row costs more than a few dead rows save */
        for (int j = 0; j < L->size; j++) dense_out_f32(L, Y, xf, j, live, 1);
    else
        for (int j = 0; j < L->size; j++) dense_out_f32(L, Y, xf, j, live, 0);
}

FAST_SIMD
static void batchnorm_rows(const flayer *L, const double *X, double *Y) {   /* may be in place */
    for (int j = 0; j < L->size; j++) {
        const double s = L->scale[j], t = L->shift[j];
        const double *x = X + (long)j * EB;
        double *y = Y + (long)j * EB;
        for (int b = 0; b < EB; b++) y[b] = x[b] * s + t;
    }
}

FAST_SIMD
static void elementwise_rows(const flayer *L, const double *X, double *Y, long n) {
    switch (L->op) {
    case FW_RELU: for (long k = 0; k < n; k++) Y[k] = X[k] > 0 ? X[k] : 0.0; break;
    case FW_LEAKY_RELU: { double al = L->alpha; for (long k = 0; k < n; k++) Y[k] = X[k] >= 0 ? X[k] : X[k] * al; break; }
    case FW_CLIP: { double lo = L->lo, hi = L->hi; for (long k = 0; k < n; k++) Y[k] = X[k] < lo ? lo : X[k] > hi ? hi : X[k]; break; }
    case FW_ABS: for (long k = 0; k < n; k++) Y[k] = fabs(X[k]); break;
    default: if (X != Y) memcpy(Y, X, sizeof(double) * n); break;
    }
}

FAST_SIMD
static void add_rows(double *restrict Y, const double *restrict X, long n) {
    for (long k = 0; k < n; k++) Y[k] += X[k];
}

/* bound: per feature x, max(x, 0) or k * table entry (exact in double). */
static void bound_rows(const flayer *L, const double *X, double *Y) {   /* may be in place */
    for (int j = 0; j < L->size; j++) {
        const double *x = X + (long)j * EB;
        double *y = Y + (long)j * EB, k = L->bk[j];
        switch (L->bmode[j]) {
        case 2: for (int b = 0; b < EB; b++) y[b] = k * L->table[aedl_act_table_index(x[b], AEDL_ACT_SHIFT_TANH)]; break;
        case 1: for (int b = 0; b < EB; b++) y[b] = x[b] > 0 ? x[b] : 0.0; break;
        default: if (x != y) memcpy(y, x, sizeof(double) * EB); break;
        }
    }
}

/* score: sum_j (x_j - y_j)^2 (masked: where y_j != z_j), exact (prep_op). */
FAST_SIMD
static void score_rows(const flayer *L, const double *X, const double *Yin, double *Y) {
    double s[EB] = {0};
    bool masked = L->op == FW_MASKED_SCORE;
    for (int j = 0; j < L->in_size[0]; j++) {
        const double *x = X + (long)j * EB, *y = Yin + (long)j * EB;
        double z = L->pad ? L->pad[j] : 0.0;
        for (int b = 0; b < EB; b++) {
            double d = x[b] - y[b];
            s[b] += masked && y[b] == z ? 0.0 : d * d;
        }
    }
    memcpy(Y, s, sizeof s);
}

/* mu2: sum_j x_j^2, exact (prep_op). */
FAST_SIMD
static void mu2_rows(const flayer *L, const double *X, double *Y) {
    double s[EB] = {0};
    for (int j = 0; j < L->in_size[0]; j++)
        for (int b = 0; b < EB; b++) s[b] += X[(long)j * EB + b] * X[(long)j * EB + b];
    memcpy(Y, s, sizeof s);
}

/* count: the number of x_j != z_j. */
FAST_SIMD
static void count_rows(const flayer *L, const double *X, double *Y) {
    double c[EB] = {0};
    for (int j = 0; j < L->in_size[0]; j++) {
        double z = L->pad ? L->pad[j] : 0.0;
        for (int b = 0; b < EB; b++) c[b] += X[(long)j * EB + b] != z;
    }
    memcpy(Y, c, sizeof c);
}

/* sigmoid, tanh: the table (nn.h); softmax: in double as the reference path, then (res_t). */
static void activation_rows(const flayer *L, const double *X, double *Y) {
    if (L->table) {
        for (long k = 0; k < (long)L->size * EB; k++) Y[k] = L->table[aedl_act_table_index(X[k], L->table_shift)];
        return;
    }
    int e = texp(L->res_t);
    for (int b = 0; b < EB; b++) {
        double mx = -INFINITY, sum = 0;
        for (int j = 0; j < L->size; j++) if (X[(long)j * EB + b] > mx) mx = X[(long)j * EB + b];
        for (int j = 0; j < L->size; j++) sum += exp(X[(long)j * EB + b] - mx);
        for (int j = 0; j < L->size; j++) {
            double y = exp(X[(long)j * EB + b] - mx) / sum;
            Y[(long)j * EB + b] = ldexp((double)aedl_fw_from_double(y, L->res_t), e);
        }
    }
}

static void run_layer(const flayer *L, double *buf, float *xf, unsigned char *live) {
    double *Y = buf + L->out * EB;
    const double *X = buf + L->in[0] * EB;
    long n = (long)L->size * EB;
    switch (L->op) {
    case FW_DENSE:
        if (L->f32) dense_rows_f32(L, X, Y, xf, live, L->in_size[0]);
        else dense_rows(L, X, Y);
        break;
    case FW_BATCHNORM: batchnorm_rows(L, X, Y); break;
    case FW_BOUND: bound_rows(L, X, Y); break;
    case FW_RELU: case FW_LINEAR: case FW_LEAKY_RELU: case FW_CLIP: case FW_ABS: elementwise_rows(L, X, Y, n); break;
    case FW_ADD:
        memcpy(Y, X, sizeof(double) * n);
        for (int k = 1; k < L->nin; k++) add_rows(Y, buf + L->in[k] * EB, n);
        break;
    case FW_CONCAT: {
        double *y = Y;
        for (int k = 0; k < L->nin; k++) {
            long m = (long)L->in_size[k] * EB;
            memcpy(y, buf + L->in[k] * EB, sizeof(double) * m);
            if (L->ccast[k].active) cast_rows(y, m, &L->ccast[k]);
            y += m;
        }
        return;
    }
    case FW_SIGMOID: case FW_TANH: case FW_SOFTMAX: activation_rows(L, X, Y); return;
    case FW_SCORE: case FW_MASKED_SCORE: score_rows(L, X, buf + L->in[1] * EB, Y); break;
    case FW_COUNT: count_rows(L, X, Y); break;
    case FW_MU2: mu2_rows(L, X, Y); break;
    default: return;
    }
    for (int c = 0; c < L->ncast; c++) cast_rows(Y, n, &L->cast[c]);
}

/* nb float events (row-major) -> the input rows, cast to in_t: 4 x 4 blocks
   transposed in registers, the edges one by one.  Values with |x 2^-e| >= LIM
   (and NaN) are set aside (0) and take the scalar conversion. */
FAST_SIMD
static void load_float(const emu_fast *f, const aedl_fw_plan *p, double *buf, const float *in, int nb) {
    int d = f->d_in, d4 = d & ~3, nb4 = nb & ~3;
    double *X = buf + f->in * EB;
    const double sc = f->in_cast.sc;
    const v4d lim = {LIM, LIM, LIM, LIM};
    v4l bad = {0, 0, 0, 0};
    long slow = 0;
    for (int b = 0; b < nb4; b += 4)
        for (int i = 0; i < d4; i += 4) {
            v4d r[4], c[4];
            for (int e = 0; e < 4; e++) {
                v4f x;
                memcpy(&x, in + (long)(b + e) * d + i, sizeof x);
                r[e] = __builtin_convertvector(x, v4d);
            }
            TRANSPOSE4(r[0], r[1], r[2], r[3], c[0], c[1], c[2], c[3]);
            for (int e = 0; e < 4; e++) {
                v4d y = c[e] * sc;
                v4l ok = (y < lim) & (y > -lim);                        /* 0 for NaN */
                bad |= ~ok;
                *(v4d *)(X + (long)(i + e) * EB + b) = (v4d)((v4l)c[e] & ok);
            }
        }
    slow = bad[0] | bad[1] | bad[2] | bad[3];
    for (int b = 0; b < nb; b++)
        for (int i = b < nb4 ? d4 : 0; i < d; i++) {
            double x = (double)in[(long)b * d + i];
            int ok = fabs(x * sc) < LIM;
            slow |= !ok;
            X[(long)i * EB + b] = ok ? x : 0.0;
        }
    if (nb < EB)
        for (int i = 0; i < d; i++) memset(X + (long)i * EB + nb, 0, sizeof(double) * (EB - nb));
    cast_rows(X, (long)d * EB, &f->in_cast);
    if (slow)
        for (int b = 0; b < nb; b++)
            for (int i = 0; i < d; i++) {
                double x = (double)in[(long)b * d + i];
                if (!(fabs(x * sc) < LIM)) X[(long)i * EB + b] = (double)aedl_fw_from_double(x, p->in_t) * f->in_isc;
            }
}

static void load_mantissa(const emu_fast *f, double *buf, const int64_t *min, int nb) {
    int d = f->d_in;
    double *X = buf + f->in * EB;
    for (int b = 0; b < EB; b++)
        for (int i = 0; i < d; i++) X[(long)i * EB + b] = b < nb ? (double)min[(long)b * d + i] * f->in_isc : 0.0;
}

/* The output rows of events [s, s + nb): output k's value j of event e to
   outs[k][e * ostride[k] + j] (outs NULL: none) and/or mantissas mout (n, d_out): 4 x 4
   blocks transposed in registers, the edges one by one. */
FAST_SIMD
static void store(const emu_fast *f, const double *buf, long s, int nb, long d_out, double *const *outs,
                  const long *ostride, int64_t *mout) {
    int col = 0;
    const v4d zero = {0, 0, 0, 0};
    for (int k = 0; k < f->noutputs; k++) {
        const double *R = buf + f->out_row[k] * EB;
        int n = f->out_size[k];
        long os = outs ? ostride[k] : 0;
        double *ob = outs ? outs[k] + s * os : NULL;
        int n4 = ob ? n & ~3 : 0, nb4 = ob ? nb & ~3 : 0;
        double sc = f->out_sc[k];
        for (int b = 0; b < nb4; b += 4)
            for (int j = 0; j < n4; j += 4) {
                const double *r = R + (long)j * EB + b;
                v4d r0 = *(const v4d *)r, r1 = *(const v4d *)(r + EB), r2 = *(const v4d *)(r + 2 * EB), r3 = *(const v4d *)(r + 3 * EB);
                v4d c[4];
                TRANSPOSE4(r0, r1, r2, r3, c[0], c[1], c[2], c[3]);
                for (int e = 0; e < 4; e++) {
                    v4d o = c[e] + zero;                                   /* no -0 */
                    memcpy(ob + (b + e) * os + j, &o, sizeof o);
                }
            }
        for (int b = 0; b < nb; b++) {
            if (ob) {
                double *o = ob + b * os;
                for (int j = b < nb4 ? n4 : 0; j < n; j++) o[j] = R[(long)j * EB + b] + 0.0;
            }
            if (mout) { int64_t *o = mout + (s + b) * d_out + col; for (int j = 0; j < n; j++) o[j] = (int64_t)(R[(long)j * EB + b] * sc); }
        }
        col += n;
    }
}

void emu_fast_run(const emu_fast *f, const aedl_fw_plan *p, const float *in, const int64_t *min,
                  double *const *outs, const long *ostride, int64_t *mout, long lo, long hi) {
    void *mem = NULL, *fmem = NULL;
    size_t bytes = sizeof(double) * (size_t)f->rows * EB, fbytes = sizeof(float) * (size_t)(f->max_in ? f->max_in : 1) * EB;
    if (posix_memalign(&mem, 64, bytes) != 0 || posix_memalign(&fmem, 64, fbytes) != 0)
        aedl_fatal("out of memory (%zu bytes for the emulator's blocks)", bytes + fbytes);
    double *buf = mem;
    float *xf = fmem;
    unsigned char *live = xmalloc((size_t)(f->max_in ? f->max_in : 1));   /* dense_rows_f32: the rows not all zero */
    long d_in = p->d_in, d_out = p->d_out;
    for (long s = lo; s < hi; s += EB) {
        int nb = (int)(hi - s < EB ? hi - s : EB);
        if (in) load_float(f, p, buf, in + s * d_in, nb);
        else load_mantissa(f, buf, min + s * d_in, nb);
        for (int l = 0; l < f->nlayers; l++) run_layer(&f->L[l], buf, xf, live);
        store(f, buf, s, nb, d_out, outs, ostride, mout);
    }
    free(mem); free(fmem); free(live);
}
