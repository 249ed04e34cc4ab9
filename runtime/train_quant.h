/* train_quant.h — the training loop's fast float quantizers.
 *
 * The same function as quant.h's aedl_quantize_f32 / aedl_quantize_relu_f32
 * (bit for bit: value, NaN, -0 -> +0, `inside`), computed in float with the
 * 1.5 * 2^23 rounding trick for the types QAT uses: rounding rnd_conv or rnd,
 * overflow sat or sat_sym, W <= 21, |W - I| <= 100.  For every other type they
 * call quant.h.  The range is fixed.h's; aedl_tq_fast1 is the one float form
 * of its rounding rule for those two modes.  tests/train/test_train_quant.c
 * compares them with quant.h on edge values and random ones.
 *
 *   aedl_tq q;
 *   aedl_tq_init(&q, &type);
 *   aedl_tq_f32(&q, in, out, n, inside);        // inside (n) or NULL
 *   aedl_tq_relu_f32(&q, in, out, n, inside);
 */
#ifndef AEDL_TRAIN_QUANT_H
#define AEDL_TRAIN_QUANT_H
#include <stdint.h>
#include "qvalue.h"
#include "fixed.h"

typedef struct {
    aedl_fixed t;
    int fast;                   /* 0: quant.h does the work */
    int half_up;                /* rnd (half toward +inf) instead of rnd_conv */
    float scale, inv;           /* 2^(W-I), 2^(I-W) */
    float lo, hi;               /* mantissa range after saturation */
} aedl_tq;

void aedl_tq_init(aedl_tq *q, const aedl_fixed *t);
/* out[i] = Q(in[i]); inside[i] = in[i] inside the range (straight-through mask). */
void aedl_tq_f32(const aedl_tq *q, const float *in, float *out, long n, uint8_t *inside);
/* out[i] = Q(max(in[i], 0)); inside[i] = 0 < in[i] <= max. */
void aedl_tq_relu_f32(const aedl_tq *q, const float *in, float *out, long n, uint8_t *inside);

/* Straight-through backward, as aedl_quantize_backward: dinp[i] += dout[i] where inside[i]. */
void aedl_tq_backward(float *dinp, const uint8_t *inside, const float *dout, long n);

/* One value on the fast path (q->fast): what aedl_tq_f32 computes, for fused
   kernels (train_par.c) that quantize inside their own loops.  `up` is
   q->half_up; lo, hi, scale, inv are q's.  The straight-through test of a
   value x is xlo <= x <= xhi with xlo = lo * inv, xhi = hi * inv (exact). */
#define AEDL_TQ_MAGIC 12582912.0f   /* 1.5 * 2^23 */
static inline float aedl_tq_fast1(float x, int up, float scale, float inv, float lo, float hi) {
    float r = x * scale;
    float c = r < lo - 1.0f ? lo - 1.0f : r;
    c = c > hi + 1.0f ? hi + 1.0f : c;
    /* to nearest, ties to even; rnd moves the ties that went down up (m - c is
       exact: both are within 2^23 and at most 1 apart) */
    float m = (c + AEDL_TQ_MAGIC) - AEDL_TQ_MAGIC;
    if (up) m += m - c == -0.5f ? 1.0f : 0.0f;
    m = m < lo ? lo : m;
    return ((m > hi ? hi : m) + 0.0f) * inv;
}

#endif
