/* fixed.c — exact fixed-point arithmetic with the semantics of HLS ap_fixed.
 *
 * Every value is an integer mantissa m (aedl_mant, 128 bits) with the value
 * m * 2^-F of its type (F = W - I fraction bits).  One function does all the
 * work of a conversion: aedl_fixed_quantize takes an exact value m * 2^-frac,
 * rounds away the bits finer than the target's step (by the target's rounding
 * mode), then applies the target's overflow mode, both by the rules defined
 * in fixed.h (AEDL_ROUND_UP, aedl_fixed_overflow).  Doubles, other types and
 * accumulators all go through it.  Products and sums are exact: their result
 * types are the full-precision types ap_fixed gives them.
 *
 * Shifts on signed 128-bit numbers are done on the unsigned type (left shifts
 * of negative numbers are undefined in C); the conversion back to signed is
 * GCC's modular one.
 */
#include "fixed.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

typedef unsigned __int128 u128;

#define MANT_MAX ((aedl_mant)(~(u128)0 >> 1))   /* 2^127 - 1 */
#define MANT_MIN (-MANT_MAX - 1)                 /* -2^127 */

/* ---- names ------------------------------------------------------------- */

const char *aedl_rounding_name(aedl_rounding r) {
    switch (r) {
    case AEDL_TRN: return "trn";
    case AEDL_TRN_ZERO: return "trn_zero";
    case AEDL_RND: return "rnd";
    case AEDL_RND_ZERO: return "rnd_zero";
    case AEDL_RND_INF: return "rnd_inf";
    case AEDL_RND_MIN_INF: return "rnd_min_inf";
    case AEDL_RND_CONV: return "rnd_conv";
    }
    return "?";
}

const char *aedl_overflow_name(aedl_overflow o) {
    switch (o) {
    case AEDL_WRAP: return "wrap";
    case AEDL_SAT: return "sat";
    case AEDL_SAT_ZERO: return "sat_zero";
    case AEDL_SAT_SYM: return "sat_sym";
    }
    return "?";
}

const char *aedl_rounding_hls(aedl_rounding r) {
    switch (r) {
    case AEDL_TRN: return "AP_TRN";
    case AEDL_TRN_ZERO: return "AP_TRN_ZERO";
    case AEDL_RND: return "AP_RND";
    case AEDL_RND_ZERO: return "AP_RND_ZERO";
    case AEDL_RND_INF: return "AP_RND_INF";
    case AEDL_RND_MIN_INF: return "AP_RND_MIN_INF";
    case AEDL_RND_CONV: return "AP_RND_CONV";
    }
    return "?";
}

const char *aedl_overflow_hls(aedl_overflow o) {
    switch (o) {
    case AEDL_WRAP: return "AP_WRAP";
    case AEDL_SAT: return "AP_SAT";
    case AEDL_SAT_ZERO: return "AP_SAT_ZERO";
    case AEDL_SAT_SYM: return "AP_SAT_SYM";
    }
    return "?";
}

int aedl_fixed_format(char *buf, size_t n, aedl_fixed t) {
    const char *u = t.is_signed ? "" : "u";
    if (t.rnd == AEDL_TRN && t.ovf == AEDL_WRAP)
        return snprintf(buf, n, "%sfixed<%d,%d>", u, t.width, t.integer);
    if (t.ovf == AEDL_WRAP)
        return snprintf(buf, n, "%sfixed<%d,%d,%s>", u, t.width, t.integer,
                        aedl_rounding_name(t.rnd));
    return snprintf(buf, n, "%sfixed<%d,%d,%s,%s>", u, t.width, t.integer,
                    aedl_rounding_name(t.rnd), aedl_overflow_name(t.ovf));
}

int aedl_fixed_format_hls(char *buf, size_t n, aedl_fixed t) {
    const char *u = t.is_signed ? "" : "u";
    if (t.rnd == AEDL_TRN && t.ovf == AEDL_WRAP)
        return snprintf(buf, n, "ap_%sfixed<%d,%d>", u, t.width, t.integer);
    return snprintf(buf, n, "ap_%sfixed<%d,%d,%s,%s>", u, t.width, t.integer,
                    aedl_rounding_hls(t.rnd), aedl_overflow_hls(t.ovf));
}

/* ---- types ------------------------------------------------------------- */

