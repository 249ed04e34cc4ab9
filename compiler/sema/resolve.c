/* resolve.c — AST -> IR: names, arguments, values, defaults.
 *
 * The pass walks the parsed files (imports first, the main file last) and
 * builds the IrProgram of ir.h.  It reports every error it finds (src.h) and
 * always returns a program; the caller must not use it when errors were
 * reported (main.c stops after a pass with errors).
 *
 * Decisions (docs/language.md says the same to users):
 *  - Names are unique per kind (quantizer, pruning, model, data, train,
 *    target) across all loaded files: a file sees the declarations of every
 *    file it imports (and, since imports are loaded once, of every loaded file).
 *  - Every call is checked against a table of its parameters (SIGS below):
 *    positional arguments first, in the table's order, then named ones.
 *  - Blocks (data, train, target, the model's own `key = value` lines) are
 *    checked against a table of keys in the same way.
 *  - `train` without `model` (or `data`) uses the program's only model (data
 *    block); with several, the key is required.
 *  - Unnamed layers get KIND_N names: N counts the unnamed layers of that kind
 *    in source order, from 1; a number whose name is taken by a named layer is
 *    skipped (relu_2 written by the user -> the second unnamed relu is relu_3).
 *  - `prune = P` at model scope is the default for every dense of that model,
 *    wherever the line is; `prune=none` on a dense exempts it.
 *  - A fixed type <W, I>: W in 1..64, I in -64..64.  quantized_bits and
 *    quantized_relu are checked through their equivalent type, so the integer
 *    argument must give an I in that range too.
 */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "arena.h"
#include "kinds.h"
#include "passes.h"
#include "strmap.h"

/* ---- value kinds and signatures --------------------------------------------- */

typedef struct {
    const char *name;
    const Param *params;
    int nparams;
    const char *what;      /* "argument" (calls) or "key" (blocks) */
} Sig;

#define NPARAMS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define SIG(n, arr) { n, arr, NPARAMS(arr), "argument" }
#define SIG0(n) { n, NULL, 0, "argument" }
#define BLOCK(n, arr) { n, arr, NPARAMS(arr), "key" }

static const Param P_QBITS[] = {
    {"bits", T_INT, true, 0}, {"integer", T_INT, false, 0}, {"symmetric", T_FLAG, false, 0},
    {"keep_negative", T_FLAG, false, 0}, {"alpha", T_NUM, false, 0},
};
static const Param P_QRELU[] = {
    {"bits", T_INT, true, 0}, {"integer", T_INT, false, 0}, {"negative_slope", T_NUM, false, 0},
};
static const Param P_CONST[] = {
    {"target", T_NUM, true, 0}, {"begin", T_INT, false, 0}, {"end", T_INT, false, 0},
    {"frequency", T_INT, false, 0},
};
static const Param P_POLY[] = {
    {"initial", T_NUM, true, 0}, {"final", T_NUM, true, 0}, {"begin", T_INT, true, 0},
    {"end", T_INT, true, 0}, {"power", T_NUM, false, 0}, {"frequency", T_INT, false, 0},
};
/* The layer kinds' arguments (kinds.def's args column: ARGS(X) is P_X and
   F_X).  F_X says, per argument of P_X, the IrNode field that holds its
   value, the range it must be in (the message names `what`), and whether
   the IR dump prints it without its name.  Applying, printing (ir_dump.c)
   and checking (ir_verify.c) are generic over these lists; what relates two
   arguments is the kind's args_KIND below.  A default is the field's value
   from new_node. */
#define FIELD(f) .off = offsetof(IrNode, f)
static const Param P_DENSE[] = {
    {"units", T_INT, true, 0}, {"weight", T_QUANT, false, 0}, {"bias", T_QUANT, false, 0},
    {"prune", T_PRUNE, false, 0}, {"use_bias", T_BOOL, false, 0},
    {"init", T_ENUM, false, "he_uniform|glorot_uniform|zeros"},
};
static const ArgField F_DENSE[] = {
    {FIELD(units), .range = A_COUNT, .what = "units", .positional = true}, {FIELD(weight_q)}, {FIELD(bias_q)},
    {FIELD(prune)}, {FIELD(use_bias)}, {FIELD(init)},
};
static const Param P_BN[] = {
    {"momentum", T_NUM, false, 0}, {"epsilon", T_NUM, false, 0}, {"quant", T_QUANT, false, 0},
};
static const ArgField F_BN[] = {
    {FIELD(momentum), .range = A_UNIT, .what = "momentum"}, {FIELD(epsilon), .range = A_POSITIVE, .what = "epsilon"},
    {FIELD(quant)},
};
static const Param P_QUANT_ONLY[] = { {"quant", T_QUANT, false, 0} };
static const ArgField F_QUANT_ONLY[] = { {FIELD(quant)} };
static const Param P_LEAKY[] = { {"alpha", T_NUM, false, 0}, {"quant", T_QUANT, false, 0} };
static const ArgField F_LEAKY[] = { {FIELD(alpha), .range = A_UNIT, .what = "alpha of leaky_relu"}, {FIELD(quant)} };
static const Param P_DROPOUT[] = { {"rate", T_NUM, true, 0} };
static const ArgField F_DROPOUT[] = { {FIELD(rate), .range = A_UNIT, .what = "dropout rate", .positional = true} };
static const Param P_CLIP[] = { {"lo", T_NUM, true, 0}, {"hi", T_NUM, true, 0} };
static const ArgField F_CLIP[] = {
    {FIELD(lo), .range = A_MAG20, .what = "clip bound lo"}, {FIELD(hi), .range = A_MAG20, .what = "clip bound hi"},
};
static const Param P_BOUND[] = { {"rules", T_BOUNDS, true, 0} };
static const ArgField F_BOUND[] = { {FIELD(bounds), .positional = true} };
static const Param P_ADAM[] = {
    {"lr", T_NUM, false, 0}, {"beta1", T_NUM, false, 0}, {"beta2", T_NUM, false, 0},
    {"epsilon", T_NUM, false, 0},
};
static const Param P_RLR[] = {
    {"monitor", T_ENUM, false, "val_loss|loss"}, {"factor", T_NUM, false, 0},
    {"patience", T_INT, false, 0}, {"min_delta", T_NUM, false, 0},
    {"cooldown", T_INT, false, 0}, {"min_lr", T_NUM, false, 0},
};
static const Param P_ES[] = {
    {"monitor", T_ENUM, false, "val_loss|loss"}, {"patience", T_INT, false, 0},
    {"min_delta", T_NUM, false, 0}, {"restore_best", T_BOOL, false, 0},
};
static const Param P_HDF5[] = { {"path", T_FILES, true, 0}, {"dataset", T_STR, false, 0} };
static const Param P_ROOT[] = { {"path", T_FILES, true, 0}, {"tree", T_STR, false, 0} };
static const Param P_OBJECTS[] = {
    {"n", T_INT, true, 0}, {"vars", T_LIST, true, 0}, {"sort", T_NAME, false, 0}, {"pad", T_NUM, false, 0},
};
static const Param P_CUT[] = { {"min", T_INT, true, 0}, {"var", T_NAME, false, 0}, {"above", T_NUM, false, 0} };
static const Param P_CSV[] = { {"path", T_STR, true, 0} };
static const Param P_TPR[] = { {"fpr", T_NUM, true, 0} };

static const Param P_QBINARY[] = { {"use_01", T_FLAG, false, 0}, {"alpha", T_NUM, false, 0} };
static const Param P_QTERNARY[] = { {"alpha", T_NUM, false, 0}, {"threshold", T_NUM, false, 0} };
static const Param P_QPO2[] = {
    {"bits", T_INT, true, 0}, {"max_value", T_NUM, false, 0}, {"log2_rounding", T_ENUM, false, "rnd|floor"},
};
static const Sig SIG_QBINARY = SIG("binary", P_QBINARY);
static const Sig SIG_QTERNARY = SIG("ternary", P_QTERNARY);
static const Sig SIG_QPO2 = SIG("quantized_po2", P_QPO2);
static const Sig SIG_QBITS = SIG("quantized_bits", P_QBITS);
static const Sig SIG_QRELU = SIG("quantized_relu", P_QRELU);
static const Sig SIG_CONST = SIG("constant_sparsity", P_CONST);
static const Sig SIG_POLY = SIG("polynomial_decay", P_POLY);
static const Sig SIG_ADAM = SIG("adam", P_ADAM);
static const Sig SIG_HDF5 = SIG("hdf5", P_HDF5);
static const Sig SIG_CSV = SIG("csv", P_CSV);
static const Sig SIG_ROOT = SIG("root", P_ROOT);

/* Layers: kind name -> op and parameters. */
typedef struct { IrOp op; Sig sig; const ArgField *fields; } LayerKind;
#define SIG_OF_ARGS(x) P_##x, NPARAMS(P_##x)
#define SIG_OF_NOARGS NULL, 0
#define FIELDS_OF_ARGS(x) F_##x
#define FIELDS_OF_NOARGS NULL
static const LayerKind LAYERS[] = {
#define KIND(ID, name, args, ...) {OP_##ID, {name, SIG_OF_##args, "argument"}, FIELDS_OF_##args},
#include "kinds.def"
#undef KIND
};
#define NLAYERS NPARAMS(LAYERS)

/* Callbacks and metrics (list items). */
enum { CB_RLR, CB_ES, CB_NAN };
static const Sig CALLBACKS[] = {
    SIG("reduce_lr_on_plateau", P_RLR), SIG("early_stopping", P_ES), SIG0("terminate_on_nan"),
};
enum { MET_ROC, MET_AUC, MET_TPR, MET_RESIDUALS };
static const Sig METRICS[] = {
    SIG0("roc"), SIG0("auc"), SIG("tpr_at_fpr", P_TPR), SIG0("residuals"),
};

/* Blocks. */
static const Param K_MODEL[] = { {"prune", T_PRUNE, false, 0} };
enum { DK_TRAIN, DK_SIGNAL, DK_FEATURES, DK_FLATTEN, DK_LIMIT, DK_VALIDATION, DK_TEST, DK_SCALE, DK_SEED,
       DK_OBJECTS, DK_SCALARS, DK_CUT, DK_NAMES, DK_SIGNED, DK_TRANSFORM };
static const Param K_DATA[] = {
    {"train", T_SOURCE, true, 0}, {"signal", T_SOURCE, false, 0}, {"features", T_FEATURES, false, 0},
    {"flatten", T_BOOL, false, 0}, {"limit", T_INT, false, 0}, {"validation", T_NUM, false, 0},
    {"test", T_NUM, false, 0}, {"scale", T_SCALE, false, "standard|none"}, {"seed", T_INT, false, 0},
    {"objects", T_LIST, false, 0}, {"scalars", T_LIST, false, 0}, {"cut", T_LIST, false, 0},
    {"names", T_PREP, false, 0}, {"signed", T_PREP, false, 0}, {"transform", T_PREP, false, 0},
};
enum { TK_MODEL, TK_DATA, TK_LOSS, TK_OPT, TK_EPOCHS, TK_BATCH, TK_CALLBACKS, TK_SCORE, TK_METRICS };
static const Param K_TRAIN[] = {
    {"model", T_NAME, false, 0}, {"data", T_NAME, false, 0}, {"loss", T_LOSS, false, "mse|masked_mse"},
    {"optimizer", T_OPTIMIZER, false, 0}, {"epochs", T_INT, false, 0}, {"batch", T_INT, false, 0},
    {"callbacks", T_LIST, false, 0}, {"score", T_ENUM, false, "mse|masked_mse|kl|mu2"},
    {"metrics", T_LIST, false, 0},
};
enum { GK_BACKEND, GK_PART, GK_CLOCK, GK_IO, GK_STRATEGY, GK_REUSE, GK_PRECISION, GK_MULT, GK_OUTPUT,
       GK_TRIGGER_RATE, GK_BUNCH_RATE, GK_HW_INPUTS };
static const Param K_TARGET[] = {
    {"backend", T_ENUM, false, "vitis|vivado"}, {"part", T_STR, false, 0},
    {"clock_period", T_NUM, false, 0}, {"io", T_ENUM, false, "parallel|stream"},
    {"strategy", T_ENUM, false, "latency|resource"}, {"reuse_factor", T_INT, false, 0},
    {"precision", T_PRECISION, false, 0}, {"multipliers", T_ENUM, false, "shift_add|dsp"},
    {"output", T_ENUM, false, "reconstruction|score"},
    {"trigger_rate", T_NUM, false, 0}, {"bunch_rate", T_NUM, false, 0},
    {"hardware_inputs", T_LIST, false, 0},
};
static const Sig BLK_MODEL = BLOCK("model", K_MODEL);
static const Sig BLK_DATA = BLOCK("data", K_DATA);
static const Sig BLK_TRAIN = BLOCK("train", K_TRAIN);
static const Sig BLK_TARGET = BLOCK("target", K_TARGET);

/* Fixed-point mode names: the .aedl spelling; "AP_" + upper case is accepted too. */
static const char *const RND_NAMES[] = {"trn", "trn_zero", "rnd", "rnd_zero", "rnd_inf", "rnd_min_inf", "rnd_conv"};
static const char *const OVF_NAMES[] = {"wrap", "sat", "sat_zero", "sat_sym"};

#define MAX_WIDTH 64
#define MIN_INT (-64)
#define MAX_INT 64
#define MAX_UNITS 1000000
#define MAX_FEATURE 65536

/* ---- small helpers ------------------------------------------------------------ */

/* "a, b, c" of the names. */
static char *join_names(const char *const *names, int n, const char *sep) {
    size_t len = 1;
    for (int i = 0; i < n; i++) len += strlen(names[i]) + strlen(sep);
    char *s = arena_alloc(len);
    for (int i = 0; i < n; i++) {
        if (i) strcat(s, sep);
        strcat(s, names[i]);
    }
    return s;
}

static const char **param_names(const Sig *sig) {
    const char **v = arena_alloc(sizeof(char *) * (size_t)(sig->nparams + 1));
    for (int i = 0; i < sig->nparams; i++) v[i] = sig->params[i].name;
    return v;
}

/* Splits "a|b|c" into an arena array. */
static int split_choices(const char *choices, const char ***out) {
    int n = 1;
    for (const char *c = choices; *c; c++) n += *c == '|';
    const char **v = arena_alloc(sizeof(char *) * (size_t)n);
    const char *s = choices;
    for (int i = 0; i < n; i++) {
        const char *e = strchr(s, '|');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        v[i] = arena_strndup(s, len);
        s = e ? e + 1 : s + len;
    }
    *out = v;
    return n;
}

static const char *describe(const AstExpr *e) {
    switch (e->kind) {
    case EX_NUMBER: return "a number";
    case EX_STRING: return "a string";
    case EX_BOOL: return e->bval ? "true" : "false";
    case EX_IDENT: return arena_printf("the name '%s'", e->text);
    case EX_CALL: return arena_printf("a call to %s(...)", e->text);
    case EX_LIST: return "a list";
    case EX_SLICE: return "a slice";
    case EX_TYPE: return "a fixed type";
    }
    return "a value";
}

