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

/* ---------------------------------------------------------------------------
 * Exact arithmetic (lib/fixed.c).  The firmware emulator and precision
 * inference use these; lib/hls/ap_fixed.h implements the same rules in C++
 * and tests/fixed checks that both agree bit for bit.
 *
 * A value of type t is a mantissa m (aedl_mant) meaning m * 2^-F, F = W - I.
 * Limits: a type is usable (aedl_fixed_valid) when 1 <= W <= 128 for signed
 * and 1 <= W <= 127 for unsigned types (so every mantissa fits in __int128),
 * and |I|, |W - I| <= AEDL_FIXED_MAX_SHIFT.  Stored types (weights,
 * activations, accumulators written to firmware) have W <= 64; the wider
 * types exist only as full-precision products and sums: the product of two
 * 64-bit signed types (128 bits) is exact, an unsigned 64 x unsigned 64
 * product (128 unsigned bits) is refused.
 *
 * Conversions follow ap_fixed assignment: align the binary point, round the
 * dropped bits by the TARGET's rounding mode, then handle overflow by the
 * target's mode (WRAP: keep the low W bits, sign-extended for signed types;
 * SAT: clamp; SAT_ZERO: 0; SAT_SYM: signed clamp to [-max, max] -- the
 * minimum -2^(W-1) itself becomes -max, as in Vitis HLS (for W = 1 the
 * vendor's -max is the minimum); unsigned as SAT).
 * Functions given an invalid type or an oversized result call aedl_fatal.
 * ------------------------------------------------------------------------- */
#include <stddef.h>

typedef __int128 aedl_mant;
#define AEDL_FIXED_MAX_SHIFT 4096

/* ---------------------------------------------------------------------------
 * The rounding and overflow rules, defined once.  Every C conversion into a
 * fixed-point type decides with these: the exact conversions below
 * (lib/fixed.c), the quantizers of training and quantized inference
 * (runtime/quant.c, runtime/train_quant.c), the emulator's reference path
 * (lib/emu.c) and precision inference (through fixed.c).  Only
 * lib/emu_fast.c (exact doubles, for speed) and the C++ headers
 * lib/hls/ap_fixed.h, ap_int.h implement them apart; tests/fixed and
 * tests/prec check those against these bit for bit.
 * ------------------------------------------------------------------------- */

/* Rounding.  A value x = q + rem, q = floor(x) an integer, 0 <= rem < 1 the
   part below the target's step, becomes q + AEDL_ROUND_UP(mode, ...).  The
   flags are 0 or 1: neg (x < 0), inexact (rem > 0), above (rem > 1/2), tie
   (rem == 1/2), odd (q is odd).  A macro so that it keeps the flags' integer
   type: with a constant mode it is one branch-free expression, which the
   emulator's and the quantizers' loops instantiate per mode (and vectorize). */
#define AEDL_ROUND_UP(mode, neg, inexact, above, tie, odd)                     \
    ((mode) == AEDL_TRN_ZERO      ? ((neg) & (inexact))                        \
     : (mode) == AEDL_RND         ? ((above) | (tie))                          \
     : (mode) == AEDL_RND_ZERO    ? ((above) | ((tie) & (neg)))                \
     : (mode) == AEDL_RND_INF     ? ((above) | ((tie) & !(neg)))               \
     : (mode) == AEDL_RND_MIN_INF ? (above)                                    \
     : (mode) == AEDL_RND_CONV    ? ((above) | ((tie) & (odd)))                \
     : 0)                                         /* AEDL_TRN: floor */

static inline int aedl_round_up(aedl_rounding mode, int neg, int inexact, int above, int tie,
                                int odd) {
    return AEDL_ROUND_UP(mode, neg, inexact, above, tie, odd);
}

/* Overflow.  A rounded mantissa q is kept when it lies in
   [aedl_fixed_result_min(t), aedl_fixed_mant_max(t)]; otherwise
   WRAP keeps its low W bits (sign-extended for signed types), SAT clamps to
   that range, SAT_ZERO gives 0, and SAT_SYM clamps too: for a signed type of
   W > 1 its range starts at -max, so -2^(W-1) itself overflows to -max (as
   Vitis HLS, which sets min | 1; at W = 1, and for unsigned types, as SAT). */
static inline aedl_mant aedl_fixed_mant_max(aedl_fixed t) {       /* 2^(W-1)-1 or 2^W-1 */
    int bits = t.is_signed ? t.width - 1 : t.width;               /* <= 127 */
    return (aedl_mant)((((unsigned __int128)1) << bits) - 1);
}
static inline aedl_mant aedl_fixed_mant_min(aedl_fixed t) {       /* -2^(W-1) or 0 */
    return t.is_signed ? -aedl_fixed_mant_max(t) - 1 : 0;
}
static inline aedl_mant aedl_fixed_result_min(aedl_fixed t) {     /* the smallest result */
    return t.is_signed && t.ovf == AEDL_SAT_SYM && t.width > 1 ? -aedl_fixed_mant_max(t)
                                                               : aedl_fixed_mant_min(t);
}
/* The low W bits of x as a mantissa of t. */
static inline aedl_mant aedl_fixed_wrap(aedl_fixed t, unsigned __int128 x) {
    if (t.width < 128) {
        unsigned __int128 mask = (((unsigned __int128)1) << t.width) - 1;
        x &= mask;
        if (t.is_signed && ((x >> (t.width - 1)) & 1)) x |= ~mask;
    }
    return (aedl_mant)x;
}
/* A rounded mantissa that lies below (side < 0) or above (side > 0) t's range,
   given by its low 128 bits, brought into t by t's overflow mode. */
