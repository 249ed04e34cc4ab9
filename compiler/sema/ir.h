/* ir.h — the checked program: what resolve.c builds from the AST and every
 * later pass (shapes, precision, emitters) reads.
 *
 * Everything is resolved: names are pointers, numbers have their types, paths
 * are absolute, defaults are filled in.  The dump (ir_dump.c) prints it as text
 * that looks like the language; golden tests compare that text.
 */
#ifndef AEDL_IR_H
#define AEDL_IR_H

#include <stdbool.h>
#include <stdio.h>
#include "src.h"
#include "fixed.h"
#include "qvalue.h"

#define IR_MAX_RANK 8

/* ---- quantizers --------------------------------------------------------- */

typedef enum {
    Q_FIXED,           /* fixed<W,I,...> / ap_fixed<...> used as a quantizer */
    Q_BITS,            /* quantized_bits(bits, integer, symmetric, keep_negative, alpha) */
    Q_RELU,            /* quantized_relu(bits, integer): relu, then the fixed type; with
                          negative_slope s: the output quantizer of the leaky_relu (alpha s) that
                          resolve.c makes of `relu NAME(quant=...)`, after a clip at -2^integer */
    Q_VALUE            /* binary / ternary / quantized_po2 (weights only): qv, then the fixed type
                          that holds each of its values exactly */
} IrQuantKind;

typedef struct IrQuant {
    const char *name;  /* declared name, or NULL for an inline quantizer */
    Loc loc;
    IrQuantKind kind;
    int bits, integer, symmetric, keep_negative;   /* Q_BITS / Q_RELU as written */
    double alpha;
    double slope;      /* Q_RELU: negative_slope, 0 for none */
    aedl_fixed type;   /* the exact equivalent type (the spec's mapping) */
    aedl_qv qv;        /* Q_VALUE: the map (qvalue.h); kind AEDL_QV_NONE otherwise */
} IrQuant;

/* ---- pruning ------------------------------------------------------------ */

typedef enum { PRUNE_CONSTANT, PRUNE_POLYNOMIAL } IrPruneKind;

typedef struct IrPruning {
    const char *name;
    Loc loc;
    IrPruneKind kind;
    double initial, final;      /* constant: final = target, initial unused */
    long begin, end;            /* optimizer steps; end < 0: no end */
    double power;               /* polynomial: default 3 */
    long frequency;             /* default 100 */
} IrPruning;

/* ---- the graph ------------------------------------------------------------ */

/* OP_INPUT, then one op per layer kind of kinds.def. */
typedef enum {
    OP_INPUT,
#define KIND(ID, ...) OP_##ID,
#include "kinds.def"
#undef KIND
} IrOp;

/* The number of ops (kept out of IrOp so that switches stay exhaustive). */
enum {
    IR_NOPS = 1
#define KIND(ID, ...) + 1
#include "kinds.def"
#undef KIND
};

/* What a kind is, for the passes that ask (kinds.def's flags column). */
enum {
    IR_K_PARAMS = 1 << 0,       /* trained parameters (weights file, optimizer) */
    IR_K_SUMS = 1 << 1,         /* its value is a sum: the exact type grows */
    IR_K_QUANT = 1 << 2,        /* takes quant= on its output */
    IR_K_MANY_INPUTS = 1 << 3,  /* two inputs or more (otherwise exactly one) */
    IR_K_TRAIN_ONLY = 1 << 4,   /* the identity in inference: no firmware layer */
    IR_K_TABLE = 1 << 5,        /* a lookup table in firmware (lib/nn.h) */
    IR_K_FLOAT = 1 << 6         /* computed in floating point in firmware: not guaranteed */
};

typedef enum { INIT_HE_UNIFORM, INIT_GLOROT_UNIFORM, INIT_ZEROS } IrInit;

typedef struct {
    int rank;
    int dims[IR_MAX_RANK];      /* without the batch axis */
} IrShape;

struct IrParams;                /* trained weights, when loaded (weights.h) */
struct IrPrec;                  /* precision inference results (precision.h) */

/* OP_BOUND: one rule of `bound(...)`: features lo, lo+every, ... < hi get
   relu (k unused) or k * tanh. */
typedef enum { BOUND_NONE, BOUND_RELU, BOUND_TANH } IrBoundMode;
typedef struct {
    IrBoundMode mode;
    double k;                   /* BOUND_TANH: the factor as written */
    int lo, hi, every;
    int *list; int nlist;       /* or these features (list != NULL) */
    Loc loc;                    /* the rule, for a feature the output does not have */
} IrBoundRule;

