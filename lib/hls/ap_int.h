/* ap_int.h — arbitrary-precision integers ap_int<W> / ap_uint<W> for C
 * simulation with a plain C++ compiler (no HLS tool needed).
 *
 * Written for aedlc's generated firmware projects; a stand-in for the Vitis
 * HLS header of the same name, implementing the subset generated code uses
 * with the same results.  Put the vendor's include directory first on the
 * include path and its headers are used instead.
 *
 * This file also holds what ap_fixed.h shares: the enums ap_q_mode and
 * ap_o_mode and the conversion core (namespace ap_detail).
 *
 * Widths: 1..64 bits are the supported stored widths.  Up to 128 bits (127
 * unsigned) are accepted so that full-precision products and sums of wide
 * operands exist; wider types fail to compile (static_assert).  Values live
 * in a long long, or an __int128 when they need more than 64 bits (GCC and
 * Clang).
 *
 * ap_int semantics kept from the vendor:
 *   - assignment from a wider integer keeps the low W bits (wraps);
 *   - from double/float or ap_fixed: truncation toward zero (as C's
 *     (int)x), then wrap;
 *   - a * b has W1 + W2 bits; a + b and a - b have
 *     max(W1 + (S2 && !S1), W2 + (S1 && !S2)) + 1 bits (a - b always
 *     signed), so arithmetic between ap_ints never overflows;
 *   - << and >> keep the type (<< wraps, >> is arithmetic for ap_int).
 * An ap_int converts implicitly to long long (array indices, loop bounds).
 */
#ifndef AEDL_AP_INT_H
#define AEDL_AP_INT_H

#include <math.h>
#include <iosfwd> /* not <ostream>: it alone would double the compile time of a small
                     firmware file; operator<< is a template, instantiated where
                     the caller has included <ostream> or <iostream> */
#include <type_traits>

enum ap_q_mode {
    AP_RND,          /* to nearest, half toward +inf */
    AP_RND_ZERO,     /* to nearest, half toward zero */
    AP_RND_MIN_INF,  /* to nearest, half toward -inf */
    AP_RND_INF,      /* to nearest, half away from zero */
    AP_RND_CONV,     /* to nearest, half to even */
    AP_TRN,          /* toward -inf (drop the bits): the default */
    AP_TRN_ZERO      /* toward zero */
};

enum ap_o_mode {
    AP_SAT,          /* clamp to [min, max] */
    AP_SAT_ZERO,     /* overflow gives 0 */
    AP_SAT_SYM,      /* signed: clamp to [-max, max]; unsigned: as AP_SAT */
    AP_WRAP,         /* keep the low W bits: the default */
    AP_WRAP_SM       /* sign-magnitude wrap: not supported here */
};

/* The conversion core.  A value is an integer mantissa m meaning m * 2^-F,
 * F = W - I (I = W for integers).  quantize() converts the exact value
 * m * 2^-frac to a type: round the bits finer than the type's step by Q,
 * then handle overflow by O.  The same algorithm as aedl_fixed_quantize in
 * aedlc's lib/fixed.c; aedlc's tests check the two agree bit for bit. */
