/* emu.c — the firmware emulator (see emu.h for the semantics).
 *
 * Events go through the plan in blocks of EMU_B events, stored transposed
 * ([feature][event]) so that the inner loops run over events: one non-zero
 * weight times a row of inputs, added to a row of accumulators.  Those loops
 * vectorize (AVX2 when the machine has it, via target_clones).
 *
 * Arithmetic is modular where HLS is: a wrapping accumulator whose step
 * divides every product's gets the exact sum modulo 2^32 or 2^64, then the
 * cast into its W bits (sign extension) — the same as HLS adding one product
 * at a time.  Any other accumulator (saturating, or coarser than a product)
 * takes the general path: one cast after every addition, in int128.
 *
 * Each layer's values are stored as int32 mantissas when its type fits 32
 * bits, as int64 otherwise.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "emu.h"
#include "emu_fast.h"
#include "nn.h"
#include "rng.h"
#include "util.h"

#define EMU_B 64                 /* events per block */
#define EMU_MAX_THREADS 16

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define EMU_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define EMU_SIMD
#endif

typedef __int128 i128;

/* ---- casts ----------------------------------------------------------------------
   The rules are fixed.h's (AEDL_ROUND_UP, aedl_fixed_overflow): one value at a
   time through fixed.c's exact conversion, blocks of values by the loops below,
   which instantiate the same rules per mode on int32 or int64 lanes. */

/* The range of a conversion's results (W <= 64: the mantissas fit int64). */
static int64_t type_max(aedl_fixed t) { return (int64_t)aedl_fixed_mant_max(t); }
static int64_t type_min(aedl_fixed t) { return (int64_t)aedl_fixed_result_min(t); }

int64_t aedl_fw_cast(i128 m, int from_exp, aedl_fixed to) {
    return (int64_t)aedl_fixed_quantize(to, m, -from_exp);
}

int64_t aedl_fw_from_double(double x, aedl_fixed to) {
    return (int64_t)aedl_fixed_from_double(to, x);
}

double aedl_fw_float_value(aedl_fw_op op, const double *w, double v) {
    switch (op) {
    case FW_RELU: return v > 0 ? v : 0;
    case FW_LEAKY_RELU: return v >= 0 ? v : w[0] * v;
    case FW_SIGMOID: return 1.0 / (1.0 + exp(-v));
    case FW_TANH: return tanh(v);
    case FW_CLIP: return v < w[0] ? w[0] : v > w[1] ? w[1] : v;
    case FW_ABS: return fabs(v);
    case FW_LINEAR: case FW_DENSE: case FW_BATCHNORM: case FW_ADD: case FW_CONCAT: case FW_SOFTMAX: case FW_BOUND:
    case FW_SCORE: case FW_MASKED_SCORE: case FW_COUNT: case FW_HW_INPUT: case FW_MU2:
        return v;
    }
    return v;
}

int aedl_fw_table_shift(aedl_fw_op op) { return op == FW_TANH ? AEDL_ACT_SHIFT_TANH : AEDL_ACT_SHIFT_SIGMOID; }

void aedl_fw_table(aedl_fw_op op, aedl_fixed res_t, int64_t *table) {
    for (int i = 0; i < AEDL_ACT_TABLE; i++)
        table[i] = aedl_fw_from_double(aedl_act_table_x_value(op == FW_TANH, i), res_t);
}

/* In place: v[0..n) at exponent from_exp -> mantissas of `to`.  Branch-free per
   mode so that it vectorizes.  Two instances: int64 values (|v| < 2^62 assumed:
   the plan checks widths) and int32 values (types of at most 31 bits, shifts of
   at most 30: the caller checks). */
/* v[0..n) >>= s with rounding by mode; NEG(i) says whether v[i] < 0.  For
   values known to be non-negative the caller passes an unsigned T (logical
   shifts vectorize where arithmetic 64-bit ones do not). */
#define ROUND_SHIFT_LOOP(T, v, n, s, MODE, NEG, SAR)                                         \
    for (int i = 0; i < (n); i++) {                                                          \
        T q = SAR(v[i], (s)), r = v[i] & mask_;                                              \
        v[i] = q + (T)AEDL_ROUND_UP(MODE, (T)(NEG), (T)(r != 0), (T)(r > half_), (T)(r == half_), (T)(q & 1)); \
    }
#define ROUND_SHIFT(T, v, n, s, mode, NEG, SAR)                                                   \
    do {                                                                                     \
        T half_ = (T)1 << ((s) - 1), mask_ = (T)(((T)1 << (s)) - 1);                         \
        switch (mode) {                                                                      \
        case AEDL_TRN:         ROUND_SHIFT_LOOP(T, v, n, s, AEDL_TRN, NEG, SAR) break;         \
        case AEDL_TRN_ZERO:    ROUND_SHIFT_LOOP(T, v, n, s, AEDL_TRN_ZERO, NEG, SAR) break;    \
        case AEDL_RND:         ROUND_SHIFT_LOOP(T, v, n, s, AEDL_RND, NEG, SAR) break;         \
        case AEDL_RND_ZERO:    ROUND_SHIFT_LOOP(T, v, n, s, AEDL_RND_ZERO, NEG, SAR) break;    \
        case AEDL_RND_INF:     ROUND_SHIFT_LOOP(T, v, n, s, AEDL_RND_INF, NEG, SAR) break;     \
        case AEDL_RND_MIN_INF: ROUND_SHIFT_LOOP(T, v, n, s, AEDL_RND_MIN_INF, NEG, SAR) break; \
        case AEDL_RND_CONV:    ROUND_SHIFT_LOOP(T, v, n, s, AEDL_RND_CONV, NEG, SAR) break;    \
        }                                                                                    \
    } while (0)

#define CAST_BLOCK(NAME, T, UT, BITS, SAR)                                                        \
EMU_SIMD                                                                                     \
static void NAME(T *v, int n, int from_exp, aedl_fixed to) {                                 \
    int s = aedl_fw_exp(to) - from_exp;                                                      \
    if (s < 0) {                                                                             \
        int k = -s;                                                                          \
        if (k > BITS - 2) { for (int i = 0; i < n; i++) v[i] = (T)aedl_fw_cast(v[i], from_exp, to); return; } \
        /* exact unless it overflows: v << k in [lo, hi] <=> v in [ceil(lo/2^k), floor(hi/2^k)] */ \
        T lo = (T)type_min(to), hi = (T)type_max(to);                                        \
        T lo_u = lo >> k, hi_u = hi >> k;                                                    \
        if ((int64_t)lo_u * ((int64_t)1 << k) < (int64_t)lo) lo_u++;                         \
        int ok = 1;                                                                          \
        for (int i = 0; i < n; i++) ok &= (v[i] >= lo_u) & (v[i] <= hi_u);                   \
        if (!ok) { for (int i = 0; i < n; i++) v[i] = (T)aedl_fw_cast(v[i], from_exp, to); return; } \
        for (int i = 0; i < n; i++) v[i] = (T)((UT)v[i] << k);                               \
        return;                                                                              \
    }                                                                                        \
    if (s > 0) {                                                                             \
        if (s > BITS - 2) { for (int i = 0; i < n; i++) v[i] = (T)aedl_fw_cast(v[i], from_exp, to); return; } \
        int nonneg = 1;                                                                      \
        for (int i = 0; i < n; i++) nonneg &= v[i] >= 0;                                     \
        int small_ = 1;       /* SAR64's condition |v| < 2^62 (int32: always) */             \
        if (BITS == 64 && !nonneg)                                                           \
            for (int i = 0; i < n; i++) small_ &= (v[i] > -((T)1 << (BITS - 2))) & (v[i] < ((T)1 << (BITS - 2))); \
        if (!small_) { for (int i = 0; i < n; i++) v[i] = (T)aedl_fw_cast(v[i], from_exp, to); return; } \
        if (nonneg) { UT *u = (UT *)v; ROUND_SHIFT(UT, u, n, s, to.rnd, 0, SHR_U); }        \
        else ROUND_SHIFT(T, v, n, s, to.rnd, (v[i] < 0), SAR);                               \
    }                                                                                        \
    T lo = (T)type_min(to), hi = (T)type_max(to);                                            \
    switch (to.ovf) {                                                                        \
    case AEDL_SAT: case AEDL_SAT_SYM:                                                        \
        for (int i = 0; i < n; i++) { /* masks: vectorizes for int64 too */                 \
            T x = v[i], ml = -(T)(x < lo), mh = -(T)(x > hi);                                \
            x = (x & ~ml) | (lo & ml); v[i] = (x & ~mh) | (hi & mh); }                        \
        break;                                                                               \
    case AEDL_SAT_ZERO:                                                                      \
        for (int i = 0; i < n; i++) { T x = v[i]; v[i] = x & ~(-(T)((x < lo) | (x > hi))); } \
        break;                                                                               \
    case AEDL_WRAP:                                                                          \
        if (to.width >= BITS) break;                                                         \
        if (to.is_signed) {   /* sign extension of the low W bits: add, mask, subtract */    \
            UT h = (UT)1 << (to.width - 1), m = ((UT)1 << to.width) - 1;                     \
            for (int i = 0; i < n; i++) v[i] = (T)((((UT)v[i] + h) & m) - h);                 \
        } else {                                                                             \
            UT m = ((UT)1 << to.width) - 1;                                                  \
            for (int i = 0; i < n; i++) v[i] = (T)((UT)v[i] & m);                            \
        }                                                                                    \
        break;                                                                               \
    }                                                                                        \
}

/* Shifts right: logical for unsigned; arithmetic for int32 (vpsrad); for int64
   through a logical shift of x + 2^62 (AVX2 has no 64-bit arithmetic shift),
   exact for |x| < 2^62. */
#define SHR_U(x, s) ((x) >> (s))
#define SAR32(x, s) ((x) >> (s))
#define SAR64(x, s) ((int64_t)(((uint64_t)(x) + ((uint64_t)1 << 62)) >> (s)) - ((int64_t)1 << (62 - (s))))
CAST_BLOCK(cast_block, int64_t, uint64_t, 64, SAR64)
CAST_BLOCK(cast_block32, int32_t, uint32_t, 32, SAR32)

/* ---- prepared plan ------------------------------------------------------------------ */

typedef enum { CAST_NONE, CAST_SHIFT, CAST_FULL } cast_kind;

/* Where a layer's rows live: the int32 or the int64 buffer, from row `off`. */
typedef struct { bool n32; long off; } slot;

