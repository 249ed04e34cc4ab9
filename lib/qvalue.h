/* qvalue.h — QKeras' quantizers that are not a rounding to a fixed-point type:
 * binary, ternary and quantized_po2 (qkeras/quantizers.py; docs/import.md).
 * Each maps a weight to a value that a fixed type holds exactly (the IR's
 * quantizer type), so that everything after the map is fixed-point as usual.
 *
 *   binary(use_01, alpha):   alpha * sign(x), sign(0) = +1; use_01: alpha * (sign(x) + 1) / 2
 *   ternary(alpha, threshold): alpha * sign(x) where |x| >= threshold (float32), else 0
 *   quantized_po2(bits, max_value): sign(x) * 2^e, e = round(log2(min(|x|, max_value)))
 *       clipped to [min_exp, max_exp]; |x| < 1e-7 (float32) gives 2^min_exp
 *   quantized_bits(bits, integer, alpha="auto" / "auto_po2"): a per-channel power-of-two
 *       scale computed from the whole tensor (aedl_qv_auto_f32 below)
 */
#ifndef AEDL_QVALUE_H
#define AEDL_QVALUE_H
#include <stdint.h>

typedef enum { AEDL_QV_NONE, AEDL_QV_BINARY, AEDL_QV_TERNARY, AEDL_QV_PO2, AEDL_QV_BITS_AUTO } aedl_qv_kind;

typedef struct {
    aedl_qv_kind kind;
    double alpha;               /* binary, ternary: the scale */
    int use_01;                 /* binary */
    float threshold;            /* ternary */
    int min_exp, max_exp;       /* quantized_po2 */
    double max_value;           /* quantized_po2: 0 for None */
    int log2_floor;             /* quantized_po2: log2_rounding="floor" */
    int bits, integer;          /* quantized_bits(alpha="auto" / "auto_po2") */
    int auto_po2;               /* alpha="auto_po2": the first scale is a power of two too */
} aedl_qv;

/* quantized_po2's exponent range (QKeras' _get_min_max_exponents with the
   max_value cap): bits 2..7, max_value 0 for None. */
void aedl_qv_po2_range(int bits, double max_value, int log2_floor, int *min_exp, int *max_exp);

/* quantized_bits(bits, integer, alpha="auto" / "auto_po2") of a tensor whose last axis
   (cols values apart, row-major) holds the channels: QKeras' per-channel scale
   (qkeras/quantizers.py, quantized_bits.__call__ with a string alpha), per channel c:
     x = w / 2^integer; levels = 2^bits - 1; top = 2^(bits-1) - 1
     s = (max(x) - min(x)) / levels             (float32; auto_po2: po2(s))
     5 times: z = sign(x) * min(floor(|x| / s + 0.5), top)   (float32)
              s = po2(mean(x * z) / (mean(z * z) + 1e-7))
     value = 2^integer * z * s                  (z of the 5th pass, s after it)
   po2(s) = 2^round(log2(s + 1e-7)), round half to even.  The means and the
   logarithm are computed in double (TensorFlow: float32), so a scale can differ
   from TensorFlow's only when log2 of the ratio is within float32 rounding of
   k + 1/2.  A kernel (n_in, n_out) has cols = n_out; a bias, cols = 1 (one scale). */
void aedl_qv_auto_f32(const aedl_qv *q, const float *in, float *out, long n, long cols, uint8_t *inside);
void aedl_qv_auto_f64(const aedl_qv *q, const double *in, double *out, long n, long cols);

double aedl_qv_apply(const aedl_qv *q, float x);
/* Training's forward: out = the values; the gradient passes straight through
   (QKeras' x + stop_gradient(q(x) - x)): inside, when given, is all 1. */
void aedl_qv_f32(const aedl_qv *q, const float *in, float *out, long n, uint8_t *inside);
void aedl_qv_f64(const aedl_qv *q, const double *in, double *out, long n);

#endif