namespace ap_detail {

typedef __int128 i128;
typedef unsigned __int128 u128;

/* The general conversions are out of line: one copy, small callers, fast
   compiles; the exact fast paths (aligned, no overflow possible) are inline. */
#define AEDL_AP_OUTLINE inline __attribute__((noinline))
/* The small hot pieces are inlined even at -O0 (C simulation is often built
   without optimization to compile the unrolled layers quickly). */
#define AEDL_AP_INLINE inline __attribute__((always_inline))

/* Tag of the constructor that takes a mantissa known to be in range. */
struct raw_tag {};

/* x * 2^s for a result known to fit in M (no overflow, no undefined shift). */
template <typename M> AEDL_AP_INLINE M lsh(M x, int s) { return x * ((M)1 << s); }

/* Storage of a W-bit value: long long when it fits, else __int128. */
template <int W, bool S>
struct storage {
    static_assert(W >= 1, "ap types need at least one bit");
    static_assert(W <= (S ? 128 : 127),
                  "aedl's ap_fixed.h/ap_int.h support at most 128 bits (127 unsigned)");
    typedef typename std::conditional<(W + (S ? 0 : 1) <= 64), long long, i128>::type type;
};

/* x * 2^d, 0 <= d < 128, modulo 2^128 (left shifts of negative numbers are
   undefined in C++; the unsigned shift is not). */
AEDL_AP_INLINE i128 shl(i128 x, int d) { return (i128)((u128)x << d); }

constexpr i128 mant_max(int w, bool s) { return (i128)(((u128)1 << (s ? w - 1 : w)) - 1); }
constexpr i128 mant_min(int w, bool s) { return s ? -mant_max(w, s) - 1 : 0; }

/* The low w bits of x, sign-extended when s. */
inline i128 wrap_bits(u128 x, int w, bool s) {
    if (w < 128) {
        u128 mask = ((u128)1 << w) - 1;
        x &= mask;
        if (s && ((x >> (w - 1)) & 1)) x |= ~mask;
    }
    return (i128)x;
}

/* m / 2^k (k >= 1) rounded by q.  fl = floor(m / 2^k); the dropped part
   rem = m - fl 2^k in [0, 2^k) is compared with half = 2^(k-1). */
inline i128 round_shift(i128 m, int k, ap_q_mode q) {
    i128 fl;
    int c;                            /* rem vs half: -1 below, 0 equal, 1 above */
    bool exact;
    if (k > 128) {                    /* |m| <= 2^127 < half */
        fl = m < 0 ? -1 : 0;
        exact = m == 0;
        c = m < 0 ? 1 : -1;
    } else {
        u128 half = (u128)1 << (k - 1), rem;
        if (k == 128) {
            fl = m < 0 ? -1 : 0;
            rem = (u128)m;
        } else {
            fl = m >> k;              /* arithmetic shift: floor */
            rem = (u128)m & (((u128)1 << k) - 1);
        }
        exact = rem == 0;
        c = rem < half ? -1 : (rem > half ? 1 : 0);
    }
    bool neg = m < 0, up = false;
    switch (q) {
    case AP_TRN:         up = false; break;
    case AP_TRN_ZERO:    up = neg && !exact; break;
    case AP_RND:         up = c >= 0; break;
    case AP_RND_ZERO:    up = c > 0 || (c == 0 && neg); break;
    case AP_RND_INF:     up = c > 0 || (c == 0 && !neg); break;
    case AP_RND_MIN_INF: up = c > 0; break;
    case AP_RND_CONV:    up = c > 0 || (c == 0 && (fl & 1)); break;
    }
    return fl + up;
}

/* The exact value m * 2^-frac as a <w, i, s, q, o> mantissa. */
AEDL_AP_OUTLINE i128 quantize(i128 m, int frac, int w, int i, bool s, ap_q_mode q, ap_o_mode o) {
    const i128 imax = (i128)(~(u128)0 >> 1), imin = -imax - 1;
    i128 lo = mant_min(w, s), hi = mant_max(w, s);
    int d = (w - i) - frac;           /* > 0: exact left shift; < 0: round */
    i128 r = 0;
    u128 low = 0;                     /* low 128 bits of the exact result */
    int side = 0;                     /* -1 below lo, 1 above hi, 0 in range */
    if (d >= 0) {
        if (m == 0) return 0;
        if (d >= 128 || m > (imax >> d) || m < (imin >> d)) {
            side = m > 0 ? 1 : -1;    /* beyond 128 bits: beyond every type */
            low = d >= 128 ? 0 : (u128)m << d;
        } else {
            r = shl(m, d);
        }
    } else {
        r = round_shift(m, -d, q);
    }
    /* AP_SAT_SYM (signed): the minimum itself counts as an underflow and
       becomes -max, as in the vendor's library (for W = 1, -max = min). */
    i128 sym_min = w > 1 ? lo + 1 : lo;
    if (side == 0) {
        if (r > hi) side = 1;
        else if (r < lo) side = -1;
        else if (r == lo && s && o == AP_SAT_SYM) return sym_min;
        else return r;
        low = (u128)r;
    }
    switch (o) {
    case AP_WRAP:
    case AP_WRAP_SM:  return wrap_bits(low, w, s);
    case AP_SAT_ZERO: return 0;
    case AP_SAT_SYM:  if (s) return side > 0 ? hi : sym_min;
                      return side > 0 ? hi : lo;
    case AP_SAT:      break;
    }
    return side > 0 ? hi : lo;
}

/* x = m * 2^-frac exactly (x finite, not zero). */
inline void split_double(double x, i128 *m, int *frac) {
    int e;
    double f = frexp(x, &e);          /* x = f 2^e, 0.5 <= |f| < 1 */
    *m = (i128)(long long)ldexp(f, 53);
    *frac = 53 - e;
}

/* x converted exactly to <w, i, s, q, o>.  NaN gives 0; +-inf acts as a
   huge value (saturating modes clamp, wrap gives 0). */
AEDL_AP_OUTLINE i128 from_double(double x, int w, int i, bool s, ap_q_mode q, ap_o_mode o) {
    if (x != x || x == 0) return 0;
    if (x > 1.7976931348623157e308 || x < -1.7976931348623157e308)
        return quantize(x > 0 ? 1 : -1, -8192, w, i, s, q, o);
    i128 m;
    int frac;
    split_double(x, &m, &frac);
    return quantize(m, frac, w, i, s, q, o);
}

/* Constants -- weights, biases, literals -- are nearly always exact values of
   their type.  For those the conversion is a constant expression (C++14), so a
   weight array is initialised at compile time, without code: g++ -O0 would
   otherwise emit a constructor call per element, which was most of the time
   it took to compile a firmware project.  Anything else takes the general path
   (rounding and overflow as the type says), at run time. */
#if __cplusplus >= 201402L
#define AEDL_AP_CONSTEXPR constexpr
#else
#define AEDL_AP_CONSTEXPR inline
#endif

/* True when m is a value of <w, s> that needs no overflow handling (the
   minimum of a signed AP_SAT_SYM type does: it becomes -max). */
constexpr bool exact_fits(i128 m, int w, bool s, ap_o_mode o) {
    return m <= mant_max(w, s) && (m > mant_min(w, s) || (m == mant_min(w, s) && !(s && o == AP_SAT_SYM)));
}

AEDL_AP_CONSTEXPR i128 from_double_const(double x, int w, int i, bool s, ap_q_mode q, ap_o_mode o) {
    const int frac = w - i;
    if (frac >= 0 && frac <= 64 && x > -9.2e18 && x < 9.2e18) {   /* false for NaN */
        double y = x;
        for (int k = 0; k < frac && y > -9.2e18 && y < 9.2e18; k++) y *= 2;   /* exact */
        if (y > -9.2e18 && y < 9.2e18) {
            long long m = (long long)y;                                         /* toward 0 */
            if ((double)m == y && exact_fits(m, w, s, o)) return m;
        }
    }
    return from_double(x, w, i, s, q, o);
}

/* -1, 0, 1 as x 2^-fx compares with y 2^-fy (exact). */
AEDL_AP_OUTLINE int cmp(i128 x, int fx, i128 y, int fy) {
    if (fx < fy) return -cmp(y, fy, x, fx);
    int d = fx - fy;                  /* x 2^-fx = (fl + rem / 2^d) 2^-fy */
    i128 fl;
    bool rem;
    if (d == 0) {
        fl = x;
        rem = false;
    } else if (d >= 128) {
        fl = x < 0 ? -1 : 0;
        rem = x != 0;
    } else {
        fl = x >> d;
        rem = ((u128)x & (((u128)1 << d) - 1)) != 0;
    }
    if (fl != y) return fl < y ? -1 : 1;
    return rem ? 1 : 0;
}

/* Compare with a double, exactly; NaN compares unordered (returns 2). */
AEDL_AP_OUTLINE int cmp_double(i128 m, int frac, double x) {
    if (x != x) return 2;
    if (x > 1.7976931348623157e308) return -1;
    if (x < -1.7976931348623157e308) return 1;
    if (x == 0) return m < 0 ? -1 : (m > 0 ? 1 : 0);
    i128 xm;
    int xf;
    split_double(x, &xm, &xf);
    return cmp(m, frac, xm, xf);
}

/* m 2^-frac as a double, rounded to nearest (exact when |m| < 2^53). */
inline double to_double(i128 m, int frac) { return ldexp((double)m, -frac); }

/* m 2^-frac as a float, rounded once (to nearest, ties to even): the
   magnitude is cut to 26 bits with the dropped bits folded into the last one
   (round to odd), so the conversion to 24 bits is the only real rounding. */
AEDL_AP_OUTLINE float to_float(i128 m, int frac) {
    u128 a = m < 0 ? -(u128)m : (u128)m;
    int bits = 0;
    while (bits < 128 && (a >> bits) != 0) bits++;
    if (bits <= 53) return (float)to_double(m, frac);     /* the double is exact */
    int k = bits - 26;
    u128 keep = (a >> k) | (u128)((a & (((u128)1 << k) - 1)) != 0);
    double mag = ldexp((double)(long long)keep, k - frac);
    return (float)(m < 0 ? -mag : mag);
}

/* m 2^-frac rounded toward zero to an integer (C's conversion). */
AEDL_AP_OUTLINE i128 trunc_to_int(i128 m, int frac) {
    if (frac <= 0) return frac <= -128 ? 0 : shl(m, -frac);
    if (frac >= 128) return 0;
    i128 q = m >> frac;               /* floor */
    bool frac_bits = ((u128)m & (((u128)1 << frac) - 1)) != 0;
    if (m < 0 && frac_bits) q += 1;   /* toward zero */
    return q;
}

/* Conversion of a <W2, I2, S2> mantissa to <W, I, S, Q, O>: the same result
   as quantize(), computed inline in 64-bit arithmetic when both types fit in
   63 bits and the value lands in range (the common case), else by quantize().
   The template arguments are constants, so the compiler drops the branches
   that do not apply. */
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int W2, int I2, bool S2>
struct convert {
    enum {
        shift = (W - I) - (W2 - I2),          /* > 0: exact left shift; < 0: round */
        /* every source value is representable: a plain shift suffices */
        fits = shift >= 0 && (S ? (S2 ? (I2 < I || (I2 == I && O != AP_SAT_SYM)) : I2 < I)
                                : (!S2 && I2 <= I)),
        fast_left = shift >= 0 && W2 + shift <= 62 && W <= 62,
        fast_right = shift < 0 && -shift <= 62 && W2 <= 62 && W <= 62,
        up_bits = fast_left ? shift : 0,      /* shift counts kept in range for */
        down_bits = fast_right ? -shift : 1,  /* the branches not taken */
        value_bits = (S ? W - 1 : W) <= 62 ? (S ? W - 1 : W) : 62
    };
    template <typename M>
    static AEDL_AP_INLINE i128 run(M m) {
        if (fits) return shl((i128)m, shift > 0 ? shift : 0);
        if (!fast_left && !fast_right) return quantize(m, W2 - I2, W, I, S, Q, O);
        const long long hi = (long long)((1ULL << value_bits) - 1);
        const long long lo = S ? -hi - (O == AP_SAT_SYM && W > 1 ? 0 : 1) : 0;
        long long v;
        if (fast_left) {
            v = (long long)m * (1LL << up_bits);
        } else {
            long long x = (long long)m;
            long long fl = x >> down_bits;                    /* floor */
            long long rem = x & ((1LL << down_bits) - 1);
            long long half = 1LL << (down_bits - 1);
            bool neg = x < 0, up = false;
            switch (Q) {
            case AP_TRN:         up = false; break;
            case AP_TRN_ZERO:    up = neg && rem != 0; break;
            case AP_RND:         up = rem >= half; break;
            case AP_RND_ZERO:    up = rem > half || (rem == half && neg); break;
            case AP_RND_INF:     up = rem > half || (rem == half && !neg); break;
            case AP_RND_MIN_INF: up = rem > half; break;
            case AP_RND_CONV:    up = rem > half || (rem == half && (fl & 1)); break;
            }
            v = fl + up;
        }
        if (v >= lo && v <= hi) return v;
        return quantize(m, W2 - I2, W, I, S, Q, O);           /* overflow: the rare case */
    }
};

/* Exact comparison of <W1, I1> and <W2, I2> mantissas: inline when both
   aligned values fit in 62 bits. */
template <int W1, int I1, int W2, int I2>
struct compare {
    enum {
        F1 = W1 - I1, F2 = W2 - I2, F = F1 > F2 ? F1 : F2,
        fast = W1 + (F - F1) <= 62 && W2 + (F - F2) <= 62,
        s1 = fast ? F - F1 : 0, s2 = fast ? F - F2 : 0
    };
    template <typename M1, typename M2>
    static AEDL_AP_INLINE int run(M1 a, M2 b) {
        if (!fast) return cmp(a, F1, b, F2);
        long long x = (long long)a * (1LL << s1), y = (long long)b * (1LL << s2);
        return x < y ? -1 : (x > y ? 1 : 0);
    }
};

/* A C integer type seen as an ap type: its width and signedness. */
template <typename T> struct c_int {};
template <> struct c_int<bool> { enum { width = 1, is_signed = 0 }; };
template <> struct c_int<char> { enum { width = 8, is_signed = (char)-1 < 0 }; };
template <> struct c_int<signed char> { enum { width = 8, is_signed = 1 }; };
template <> struct c_int<unsigned char> { enum { width = 8, is_signed = 0 }; };
template <> struct c_int<short> { enum { width = 8 * sizeof(short), is_signed = 1 }; };
template <> struct c_int<unsigned short> { enum { width = 8 * sizeof(short), is_signed = 0 }; };
template <> struct c_int<int> { enum { width = 8 * sizeof(int), is_signed = 1 }; };
template <> struct c_int<unsigned> { enum { width = 8 * sizeof(int), is_signed = 0 }; };
template <> struct c_int<long> { enum { width = 8 * sizeof(long), is_signed = 1 }; };
template <> struct c_int<unsigned long> { enum { width = 8 * sizeof(long), is_signed = 0 }; };
template <> struct c_int<long long> { enum { width = 8 * sizeof(long long), is_signed = 1 }; };
template <> struct c_int<unsigned long long> {
    enum { width = 8 * sizeof(long long), is_signed = 0 };
};

/* Result widths of integer arithmetic (as the vendor's). */
template <int W1, bool S1, int W2, bool S2>
struct int_result {
    enum {
        a = W1 + (S2 && !S1), b = W2 + (S1 && !S2),
        plus_w = (a > b ? a : b) + 1,
        mult_w = W1 + W2,
        sign = S1 || S2
    };
};

} // namespace ap_detail
#undef AEDL_AP_OUTLINE

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O> class ap_fixed_base;
template <int W, bool S> class ap_int_base;
template <int W> class ap_int;
template <int W> class ap_uint;

