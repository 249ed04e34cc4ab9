/* quant.h — fixed-point quantizers for quantization-aware training and for the
 * double-precision "quantized inference" (QI).
 *
 * aedl_quantize_* maps every value to the nearest value of an aedl_fixed type
 * <W, I, signed, rnd, ovf> exactly as ap_fixed does when it is assigned a
 * real number: the real mantissa r = x * 2^(W-I) is rounded to an integer m
 * with the rounding mode, then m is brought into [mmin, mmax] with the
 * overflow mode (rounding first, so a carry out of rounding overflows):
 *
 *   signed:   mmin = -2^(W-1), mmax = 2^(W-1) - 1;  unsigned: mmin = 0, mmax = 2^W - 1
 *   AEDL_WRAP      m mod 2^W, as two's complement when signed
 *   AEDL_SAT       clamp to [mmin, mmax]
 *   AEDL_SAT_ZERO  0 when m is outside [mmin, mmax]
 *   AEDL_SAT_SYM   signed: clamp to [-mmax, mmax] (so -2^(W-1) becomes -mmax);
 *                  unsigned, and signed W = 1 (as Vitis HLS): as AEDL_SAT
 *
 * The result is m * 2^(I-W).  The rules are fixed.h's (AEDL_ROUND_UP,
 * aedl_fixed_result_min / aedl_fixed_mant_max; wrap and sat_zero overflows go
 * through lib/fixed.c), applied in double arithmetic for speed; tests compare the
 * results with fixed.c's exact conversion.  Exact for every W <= 53 (larger W
 * gives the nearest double of the exact result; W <= 32 is what models use).
 * +-Inf saturates under SAT and SAT_SYM and gives 0 under SAT_ZERO and WRAP
 * (as lib/fixed.c).  NaN stays NaN here (fixed.c maps it to 0): training
 * must see a diverging model (terminate_on_nan).
 *
 * Straight-through gradient: `inside` (optional, may be NULL) receives 1 when
 * the input lies in the representable range [min, max] of the type (for
 * SAT_SYM [-max, max]; for WRAP the type's range too) and 0 otherwise (NaN
 * included).  aedl_quantize_backward passes the gradient where inside is 1.
 *
 * Quantized relu (QKeras quantized_relu(b, i) == relu then ufixed<b, i, rnd_conv,
 * sat>): use aedl_quantize_relu_*, which applies relu and the type in one pass;
 * its `inside` is 1 only where 0 < x <= max, so aedl_quantize_backward alone
 * gives the gradient of the pair (relu's derivative included).
 *
 * in == out is allowed (in-place).
 */
#ifndef AEDL_QUANT_H
#define AEDL_QUANT_H

#include <stdint.h>
#include "fixed.h"

/* out[i] = Q_t(in[i]) for i < n.  in, out: (n); inside: (n) or NULL. */
void aedl_quantize_f32(const aedl_fixed *t, const float *in, float *out, long n,
                       uint8_t *inside);
void aedl_quantize_f64(const aedl_fixed *t, const double *in, double *out, long n,
                       uint8_t *inside);

/* How many in[i] (n) lie outside t's range [min, max]: those t saturates (or wraps). */
long aedl_count_outside_f64(const aedl_fixed *t, const double *in, long n);

/* out[i] = Q_t(max(in[i], 0)); inside[i] = (0 < in[i] <= max of t).  Shapes as above. */
void aedl_quantize_relu_f32(const aedl_fixed *t, const float *in, float *out, long n,
                            uint8_t *inside);
void aedl_quantize_relu_f64(const aedl_fixed *t, const double *in, double *out, long n,
                            uint8_t *inside);

/* Straight-through backward: dinp[i] += inside[i] ? dout[i] : 0.  All (n). */
void aedl_quantize_backward(float *dinp, const uint8_t *inside, const float *dout, long n);
/* In place: g[i] = inside[i] ? g[i] : 0.  For a quantized weight w -> q(w) used
   by a layer: zero its gradient, run the layer's backward (it accumulates
   d loss / d q(w) into g), then aedl_ste_mask(g, inside_w, n).  All (n). */
void aedl_ste_mask(float *g, const uint8_t *inside, long n);

/* One value (double in, double out): the reference the array versions use. */
double aedl_quantize_value(const aedl_fixed *t, double x);

/* The range of the quantizer's results: the smallest and largest values of t
   (the smallest is -max for signed SAT_SYM); `inside` tests x against it. */
double aedl_quant_min(const aedl_fixed *t);
double aedl_quant_max(const aedl_fixed *t);

/* The types behind the QKeras quantizers (see docs/semantics.md):
   quantized_bits(bits, integer, symmetric, keep_negative) and quantized_relu(bits, integer). */
aedl_fixed aedl_qkeras_bits(int bits, int integer, int symmetric, int keep_negative);
aedl_fixed aedl_qkeras_relu(int bits, int integer);

#endif