static const char *expected_text(const Param *p) {
    switch (p->kind) {
    case T_INT: return "an integer";
    case T_NUM: return "a number";
    case T_BOOL: return "true or false";
    case T_FLAG: return "0, 1, true or false";
    case T_STR: return "a string";
    case T_QUANT: return "a quantizer (a name, quantized_bits(...), quantized_relu(...) or a fixed type)";
    case T_PRUNE: return "a pruning schedule (a name, none, constant_sparsity(...) or polynomial_decay(...))";
    case T_ENUM: {
        const char **v;
        int n = split_choices(p->choices, &v);
        return arena_printf("one of %s", join_names(v, n, ", "));
    }
    case T_NAME: return "a name";
    case T_SOURCE: return "hdf5(path, dataset), csv(path) or root(path, tree = NAME)";
    case T_FEATURES: return "a slice [lo:hi] or a list of indices";
    case T_OPTIMIZER: return "adam(...)";
    case T_LIST: return "a list";
    case T_PRECISION: return "bit_exact, conservative or a fixed type";
    case T_TYPE: return "a fixed type";
    case T_FILES: return "a path or a list of paths";
    case T_SCALE: return "standard, none or standard(FEATURES)";
    case T_PREP: return "a list";
    case T_BOUNDS: return "a list of relu(FEATURES) and tanh(K, FEATURES)";
    case T_LOSS: return "mse, masked_mse or vae(reco = mse, beta = B, reco_weight = W)";
    }
    return "a value";
}

/* Integral value of a number expression. */
static bool as_int(const AstExpr *e, long long *v) {
    if (e->kind != EX_NUMBER) return false;
    if (e->is_int) { *v = e->ival; return true; }
    if (e->num == floor(e->num) && fabs(e->num) < 9e15) { *v = (long long)e->num; return true; }
    return false;
}

static const char *ident_or_string(const AstExpr *e) {
    if (e->kind == EX_IDENT || e->kind == EX_STRING) return e->text;
    return NULL;
}

static int choice_index(const Param *p, const char *s) {
    const char **v;
    int n = split_choices(p->choices, &v);
    for (int i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0) return i;
    return -1;
}

/* Checks the shape of a value against its parameter's kind; names are looked
   up later.  CTX is "argument 'lr' of adam" or "key 'epochs'". */
static bool check_kind(const Param *p, const AstExpr *e, const char *ctx) {
    long long iv;
    bool ok = true;
    switch (p->kind) {
    case T_INT:
        if (e->kind != EX_NUMBER) ok = false;
        else if (!as_int(e, &iv)) {
            diag_error(e->loc, "%s: expected an integer, got %g", ctx, e->num);
            return false;
        }
        break;
    case T_NUM: ok = e->kind == EX_NUMBER; break;
    case T_BOOL: ok = e->kind == EX_BOOL; break;
    case T_FLAG:
        if (e->kind == EX_BOOL) break;
        if (e->kind == EX_NUMBER && as_int(e, &iv) && (iv == 0 || iv == 1)) break;
        if (e->kind == EX_NUMBER) {
            diag_error(e->loc, "%s: expected 0 or 1, got %g", ctx, e->num);
            return false;
        }
        ok = false;
        break;
    case T_STR: ok = e->kind == EX_STRING; break;
    case T_QUANT: ok = e->kind == EX_IDENT || e->kind == EX_CALL || e->kind == EX_TYPE; break;
    case T_PRUNE: ok = e->kind == EX_IDENT || e->kind == EX_CALL; break;
    case T_PREP: break;
    case T_SCALE: case T_LOSS:
        if (e->kind == EX_CALL) break;
        /* else as T_ENUM */
        /* fall through */
    case T_ENUM: {
        const char *s = ident_or_string(e);
        if (!s) { ok = false; break; }
        if (choice_index(p, s) < 0) {
            const char **v;
            int n = split_choices(p->choices, &v);
            const char *sug = suggest(s, v, n);
            if (sug)
                diag_error(e->loc, "%s: unknown value '%s'; did you mean '%s'? (expected one of %s)",
                           ctx, s, sug, join_names(v, n, ", "));
            else
                diag_error(e->loc, "%s: unknown value '%s' (expected one of %s)", ctx, s, join_names(v, n, ", "));
            return false;
        }
        break;
    }
    case T_NAME: ok = e->kind == EX_IDENT; break;
    case T_SOURCE: ok = e->kind == EX_CALL; break;
    case T_FEATURES: ok = e->kind == EX_SLICE || e->kind == EX_LIST; break;
    case T_OPTIMIZER: ok = e->kind == EX_CALL || e->kind == EX_IDENT; break;
    case T_LIST: ok = e->kind == EX_LIST || e->kind == EX_CALL || e->kind == EX_IDENT; break;
    case T_PRECISION: ok = e->kind == EX_IDENT || e->kind == EX_STRING || e->kind == EX_TYPE; break;
    case T_TYPE: ok = e->kind == EX_TYPE || e->kind == EX_IDENT; break;
    case T_FILES: ok = e->kind == EX_STRING || e->kind == EX_LIST; break;
    case T_BOUNDS: ok = e->kind == EX_LIST || e->kind == EX_CALL; break;
    }
    if (!ok) diag_error(e->loc, "%s: expected %s, got %s", ctx, expected_text(p), describe(e));
    return ok;
}

static const char *arg_ctx(const Sig *sig, int i) {
    return arena_printf("%s '%s' of %s", sig->what, sig->params[i].name, sig->name);
}

/* Matches ARGS to SIG's parameters: out[i] = the value of parameter i, or NULL
   when absent or of the wrong kind; locs[i] where it was given.  Reports unknown names (with a suggestion and
   the list of known ones), duplicates, too many positional arguments, missing
   required ones and values of the wrong kind.  Returns false on any error. */
static bool bind_args(const Sig *sig, const AstArg *args, int nargs, Loc at,
                      const AstExpr **out, Loc *locs) {
    bool ok = true, named_seen = false;
    int pos = 0;
    unsigned given = 0;
    for (int i = 0; i < sig->nparams; i++) out[i] = NULL;
    for (int a = 0; a < nargs; a++) {
        const AstArg *arg = &args[a];
        int slot = -1;
        Loc where = arg->name ? arg->name_loc : arg->value->loc;
        if (!arg->name) {
            if (named_seen) {
                diag_error(where, "positional argument after named ones in %s(...)", sig->name);
                ok = false;
                continue;
            }
            if (pos >= sig->nparams) {
                if (sig->nparams == 0)
                    diag_error(where, "%s takes no arguments", sig->name);
                else
                    diag_error(where, "too many arguments to %s: it takes %d (%s)", sig->name,
                               sig->nparams, join_names(param_names(sig), sig->nparams, ", "));
                ok = false;
                pos++;
                continue;
            }
            slot = pos++;
        } else {
            named_seen = true;
            for (int i = 0; i < sig->nparams; i++)
                if (strcmp(sig->params[i].name, arg->name) == 0) slot = i;
            if (slot < 0) {
                const char **names = param_names(sig);
                const char *sug = suggest(arg->name, names, sig->nparams);
                if (sig->nparams == 0)
                    diag_error(where, "%s takes no arguments", sig->name);
                else if (sug)
                    diag_error(where, "unknown argument '%s' to %s; did you mean '%s'?", arg->name, sig->name, sug);
                else
                    diag_error(where, "unknown argument '%s' to %s", arg->name, sig->name);
                if (sig->nparams)
                    diag_note_brief(where, "%s takes: %s", sig->name, join_names(names, sig->nparams, ", "));
                ok = false;
                continue;
            }
        }
        if (given & (1u << slot)) {
            diag_error(where, "argument '%s' of %s given twice", sig->params[slot].name, sig->name);
            diag_note(locs[slot], "first given here");
            ok = false;
            continue;
        }
        given |= 1u << slot;
        locs[slot] = where;
        /* A value of the wrong kind is reported here and then treated as
           absent, so that no range check reports it a second time. */
        if (check_kind(&sig->params[slot], arg->value, arg_ctx(sig, slot))) out[slot] = arg->value;
        else ok = false;
    }
    for (int i = 0; i < sig->nparams; i++)
        if (sig->params[i].required && !(given & (1u << i))) {
            diag_error(at, "missing argument '%s' to %s", sig->params[i].name, sig->name);
            ok = false;
        }
    return ok;
}

/* The same for a block's `key = value` lines (ST_ASSIGN; other statements are
   skipped; `signal` lines are ST_SIGNAL and handled by the data block).
   *given has bit i set when key i was written (even with a bad value). */
static bool bind_keys(const Sig *blk, const char *blkname, const AstStmt *stmts, int n,
                      const AstExpr **out, Loc *locs, unsigned *given) {
    bool ok = true;
    *given = 0;
    for (int i = 0; i < blk->nparams; i++) out[i] = NULL;
    for (int s = 0; s < n; s++) {
        const AstStmt *st = &stmts[s];
        if (st->kind != ST_ASSIGN) continue;
        const char *key = st->kind_name.name;
        int slot = -1;
        for (int i = 0; i < blk->nparams; i++)
            if (strcmp(blk->params[i].name, key) == 0) slot = i;
        if (slot >= 0 && blk == &BLK_DATA && slot == DK_SIGNAL) {
            diag_error(st->kind_name.loc, "a signal needs a name: `signal NAME = hdf5(...)`");
            ok = false;
            continue;
        }
        if (slot < 0) {
            const char **names = param_names(blk);
            const char *sug = suggest(key, names, blk->nparams);
            if (sug)
                diag_error(st->kind_name.loc, "unknown key '%s' in %s block; did you mean '%s'?", key, blkname, sug);
            else
                diag_error(st->kind_name.loc, "unknown key '%s' in %s block", key, blkname);
            diag_note(NOLOC, "known keys: %s", join_names(names, blk->nparams, ", "));
            ok = false;
            continue;
        }
        if (*given & (1u << slot)) {
            diag_error(st->kind_name.loc, "duplicate key '%s'", key);
            diag_note(locs[slot], "first set here");
            ok = false;
            continue;
        }
        *given |= 1u << slot;
        locs[slot] = st->kind_name.loc;
        if (check_kind(&blk->params[slot], st->value, arena_printf("key '%s'", key))) out[slot] = st->value;
        else ok = false;
    }
    return ok;
}

static double num_of(const AstExpr *e, double dflt) { return e && e->kind == EX_NUMBER ? e->num : dflt; }
static long long int_of(const AstExpr *e, long long dflt) {
    long long v;
    return e && as_int(e, &v) ? v : dflt;
}
static bool bool_of(const AstExpr *e, bool dflt) {
    if (!e) return dflt;
    if (e->kind == EX_BOOL) return e->bval;
    long long v;
    if (as_int(e, &v)) return v != 0;
    return dflt;
}
/* Index of a T_ENUM value (already checked), or DFLT when absent. */
static int enum_of(const Param *p, const AstExpr *e, int dflt) {
    const char *s = e ? ident_or_string(e) : NULL;
    int i = s ? choice_index(p, s) : -1;
    return i >= 0 ? i : dflt;
}

/* ---- symbol tables ------------------------------------------------------------- */

typedef struct {
    const char *name;
    Loc loc;
    void *ir;              /* the IR object once built; NULL before or when broken */
    bool broken;           /* had errors: references stay silent */
} Sym;

typedef struct {
    Sym *v; int n, cap;
    StrMap index;          /* name -> index in v */
    const char *what;      /* "quantizer", "pruning schedule", ... */
} SymTab;

typedef struct R {
    SymTab quants, prunes, models, datas, trains, targets;
    IrProgram *prog;
} R;

static Sym *sym_find(SymTab *t, const char *name) {
    int i = strmap_get(&t->index, name);
    return i < 0 ? NULL : &t->v[i];
}

/* Declares NAME; a duplicate is an error with a note at the first.  Returns
   the new symbol, or NULL for a duplicate. */
static Sym *sym_declare(SymTab *t, const char *name, Loc loc) {
    Sym *old = sym_find(t, name);
    if (old) {
        diag_error(loc, "duplicate %s '%s'", t->what, name);
        diag_note(old->loc, "'%s' first declared here", name);
        return NULL;
    }
    Sym s = {name, loc, NULL, false};
    strmap_add(&t->index, name, t->n);
    ARENA_PUSH(t->v, t->n, t->cap, s);
    return &t->v[t->n - 1];
}

static const char **sym_names(SymTab *t) {
    const char **v = arena_alloc(sizeof(char *) * (size_t)(t->n + 1));
    for (int i = 0; i < t->n; i++) v[i] = t->v[i].name;
    return v;
}

/* Looks NAME up in T; reports an unknown name (with a suggestion, or the kind
   it really is when found in OTHER).  Returns the IR object or NULL. */
static void *sym_ref(SymTab *t, SymTab *other, const char *name, Loc loc) {
    Sym *s = sym_find(t, name);
    if (s) {
        if (!s->ir && !s->broken)   /* only aliases can meet a declaration not yet resolved */
            diag_error(loc, "%s '%s' is declared later: an alias must name an earlier %s", t->what, name, t->what);
        return s->ir;
    }
    if (other && sym_find(other, name)) {
        diag_error(loc, "'%s' is a %s, not a %s", name, other->what, t->what);
        return NULL;
    }
    const char *sug = diag_errors_full() ? NULL : suggest(name, sym_names(t), t->n);
    if (sug)
        diag_error(loc, "unknown %s '%s'; did you mean '%s'?", t->what, name, sug);
    else
        diag_error(loc, "unknown %s '%s'", t->what, name);
    return NULL;
}

/* ---- fixed types ------------------------------------------------------------------ */

/* A mode name as the .aedl spelling: lower case, without "ap_" ("AP_RND" -> "rnd"). */
static const char *mode_norm(const char *written) {
    const char *s = written;
    if (strncasecmp(s, "ap_", 3) == 0) s += 3;
    char *buf = arena_strdup(s);
    for (char *c = buf; *c; c++)
        if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
    return buf;
}

static int mode_index(const char *written, const char *const *names, int n) {
    const char *buf = mode_norm(written);
    for (int i = 0; i < n; i++)
        if (strcmp(buf, names[i]) == 0) return i;
    return -1;
}

static bool type_param_int(const AstExpr *e, const char *what, const char *tname, long long *v) {
    if (!as_int(e, v)) {
        if (e->kind == EX_NUMBER)
            diag_error(e->loc, "the %s of %s<...> must be an integer, got %g", what, tname, e->num);
        else
            diag_error(e->loc, "the %s of %s<...> must be an integer, got %s", what, tname, describe(e));
        return false;
    }
    return true;
}

static bool check_width_integer(Loc wloc, Loc iloc, long long w, long long i) {
    bool ok = true;
    if (w < 1 || w > MAX_WIDTH) {
        diag_error(wloc, "width %lld out of range: a fixed type has 1..%d bits", w, MAX_WIDTH);
        ok = false;
    }
    if (i < MIN_INT || i > MAX_INT) {
        diag_error(iloc, "integer bits %lld out of range: must be within %d..%d", i, MIN_INT, MAX_INT);
        ok = false;
    }
    return ok;
}