namespace ap_detail {
template <int W, bool S> struct int_type { typedef ap_int<W> type; };
template <int W> struct int_type<W, false> { typedef ap_uint<W> type; };
} // namespace ap_detail

/* A W-bit integer, signed when S. */
template <int W, bool S>
class ap_int_base {
public:
    typedef typename ap_detail::storage<W, S>::type mant_type;
    static const int width = W;
    static const bool is_signed = S;

    ap_int_base() : v_(0) {}
    ap_int_base(bool x) : v_(x) {}
    ap_int_base(char x) : v_(wrap(x)) {}
    ap_int_base(signed char x) : v_(wrap(x)) {}
    ap_int_base(unsigned char x) : v_(wrap(x)) {}
    ap_int_base(short x) : v_(wrap(x)) {}
    ap_int_base(unsigned short x) : v_(wrap(x)) {}
    ap_int_base(int x) : v_(wrap(x)) {}
    ap_int_base(unsigned x) : v_(wrap(x)) {}
    ap_int_base(long x) : v_(wrap(x)) {}
    ap_int_base(unsigned long x) : v_(wrap(x)) {}
    ap_int_base(long long x) : v_(wrap(x)) {}
    ap_int_base(unsigned long long x) : v_(wrap(x)) {}
    /* Truncation toward zero, then wrap.  NaN and +-inf give 0. */
    ap_int_base(double x) : v_(0) {
        if (x == x && x != 0 && x < 1.7976931348623157e308 && x > -1.7976931348623157e308) {
            ap_detail::i128 m;
            int frac;
            ap_detail::split_double(x, &m, &frac);
            v_ = wrap(ap_detail::trunc_to_int(m, frac));
        }
    }
    ap_int_base(float x) : ap_int_base((double)x) {}
    template <int W2, bool S2>
    ap_int_base(const ap_int_base<W2, S2> &o) : v_(wrap(o.mantissa())) {}
    /* From ap_fixed: the integer part, truncated toward zero, then wrap. */
    template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2>
    ap_int_base(const ap_fixed_base<W2, I2, S2, Q2, O2> &o)
        : v_(wrap(ap_detail::trunc_to_int(o.mantissa(), W2 - I2))) {}