typedef struct {
    int size;                   /* output elements */
    slot out;                   /* this layer's output rows */
    int in_exp[AEDL_FW_MAX_INPUTS];
    slot in[AEDL_FW_MAX_INPUTS];
    int in_size[AEDL_FW_MAX_INPUTS];
    aedl_fixed in_t[AEDL_FW_MAX_INPUTS];
    int acc_exp;
    bool modular;               /* exact sum mod 2^64, then the wrap into acc_t */
    bool acc32;                 /* dense: the accumulator fits 32 bits: uint32 lanes */
    bool fast32;                /* dense, relu, linear: everything in int32 lanes, in place */
    bool skip_wrap;             /* dense, batchnorm: every sum provably fits acc_t, the wrap is the identity */
    bool bn32;                  /* batchnorm: int32 x int32 -> int64 products */
    /* dense: per output neuron its non-zero weights (CSR), pre-shifted to acc_exp */
    int *nz_start;              /* (n_out + 1) */
    int *nz_idx;                /* input index */
    int64_t *nz_w;
    int64_t *bias_acc;          /* (n_out) bias at acc_exp (modular) */
    int wshift;                 /* dense general path: product exp - acc exp */
    /* the output casts: v (acc_exp) -> acc_t (wrap) -> q_t -> res_t */
    cast_kind to_q, to_res;
} lexec;

struct aedl_fw_exec {
    slot in;                    /* the model input's rows */
    long rows32, rows64;        /* rows of EMU_B per block in each buffer */
    int max_size;
    int in_exp;
    lexec *L;
    emu_fast *fast;             /* the exact-double fast path (emu_fast.c), or NULL */
    bool reference;             /* aedl_fw_set_reference: always the integer path */
};

/* What the cast from `from` into `to` has to do for values of `from`: nothing
   (same step, range inside), a left shift (finer step, range inside), or all. */
static bool small(aedl_fixed t) { return t.width <= 31; }
static int iabs(int x) { return x < 0 ? -x : x; }

static cast_kind cast_kind_of(aedl_fixed from, aedl_fixed to) {
    int ef = aedl_fw_exp(from), et = aedl_fw_exp(to);
    if (et > ef || ef - et > 62) return CAST_FULL;
    int k = ef - et;
    i128 lo = (i128)type_min(from) * ((i128)1 << k), hi = (i128)type_max(from) * ((i128)1 << k);
    if (lo < type_min(to) || hi > type_max(to)) return CAST_FULL;
    return k == 0 ? CAST_NONE : CAST_SHIFT;
}

static bool valid_type(aedl_fixed t) {   /* mantissas are int64: unsigned at most 63 bits */
    return t.width >= 1 && t.width <= (t.is_signed ? 64 : 63) && t.integer > -1000 && t.integer < 1000 &&
           (unsigned)t.rnd <= AEDL_RND_CONV && (unsigned)t.ovf <= AEDL_SAT_SYM;
}

/* masked_score, count: every padding value z_j (w) a value of t, the compared input's type. */
static bool pad_in_type(const aedl_fw_layer *a, aedl_fixed t) {
    if (!a->has_w) return true;
    if (!a->w) return false;
    for (int j = 0; j < a->n_in; j++)
        if (a->w[j] < type_min(t) || a->w[j] > type_max(t)) return false;
    return true;
}

#define PERR(...) do { snprintf(err, errn, __VA_ARGS__); goto fail; } while (0)

static void exec_free(struct aedl_fw_exec *x, int nlayers) {
    if (!x) return;
    for (int l = 0; l < nlayers; l++) {
        free(x->L[l].nz_start); free(x->L[l].nz_idx); free(x->L[l].nz_w); free(x->L[l].bias_acc);
    }
    free(x->L);
    emu_fast_free(x->fast);
    free(x);
}

static bool fits32(aedl_fixed t) { return t.width <= 32 - !t.is_signed; }
static slot new_slot(struct aedl_fw_exec *x, aedl_fixed t, int n) {
    slot s = {fits32(t), 0};
    if (s.n32) { s.off = x->rows32; x->rows32 += n; } else { s.off = x->rows64; x->rows64 += n; }
    return s;
}

static aedl_fixed out_type(const aedl_fw_plan *p, int l) {
    return l < 0 ? p->in_t : p->layers[l].res_t;
}
static int out_size(const aedl_fw_plan *p, int l) {
    return l < 0 ? p->d_in : p->layers[l].n_out;
}