aedl_fixed aedl_fixed_make(int width, int integer, bool is_signed) {
    aedl_fixed t = {width, integer, is_signed, AEDL_TRN, AEDL_WRAP};
    return t;
}

bool aedl_fixed_valid(aedl_fixed t) {
    int wmax = t.is_signed ? 128 : 127;
    return t.width >= 1 && t.width <= wmax &&
           t.integer >= -AEDL_FIXED_MAX_SHIFT && t.integer <= AEDL_FIXED_MAX_SHIFT &&
           t.width - t.integer >= -AEDL_FIXED_MAX_SHIFT &&
           t.width - t.integer <= AEDL_FIXED_MAX_SHIFT &&
           (unsigned)t.rnd <= AEDL_RND_CONV && (unsigned)t.ovf <= AEDL_SAT_SYM;
}

bool aedl_fixed_same(aedl_fixed a, aedl_fixed b) {
    return a.width == b.width && a.integer == b.integer && a.is_signed == b.is_signed &&
           a.rnd == b.rnd && a.ovf == b.ovf;
}

static void need_valid(aedl_fixed t, const char *what) {
    if (!aedl_fixed_valid(t)) {
        char buf[96];
        aedl_fixed_format(buf, sizeof buf, t);
        aedl_fatal("%s: fixed-point type %s is outside the supported limits "
                   "(1..128 bits signed, 1..127 unsigned)", what, buf);
    }
}

int aedl_fixed_frac(aedl_fixed t) { return t.width - t.integer; }

double aedl_fixed_to_double(aedl_fixed t, aedl_mant m) {
    return ldexp((double)m, -aedl_fixed_frac(t));
}

double aedl_fixed_max(aedl_fixed t) { return aedl_fixed_to_double(t, aedl_fixed_mant_max(t)); }
double aedl_fixed_min(aedl_fixed t) { return aedl_fixed_to_double(t, aedl_fixed_mant_min(t)); }
double aedl_fixed_step(aedl_fixed t) { return ldexp(1.0, -aedl_fixed_frac(t)); }

/* ---- the conversion core ------------------------------------------------ */

/* x * 2^d for 0 <= d < 128, wrapping modulo 2^128. */
static aedl_mant shl(aedl_mant x, int d) { return (aedl_mant)((u128)x << d); }

/* m / 2^k (k >= 1) rounded by mode r (fixed.h's rule).  q = floor(m / 2^k)
   and the dropped part rem = m - q 2^k in [0, 2^k) is compared with
   half = 2^(k-1). */
static aedl_mant round_shift(aedl_mant m, int k, aedl_rounding r) {
    aedl_mant q;
    int c;                          /* rem vs half: -1 below, 0 equal, 1 above */
    bool exact;
    if (k > 128) {                  /* |m| <= 2^127 < half */
        q = m < 0 ? -1 : 0;
        exact = m == 0;
        c = m < 0 ? 1 : -1;
    } else {
        u128 rem, half = (u128)1 << (k - 1);
        if (k == 128) {
            q = m < 0 ? -1 : 0;
            rem = (u128)m;
        } else {
            q = m >> k;             /* arithmetic: floor */
            rem = (u128)m & (((u128)1 << k) - 1);
        }
        exact = rem == 0;
        c = rem < half ? -1 : rem > half;
    }
    return q + aedl_round_up(r, m < 0, !exact, c > 0, c == 0, (int)(q & 1));
}

aedl_mant aedl_fixed_quantize(aedl_fixed t, aedl_mant m, int frac) {
    need_valid(t, "aedl_fixed_quantize");
    if (frac < -2 * AEDL_FIXED_MAX_SHIFT || frac > 2 * AEDL_FIXED_MAX_SHIFT)
        aedl_fatal("aedl_fixed_quantize: shift %d out of range", frac);
    int d = aedl_fixed_frac(t) - frac;      /* > 0: exact left shift; < 0: round */
    if (d < 0) return aedl_fixed_overflow(t, round_shift(m, -d, t.rnd));
    if (m == 0) return 0;
    if (d >= 128 || m > (MANT_MAX >> d) || m < (MANT_MIN >> d))   /* beyond 128 bits: beyond every type */
        return aedl_fixed_overflowed(t, m > 0 ? 1 : -1, d >= 128 ? 0 : (u128)m << d);
    return aedl_fixed_overflow(t, shl(m, d));
}

