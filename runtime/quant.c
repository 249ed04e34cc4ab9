/* quant.c — fixed-point quantizers in double arithmetic (see quant.h).
 *
 * Every value goes through q_value(): scale by 2^F (F = W - I, exact), round
 * the magnitude with the mode (exact: the fraction a - floor(a) of a
 * non-negative double is exact), then apply the overflow mode on the integer
 * mantissa, then scale back by 2^-F (exact).  Rounding is branch-free and the
 * mode is fixed per loop: about 1-2 ns per value.
 */
#include "quant.h"

#include <math.h>
#include "util.h"

typedef struct {
    double scale, inv;   /* 2^F, 2^-F */
    double lo, hi;       /* mantissa range after overflow handling ([-hi, hi] for signed SAT_SYM) */
    double below, above; /* overflow iff m < below or m >= above (exact powers of two) */
    double modulus;      /* 2^W, for WRAP */
    bool sgn;
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
    p.scale = ldexp(1.0, f);
    p.inv = ldexp(1.0, -f);
    p.sgn = t->is_signed;
    p.rnd = t->rnd;
    p.ovf = t->ovf;
    p.modulus = ldexp(1.0, t->width);
    if (t->is_signed) {
        p.above = ldexp(1.0, t->width - 1);
        p.below = -p.above;
        p.hi = p.above - 1.0;
        /* SAT_SYM: -2^(W-1) itself overflows to -max; for W = 1 (max = 0) Vitis HLS
           keeps -1 (it sets min | 1, which is min), so W = 1 behaves as SAT. */
        bool sym = t->ovf == AEDL_SAT_SYM && t->width > 1;
        p.lo = sym ? -p.hi : p.below;
        p.below = p.lo;
    } else {
        p.above = p.modulus;
        p.below = 0.0;
        p.hi = p.modulus - 1.0;
        p.lo = 0.0;
    }
    return p;
}

/* Rounds the real mantissa r to an integer with mode `mode`, exactly and
   without branches on the data: the magnitude a = |r| is split into its
   integer part fa (through a 64-bit integer when a < 2^52; larger doubles are
   integers already) and the exact fraction d = a - fa; then one is added to
   the magnitude when the mode says so.  NaN and Inf pass through unchanged. */
#define TWO52 4503599627370496.0
static inline __attribute__((always_inline)) double round_mantissa(double r,
                                                                    aedl_rounding mode) {
    double a = fabs(r);
    bool small = a < TWO52;                      /* false for NaN and Inf */
    long long ia = small ? (long long)a : 0;
    double fa = small ? (double)ia : a;
    double d = a - fa;                           /* exact, in [0, 1) */
    /* bitwise & and | (not && and ||): no branches on the data */
    int neg = r < 0, gt = d > 0.5, tie = d == 0.5, up;
    switch (mode) {
    case AEDL_TRN:         up = neg & (d > 0); break;             /* floor */
    case AEDL_TRN_ZERO:    up = 0; break;
    case AEDL_RND:         up = gt | (tie & !neg); break;         /* half to +inf */
    case AEDL_RND_ZERO:    up = gt; break;                        /* half to zero */
    case AEDL_RND_INF:     up = gt | tie; break;                  /* half away */
    case AEDL_RND_MIN_INF: up = gt | (tie & neg); break;          /* half to -inf */
    default:               up = gt | (tie & (int)(ia & 1)); break; /* half to even */
    }
    double mag = fa + (double)up;
    return (neg ? -mag : mag) + 0.0;   /* + 0.0 turns -0 into +0 */
}

/* The integer mantissa of real mantissa r in type p, after rounding and overflow. */
static inline __attribute__((always_inline)) double q_mantissa(const qplan *p, double r,
                                                               aedl_rounding mode) {
    double m = round_mantissa(r, mode);
    if (m < p->below || m >= p->above) {
        switch (p->ovf) {
        case AEDL_WRAP: {
            if (isinf(m)) { m = 0.0; break; }       /* the low bits of a huge value */
            double w = fmod(m, p->modulus);          /* exact */
            if (w < 0) w += p->modulus;
            if (p->sgn && w >= p->above) w -= p->modulus;
            m = w;
            break;
        }
        case AEDL_SAT_ZERO: m = 0.0; break;
        default:            m = (m < p->below) ? p->lo : p->hi; break;  /* SAT, SAT_SYM */
        }
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
    q_value_double(&p, in, out, n, inside);
}

void aedl_quantize_relu_f32(const aedl_fixed *t, const float *in, float *out, long n,
                            uint8_t *inside) {
    qplan p = plan_of(t);
    q_relu_value_float(&p, in, out, n, inside);
}

void aedl_quantize_relu_f64(const aedl_fixed *t, const double *in, double *out, long n,
                            uint8_t *inside) {
    qplan p = plan_of(t);
    q_relu_value_double(&p, in, out, n, inside);
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