int aedl_fw_prepare(aedl_fw_plan *p, char *err, int errn) {
    if (p->exec) return 0;
    struct aedl_fw_exec *x = xcalloc(1, sizeof *x);
    x->L = xcalloc(p->nlayers > 0 ? p->nlayers : 1, sizeof *x->L);
    if (p->d_in <= 0) PERR("plan: input size %d", p->d_in);
    if (!valid_type(p->in_t)) PERR("plan: bad input type");
    x->in_exp = aedl_fw_exp(p->in_t);
    x->in = new_slot(x, p->in_t, p->d_in);
    x->max_size = p->d_in;
    for (int l = 0; l < p->nlayers; l++) {
        const aedl_fw_layer *a = &p->layers[l];
        lexec *e = &x->L[l];
        if (a->ninputs < 1 || a->ninputs > AEDL_FW_MAX_INPUTS) PERR("plan: layer %s: %d inputs", a->name, a->ninputs);
        int total = 0;
        for (int k = 0; k < a->ninputs; k++) {
            int s = a->inputs[k];
            if (s < -1 || s >= l) PERR("plan: layer %s: input %d is not an earlier layer", a->name, s);
            e->in_t[k] = out_type(p, s);
            e->in_exp[k] = aedl_fw_exp(e->in_t[k]);
            e->in_size[k] = out_size(p, s);
            e->in[k] = s < 0 ? x->in : x->L[s].out;
            total += e->in_size[k];
        }
        if (!valid_type(a->res_t) || !valid_type(a->acc_t) || (a->has_quant && !valid_type(a->q_t)) ||
            (a->has_w && !valid_type(a->w_t)) || (a->has_b && !valid_type(a->b_t)))
            PERR("plan: layer %s: a type is out of range (widths 1..64, unsigned 1..63)", a->name);
        int n_in = a->n_in, n_out = a->n_out;
        switch (a->op) {
        case FW_DENSE:
            if (a->ninputs != 1 || e->in_size[0] != n_in || n_in <= 0 || n_out <= 0 || !a->has_w || !a->w)
                PERR("plan: layer %s: dense sizes do not match its input", a->name);
            if (a->has_b && !a->b) PERR("plan: layer %s: bias missing", a->name);
            break;
        case FW_BATCHNORM:
            if (!a->has_w || !a->has_b || !a->w || !a->b) PERR("plan: layer %s: batchnorm needs scale and shift", a->name);
            /* fall through */
        case FW_RELU: case FW_LINEAR: case FW_SIGMOID: case FW_TANH: case FW_SOFTMAX: case FW_LEAKY_RELU: case FW_CLIP:
        case FW_ABS: case FW_BOUND:
            if (a->ninputs != 1 || e->in_size[0] != n_out || n_in != n_out)
                PERR("plan: layer %s: size %d does not match its input (%d)", a->name, n_out, e->in_size[0]);
            if (a->op == FW_LEAKY_RELU && (!a->has_w || !a->w)) PERR("plan: layer %s: leaky_relu needs alpha", a->name);
            if (a->op == FW_CLIP && (!a->has_w || !a->w || a->w[0] > a->w[1] || iabs(aedl_fw_exp(a->w_t) - e->in_exp[0]) > 60))
                PERR("plan: layer %s: clip needs its bounds, lo <= hi, on a step near the input's", a->name);
            if (a->op == FW_BOUND) {
                if (!a->has_w || !a->w || !a->has_b || !a->b || iabs(aedl_fw_exp(a->w_t) + aedl_fw_exp(a->b_t) - e->in_exp[0]) > 60)
                    PERR("plan: layer %s: bound needs its table and factors, on a step near the input's", a->name);
                for (int j = 0; j < n_out; j++)
                    if (a->w[AEDL_ACT_TABLE + j] < 0 || a->w[AEDL_ACT_TABLE + j] > 2 || a->b[j] < 0 || a->b[j] > ((int64_t)1 << 24))
                        PERR("plan: layer %s: bound's feature %d has a bad mode or factor", a->name, j);
            }
            if ((a->op == FW_SIGMOID || a->op == FW_TANH) && (!a->has_w || !a->w))
                PERR("plan: layer %s: %s needs its table", a->name, a->op == FW_TANH ? "tanh" : "sigmoid");
            break;
        case FW_ADD:
            for (int k = 0; k < a->ninputs; k++)
                if (e->in_size[k] != n_out) PERR("plan: layer %s: add inputs differ in size", a->name);
            break;
        case FW_CONCAT:
            if (total != n_out) PERR("plan: layer %s: concat size %d, inputs give %d", a->name, n_out, total);
            break;
        case FW_SCORE: case FW_MASKED_SCORE: {
            /* the differences at the finer step, their squares and the sum in int128 */
            if (a->ninputs != 2 || n_out != 1 || e->in_size[0] != n_in || e->in_size[1] != n_in || n_in <= 0)
                PERR("plan: layer %s: score needs two inputs of size %d and one output", a->name, n_in);
            int me = e->in_exp[0] < e->in_exp[1] ? e->in_exp[0] : e->in_exp[1];
            int w0 = e->in_t[0].width + e->in_exp[0] - me, w1 = e->in_t[1].width + e->in_exp[1] - me;
            int bits = 0;
            while (bits < 31 && (1L << bits) < n_in) bits++;
            if (2 * ((w0 > w1 ? w0 : w1) + 1) + bits > 126)
                PERR("plan: layer %s: the squared differences need more than 126 bits", a->name);
            if (a->op == FW_MASKED_SCORE && !pad_in_type(a, e->in_t[1]))
                PERR("plan: layer %s: a padding value lies outside the input's type", a->name);
            if (x->max_size < 2) x->max_size = 2;
            break;
        }
        case FW_COUNT:
            if (a->ninputs != 1 || n_out != 1 || e->in_size[0] != n_in || n_in <= 0)
                PERR("plan: layer %s: count needs one input of size %d and one output", a->name, n_in);
            if (!pad_in_type(a, e->in_t[0])) PERR("plan: layer %s: a padding value lies outside the input's type", a->name);
            break;
        case FW_HW_INPUT:
            if (a->ninputs != 1 || e->in_size[0] != n_out || n_in != n_out || !a->has_w || !a->w || !a->has_b || !a->b)
                PERR("plan: layer %s: hw_input needs one input of its size, its factors and offsets", a->name);
            for (int j = 0; j < n_out; j++) {
                aedl_fixed h = aedl_fw_hwin_type(a, j);
                int pe = aedl_fw_exp(h) + aedl_fw_exp(a->w_t), be = aedl_fw_exp(a->b_t), ae = aedl_fw_exp(a->acc_t);
                if (!valid_type(h) || h.width > 62 || pe - ae < 0 || pe - ae > 60 || be - ae < 0 || be - ae > 60 ||
                    iabs(aedl_fw_exp(h) - e->in_exp[0]) > 60)
                    PERR("plan: layer %s: hw_input's feature %d has a bad hardware type or steps", a->name, j);
            }
            break;
        case FW_MU2: {
            /* the squares and their sum in int128 */
            if (a->ninputs != 1 || n_out != 1 || e->in_size[0] != n_in || n_in <= 0)
                PERR("plan: layer %s: mu2 needs one input of size %d and one output", a->name, n_in);
            int bits = 0;
            while (bits < 31 && (1L << bits) < n_in) bits++;
            if (2 * e->in_t[0].width + bits > 126)
                PERR("plan: layer %s: the squares need more than 126 bits", a->name);
            break;
        }
        default:
            PERR("plan: layer %s: unknown operation %d", a->name, (int)a->op);
        }
        e->size = n_out;
        e->out = new_slot(x, a->res_t, n_out);
        if (n_out > x->max_size) x->max_size = n_out;
        e->acc_exp = aedl_fw_exp(a->acc_t);
        e->to_q = a->has_quant ? cast_kind_of(a->acc_t, a->q_t) : CAST_NONE;
        e->to_res = cast_kind_of(a->has_quant ? a->q_t : a->acc_t, a->res_t);

        int ex = e->in_exp[0];
        {   /* int32 lanes, in place: every type small, every shift small */
            aedl_fixed q = a->has_quant ? a->q_t : a->acc_t;
            e->fast32 = (a->op == FW_DENSE || a->op == FW_RELU || a->op == FW_LINEAR) &&
                        e->in[0].n32 && e->out.n32 && small(e->in_t[0]) && small(a->acc_t) && small(q) &&
                        small(a->res_t) && iabs(e->acc_exp - ex) <= 30 && iabs(aedl_fw_exp(q) - e->acc_exp) <= 30 &&
                        iabs(aedl_fw_exp(a->res_t) - aedl_fw_exp(q)) <= 30;
        }
        if (a->op == FW_DENSE) {
            int pe = aedl_fw_exp(a->w_t) + ex;       /* product exponent */
            int be = a->has_b ? aedl_fw_exp(a->b_t) : pe;
            e->wshift = pe - e->acc_exp;
            e->modular = a->acc_t.ovf == AEDL_WRAP && pe >= e->acc_exp && be >= e->acc_exp &&
                         pe - e->acc_exp < 62 && be - e->acc_exp < 62 &&
                         a->w_t.width + e->in_t[0].width + (pe - e->acc_exp) <= 126;
            e->acc32 = e->modular && fits32(a->acc_t);   /* int32 lanes read back signed */
            e->fast32 &= e->acc32;
            if (!e->modular && (pe - e->acc_exp > 60 || e->acc_exp - pe > 60 || be - e->acc_exp > 60))
                PERR("plan: layer %s: product and accumulator steps differ by more than 2^60", a->name);
            e->nz_start = xmalloc(sizeof(int) * (n_out + 1));
            long nz = 0;
            for (long k = 0; k < (long)n_in * n_out; k++) nz += a->w[k] != 0;
            e->nz_idx = xmalloc(sizeof(int) * (nz ? nz : 1));
            e->nz_w = xmalloc(sizeof(int64_t) * (nz ? nz : 1));
            e->bias_acc = xcalloc(n_out, sizeof(int64_t));
            long c = 0;
            for (int j = 0; j < n_out; j++) {
                e->nz_start[j] = (int)c;
                for (int i = 0; i < n_in; i++) {
                    int64_t w = a->w[(long)i * n_out + j];
                    if (!w) continue;
                    e->nz_idx[c] = i;
                    e->nz_w[c] = e->modular ? (int64_t)((uint64_t)w << e->wshift) : w;
                    c++;
                }
                if (a->has_b) e->bias_acc[j] = e->modular ? (int64_t)((uint64_t)a->b[j] << (be - e->acc_exp)) : a->b[j];
            }
            e->nz_start[n_out] = (int)c;
            /* the sums' range over every input of in_t: inside acc_t, the wrap does nothing */
            if (e->modular && e->in_t[0].width + a->w_t.width + (pe - e->acc_exp) <= 96 && n_in < (1 << 24)) {
                i128 tl = type_min(e->in_t[0]), th = type_max(e->in_t[0]);
                i128 al = type_min(a->acc_t), ah = type_max(a->acc_t);
                e->skip_wrap = true;
                for (int j = 0; j < n_out && e->skip_wrap; j++) {
                    i128 b0 = a->has_b ? (i128)a->b[j] * ((i128)1 << (be - e->acc_exp)) : 0;
                    i128 lo = b0, hi = b0;     /* terms add <= 0 to lo, >= 0 to hi: monotone */
                    for (int k = e->nz_start[j]; k < e->nz_start[j + 1]; k++) {
                        i128 w = (i128)a->w[(long)e->nz_idx[k] * n_out + j] * ((i128)1 << (pe - e->acc_exp));
                        lo += w > 0 ? w * tl : w * th;
                        hi += w > 0 ? w * th : w * tl;
                        if (lo < al || hi > ah) { e->skip_wrap = false; break; }
                    }
                    if (lo < al || hi > ah) e->skip_wrap = false;
                }
            }
        } else if (a->op == FW_BATCHNORM) {
            int pe = aedl_fw_exp(a->w_t) + ex, be = aedl_fw_exp(a->b_t);
            e->modular = a->acc_t.ovf == AEDL_WRAP && pe >= e->acc_exp && be >= e->acc_exp &&
                         pe - e->acc_exp < 62 && be - e->acc_exp < 62;
            if (pe - be > 60 || be - pe > 60) PERR("plan: layer %s: scale and shift steps differ by more than 2^60", a->name);
            if (e->modular) {
                /* int32 lanes when x and the aligned scale fit 32 bits and every result fits acc_t */
                i128 tl = type_min(e->in_t[0]), th = type_max(e->in_t[0]);
                i128 al = type_min(a->acc_t), ah = type_max(a->acc_t);
                /* bounds that keep every product below in the int128 range */
                e->skip_wrap = e->in_t[0].width + a->w_t.width + (pe - e->acc_exp) <= 120 &&
                               a->b_t.width + (be - e->acc_exp) <= 120;
                bool s32 = e->in[0].n32 && e->skip_wrap;
                for (int j = 0; j < n_out; j++) {
                    i128 sc = (i128)a->w[j] * ((i128)1 << (pe - e->acc_exp));
                    i128 sh = (i128)a->b[j] * ((i128)1 << (be - e->acc_exp));
                    i128 lo = (sc > 0 ? sc * tl : sc * th) + sh, hi = (sc > 0 ? sc * th : sc * tl) + sh;
                    if (lo < al || hi > ah) e->skip_wrap = false;
                    if (sc < INT32_MIN || sc > INT32_MAX || sh < INT64_MIN / 2 || sh > INT64_MAX / 2) s32 = false;
                }
                e->bn32 = s32;
            }
        } else if (a->op == FW_LEAKY_RELU) {
            int ea = aedl_fw_exp(a->w_t);
            if (ea > 60 || ea < -60) PERR("plan: layer %s: alpha step out of range", a->name);
        } else if (a->op == FW_ADD) {
            e->modular = a->acc_t.ovf == AEDL_WRAP;
            for (int k = 0; k < a->ninputs; k++)
                e->modular &= e->in_exp[k] >= e->acc_exp && e->in_exp[k] - e->acc_exp < 62;
            for (int k = 1; k < a->ninputs; k++)
                if (e->in_exp[k] - e->in_exp[0] > 60 || e->in_exp[0] - e->in_exp[k] > 60)
                    PERR("plan: layer %s: input steps differ by more than 2^60", a->name);
        }
    }
    if (p->noutputs < 1 || p->noutputs > AEDL_FW_MAX_INPUTS) PERR("plan: %d outputs", p->noutputs);
    int d = 0;
    for (int k = 0; k < p->noutputs; k++) {
        if (p->outputs[k] < -1 || p->outputs[k] >= p->nlayers) PERR("plan: output %d is not a layer", p->outputs[k]);
        d += out_size(p, p->outputs[k]);
    }
    if (d != p->d_out) PERR("plan: output size %d, layers give %d", p->d_out, d);
    x->fast = emu_fast_prepare(p);
    p->exec = x;
    return 0;
fail:
    exec_free(x, p->nlayers);
    return -1;
}

/* ---- one block of events ------------------------------------------------------------- */

typedef struct {
    int32_t *buf32;             /* rows32 x EMU_B */
    int64_t *buf64;             /* rows64 x EMU_B */
    int64_t *v;                 /* max_size x EMU_B: the current layer's values */
    int64_t *row;               /* EMU_B scratch */
    i128 *acc;                  /* EMU_B, general path */
    double *dy;                 /* d_in x EMU_B, the input as doubles */
} work;

/* Row j of slot s, as int64. */
static inline void get_row(const work *w, slot s, long j, int64_t *dst) {
    if (s.n32) { const int32_t *r = w->buf32 + (s.off + j) * EMU_B; for (int b = 0; b < EMU_B; b++) dst[b] = r[b]; }
    else memcpy(dst, w->buf64 + (s.off + j) * EMU_B, sizeof(int64_t) * EMU_B);
}
static inline const int64_t *row_ptr(const work *w, slot s, long j, int64_t *scratch) {
    if (s.n32) { get_row(w, s, j, scratch); return scratch; }
    return w->buf64 + (s.off + j) * EMU_B;
}
static inline void put_row(work *w, slot s, long j, const int64_t *src) {
    if (s.n32) { int32_t *d = w->buf32 + (s.off + j) * EMU_B; for (int b = 0; b < EMU_B; b++) d[b] = (int32_t)src[b]; }
    else memcpy(w->buf64 + (s.off + j) * EMU_B, src, sizeof(int64_t) * EMU_B);
}