/* fixed<W, I[, rnd[, ovf]]>, ufixed<...>, ap_fixed<...>, ap_ufixed<...>, ap_int<W>, ap_uint<W>. */
static bool parse_type(const AstExpr *e, aedl_fixed *t) {
    static const char *const TYPES[] = {"fixed", "ufixed", "ap_fixed", "ap_ufixed", "ap_int", "ap_uint"};
    int k = -1;
    for (int i = 0; i < 6; i++)
        if (strcmp(e->text, TYPES[i]) == 0) k = i;
    if (k < 0) {
        const char *sug = suggest(e->text, TYPES, 6);
        if (sug) diag_error(e->loc, "unknown type '%s'; did you mean '%s'?", e->text, sug);
        else diag_error(e->loc, "unknown type '%s' (known: %s)", e->text, join_names(TYPES, 6, ", "));
        return false;
    }
    bool is_int = k >= 4;
    t->is_signed = k == 0 || k == 2 || k == 4;
    t->rnd = AEDL_TRN;
    t->ovf = AEDL_WRAP;
    long long w = 0, i = 0;
    if (is_int) {
        if (e->nitems != 1) {
            diag_error(e->loc, "%s takes one parameter, the width: %s<8>", e->text, e->text);
            return false;
        }
        if (!type_param_int(e->items[0], "width", e->text, &w)) return false;
        if (!check_width_integer(e->items[0]->loc, e->items[0]->loc, w, w)) return false;
        t->width = (int)w;
        t->integer = (int)w;
        return true;
    }
    if (e->nitems < 2 || e->nitems > 4) {
        if (e->nitems == 5 && k >= 2)
            diag_error(e->items[4]->loc, "the saturation-bits parameter of %s is not supported", e->text);
        else
            diag_error(e->loc, "%s takes 2 to 4 parameters: %s<W, I[, rounding[, overflow]]>, got %d",
                       e->text, e->text, e->nitems);
        return false;
    }
    bool ok = type_param_int(e->items[0], "width", e->text, &w);
    ok = type_param_int(e->items[1], "integer bits", e->text, &i) && ok;
    if (!ok) return false;
    if (!check_width_integer(e->items[0]->loc, e->items[1]->loc, w, i)) ok = false;
    t->width = (int)w;
    t->integer = (int)i;
    if (e->nitems >= 3) {
        const AstExpr *m = e->items[2];
        int r = m->kind == EX_IDENT ? mode_index(m->text, RND_NAMES, 7) : -1;
        if (r < 0) {
            if (m->kind == EX_IDENT && mode_index(m->text, OVF_NAMES, 4) >= 0)
                diag_error(m->loc, "'%s' is an overflow mode; the rounding mode comes first: %s<%lld, %lld, trn, %s>",
                           m->text, e->text, w, i, m->text);
            else if (m->kind == EX_IDENT && suggest(mode_norm(m->text), RND_NAMES, 7))
                diag_error(m->loc, "unknown rounding mode '%s'; did you mean '%s'? (known: %s)", m->text,
                           suggest(mode_norm(m->text), RND_NAMES, 7), join_names(RND_NAMES, 7, ", "));
            else
                diag_error(m->loc, "unknown rounding mode %s (known: %s)",
                           m->kind == EX_IDENT ? arena_printf("'%s'", m->text) : describe(m),
                           join_names(RND_NAMES, 7, ", "));
            ok = false;
        } else
            t->rnd = (aedl_rounding)r;
    }
    if (e->nitems >= 4) {
        const AstExpr *m = e->items[3];
        int o = m->kind == EX_IDENT ? mode_index(m->text, OVF_NAMES, 4) : -1;
        if (o < 0) {
            if (m->kind == EX_IDENT && suggest(mode_norm(m->text), OVF_NAMES, 4))
                diag_error(m->loc, "unknown overflow mode '%s'; did you mean '%s'? (known: %s)", m->text,
                           suggest(mode_norm(m->text), OVF_NAMES, 4), join_names(OVF_NAMES, 4, ", "));
            else
                diag_error(m->loc, "unknown overflow mode %s (known: %s)",
                           m->kind == EX_IDENT ? arena_printf("'%s'", m->text) : describe(m),
                           join_names(OVF_NAMES, 4, ", "));
            ok = false;
        } else
            t->ovf = (aedl_overflow)o;
    }
    return ok;
}

/* ---- quantizers ------------------------------------------------------------------- */

/* QKeras' alpha="auto" / "auto_po2" of binary and ternary (a scale computed in
   training): said plainly, before the argument check would call it a wrong
   type.  pos: the position of alpha among the positional arguments. */
static bool alpha_is_auto(const AstExpr *e, int pos) {
    for (int i = 0; i < e->nargs; i++) {
        const AstArg *g = &e->args[i];
        bool is_alpha = g->name ? strcmp(g->name, "alpha") == 0 : i == pos;
        if (is_alpha && g->value->kind == EX_STRING) {
            diag_error(g->value->loc, "alpha=\"%s\" is not supported for %s: a power of two (quantized_bits "
                       "takes alpha=\"auto\" and \"auto_po2\")", g->value->text, e->text);
            return true;
        }
    }
    return false;
}

/* quantized_bits(bits, integer, alpha="auto" / "auto_po2"): QKeras' per-channel
   power-of-two scale computed from the weights (qvalue.h), a weight and bias
   quantizer.  Its values are 2^integer * z * 2^e (|z| < 2^(bits-1)); the type
   here, fixed<bits, integer+1, rnd_conv, sat>, is the one of a model without
   weights: with weights, it is the smallest type holding every value
   (weights_apply_value_quantizers). */
static IrQuant *quant_bits_auto(IrQuant *q, const AstExpr *const *a, const AstExpr *alpha) {
    long long bits = int_of(a[0], 0), integer = int_of(a[1], 0);
    if (bits < 2 || bits > 24) {
        diag_error(a[0]->loc, "bits of quantized_bits with alpha=\"%s\" must be in 2..24, got %lld", alpha->text, bits);
        return NULL;
    }
    if (integer < -32 || integer > 32) {
        diag_error(a[1]->loc, "integer of quantized_bits with alpha=\"%s\" must be in -32..32, got %lld",
                   alpha->text, integer);
        return NULL;
    }
    q->kind = Q_VALUE;
    q->bits = (int)bits;
    q->integer = (int)integer;
    q->symmetric = 1;           /* QKeras: "auto*" |-> symmetric */
    q->keep_negative = 1;
    q->alpha = 1.0;
    q->qv.kind = AEDL_QV_BITS_AUTO;
    q->qv.bits = (int)bits;
    q->qv.integer = (int)integer;
    q->qv.auto_po2 = strcmp(alpha->text, "auto_po2") == 0;
    q->type = (aedl_fixed){ (int)bits, (int)integer + 1, true, AEDL_RND_CONV, AEDL_SAT };
    return q;
}

static IrQuant *quant_call(const AstExpr *e) {
    bool is_bits = strcmp(e->text, "quantized_bits") == 0;
    const Sig *sig = is_bits ? &SIG_QBITS : &SIG_QRELU;
    const AstExpr *a[5];
    Loc l[5];
    const AstArg *args = e->args;
    int nargs = e->nargs;
    const AstExpr *auto_alpha = NULL;       /* alpha="auto" / "auto_po2": a weight quantizer */
    if (is_bits) {
        AstArg *rest = arena_alloc(sizeof(AstArg) * (size_t)(e->nargs + 1));
        nargs = 0;
        for (int i = 0; i < e->nargs; i++) {
            const AstArg *g = &e->args[i];
            bool is_alpha = g->name ? strcmp(g->name, "alpha") == 0 : i == 4;
            if (is_alpha && g->value->kind == EX_STRING) {
                if (strcmp(g->value->text, "auto") && strcmp(g->value->text, "auto_po2")) {
                    diag_error(g->value->loc, "alpha=\"%s\" is not supported: a number (only 1), \"auto\" or "
                               "\"auto_po2\"", g->value->text);
                    return NULL;
                }
                auto_alpha = g->value;
            } else
                rest[nargs++] = *g;
        }
        args = rest;
    }
    if (!is_bits) {     /* QKeras' third positional argument is use_sigmoid: negative_slope only by name */
        for (int i = 0, pos = 0; i < e->nargs; i++)
            if (!e->args[i].name && ++pos > 2) {
                diag_error(e->args[i].value->loc, "too many arguments to quantized_relu: it takes 2 (bits, integer) "
                           "and negative_slope=S by name");
                return NULL;
            }
    }
    if (!bind_args(sig, args, nargs, e->loc, a, l)) return NULL;
    IrQuant *q = ARENA_NEW(IrQuant);
    q->loc = e->loc;
    q->kind = is_bits ? Q_BITS : Q_RELU;
    if (auto_alpha) return quant_bits_auto(q, a, auto_alpha);
    long long bits = int_of(a[0], 0), integer = int_of(a[1], 0);
    q->symmetric = is_bits ? bool_of(a[2], false) : 0;
    q->keep_negative = is_bits ? bool_of(a[3], true) : 0;
    q->alpha = is_bits ? num_of(a[4], 1.0) : 1.0;
    q->slope = is_bits ? 0 : num_of(a[2], 0);
    bool ok = true;
    if (q->slope != 0) {    /* QKeras asserts a power of two; leaky_relu's alpha is on the 2^-10 step */
        int ex;
        if (!(q->slope > 0 && frexp(q->slope, &ex) == 0.5 && ex - 1 >= -10 && ex - 1 <= -1)) {
            diag_error(a[2]->loc, "negative_slope=%g is not supported: a power of two in 2^-10..0.5 (or 0)", q->slope);
            ok = false;
        } else if (bits < 2 || q->slope * ldexp(1.0, (int)(bits < 64 ? bits : 64) - 1) < 1) {
            diag_error(a[0]->loc, "a quantized_relu with negative_slope=%g needs negative_slope * 2^(bits-1) >= 1 "
                       "(its lowest value -negative_slope * 2^integer on the step 2^(integer+1-bits)), got bits=%lld",
                       q->slope, bits);
            ok = false;
        } else if (integer < -10 || integer > 19) {
            diag_error(a[1] ? a[1]->loc : e->loc, "integer=%lld is not supported with negative_slope: the clip at "
                       "-2^integer needs integer within -10..19", integer);
            ok = false;
        }
    }
    if (bits < 1 || bits > MAX_WIDTH) {
        diag_error(a[0]->loc, "bits must be in 1..%d, got %lld", MAX_WIDTH, bits);
        ok = false;
    } else if (is_bits && q->keep_negative && bits < 2) {
        diag_error(a[0]->loc, "a signed quantized_bits needs at least 2 bits (binary quantizers are not supported)");
        ok = false;
    }
    if (is_bits && q->alpha != 1.0) {
        diag_error(a[4]->loc, "alpha=%g is not supported yet: only alpha=1", q->alpha);
        ok = false;
    }
    if (ok && (integer < -1000 || integer > 1000)) {   /* far out: no type to show */
        diag_error(a[1]->loc, "integer=%lld out of range: integer bits must be within %d..%d", integer,
                   MIN_INT, MAX_INT);
        ok = false;
    }
    if (!ok) return NULL;
    bool sgn = is_bits ? q->keep_negative : q->slope != 0;
    long long I = sgn ? integer + 1 : integer;
    if (I < MIN_INT || I > MAX_INT) {
        diag_error(a[1] ? a[1]->loc : e->loc,
                   "integer=%lld out of range: the equivalent type %s<%lld, %lld> needs integer bits within %d..%d",
                   integer, sgn ? "fixed" : "ufixed", bits, I, MIN_INT, MAX_INT);
        ok = false;
    }
    if (!ok) return NULL;
    q->bits = (int)bits;
    q->integer = (int)integer;
    q->type.width = (int)bits;
    q->type.integer = (int)I;
    q->type.is_signed = sgn;
    q->type.rnd = AEDL_RND_CONV;
    q->type.ovf = q->type.is_signed && q->symmetric ? AEDL_SAT_SYM : AEDL_SAT;
    return q;
}

/* binary(use_01=0, alpha=1), ternary(alpha=1, threshold=0.33),
   quantized_po2(bits, max_value): QKeras' weight quantizers that map a weight to
   a value (qvalue.h); the type is the smallest fixed type holding every value. */
static IrQuant *quant_value_call(const AstExpr *e) {
    bool bin = strcmp(e->text, "binary") == 0, ter = strcmp(e->text, "ternary") == 0;
    const Sig *sig = bin ? &SIG_QBINARY : ter ? &SIG_QTERNARY : &SIG_QPO2;
    const AstExpr *a[3];
    Loc l[3];
    if ((bin || ter) && alpha_is_auto(e, bin ? 1 : 0)) return NULL;
    if (!bind_args(sig, e->args, e->nargs, e->loc, a, l)) return NULL;
    IrQuant *q = ARENA_NEW(IrQuant);
    q->loc = e->loc;
    q->kind = Q_VALUE;
    q->alpha = 1.0;
    aedl_qv *v = &q->qv;
    double lo, hi;
    int step;
    if (bin || ter) {
        const AstExpr *al = bin ? a[1] : a[0];
        v->kind = bin ? AEDL_QV_BINARY : AEDL_QV_TERNARY;
        v->alpha = num_of(al, 1.0);
        int ex;
        if (!(v->alpha > 0 && frexp(v->alpha, &ex) == 0.5 && ex - 1 >= -32 && ex - 1 <= 32)) {
            diag_error(al->loc, "alpha=%g is not supported: a power of two in 2^-32..2^32", v->alpha);
            return NULL;
        }
        v->use_01 = bin && bool_of(a[0], false);
        double th = ter ? num_of(a[1], 0.33) : 0;
        if (ter && !(th >= 0 && th < 1e30)) {
            diag_error(a[1]->loc, "threshold must be a number >= 0, got %g", th);
            return NULL;
        }
        v->threshold = (float)th;
        lo = v->use_01 ? 0 : -v->alpha;
        hi = v->alpha;
        step = ex - 1;
    } else {
        long long bits = int_of(a[0], 0);
        double mv = num_of(a[1], 0);
        if (bits < 2 || bits > 7) {
            diag_error(a[0]->loc, "bits of quantized_po2 must be in 2..7, got %lld", bits);
            return NULL;
        }
        if (a[1] && !(mv > 0 && mv < 1e30)) {
            diag_error(a[1]->loc, "max_value must be positive, got %g", mv);
            return NULL;
        }
        v->kind = AEDL_QV_PO2;
        v->max_value = mv;
        v->log2_floor = enum_of(&P_QPO2[2], a[2], 0) == 1;
        aedl_qv_po2_range((int)bits, mv, v->log2_floor, &v->min_exp, &v->max_exp);
        q->bits = (int)bits;
        lo = -ldexp(1.0, v->max_exp);
        hi = ldexp(1.0, v->max_exp);
        step = v->min_exp;
    }
    /* the smallest I with every value in range on the step 2^step */
    bool sign = lo < 0;
    int I = step + 1;
    while (ldexp(1.0, sign ? I - 1 : I) - ldexp(1.0, step) < hi || (sign && -ldexp(1.0, I - 1) > lo)) I++;
    q->type = (aedl_fixed){ I - step, I, sign, AEDL_RND_CONV, AEDL_SAT };
    q->keep_negative = sign;
    return q;
}

/* A quantizer from a value: a name, a call or a fixed type.  NAME is the
   declared name (NULL inline).  Returns NULL after reporting an error. */
