/* kinds.h — the layer-kind table: per kind (kinds.def), one entry naming its
 * hook for every concern.  The passes walk the graph and call the entry's
 * hook; each hook lives in the one file of its concern (kinds.def says which).
 *
 * The hooks' types name the structures of later passes only as incomplete
 * types, so that the table sits with the IR and every pass includes it.
 */
#ifndef AEDL_KINDS_H
#define AEDL_KINDS_H

#include "emu.h"
#include "ir.h"

struct R;               /* resolve.c's state */
struct AstExpr;
struct IrPrec;          /* precision.h */
struct IrObserved;
struct PrecCons;        /* prec_common.h: what a width rule reads and sets */
struct PrecEx;          /* prec_common.h: the exact pass's state */
struct PrecVals;
struct Gen;             /* emit_train.c: the training program being written */
struct TrainSite;       /* emit_train.c: one layer's generated function */
struct HlsKind;         /* emit_hls_fw.c: a kind's HLS slots, weights, configuration and call */

/* The argument values (a[k]: the k-th Param's expression, NULL when absent or
   bad) into the node; false after reporting a bad value. */
typedef bool KindArgs(struct R *r, IrNode *n, const struct AstExpr *const *a, bool *prune_given);
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
    KindTrain *train_forward, *train_backward, *train_qi;
    const struct HlsKind *hls;
    const char *rt_forward, *rt_backward, *rt_forward_f64;   /* lib/nn.h, or NULL */
} KindEntry;

/* By op; OP_INPUT's entry has the input's precision, training and HLS hooks
   (the drivers handle its arguments, shape and plan themselves: NULL). */
extern const KindEntry KIND_TABLE[IR_NOPS];
static inline const KindEntry *kind_of(IrOp op) { return &KIND_TABLE[op]; }

/* Every hook named in kinds.def, declared with its type. */
#define KIND_HOOKS(args, shape, pquant, pfloat, pcons, pexact, plan, tfwd, tbwd, tqi, hls)            \
    KindArgs args; KindShape shape; KindPrecQuant pquant; KindPrecFloat pfloat; KindPrecCons pcons;    \
    KindPrecExact pexact; KindPlan plan; KindTrain tfwd, tbwd, tqi; extern const struct HlsKind hls;
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