/* Dense, modular, narrow storage, 32-bit accumulator lanes. */
EMU_SIMD
static void dense_n32(const lexec *e, const int32_t *restrict x, int64_t *restrict v) {
    uint32_t acc[EMU_B];
    for (int j = 0; j < e->size; j++) {
        uint32_t b0 = (uint32_t)e->bias_acc[j];
        for (int b = 0; b < EMU_B; b++) acc[b] = b0;
        for (int k = e->nz_start[j]; k < e->nz_start[j + 1]; k++) {
            const int32_t *xi = x + (long)e->nz_idx[k] * EMU_B;
            uint32_t wk = (uint32_t)e->nz_w[k];
            for (int b = 0; b < EMU_B; b++) acc[b] += wk * (uint32_t)xi[b];
        }
        int64_t *vj = v + (long)j * EMU_B;
        for (int b = 0; b < EMU_B; b++) vj[b] = (int32_t)acc[b];
    }
}

/* The n values of slot s (its rows, contiguous) as int64 in v; relu: max(x, 0). */
EMU_SIMD
static void load_rows(const work *w, slot s, int64_t *restrict v, long n, bool relu) {
    if (s.n32) {
        const int32_t *x = w->buf32 + s.off * EMU_B;
        if (relu) for (long i = 0; i < n; i++) v[i] = x[i] > 0 ? x[i] : 0;
        else for (long i = 0; i < n; i++) v[i] = x[i];
    } else {
        const int64_t *x = w->buf64 + s.off * EMU_B;
        if (relu) for (long i = 0; i < n; i++) v[i] = x[i] & ~(x[i] >> 63);
        else memcpy(v, x, sizeof(int64_t) * n);
    }
}
/* v (n values) into slot s's rows. */
EMU_SIMD
static void store_rows(work *w, slot s, const int64_t *restrict v, long n) {
    if (s.n32) { int32_t *d = w->buf32 + s.off * EMU_B; for (long i = 0; i < n; i++) d[i] = (int32_t)v[i]; }
    else memcpy(w->buf64 + s.off * EMU_B, v, sizeof(int64_t) * n);
}

/* Dense, modular, int32 in and out (the layer's own rows). */
EMU_SIMD
static void dense_32(const lexec *e, const int32_t *restrict x, int32_t *restrict v) {
    uint32_t acc[EMU_B];      /* local: the loops below vectorize without alias checks */
    for (int j = 0; j < e->size; j++) {
        uint32_t b0 = (uint32_t)e->bias_acc[j];
        for (int b = 0; b < EMU_B; b++) acc[b] = b0;
        for (int k = e->nz_start[j]; k < e->nz_start[j + 1]; k++) {
            const uint32_t *xi = (const uint32_t *)(x + (long)e->nz_idx[k] * EMU_B);
            uint32_t wk = (uint32_t)e->nz_w[k];
            for (int b = 0; b < EMU_B; b++) acc[b] += wk * xi[b];
        }
        memcpy(v + (long)j * EMU_B, acc, sizeof acc);
    }
}

/* Dense, modular, 64-bit lanes (narrow or wide storage). */
EMU_SIMD
static void dense_n64(const lexec *e, const int32_t *restrict x, int64_t *restrict v) {
    for (int j = 0; j < e->size; j++) {
        uint64_t *acc = (uint64_t *)(v + (long)j * EMU_B);
        uint64_t b0 = (uint64_t)e->bias_acc[j];
        for (int b = 0; b < EMU_B; b++) acc[b] = b0;
        for (int k = e->nz_start[j]; k < e->nz_start[j + 1]; k++) {
            const int32_t *xi = x + (long)e->nz_idx[k] * EMU_B;
            uint64_t wk = (uint64_t)e->nz_w[k];
            for (int b = 0; b < EMU_B; b++) acc[b] += wk * (uint64_t)(int64_t)xi[b];
        }
    }
}
EMU_SIMD
static void dense_w64(const lexec *e, const int64_t *restrict x, int64_t *restrict v) {
    for (int j = 0; j < e->size; j++) {
        uint64_t *acc = (uint64_t *)(v + (long)j * EMU_B);
        uint64_t b0 = (uint64_t)e->bias_acc[j];
        for (int b = 0; b < EMU_B; b++) acc[b] = b0;
        for (int k = e->nz_start[j]; k < e->nz_start[j + 1]; k++) {
            const int64_t *xi = x + (long)e->nz_idx[k] * EMU_B;
            uint64_t wk = (uint64_t)e->nz_w[k];
            for (int b = 0; b < EMU_B; b++) acc[b] += wk * (uint64_t)xi[b];
        }
    }
}

/* One batchnorm channel: v = s * x + t, int32 x int32 -> int64 (vpmuldq). */
EMU_SIMD
static void bn_row32(const int32_t *restrict x, int32_t s, int64_t t, int64_t *restrict v) {
    for (int b = 0; b < EMU_B; b++) v[b] = (int64_t)s * x[b] + t;
}

/* Dense, general: acc = (acc)bias; acc = (acc)(acc + x*w) for each non-zero weight,
   each sum exact at the finer of the two exponents (|difference| <= 60, checked). */
static void dense_general(const aedl_fw_layer *a, const lexec *e, work *w, int64_t *v) {
    int pe = aedl_fw_exp(a->w_t) + e->in_exp[0];
    int be = a->has_b ? aedl_fw_exp(a->b_t) : 0;
    int me = pe < e->acc_exp ? pe : e->acc_exp;
    for (int j = 0; j < e->size; j++) {
        int64_t *vj = v + (long)j * EMU_B;
        int64_t b0 = a->has_b ? aedl_fw_cast(e->bias_acc[j], be, a->acc_t) : 0;
        for (int b = 0; b < EMU_B; b++) vj[b] = b0;
        for (int k = e->nz_start[j]; k < e->nz_start[j + 1]; k++) {
            get_row(w, e->in[0], e->nz_idx[k], w->row);
            int64_t wk = e->nz_w[k];
            for (int b = 0; b < EMU_B; b++) {
                i128 sum = (i128)vj[b] * ((i128)1 << (e->acc_exp - me)) +
                           (i128)wk * w->row[b] * ((i128)1 << (pe - me));
                vj[b] = aedl_fw_cast(sum, me, a->acc_t);
            }
        }
    }
}

static void apply_casts(const aedl_fw_layer *a, const lexec *e, int64_t *v, int n) {
    aedl_fixed from = a->acc_t;
    if (a->has_quant) {
        if (e->to_q == CAST_SHIFT) { int k = aedl_fw_exp(from) - aedl_fw_exp(a->q_t); for (int i = 0; i < n; i++) v[i] = (int64_t)((uint64_t)v[i] << k); }
        else if (e->to_q == CAST_FULL) cast_block(v, n, aedl_fw_exp(from), a->q_t);
        from = a->q_t;
    }
    if (e->to_res == CAST_SHIFT) { int k = aedl_fw_exp(from) - aedl_fw_exp(a->res_t); for (int i = 0; i < n; i++) v[i] = (int64_t)((uint64_t)v[i] << k); }
    else if (e->to_res == CAST_FULL) cast_block(v, n, aedl_fw_exp(from), a->res_t);
}

