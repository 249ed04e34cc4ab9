/* quant.c — fixed-point quantizers in double arithmetic (see quant.h).
 *
 * Every value goes through q_value(): scale by 2^F (F = W - I, exact), round
 * with fixed.h's rule AEDL_ROUND_UP (exact: the fraction r - floor(r) of a
 * double is exact), then apply the overflow mode on the integer mantissa,
 * then scale back by 2^-F (exact).  Rounding is branch-free and the mode is
 * fixed per loop: about 1-2 ns per value.  Saturation clamps to fixed.h's
 * result range; the rare wrap and sat_zero overflows are fixed.c's exact
 * conversion of the integer mantissa.
 *
 * The double quantizers of the saturating types up to 50 bits (QI's: every
 * QKeras quantizer, the input types) take a branch-free path that vectorizes
 * (q_fast below): the mantissa r is clamped to [lo - 1, hi + 1] first (rounding
 * is monotonic, so the saturated result is the same), then rounded with floor
 * and the exact remainder r - floor(r) as fixed.h's rule says (rnd_conv:
 * nearbyint, IEEE's ties-to-even in the default rounding mode, which is
 * checked), then clamped to [lo, hi].  tests/nn/test_quant.c compares it with
 * q_value and with lib/fixed.c.
 */
#include "quant.h"

#include <fenv.h>
#include <math.h>
#include "util.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define Q_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define Q_CLONES
#endif

typedef struct {
    aedl_fixed t;
    aedl_fixed mant_t;   /* t with F = 0 and rounding trn: the integer mantissas of t */
    double scale, inv;   /* 2^F, 2^-F */
    double lo, hi;       /* mantissa range after overflow handling ([-hi, hi] for signed SAT_SYM) */
    double below, above; /* overflow iff m < below or m >= above (exact powers of two) */
    aedl_rounding rnd;
    aedl_overflow ovf;
} qplan;

static qplan plan_of(const aedl_fixed *t) {
    if (t->width < 1 || t->width > 64)
        aedl_fatal("quantizer: fixed type width %d is outside 1..64", t->width);
    int f = t->width - t->integer;
    if (f < -900 || f > 900)
        aedl_fatal("quantizer: fixed<%d,%d> has an unsupported number of fraction bits",
                   t->width, t->integer);
    if ((unsigned)t->rnd > AEDL_RND_CONV || (unsigned)t->ovf > AEDL_SAT_SYM)
        aedl_fatal("quantizer: invalid rounding or overflow mode (%d, %d)", (int)t->rnd,
                   (int)t->ovf);
    qplan p;
    p.t = *t;
    p.mant_t = *t;
    p.mant_t.integer = t->width;
    p.mant_t.rnd = AEDL_TRN;
    p.scale = ldexp(1.0, f);
    p.inv = ldexp(1.0, -f);
    p.rnd = t->rnd;
    p.ovf = t->ovf;
    p.lo = (double)aedl_fixed_result_min(*t);    /* exact: W <= 64, powers of two minus 1 */
    p.hi = (double)aedl_fixed_mant_max(*t);      /* 2^W - 1 rounds up to 2^W when W > 53 */
    p.below = p.lo;
    p.above = ldexp(1.0, t->is_signed ? t->width - 1 : t->width);
    return p;
}

/* Rounds the real mantissa r to an integer with mode `mode`, exactly and
   without branches on the data: r = q + d with q = floor(r) (through a
   64-bit integer when |r| < 2^52; larger doubles are integers already) and
   the exact fraction d in [0, 1); then fixed.h's rule adds one or not.  NaN
   and Inf pass through unchanged; a zero result is +0. */
#define TWO52 4503599627370496.0
static inline __attribute__((always_inline)) double round_mantissa(double r,
                                                                    aedl_rounding mode) {
    bool small = fabs(r) < TWO52;                /* false for NaN and Inf */
    long long ir = small ? (long long)r : 0;     /* toward zero */
    double fr = (double)ir;
    long long q = ir - (fr > r);                 /* floor */
    double d = r - (double)q;                    /* exact, in [0, 1) */
    /* bitwise & and | (not && and ||): no branches on the data */
    int up = AEDL_ROUND_UP(mode, (int)(r < 0), (int)(d > 0), (int)(d > 0.5), (int)(d == 0.5),
                           (int)(q & 1));
    return small ? (double)(q + up) : r;
}

/* The integer mantissa of real mantissa r in type p, after rounding and overflow. */
static inline __attribute__((always_inline)) double q_mantissa(const qplan *p, double r,
                                                               aedl_rounding mode) {
    double m = round_mantissa(r, mode);
    if (m < p->below || m >= p->above) {
        if (p->ovf == AEDL_SAT || p->ovf == AEDL_SAT_SYM) m = m < p->below ? p->lo : p->hi;
        else m = (double)aedl_fixed_from_double(p->mant_t, m);   /* WRAP, SAT_ZERO */
    }
    return m;
}