/* x = m * 2^-frac exactly, |m| < 2^53.  x must be finite. */
static void split_double(double x, aedl_mant *m, int *frac) {
    int e;
    double f = frexp(x, &e);                /* x = f 2^e, 0.5 <= |f| < 1 */
    *m = (aedl_mant)(long long)ldexp(f, 53);
    *frac = 53 - e;
}

aedl_mant aedl_fixed_from_double(aedl_fixed t, double x) {
    if (isnan(x)) return 0;
    if (isinf(x))   /* as +-2^(2 MAX_SHIFT): beyond every type, low bits zero */
        return aedl_fixed_quantize(t, x > 0 ? 1 : -1, -2 * AEDL_FIXED_MAX_SHIFT);
    if (x == 0) return 0;
    aedl_mant m;
    int frac;
    split_double(x, &m, &frac);
    return aedl_fixed_quantize(t, m, frac);
}

int aedl_mant_cmp(aedl_mant x, int fx, aedl_mant y, int fy) {
    if (fx < fy) return -aedl_mant_cmp(y, fy, x, fx);
    /* x has the finer step: x 2^-fx = (q + rem / 2^d) 2^-fy with q = floor(x / 2^d). */
    int d = fx - fy;
    aedl_mant q;
    bool rem;
    if (d == 0) {
        q = x;
        rem = false;
    } else if (d >= 128) {
        q = x < 0 ? -1 : 0;
        rem = x != 0;                       /* |x| <= 2^127 < 2^d: a fraction remains */
    } else {
        q = x >> d;
        rem = ((u128)x & (((u128)1 << d) - 1)) != 0;
    }
    if (q != y) return q < y ? -1 : 1;
    return rem ? 1 : 0;
}

bool aedl_fixed_exact(aedl_fixed t, double x) {
    need_valid(t, "aedl_fixed_exact");
    if (!isfinite(x)) return false;
    if (x == 0) return true;
    aedl_mant m;
    int frac;
    split_double(x, &m, &frac);
    aedl_fixed probe = t;                   /* truncate, saturate: in range iff unchanged */
    probe.rnd = AEDL_TRN;
    probe.ovf = AEDL_SAT;
    aedl_mant q = aedl_fixed_quantize(probe, m, frac);
    return aedl_mant_cmp(q, aedl_fixed_frac(t), m, frac) == 0;
}

/* ---- full-precision arithmetic ----------------------------------------- */

static aedl_fixed result_type(int width, int integer, bool is_signed, const char *op) {
    aedl_fixed r = aedl_fixed_make(width, integer, is_signed);
    need_valid(r, op);
    return r;
}

aedl_fixed aedl_fixed_mul_type(aedl_fixed a, aedl_fixed b) {
    return result_type(a.width + b.width, a.integer + b.integer, a.is_signed || b.is_signed,
                       "fixed-point product");
}

/* Integer bits of a sum: an unsigned operand gains a bit when the sum is signed. */
static int add_integer(aedl_fixed a, aedl_fixed b) {
    int ia = a.integer + (b.is_signed && !a.is_signed);
    int ib = b.integer + (a.is_signed && !b.is_signed);
    return (ia > ib ? ia : ib) + 1;
}

static int max_frac(aedl_fixed a, aedl_fixed b) {
    int fa = aedl_fixed_frac(a), fb = aedl_fixed_frac(b);
    return fa > fb ? fa : fb;
}

aedl_fixed aedl_fixed_add_type(aedl_fixed a, aedl_fixed b) {
    int i = add_integer(a, b);
    return result_type(i + max_frac(a, b), i, a.is_signed || b.is_signed, "fixed-point sum");
}

aedl_fixed aedl_fixed_sub_type(aedl_fixed a, aedl_fixed b) {
    int i = add_integer(a, b);
    return result_type(i + max_frac(a, b), i, true, "fixed-point difference");
}

aedl_fixed aedl_fixed_neg_type(aedl_fixed a) {
    return result_type(a.width + 1, a.integer + 1, true, "fixed-point negation");
}

aedl_fx aedl_fx_from_double(aedl_fixed t, double x) {
    aedl_fx v = {aedl_fixed_from_double(t, x), t};
    return v;
}