static IrQuant *quant_expr(R *r, const AstExpr *e, const char *name) {
    IrQuant *q = NULL;
    if (e->kind == EX_IDENT && name && strcmp(name, e->text) == 0) {
        diag_error(e->loc, "quantizer '%s' names itself", name);
        return NULL;
    } else if (e->kind == EX_IDENT) {
        IrQuant *ref = sym_ref(&r->quants, &r->prunes, e->text, e->loc);
        if (!ref) return NULL;
        if (!name) return ref;
        q = ARENA_NEW(IrQuant);      /* an alias: quantizer qa = q8_3 */
        *q = *ref;
    } else if (e->kind == EX_TYPE) {
        aedl_fixed t;
        if (!parse_type(e, &t)) return NULL;
        q = ARENA_NEW(IrQuant);
        q->kind = Q_FIXED;
        q->type = t;
        q->bits = t.width;
        q->integer = t.integer;
        q->keep_negative = t.is_signed;
        q->symmetric = t.ovf == AEDL_SAT_SYM;
        q->alpha = 1.0;
    } else if (e->kind == EX_CALL && (strcmp(e->text, "quantized_bits") == 0 || strcmp(e->text, "quantized_relu") == 0)) {
        q = quant_call(e);
        if (!q) return NULL;
    } else if (e->kind == EX_CALL && (strcmp(e->text, "binary") == 0 || strcmp(e->text, "ternary") == 0 ||
                                      strcmp(e->text, "quantized_po2") == 0)) {
        q = quant_value_call(e);
        if (!q) return NULL;
    } else if (e->kind == EX_CALL && strcmp(e->text, "quantized_tanh") == 0) {
        diag_error(e->loc, "the QKeras quantizer 'quantized_tanh' is not supported in .aedl files: write "
                   "quantized_bits(bits, 0, symmetric) (the same values, docs/import.md)");
        return NULL;
    } else if (e->kind == EX_CALL) {
        static const char *const QF[] = {"quantized_bits", "quantized_relu"};
        const char *sug = suggest(e->text, QF, 2);
        if (sug)
            diag_error(e->loc, "unknown quantizer function '%s'; did you mean '%s'?", e->text, sug);
        else
            diag_error(e->loc, "unknown quantizer function '%s' (expected quantized_bits(...), quantized_relu(...) or a fixed type)", e->text);
        return NULL;
    } else {
        diag_error(e->loc, "expected a quantizer (a name, quantized_bits(...), quantized_relu(...) or a fixed type), got %s", describe(e));
        return NULL;
    }
    q->name = name;
    q->loc = e->loc;
    return q;
}

/* The quantizer of a layer's output (quant=): not one that maps weights. */
static IrQuant *act_quant_expr(R *r, const AstExpr *e) {
    IrQuant *q = quant_expr(r, e, NULL);
    if (q && q->kind == Q_VALUE) {
        diag_error(e->loc, "binary, ternary, quantized_po2 and quantized_bits with alpha=\"auto\" / \"auto_po2\" "
                   "quantize weights: give them as weight= or bias= of a dense layer, not as quant=");
        return NULL;
    }
    return q;
}

/* A weight or bias quantizer: not a quantized_relu with negative_slope (an activation). */
static IrQuant *weight_quant_expr(R *r, const AstExpr *e) {
    IrQuant *q = quant_expr(r, e, NULL);
    if (q && q->kind == Q_RELU && q->slope != 0) {
        diag_error(e->loc, "quantized_relu with negative_slope is an activation: give it as quant= of a relu layer");
        return NULL;
    }
    return q;
}

/* ---- pruning ------------------------------------------------------------------------ */

static bool check_sparsity(const AstExpr *e, const char *what) {
    if (e && !(e->num >= 0 && e->num < 1)) {
        diag_error(e->loc, "%s sparsity must be in [0, 1), got %g", what, e->num);
        return false;
    }
    return true;
}

static IrPruning *prune_call(const AstExpr *e) {
    bool poly = strcmp(e->text, "polynomial_decay") == 0;
    const Sig *sig = poly ? &SIG_POLY : &SIG_CONST;
    const AstExpr *a[6];
    Loc l[6];
    if (!bind_args(sig, e->args, e->nargs, e->loc, a, l)) return NULL;
    IrPruning *p = ARENA_NEW(IrPruning);
    p->loc = e->loc;
    bool ok = true;
    const AstExpr *begin, *end, *freq;
    if (poly) {
        p->kind = PRUNE_POLYNOMIAL;
        ok = check_sparsity(a[0], "initial") && ok;
        ok = check_sparsity(a[1], "final") && ok;
        p->initial = num_of(a[0], 0);
        p->final = num_of(a[1], 0);
        begin = a[2]; end = a[3]; freq = a[5];
        p->power = num_of(a[4], 3.0);
        if (a[4] && !(p->power > 0)) {
            diag_error(a[4]->loc, "power must be positive, got %g", p->power);
            ok = false;
        }
    } else {
        p->kind = PRUNE_CONSTANT;
        ok = check_sparsity(a[0], "target") && ok;
        p->initial = p->final = num_of(a[0], 0);
        begin = a[1]; end = a[2]; freq = a[3];
        p->power = 0;
    }
    long long b = int_of(begin, 0), en = int_of(end, -1), f = int_of(freq, 100);
    if (b < 0 || b > LONG_MAX / 2) {
        diag_error(begin->loc, "begin must be a step >= 0, got %lld", b);
        ok = false;
    } else if (poly && !(b < en)) {
        diag_error(end->loc, "polynomial_decay needs begin < end, got begin=%lld, end=%lld", b, en);
        ok = false;
    } else if (!poly && en >= 0 && en < b) {
        diag_error(end->loc, "end must be >= begin (or negative: no end), got begin=%lld, end=%lld", b, en);
        ok = false;
    }
    if (en > LONG_MAX / 2) {
        diag_error(end->loc, "end %lld is too large", en);
        ok = false;
    }
    if (f <= 0 || f > LONG_MAX / 2) {
        diag_error(freq->loc, "frequency must be positive, got %lld", f);
        ok = false;
    }
    if (!ok) return NULL;
    p->begin = (long)b;
    p->end = en < 0 ? -1 : (long)en;
    p->frequency = (long)f;
    return p;
}

/* A pruning schedule from a value; *none set for `none`. */
static IrPruning *prune_expr(R *r, const AstExpr *e, const char *name, bool allow_none, bool *none) {
    if (none) *none = false;
    IrPruning *p;
    if (e->kind == EX_IDENT) {
        if (allow_none && strcmp(e->text, "none") == 0) {
            *none = true;
            return NULL;
        }
        if (name && strcmp(name, e->text) == 0) {
            diag_error(e->loc, "pruning schedule '%s' names itself", name);
            return NULL;
        }
        IrPruning *ref = sym_ref(&r->prunes, &r->quants, e->text, e->loc);
        if (!ref || !name) return ref;
        p = ARENA_NEW(IrPruning);
        *p = *ref;
    } else if (e->kind == EX_CALL && (strcmp(e->text, "polynomial_decay") == 0 || strcmp(e->text, "constant_sparsity") == 0)) {
        p = prune_call(e);
        if (!p) return NULL;
    } else if (e->kind == EX_CALL) {
        static const char *const PF[] = {"constant_sparsity", "polynomial_decay"};
        const char *sug = suggest(e->text, PF, 2);
        if (sug)
            diag_error(e->loc, "unknown pruning schedule '%s'; did you mean '%s'?", e->text, sug);
        else
            diag_error(e->loc, "unknown pruning schedule '%s' (expected constant_sparsity(...) or polynomial_decay(...))", e->text);
        return NULL;
    } else {
        diag_error(e->loc, "expected a pruning schedule (a name, %sconstant_sparsity(...) or polynomial_decay(...)), got %s",
                   allow_none ? "none, " : "", describe(e));
        return NULL;
    }
    p->name = name;
    p->loc = e->loc;
    return p;
}

/* ---- models ----------------------------------------------------------------------------- */

static const LayerKind *layer_kind(const char *name) {
    for (int i = 0; i < NLAYERS; i++)
        if (strcmp(LAYERS[i].sig.name, name) == 0) return &LAYERS[i];
    return NULL;
}

/* A name in a model: the input or a layer. */
typedef struct {
    const char *name;
    Loc loc;
    int stmt;              /* statement index */
    IrNode *node;          /* once built; NULL when broken */
} NodeName;

static void source_pos(Loc loc, const char **file, int *line) {
    int col;
    *file = loc.file >= 0 ? src_file(loc.file)->path : "";
    *line = 0;
    if (loc.file >= 0) src_linecol(loc.file, loc.start, line, &col);
}

/* The model's names, by name (byname: name -> statement index). */
static NodeName *node_name_find(NodeName *v, const StrMap *byname, const char *name) {
    int i = strmap_get(byname, name);
    return i < 0 ? NULL : &v[i];
}

/* Resolves a reference to an earlier node of the model (`<-` and `output`). */
static IrNode *node_ref(NodeName *names, const StrMap *byname, int n, const AstName *ref, int cur_stmt,
                        const char *model, bool *silent) {
    NodeName *nn = node_name_find(names, byname, ref->name);
    *silent = false;
    if (!nn && diag_errors_full()) {
        diag_error(ref->loc, "no layer named '%s' in model '%s'", ref->name, model);
        return NULL;
    }
    if (!nn) {
        const char **v = arena_alloc(sizeof(char *) * (size_t)(n + 1));
        int k = 0;
        for (int i = 0; i < n; i++)
            if (names[i].name) v[k++] = names[i].name;
        const char *sug = suggest(ref->name, v, k);
        if (sug)
            diag_error(ref->loc, "no layer named '%s' in model '%s'; did you mean '%s'?", ref->name, model, sug);
        else
            diag_error(ref->loc, "no layer named '%s' in model '%s'", ref->name, model);
        return NULL;
    }
    if (nn->stmt >= cur_stmt) {
        if (nn->stmt == cur_stmt)
            diag_error(ref->loc, "layer '%s' cannot take its own output", ref->name);
        else {
            const char *f;
            int line;
            source_pos(nn->loc, &f, &line);
            diag_error(ref->loc, "layer '%s' is defined later (line %d); a layer takes only earlier layers", ref->name, line);
        }
        return NULL;
    }
    if (!nn->node) *silent = true;
    return nn->node;
}

static IrNode *new_node(IrModel *m, IrOp op, const char *name, bool auto_named, Loc loc) {
    IrNode *n = ARENA_NEW(IrNode);
    n->id = m->nnodes;
    n->op = op;
    n->name = name;
    n->auto_named = auto_named;
    n->loc = loc;
    source_pos(loc, &n->file, &n->line);
    n->use_bias = true;
    n->init = INIT_HE_UNIFORM;
    n->momentum = 0.99;
    n->epsilon = 1e-3;
    n->alpha = 0.3;
    m->nodes[m->nnodes++] = n;   /* sized for every statement by resolve_model */
    return n;
}

/* `relu NAME(quant=quantized_relu(b, i, negative_slope=s))` is QKeras' quantized
   relu with a negative slope: for x >= 0 x in ufixed<b-1, i>, for x < 0 s * x
   clipped at -s * 2^i, both rounded half to even on the step 2^(i-b+1).  It
   becomes `clip NAME_clip(-2^i, 2^i)` (whose gradient passes unchanged) and
   `leaky_relu NAME(alpha=s)` quantized to fixed<b, i+1, rnd_conv, sat>: the same
   values, and QKeras' gradient (1 up to the top value, s below 0, 0 above). */
static bool lower_leaky_quantized_relu(IrModel *m, IrNode *node, const StrMap *byname, const AstStmt *st) {
    const IrQuant *q = node->quant;
    if (node->op != OP_RELU) {
        diag_error(st->loc, "%s '%s': quantized_relu with negative_slope is an activation with a negative side: "
                   "give it as quant= of a relu layer", ir_op_name(node->op), node->name);
        return false;
    }
    const char *cname = arena_printf("%s_clip", node->name);
    if (strmap_get(byname, cname) >= 0) {
        diag_error(st->loc, "layer '%s' has a quantized_relu with negative_slope, which adds the layer '%s' before "
                   "it: that name is taken", node->name, cname);
        return false;
    }
    IrNode *clip = new_node(m, OP_CLIP, cname, false, st->loc);
    clip->lo = -ldexp(1.0, q->integer);
    clip->hi = ldexp(1.0, q->integer);
    clip->straight = true;
    clip->inputs = node->inputs;
    clip->ninputs = node->ninputs;
    node->inputs = arena_alloc(sizeof(IrNode *));
    node->inputs[0] = clip;
    node->ninputs = 1;
    node->op = OP_LEAKY_RELU;
    node->alpha = q->slope;
    m->nodes[clip->id] = node;          /* the clip comes first */
    m->nodes[node->id] = clip;
    clip->id = node->id;
    node->id = clip->id + 1;
    return true;
}

/* ---- layer arguments ---------------------------------------------------------------- */

const Param *kind_params(IrOp op, int *n, const ArgField **fields) {
    for (int k = 0; k < NLAYERS; k++)
        if (LAYERS[k].op == op) {
            *n = LAYERS[k].sig.nparams;
            *fields = LAYERS[k].fields;
            return LAYERS[k].sig.params;
        }
    *n = 0;
    *fields = NULL;
    return NULL;
}

static bool in_range(const ArgField *p, double v) {
    switch (p->range) {
    case A_ANY: return true;
    case A_COUNT: return v >= 1 && v <= MAX_UNITS;
    case A_UNIT: return v >= 0 && v < 1;
    case A_POSITIVE: return v > 0;
    case A_MAG20: return fabs(v) <= 1048576;
    }
    return false;
}

bool kind_arg_ok(ValKind kind, const ArgField *p, const IrNode *n) {
    const char *f = (const char *)n + p->off;
    if (kind == T_INT) return in_range(p, *(const int *)f);
    if (kind == T_NUM) return in_range(p, *(const double *)f);
    return true;
}

/* Reports a value out of its argument's range. */
static bool check_range(const ArgField *p, const AstExpr *e, double v) {
    if (in_range(p, v)) return true;
    switch (p->range) {
    case A_COUNT:
        if (v <= 0) diag_error(e->loc, "%s must be positive, got %lld", p->what, (long long)v);
        else diag_error(e->loc, "%s %lld is too large (at most %d)", p->what, (long long)v, MAX_UNITS);
        break;
    case A_UNIT: diag_error(e->loc, "%s must be in [0, 1), got %g", p->what, v); break;
    case A_POSITIVE: diag_error(e->loc, "%s must be positive, got %g", p->what, v); break;
    case A_MAG20: diag_error(e->loc, "%s = %g is out of range (at most 2^20 in magnitude)", p->what, v); break;
    case A_ANY: break;
    }
    return false;
}

/* One rule of bound: relu(FEATURES, every=N) or tanh(K, FEATURES, every=N);
   FEATURES a slice [lo:hi] (hi absent: to the end) or a list of indices, K a
   number in [2^-10, 1024] or pi. */
