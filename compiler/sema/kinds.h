/* kinds.h — the layer-kind table: per kind (kinds.def), one entry naming its
 * hook for every concern.  The passes walk the graph and call the entry's
 * hook; each hook lives in the one file of its concern (kinds.def says which).
 *
 * The hooks' types name the structures of later passes only as incomplete
 * types, so that the table sits with the IR and every pass includes it.
 */
#ifndef AEDL_KINDS_H
#define AEDL_KINDS_H

#include <stddef.h>
#include "emu.h"
#include "ir.h"

struct AstExpr;
struct IrPrec;          /* precision.h */
struct IrObserved;
struct PrecCons;        /* prec_common.h: what a width rule reads and sets */
struct PrecEx;          /* prec_common.h: the exact pass's state */
struct PrecVals;
struct Gen;             /* emit_train.c: the training program being written */
struct TrainSite;       /* emit_train.c: one layer's generated function */
struct HlsKind;         /* emit_hls_fw.c: a kind's HLS slots, weights, configuration and call */

/* ---- arguments (resolve.c) ---- */

typedef enum {
    T_INT,        /* an integer (1e3 counts: integral value) */
    T_NUM,        /* any number */
    T_BOOL,       /* true / false */
    T_FLAG,       /* 0, 1, true, false */
    T_STR,        /* "text" */
    T_QUANT,      /* quantizer name, quantized_bits(...), quantized_relu(...), fixed type */
    T_PRUNE,      /* pruning name, none, constant_sparsity(...), polynomial_decay(...) */
    T_ENUM,       /* one of Param.choices (an identifier, or a string) */
    T_NAME,       /* an identifier naming something (checked by the caller) */
    T_SOURCE,     /* hdf5(path, dataset) / csv(path) */
    T_FEATURES,   /* [lo:hi] or a list of indices (and slices) */
    T_OPTIMIZER,  /* adam / adam(...) */
    T_LIST,       /* a list (or one item) of calls / identifiers */
    T_PRECISION,  /* bit_exact | conservative | a fixed type */
    T_TYPE,       /* a fixed type (or a quantizer name: its type) */
    T_FILES,      /* "path" or ["path", ...] (globs allowed) */
    T_SCALE,      /* standard | none, or standard(FEATURES) (prep.c) */
    T_PREP,       /* names, signed, transform: checked by prep.c */
    T_BOUNDS,     /* bound's rules: [relu(FEATURES), tanh(K, FEATURES), ...] */
    T_LOSS        /* mse | masked_mse, or vae(reco = ..., beta = ..., reco_weight = ...) */
} ValKind;

/* The range a layer argument's value must be in. */
typedef enum {
    A_ANY,
    A_COUNT,      /* an integer in [1, 1000000] */
    A_UNIT,       /* [0, 1) */
    A_POSITIVE,   /* > 0 */
    A_MAG20       /* |v| <= 2^20 */
} ArgRange;

/* One argument (or block key) of a signature. */
typedef struct {
    const char *name;
    ValKind kind;
    bool required;
    const char *choices;   /* T_ENUM: "a|b|c" */
} Param;

/* Where a layer kind's argument goes: beside its Param, in the same order. */
typedef struct {
    size_t off;            /* offsetof(IrNode, the field holding its value) */
    ArgRange range;
    const char *what;      /* the value's name in a range message: "alpha of leaky_relu" */
    bool positional;       /* the IR dump prints the value without its name */
} ArgField;

/* The Param list of a kind's arguments and their fields (resolve.c; NULL, 0 for none). */
const Param *kind_params(IrOp op, int *n, const ArgField **fields);
/* Whether n's value of an argument of kind `kind` is in f's range (resolve.c). */
bool kind_arg_ok(ValKind kind, const ArgField *f, const IrNode *n);

/* ---- the hooks ---- */

/* What relates two of the kind's arguments, after each was applied: a, the
   k-th Param's expression (NULL when absent or bad), to report a violation
   there; a == NULL: only check the node (ir_verify). */
typedef bool KindArgs(const IrNode *n, const struct AstExpr *const *a);
/* s starts as the first input's shape: the rule changes it, or reports and returns false. */
typedef bool KindShape(const IrNode *n, IrShape *s);
/* Pass a: the types the model fixes (p->q). */
typedef void KindPrecQuant(IrNode *n, struct IrPrec *p);
/* Pass e: a float part's types and notes (o: its observed range, or NULL). */
typedef void KindPrecFloat(IrNode *n, struct IrPrec *p, const IrTarget *t, const struct IrObserved *o);
/* Pass b: the width rule. */
typedef void KindPrecCons(const IrNode *n, struct PrecCons *k);
/* Pass c: the exact ranges of the outputs from the inputs'. */
typedef void KindPrecExact(struct PrecEx *x, IrModel *m, IrNode *n, struct IrPrec *p, struct PrecVals *out);
/* The plan layer: op and integer parameters; false with a message in err. */
typedef bool KindPlan(const IrNode *n, aedl_fw_layer *a, char *err, int errn);
/* The body of one generated function of the training C. */
typedef void KindTrain(struct Gen *g, const IrNode *n, struct TrainSite *s);

typedef struct {
    const char *name;           /* as written in a model */
    unsigned flags;             /* IR_K_* */
    KindArgs *args;
    KindShape *shape;
    KindPrecQuant *prec_quant;
    KindPrecFloat *prec_float;
    KindPrecCons *prec_cons;
    KindPrecExact *prec_exact;
    KindPlan *plan;
    KindTrain *train_forward, *train_backward, *train_qi, *train_lanes;
    const struct HlsKind *hls;
    const char *rt_forward, *rt_backward, *rt_forward_f64;   /* lib/nn.h, or NULL */
} KindEntry;

/* By op; OP_INPUT's entry has the input's precision, training and HLS hooks
   (the drivers handle its arguments, shape, plan and lanes form themselves: NULL). */
extern const KindEntry KIND_TABLE[IR_NOPS];
static inline const KindEntry *kind_of(IrOp op) { return &KIND_TABLE[op]; }

/* Every hook named in kinds.def, declared with its type. */
#define KIND_HOOKS(args, shape, pquant, pfloat, pcons, pexact, plan, tfwd, tbwd, tqi, tln, hls)       \
    KindArgs args; KindShape shape; KindPrecQuant pquant; KindPrecFloat pfloat; KindPrecCons pcons;    \
    KindPrecExact pexact; KindPlan plan; KindTrain tfwd, tbwd, tqi, tln; extern const struct HlsKind hls;
#define KIND(ID, name, argl, flags, hooks, rt) KIND_HOOKS hooks
#include "kinds.def"
#undef KIND
/* OP_INPUT's. */
KindPrecQuant prec_quant_input;
KindPrecFloat prec_float_input;
KindPrecCons prec_cons_input;
KindPrecExact prec_exact_input;
KindTrain train_forward_input, train_qi_input, train_backward_none;
extern const struct HlsKind hls_input;

#endif