static inline __attribute__((always_inline)) double q_value(const qplan *p, double x,
                                                            uint8_t *inside, aedl_rounding mode) {
    double r = x * p->scale;
    if (inside) *inside = (r >= p->lo && r <= p->hi);
    return q_mantissa(p, r, mode) * p->inv;
}

static inline __attribute__((always_inline)) double q_relu_value(const qplan *p, double x,
                                                                 uint8_t *inside,
                                                                 aedl_rounding mode) {
    double r = (x < 0 ? 0.0 : x) * p->scale;   /* NaN stays NaN */
    if (inside) *inside = (x > 0 && r <= p->hi);
    return q_mantissa(p, r, mode) * p->inv;
}

/* One loop per (element type, relu or not); the rounding mode is a constant in
   each instance (switch outside the loop), so the compiler drops the others. */
#define QLOOP(T, VALUE)                                                                     \
    static void VALUE##_##T(const qplan *pp, const T *in, T *out, long n, uint8_t *inside) { \
        const qplan p = *pp;                                                                \
        switch (p.rnd) {                                                                    \
        case AEDL_TRN:                                                                      \
            for (long i = 0; i < n; i++)                                                    \
                out[i] = (T)VALUE(&p, in[i], inside ? &inside[i] : NULL, AEDL_TRN);         \
            break;                                                                          \
        case AEDL_TRN_ZERO:                                                                 \
            for (long i = 0; i < n; i++)                                                    \
                out[i] = (T)VALUE(&p, in[i], inside ? &inside[i] : NULL, AEDL_TRN_ZERO);    \
            break;                                                                          \
        case AEDL_RND:                                                                      \
            for (long i = 0; i < n; i++)                                                    \
                out[i] = (T)VALUE(&p, in[i], inside ? &inside[i] : NULL, AEDL_RND);         \
            break;                                                                          \
        case AEDL_RND_ZERO:                                                                 \
            for (long i = 0; i < n; i++)                                                    \
                out[i] = (T)VALUE(&p, in[i], inside ? &inside[i] : NULL, AEDL_RND_ZERO);    \
            break;                                                                          \
        case AEDL_RND_INF:                                                                  \
            for (long i = 0; i < n; i++)                                                    \
                out[i] = (T)VALUE(&p, in[i], inside ? &inside[i] : NULL, AEDL_RND_INF);     \
            break;                                                                          \
        case AEDL_RND_MIN_INF:                                                              \
            for (long i = 0; i < n; i++)                                                    \
                out[i] = (T)VALUE(&p, in[i], inside ? &inside[i] : NULL, AEDL_RND_MIN_INF); \
            break;                                                                          \
        default:                                                                            \
            for (long i = 0; i < n; i++)                                                    \
                out[i] = (T)VALUE(&p, in[i], inside ? &inside[i] : NULL, AEDL_RND_CONV);    \
            break;                                                                          \
        }                                                                                   \
    }
QLOOP(float, q_value)
QLOOP(double, q_value)
QLOOP(float, q_relu_value)
QLOOP(double, q_relu_value)

/* ---- the fast double path: sat and sat_sym, W <= 50, round-to-nearest environment ---- */

static bool q_fast_ok(const qplan *p) {
    return p->t.width <= 50 && (p->ovf == AEDL_SAT || p->ovf == AEDL_SAT_SYM) && fegetround() == FE_TONEAREST;
}

/* c (an exact double, |c| <= 2^50 + 1) rounded to an integer by fixed.h's rule
   for `mode`, from q = floor(c) and the exact remainder d = c - q. */
static inline __attribute__((always_inline)) double q_fast_round(double c, aedl_rounding mode) {
    double q = floor(c), d = c - q;
    switch (mode) {
    case AEDL_TRN: return q;
    case AEDL_TRN_ZERO: return trunc(c);
    case AEDL_RND: return d >= 0.5 ? q + 1 : q;
    case AEDL_RND_ZERO: return ((d > 0.5) | ((d == 0.5) & (c < 0))) ? q + 1 : q;
    case AEDL_RND_INF: return ((d > 0.5) | ((d == 0.5) & (c > 0))) ? q + 1 : q;
    case AEDL_RND_MIN_INF: return d > 0.5 ? q + 1 : q;
    default: return nearbyint(c);   /* rnd_conv */
    }
}

/* What q_value / q_relu_value return on this path; NaN stays NaN, a zero is +0. */
static inline __attribute__((always_inline)) double q_fast_value(double x, int relu, aedl_rounding mode,
                                                                 double scale, double inv, double lo, double hi) {
    double r = (relu ? (x < 0 ? 0.0 : x) : x) * scale;
    double c = r < lo - 1 ? lo - 1 : r;
    c = c > hi + 1 ? hi + 1 : c;
    double m = q_fast_round(c, mode);
    m = m < lo ? lo : m;
    m = m > hi ? hi : m;
    return (m + 0.0) * inv;
}