static bool bound_rule(const AstExpr *e, IrBoundRule *b) {
    memset(b, 0, sizeof *b);
    b->loc = e->loc;
    b->every = 1;
    b->hi = -1;
    if (e->kind != EX_CALL || (strcmp(e->text, "relu") && strcmp(e->text, "tanh"))) {
        diag_error(e->loc, "a rule of bound is relu(FEATURES) or tanh(K, FEATURES), got %s", describe(e));
        return false;
    }
    bool tanh_rule = !strcmp(e->text, "tanh");
    b->mode = tanh_rule ? BOUND_TANH : BOUND_RELU;
    int want = tanh_rule ? 2 : 1, pos = 0;
    const AstExpr *k = NULL, *f = NULL;
    for (int a = 0; a < e->nargs; a++) {
        const AstArg *g = &e->args[a];
        if (g->name && !strcmp(g->name, "every")) {
            long long v;
            if (!as_int(g->value, &v) || v < 1 || v > MAX_UNITS) {
                diag_error(g->value->loc, "every= of a bound rule: expected a positive integer");
                return false;
            }
            b->every = (int)v;
        } else if (g->name) {
            diag_error(g->name_loc, "unknown argument '%s' to the bound rule %s (it takes %sFEATURES, every)", g->name,
                       e->text, tanh_rule ? "K, " : "");
            return false;
        } else if (pos >= want) {
            diag_error(g->value->loc, "too many arguments to the bound rule %s: it takes %sFEATURES, every", e->text,
                       tanh_rule ? "K, " : "");
            return false;
        } else if (tanh_rule && pos++ == 0) k = g->value;
        else { f = g->value; pos = want; }
    }
    if (tanh_rule && k) {
        if (k->kind == EX_IDENT && !strcmp(k->text, "pi")) b->k = 3.14159265358979323846;
        else if (k->kind == EX_NUMBER) b->k = k->num;
        else { diag_error(k->loc, "the factor of tanh in bound: expected a number or pi, got %s", describe(k)); return false; }
        if (!(b->k >= 0x1p-10) || b->k > 1024) {   /* used on the 2^-10 step */
            diag_error(k->loc, "the factor of tanh in bound must be in [2^-10, 1024], got %g", b->k);
            return false;
        }
    }
    if (!f || (tanh_rule && !k)) {
        diag_error(e->loc, "the bound rule %s needs %sFEATURES ([lo:hi] or a list of indices)", e->text,
                   tanh_rule ? "K and " : "");
        return false;
    }
    if (f->kind == EX_SLICE) {
        b->lo = f->has_lo ? (int)f->lo : 0;
        b->hi = f->has_hi ? (int)f->hi : -1;
        if (f->lo < 0 || (f->has_hi && (f->hi <= b->lo || f->hi > MAX_UNITS))) {
            diag_error(f->loc, "features [%lld:%lld] of a bound rule: expected 0 <= lo < hi", f->has_lo ? f->lo : 0, f->hi);
            return false;
        }
        return true;
    }
    if (f->kind != EX_LIST || f->nitems == 0) {
        diag_error(f->loc, "the features of a bound rule: expected a slice [lo:hi] or a list of indices, got %s",
                   describe(f));
        return false;
    }
    b->list = arena_alloc(sizeof(int) * (size_t)f->nitems);
    for (int i = 0; i < f->nitems; i++) {
        long long v;
        if (!as_int(f->items[i], &v) || v < 0 || v > MAX_UNITS) {
            diag_error(f->items[i]->loc, "a feature index of a bound rule: expected an integer >= 0");
            return false;
        }
        b->list[b->nlist++] = (int)v;
    }
    return true;
}

/* The value of argument p (expression e, of p's kind) into its field fd of
   n; false after reporting a bad value. */
static bool apply_arg(R *r, IrNode *n, const Param *p, const ArgField *fd, const AstExpr *e, bool *prune_given) {
    char *f = (char *)n + fd->off;
    switch (p->kind) {
    case T_INT: {
        long long v = int_of(e, 0);
        *(int *)f = (int)v;
        return check_range(fd, e, (double)v);
    }
    case T_NUM:
        *(double *)f = num_of(e, 0);
        return check_range(fd, e, *(double *)f);
    case T_BOOL: *(bool *)f = bool_of(e, true); return true;
    case T_ENUM: *(int *)f = enum_of(p, e, 0); return true;
    case T_QUANT:   /* weight=, bias=: any quantizer; quant= (a layer's output): not one that maps weights */
        *(IrQuant **)f = strcmp(p->name, "quant") == 0 ? act_quant_expr(r, e) : weight_quant_expr(r, e);
        return *(IrQuant **)f != NULL;
    case T_PRUNE: {
        bool none;
        *prune_given = true;
        *(IrPruning **)f = prune_expr(r, e, NULL, true, &none);
        return *(IrPruning **)f || none;
    }
    case T_BOUNDS: {
        int nr = e->kind == EX_LIST ? e->nitems : 1;
        n->bounds = arena_alloc(sizeof(IrBoundRule) * (size_t)(nr ? nr : 1));
        n->nbounds = 0;
        bool ok = nr > 0;
        if (!nr) diag_error(e->loc, "bound needs at least one rule: relu(FEATURES) or tanh(K, FEATURES)");
        for (int i = 0; i < nr; i++)
            if (bound_rule(e->kind == EX_LIST ? e->items[i] : e, &n->bounds[n->nbounds])) n->nbounds++;
            else ok = false;
        return ok;
    }
    default:   /* no layer argument has another kind */
        return false;
    }
}

/* What relates two arguments of a kind (its entry's `args` hook, kinds.h):
   with a (the arguments' expressions, NULL when absent or bad) it reports a
   violation at the argument; with a == NULL it only checks (ir_verify). */
bool args_none(const IrNode *n, const AstExpr *const *a) {
    (void)n; (void)a;
    return true;
}

bool args_dense(const IrNode *n, const AstExpr *const *a) {
    if (!a) return n->use_bias || !n->bias_q;
    if (!n->use_bias && a[2]) {
        diag_error(a[2]->loc, "a bias quantizer on a dense without bias (use_bias=false)");
        return false;
    }
    return true;
}

/* lo < hi on the 2^-10 step the bounds are used on (both in range). */
bool args_clip(const IrNode *n, const AstExpr *const *a) {
    bool ordered = nearbyint(ldexp(n->lo, 10)) < nearbyint(ldexp(n->hi, 10));
    if (!a) return ordered;
    if (a[0] && a[1] && fabs(n->lo) <= 1048576 && fabs(n->hi) <= 1048576 && !ordered) {
        diag_error(a[1]->loc, "clip needs lo < hi on the 2^-10 step it uses, got lo = %g, hi = %g", n->lo, n->hi);
        return false;
    }
    return true;
}

static bool layer_args(R *r, IrNode *n, const LayerKind *lk, const AstStmt *st, bool *prune_given) {
    const AstExpr *a[8];
    Loc l[8];
    *prune_given = false;
    /* After a bad argument the others are still checked (every error is
       reported); absent or bad values are NULL in a[]. */
    bool ok = bind_args(&lk->sig, st->args, st->nargs, st->kind_name.loc, a, l);
    for (int k = 0; k < lk->sig.nparams; k++)
        if (a[k] && !apply_arg(r, n, &lk->sig.params[k], &lk->fields[k], a[k], prune_given)) ok = false;
    if (!kind_of(lk->op)->args(n, a)) ok = false;
    return ok;
}

/* A pinned result type (`result=TYPE` of a layer, `output NAME : TYPE`): the
   node NAME_result, a linear with the type as its quantizer, reading node; the
   layers after it and the output read it instead.  Training quantizes there
   as the firmware does (linear's quantizer); the report counts its saturations. */
static IrNode *pin_result(R *r, IrModel *m, StrMap *byname, IrNode *node, const AstExpr *e, int stmt) {
    static const Param P_PIN = {"result", T_QUANT, false, 0};
    if (!check_kind(&P_PIN, e, "the pinned result type")) return NULL;
    IrQuant *q = quant_expr(r, e, NULL);
    if (!q) return NULL;
    const char *name = arena_printf("%s_result", node->name);
    if (strmap_add(byname, name, stmt) >= 0) {
        diag_error(e->loc, "the pinned result of '%s' is the layer '%s', a name already taken", node->name, name);
        return NULL;
    }
    IrNode *p = new_node(m, OP_LINEAR, name, true, e->loc);
    p->quant = q;
    p->pinned = true;
    p->inputs = arena_alloc(sizeof(IrNode *));
    p->inputs[0] = node;
    p->ninputs = 1;
    return p;
}

static IrModel *resolve_model(R *r, const AstDecl *d) {
    IrModel *m = ARENA_NEW(IrModel);
    m->name = d->name.name;
    m->loc = d->name.loc;
    bool ok = true;

    /* `key = value` lines of the model itself (prune). */
    const AstExpr *k[1];
    Loc kl[1];
    unsigned given;
    if (!bind_keys(&BLK_MODEL, "model", d->stmts, d->nstmts, k, kl, &given)) ok = false;
    else if (k[0]) {
        bool none;
        m->default_prune = prune_expr(r, k[0], NULL, true, &none);
        if (!m->default_prune && !none) ok = false;
    }

    /* Names: the user's first (duplicates reported), then KIND_N for the rest. */
    int n = d->nstmts;
    m->nodes = arena_alloc(sizeof(IrNode *) * (size_t)(3 * n + 2));   /* a pinned result and a relu's clip (quantized_relu with negative_slope) each at most */
    NodeName *names = arena_alloc(sizeof(NodeName) * (size_t)(n + 1));
    StrMap byname = {0};
    for (int s = 0; s < n; s++) {
        const AstStmt *st = &d->stmts[s];
        names[s].stmt = s;
        if ((st->kind != ST_INPUT && st->kind != ST_LAYER) || !st->name.name) continue;
        int first = strmap_add(&byname, st->name.name, s);
        if (first >= 0) {
            NodeName *old = &names[first];
            diag_error(st->name.loc, "duplicate layer name '%s' in model '%s'", st->name.name, m->name);
            diag_note(old->loc, "'%s' first declared here", st->name.name);
            ok = false;
            continue;
        }
        names[s].name = st->name.name;
        names[s].loc = st->name.loc;
    }
    int counters[NLAYERS];
    memset(counters, 0, sizeof counters);
    for (int s = 0; s < n; s++) {
        const AstStmt *st = &d->stmts[s];
        if (st->kind != ST_LAYER || st->name.name) continue;
        const LayerKind *lk = layer_kind(st->kind_name.name);
        if (!lk) continue;
        int ki = (int)(lk - LAYERS);
        const char *gen;
        do gen = arena_printf("%s_%d", lk->sig.name, ++counters[ki]);
        while (strmap_add(&byname, gen, s) >= 0);
        names[s].name = gen;
        names[s].loc = st->kind_name.loc;
    }

    bool has_input_stmt = false;
    for (int s = 0; s < n; s++) has_input_stmt |= d->stmts[s].kind == ST_INPUT;
    IrNode *prev = NULL;
    const AstStmt *output_stmt = NULL, *first_input = NULL;
    for (int s = 0; s < n; s++) {
        const AstStmt *st = &d->stmts[s];
        switch (st->kind) {
        case ST_ASSIGN:
            break;
        case ST_SIGNAL:
            diag_error(st->loc, "`signal` belongs in a data block");
            ok = false;
            break;
        case ST_OUTPUT:
            if (output_stmt) {
                diag_error(st->loc, "model '%s' has a second `output` line", m->name);
                diag_note(output_stmt->loc, "first `output` here");
                ok = false;
            } else
                output_stmt = st;
            break;
        case ST_INPUT: {
            if (first_input) {
                diag_error(st->loc, "model '%s' has a second input; one input per model is supported", m->name);
                diag_note(first_input->loc, "first input here");
                ok = false;
                break;
            }
            first_input = st;
            bool nok = false;
            IrShape sh = {st->ndims > IR_MAX_RANK ? IR_MAX_RANK : st->ndims, {0}};
            if (st->ndims < 1 || st->ndims > IR_MAX_RANK) {
                diag_error(st->loc, "an input has 1 to %d dimensions, got %d", IR_MAX_RANK, st->ndims);
                nok = true;
            }
            for (int i = 0; i < st->ndims && i < IR_MAX_RANK; i++) {
                long long v;
                const AstExpr *e = st->dims[i];
                if (!as_int(e, &v)) {
                    if (e->kind == EX_NUMBER)
                        diag_error(e->loc, "an input dimension must be an integer, got %g", e->num);
                    else
                        diag_error(e->loc, "an input dimension must be an integer, got %s", describe(e));
                    nok = true;
                } else if (v < 1 || v > MAX_UNITS) {
                    diag_error(e->loc, "an input dimension must be in 1..%d, got %lld", MAX_UNITS, v);
                    nok = true;
                } else
                    sh.dims[i] = (int)v;
            }
            aedl_fixed t = {0, 0, false, AEDL_TRN, AEDL_WRAP};
            bool has_type = false;
            if (st->value) {
                if (st->value->kind == EX_TYPE) {
                    if (parse_type(st->value, &t)) has_type = true;
                    else nok = true;
                } else if (st->value->kind == EX_IDENT) {
                    IrQuant *q = sym_ref(&r->quants, &r->prunes, st->value->text, st->value->loc);
                    if (q && q->kind == Q_VALUE) {
                        diag_error(st->value->loc, "quantizer '%s' maps weights (binary, ternary, quantized_po2, "
                                   "quantized_bits with alpha=\"auto\" / \"auto_po2\"): not an input type", q->name);
                        nok = true;
                    } else if (q && q->kind == Q_RELU && q->slope != 0) {
                        diag_error(st->value->loc, "quantizer '%s' is a quantized_relu with negative_slope (an "
                                   "activation): not an input type", q->name);
                        nok = true;
                    } else if (q) { t = q->type; has_type = true; }
                    else nok = true;
                } else {
                    diag_error(st->value->loc, "expected a fixed type for the input, got %s", describe(st->value));
                    nok = true;
                }
            }
            if (nok) ok = false;
            if (!names[s].name) break;
            IrNode *node = new_node(m, OP_INPUT, names[s].name, false, st->loc);
            node->has_type = has_type;
            node->in_type = t;
            node->shape = sh;   /* an input's shape is the declared one, from the start */
            names[s].node = node;
            prev = node;
            break;
        }
        case ST_LAYER: {
            const LayerKind *lk = layer_kind(st->kind_name.name);
            if (!lk) {
                const char **v = arena_alloc(sizeof(char *) * NLAYERS);
                for (int i = 0; i < NLAYERS; i++) v[i] = LAYERS[i].sig.name;
                const char *sug = suggest(st->kind_name.name, v, NLAYERS);
                if (sug)
                    diag_error(st->kind_name.loc, "unknown layer kind '%s'; did you mean '%s'?", st->kind_name.name, sug);
                else
                    diag_error(st->kind_name.loc, "unknown layer kind '%s'", st->kind_name.name);
                diag_note(NOLOC, "known layers: %s", join_names(v, NLAYERS, ", "));
                ok = false;
                break;
            }
            if (!names[s].name) { ok = false; break; }   /* a duplicate, reported */
            /* The node is kept even when its arguments are wrong, so that later
               references to it resolve and report nothing more. */
            IrNode *node = new_node(m, lk->op, names[s].name, st->name.name == NULL, st->loc);
            bool prune_given;
            /* result=TYPE, any kind: taken out here, applied after the node (pin_result) */
            AstStmt own = *st;
            const AstExpr *pin = NULL;
            if (st->nargs) {
                own.args = arena_alloc(sizeof(AstArg) * (size_t)st->nargs);
                own.nargs = 0;
                for (int a = 0; a < st->nargs; a++) {
                    if (st->args[a].name && !strcmp(st->args[a].name, "result")) {
                        if (pin) { diag_error(st->args[a].name_loc, "argument 'result' given twice"); ok = false; }
                        pin = st->args[a].value;
                    } else own.args[own.nargs++] = st->args[a];
                }
            }
            if (!layer_args(r, node, lk, &own, &prune_given)) ok = false;
            if (lk->op == OP_DENSE && !prune_given) node->prune = m->default_prune;
            if (lk->op == OP_DENSE && node->prune && node->weight_q && node->weight_q->kind == Q_VALUE &&
                (node->weight_q->qv.kind == AEDL_QV_BINARY || node->weight_q->qv.kind == AEDL_QV_PO2)) {
                diag_error(st->loc, "dense '%s' has %s weights: a pruned weight (0) would become %s, not 0; write "
                           "prune=none", node->name, node->weight_q->qv.kind == AEDL_QV_BINARY ? "binary" : "quantized_po2",
                           node->weight_q->qv.kind == AEDL_QV_BINARY ? "+alpha" : "2^min_exp");
                ok = false;
            }
            int cap = 0;
            if (st->ninputs > 0) {
                for (int i = 0; i < st->ninputs; i++) {
                    bool silent;
                    IrNode *in = node_ref(names, &byname, n, &st->inputs[i], s, m->name, &silent);
                    if (in) ARENA_PUSH(node->inputs, node->ninputs, cap, in);
                    else ok = false;
                }
            } else if (prev)
                ARENA_PUSH(node->inputs, node->ninputs, cap, prev);
            else if (has_input_stmt) {
                diag_error(st->kind_name.loc, "layer '%s' has no input: the model's input must come first", names[s].name);
                ok = false;
            }
            if (node->quant && node->quant->kind == Q_RELU && node->quant->slope != 0 &&
                !lower_leaky_quantized_relu(m, node, &byname, st)) ok = false;
            names[s].node = node;
            prev = node;
            if (pin) {
                IrNode *p = pin_result(r, m, &byname, node, pin, s);
                if (p) { names[s].node = p; prev = p; }
                else ok = false;
            }
            break;
        }
        }
    }

    if (!first_input) {
        diag_error(d->name.loc, "model '%s' has no input: add `input NAME[SIZE]`", m->name);
        ok = false;
    } else if (m->nnodes == 1 && ok) {
        diag_error(d->name.loc, "model '%s' has no layers", m->name);
        ok = false;
    }
    if (output_stmt) {
        int cap = 0;
        bool *is_output = arena_alloc(sizeof(bool) * (size_t)(m->nnodes + 1));
        for (int i = 0; i < output_stmt->ninputs; i++) {
            bool silent;
            const AstName *ref = &output_stmt->inputs[i];
            IrNode *o = node_ref(names, &byname, n, ref, n, m->name, &silent);
            if (!o) { if (!silent) ok = false; continue; }
            if (output_stmt->value) {   /* output NAME : TYPE */
                o = pin_result(r, m, &byname, o, output_stmt->value, n);
                if (!o) { ok = false; continue; }
            }
            if (is_output[o->id]) {
                diag_error(ref->loc, "'%s' is named twice in `output`", ref->name);
                ok = false;
                continue;
            }
            is_output[o->id] = true;
            ARENA_PUSH(m->outputs, m->noutputs, cap, o);
        }
    } else if (prev) {
        m->outputs = arena_alloc(sizeof(IrNode *));
        m->outputs[0] = prev;
        m->noutputs = 1;
    }
    (void)ok;
    return m;
}