static void run_layer(const aedl_fw_plan *p, int l, work *w) {
    const struct aedl_fw_exec *x = p->exec;
    const aedl_fw_layer *a = &p->layers[l];
    const lexec *e = &x->L[l];
    int64_t *v = w->v;
    long nB = (long)e->size * EMU_B;
    int ex = e->in_exp[0];
    bool acc_done = false;   /* v is already a mantissa of acc_t */

    if (e->fast32) {   /* in place in the layer's int32 rows */
        int32_t *v32 = w->buf32 + e->out.off * EMU_B;
        const int32_t *x32 = w->buf32 + e->in[0].off * EMU_B;
        aedl_fixed from = a->acc_t;
        if (a->op == FW_DENSE) {
            dense_32(e, x32, v32);
            if (!e->skip_wrap) cast_block32(v32, (int)nB, e->acc_exp, (aedl_fixed){from.width, from.integer, from.is_signed, AEDL_TRN, AEDL_WRAP});
        } else {
            memcpy(v32, x32, sizeof(int32_t) * nB);
            if (a->op == FW_RELU) for (long i = 0; i < nB; i++) v32[i] = v32[i] > 0 ? v32[i] : 0;
            if (cast_kind_of(e->in_t[0], a->acc_t) != CAST_NONE) cast_block32(v32, (int)nB, ex, a->acc_t);
        }
        if (a->has_quant) {
            if (e->to_q != CAST_NONE) cast_block32(v32, (int)nB, aedl_fw_exp(from), a->q_t);
            from = a->q_t;
        }
        if (e->to_res != CAST_NONE) cast_block32(v32, (int)nB, aedl_fw_exp(from), a->res_t);
        return;
    }
    switch (a->op) {
    case FW_DENSE:
        if (e->modular) {
            if (!e->in[0].n32) dense_w64(e, w->buf64 + e->in[0].off * EMU_B, v);
            else if (e->acc32) dense_n32(e, w->buf32 + e->in[0].off * EMU_B, v);
            else dense_n64(e, w->buf32 + e->in[0].off * EMU_B, v);
            if (!e->skip_wrap) cast_block(v, (int)nB, e->acc_exp, (aedl_fixed){a->acc_t.width, a->acc_t.integer, a->acc_t.is_signed, AEDL_TRN, AEDL_WRAP});
        } else {
            dense_general(a, e, w, v);
        }
        acc_done = true;
        break;
    case FW_BATCHNORM: {
        int pe = aedl_fw_exp(a->w_t) + ex, be = aedl_fw_exp(a->b_t);
        for (int j = 0; j < e->size; j++) {
            int64_t *vj = v + (long)j * EMU_B;
            if (e->modular && e->bn32) {   /* int32 x int32 -> int64: exact, vectorizes */
                const int32_t *xr = w->buf32 + (e->in[0].off + j) * EMU_B;
                int64_t s = a->w[j] * ((int64_t)1 << (pe - e->acc_exp)), t = a->b[j] * ((int64_t)1 << (be - e->acc_exp));
                bn_row32(xr, (int32_t)s, t, vj);
                continue;
            }
            const int64_t *xr = row_ptr(w, e->in[0], j, w->row);
            if (e->modular) {
                uint64_t s = (uint64_t)a->w[j] << (pe - e->acc_exp), t = (uint64_t)a->b[j] << (be - e->acc_exp);
                for (int b = 0; b < EMU_B; b++) vj[b] = (int64_t)(s * (uint64_t)xr[b] + t);
            } else {
                int me = pe < be ? pe : be;
                for (int b = 0; b < EMU_B; b++) {
                    i128 sum = (i128)a->w[j] * xr[b] * ((i128)1 << (pe - me)) + (i128)a->b[j] * ((i128)1 << (be - me));
                    vj[b] = aedl_fw_cast(sum, me, a->acc_t);
                }
            }
        }
        if (e->modular && !e->skip_wrap)
            cast_block(v, (int)nB, e->acc_exp, (aedl_fixed){a->acc_t.width, a->acc_t.integer, a->acc_t.is_signed, AEDL_TRN, AEDL_WRAP});
        acc_done = true;
        break;
    }
    case FW_RELU: case FW_LINEAR:
        load_rows(w, e->in[0], v, nB, a->op == FW_RELU);
        break;   /* v at the input exponent */
    case FW_CLIP: {
        /* v = min(max(x, lo), hi), exact at the finer exponent, then into acc_t */
        int eb = aedl_fw_exp(a->w_t), me = ex < eb ? ex : eb;
        i128 lo = (i128)a->w[0] * ((i128)1 << (eb - me)), hi = (i128)a->w[1] * ((i128)1 << (eb - me));
        for (int j = 0; j < e->size; j++) {
            int64_t *vj = v + (long)j * EMU_B;
            get_row(w, e->in[0], j, vj);
            for (int b = 0; b < EMU_B; b++) {
                i128 m = (i128)vj[b] * ((i128)1 << (ex - me));
                vj[b] = aedl_fw_cast(m < lo ? lo : m > hi ? hi : m, me, a->acc_t);
            }
        }
        acc_done = true;
        break;
    }
    case FW_ABS:
        /* v = |x| at the input exponent (|-2^63| too, in i128), then into acc_t */
        for (int j = 0; j < e->size; j++) {
            int64_t *vj = v + (long)j * EMU_B;
            get_row(w, e->in[0], j, vj);
            for (int b = 0; b < EMU_B; b++) vj[b] = aedl_fw_cast(vj[b] < 0 ? -(i128)vj[b] : (i128)vj[b], ex, a->acc_t);
        }
        acc_done = true;
        break;
    case FW_BOUND: {
        /* v = x, max(x, 0) or k * T[x] per feature, exact at the finer exponent, then into acc_t */
        int pe = aedl_fw_exp(a->w_t) + aedl_fw_exp(a->b_t), me = pe < ex ? pe : ex;
        for (int j = 0; j < e->size; j++) {
            int64_t *vj = v + (long)j * EMU_B, mode = a->w[AEDL_ACT_TABLE + j];
            get_row(w, e->in[0], j, vj);
            for (int b = 0; b < EMU_B; b++) {
                i128 m = mode == 2 ? (i128)a->b[j] * a->w[aedl_act_table_index(ldexp((double)vj[b], ex), AEDL_ACT_SHIFT_TANH)]
                                        * ((i128)1 << (pe - me))
                                   : (i128)(mode == 1 && vj[b] < 0 ? 0 : vj[b]) * ((i128)1 << (ex - me));
                vj[b] = aedl_fw_cast(m, me, a->acc_t);
            }
        }
        acc_done = true;
        break;
    }
    case FW_LEAKY_RELU: {
        /* v = x >= 0 ? x : alpha*x, exact at the finer exponent, then into acc_t */
        int ea = aedl_fw_exp(a->w_t);
        int me = ea < 0 ? ex + ea : ex;
        int64_t al = a->w[0];
        for (int j = 0; j < e->size; j++) {
            int64_t *vj = v + (long)j * EMU_B;
            get_row(w, e->in[0], j, vj);
            for (int b = 0; b < EMU_B; b++) {
                i128 m = vj[b] >= 0 ? (i128)vj[b] * ((i128)1 << (ex - me))
                                    : (i128)al * vj[b] * ((i128)1 << (ex + ea - me));
                vj[b] = aedl_fw_cast(m, me, a->acc_t);
            }
        }
        acc_done = true;
        break;
    }
    case FW_ADD:
        for (int j = 0; j < e->size; j++) {
            int64_t *vj = v + (long)j * EMU_B;
            if (e->modular) {
                for (int b = 0; b < EMU_B; b++) vj[b] = 0;
                for (int k = 0; k < a->ninputs; k++) {
                    const int64_t *xr = row_ptr(w, e->in[k], j, w->row);
                    int sh = e->in_exp[k] - e->acc_exp;
                    for (int b = 0; b < EMU_B; b++) vj[b] = (int64_t)((uint64_t)vj[b] + ((uint64_t)xr[b] << sh));
                }
            } else {
                int me = e->in_exp[0];
                for (int k = 1; k < a->ninputs; k++) if (e->in_exp[k] < me) me = e->in_exp[k];
                for (int b = 0; b < EMU_B; b++) w->acc[b] = 0;
                for (int k = 0; k < a->ninputs; k++) {
                    const int64_t *xr = row_ptr(w, e->in[k], j, w->row);
                    for (int b = 0; b < EMU_B; b++) w->acc[b] += (i128)xr[b] * ((i128)1 << (e->in_exp[k] - me));
                }
                for (int b = 0; b < EMU_B; b++) vj[b] = aedl_fw_cast(w->acc[b], me, a->acc_t);
            }
        }
        if (e->modular) cast_block(v, (int)nB, e->acc_exp, (aedl_fixed){a->acc_t.width, a->acc_t.integer, a->acc_t.is_signed, AEDL_TRN, AEDL_WRAP});
        acc_done = true;
        break;
    case FW_SCORE: case FW_MASKED_SCORE: {
        /* sum_j (x_j - y_j)^2 exactly (masked: y_j != z_j only), at the step 2^(2 me) */
        int me = e->in_exp[0] < e->in_exp[1] ? e->in_exp[0] : e->in_exp[1];
        int s0 = e->in_exp[0] - me, s1 = e->in_exp[1] - me;
        for (int b = 0; b < EMU_B; b++) w->acc[b] = 0;
        int64_t *yr = v + EMU_B;   /* scratch: v holds one output row */
        for (int j = 0; j < a->n_in; j++) {
            get_row(w, e->in[0], j, v);
            get_row(w, e->in[1], j, yr);
            int64_t z = a->op == FW_MASKED_SCORE && a->has_w ? a->w[j] : 0;
            for (int b = 0; b < EMU_B; b++) {
                if (a->op == FW_MASKED_SCORE && yr[b] == z) continue;
                i128 d = (i128)v[b] * ((i128)1 << s0) - (i128)yr[b] * ((i128)1 << s1);
                w->acc[b] += d * d;
            }
        }
        for (int b = 0; b < EMU_B; b++) v[b] = aedl_fw_cast(w->acc[b], 2 * me, a->acc_t);
        acc_done = true;
        break;
    }
    case FW_HW_INPUT: {
        /* v = (H_j)x * k_j + c_j, exact at acc_t's step */
        int ae = e->acc_exp, ce = aedl_fw_exp(a->b_t) - ae;
        for (int j = 0; j < e->size; j++) {
            int64_t *vj = v + (long)j * EMU_B;
            aedl_fixed h = aedl_fw_hwin_type(a, j);
            int pe = aedl_fw_exp(h) + aedl_fw_exp(a->w_t) - ae;
            get_row(w, e->in[0], j, vj);
            for (int b = 0; b < EMU_B; b++) {
                i128 m = (i128)aedl_fw_cast(vj[b], ex, h) * a->w[j] * ((i128)1 << pe) + (i128)a->b[j] * ((i128)1 << ce);
                vj[b] = aedl_fw_cast(m, ae, a->acc_t);
            }
        }
        acc_done = true;
        break;
    }
    case FW_MU2:
        /* sum_j x_j^2 exactly, at the step 2^(2 ex) */
        for (int b = 0; b < EMU_B; b++) w->acc[b] = 0;
        for (int j = 0; j < a->n_in; j++) {
            get_row(w, e->in[0], j, v);
            for (int b = 0; b < EMU_B; b++) w->acc[b] += (i128)v[b] * v[b];
        }
        for (int b = 0; b < EMU_B; b++) v[b] = aedl_fw_cast(w->acc[b], 2 * ex, a->acc_t);
        acc_done = true;
        break;
    case FW_COUNT:
        for (int b = 0; b < EMU_B; b++) w->acc[b] = 0;
        for (int j = 0; j < a->n_in; j++) {
            int64_t z = a->has_w ? a->w[j] : 0;
            get_row(w, e->in[0], j, v);
            for (int b = 0; b < EMU_B; b++) w->acc[b] += v[b] != z;
        }
        for (int b = 0; b < EMU_B; b++) v[b] = aedl_fw_cast(w->acc[b], 0, a->acc_t);
        acc_done = true;
        break;
    case FW_CONCAT: {
        int j = 0;
        for (int k = 0; k < a->ninputs; k++) {
            for (int i = 0; i < e->in_size[k]; i++, j++) {
                int64_t *vj = v + (long)j * EMU_B;
                get_row(w, e->in[k], i, vj);
                if (cast_kind_of(e->in_t[k], a->res_t) != CAST_NONE) cast_block(vj, EMU_B, e->in_exp[k], a->res_t);
            }
        }
        for (int jj = 0; jj < e->size; jj++) put_row(w, e->out, jj, v + (long)jj * EMU_B);
        return;
    }
    case FW_SIGMOID: case FW_TANH: {      /* the table: entry floor(x 2^shift) + 512, clamped */
        int sh = aedl_fw_table_shift(a->op);
        for (int j = 0; j < e->size; j++) {
            int64_t *vj = v + (long)j * EMU_B;
            get_row(w, e->in[0], j, vj);
            for (int b = 0; b < EMU_B; b++) vj[b] = a->w[aedl_act_table_index(ldexp((double)vj[b], ex), sh)];
        }
        for (int j = 0; j < e->size; j++) put_row(w, e->out, j, v + (long)j * EMU_B);
        return;
    }
    case FW_SOFTMAX: {
        for (int j = 0; j < e->size; j++) get_row(w, e->in[0], j, v + (long)j * EMU_B);
        for (int b = 0; b < EMU_B; b++) {
            double mx = -INFINITY, sum = 0;
            for (int j = 0; j < e->size; j++) { double t = ldexp((double)v[(long)j * EMU_B + b], ex); if (t > mx) mx = t; }
            for (int j = 0; j < e->size; j++) sum += exp(ldexp((double)v[(long)j * EMU_B + b], ex) - mx);
            for (int j = 0; j < e->size; j++) {
                double t = ldexp((double)v[(long)j * EMU_B + b], ex), y;
                y = exp(t - mx) / sum;
                v[(long)j * EMU_B + b] = aedl_fw_from_double(y, a->res_t);
            }
        }
        for (int j = 0; j < e->size; j++) put_row(w, e->out, j, v + (long)j * EMU_B);
        return;
    }
    }
    if (!acc_done) {
        /* relu / linear: v is at the input type; bring it into acc_t */
        if (cast_kind_of(e->in_t[0], a->acc_t) != CAST_NONE) cast_block(v, (int)nB, ex, a->acc_t);
    }
    apply_casts(a, e, v, (int)nB);
    store_rows(w, e->out, v, nB);
}

