/* ap_fixed.h — fixed-point types ap_fixed<W,I,Q,O> / ap_ufixed<W,I,Q,O> for C
 * simulation with a plain C++ compiler (g++ -std=c++11 or later; no HLS tool).
 *
 * Written for aedlc's generated firmware projects; a stand-in for the Vitis
 * HLS header of the same name, implementing the subset generated code uses,
 * bit for bit with the vendor's results.  Put the vendor's include directory
 * first on the include path and its headers are used instead.
 *
 * A value of ap_fixed<W, I> is an integer mantissa m of W bits with value
 * m * 2^(I - W): I integer bits (sign included), F = W - I fraction bits;
 * I may be negative or larger than W.  ap_ufixed is the unsigned variant.
 *
 *   Q (rounding, applied when bits finer than the step are dropped):
 *     AP_TRN (default) toward -inf, AP_TRN_ZERO toward zero, AP_RND half up,
 *     AP_RND_ZERO half toward zero, AP_RND_INF half away from zero,
 *     AP_RND_MIN_INF half down, AP_RND_CONV half to even.
 *   O (overflow, applied after rounding):
 *     AP_WRAP (default) keep the low W bits; AP_SAT clamp to [min, max];
 *     AP_SAT_ZERO overflow gives 0; AP_SAT_SYM clamps a signed type to
 *     [-max, max] (the minimum itself becomes -max); AP_WRAP_SM is not
 *     supported (compile-time error).  The fifth vendor parameter (N,
 *     saturation bits) must be 0.
 *
 * Assignment and construction from any ap_fixed, ap_int, C integer, float or
 * double convert EXACTLY the source value with the target's Q and O (a
 * double is converted from its exact binary value, never through a decimal).
 *
 * Arithmetic is exact, as the vendor's: a * b is ap_fixed<W1+W2, I1+I2>
 * (ap_ufixed when both are unsigned); a + b has
 * I = max(I1 + (S2 && !S1), I2 + (S1 && !S2)) + 1 integer bits and
 * max(F1, F2) fraction bits; a - b likewise but always signed; -a is
 * ap_fixed<W+1, I+1>.  Result types use AP_TRN/AP_WRAP; the rounding and
 * overflow of the variable you assign the result to apply on assignment.
 * `a += b` is `a = a + b`.  A C integer operand counts as
 * ap_fixed<32,32> (int), ap_ufixed<32,32> (unsigned), 64 bits for long long.
 *
 * Shifts x << n and x >> n keep x's type (as the vendor's): << moves the
 * mantissa bits and drops those beyond W (wraps, no saturation), >> is an
 * arithmetic shift (rounds toward -inf).  A negative n shifts the other way.
 *
 * Comparisons (==, !=, <, <=, >, >=) are exact between any ap types, C
 * integers and doubles.
 *
 * Not provided (by design, to keep overload resolution simple): implicit
 * conversion to double/float/int (use .to_double(), .to_float(),
 * .to_int(), or an explicit cast double(x)); arithmetic with float/double
 * operands; division; bit and range selection.
 *
 * Widths: 1..64 bits are the supported stored widths; up to 128 (127
 * unsigned) compile, so that full-precision products and sums of wide
 * operands exist.  Storage: long long, or __int128 beyond 64 bits.
 *
 * Speed: products, sums and comparisons of types up to 62 bits are inline
 * 64-bit integer operations; a conversion is an inline shift (and rounding)
 * plus a range check, and only an overflow or a type wider than 62 bits
 * takes the general 128-bit path (ap_detail::quantize).  Measured with
 * tests/fixed/bench_ap_fixed.cpp: about 6 ns per multiply-accumulate at -O2.
 *
 * Compile time: from C++14 on, constructing from a double or C integer that is
 * exactly a value of the type is a constant expression, so a weight array is
 * initialised at compile time (`constexpr ap_fixed<6,1> w = -0.4375;` works).
 * The header includes <iosfwd>, not <ostream>: printing with << needs the
 * caller to include <ostream> or <iostream>, as a testbench does anyway.
 *
 * Extensions (not in the vendor's API; generated code does not use them):
 * .mantissa(), ::from_mantissa(m), ::is_signed.
 */
#ifndef AEDL_AP_FIXED_H
#define AEDL_AP_FIXED_H

#include "ap_int.h"

template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
class ap_fixed;
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
class ap_ufixed;

