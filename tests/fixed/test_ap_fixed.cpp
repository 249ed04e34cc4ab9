/* test_ap_fixed.cpp — lib/hls/ap_fixed.h and ap_int.h: the hand-computed
 * boundary table (shared with the C test), then thousands of seeded random
 * conversions and operations compared bit for bit with the C implementation
 * (lib/fixed.c), result types, shifts, comparisons and ap_int rules. */
#include <math.h>
#include <stdint.h>
#include <sstream>
#include <string>

#include "ap_fixed.h"
#include "ap_int.h"
extern "C" {
#include "check.h"
#include "fixed.h"
#include "fixed/table.h"
}

typedef ap_detail::i128 i128;

static uint64_t rng_state = 0xc0ffee11u;
static inline uint64_t rng() {   /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static inline aedl_rounding c_rnd(ap_q_mode q) {
    switch (q) {
    case AP_TRN: return AEDL_TRN;
    case AP_TRN_ZERO: return AEDL_TRN_ZERO;
    case AP_RND: return AEDL_RND;
    case AP_RND_ZERO: return AEDL_RND_ZERO;
    case AP_RND_INF: return AEDL_RND_INF;
    case AP_RND_MIN_INF: return AEDL_RND_MIN_INF;
    case AP_RND_CONV: return AEDL_RND_CONV;
    }
    return AEDL_TRN;
}

static inline aedl_overflow c_ovf(ap_o_mode o) {
    switch (o) {
    case AP_WRAP: return AEDL_WRAP;
    case AP_SAT: return AEDL_SAT;
    case AP_SAT_ZERO: return AEDL_SAT_ZERO;
    case AP_SAT_SYM: return AEDL_SAT_SYM;
    default: return AEDL_WRAP;
    }
}

/* The C description of a C++ fixed type. */
template <class T> static aedl_fixed desc() {
    aedl_fixed t = {T::width, T::iwidth, T::is_signed, c_rnd(T::qmode), c_ovf(T::omode)};
    return t;
}
template <class T> static aedl_fx cval(const T &v) {
    aedl_fx x = {(i128)v.mantissa(), desc<T>()};
    return x;
}
static std::string tname(aedl_fixed t) {
    char buf[96];
    aedl_fixed_format(buf, sizeof buf, t);
    return buf;
}

/* ---- the table: a runtime (shape, mode) row dispatched to a compile-time type ---- */

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O> struct pick { typedef ap_fixed<W, I, Q, O> type; };
template <int W, int I, ap_q_mode Q, ap_o_mode O> struct pick<W, I, false, Q, O> {
    typedef ap_ufixed<W, I, Q, O> type;
};

/* x converted from a double and, when exact there, from an ap_fixed<96,48>. */
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>
static void conv1(double x, double *from_double, double *from_fixed) {
    typedef typename pick<W, I, S, Q, O>::type T;
    T v = x;
    *from_double = v.to_double();
    ap_fixed<96, 48> wide = x;
    if (wide == x) {
        T w = wide;
        *from_fixed = w.to_double();
    }
}

template <int W, int I, bool S, ap_q_mode Q>
static void conv_o(aedl_overflow o, double x, double *a, double *b) {
    switch (o) {
    case AEDL_WRAP: conv1<W, I, S, Q, AP_WRAP>(x, a, b); break;
    case AEDL_SAT: conv1<W, I, S, Q, AP_SAT>(x, a, b); break;
    case AEDL_SAT_ZERO: conv1<W, I, S, Q, AP_SAT_ZERO>(x, a, b); break;
    case AEDL_SAT_SYM: conv1<W, I, S, Q, AP_SAT_SYM>(x, a, b); break;
    }
}

template <int W, int I, bool S>
static void conv_q(aedl_rounding r, aedl_overflow o, double x, double *a, double *b) {
    switch (r) {
    case AEDL_TRN: conv_o<W, I, S, AP_TRN>(o, x, a, b); break;
    case AEDL_TRN_ZERO: conv_o<W, I, S, AP_TRN_ZERO>(o, x, a, b); break;
    case AEDL_RND: conv_o<W, I, S, AP_RND>(o, x, a, b); break;
    case AEDL_RND_ZERO: conv_o<W, I, S, AP_RND_ZERO>(o, x, a, b); break;
    case AEDL_RND_INF: conv_o<W, I, S, AP_RND_INF>(o, x, a, b); break;
    case AEDL_RND_MIN_INF: conv_o<W, I, S, AP_RND_MIN_INF>(o, x, a, b); break;
    case AEDL_RND_CONV: conv_o<W, I, S, AP_RND_CONV>(o, x, a, b); break;
    }
}

static bool table_convert(const fixed_case &c, double *a, double *b) {
#define SHAPE(W, I, S) \
    if (c.w == W && c.i == I && c.s == S) { conv_q<W, I, S>(c.r, c.o, c.in, a, b); return true; }
    SHAPE(4, 2, 1) SHAPE(4, 2, 0) SHAPE(4, -2, 1) SHAPE(4, 6, 1) SHAPE(8, 0, 0) SHAPE(1, 1, 1)
    SHAPE(16, 7, 1) SHAPE(8, 3, 1)
#undef SHAPE
    return false;
}

static void test_table() {
    int n = (int)(sizeof fixed_cases / sizeof fixed_cases[0]), bad = 0, unknown = 0;
    for (int k = 0; k < n; k++) {
        const fixed_case &c = fixed_cases[k];
        double a = NAN, b = c.want;
        if (!table_convert(c, &a, &b)) {
            unknown++;
            continue;
        }
        if ((a != c.want || b != c.want) && bad++ < 10) {
            aedl_fixed t = {c.w, c.i, c.s != 0, c.r, c.o};
            printf("  row %d: %s(%.17g) = %.17g (via fixed %.17g), want %.17g\n", k, tname(t).c_str(),
                   c.in, a, b, c.want);
        }
    }
    CHECK((bad == 0 && unknown == 0), "fixed/cxx/table", "%d of %d rows differ, %d shapes not dispatched",
          bad, n, unknown);
}

#ifndef FIXED_TEST_QUICK
/* ---- random cross-checks against the C implementation ---- */

template <class... T> struct type_list {};

typedef type_list<
    ap_fixed<4, 2, AP_RND, AP_SAT>, ap_ufixed<4, 2, AP_RND_CONV, AP_WRAP>,
    ap_fixed<8, 3, AP_RND_ZERO, AP_SAT_SYM>, ap_ufixed<8, 0, AP_RND_CONV, AP_SAT>,
    ap_fixed<4, -2, AP_RND_INF, AP_SAT_ZERO>, ap_fixed<5, 8, AP_RND_MIN_INF, AP_WRAP>,
    ap_ufixed<12, 14, AP_TRN_ZERO, AP_SAT_ZERO>, ap_fixed<32, 16, AP_TRN, AP_SAT>,
    ap_fixed<64, 20, AP_RND_CONV, AP_SAT_SYM>, ap_ufixed<64, 32, AP_RND, AP_WRAP>,
    ap_fixed<1, 1, AP_RND, AP_SAT_SYM>>
    all_types;

enum { PER_TYPE = 3000, PER_PAIR = 80 };

/* Counts cases and failures of one kind; prints the first few failures. */
struct tally {
    int cases, bad;
    const char *name;
    void check(bool ok, const std::string &a, const char *op, const std::string &b) {
        cases++;
        if (!ok && bad++ < 8) printf("  %s: %s %s %s\n", name, a.c_str(), op, b.c_str());
    }
};
static tally t_double = {0, 0, "from-double"}, t_cast = {0, 0, "cast"}, t_mul = {0, 0, "mul"},
             t_add = {0, 0, "add"}, t_sub = {0, 0, "sub"}, t_cmp = {0, 0, "cmp"}, t_neg = {0, 0, "neg"},
             t_back = {0, 0, "to-double/float"}, t_int = {0, 0, "to-int"};

static std::string show(aedl_fx v) {
    std::ostringstream s;
    s.precision(17);
    s << tname(v.t) << " " << aedl_fx_to_double(v);
    return s.str();
}
static bool same(aedl_fx x, aedl_fx y) { return x.m == y.m && aedl_fixed_same(x.t, y.t); }

static i128 random_mantissa() {
    i128 m = (i128)(((ap_detail::u128)rng() << 64) | rng());
    if (rng() % 8 == 0) m = rng() % 3;          /* 0, 1, 2 */
    if (rng() % 8 == 0) m = -(i128)(rng() % 3);
    return m;
}

/* Doubles that hit a type's steps, half-steps, range edges, and far away. */
static double random_double(aedl_fixed t) {
    int f = t.width - t.integer, w = t.width < 50 ? t.width : 50;
    long long j = (long long)(rng() % (1ull << (w + 2))) - (1ll << (w + 1));
    switch (rng() % 6) {
    case 0: return ldexp((double)j, -f);                    /* on the grid (and beyond) */
    case 1: return ldexp((double)(2 * j + 1), -f - 1);      /* half-steps */
    case 2: return ldexp((double)j + ((rng() & 1) ? 1e-3 : -1e-3), -f);
    case 3: return ldexp((double)(int64_t)rng(), (int)(rng() % 200) - 100 - f);
    case 4: return (rng() & 1 ? 1 : -1) * ldexp(1.0, t.integer - (t.is_signed ? 1 : 0));
    default: {
        static const double special[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1e300, -1e300, 5e-324};
        return special[rng() % 8];
    }
    }
}

/* What the C++ side computed for one value; checked against C below.  The
   templates only compute, so that the many instantiations stay cheap. */
struct one_result {
    double x;
    aedl_fx from_x, r, neg;
    double r_double;
    float r_float;
    long long r_int;
};

static void verify_one(const one_result &o) {
    t_double.check(same(o.from_x, aedl_fx_from_double(o.from_x.t, o.x)), show(o.from_x), "from",
                   std::to_string(o.x));
    /* to_float rounds once: compare with long double (exact for W <= 64) */
    float f = (float)ldexpl((long double)o.r.m, -(o.r.t.width - o.r.t.integer));
    bool exact = o.r.t.width <= 53;
    t_back.check(o.r_double == aedl_fx_to_double(o.r) && o.r_float == f, show(o.r), "->",
                 std::to_string(o.r_float));
    t_int.check(!exact || o.r_int == (long long)o.r_double, show(o.r), "to_int", std::to_string(o.r_int));
    t_neg.check(same(o.neg, aedl_fx_neg(o.r)), show(o.r), "neg", show(o.neg));
}

template <class A> static void per_type() {
    one_result o;
    for (int k = 0; k < PER_TYPE; k++) {
        o.x = random_double(desc<A>());
        A v = o.x;
        A r = A::from_mantissa(random_mantissa());      /* wraps: any bit pattern */
        auto n = -r;
        o.from_x = cval(v);
        o.r = cval(r);
        o.neg = cval(n);
        o.r_double = r.to_double();
        o.r_float = r.to_float();
        o.r_int = r.to_int64();
        verify_one(o);
    }
}

struct pair_result {
    aedl_fx a, b, cast, mul, add, sub;
    bool has_mul, has_add;
    bool lt, le, eq, ne, gt, ge;
};

static void verify_pair(const pair_result &p) {
    /* to the same type: a copy (a SAT_SYM minimum stays, as with the vendor's types) */
    aedl_mant want = aedl_fixed_same(p.a.t, p.cast.t)
                         ? p.a.m
                         : aedl_fixed_quantize(p.cast.t, p.a.m, p.a.t.width - p.a.t.integer);
    t_cast.check(p.cast.m == want, show(p.a), "->", show(p.cast));
    if (p.has_mul) t_mul.check(same(p.mul, aedl_fx_mul(p.a, p.b)), show(p.a), "*", show(p.b));
    if (p.has_add) {
        t_add.check(same(p.add, aedl_fx_add(p.a, p.b)), show(p.a), "+", show(p.b));
        t_sub.check(same(p.sub, aedl_fx_sub(p.a, p.b)), show(p.a), "-", show(p.b));
    }
    int c = aedl_fx_cmp(p.a, p.b);
    t_cmp.check(p.lt == (c < 0) && p.le == (c <= 0) && p.eq == (c == 0) && p.ne == (c != 0) &&
                    p.gt == (c > 0) && p.ge == (c >= 0),
                show(p.a), "<=>", show(p.b));
}

/* Operations whose result type would exceed 128 bits are not instantiated. */
template <class A, class B> static void do_mul(pair_result &p, const A &a, const B &b, std::true_type) {
    p.mul = cval(a * b);
    p.has_mul = true;
}
template <class A, class B> static void do_mul(pair_result &p, const A &, const B &, std::false_type) {
    p.has_mul = false;
}
template <class A, class B> static void do_add(pair_result &p, const A &a, const B &b, std::true_type) {
    p.add = cval(a + b);
    p.sub = cval(a - b);
    p.has_add = true;
}
template <class A, class B> static void do_add(pair_result &p, const A &, const B &, std::false_type) {
    p.has_add = false;
}

template <class A, class B> static void per_pair() {
    typedef ap_detail::fixed_result<A::width, A::iwidth, A::is_signed, B::width, B::iwidth, B::is_signed> R;
    typedef std::integral_constant<bool, (A::width + B::width <= (R::sign ? 128 : 127))> mul_ok;
    typedef std::integral_constant<bool, ((int)R::plus_w <= (R::sign ? 128 : 127))> add_ok;
    pair_result p;
    for (int k = 0; k < PER_PAIR; k++) {
        A a = A::from_mantissa(random_mantissa());
        B b = B::from_mantissa(random_mantissa());
        B c = a;                                           /* ap_fixed assignment */
        p.a = cval(a);
        p.b = cval(b);
        p.cast = cval(c);
        do_mul(p, a, b, mul_ok());
        do_add(p, a, b, add_ok());
        p.lt = a < b, p.le = a <= b, p.eq = a == b, p.ne = a != b, p.gt = a > b, p.ge = a >= b;
        verify_pair(p);
    }
}

template <class A> static void pairs_with(type_list<>) {}
template <class A, class B, class... Rest> static void pairs_with(type_list<B, Rest...>) {
    per_pair<A, B>();
    pairs_with<A>(type_list<Rest...>());
}
static void all_pairs(type_list<>) {}
template <class A, class... Rest> static void all_pairs(type_list<A, Rest...>) {
    per_type<A>();
    pairs_with<A>(all_types());
    all_pairs(type_list<Rest...>());
}

static void test_random() {
    all_pairs(all_types());
    tally *all[] = {&t_double, &t_cast, &t_mul, &t_add, &t_sub, &t_cmp, &t_neg, &t_back, &t_int};
    for (tally *t : all) {
        std::string name = std::string("fixed/cxx/random-") + t->name;
        CHECK(t->bad == 0 && t->cases >= 1000, name.c_str(), "%d of %d differ from lib/fixed.c",
              t->bad, t->cases);
    }
}

/* ---- products and sums at full precision against exact double arithmetic ---- */
template <class T> static T random_value() { return T::from_mantissa(random_mantissa()); }

static void test_exact_double() {
    int bad = 0, n = 0;
    for (int k = 0; k < 20000; k++) {
        ap_fixed<24, 7> a = random_value<ap_fixed<24, 7>>();
        ap_ufixed<20, -3> b = random_value<ap_ufixed<20, -3>>();
        ap_fixed<16, 16> c = random_value<ap_fixed<16, 16>>();
        double da = a.to_double(), db = b.to_double(), dc = c.to_double();
        /* every result below has <= 53 bits: double is exact */
        bool ok = (a * b).to_double() == da * db && (a + b).to_double() == da + db &&
                  (b - a).to_double() == db - da && (a * c).to_double() == da * dc &&
                  (b + c).to_double() == db + dc && (a * b + c).to_double() == da * db + dc;
        n++;
        if (!ok && bad++ < 5) printf("  a=%.17g b=%.17g c=%.17g\n", da, db, dc);
    }
    CHECK(bad == 0, "fixed/cxx/exact-vs-double", "%d of %d differ", bad, n);
}

#endif

/* ---- result types, shifts, mixed operands, ap_int ---- */
template <class T> static bool shape(const T &, int w, int i, bool s) {
    return T::width == w && T::iwidth == i && T::is_signed == s;
}

static void test_types_and_ops() {
    ap_fixed<16, 6> x = 1.5;
    ap_ufixed<8, 0> u = 0.5;
    ap_fixed<4, 2> f = 1.0;
    CHECK((shape(x * u, 24, 6, true) && shape(u * u, 16, 0, false) && shape(f + u, 11, 3, true) &&
              shape(u + u, 9, 1, false) && shape(u - u, 9, 1, true) && shape(-u, 9, 1, true) &&
              shape(x * 3, 48, 38, true) && shape(x + 1u, 44, 34, true)),
          "fixed/cxx/result-types", "vendor result types");

    ap_fixed<8, 4> s = 1.5;              /* mantissa 24 */
    ap_fixed<8, 4> n = -1.5;
    ap_fixed<8, 4> tiny = -0.0625;       /* mantissa -1 */
    CHECK(((s << 1).to_double() == 3.0 && (s << 3).to_double() == -4.0 && (s >> 1).to_double() == 0.75 &&
              (n >> 1).to_double() == -0.75 && (tiny >> 1).to_double() == -0.0625 &&
              (s << -1).to_double() == 0.75 && shape(s << 2, 8, 4, true) && (s >> 9).to_double() == 0 &&
              (n >> 100).to_double() == -0.0625),
          "fixed/cxx/shifts", "shifts keep the type, wrap on <<, floor on >>");
    ap_fixed<8, 4, AP_TRN, AP_SAT> sat = 7.0;
    sat <<= 1;                           /* vendor: shifts never saturate */
    CHECK(sat.to_double() == -2.0, "fixed/cxx/shift-no-saturation", "7 << 1 in <8,4,sat> = %g",
          sat.to_double());

    ap_fixed<8, 4, AP_RND, AP_SAT> acc = 6.0;
    acc += ap_fixed<8, 4>(3.0);          /* 9 saturates at 7.9375 */
    ap_fixed<8, 4, AP_RND, AP_SAT> acc2 = 1.0;
    acc2 *= ap_fixed<8, 1>(0.0234375);   /* exact product 0.0234375: rounds to 0 on the 1/16 step */
    acc2 += 1;
    CHECK((acc.to_double() == 7.9375 && acc2.to_double() == 1.0), "fixed/cxx/compound-assign",
          "acc=%g acc2=%g", acc.to_double(), acc2.to_double());

    ap_fixed<8, 4> m = -7.5;
    CHECK((m.to_int() == -7 && ap_fixed<8, 4>(7.5).to_int() == 7 && ap_fixed<8, 4>(-0.5).to_int() == 0 &&
              double(m) == -7.5 && (float)m == -7.5f && (bool)m && !ap_fixed<8, 4>(0)),
          "fixed/cxx/to-int", "truncation toward zero, explicit conversions");

    CHECK((x == 1.5 && x != 1.25 && x < 2 && x > 1 && 2 > x && x >= 1.5 && x <= 1.5 && !(x == NAN) &&
              x != NAN && 1.0 < x && u == 0.5 && u < x && !(u > x) && x == ap_int<4>(1) + u && !(x == ap_int<4>(1) + u + u)),
          "fixed/cxx/compare-mixed", "comparisons with doubles, ints and ap types");

    std::ostringstream os;
    os << ap_fixed<16, 6>(-2.25) << " " << ap_int<8>(-5) << " " << ap_ufixed<8, 0>(0.75);
    CHECK(os.str() == "-2.25 -5 0.75", "fixed/cxx/ostream", "printed '%s'", os.str().c_str());

    ap_int<8> i8 = 200;
    ap_uint<4> u4 = -1;
    ap_int<8> from_d = -3.7;
    ap_int<8> from_fx = m;
    ap_uint<8> big = 1000;               /* 1000 mod 256 = 232 */
    ap_int<8> neg = ap_int<16>(-200);    /* -200 mod 256 = 56 */
    CHECK((i8 == ap_int<8>(-56) && (long long)u4 == 15 && (long long)from_d == -3 && (long long)from_fx == -7 &&
              (long long)big == 232 && (long long)neg == 56 && (long long)(i8 * u4) == -840 &&
              (long long)(i8 + u4) == -41 && (long long)(u4 - big) == -217 && (i8 * u4).width == 12 &&
              (i8 * u4).is_signed && (u4 + big).width == 9 && !(u4 + big).is_signed && (long long)(ap_int<8>(64) << 1) == -128 &&
              (long long)(ap_int<8>(-64) >> 3) == -8 && (long long)(ap_uint<8>(200) >> 3) == 25),
          "fixed/cxx/ap-int", "ap_int wrap, truncation, arithmetic widths, shifts");
    CHECK(((x * i8).to_double() == -84.0 && (i8 * x).to_double() == -84.0 && (x + u4).to_double() == 16.5 &&
              shape(x * i8, 24, 14, true)),
          "fixed/cxx/fixed-times-int", "ap_fixed op ap_int");

    ap_fixed<10, 3, AP_RND_CONV, AP_SAT_SYM> q = -4.0;   /* the minimum becomes -max */
    ap_fixed<10, 3, AP_RND_CONV, AP_SAT_SYM> q2 = ap_fixed<12, 3>(-4.0);
    CHECK(q.to_double() == -3.9921875 && q2.to_double() == -3.9921875, "fixed/cxx/sat-sym-min",
          "q=%g q2=%g", q.to_double(), q2.to_double());
}

/* ---- constants: exact values are constant expressions (C++14) ---- */
#if __cplusplus >= 201402L
/* A weight array as the firmware writes it: compiles only if every element is
   a constant expression, i.e. the array needs no code to initialise. */
constexpr ap_fixed<7, 2> weights[2][4] = {{0.4375, -1, 0, -0.0625}, {0.96875, -0.5f, 1u}};
static_assert(weights[0][0].mantissa() == 14 && weights[0][1].mantissa() == -32 &&
                  weights[0][3].mantissa() == -2 && weights[1][0].mantissa() == 31 &&
                  weights[1][1].mantissa() == -16 && weights[1][2].mantissa() == 32 &&
                  weights[1][3].mantissa() == 0,
              "exact constants");
constexpr ap_fixed<40, 40> wide = -5LL;
static_assert(wide.mantissa() == -5, "integer constant");
static_assert(ap_fixed<64, 2>(1.5).mantissa() == (3LL << 61), "62 fraction bits");
#endif

/* Values that are not exact values of the type (or at its SAT_SYM minimum)
   take the general conversion; exact ones the constant path: same results. */
static void test_constants() {
    const ap_fixed<4, 2, AP_RND, AP_SAT> sat = 3.3;          /* saturates: 1.75 */
    const ap_fixed<4, 2, AP_RND, AP_WRAP> wrap = 2.5;        /* wraps: -1.5 */
    const ap_fixed<4, 2, AP_RND> rnd = 0.3;                  /* rounds: 0.25 */
    const ap_fixed<4, 2, AP_TRN, AP_SAT_SYM> sym = -2;       /* minimum -> -max: -1.75 */
    const ap_ufixed<4, 2, AP_TRN, AP_SAT> neg = -1;          /* unsigned: 0 */
    const ap_fixed<8, 4> nan = NAN;
    const ap_fixed<70, 2> wide = 0.75;                        /* 68 fraction bits */
    const ap_fixed<8, 2> big = 1e30;                          /* wraps: 0 */
    const ap_ufixed<8, 10> coarse = 12;                       /* W - I < 0 */
    CHECK(sat.to_double() == 1.75 && wrap.to_double() == -1.5 && rnd.to_double() == 0.25 &&
              sym.to_double() == -1.75 && neg.to_double() == 0 && nan.to_double() == 0 &&
              wide.to_double() == 0.75 && big.to_double() == 0 && coarse.to_double() == 12,
          "fixed/cxx/constants-general", "sat=%g wrap=%g rnd=%g sym=%g neg=%g nan=%g wide=%g big=%g",
          sat.to_double(), wrap.to_double(), rnd.to_double(), sym.to_double(), neg.to_double(),
          nan.to_double(), wide.to_double(), big.to_double());
}

int main() {
    test_constants();
    test_table();
#ifndef FIXED_TEST_QUICK    /* the C++11 build checks the header compiles and the table */
    test_random();
    test_exact_double();
#endif
    test_types_and_ops();
    return check_exit();
}
