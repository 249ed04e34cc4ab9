/* quant.c — fixed-point quantizers in double arithmetic (see quant.h).
 *
 * Every value goes through q_value(): scale by 2^F (F = W - I, exact), round
 * the magnitude with the mode (exact: the fraction a - floor(a) of a
 * non-negative double is exact), then apply the overflow mode on the integer
 * mantissa, then scale back by 2^-F (exact).
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

/* Rounds the real mantissa r to an integer with mode `mode`, exactly. */
static inline double round_mantissa(double r, aedl_rounding mode) {
    if (mode == AEDL_TRN) return floor(r);
    if (mode == AEDL_TRN_ZERO) return trunc(r);
    double a = fabs(r), fa = floor(a), d = a - fa;  /* d exact, in [0, 1) */
    double mag;
    if (d > 0.5) {
        mag = fa + 1.0;
    } else if (d < 0.5) {
        mag = fa;
    } else {  /* exactly half-way: the tie rule, expressed on the magnitude */
        bool away;
        switch (mode) {
        case AEDL_RND:         away = r > 0; break;           /* toward +inf */
        case AEDL_RND_ZERO:    away = false; break;           /* toward zero */
        case AEDL_RND_INF:     away = true; break;            /* away from zero */
        case AEDL_RND_MIN_INF: away = r < 0; break;           /* toward -inf */
        default:               away = fmod(fa, 2.0) != 0.0;   /* to even */
        }
        mag = away ? fa + 1.0 : fa;
    }
    return (r < 0 ? -mag : mag) + 0.0;   /* + 0.0 turns -0 into +0 */
}

/* The integer mantissa of x in type p, after rounding and overflow. */
static inline double q_mantissa(const qplan *p, double r) {
    double m = round_mantissa(r, p->rnd);
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

static inline double q_value(const qplan *p, double x, uint8_t *inside) {
    double r = x * p->scale;
    if (inside) *inside = (r >= p->lo && r <= p->hi);
    return q_mantissa(p, r) * p->inv;
}

static inline double q_relu_value(const qplan *p, double x, uint8_t *inside) {
    double r = (x < 0 ? 0.0 : x) * p->scale;   /* NaN stays NaN */
    if (inside) *inside = (x > 0 && r <= p->hi);
    return q_mantissa(p, r) * p->inv;
}

double aedl_quantize_value(const aedl_fixed *t, double x) {
    qplan p = plan_of(t);
    return q_value(&p, x, NULL);
}

void aedl_quantize_f32(const aedl_fixed *t, const float *in, float *out, long n,
                       uint8_t *inside) {
    qplan p = plan_of(t);
    if (inside) {
        for (long i = 0; i < n; i++) out[i] = (float)q_value(&p, in[i], &inside[i]);
    } else {
        for (long i = 0; i < n; i++) out[i] = (float)q_value(&p, in[i], NULL);
    }
}

void aedl_quantize_f64(const aedl_fixed *t, const double *in, double *out, long n,
                       uint8_t *inside) {
    qplan p = plan_of(t);
    for (long i = 0; i < n; i++) out[i] = q_value(&p, in[i], inside ? &inside[i] : NULL);
}

void aedl_quantize_relu_f32(const aedl_fixed *t, const float *in, float *out, long n,
                            uint8_t *inside) {
    qplan p = plan_of(t);
    for (long i = 0; i < n; i++)
        out[i] = (float)q_relu_value(&p, in[i], inside ? &inside[i] : NULL);
}

void aedl_quantize_relu_f64(const aedl_fixed *t, const double *in, double *out, long n,
                            uint8_t *inside) {
    qplan p = plan_of(t);
    for (long i = 0; i < n; i++) out[i] = q_relu_value(&p, in[i], inside ? &inside[i] : NULL);
}

void aedl_quantize_backward(float *dinp, const uint8_t *inside, const float *dout, long n) {
    for (long i = 0; i < n; i++)
        if (inside[i]) dinp[i] += dout[i];
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