namespace ap_detail {

/* The class for a result type: ap_fixed or ap_ufixed with default modes. */
template <int W, int I, bool S> struct fixed_type { typedef ap_fixed<W, I> type; };
template <int W, int I> struct fixed_type<W, I, false> { typedef ap_ufixed<W, I> type; };

/* Full-precision result types (the vendor's rules). */
template <int W1, int I1, bool S1, int W2, int I2, bool S2>
struct fixed_result {
    enum {
        F1 = W1 - I1, F2 = W2 - I2,
        F = F1 > F2 ? F1 : F2,
        a = I1 + (S2 && !S1), b = I2 + (S1 && !S2),
        plus_i = (a > b ? a : b) + 1,
        plus_w = plus_i + F,
        sign = S1 || S2
    };
    typedef typename fixed_type<W1 + W2, I1 + I2, sign>::type mult;
    typedef typename fixed_type<plus_w, plus_i, sign>::type plus;
    typedef ap_fixed<plus_w, plus_i> minus;
};

/* A C integer as the ap_fixed_base it is treated as. */
template <typename T, typename = void> struct c_int_fixed {};
template <typename T>
struct c_int_fixed<T, typename std::enable_if<(c_int<T>::width > 0)>::type> {
    typedef ap_fixed_base<c_int<T>::width, c_int<T>::width, (bool)c_int<T>::is_signed,
                          AP_TRN, AP_WRAP> type;
};

} // namespace ap_detail

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>
class ap_fixed_base {
    static_assert(O != AP_WRAP_SM, "AP_WRAP_SM is not supported by aedl's ap_fixed.h");

public:
    typedef typename ap_detail::storage<W, S>::type mant_type;
    static const int width = W;
    static const int iwidth = I;
    static const bool is_signed = S;
    static const ap_q_mode qmode = Q;
    static const ap_o_mode omode = O;

    constexpr ap_fixed_base() : m_(0) {}