typedef struct IrNode {
    int id;                     /* index in model->nodes */
    IrOp op;
    const char *name;           /* as written, or generated: "batchnorm_1", "relu_2" */
    bool auto_named;
    Loc loc;                    /* the statement */
    int line;                   /* its source line, for comments in generated code */
    const char *file;           /* its source file path */
    struct IrNode **inputs; int ninputs;
    IrShape shape;              /* output shape, set by shapes.c */

    /* OP_INPUT */
    bool has_type;
    aedl_fixed in_type;         /* precision of the input in firmware */
    /* OP_DENSE */
    int units;
    IrQuant *weight_q, *bias_q; /* NULL: float */
    IrPruning *prune;           /* NULL: not pruned (prune=none or no default) */
    bool use_bias;
    IrInit init;
    /* OP_BATCHNORM */
    double momentum, epsilon;
    /* OP_BATCHNORM, OP_RELU, OP_LEAKY_RELU, OP_LINEAR: the quantizer applied to the output */
    IrQuant *quant;
    /* OP_LEAKY_RELU: alpha; OP_DROPOUT: rate */
    double alpha, rate;
    /* OP_CLIP: the bounds, lo < hi; straight: the gradient passes unchanged (the clip
       before a quantized_relu with negative_slope, as QKeras' gradient) */
    double lo, hi;
    bool straight;
    /* OP_LINEAR: a pinned result type (`result=TYPE`, `output NAME : TYPE`): quant is the type */
    bool pinned;
    /* OP_BOUND: the rules (features no rule names are left as they are) */
    IrBoundRule *bounds; int nbounds;

    struct IrParams *params;    /* NULL until weights are loaded or initialised */
    struct IrPrec *prec;        /* NULL until precision inference ran */
} IrNode;

/* OP_BOUND: feature j's mode; *k its factor (BOUND_TANH). */
IrBoundMode ir_bound_mode(const IrNode *n, int j, double *k);

typedef struct IrModel {
    const char *name;
    Loc loc;
    IrNode **nodes; int nnodes;         /* topological (= source) order; inputs first-come */
    IrNode **outputs; int noutputs;     /* `output` or the last layer */
    IrPruning *default_prune;           /* `prune = P` at model scope, or NULL */
} IrModel;

/* ---- data ------------------------------------------------------------------ */

typedef enum { SRC_HDF5, SRC_CSV, SRC_ROOT } IrSourceKind;

typedef struct {
    IrSourceKind kind;
    const char *path;           /* absolute (resolved against the .aedl file's folder) */
    const char *written_path;   /* as written, for messages and the dump */
    const char *dataset;        /* HDF5; NULL with an object selection (jagged columns) */
    const char **files;         /* ROOT, HDF5 with a selection: paths or globs, absolute; files[0] = path */
    const char **written_files;
    int nfiles;
    const char *tree;           /* ROOT */
    Loc loc;
} IrSource;

/* `objects = [FatJet(6, [pt, eta, phi], sort = pt, pad = 0), ...]` */
typedef struct {
    const char *kind;
    int n;
    const char **vars; int nvars;
    const char *sort_by;        /* NULL: stored order */
    double pad;
    Loc loc;
} IrObjects;

/* `cut = [Muon(1, pt, above = 20)]`: at least min objects with var > above. */
typedef struct {
    const char *kind;
    int min;
    const char *var;            /* NULL: any object */
    double above;
    Loc loc;
} IrCut;

typedef struct {
    const char *name;
    IrSource src;
} IrSignal;

typedef enum { SCALE_NONE, SCALE_STANDARD } IrScale;

/* Per-feature preprocessing (`transform = [...]`, `scale = standard(...)`, `signed = [...]`).
   A selector names features: a variable of the last axis by name (`pt`: in every object, or in
   the objects `index`), or flat feature indices (after features and flatten). */
typedef enum { PREP_LOG10, PREP_AFFINE, PREP_STANDARD, PREP_SIGNED } IrPrepOp;
typedef struct {
    IrPrepOp op;
    double a, b;                        /* PREP_AFFINE: (x - a) / b */
    const char *var;                    /* a variable name; NULL: index holds flat feature indices */
    int *index; int nindex;             /* var: object indices (none: every object) */
    Loc loc;                            /* the selector */
    aedl_fixed type;                    /* a target's hardware_inputs: the hardware type */
    Loc type_loc;
} IrPrep;

typedef struct IrData {
    const char *name;
    Loc loc;
    IrSource train;
    IrSignal *signals; int nsignals;
    bool has_features;
    int *features; int nfeatures;       /* indices on the last axis, in order */
    bool flatten;
    long limit;                         /* -1: all */
    double validation, test;            /* fractions */
    IrScale scale;
    long seed;
    IrObjects *objects; int nobjects;   /* an object selection (ROOT, jagged HDF5) */
    const char **scalars; int nscalars;
    IrCut *cuts; int ncuts;
    const char **names; int nnames;     /* `names`: the variables of the last axis, after features */
    IrPrep *prep; int nprep;            /* transforms in order, then standard, then signed selectors */
    bool standard_all;                  /* `scale = standard`: every feature */
} IrData;

/* ---- train ------------------------------------------------------------------ */