    /* aedl extension (not in the vendor's API): the raw two's complement value. */
    mant_type mantissa() const { return v_; }
    static ap_int_base from_mantissa(ap_detail::i128 m) {
        ap_int_base r;
        r.v_ = wrap(m);
        return r;
    }

    int to_int() const { return (int)v_; }
    unsigned to_uint() const { return (unsigned)v_; }
    long long to_int64() const { return (long long)v_; }
    unsigned long long to_uint64() const { return (unsigned long long)v_; }
    double to_double() const { return (double)v_; }
    float to_float() const { return (float)v_; }
    int length() const { return W; }
    operator long long() const { return (long long)v_; }

    /* Shifts keep the type: << drops the high bits, >> is arithmetic for
       signed types.  A negative shift shifts the other way. */
    ap_int_base operator<<(int sh) const {
        if (sh < 0) return *this >> -sh;
        return from_mantissa(sh >= 128 ? 0 : ap_detail::shl(v_, sh));
    }
    ap_int_base operator>>(int sh) const {
        if (sh < 0) return *this << -sh;
        return from_mantissa(sh >= 128 ? (v_ < 0 ? -1 : 0) : (ap_detail::i128)v_ >> sh);
    }
    ap_int_base &operator<<=(int sh) { return *this = *this << sh; }
    ap_int_base &operator>>=(int sh) { return *this = *this >> sh; }

