/* qvalue.h — QKeras' quantizers that are not a rounding to a fixed-point type:
 * binary, ternary and quantized_po2 (qkeras/quantizers.py; docs/import.md).
 * Each maps a weight to a value that a fixed type holds exactly (the IR's
 * quantizer type), so that everything after the map is fixed-point as usual.
 *
 *   binary(use_01, alpha):   alpha * sign(x), sign(0) = +1; use_01: alpha * (sign(x) + 1) / 2
 *   ternary(alpha, threshold): alpha * sign(x) where |x| >= threshold (float32), else 0
 *   quantized_po2(bits, max_value): sign(x) * 2^e, e = round(log2(min(|x|, max_value)))
 *       clipped to [min_exp, max_exp]; |x| < 1e-7 (float32) gives 2^min_exp
 */
#ifndef AEDL_QVALUE_H
#define AEDL_QVALUE_H
#include <stdint.h>

typedef enum { AEDL_QV_NONE, AEDL_QV_BINARY, AEDL_QV_TERNARY, AEDL_QV_PO2 } aedl_qv_kind;

typedef struct {
    aedl_qv_kind kind;
    double alpha;               /* binary, ternary: the scale */
    int use_01;                 /* binary */
    float threshold;            /* ternary */
    int min_exp, max_exp;       /* quantized_po2 */
    double max_value;           /* quantized_po2: 0 for None */
    int log2_floor;             /* quantized_po2: log2_rounding="floor" */
} aedl_qv;

/* quantized_po2's exponent range (QKeras' _get_min_max_exponents with the
   max_value cap): bits 2..7, max_value 0 for None. */
void aedl_qv_po2_range(int bits, double max_value, int log2_floor, int *min_exp, int *max_exp);

double aedl_qv_apply(const aedl_qv *q, float x);
/* Training's forward: out = the values; the gradient passes straight through
   (QKeras' x + stop_gradient(q(x) - x)): inside, when given, is all 1. */
void aedl_qv_f32(const aedl_qv *q, const float *in, float *out, long n, uint8_t *inside);
void aedl_qv_f64(const aedl_qv *q, const double *in, double *out, long n);

#endif