/* q[k] = y[k] rounded to an integer by mode (|y| < 2^52; y exact, so is
   y - floor(y)); one loop per mode. */
#define ROUND_BLOCK_LOOP(MODE)                                                               \
    for (long k = 0; k < n; k++) {                                                           \
        double f = floor(y[k]), r = y[k] - f;                                                \
        int64_t i = (int64_t)f;                                                              \
        q[k] = i + (int64_t)AEDL_ROUND_UP(MODE, (int64_t)(y[k] < 0), (int64_t)(r != 0),      \
                                          (int64_t)(r > 0.5), (int64_t)(r == 0.5), i & 1);   \
    }
EMU_SIMD
static void round_block(const double *restrict y, int64_t *restrict q, long n, aedl_rounding mode) {
    switch (mode) {
    case AEDL_TRN:         ROUND_BLOCK_LOOP(AEDL_TRN) break;
    case AEDL_TRN_ZERO:    ROUND_BLOCK_LOOP(AEDL_TRN_ZERO) break;
    case AEDL_RND:         ROUND_BLOCK_LOOP(AEDL_RND) break;
    case AEDL_RND_ZERO:    ROUND_BLOCK_LOOP(AEDL_RND_ZERO) break;
    case AEDL_RND_INF:     ROUND_BLOCK_LOOP(AEDL_RND_INF) break;
    case AEDL_RND_MIN_INF: ROUND_BLOCK_LOOP(AEDL_RND_MIN_INF) break;
    case AEDL_RND_CONV:    ROUND_BLOCK_LOOP(AEDL_RND_CONV) break;
    }
}

/* The float inputs of one block (nb events, row-major) -> mantissas of in_t,
   transposed.  x * 2^-e is exact in double; rounding there, then the
   overflow of in_t (cast_block with no shift). */
EMU_SIMD
static void load_input_float(const aedl_fw_plan *p, work *w, const float *in, int nb) {
    const struct aedl_fw_exec *x = p->exec;
    aedl_fixed t = p->in_t;
    double sc = ldexp(1.0, -x->in_exp);
    int64_t *v = w->v;
    int d = p->d_in;
    bool slow = false;
    double *y = w->dy;                       /* (d, EMU_B): x * 2^-e, exact */
    for (int b = 0; b < EMU_B; b++)
        for (int i = 0; i < d; i++) y[(long)i * EMU_B + b] = b < nb ? (double)in[(long)b * d + i] * sc : 0.0;
    long n = (long)d * EMU_B;
    for (long k = 0; k < n; k++) slow |= !(fabs(y[k]) < 0x1p52);
    if (slow) for (long k = 0; k < n; k++) if (!(fabs(y[k]) < 0x1p52)) y[k] = 0;
    round_block(y, v, n, t.rnd);
    cast_block(v, (int)n, x->in_exp, t);     /* overflow only */
    if (slow)
        for (int b = 0; b < nb; b++)
            for (int i = 0; i < d; i++) {
                double yy = (double)in[(long)b * d + i] * sc;
                if (!(fabs(yy) < 0x1p52)) v[(long)i * EMU_B + b] = aedl_fw_from_double((double)in[(long)b * d + i], t);
            }
    for (int i = 0; i < d; i++) put_row(w, x->in, i, v + (long)i * EMU_B);
}

static void run_block(const aedl_fw_plan *p, work *w) {
    for (int l = 0; l < p->nlayers; l++) run_layer(p, l, w);
}

/* The output layers' rows of the block of events [s, s + nb): output k's value j of
   event e to outs[k][e * ostride[k] + j] (outs NULL: none) and/or mantissas mout (n, d_out). */
EMU_SIMD
static void store_output(const aedl_fw_plan *p, work *w, long s, int nb, double *const *outs, const long *ostride,
                         int64_t *mout) {
    const struct aedl_fw_exec *x = p->exec;
    int col = 0;
    long d = p->d_out;
    for (int k = 0; k < p->noutputs; k++) {
        int l = p->outputs[k];
        int n = out_size(p, l), e = aedl_fw_exp(out_type(p, l));
        slot sl = l < 0 ? x->in : x->L[l].out;
        double sc = ldexp(1.0, e);       /* exact power of two (|e| < 1000 for valid types) */
        long os = outs ? ostride[k] : 0;
        double *ob = outs ? outs[k] + s * os : NULL;
        for (int j = 0; j < n; j++) {
            double *o = ob ? ob + j : NULL;
            int64_t *mo = mout ? mout + s * d + col + j : NULL;
            if (sl.n32) {
                const int32_t *r = w->buf32 + (sl.off + j) * EMU_B;
                if (o) for (int b = 0; b < nb; b++) o[b * os] = (double)r[b] * sc;
                if (mo) for (int b = 0; b < nb; b++) mo[b * d] = r[b];
            } else {
                const int64_t *r = w->buf64 + (sl.off + j) * EMU_B;
                if (o) for (int b = 0; b < nb; b++) o[b * os] = (double)r[b] * sc;
                if (mo) for (int b = 0; b < nb; b++) mo[b * d] = r[b];
            }
        }
        col += n;
    }
}

static void work_init(const aedl_fw_plan *p, work *w) {
    const struct aedl_fw_exec *x = p->exec;
    w->buf32 = xcalloc((size_t)(x->rows32 ? x->rows32 : 1) * EMU_B, sizeof(int32_t));
    w->buf64 = xcalloc((size_t)(x->rows64 ? x->rows64 : 1) * EMU_B, sizeof(int64_t));
    w->v = xcalloc((size_t)x->max_size * EMU_B, sizeof(int64_t));
    w->row = xcalloc(EMU_B, sizeof(int64_t));
    w->acc = xcalloc(EMU_B, sizeof(i128));
    w->dy = xcalloc((size_t)p->d_in * EMU_B, sizeof(double));
}
static void work_free(work *w) { free(w->buf32); free(w->buf64); free(w->v); free(w->row); free(w->acc); free(w->dy); }

typedef struct {
    const aedl_fw_plan *p;
    const emu_fast *fast;       /* NULL: the integer reference path */
    const float *in; const int64_t *min;
    double *const *outs; const long *ostride; int64_t *mout;
    long lo, hi;
} job;

static void *run_job(void *arg) {
    job *j = arg;
    const aedl_fw_plan *p = j->p;
    if (j->fast) {
        emu_fast_run(j->fast, p, j->in, j->min, j->outs, j->ostride, j->mout, j->lo, j->hi);
        return NULL;
    }
    work w;
    work_init(p, &w);
    for (long s = j->lo; s < j->hi; s += EMU_B) {
        int nb = (int)(j->hi - s < EMU_B ? j->hi - s : EMU_B);
        if (j->in) load_input_float(p, &w, j->in + s * p->d_in, nb);
        else {
            for (int i = 0; i < p->d_in; i++) {
                for (int b = 0; b < EMU_B; b++) w.row[b] = b < nb ? j->min[(s + b) * p->d_in + i] : 0;
                put_row(&w, p->exec->in, i, w.row);
            }
        }
        run_block(p, &w);
        store_output(p, &w, s, nb, j->outs, j->ostride, j->mout);
    }
    work_free(&w);
    return NULL;
}

/* out (n, d_out), or output k at outs[k] with row stride ostride[k]; and/or mout. */
static void run_all(aedl_fw_plan *p, const float *in, const int64_t *min, double *out, double *const *outs,
                    const long *ostride, int64_t *mout, long n, int threads) {
    char err[256];
    if (aedl_fw_prepare(p, err, sizeof err)) aedl_fatal("%s", err);
    if (n <= 0) return;
    double *cols[AEDL_FW_MAX_INPUTS];
    long dout[AEDL_FW_MAX_INPUTS];
    if (out) {   /* the outputs side by side */
        int col = 0;
        for (int k = 0; k < p->noutputs; k++) {
            cols[k] = out + col; dout[k] = p->d_out;
            col += out_size(p, p->outputs[k]);
        }
        outs = cols; ostride = dout;
    }
    const emu_fast *fast = p->exec->reference ? NULL : p->exec->fast;
    if (fast && ((min && !emu_fast_inputs_ok(p, min, n)) || !emu_fast_env_ok())) fast = NULL;
    if (threads <= 0) { long c = sysconf(_SC_NPROCESSORS_ONLN); threads = c > 0 ? (int)c : 1; }
    if (threads > EMU_MAX_THREADS) threads = EMU_MAX_THREADS;
    long blocks = (n + EMU_B - 1) / EMU_B;
    if (threads > blocks) threads = (int)blocks;
    if (blocks < 8) threads = 1;
    job jobs[EMU_MAX_THREADS];
    pthread_t tid[EMU_MAX_THREADS];
    long per = (blocks + threads - 1) / threads;
    int started = 0;
    for (int t = 0; t < threads; t++) {
        long lo = t * per * EMU_B, hi = (t + 1) * per * EMU_B;
        if (hi > n) hi = n;
        if (lo >= hi) break;
        jobs[t] = (job){p, fast, in, min, outs, ostride, mout, lo, hi};
        started++;
    }
    if (started == 1) { run_job(&jobs[0]); return; }
    int created = 0;
    for (int t = 1; t < started; t++) {
        if (pthread_create(&tid[t], NULL, run_job, &jobs[t]) != 0) break;
        created = t;
    }
    run_job(&jobs[0]);
    for (int t = 1; t <= created; t++) pthread_join(tid[t], NULL);
    for (int t = created + 1; t < started; t++) run_job(&jobs[t]);   /* thread creation failed */
}