aedl_fx aedl_fx_cast(aedl_fixed t, aedl_fx v) {
    aedl_fx r = {aedl_fixed_quantize(t, v.m, aedl_fixed_frac(v.t)), t};
    return r;
}

aedl_fx aedl_fx_mul(aedl_fx a, aedl_fx b) {
    aedl_fx r = {0, aedl_fixed_mul_type(a.t, b.t)};
    r.m = (aedl_mant)((u128)a.m * (u128)b.m);   /* fits: the type has W1+W2 bits */
    return r;
}

/* a and b aligned on the step of r (a finer or equal step: shifts are >= 0,
   and the shifted values fit in r, so neither the shift nor the sum wraps). */
static aedl_fx add_aligned(aedl_fixed r, aedl_fx a, aedl_fx b, int sign) {
    int f = aedl_fixed_frac(r);
    aedl_mant x = shl(a.m, f - aedl_fixed_frac(a.t));
    aedl_mant y = shl(b.m, f - aedl_fixed_frac(b.t));
    aedl_fx v = {sign > 0 ? x + y : x - y, r};
    return v;
}

aedl_fx aedl_fx_add(aedl_fx a, aedl_fx b) { return add_aligned(aedl_fixed_add_type(a.t, b.t), a, b, 1); }
aedl_fx aedl_fx_sub(aedl_fx a, aedl_fx b) { return add_aligned(aedl_fixed_sub_type(a.t, b.t), a, b, -1); }

aedl_fx aedl_fx_neg(aedl_fx a) {
    aedl_fx r = {-a.m, aedl_fixed_neg_type(a.t)};
    return r;
}

int aedl_fx_cmp(aedl_fx a, aedl_fx b) {
    return aedl_mant_cmp(a.m, aedl_fixed_frac(a.t), b.m, aedl_fixed_frac(b.t));
}

double aedl_fx_to_double(aedl_fx v) { return aedl_fixed_to_double(v.t, v.m); }

/* ---- types for ranges --------------------------------------------------- */

/* Number of bits of x >= 0 (0 for 0). */
static int bit_length(aedl_mant x) {
    int n = 0;
    while (x > 0) {
        x >>= 1;
        n++;
    }
    return n;
}

aedl_fixed aedl_fixed_for_mant_range(aedl_mant lo, aedl_mant hi, int frac_bits) {
    aedl_fixed none = {0, 0, false, AEDL_TRN, AEDL_WRAP};
    if (lo > hi) return none;
    int w;
    bool s = lo < 0;
    if (!s) {
        w = bit_length(hi);
        if (w == 0) w = 1;
    } else {
        int a = bit_length(-(lo + 1)), b = bit_length(hi > 0 ? hi : 0);
        w = 1 + (a > b ? a : b);
    }
    aedl_fixed t = aedl_fixed_make(w, w - frac_bits, s);
    return aedl_fixed_valid(t) ? t : none;
}

aedl_fixed aedl_fixed_for_range(double lo, double hi, int frac_bits) {
    aedl_fixed none = {0, 0, false, AEDL_TRN, AEDL_WRAP};
    if (!isfinite(lo) || !isfinite(hi) || lo > hi ||
        frac_bits < -AEDL_FIXED_MAX_SHIFT || frac_bits > AEDL_FIXED_MAX_SHIFT)
        return none;
    /* Floor onto the grid in a saturating 128-bit type; a saturated bound is too big. */
    aedl_fixed grid = {128, 128 - frac_bits, true, AEDL_TRN, AEDL_SAT};
    aedl_mant l = aedl_fixed_from_double(grid, lo);
    aedl_mant h = aedl_fixed_from_double(grid, -hi);   /* ceil(hi) = -floor(-hi) */
    if (l == MANT_MIN || l == MANT_MAX || h == MANT_MIN || h == MANT_MAX) return none;
    return aedl_fixed_for_mant_range(l, -h, frac_bits);
}

char *aedl_fixed_decimal(int64_t m, int e, char *buf, int n) {
    snprintf(buf, (size_t)n, "%.*f", e < 0 ? -e : 0, ldexp((double)m, e));
    if (strchr(buf, '.')) {
        char *end = buf + strlen(buf) - 1;
        while (*end == '0') *end-- = 0;
        if (*end == '.') *end = 0;
    }
    if (!strcmp(buf, "-0")) strcpy(buf, "0");
    return buf;
}
