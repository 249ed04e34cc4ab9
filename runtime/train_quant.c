/* train_quant.c — see train_quant.h.
 *
 * Per element, with r = x * 2^(W-I) (exact: a power of two):
 *   inside = lo <= r <= hi      (tested as lo*2^(I-W) <= x <= hi*2^(I-W): exact)
 *   c = clamp(r, lo - 1, hi + 1)          NaN passes (comparisons are false)
 *   rnd_conv: m = (c + 1.5*2^23) - 1.5*2^23     float rounds half to even
 *   rnd:      t = c + 0.5; f = rint(t); m = f > t ? f - 1 : f     (floor)
 *   m = clamp(m, lo, hi); out = m * 2^(I-W)
 * Exact while |c| < 2^22 (W <= 21), and round-then-saturate equals
 * clamp-round-clamp because rounding is monotonic.  A zero result is +0, as
 * in quant.c.  The range [lo, hi] is fixed.h's (aedl_fixed_result_min,
 * aedl_fixed_mant_max); the two roundings are the float forms of fixed.h's
 * AEDL_ROUND_UP for rnd_conv and rnd (train_quant.h's aedl_tq_fast1, which
 * the fused kernels of train_par.c use too).
 */
#include <math.h>
#include "quant.h"
#include "train_par.h"   /* AEDL_CLONES */
#include "train_quant.h"

void aedl_tq_init(aedl_tq *q, const aedl_fixed *t) {
    q->t = *t;
    int W = t->width, e = t->width - t->integer;
    q->fast = W >= 1 && W <= 21 && e >= -100 && e <= 100 &&
              (t->rnd == AEDL_RND_CONV || t->rnd == AEDL_RND) &&
              (t->ovf == AEDL_SAT || t->ovf == AEDL_SAT_SYM);
    q->half_up = t->rnd == AEDL_RND;
    q->scale = ldexpf(1.0f, e);
    q->inv = ldexpf(1.0f, -e);
    bool usable = W >= 1 && W <= 64;             /* others: quant.h refuses them */
    q->lo = usable ? (float)aedl_fixed_result_min(*t) : 0.0f;   /* exact on the fast path */
    q->hi = usable ? (float)aedl_fixed_mant_max(*t) : 0.0f;
}

/* One loop per (rounding, relu, mask) so that each is a straight vectorizable loop. */
#define TQ_LOOP(NAME, UP, RELU)                                                          \
    AEDL_CLONES static void NAME(const aedl_tq *q, const float *in, float *out, long n,              \
                     uint8_t *inside) {                                                  \
        const float scale = q->scale, inv = q->inv, lo = q->lo, hi = q->hi;              \
        const float xlo = RELU ? 0.0f : lo * inv, xhi = hi * inv;                        \
        if (inside)                                                                      \
            for (long i = 0; i < n; i++) {                                               \
                float x = in[i];                                                         \
                inside[i] = (uint8_t)(RELU ? ((x > 0.0f) & (x <= xhi)) : ((x >= xlo) & (x <= xhi))); \
                out[i] = aedl_tq_fast1(RELU ? (x < 0.0f ? 0.0f : x) : x, UP, scale, inv, lo, hi); \
            }                                                                            \
        else                                                                             \
            for (long i = 0; i < n; i++) {                                               \
                float x = in[i];                                                         \
                out[i] = aedl_tq_fast1(RELU ? (x < 0.0f ? 0.0f : x) : x, UP, scale, inv, lo, hi); \
            }                                                                            \
    }
TQ_LOOP(tq_conv, 0, 0)
TQ_LOOP(tq_up, 1, 0)
TQ_LOOP(tq_relu_conv, 0, 1)
TQ_LOOP(tq_relu_up, 1, 1)

/* The range test is on x itself (lo*inv and hi*inv are exact): x * scale may
   underflow to -0 where the exact product is negative. */
void aedl_tq_f32(const aedl_tq *q, const float *in, float *out, long n, uint8_t *inside) {
    if (!q->fast) aedl_quantize_f32(&q->t, in, out, n, inside);
    else if (q->half_up) tq_up(q, in, out, n, inside);
    else tq_conv(q, in, out, n, inside);
}

void aedl_tq_relu_f32(const aedl_tq *q, const float *in, float *out, long n, uint8_t *inside) {
    if (!q->fast) aedl_quantize_relu_f32(&q->t, in, out, n, inside);
    else if (q->half_up) tq_relu_up(q, in, out, n, inside);
    else tq_relu_conv(q, in, out, n, inside);
}

AEDL_CLONES void aedl_tq_backward(float *dinp, const uint8_t *inside, const float *dout, long n) {
    for (long i = 0; i < n; i++) dinp[i] = inside[i] ? dinp[i] + dout[i] : dinp[i];   /* -0 stays -0 */
}