static inline aedl_mant aedl_fixed_overflowed(aedl_fixed t, int side, unsigned __int128 low) {
    switch (t.ovf) {
    case AEDL_WRAP:     return aedl_fixed_wrap(t, low);
    case AEDL_SAT_ZERO: return 0;
    case AEDL_SAT:
    case AEDL_SAT_SYM:  break;
    }
    return side > 0 ? aedl_fixed_mant_max(t) : aedl_fixed_result_min(t);
}
/* A rounded mantissa q brought into t by t's overflow mode. */
static inline aedl_mant aedl_fixed_overflow(aedl_fixed t, aedl_mant q) {
    if (q > aedl_fixed_mant_max(t)) return aedl_fixed_overflowed(t, 1, (unsigned __int128)q);
    if (q < aedl_fixed_result_min(t)) return aedl_fixed_overflowed(t, -1, (unsigned __int128)q);
    return q;
}

/* A value together with its type. */
typedef struct {
    aedl_mant m;
    aedl_fixed t;
} aedl_fx;

/* A type with the given fields (rounding AEDL_TRN, overflow AEDL_WRAP: the
   ap_fixed defaults, also the modes of full-precision result types). */
aedl_fixed aedl_fixed_make(int width, int integer, bool is_signed);
bool aedl_fixed_valid(aedl_fixed t);
bool aedl_fixed_same(aedl_fixed a, aedl_fixed b);      /* all five fields equal */
int aedl_fixed_frac(aedl_fixed t);                     /* F = W - I */
/* aedl_fixed_mant_max, aedl_fixed_mant_min: above (inline). */
double aedl_fixed_max(aedl_fixed t);                   /* rounded to double if W > 53 */
double aedl_fixed_min(aedl_fixed t);
double aedl_fixed_step(aedl_fixed t);                  /* 2^-F */

/* The exact value m * 2^-frac converted to t (t's rounding and overflow).
   The core of every conversion; any m and any frac in +-AEDL_FIXED_MAX_SHIFT. */
aedl_mant aedl_fixed_quantize(aedl_fixed t, aedl_mant m, int frac);
/* x (exactly, as ap_fixed(double) does) converted to t.  NaN gives 0;
   +-inf behaves as a huge value (SAT: max/min, WRAP: 0). */
aedl_mant aedl_fixed_from_double(aedl_fixed t, double x);
/* m * 2^-F as a double: exact when |m| < 2^53 (and in double's range),
   otherwise rounded to nearest, ties to even. */
double aedl_fixed_to_double(aedl_fixed t, aedl_mant m);
/* x is finite, a multiple of 2^-F and within [min, max] of t. */
bool aedl_fixed_exact(aedl_fixed t, double x);
/* -1, 0, 1 as x * 2^-fx compares with y * 2^-fy (exact for any shifts). */
int aedl_mant_cmp(aedl_mant x, int fx, aedl_mant y, int fy);

/* Full-precision result types, as ap_fixed computes them (modes TRN, WRAP):
   mul: <W1+W2, I1+I2, S1|S2>;  add: I = max(I1 + (S2 && !S1), I2 + (S1 && !S2)) + 1,
   F = max(F1, F2), signed if either is;  sub: as add, always signed;
   neg: <W+1, I+1, signed>.  A result beyond the limits above is fatal. */
aedl_fixed aedl_fixed_mul_type(aedl_fixed a, aedl_fixed b);
aedl_fixed aedl_fixed_add_type(aedl_fixed a, aedl_fixed b);
aedl_fixed aedl_fixed_sub_type(aedl_fixed a, aedl_fixed b);
aedl_fixed aedl_fixed_neg_type(aedl_fixed a);

/* Values: every result is exact in its full-precision type. */
aedl_fx aedl_fx_from_double(aedl_fixed t, double x);
aedl_fx aedl_fx_cast(aedl_fixed t, aedl_fx v);        /* ap_fixed assignment */
aedl_fx aedl_fx_mul(aedl_fx a, aedl_fx b);
aedl_fx aedl_fx_add(aedl_fx a, aedl_fx b);
aedl_fx aedl_fx_sub(aedl_fx a, aedl_fx b);
aedl_fx aedl_fx_neg(aedl_fx a);
int aedl_fx_cmp(aedl_fx a, aedl_fx b);
double aedl_fx_to_double(aedl_fx v);

/* The smallest type holding every multiple of 2^-frac_bits in [lo, hi]
   exactly: unsigned when lo >= 0, else signed; W >= 1; I = W - frac_bits
   (may be negative or exceed W); modes TRN, WRAP (set your own).
   The mantissa form takes the exact bounds lo*2^F, hi*2^F.  The double form
   first rounds lo down and hi up to the grid (so [lo, hi] is always
   covered).  Both return width 0 when lo > hi, a bound is not finite, or no
   type of <= 128 bits (127 unsigned) holds the range. */
aedl_fixed aedl_fixed_for_mant_range(aedl_mant lo, aedl_mant hi, int frac_bits);
aedl_fixed aedl_fixed_for_range(double lo, double hi, int frac_bits);

/* "fixed<16,6,rnd_conv,sat>" / "ufixed<8,0>" (.aedl spelling, modes omitted
   when TRN/WRAP) and "ap_fixed<16,6,AP_RND_CONV,AP_SAT>" / "ap_ufixed<8,0>"
   (HLS spelling, modes omitted when both are the defaults).  Like snprintf:
   returns the length the full text needs. */
int aedl_fixed_format(char *buf, size_t n, aedl_fixed t);
int aedl_fixed_format_hls(char *buf, size_t n, aedl_fixed t);
/* The exact decimal value of m * 2^e ("-0.375", "12", "0") into buf; |m| < 2^53. */
char *aedl_fixed_decimal(int64_t m, int e, char *buf, int n);

#endif