    template <typename T> ap_int_base &operator+=(const T &b) { return *this = *this + b; }
    template <typename T> ap_int_base &operator-=(const T &b) { return *this = *this - b; }
    template <typename T> ap_int_base &operator*=(const T &b) { return *this = *this * b; }
    ap_int_base &operator++() { return *this = from_mantissa((ap_detail::i128)v_ + 1); }
    ap_int_base &operator--() { return *this = from_mantissa((ap_detail::i128)v_ - 1); }
    ap_int_base operator++(int) { ap_int_base r = *this; ++*this; return r; }
    ap_int_base operator--(int) { ap_int_base r = *this; --*this; return r; }

private:
    static mant_type wrap(ap_detail::i128 x) {
        return (mant_type)ap_detail::wrap_bits((ap_detail::u128)x, W, S);
    }
    mant_type v_;
};

template <int W>
class ap_int : public ap_int_base<W, true> {
public:
    typedef ap_int_base<W, true> Base;
    ap_int() {}
    ap_int(const Base &b) : Base(b) {}
    using Base::Base;
};

template <int W>
class ap_uint : public ap_int_base<W, false> {
public:
    typedef ap_int_base<W, false> Base;
    ap_uint() {}
    ap_uint(const Base &b) : Base(b) {}
    using Base::Base;
};