void aedl_fw_run(aedl_fw_plan *p, const float *in, double *out, long n) { run_all(p, in, NULL, out, NULL, NULL, NULL, n, 0); }
void aedl_fw_run_threads(aedl_fw_plan *p, const float *in, double *out, long n, int threads) {
    run_all(p, in, NULL, out, NULL, NULL, NULL, n, threads);
}
void aedl_fw_run_split(aedl_fw_plan *p, const float *in, double *const *outs, const long *ostride, long n,
                       int threads) {
    run_all(p, in, NULL, NULL, outs, ostride, NULL, n, threads);
}
void aedl_fw_run_mantissa(aedl_fw_plan *p, const float *in, int64_t *out, long n) {
    run_all(p, in, NULL, NULL, NULL, NULL, out, n, 0);
}
void aedl_fw_run_from_mantissa(aedl_fw_plan *p, const int64_t *in, double *out, long n) {
    run_all(p, NULL, in, out, NULL, NULL, NULL, n, 1);
}

int64_t *aedl_fw_test_inputs(const aedl_fw_plan *p, int nev) {
    int d = p->d_in;
    int64_t *in = xmalloc(sizeof(int64_t) * (size_t)(nev > 0 ? nev : 1) * (size_t)d);
    aedl_rng r;
    aedl_rng_seed(&r, 20210101);
    int64_t lo = (int64_t)aedl_fixed_mant_min(p->in_t), hi = (int64_t)aedl_fixed_mant_max(p->in_t);
    const aedl_fw_layer *sc = p->noutputs > 0 && p->outputs[0] >= 0 ? &p->layers[p->outputs[0]] : NULL;
    const int64_t *pad = sc && sc->op == FW_MASKED_SCORE && sc->has_w && sc->inputs[1] < 0 ? sc->w : NULL;
    for (int e = 0; e < nev; e++)
        for (int i = 0; i < d; i++) {
            int64_t v;
            if (e == 0) v = 0;
            else if (e == 1) v = hi;
            else if (e == 2) v = lo;
            else if (e % 2) v = lo + (int64_t)aedl_rng_below(&r, (uint64_t)(hi - lo) + 1);
            else if (e % 4 == 2 && aedl_rng_below(&r, 2)) v = pad ? pad[i] : 0;   /* padded features */
            else {   /* small values: most features of a real event are near zero */
                int64_t s = (hi - lo) / 16 + 1;
                v = (int64_t)aedl_rng_below(&r, (uint64_t)s) - (p->in_t.is_signed ? s / 2 : 0);
            }
            in[(size_t)e * d + i] = v;
        }
    return in;
}

int aedl_fw_add_output(aedl_fw_plan *p, int layer) {
    if (p->noutputs >= AEDL_FW_MAX_INPUTS || layer < 0 || layer >= p->nlayers) return -1;
    p->outputs[p->noutputs++] = layer;
    p->d_out += p->layers[layer].n_out;
    exec_free(p->exec, p->nlayers);   /* prepared again on the next use */
    p->exec = NULL;
    return 0;
}

bool aedl_fw_uses_fast(aedl_fw_plan *p) {
    char err[256];
    if (aedl_fw_prepare(p, err, sizeof err)) return false;
    return p->exec->fast && !p->exec->reference;
}
void aedl_fw_set_reference(aedl_fw_plan *p, bool reference) {
    char err[256];
    if (aedl_fw_prepare(p, err, sizeof err) == 0) p->exec->reference = reference;
}

/* ---- plans: allocation and the text form ----------------------------------------------- */

aedl_fw_plan *aedl_fw_plan_new(int nlayers) {
    aedl_fw_plan *p = xcalloc(1, sizeof *p);
    p->nlayers = nlayers;
    p->layers = xcalloc(nlayers > 0 ? nlayers : 1, sizeof *p->layers);
    return p;
}

void aedl_fw_plan_free(aedl_fw_plan *p) {
    if (!p) return;
    exec_free(p->exec, p->nlayers);
    for (int l = 0; l < p->nlayers; l++) { free(p->layers[l].w); free(p->layers[l].b); }
    free(p->layers);
    free(p);
}

static const char *const op_names[] = {
#define AEDL_FW_NAME_OF(id, name) name,
    AEDL_FW_OPS(AEDL_FW_NAME_OF)
#undef AEDL_FW_NAME_OF
};

static void put_type(FILE *f, const char *key, aedl_fixed t) {
    fprintf(f, "  %s %d %d %d %d %d\n", key, t.width, t.integer, t.is_signed ? 1 : 0, (int)t.rnd, (int)t.ovf);
}
static void put_vec(FILE *f, const char *key, const int64_t *v, long n) {
    fprintf(f, "  %s %ld", key, n);
    for (long i = 0; i < n; i++) fprintf(f, "%s%lld", i % 16 ? " " : "\n   ", (long long)v[i]);
    fprintf(f, "\n");
}
long aedl_fw_weight_count(const aedl_fw_layer *a) {
    return a->op == FW_DENSE ? (long)a->n_in * a->n_out : a->op == FW_LEAKY_RELU ? 1 : a->op == FW_CLIP ? 2
         : a->op == FW_SIGMOID || a->op == FW_TANH ? AEDL_ACT_TABLE
         : a->op == FW_BOUND ? AEDL_ACT_TABLE + a->n_out : a->op == FW_HW_INPUT ? 6L * a->n_out
         : a->op == FW_MASKED_SCORE || a->op == FW_COUNT ? a->n_in : a->n_out;
}

/* ---- hw_input ----------------------------------------------------------------------------- */

static int bitlen128(unsigned __int128 v) { int b = 0; while (v) { b++; v >>= 1; } return b; }

void aedl_fw_hwin_consts(double mean, double std, double offset, double divisor, double *k, double *c) {
    *k = 1.0 / (divisor * std);
    *c = -(offset / divisor + mean) / std;
}

aedl_fixed aedl_fw_hwin_type(const aedl_fw_layer *a, int j) {
    const int64_t *t = a->w + a->n_out + 5L * j;
    aedl_fixed h = {(int)t[0], (int)t[1], t[2] != 0, (aedl_rounding)t[3], (aedl_overflow)t[4]};
    return h;
}

aedl_fixed aedl_fw_hwin_container(int n, const aedl_fixed *hw) {
    bool sg = false;
    for (int j = 0; j < n; j++) sg |= hw[j].is_signed;
    int frac = -1000, in = -1000;
    for (int j = 0; j < n; j++) {
        int f = hw[j].width - hw[j].integer, i = hw[j].integer + (sg && !hw[j].is_signed);
        if (f > frac) frac = f;
        if (i > in) in = i;
    }
    return (aedl_fixed){in + frac, in, sg, AEDL_TRN, AEDL_WRAP};
}

int aedl_fw_hwin_build(aedl_fw_layer *a, int n, const aedl_fixed *hw, aedl_fixed in_t, const double *k,
                       const double *c, char *err, int errn) {
    int ein = aedl_fw_exp(in_t), ihw = -1000;
    for (int j = 0; j < n; j++) if (hw[j].integer > ihw) ihw = hw[j].integer;
    int fk = ihw - ein + 1, fc = 2 - ein;
    if (fk < 0) fk = 0;
    if (fc < 0) fc = 0;
    double km = 0, cm = 0;
    for (int j = 0; j < n; j++) {
        if (!isfinite(k[j]) || !isfinite(c[j]) || fabs(k[j]) > 0x1p30 || fabs(c[j]) > 0x1p30) {
            snprintf(err, errn, "hardware input %d: the scaling (x * %g + %g) is out of range", j, k[j], c[j]);
            return -1;
        }
        if (fabs(k[j]) > km) km = fabs(k[j]);
        if (fabs(c[j]) > cm) cm = fabs(c[j]);
    }
    int ik = bitlen128((unsigned __int128)ceil(km)) + 1, ic = bitlen128((unsigned __int128)ceil(cm)) + 1;
    if (ik + fk > 48 || ic + fc > 48) {
        snprintf(err, errn, "the hardware inputs' scaling needs constants of %d and %d bits (at most 48): the input "
                 "type's step 2^%d is too fine for hardware types with %d integer bits", ik + fk, ic + fc, ein, ihw);
        return -1;
    }
    a->op = FW_HW_INPUT;
    a->n_in = a->n_out = n;
    a->has_w = a->has_b = true;
    a->has_quant = false;
    a->guaranteed = true;
    a->w_t = (aedl_fixed){ik + fk, ik, true, AEDL_RND, AEDL_SAT};
    a->b_t = (aedl_fixed){ic + fc, ic, true, AEDL_RND, AEDL_SAT};
    a->w = xcalloc((size_t)n * 6, sizeof(int64_t));
    a->b = xcalloc((size_t)n, sizeof(int64_t));
    int ae = 1000;
    for (int j = 0; j < n; j++) {
        a->w[j] = aedl_fw_from_double(k[j], a->w_t);
        a->b[j] = aedl_fw_from_double(c[j], a->b_t);
        int64_t *t = a->w + n + 5L * j;
        t[0] = hw[j].width; t[1] = hw[j].integer; t[2] = hw[j].is_signed; t[3] = hw[j].rnd; t[4] = hw[j].ovf;
        int pe = aedl_fw_exp(hw[j]) + aedl_fw_exp(a->w_t);
        if (pe < ae) ae = pe;
    }
    if (aedl_fw_exp(a->b_t) < ae) ae = aedl_fw_exp(a->b_t);
    unsigned __int128 vmax = 0;   /* the largest |x k + c| at the step 2^ae */
    for (int j = 0; j < n; j++) {
        int pe = aedl_fw_exp(hw[j]) + aedl_fw_exp(a->w_t) - ae, ce = aedl_fw_exp(a->b_t) - ae;
        if (pe > 60 || ce > 60 || hw[j].width > 62) {
            snprintf(err, errn, "hardware input %d: the steps of its type and of the constants differ by more than 2^60", j);
            return -1;
        }
        __int128 xm = -(__int128)aedl_fixed_mant_min(hw[j]) > (__int128)aedl_fixed_mant_max(hw[j])
                    ? -(__int128)aedl_fixed_mant_min(hw[j]) : (__int128)aedl_fixed_mant_max(hw[j]);
        __int128 km1 = a->w[j] < 0 ? -(__int128)a->w[j] : a->w[j], cm1 = a->b[j] < 0 ? -(__int128)a->b[j] : a->b[j];
        unsigned __int128 v = (unsigned __int128)(xm * km1) * ((unsigned __int128)1 << pe) + (unsigned __int128)cm1 * ((unsigned __int128)1 << ce);
        if (v > vmax) vmax = v;
    }
    int ab = bitlen128(vmax) + 1;
    if (ab > 64) {
        snprintf(err, errn, "the hardware inputs' scaling needs a sum of %d bits (at most 64)", ab);
        return -1;
    }
    a->acc_t = (aedl_fixed){ab, ab + ae, true, AEDL_TRN, AEDL_WRAP};
    a->q_t = a->res_t = in_t;
    return 0;
}