/* ---- data ------------------------------------------------------------------------------- */

/* The folder of the file LOC is in, absolute. */
static const char *file_dir(Loc loc) {
    const SrcFile *f = loc.file >= 0 ? src_file(loc.file) : NULL;
    const char *p = f ? (f->realpath ? f->realpath : f->path) : "";
    const char *slash = strrchr(p, '/');
    char *dir = slash ? arena_strndup(p, (size_t)(slash - p)) : arena_strdup(".");
    if (slash == p) dir = arena_strdup("/");
    if (dir[0] != '/') {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd)) dir = strcmp(dir, ".") == 0 ? arena_strdup(cwd) : arena_printf("%s/%s", cwd, dir);
    }
    return dir;
}

/* DIR/PATH with "." and ".." segments removed (lexically: the file need not exist). */
static const char *join_path(const char *dir, const char *path) {
    const char *full = path[0] == '/' ? path : arena_printf("%s/%s", dir, path);
    size_t len = strlen(full);
    char *out = arena_alloc(len + 2);
    size_t o = 0;
    const char *s = full;
    while (*s) {
        while (*s == '/') s++;
        const char *e = s;
        while (*e && *e != '/') e++;
        size_t n = (size_t)(e - s);
        if (n == 0) break;
        if (n == 1 && s[0] == '.') {
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;
        } else {
            out[o++] = '/';
            memcpy(out + o, s, n);
            o += n;
        }
        s = e;
    }
    if (o == 0) out[o++] = '/';
    out[o] = 0;
    return out;
}

/* One path (a string) or a list of them: files, resolved against the .aedl file's folder. */
static bool source_files(const AstExpr *p, Loc at, IrSource *src) {
    int n = p->kind == EX_LIST ? p->nitems : 1;
    if (n == 0) {
        diag_error(p->loc, "an empty list of files");
        return false;
    }
    src->files = arena_alloc(sizeof(char *) * (size_t)n);
    src->written_files = arena_alloc(sizeof(char *) * (size_t)n);
    for (int i = 0; i < n; i++) {
        const AstExpr *f = p->kind == EX_LIST ? p->items[i] : p;
        if (f->kind != EX_STRING) {
            diag_error(f->loc, "a file is a string (a path or a glob such as \"data/*.root\"), got %s", describe(f));
            return false;
        }
        if (!f->text[0]) {
            diag_error(f->loc, "empty path");
            return false;
        }
        src->written_files[i] = f->text;
        src->files[i] = join_path(file_dir(at), f->text);
    }
    src->nfiles = n;
    src->written_path = src->written_files[0];
    src->path = src->files[0];
    return true;
}

static bool source_expr(const AstExpr *e, IrSource *src) {
    if (e->kind != EX_CALL) {
        diag_error(e->loc, "expected hdf5(path, dataset), csv(path) or root(path, tree = NAME), got %s", describe(e));
        return false;
    }
    bool is_h5 = strcmp(e->text, "hdf5") == 0, is_csv = strcmp(e->text, "csv") == 0;
    bool is_root = strcmp(e->text, "root") == 0;
    if (!is_h5 && !is_csv && !is_root) {
        static const char *const SF[] = {"hdf5", "csv", "root"};
        const char *sug = suggest(e->text, SF, 3);
        if (sug) diag_error(e->loc, "unknown data source '%s'; did you mean '%s'?", e->text, sug);
        else diag_error(e->loc, "unknown data source '%s' (expected hdf5(path, dataset), csv(path) or "
                        "root(path, tree = NAME))", e->text);
        return false;
    }
    const AstExpr *a[2];
    Loc l[2];
    if (!bind_args(is_h5 ? &SIG_HDF5 : is_root ? &SIG_ROOT : &SIG_CSV, e->args, e->nargs, e->loc, a, l)) return false;
    src->loc = e->loc;
    if (is_root) {
        src->kind = SRC_ROOT;
        src->tree = a[1] ? a[1]->text : "Events";
        if (a[1] && !a[1]->text[0]) {
            diag_error(a[1]->loc, "empty tree name");
            return false;
        }
        return source_files(a[0], e->loc, src);
    }
    if (a[0]->kind != EX_STRING && !(is_h5 && !a[1])) {
        diag_error(a[0]->loc, "%s takes one file here, got %s", e->text, describe(a[0]));
        return false;
    }
    if (is_h5 && !a[1]) {
        /* hdf5(path) without a dataset: NanoAOD-style columns for an object selection */
        src->kind = SRC_HDF5;
        src->dataset = NULL;
        return source_files(a[0], e->loc, src);
    }
    if (!a[0]->text[0]) {
        diag_error(a[0]->loc, "empty path");
        return false;
    }
    src->kind = is_h5 ? SRC_HDF5 : SRC_CSV;
    src->written_path = a[0]->text;
    src->path = join_path(file_dir(e->loc), a[0]->text);
    src->dataset = is_h5 ? a[1]->text : NULL;
    if (is_h5 && !a[1]->text[0]) {
        diag_error(a[1]->loc, "empty dataset name");
        return false;
    }
    return true;
}

/* A source reads jagged columns (an object selection) when it is root(...) or
   hdf5(path) without a dataset. */
static bool source_is_jagged(const IrSource *s) {
    return s->kind == SRC_ROOT || (s->kind == SRC_HDF5 && !s->dataset);
}

/* A name in a list of names (identifiers or strings). */
static const char *name_item(const AstExpr *e, const char *what) {
    const char *s = ident_or_string(e);
    if (!s || !s[0]) diag_error(e->loc, "a %s is a name, got %s", what, describe(e));
    return s && s[0] ? s : NULL;
}

/* objects = [Kind(n, [vars], sort = var, pad = x), ...] */
static void resolve_objects(IrData *dt, const AstExpr *list) {
    int n = list->kind == EX_LIST ? list->nitems : 1, cap = 0;
    StrMap seen = {0};
    for (int i = 0; i < n; i++) {
        const AstExpr *e = list->kind == EX_LIST ? list->items[i] : list;
        if (e->kind != EX_CALL) {
            diag_error(e->loc, "an object kind is KIND(n, [variables]) such as FatJet(6, [pt, eta, phi]), got %s",
                       describe(e));
            continue;
        }
        if (strmap_get(&seen, e->text) >= 0) {
            diag_error(e->loc, "object kind '%s' is selected twice", e->text);
            continue;
        }
        Sig sig = { e->text, P_OBJECTS, NPARAMS(P_OBJECTS), "argument" };
        const AstExpr *a[NPARAMS(P_OBJECTS)];
        Loc l[NPARAMS(P_OBJECTS)];
        if (!bind_args(&sig, e->args, e->nargs, e->loc, a, l)) continue;
        IrObjects o = { e->text, 0, NULL, 0, NULL, 0.0, e->loc };
        long long k = int_of(a[0], 0);
        if (k <= 0 || k > 100000) {
            diag_error(a[0]->loc, "%s: the number of objects kept must be from 1 to 100000, got %lld", e->text, k);
            continue;
        }
        o.n = (int)k;
        const AstExpr *v = a[1];
        int nv = v->kind == EX_LIST ? v->nitems : 1;
        if (nv == 0) {
            diag_error(v->loc, "%s: an empty list of variables", e->text);
            continue;
        }
        o.vars = arena_alloc(sizeof(char *) * (size_t)nv);
        bool ok = true;
        for (int j = 0; j < nv && ok; j++) {
            const AstExpr *it = v->kind == EX_LIST ? v->items[j] : v;
            o.vars[j] = name_item(it, "variable");
            ok = o.vars[j] != NULL;
            for (int q = 0; ok && q < j; q++)
                if (!strcmp(o.vars[q], o.vars[j])) {
                    diag_error(it->loc, "%s: variable '%s' is listed twice", e->text, o.vars[j]);
                    ok = false;
                }
        }
        if (!ok) continue;
        o.nvars = nv;
        o.sort_by = a[2] ? a[2]->text : NULL;
        o.pad = num_of(a[3], 0.0);
        strmap_add(&seen, e->text, dt->nobjects);
        ARENA_PUSH(dt->objects, dt->nobjects, cap, o);
    }
}

/* scalars = [MET_pt, MET_phi] */
static void resolve_scalars(IrData *dt, const AstExpr *list) {
    int n = list->kind == EX_LIST ? list->nitems : 1, cap = 0;
    for (int i = 0; i < n; i++) {
        const AstExpr *e = list->kind == EX_LIST ? list->items[i] : list;
        const char *s = name_item(e, "scalar");
        if (!s) continue;
        bool dup = false;
        for (int j = 0; j < dt->nscalars; j++) dup |= !strcmp(dt->scalars[j], s);
        if (dup) {
            diag_error(e->loc, "scalar '%s' is listed twice", s);
            continue;
        }
        ARENA_PUSH(dt->scalars, dt->nscalars, cap, s);
    }
}

/* cut = [Kind(min), Kind(min, var, above = x)] */
static void resolve_cuts(IrData *dt, const AstExpr *list) {
    int n = list->kind == EX_LIST ? list->nitems : 1, cap = 0;
    for (int i = 0; i < n; i++) {
        const AstExpr *e = list->kind == EX_LIST ? list->items[i] : list;
        if (e->kind != EX_CALL) {
            diag_error(e->loc, "a cut is KIND(min) or KIND(min, variable, above = x), such as Muon(1, pt, "
                       "above = 20), got %s", describe(e));
            continue;
        }
        Sig sig = { e->text, P_CUT, NPARAMS(P_CUT), "argument" };
        const AstExpr *a[NPARAMS(P_CUT)];
        Loc l[NPARAMS(P_CUT)];
        if (!bind_args(&sig, e->args, e->nargs, e->loc, a, l)) continue;
        long long m = int_of(a[0], 0);
        if (m < 1 || m > 100000) {
            diag_error(a[0]->loc, "%s: a cut asks for 1 to 100000 objects, got %lld", e->text, m);
            continue;
        }
        if (!a[1] != !a[2]) {
            diag_error(e->loc, "%s: a cut on a variable needs both the variable and `above = x`", e->text);
            continue;
        }
        IrCut c = { e->text, (int)m, a[1] ? a[1]->text : NULL, num_of(a[2], 0.0), e->loc };
        ARENA_PUSH(dt->cuts, dt->ncuts, cap, c);
    }
}

/* The features selected so far: the list, and one flag per index. */
typedef struct { int cap; bool *taken; } Features;

static bool add_feature(IrData *dt, Features *fs, long long v, Loc loc) {
    if (v < 0 || v >= MAX_FEATURE) {
        diag_error(loc, "feature index %lld out of range: must be in 0..%d", v, MAX_FEATURE - 1);
        return false;
    }
    if (fs->taken[v]) {
        diag_error(loc, "feature %lld is selected twice", v);
        return false;
    }
    fs->taken[v] = true;
    ARENA_PUSH(dt->features, dt->nfeatures, fs->cap, (int)v);
    return true;
}

static bool features_item(IrData *dt, Features *fs, const AstExpr *e) {
    long long v;
    if (e->kind == EX_SLICE) {
        long long lo = e->has_lo ? e->lo : 0;
        if (!e->has_hi) {
            diag_error(e->loc, "the slice needs an end: the size of the last axis is not known when compiling");
            return false;
        }
        if (lo < 0) {
            diag_error(e->lo_loc, "a slice starts at 0 or later, got %lld", lo);
            return false;
        }
        if (!(lo < e->hi)) {
            diag_error(e->loc, "empty slice [%lld:%lld]: the start must be below the end", lo, e->hi);
            return false;
        }
        if (e->hi > MAX_FEATURE) {
            diag_error(e->hi_loc, "slice end %lld out of range: at most %d", e->hi, MAX_FEATURE);
            return false;
        }
        for (long long i = lo; i < e->hi; i++)
            if (!add_feature(dt, fs, i, e->loc)) return false;
        return true;
    }
    if (as_int(e, &v)) return add_feature(dt, fs, v, e->loc);
    diag_error(e->loc, "a feature is an index or a slice [lo:hi], got %s", describe(e));
    return false;
}