/* Arithmetic between ap_ints: exact, in the widened result type. */
template <int W1, bool S1, int W2, bool S2>
inline typename ap_detail::int_type<ap_detail::int_result<W1, S1, W2, S2>::mult_w,
                                    ap_detail::int_result<W1, S1, W2, S2>::sign>::type
operator*(const ap_int_base<W1, S1> &a, const ap_int_base<W2, S2> &b) {
    typedef ap_detail::int_result<W1, S1, W2, S2> R;
    typedef typename ap_detail::int_type<R::mult_w, R::sign>::type T;
    return T::from_mantissa((ap_detail::i128)((ap_detail::u128)a.mantissa() *
                                              (ap_detail::u128)b.mantissa()));
}

template <int W1, bool S1, int W2, bool S2>
inline typename ap_detail::int_type<ap_detail::int_result<W1, S1, W2, S2>::plus_w,
                                    ap_detail::int_result<W1, S1, W2, S2>::sign>::type
operator+(const ap_int_base<W1, S1> &a, const ap_int_base<W2, S2> &b) {
    typedef ap_detail::int_result<W1, S1, W2, S2> R;
    typedef typename ap_detail::int_type<R::plus_w, R::sign>::type T;
    return T::from_mantissa((ap_detail::i128)a.mantissa() + (ap_detail::i128)b.mantissa());
}