    /* From another fixed type: align, round by Q, overflow by O. */
    template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2>
    AEDL_AP_INLINE ap_fixed_base(const ap_fixed_base<W2, I2, S2, Q2, O2> &o)
        : m_((mant_type)ap_detail::convert<W, I, S, Q, O, W2, I2, S2>::run(o.mantissa())) {}
    template <int W2, bool S2>
    ap_fixed_base(const ap_int_base<W2, S2> &o)
        : m_((mant_type)ap_detail::convert<W, I, S, Q, O, W2, W2, S2>::run(o.mantissa())) {}
    /* A C integer is the fixed type <bits, bits> of its width and sign. */
    AEDL_AP_CONSTEXPR ap_fixed_base(bool x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(char x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(signed char x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(unsigned char x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(short x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(unsigned short x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(int x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(unsigned x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(long x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(unsigned long x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(long long x) : m_(from_int_const(x)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(unsigned long long x) : m_(from_int_const(x)) {}
    /* The exact binary value of x.  NaN gives 0; +-inf saturates (wraps to 0).
       A constant expression when x is a value of the type (see ap_int.h). */
    AEDL_AP_CONSTEXPR ap_fixed_base(double x)
        : m_((mant_type)ap_detail::from_double_const(x, W, I, S, Q, O)) {}
    AEDL_AP_CONSTEXPR ap_fixed_base(float x)
        : m_((mant_type)ap_detail::from_double_const(x, W, I, S, Q, O)) {}
    /* Internal: a mantissa known to be in range (results of exact arithmetic). */
    AEDL_AP_INLINE ap_fixed_base(ap_detail::raw_tag, mant_type m) : m_(m) {}

    /* aedl extension: the raw mantissa (value = m * 2^(I - W)). */
    constexpr AEDL_AP_INLINE mant_type mantissa() const { return m_; }
    static ap_fixed_base from_mantissa(ap_detail::i128 m) {
        ap_fixed_base r;
        r.m_ = (mant_type)ap_detail::wrap_bits((ap_detail::u128)m, W, S);
        return r;
    }

    double to_double() const { return ap_detail::to_double(m_, W - I); }
    float to_float() const { return ap_detail::to_float(m_, W - I); }
    /* Toward zero, as C converts a double to an int. */
    int to_int() const { return (int)ap_detail::trunc_to_int(m_, W - I); }
    long long to_int64() const { return (long long)ap_detail::trunc_to_int(m_, W - I); }
    explicit operator double() const { return to_double(); }
    explicit operator float() const { return to_float(); }
    explicit operator bool() const { return m_ != 0; }
    int length() const { return W; }

    /* Shifts keep the type (see the header comment). */
    ap_fixed_base operator<<(int sh) const {
        if (sh < 0) return *this >> -sh;
        return from_mantissa(sh >= 128 ? 0 : ap_detail::shl(m_, sh));
    }
    ap_fixed_base operator>>(int sh) const {
        if (sh < 0) return *this << -sh;
        return from_mantissa(sh >= 128 ? (m_ < 0 ? -1 : 0) : (ap_detail::i128)m_ >> sh);
    }
    ap_fixed_base &operator<<=(int sh) { return *this = *this << sh; }
    ap_fixed_base &operator>>=(int sh) { return *this = *this >> sh; }

    /* a op= b is a = a op b: exact result, then this type's Q and O. */
    template <typename T> AEDL_AP_INLINE ap_fixed_base &operator+=(const T &b) { return *this = *this + b; }
    template <typename T> AEDL_AP_INLINE ap_fixed_base &operator-=(const T &b) { return *this = *this - b; }
    template <typename T> AEDL_AP_INLINE ap_fixed_base &operator*=(const T &b) { return *this = *this * b; }

    ap_fixed_base operator+() const { return *this; }
    bool operator!() const { return m_ == 0; }

private:
    /* x 2^(W-I) when that is a value of the type (then a constant expression),
       else the general conversion. */
    enum { int_exact_ = W - I >= 0 && W - I <= 62, int_shift_ = int_exact_ ? W - I : 0 };
    template <typename T> static AEDL_AP_CONSTEXPR mant_type from_int_const(T x) {
        return int_exact_ && ap_detail::exact_fits((ap_detail::i128)x * ((ap_detail::i128)1 << int_shift_), W, S, O)
                   ? (mant_type)((ap_detail::i128)x * ((ap_detail::i128)1 << int_shift_))
                   : from_int(x);
    }
    template <typename T> static AEDL_AP_INLINE mant_type from_int(T x) {
        typedef ap_detail::c_int<T> C;
        return (mant_type)ap_detail::convert<W, I, S, Q, O, C::width, C::width, (bool)C::is_signed>::run(x);
    }
    mant_type m_;
};

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
class ap_fixed : public ap_fixed_base<W, I, true, Q, O> {
    static_assert(N == 0, "aedl's ap_fixed.h supports only N = 0 saturation bits");

public:
    typedef ap_fixed_base<W, I, true, Q, O> Base;
    constexpr ap_fixed() {}
    constexpr ap_fixed(const Base &b) : Base(b) {}
    using Base::Base;
};

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
class ap_ufixed : public ap_fixed_base<W, I, false, Q, O> {
    static_assert(N == 0, "aedl's ap_fixed.h supports only N = 0 saturation bits");

public:
    typedef ap_fixed_base<W, I, false, Q, O> Base;
    constexpr ap_ufixed() {}
    constexpr ap_ufixed(const Base &b) : Base(b) {}
    using Base::Base;
};

/* ---- arithmetic between fixed types: exact ---------------------------------- */

#define AEDL_FX_TPL                                                            \
    template <int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int W2, int I2, \
              bool S2, ap_q_mode Q2, ap_o_mode O2>
#define AEDL_FX_A const ap_fixed_base<W1, I1, S1, Q1, O1> &a
#define AEDL_FX_B const ap_fixed_base<W2, I2, S2, Q2, O2> &b
#define AEDL_FX_RES ap_detail::fixed_result<W1, I1, S1, W2, I2, S2>

AEDL_FX_TPL
AEDL_AP_INLINE typename AEDL_FX_RES::mult operator*(AEDL_FX_A, AEDL_FX_B) {
    typedef typename AEDL_FX_RES::mult R;
    typedef typename R::mant_type M;
    return R(ap_detail::raw_tag(), (M)a.mantissa() * (M)b.mantissa());
}

/* a and b on the result's step (shifts >= 0; the result type holds both). */
AEDL_FX_TPL
AEDL_AP_INLINE typename AEDL_FX_RES::plus operator+(AEDL_FX_A, AEDL_FX_B) {
    typedef typename AEDL_FX_RES::plus R;
    typedef typename R::mant_type M;
    const int f = R::width - R::iwidth;
    return R(ap_detail::raw_tag(), ap_detail::lsh<M>(a.mantissa(), f - (W1 - I1)) +
                                       ap_detail::lsh<M>(b.mantissa(), f - (W2 - I2)));
}

AEDL_FX_TPL
AEDL_AP_INLINE typename AEDL_FX_RES::minus operator-(AEDL_FX_A, AEDL_FX_B) {
    typedef typename AEDL_FX_RES::minus R;
    typedef typename R::mant_type M;
    const int f = R::width - R::iwidth;
    return R(ap_detail::raw_tag(), ap_detail::lsh<M>(a.mantissa(), f - (W1 - I1)) -
                                       ap_detail::lsh<M>(b.mantissa(), f - (W2 - I2)));
}

#define AEDL_FX_CMP(OP)                                                        \
    AEDL_FX_TPL AEDL_AP_INLINE bool operator OP(AEDL_FX_A, AEDL_FX_B) {        \
        return ap_detail::compare<W1, I1, W2, I2>::run(a.mantissa(), b.mantissa()) OP 0; \
    }
AEDL_FX_CMP(==)
AEDL_FX_CMP(!=)
AEDL_FX_CMP(<)
AEDL_FX_CMP(<=)
AEDL_FX_CMP(>)
AEDL_FX_CMP(>=)
#undef AEDL_FX_CMP
#undef AEDL_FX_TPL
#undef AEDL_FX_A
#undef AEDL_FX_B
#undef AEDL_FX_RES

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>
inline ap_fixed<W + 1, I + 1> operator-(const ap_fixed_base<W, I, S, Q, O> &a) {
    typedef typename ap_fixed<W + 1, I + 1>::mant_type M;
    return ap_fixed<W + 1, I + 1>(ap_detail::raw_tag(), -(M)a.mantissa());
}

/* ---- mixed operands: ap_int and C integers act as fixed types <W, W> ----------- */

#define AEDL_FX_MIXED(OP)                                                      \
    template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int W2, bool S2> \
    inline auto operator OP(const ap_fixed_base<W, I, S, Q, O> &a,             \
                            const ap_int_base<W2, S2> &b)                      \
        -> decltype(a OP ap_fixed_base<W2, W2, S2, AP_TRN, AP_WRAP>(b)) {      \
        return a OP ap_fixed_base<W2, W2, S2, AP_TRN, AP_WRAP>(b);             \
    }                                                                          \
    template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int W2, bool S2> \
    inline auto operator OP(const ap_int_base<W2, S2> &a,                      \
                            const ap_fixed_base<W, I, S, Q, O> &b)             \
        -> decltype(ap_fixed_base<W2, W2, S2, AP_TRN, AP_WRAP>(a) OP b) {      \
        return ap_fixed_base<W2, W2, S2, AP_TRN, AP_WRAP>(a) OP b;             \
    }                                                                          \
    template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, typename T>      \
    inline auto operator OP(const ap_fixed_base<W, I, S, Q, O> &a, T b)        \
        -> decltype(a OP typename ap_detail::c_int_fixed<T>::type(b)) {        \
        return a OP typename ap_detail::c_int_fixed<T>::type(b);               \
    }                                                                          \
    template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, typename T>      \
    inline auto operator OP(T a, const ap_fixed_base<W, I, S, Q, O> &b)        \
        -> decltype(typename ap_detail::c_int_fixed<T>::type(a) OP b) {        \
        return typename ap_detail::c_int_fixed<T>::type(a) OP b;               \
    }
AEDL_FX_MIXED(*)
AEDL_FX_MIXED(+)
AEDL_FX_MIXED(-)
AEDL_FX_MIXED(==)
AEDL_FX_MIXED(!=)
AEDL_FX_MIXED(<)
AEDL_FX_MIXED(<=)
AEDL_FX_MIXED(>)
AEDL_FX_MIXED(>=)
#undef AEDL_FX_MIXED

/* Exact comparison with a double (NaN: only != is true). */
#define AEDL_FX_CMP_DOUBLE(OP, ROP)                                            \
    template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>                  \
    inline bool operator OP(const ap_fixed_base<W, I, S, Q, O> &a, double x) { \
        int c = ap_detail::cmp_double(a.mantissa(), W - I, x);                 \
        return c == 2 ? (0 OP 1) && (1 OP 0) : c OP 0;                         \
    }                                                                          \
    template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>                  \
    inline bool operator OP(double x, const ap_fixed_base<W, I, S, Q, O> &a) { \
        return a ROP x;                                                        \
    }
AEDL_FX_CMP_DOUBLE(==, ==)
AEDL_FX_CMP_DOUBLE(!=, !=)
AEDL_FX_CMP_DOUBLE(<, >)
AEDL_FX_CMP_DOUBLE(<=, >=)
AEDL_FX_CMP_DOUBLE(>, <)
AEDL_FX_CMP_DOUBLE(>=, <=)
#undef AEDL_FX_CMP_DOUBLE

/* Prints the value as a double (the stream's precision applies). */
template <class C, class T, int W, int I, bool S, ap_q_mode Q, ap_o_mode O>
inline std::basic_ostream<C, T> &operator<<(std::basic_ostream<C, T> &os,
                                            const ap_fixed_base<W, I, S, Q, O> &a) {
    return os << a.to_double();
}

#endif