static IrData *resolve_data(R *r, const AstDecl *d) {
    (void)r;
    IrData *dt = ARENA_NEW(IrData);
    dt->name = d->name.name;
    dt->loc = d->name.loc;
    const AstExpr *k[NPARAMS(K_DATA)];
    Loc kl[NPARAMS(K_DATA)];
    unsigned given;
    bind_keys(&BLK_DATA, "data", d->stmts, d->nstmts, k, kl, &given);
    if (!(given & (1u << DK_TRAIN)))
        diag_error(d->name.loc, "data block '%s' needs `train = hdf5(path, dataset)` (or csv(path))", dt->name);
    else if (k[DK_TRAIN])
        source_expr(k[DK_TRAIN], &dt->train);

    int scap = 0;
    StrMap signal_index = {0};
    for (int s = 0; s < d->nstmts; s++) {
        const AstStmt *st = &d->stmts[s];
        if (st->kind == ST_ASSIGN) continue;
        if (st->kind != ST_SIGNAL) {
            diag_error(st->loc, "only `key = value` and `signal NAME = ...` lines belong in a data block");
            continue;
        }
        int first = strmap_get(&signal_index, st->name.name);
        if (first >= 0) {
            diag_error(st->name.loc, "duplicate signal '%s'", st->name.name);
            diag_note(dt->signals[first].src.loc, "first declared here");
        }
        IrSignal sig = {st->name.name, {0}};
        if (source_expr(st->value, &sig.src) && first < 0) {
            strmap_add(&signal_index, sig.name, dt->nsignals);
            ARENA_PUSH(dt->signals, dt->nsignals, scap, sig);
        }
    }

    if (k[DK_FEATURES]) {
        dt->has_features = true;
        Features fs = { 0, arena_alloc(sizeof(bool) * MAX_FEATURE) };
        const AstExpr *f = k[DK_FEATURES];
        if (f->kind == EX_SLICE)
            features_item(dt, &fs, f);
        else if (f->nitems == 0)
            diag_error(f->loc, "an empty feature list selects nothing");
        else
            for (int i = 0; i < f->nitems; i++)
                if (!features_item(dt, &fs, f->items[i])) break;
    }
    dt->flatten = bool_of(k[DK_FLATTEN], false);
    dt->limit = -1;
    if (k[DK_LIMIT]) {
        long long v = int_of(k[DK_LIMIT], 0);
        if (v <= 0 || v > LONG_MAX / 2) diag_error(k[DK_LIMIT]->loc, "limit must be a positive number of events, got %lld", v);
        else dt->limit = (long)v;
    }
    dt->validation = num_of(k[DK_VALIDATION], 0.2);
    dt->test = num_of(k[DK_TEST], 0.2);
    bool fr_ok = true;
    if (k[DK_VALIDATION] && !(dt->validation >= 0 && dt->validation < 1)) {
        diag_error(k[DK_VALIDATION]->loc, "validation must be a fraction in [0, 1), got %g", dt->validation);
        fr_ok = false;
    }
    if (k[DK_TEST] && !(dt->test >= 0 && dt->test < 1)) {
        diag_error(k[DK_TEST]->loc, "test must be a fraction in [0, 1), got %g", dt->test);
        fr_ok = false;
    }
    if (fr_ok && !(dt->validation + dt->test < 1)) {
        const AstExpr *at = k[DK_TEST] ? k[DK_TEST] : k[DK_VALIDATION];
        diag_error(at->loc, "validation (%g) + test (%g) leaves no events for training: the sum must be below 1",
                   dt->validation, dt->test);
    }
    if (k[DK_OBJECTS]) resolve_objects(dt, k[DK_OBJECTS]);
    if (k[DK_SCALARS]) resolve_scalars(dt, k[DK_SCALARS]);
    if (k[DK_CUT]) resolve_cuts(dt, k[DK_CUT]);
    bool selects = k[DK_OBJECTS] || k[DK_SCALARS];
    if (k[DK_TRAIN] && dt->train.path) {
        if (source_is_jagged(&dt->train) && !selects)
            diag_error(k[DK_TRAIN]->loc, "%s reads per-object branches: say what to keep with `objects = "
                       "[KIND(n, [variables]), ...]` and/or `scalars = [...]`",
                       dt->train.kind == SRC_ROOT ? "root(...)" : "hdf5(path) without a dataset");
        else if (!source_is_jagged(&dt->train) && (selects || k[DK_CUT]))
            diag_error(k[selects ? (k[DK_OBJECTS] ? DK_OBJECTS : DK_SCALARS) : DK_CUT]->loc,
                       "an object selection needs root(path, tree = NAME) or hdf5(path) without a dataset "
                       "as `train`");
    }
    for (int i = 0; i < dt->nsignals; i++)
        if (dt->signals[i].src.path && source_is_jagged(&dt->signals[i].src) != source_is_jagged(&dt->train))
            diag_error(dt->signals[i].src.loc, "signal '%s' must be read like `train`: %s", dt->signals[i].name,
                       source_is_jagged(&dt->train) ? "with the object selection (root(...) or hdf5(path))"
                                                   : "a dense dataset (hdf5(path, dataset) or csv(path))");
    if (k[DK_SCALE] && k[DK_SCALE]->kind == EX_CALL) {
        dt->scale = SCALE_STANDARD;
    } else {
        dt->scale = enum_of(&K_DATA[DK_SCALE], k[DK_SCALE], 1) == 0 ? SCALE_STANDARD : SCALE_NONE;
        dt->standard_all = dt->scale == SCALE_STANDARD;
    }
    prep_resolve(dt, k[DK_NAMES], k[DK_SIGNED], k[DK_TRANSFORM], k[DK_SCALE]);
    dt->seed = 42;
    if (k[DK_SEED]) {
        long long v = int_of(k[DK_SEED], 0);
        if (v < 0 || v > LONG_MAX / 2) diag_error(k[DK_SEED]->loc, "seed must be >= 0, got %lld", v);
        else dt->seed = (long)v;
    }
    return dt;
}

/* ---- train ---------------------------------------------------------------------------------- */

/* A list item: a call NAME(...) or a bare NAME; finds it among SIGS. */
static int list_item(const AstExpr *e, const Sig *sigs, int nsigs, const char *what, const AstExpr **a, Loc *l) {
    if (e->kind != EX_CALL && e->kind != EX_IDENT) {
        diag_error(e->loc, "expected a %s, got %s", what, describe(e));
        return -1;
    }
    int k = -1;
    for (int i = 0; i < nsigs; i++)
        if (strcmp(sigs[i].name, e->text) == 0) k = i;
    if (k < 0) {
        const char **v = arena_alloc(sizeof(char *) * (size_t)nsigs);
        for (int i = 0; i < nsigs; i++) v[i] = sigs[i].name;
        const char *sug = suggest(e->text, v, nsigs);
        if (sug) diag_error(e->loc, "unknown %s '%s'; did you mean '%s'?", what, e->text, sug);
        else diag_error(e->loc, "unknown %s '%s'", what, e->text);
        diag_note(NOLOC, "known %ss: %s", what, join_names(v, nsigs, ", "));
        return -1;
    }
    if (!bind_args(&sigs[k], e->kind == EX_CALL ? e->args : NULL, e->kind == EX_CALL ? e->nargs : 0, e->loc, a, l))
        return -1;
    return k;
}

static const AstExpr *const *list_items(const AstExpr *e, int *n) {
    if (e->kind == EX_LIST) { *n = e->nitems; return (const AstExpr *const *)e->items; }
    *n = 1;
    const AstExpr **one = arena_alloc(sizeof(AstExpr *));
    one[0] = e;
    return one;
}

static bool need_nonneg(const AstExpr *e, const char *what) {
    if (e && e->num < 0) {
        diag_error(e->loc, "%s must be >= 0, got %g", what, e->num);
        return false;
    }
    return true;
}

static void resolve_callbacks(IrTrain *t, const AstExpr *list) {
    int n;
    const AstExpr *const *items = list_items(list, &n);
    Loc seen[3];
    bool have[3] = {false, false, false};
    for (int i = 0; i < n; i++) {
        const AstExpr *a[8];
        Loc l[8];
        int k = list_item(items[i], CALLBACKS, 3, "callback", a, l);
        if (k < 0) continue;
        if (have[k]) {
            diag_error(items[i]->loc, "callback %s given twice", CALLBACKS[k].name);
            diag_note(seen[k], "first given here");
            continue;
        }
        have[k] = true;
        seen[k] = items[i]->loc;
        if (k == CB_RLR) {
            IrReduceLr *c = &t->reduce_lr;
            c->on = true;
            c->monitor = enum_of(&P_RLR[0], a[0], 0) == 0 ? MON_VAL_LOSS : MON_LOSS;
            c->factor = num_of(a[1], 0.1);
            c->patience = (int)int_of(a[2], 10);
            c->min_delta = num_of(a[3], 1e-4);
            c->cooldown = (int)int_of(a[4], 0);
            c->min_lr = num_of(a[5], 0);
            if (a[1] && !(c->factor > 0 && c->factor < 1))
                diag_error(a[1]->loc, "factor must be in (0, 1), got %g", c->factor);
            if (a[2] && (int_of(a[2], 0) < 0 || int_of(a[2], 0) > 1000000))
                diag_error(a[2]->loc, "patience must be in 0..1000000, got %lld", int_of(a[2], 0));
            if (a[4] && (int_of(a[4], 0) < 0 || int_of(a[4], 0) > 1000000))
                diag_error(a[4]->loc, "cooldown must be in 0..1000000, got %lld", int_of(a[4], 0));
            need_nonneg(a[3], "min_delta");
            need_nonneg(a[5], "min_lr");
        } else if (k == CB_ES) {
            IrEarlyStop *c = &t->early_stop;
            c->on = true;
            c->monitor = enum_of(&P_ES[0], a[0], 0) == 0 ? MON_VAL_LOSS : MON_LOSS;
            c->patience = (int)int_of(a[1], 0);
            c->min_delta = num_of(a[2], 0);
            c->restore_best = bool_of(a[3], false);
            if (a[1] && (int_of(a[1], 0) < 0 || int_of(a[1], 0) > 1000000))
                diag_error(a[1]->loc, "patience must be in 0..1000000, got %lld", int_of(a[1], 0));
            need_nonneg(a[2], "min_delta");
        } else
            t->terminate_on_nan = true;
    }
}

/* tpr_at_fpr items ordered by value, then by place (for finding repeats). */
typedef struct { double x; int pos; } FprItem;
static int fpr_cmp(const void *a, const void *b) {
    const FprItem *p = a, *q = b;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    return (p->pos > q->pos) - (p->pos < q->pos);
}

static void resolve_metrics(IrTrain *t, const AstExpr *list) {
    int n, cap = 0;
    const AstExpr *const *items = list_items(list, &n);
    FprItem *fpr = arena_alloc(sizeof(FprItem) * (size_t)(n + 1));
    int nfpr = 0;
    for (int i = 0; i < n; i++) {
        const AstExpr *a[2];
        Loc l[2];
        int k = list_item(items[i], METRICS, 4, "metric", a, l);
        if (k < 0) continue;
        bool *flag = k == MET_ROC ? &t->roc : k == MET_AUC ? &t->auc : k == MET_RESIDUALS ? &t->residuals : NULL;
        if (flag) {
            if (*flag) diag_error(items[i]->loc, "metric %s given twice", METRICS[k].name);
            *flag = true;
            continue;
        }
        double x = a[0]->num;
        if (!(x > 0 && x < 1)) {
            diag_error(a[0]->loc, "tpr_at_fpr needs a false positive rate in (0, 1), got %g", x);
            continue;
        }
        fpr[nfpr++] = (FprItem){ x, i };
        ARENA_PUSH(t->tpr_at_fpr, t->ntpr_at_fpr, cap, x);
    }
    qsort(fpr, (size_t)nfpr, sizeof *fpr, fpr_cmp);
    for (int j = 1; j < nfpr; j++)
        if (fpr[j].x == fpr[j - 1].x) diag_error(items[fpr[j].pos]->loc, "tpr_at_fpr(%g) given twice", fpr[j].x);
}

/* The single object of a table for an omitted key, or an error. */
static void *only_one(SymTab *tab, const char *key, const char *kind, Loc at, const char *blk) {
    if (tab->n == 1) return tab->v[0].ir;
    if (tab->n == 0)
        diag_error(at, "%s needs `%s = NAME`, and the program has no %s", blk, key, kind);
    else
        diag_error(at, "%s needs `%s = NAME`: the program has %d %ss (%s)", blk, key, tab->n, kind,
                   join_names(sym_names(tab), tab->n, ", "));
    return NULL;
}

static bool int_in(const AstExpr *e, long long lo, long long hi, const char *what, int *out, int dflt) {
    *out = dflt;
    if (!e) return true;
    long long v = int_of(e, 0);
    if (v < lo || v > hi) {
        diag_error(e->loc, "%s must be in %lld..%lld, got %lld", what, lo, hi, v);
        return false;
    }
    *out = (int)v;
    return true;
}

/* loss = mse | masked_mse | vae(reco = mse|masked_mse, beta = B, reco_weight = W):
   reco_weight * reco + beta * KL (beta >= 0, default 1; reco_weight > 0, default 1). */
static const Param P_VAE[] = {
    {"reco", T_ENUM, false, "mse|masked_mse"}, {"beta", T_NUM, false, 0}, {"reco_weight", T_NUM, false, 0},
};
static const Sig SIG_VAE = SIG("vae", P_VAE);

static void resolve_loss(IrTrain *t, const AstExpr *e) {
    t->loss = LOSS_MSE;
    t->beta = 1.0;
    t->reco_weight = 1.0;
    if (!e) return;
    if (e->kind != EX_CALL) {
        t->loss = enum_of(&K_TRAIN[TK_LOSS], e, 0) == 0 ? LOSS_MSE : LOSS_MASKED_MSE;
        return;
    }
    if (strcmp(e->text, "vae") != 0) {
        diag_error(e->loc, "unknown loss '%s(...)' (known: mse, masked_mse, vae(reco = mse, beta = B, reco_weight = W))",
                   e->text);
        return;
    }
    t->vae = true;
    const AstExpr *a[3];
    Loc l[3];
    if (!bind_args(&SIG_VAE, e->args, e->nargs, e->loc, a, l)) return;
    t->loss = enum_of(&P_VAE[0], a[0], 0) == 0 ? LOSS_MSE : LOSS_MASKED_MSE;
    t->beta = num_of(a[1], 1.0);
    t->reco_weight = num_of(a[2], 1.0);
    if (a[1] && !(t->beta >= 0 && t->beta <= 1e6)) diag_error(a[1]->loc, "beta of vae must be in [0, 1e6], got %g", t->beta);
    if (a[2] && !(t->reco_weight > 0 && t->reco_weight <= 1e6))
        diag_error(a[2]->loc, "reco_weight of vae must be in (0, 1e6], got %g", t->reco_weight);
}

