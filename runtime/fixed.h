/* fixed.h — fixed-point types with the exact semantics of HLS ap_fixed.
 *
 * One definition of a fixed-point type, shared by the compiler (IR, precision
 * inference, emitters) and the runtime (quantization-aware training, the
 * firmware emulator).  A value of type <W, I> is an integer mantissa m with
 * value m * 2^(I - W); signed types hold m in [-2^(W-1), 2^(W-1) - 1],
 * unsigned ones m in [0, 2^W - 1].  I counts integer bits including the sign
 * (as in ap_fixed), and may be negative or larger than W.
 */
#ifndef AEDL_FIXED_H
#define AEDL_FIXED_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    AEDL_TRN,          /* toward minus infinity (truncate): ap_fixed default */
    AEDL_TRN_ZERO,     /* toward zero */
    AEDL_RND,          /* to nearest, half toward plus infinity */
    AEDL_RND_ZERO,     /* to nearest, half toward zero */
    AEDL_RND_INF,      /* to nearest, half away from zero */
    AEDL_RND_MIN_INF,  /* to nearest, half toward minus infinity */
    AEDL_RND_CONV      /* to nearest, half to even (QKeras' tf.round) */
} aedl_rounding;

typedef enum {
    AEDL_WRAP,         /* keep the low W bits: ap_fixed default */
    AEDL_SAT,          /* clamp to [min, max] */
    AEDL_SAT_ZERO,     /* overflow gives 0 */
    AEDL_SAT_SYM       /* clamp to [-max, max] (signed) */
} aedl_overflow;

typedef struct {
    int width;            /* W: total bits, 1..64 (wider only inside the emulator) */
    int integer;          /* I: integer bits, sign included for signed types */
    bool is_signed;
    aedl_rounding rnd;
    aedl_overflow ovf;
} aedl_fixed;

/* Names as written in .aedl ("rnd_conv", "sat") and in HLS ("AP_RND_CONV"). */
const char *aedl_rounding_name(aedl_rounding r);
const char *aedl_overflow_name(aedl_overflow o);
const char *aedl_rounding_hls(aedl_rounding r);
const char *aedl_overflow_hls(aedl_overflow o);

#endif