/* The reconstruction losses; as a score also kl and mu2 (a model with a sample layer). */
typedef enum { LOSS_MSE, LOSS_MASKED_MSE, LOSS_KL, LOSS_MU2 } IrLoss;
typedef enum { MON_VAL_LOSS, MON_LOSS } IrMonitor;

typedef struct {
    double lr, beta1, beta2, epsilon;   /* adam; Keras defaults 1e-3, 0.9, 0.999, 1e-7 */
} IrAdam;

typedef struct {
    bool on;
    IrMonitor monitor;
    double factor, min_delta, min_lr;
    int patience, cooldown;
} IrReduceLr;

typedef struct {
    bool on;
    IrMonitor monitor;
    double min_delta;
    int patience;
    bool restore_best;
} IrEarlyStop;

typedef struct IrTrain {
    const char *name;                   /* NULL for an unnamed `train { }` */
    Loc loc;
    IrModel *model;
    IrData *data;
    IrLoss loss;                        /* the reconstruction loss (mse, masked_mse) */
    bool vae;                           /* loss = vae(...): reco_weight * reco + beta * KL */
    double beta, reco_weight;
    const struct IrNode *sample;        /* the model's sample layer (mu, logvar), or NULL */
    IrAdam adam;
    int epochs, batch;
    IrReduceLr reduce_lr;
    IrEarlyStop early_stop;
    bool terminate_on_nan;
    IrLoss score;                       /* per-event anomaly score: mse (default), masked_mse, kl, mu2 */
    bool roc, auc, residuals;
    double *tpr_at_fpr; int ntpr_at_fpr;
} IrTrain;

/* ---- target -------------------------------------------------------------------- */

typedef enum { BACKEND_VITIS, BACKEND_VIVADO } IrBackend;
typedef enum { IO_PARALLEL, IO_STREAM } IrIo;
typedef enum { STRATEGY_LATENCY, STRATEGY_RESOURCE } IrStrategy;
typedef enum { PREC_BIT_EXACT, PREC_CONSERVATIVE, PREC_FIXED } IrPrecMode;
typedef enum { TARGET_OUT_RECONSTRUCTION, TARGET_OUT_SCORE } IrTargetOutput;

typedef struct IrTarget {
    const char *name;
    Loc loc;
    IrBackend backend;
    const char *part;
    double clock_period;                /* ns */
    IrIo io;
    IrStrategy strategy;
    int reuse_factor;
    IrPrecMode precision;
    aedl_fixed default_type;            /* PREC_FIXED: the type; otherwise fixed<16,6> */
    bool dsp_multipliers;               /* multipliers = dsp: --emit rtl writes constant products as x * C */
    IrTargetOutput output;              /* what the top function outputs (output = score: the anomaly score) */
    Loc output_loc;
    double trigger_rate, bunch_rate;    /* Hz: the threshold's false-positive rate is their ratio */
    IrPrep *hw; int nhw;                /* hardware_inputs: hw(FEATURES, TYPE), the type in hw[i].type */
    Loc hw_loc;
    aedl_fixed *hw_types; long nhw_types; /* per model input feature (width 0: not declared): prep_hw_check */
    const float *hw_mean, *hw_std, *hw_offset, *hw_divisor;   /* the fitted scaling (DIR/scaler.h5), or NULL */
    const float *pad_value;   /* per model input feature: a raw 0 preprocessed (DIR/scaler.h5), for the masked
                                 score's padding; NULL: 0 */
} IrTarget;

/* ---- the whole program ----------------------------------------------------------- */

typedef struct IrProgram {
    const char *main_file;              /* the file given on the command line */
    IrQuant **quants; int nquants;      /* named ones, in declaration order (imports first) */
    IrPruning **prunings; int nprunings;
    IrModel **models; int nmodels;
    IrData **datas; int ndatas;
    IrTrain **trains; int ntrains;
    IrTarget **targets; int ntargets;
} IrProgram;

const char *ir_op_name(IrOp op);
/* A Q_VALUE quantizer as written: binary(...), ternary(...), quantized_po2(...). */
void ir_put_qv(FILE *o, const IrQuant *q);        /* "dense", "batchnorm", ... as in the language */
/* The flags of OP's kind (IR_K_*; 0 for OP_INPUT) and a test of one (kinds.c). */
unsigned ir_op_flags(IrOp op);
static inline bool ir_op_is(IrOp op, unsigned flag) { return (ir_op_flags(op) & flag) != 0; }
/* Prints the canonical text form (ir_dump.c). */
void ir_dump(FILE *out, const IrProgram *p);
/* Checks the invariants every pass relies on; a violation is an internal error (ir_verify.c). */
void ir_verify(const IrProgram *p);
/* Number of elements of a shape. */
long ir_shape_size(const IrShape *s);
/* The values of a target block's keys when not given, and the whole target a
   file without a target block compiles for (name NULL) (resolve.c). */
void ir_target_default(IrTarget *g);

#endif