static IrTrain *resolve_train(R *r, const AstDecl *d) {
    IrTrain *t = ARENA_NEW(IrTrain);
    t->name = d->name.name;
    t->loc = d->name.name ? d->name.loc : d->loc;
    const char *blk = t->name ? arena_printf("train block '%s'", t->name) : "the train block";
    const AstExpr *k[NPARAMS(K_TRAIN)];
    Loc kl[NPARAMS(K_TRAIN)];
    unsigned given;
    bind_keys(&BLK_TRAIN, "train", d->stmts, d->nstmts, k, kl, &given);
    for (int s = 0; s < d->nstmts; s++)
        if (d->stmts[s].kind != ST_ASSIGN)
            diag_error(d->stmts[s].loc, "only `key = value` lines belong in a train block");

    if (given & (1u << TK_MODEL)) {
        if (k[TK_MODEL]) t->model = sym_ref(&r->models, NULL, k[TK_MODEL]->text, k[TK_MODEL]->loc);
    } else
        t->model = only_one(&r->models, "model", "model", t->loc, blk);
    if (given & (1u << TK_DATA)) {
        if (k[TK_DATA]) t->data = sym_ref(&r->datas, NULL, k[TK_DATA]->text, k[TK_DATA]->loc);
    } else
        t->data = only_one(&r->datas, "data", "data block", t->loc, blk);

    resolve_loss(t, k[TK_LOSS]);
    static const IrLoss SCORES[] = { LOSS_MSE, LOSS_MASKED_MSE, LOSS_KL, LOSS_MU2 };
    t->score = SCORES[enum_of(&K_TRAIN[TK_SCORE], k[TK_SCORE], 0)];
    if (t->model && (t->vae || t->score == LOSS_KL || t->score == LOSS_MU2)) {
        for (int i = 0; i < t->model->nnodes; i++)
            if (t->model->nodes[i]->op == OP_SAMPLE) { t->sample = t->model->nodes[i]; break; }
        if (!t->sample) {
            const AstExpr *at = t->vae ? k[TK_LOSS] : k[TK_SCORE];
            diag_error(at->loc, "%s needs a model with a sample layer (`sample z <- mu, logvar`); model '%s' has none",
                       t->vae ? "loss = vae(...)" : t->score == LOSS_KL ? "score = kl" : "score = mu2", t->model->name);
        }
    }
    t->adam = (IrAdam){1e-3, 0.9, 0.999, 1e-7};
    const AstExpr *o = k[TK_OPT];
    if (o && (o->kind == EX_CALL || o->kind == EX_IDENT)) {
        if (strcmp(o->text, "adam") != 0) {
            static const char *const OPTS[] = {"adam"};
            const char *sug = suggest(o->text, OPTS, 1);
            if (sug) diag_error(o->loc, "unknown optimizer '%s'; did you mean '%s'?", o->text, sug);
            else diag_error(o->loc, "unknown optimizer '%s' (known: adam)", o->text);
        } else {
            const AstExpr *a[4];
            Loc l[4];
            if (bind_args(&SIG_ADAM, o->kind == EX_CALL ? o->args : NULL, o->kind == EX_CALL ? o->nargs : 0, o->loc, a, l)) {
                t->adam.lr = num_of(a[0], 1e-3);
                t->adam.beta1 = num_of(a[1], 0.9);
                t->adam.beta2 = num_of(a[2], 0.999);
                t->adam.epsilon = num_of(a[3], 1e-7);
                if (a[0] && !(t->adam.lr > 0)) diag_error(a[0]->loc, "lr must be positive, got %g", t->adam.lr);
                if (a[1] && !(t->adam.beta1 >= 0 && t->adam.beta1 < 1))
                    diag_error(a[1]->loc, "beta1 must be in [0, 1), got %g", t->adam.beta1);
                if (a[2] && !(t->adam.beta2 >= 0 && t->adam.beta2 < 1))
                    diag_error(a[2]->loc, "beta2 must be in [0, 1), got %g", t->adam.beta2);
                if (a[3] && !(t->adam.epsilon > 0))
                    diag_error(a[3]->loc, "epsilon must be positive, got %g", t->adam.epsilon);
            }
        }
    }
    int_in(k[TK_EPOCHS], 1, 1000000, "epochs", &t->epochs, 100);
    int_in(k[TK_BATCH], 1, 10000000, "batch", &t->batch, 1024);
    if (k[TK_CALLBACKS]) resolve_callbacks(t, k[TK_CALLBACKS]);
    if (k[TK_METRICS]) resolve_metrics(t, k[TK_METRICS]);
    else t->roc = t->auc = true;
    return t;
}

/* ---- target ---------------------------------------------------------------------------------- */

void ir_target_default(IrTarget *g) {
    memset(g, 0, sizeof *g);
    g->loc = NOLOC;
    g->backend = BACKEND_VITIS;
    g->part = "xcu250-figd2104-2L-e";
    g->clock_period = 5.0;
    g->io = IO_PARALLEL;
    g->strategy = STRATEGY_LATENCY;
    g->reuse_factor = 1;
    g->precision = PREC_BIT_EXACT;
    g->default_type = (aedl_fixed){16, 6, true, AEDL_TRN, AEDL_WRAP};
    g->output = TARGET_OUT_RECONSTRUCTION;
    g->output_loc = NOLOC;
    g->trigger_rate = 1000;
    g->bunch_rate = 40e6;
}

static IrTarget *resolve_target(R *r, const AstDecl *d) {
    (void)r;
    IrTarget *g = ARENA_NEW(IrTarget), def;
    ir_target_default(&def);
    g->name = d->name.name;
    g->loc = d->name.loc;
    const AstExpr *k[NPARAMS(K_TARGET)];
    Loc kl[NPARAMS(K_TARGET)];
    unsigned given;
    bind_keys(&BLK_TARGET, "target", d->stmts, d->nstmts, k, kl, &given);
    for (int s = 0; s < d->nstmts; s++)
        if (d->stmts[s].kind != ST_ASSIGN)
            diag_error(d->stmts[s].loc, "only `key = value` lines belong in a target block");
    if (k[GK_BACKEND]) g->backend = enum_of(&K_TARGET[GK_BACKEND], k[GK_BACKEND], 0) == 0 ? BACKEND_VITIS : BACKEND_VIVADO;
    else g->backend = def.backend;
    g->part = k[GK_PART] && k[GK_PART]->kind == EX_STRING ? k[GK_PART]->text : def.part;
    if (k[GK_PART] && k[GK_PART]->kind == EX_STRING && !g->part[0]) diag_error(k[GK_PART]->loc, "empty part name");
    g->clock_period = num_of(k[GK_CLOCK], def.clock_period);
    if (k[GK_CLOCK] && !(g->clock_period > 0 && g->clock_period < 1e6))
        diag_error(k[GK_CLOCK]->loc, "clock_period must be a positive number of ns, got %g", g->clock_period);
    g->io = !k[GK_IO] ? def.io : enum_of(&K_TARGET[GK_IO], k[GK_IO], 0) == 0 ? IO_PARALLEL : IO_STREAM;
    g->strategy = !k[GK_STRATEGY] ? def.strategy
                : enum_of(&K_TARGET[GK_STRATEGY], k[GK_STRATEGY], 0) == 0 ? STRATEGY_LATENCY : STRATEGY_RESOURCE;
    int_in(k[GK_REUSE], 1, 1000000, "reuse_factor", &g->reuse_factor, def.reuse_factor);
    g->dsp_multipliers = k[GK_MULT] ? enum_of(&K_TARGET[GK_MULT], k[GK_MULT], 0) == 1 : def.dsp_multipliers;
    g->precision = def.precision;
    g->default_type = def.default_type;
    g->output = !k[GK_OUTPUT] ? def.output
              : enum_of(&K_TARGET[GK_OUTPUT], k[GK_OUTPUT], 0) == 0 ? TARGET_OUT_RECONSTRUCTION : TARGET_OUT_SCORE;
    g->output_loc = k[GK_OUTPUT] ? k[GK_OUTPUT]->loc : d->name.loc;
    g->trigger_rate = num_of(k[GK_TRIGGER_RATE], def.trigger_rate);
    g->bunch_rate = num_of(k[GK_BUNCH_RATE], def.bunch_rate);
    if (k[GK_BUNCH_RATE] && !(g->bunch_rate > 0 && g->bunch_rate < 1e15))
        diag_error(k[GK_BUNCH_RATE]->loc, "bunch_rate must be a positive number of Hz, got %g", g->bunch_rate);
    else if (k[GK_TRIGGER_RATE] && !(g->trigger_rate > 0 && g->trigger_rate < g->bunch_rate))
        diag_error(k[GK_TRIGGER_RATE]->loc, "trigger_rate must be a positive number of Hz below bunch_rate (%g), got %g",
                   g->bunch_rate, g->trigger_rate);
    if (k[GK_HW_INPUTS]) {
        const AstExpr *h = k[GK_HW_INPUTS];
        g->hw_loc = h->loc;
        int n = h->kind == EX_LIST ? h->nitems : 1;
        if (n == 0) diag_error(h->loc, "hardware_inputs: an empty list declares nothing");
        for (int i = 0; i < n; i++) {
            const AstExpr *e = h->kind == EX_LIST ? h->items[i] : h;
            if (e->kind != EX_CALL || strcmp(e->text, "hw") != 0 || e->nargs != 2 || e->args[0].name || e->args[1].name ||
                e->args[1].value->kind != EX_TYPE) {
                diag_error(e->loc, "hardware_inputs: expected hw(FEATURES, TYPE), e.g. hw(pt, ufixed<16, 10>), got %s",
                           describe(e));
                continue;
            }
            aedl_fixed t;
            if (!parse_type(e->args[1].value, &t)) continue;
            if (t.width > 24)
                diag_error(e->args[1].value->loc, "hardware_inputs: %d bits: a hardware type holds at most 24 bits "
                           "(the data are float32, which hold 24 exactly)", t.width);
            else
                prep_hw_add(g, e->args[0].value, t, e->args[1].value->loc);
        }
    }
    const AstExpr *p = k[GK_PRECISION];
    if (p && p->kind == EX_TYPE) {
        if (parse_type(p, &g->default_type)) g->precision = PREC_FIXED;
    } else if (p && (p->kind == EX_IDENT || p->kind == EX_STRING)) {
        static const char *const PM[] = {"bit_exact", "conservative"};
        if (strcmp(p->text, "bit_exact") == 0) g->precision = PREC_BIT_EXACT;
        else if (strcmp(p->text, "conservative") == 0) g->precision = PREC_CONSERVATIVE;
        else {
            const char *sug = suggest(p->text, PM, 2);
            if (sug)
                diag_error(p->loc, "key 'precision': unknown value '%s'; did you mean '%s'? (expected bit_exact, conservative or a fixed type)", p->text, sug);
            else
                diag_error(p->loc, "key 'precision': unknown value '%s' (expected bit_exact, conservative or a fixed type)", p->text);
        }
    }
    return g;
}

/* ---- the program -------------------------------------------------------------------------------- */

IrProgram *resolve_program(AstFile **files, int nfiles, const char *main_file) {
    R r;
    memset(&r, 0, sizeof r);
    r.quants.what = "quantizer";
    r.prunes.what = "pruning schedule";
    r.models.what = "model";
    r.datas.what = "data block";
    r.trains.what = "train block";
    r.targets.what = "target";
    IrProgram *p = ARENA_NEW(IrProgram);
    p->main_file = main_file;

    /* 1. Every name, so that later checks can tell "unknown" from "broken". */
    int ndecl = 0;
    for (int f = 0; f < nfiles; f++) ndecl += files[f]->ndecls;
    /* Per declaration, in file order: its index in its table (symbols move
       when a table grows), -1 for imports and duplicates. */
    int *sym_index = arena_alloc(sizeof(int) * (size_t)(ndecl + 1));
    int di = 0;
    for (int f = 0; f < nfiles; f++)
        for (int i = 0; i < files[f]->ndecls; i++, di++) {
            const AstDecl *d = &files[f]->decls[i];
            SymTab *t = NULL;
            switch (d->kind) {
            case DECL_IMPORT: break;
            case DECL_QUANTIZER: t = &r.quants; break;
            case DECL_PRUNING: t = &r.prunes; break;
            case DECL_MODEL: t = &r.models; break;
            case DECL_DATA: t = &r.datas; break;
            case DECL_TRAIN: t = &r.trains; break;
            case DECL_TARGET: t = &r.targets; break;
            case DECL_SCAN: break;         /* scan.c, for aedlc scan */
            }
            sym_index[di] = -1;
            if (!t) continue;
            const char *name = d->name.name;
            if (d->kind == DECL_TRAIN && !name) {
                Sym *old = sym_find(t, "");
                if (old) {
                    diag_error(d->loc, "a second unnamed train block: name them (`train NAME { ... }`)");
                    diag_note(old->loc, "the first one");
                    continue;
                }
                name = "";
            }
            Sym *s = sym_declare(t, name, d->kind == DECL_TRAIN && !d->name.name ? d->loc : d->name.loc);
            if (s) sym_index[di] = (int)(s - t->v);
        }

    /* 2. Declarations, kind by kind: quantizers and prunings first (models use
       them), then models and data (train uses them), then train and targets. */
    static const AstDeclKind ORDER[] = {DECL_QUANTIZER, DECL_PRUNING, DECL_MODEL, DECL_DATA, DECL_TRAIN, DECL_TARGET};
    int cq = 0, cp = 0, cm = 0, cd = 0, ct = 0, cg = 0;
    for (int o = 0; o < 6; o++) {
        di = 0;
        for (int f = 0; f < nfiles; f++)
            for (int i = 0; i < files[f]->ndecls; i++, di++) {
                const AstDecl *d = &files[f]->decls[i];
                if (d->kind != ORDER[o]) continue;
                int before = diag_error_count();
                bool keep = sym_index[di] >= 0;    /* a duplicate is checked, not kept */
                void *ir = NULL;
                SymTab *t = NULL;
                switch (d->kind) {
                case DECL_QUANTIZER: {
                    t = &r.quants;
                    IrQuant *q = quant_expr(&r, d->value, d->name.name);
                    if (q) { q->loc = d->name.loc; ir = q; if (keep) ARENA_PUSH(p->quants, p->nquants, cq, q); }
                    break;
                }
                case DECL_PRUNING: {
                    t = &r.prunes;
                    IrPruning *pr = prune_expr(&r, d->value, d->name.name, false, NULL);
                    if (pr) { pr->loc = d->name.loc; ir = pr; if (keep) ARENA_PUSH(p->prunings, p->nprunings, cp, pr); }
                    break;
                }
                case DECL_MODEL: {
                    t = &r.models;
                    IrModel *m = resolve_model(&r, d);
                    ir = m;
                    if (keep) ARENA_PUSH(p->models, p->nmodels, cm, m);
                    break;
                }
                case DECL_DATA: {
                    t = &r.datas;
                    IrData *dt = resolve_data(&r, d);
                    ir = dt;
                    if (keep) ARENA_PUSH(p->datas, p->ndatas, cd, dt);
                    break;
                }
                case DECL_TRAIN: {
                    t = &r.trains;
                    IrTrain *tr = resolve_train(&r, d);
                    ir = tr;
                    if (keep) ARENA_PUSH(p->trains, p->ntrains, ct, tr);
                    break;
                }
                case DECL_TARGET: {
                    t = &r.targets;
                    IrTarget *g = resolve_target(&r, d);
                    ir = g;
                    if (keep) ARENA_PUSH(p->targets, p->ntargets, cg, g);
                    break;
                }
                case DECL_IMPORT:
                case DECL_SCAN:
                    break;
                }
                if (t && sym_index[di] >= 0) {
                    Sym *s = &t->v[sym_index[di]];
                    if (diag_error_count() > before) s->broken = true;
                    s->ir = ir;
                }
            }
    }
    return p;
}

/* ---- for scan.c: the arguments of a call or layer kind by name ---- */

static const Sig *sig_named(const char *name) {
    static const Sig *const calls[] = { &SIG_QBITS, &SIG_QRELU, &SIG_CONST, &SIG_POLY };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (strcmp(calls[i]->name, name) == 0) return calls[i];
    const LayerKind *lk = layer_kind(name);
    return lk ? &lk->sig : NULL;
}

int resolve_param_names(const char *name, const char *const **names) {
    const Sig *sig = sig_named(name);
    if (!sig) return -1;
    *names = param_names(sig);
    return sig->nparams;
}

int resolve_param_position(const char *name, const char *arg) {
    const Sig *sig = sig_named(name);
    for (int i = 0; sig && i < sig->nparams; i++)
        if (strcmp(sig->params[i].name, arg) == 0) return i;
    return -1;
}