template <int W1, bool S1, int W2, bool S2>
inline ap_int<ap_detail::int_result<W1, S1, W2, S2>::plus_w>
operator-(const ap_int_base<W1, S1> &a, const ap_int_base<W2, S2> &b) {
    typedef ap_int<ap_detail::int_result<W1, S1, W2, S2>::plus_w> T;
    return T::from_mantissa((ap_detail::i128)a.mantissa() - (ap_detail::i128)b.mantissa());
}

template <int W, bool S>
inline ap_int<W + 1> operator-(const ap_int_base<W, S> &a) {
    return ap_int<W + 1>::from_mantissa(-(ap_detail::i128)a.mantissa());
}

#define AEDL_AP_INT_CMP(OP)                                                        \
    template <int W1, bool S1, int W2, bool S2>                                    \
    inline bool operator OP(const ap_int_base<W1, S1> &a, const ap_int_base<W2, S2> &b) { \
        return (ap_detail::i128)a.mantissa() OP(ap_detail::i128) b.mantissa();     \
    }
AEDL_AP_INT_CMP(==)
AEDL_AP_INT_CMP(!=)
AEDL_AP_INT_CMP(<)
AEDL_AP_INT_CMP(<=)
AEDL_AP_INT_CMP(>)
AEDL_AP_INT_CMP(>=)
#undef AEDL_AP_INT_CMP

template <class C, class T, int W, bool S>
inline std::basic_ostream<C, T> &operator<<(std::basic_ostream<C, T> &os, const ap_int_base<W, S> &a) {
    return os << (long long)a.mantissa();
}

#endif