int aedl_fw_hwin_from_scaling(aedl_fw_layer *a, int n, const aedl_fixed *hw, aedl_fixed in_t, const float *mean,
                              const float *std, const float *offset, const float *divisor, char *err, int errn) {
    aedl_fixed *h = xmalloc(sizeof *h * (size_t)(n ? n : 1));
    double *k = xmalloc(sizeof(double) * (size_t)(n ? n : 1)), *c = xmalloc(sizeof(double) * (size_t)(n ? n : 1));
    for (int j = 0; j < n; j++) {
        h[j] = hw[j].width ? hw[j] : in_t;
        k[j] = 1;
        c[j] = 0;
        if (hw[j].width && mean && std && offset && divisor)
            aedl_fw_hwin_consts(mean[j], std[j], offset[j], divisor[j], &k[j], &c[j]);
    }
    int rc = aedl_fw_hwin_build(a, n, h, in_t, k, c, err, errn);
    free(h); free(k); free(c);
    return rc;
}

int64_t aedl_fw_hwin_value(const aedl_fw_layer *a, int j, double x) {
    aedl_fixed h = aedl_fw_hwin_type(a, j);
    int ae = aedl_fw_exp(a->acc_t);
    int pe = aedl_fw_exp(h) + aedl_fw_exp(a->w_t) - ae, ce = aedl_fw_exp(a->b_t) - ae;
    i128 m = (i128)aedl_fw_from_double(x, h) * a->w[j] * ((i128)1 << pe) + (i128)a->b[j] * ((i128)1 << ce);
    return aedl_fw_cast(aedl_fw_cast(m, ae, a->acc_t), ae, a->res_t);
}

int aedl_fw_plan_fprint(const aedl_fw_plan *p, FILE *f) {
    fprintf(f, "aedl_fw_plan 1\n# types: W I signed rounding overflow (fixed.h enum values)\n");
    fprintf(f, "model %s\ninput %d\n", p->model[0] ? p->model : "-", p->d_in);
    put_type(f, "type", p->in_t);
    fprintf(f, "layers %d\n", p->nlayers);
    for (int l = 0; l < p->nlayers; l++) {
        const aedl_fw_layer *a = &p->layers[l];
        fprintf(f, "layer %s %s\n  inputs %d", op_names[a->op], a->name[0] ? a->name : "-", a->ninputs);
        for (int k = 0; k < a->ninputs; k++) fprintf(f, " %d", a->inputs[k]);
        fprintf(f, "\n  size %d %d\n  flags %d %d %d %d\n", a->n_in, a->n_out,
                a->has_w, a->has_b, a->has_quant, a->guaranteed);
        put_type(f, "w_t", a->w_t); put_type(f, "b_t", a->b_t); put_type(f, "acc_t", a->acc_t);
        put_type(f, "q_t", a->q_t); put_type(f, "res_t", a->res_t);
        if (a->has_w) put_vec(f, "w", a->w, aedl_fw_weight_count(a));
        if (a->has_b) put_vec(f, "b", a->b, a->n_out);
    }
    fprintf(f, "outputs %d", p->noutputs);
    for (int k = 0; k < p->noutputs; k++) fprintf(f, " %d", p->outputs[k]);
    fprintf(f, "\nd_out %d\nend\n", p->d_out);
    return ferror(f) ? -1 : 0;
}

int aedl_fw_plan_write(const aedl_fw_plan *p, const char *path) {
    aedl_atomic a;
    if (aedl_atomic_open(&a, path, "w")) return -1;
    if (aedl_fw_plan_fprint(p, a.f)) { int e = errno; aedl_atomic_abort(&a); errno = e ? e : EIO; return -1; }
    return aedl_atomic_commit(&a);
}

/* Reading: a token stream with '#' comments. */
typedef struct { FILE *f; char tok[128]; } rd;

static bool next_tok(rd *r) {
    int c;
    for (;;) {
        c = fgetc(r->f);
        if (c == '#') { while (c != EOF && c != '\n') c = fgetc(r->f); continue; }
        if (c == EOF) return false;
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r') break;
    }
    int n = 0;
    while (c != EOF && c != ' ' && c != '\n' && c != '\t' && c != '\r') {
        if (n < (int)sizeof r->tok - 1) r->tok[n++] = (char)c;
        c = fgetc(r->f);
    }
    r->tok[n] = 0;
    return true;
}
static bool expect(rd *r, const char *word) { return next_tok(r) && strcmp(r->tok, word) == 0; }
static bool get_ll(rd *r, long long *v, long long lo, long long hi) {
    if (!next_tok(r)) return false;
    char *end; errno = 0;
    long long x = strtoll(r->tok, &end, 10);
    if (errno || *end || x < lo || x > hi) return false;
    *v = x;
    return true;
}
static bool get_int(rd *r, int *v, int lo, int hi) {
    long long x; if (!get_ll(r, &x, lo, hi)) return false; *v = (int)x; return true;
}
static bool get_type(rd *r, const char *key, aedl_fixed *t) {
    int s, rn, o;
    if (!expect(r, key) || !get_int(r, &t->width, 0, 64) || !get_int(r, &t->integer, -100000, 100000) ||
        !get_int(r, &s, 0, 1) || !get_int(r, &rn, 0, AEDL_RND_CONV) || !get_int(r, &o, 0, AEDL_SAT_SYM))
        return false;
    t->is_signed = s; t->rnd = (aedl_rounding)rn; t->ovf = (aedl_overflow)o;
    return true;
}
static bool get_vec(rd *r, const char *key, long n, int64_t **out) {
    long long cnt;
    if (!expect(r, key) || !get_ll(r, &cnt, 0, 1L << 30) || cnt != n) return false;
    int64_t *v = xmalloc(sizeof(int64_t) * (n ? n : 1));
    for (long i = 0; i < n; i++) {
        long long x;
        if (!get_ll(r, &x, INT64_MIN, INT64_MAX)) { free(v); return false; }
        v[i] = x;
    }
    *out = v;
    return true;
}

aedl_fw_plan *aedl_fw_plan_read(const char *path, char *err, int errn) {
    FILE *f = fopen(path, "r");
    if (!f) { snprintf(err, errn, "%s: %s", path, strerror(errno)); return NULL; }
    rd r = {f, {0}};
    aedl_fw_plan *p = NULL;
    int nl = 0, one;
    const char *what = "header";
    if (!expect(&r, "aedl_fw_plan") || !get_int(&r, &one, 1, 1)) goto bad;
    what = "model";
    if (!expect(&r, "model") || !next_tok(&r)) goto bad;
    char model[AEDL_FW_NAME];
    snprintf(model, sizeof model, "%.63s", r.tok);
    what = "input";
    int d_in; aedl_fixed in_t;
    if (!expect(&r, "input") || !get_int(&r, &d_in, 1, 1 << 24) || !get_type(&r, "type", &in_t)) goto bad;
    if (!expect(&r, "layers") || !get_int(&r, &nl, 0, 1 << 16)) goto bad;
    p = aedl_fw_plan_new(nl);
    snprintf(p->model, sizeof p->model, "%s", model);
    p->d_in = d_in; p->in_t = in_t;
    for (int l = 0; l < nl; l++) {
        aedl_fw_layer *a = &p->layers[l];
        what = "layer";
        if (!expect(&r, "layer") || !next_tok(&r)) goto bad;
        int op = -1;
        for (int k = 0; k < (int)(sizeof op_names / sizeof *op_names); k++) if (!strcmp(r.tok, op_names[k])) op = k;
        if (op < 0) goto bad;
        a->op = (aedl_fw_op)op;
        if (!next_tok(&r)) goto bad;
        snprintf(a->name, sizeof a->name, "%.63s", r.tok);
        what = a->name;
        if (!expect(&r, "inputs") || !get_int(&r, &a->ninputs, 1, AEDL_FW_MAX_INPUTS)) goto bad;
        for (int k = 0; k < a->ninputs; k++) if (!get_int(&r, &a->inputs[k], -1, l - 1)) goto bad;
        int hw, hb, hq, g;
        if (!expect(&r, "size") || !get_int(&r, &a->n_in, 0, 1 << 24) || !get_int(&r, &a->n_out, 0, 1 << 24)) goto bad;
        if (!expect(&r, "flags") || !get_int(&r, &hw, 0, 1) || !get_int(&r, &hb, 0, 1) ||
            !get_int(&r, &hq, 0, 1) || !get_int(&r, &g, 0, 1)) goto bad;
        a->has_w = hw; a->has_b = hb; a->has_quant = hq; a->guaranteed = g;
        if (!get_type(&r, "w_t", &a->w_t) || !get_type(&r, "b_t", &a->b_t) || !get_type(&r, "acc_t", &a->acc_t) ||
            !get_type(&r, "q_t", &a->q_t) || !get_type(&r, "res_t", &a->res_t)) goto bad;
        if ((long)a->n_in * a->n_out > (1L << 28)) goto bad;
        if (a->has_w && !get_vec(&r, "w", aedl_fw_weight_count(a), &a->w)) goto bad;
        if (a->has_b && !get_vec(&r, "b", a->n_out, &a->b)) goto bad;
    }
    what = "outputs";
    if (!expect(&r, "outputs") || !get_int(&r, &p->noutputs, 1, AEDL_FW_MAX_INPUTS)) goto bad;
    for (int k = 0; k < p->noutputs; k++) if (!get_int(&r, &p->outputs[k], -1, nl - 1)) goto bad;
    if (!expect(&r, "d_out") || !get_int(&r, &p->d_out, 1, 1 << 24) || !expect(&r, "end")) goto bad;
    fclose(f);
    if (aedl_fw_prepare(p, err, errn)) { aedl_fw_plan_free(p); return NULL; }
    return p;
bad:
    snprintf(err, errn, "%s: malformed plan near '%s' (in %s)", path, r.tok, what);
    fclose(f);
    aedl_fw_plan_free(p);
    return NULL;
}