#define QFAST_LOOP(MODE, RELU)                                                                  \
    if (inside)                                                                                 \
        for (long i = 0; i < n; i++) {                                                          \
            double x = in[i], r = (RELU ? (x < 0 ? 0.0 : x) : x) * scale;                       \
            inside[i] = (uint8_t)(RELU ? ((x > 0) & (r <= hi)) : ((r >= lo) & (r <= hi)));      \
            out[i] = q_fast_value(x, RELU, MODE, scale, inv, lo, hi);                           \
        }                                                                                       \
    else                                                                                        \
        for (long i = 0; i < n; i++) out[i] = q_fast_value(in[i], RELU, MODE, scale, inv, lo, hi);
#define QFAST(NAME, RELU)                                                                       \
    Q_CLONES static void NAME(const qplan *p, const double *in, double *out, long n, uint8_t *inside) { \
        const double scale = p->scale, inv = p->inv, lo = p->lo, hi = p->hi;                    \
        switch (p->rnd) {                                                                       \
        case AEDL_TRN: QFAST_LOOP(AEDL_TRN, RELU) break;                                        \
        case AEDL_TRN_ZERO: QFAST_LOOP(AEDL_TRN_ZERO, RELU) break;                              \
        case AEDL_RND: QFAST_LOOP(AEDL_RND, RELU) break;                                        \
        case AEDL_RND_ZERO: QFAST_LOOP(AEDL_RND_ZERO, RELU) break;                              \
        case AEDL_RND_INF: QFAST_LOOP(AEDL_RND_INF, RELU) break;                                \
        case AEDL_RND_MIN_INF: QFAST_LOOP(AEDL_RND_MIN_INF, RELU) break;                        \
        default: QFAST_LOOP(AEDL_RND_CONV, RELU) break;                                         \
        }                                                                                       \
    }
QFAST(q_fast_double, 0)
QFAST(q_fast_relu_double, 1)

double aedl_quantize_value(const aedl_fixed *t, double x) {
    qplan p = plan_of(t);
    double y;
    q_value_double(&p, &x, &y, 1, NULL);
    return y;
}

void aedl_quantize_f32(const aedl_fixed *t, const float *in, float *out, long n,
                       uint8_t *inside) {
    qplan p = plan_of(t);
    q_value_float(&p, in, out, n, inside);
}

void aedl_quantize_f64(const aedl_fixed *t, const double *in, double *out, long n,
                       uint8_t *inside) {
    qplan p = plan_of(t);
    if (q_fast_ok(&p)) q_fast_double(&p, in, out, n, inside);
    else q_value_double(&p, in, out, n, inside);
}

void aedl_quantize_relu_f32(const aedl_fixed *t, const float *in, float *out, long n,
                            uint8_t *inside) {
    qplan p = plan_of(t);
    q_relu_value_float(&p, in, out, n, inside);
}

void aedl_quantize_relu_f64(const aedl_fixed *t, const double *in, double *out, long n,
                            uint8_t *inside) {
    qplan p = plan_of(t);
    if (q_fast_ok(&p)) q_fast_relu_double(&p, in, out, n, inside);
    else q_relu_value_double(&p, in, out, n, inside);
}

void aedl_quantize_backward(float *dinp, const uint8_t *inside, const float *dout, long n) {
    for (long i = 0; i < n; i++)
        if (inside[i]) dinp[i] += dout[i];
}

void aedl_ste_mask(float *g, const uint8_t *inside, long n) {
    for (long i = 0; i < n; i++)
        if (!inside[i]) g[i] = 0.0f;
}

double aedl_quant_min(const aedl_fixed *t) {
    qplan p = plan_of(t);
    return p.lo * p.inv;
}

double aedl_quant_max(const aedl_fixed *t) {
    qplan p = plan_of(t);
    return p.hi * p.inv;
}

aedl_fixed aedl_qkeras_bits(int bits, int integer, int symmetric, int keep_negative) {
    aedl_fixed t;
    t.width = bits;
    t.integer = keep_negative ? integer + 1 : integer;
    t.is_signed = keep_negative != 0;
    t.rnd = AEDL_RND_CONV;
    t.ovf = (symmetric && keep_negative) ? AEDL_SAT_SYM : AEDL_SAT;
    return t;
}

aedl_fixed aedl_qkeras_relu(int bits, int integer) {
    aedl_fixed t = { bits, integer, false, AEDL_RND_CONV, AEDL_SAT };
    return t;
}

long aedl_count_outside_f64(const aedl_fixed *t, const double *in, long n) {
    double lo = aedl_fixed_min(*t), hi = aedl_fixed_max(*t);
    long c = 0;
    for (long i = 0; i < n; i++) c += !(in[i] >= lo && in[i] <= hi);
    return c;
}
