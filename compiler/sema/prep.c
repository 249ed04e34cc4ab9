/* prep.c — per-feature preprocessing in a data block: `names`, `signed`, `transform` and
 * `scale = standard(...)` (AST -> IrData.prep), and the checks that need the model's input
 * size (feature and object indices in range, log10 of a signed feature).
 *
 * A selector names features:
 *   12, [0:3]            flat feature indices (after features and flatten)
 *   pt, "Pt"             a variable of the last axis, in every object (by `names`, or by
 *                        the file's names: Particles_Names, the CSV header)
 *   pt(0), pt([1:5], 9)  that variable in the given objects only
 *   [pt, 0, eta(1)]      several of the above
 */
#include <math.h>
#include <string.h>
#include "arena.h"
#include "passes.h"

typedef struct {
    IrData *dt;
    int cap;
} PrepCtx;

static const char *what(const AstExpr *e) {
    switch (e->kind) {
    case EX_NUMBER: return "a number";
    case EX_STRING: return "a string";
    case EX_BOOL: return "a boolean";
    case EX_IDENT: return arena_printf("the name '%s'", e->text);
    case EX_CALL: return arena_printf("a call to %s(...)", e->text);
    case EX_LIST: return "a list";
    case EX_SLICE: return "a slice";
    case EX_TYPE: return "a fixed type";
    }
    return "a value";
}

static bool int_value(const AstExpr *e, long long *v) {
    if (e->kind != EX_NUMBER) return false;
    if (e->is_int) { *v = e->ival; return true; }
    if (e->num == floor(e->num) && fabs(e->num) < 9e15) { *v = (long long)e->num; return true; }
    return false;
}

/* Indices from a number, a slice with both ends, or a list of those; false after an error. */
static bool indices(const AstExpr *e, int **idx, int *n, int *cap, const char *of) {
    long long v;
    if (int_value(e, &v)) {
        if (v < 0 || v > 1000000) {
            diag_error(e->loc, "%s index %lld is out of range (0 or more)", of, v);
            return false;
        }
        ARENA_PUSH(*idx, *n, *cap, (int)v);
        return true;
    }
    if (e->kind == EX_SLICE) {
        long long lo = e->has_lo ? e->lo : 0;
        if (!e->has_hi) {
            diag_error(e->loc, "the slice needs an end: [lo:hi]");
            return false;
        }
        if (lo < 0 || !(lo < e->hi) || e->hi > 1000000) {
            diag_error(e->loc, "slice [%lld:%lld] selects nothing valid: 0 <= lo < hi", lo, e->hi);
            return false;
        }
        for (long long i = lo; i < e->hi; i++) ARENA_PUSH(*idx, *n, *cap, (int)i);
        return true;
    }
    if (e->kind == EX_LIST) {
        for (int i = 0; i < e->nitems; i++)
            if (!indices(e->items[i], idx, n, cap, of)) return false;
        return true;
    }
    diag_error(e->loc, "expected %s index, a slice [lo:hi] or a list of them, got %s", of, what(e));
    return false;
}

static int name_index(const IrData *dt, const char *name) {
    for (int i = 0; i < dt->nnames; i++)
        if (strcmp(dt->names[i], name) == 0) return i;
    return -1;
}

static void push(PrepCtx *c, IrPrep p) { ARENA_PUSH(c->dt->prep, c->dt->nprep, c->cap, p); }

static void selector(PrepCtx *c, IrPrepOp op, double a, double b, const AstExpr *e) {
    IrPrep p = { .op = op, .a = a, .b = b, .loc = e->loc };
    int cap = 0;
    switch (e->kind) {
    case EX_NUMBER: case EX_SLICE:
        if (indices(e, &p.index, &p.nindex, &cap, "a feature")) push(c, p);
        return;
    case EX_LIST: {
        if (e->nitems == 0) diag_error(e->loc, "an empty list selects no feature");
        bool numbers = e->nitems > 0;
        for (int i = 0; i < e->nitems; i++) numbers &= e->items[i]->kind == EX_NUMBER || e->items[i]->kind == EX_SLICE;
        if (numbers) {
            if (indices(e, &p.index, &p.nindex, &cap, "a feature")) push(c, p);
            return;
        }
        for (int i = 0; i < e->nitems; i++) selector(c, op, a, b, e->items[i]);
        return;
    }
    case EX_IDENT: case EX_STRING: case EX_CALL:
        p.var = e->text;
        if (c->dt->nnames && name_index(c->dt, p.var) < 0) {
            const char *known = "";
            for (int i = 0; i < c->dt->nnames; i++)
                known = arena_printf("%s%s%s", known, i ? ", " : "", c->dt->names[i]);
            diag_error(e->loc, "no variable '%s' in `names` (%s)", p.var, known);
            return;
        }
        if (e->kind == EX_CALL) {
            if (e->nargs == 0) {
                diag_error(e->loc, "%s(): give the objects, e.g. %s(0) or %s([1:5])", e->text, e->text, e->text);
                return;
            }
            for (int i = 0; i < e->nargs; i++) {
                if (e->args[i].name) {
                    diag_error(e->args[i].name_loc, "%s(...) takes object indices, not named arguments", e->text);
                    return;
                }
                if (!indices(e->args[i].value, &p.index, &p.nindex, &cap, "an object")) return;
            }
        }
        push(c, p);
        return;
    default:
        diag_error(e->loc, "expected a feature: an index, a slice [lo:hi], a variable name (pt) or a "
                   "variable in some objects (pt(0)), got %s", what(e));
    }
}

static bool number_arg(const AstArg *a, double *v, const char *fn) {
    if (a->value->kind != EX_NUMBER || !isfinite(a->value->num)) {
        diag_error(a->value->loc, "%s: expected a number, got %s", fn, what(a->value));
        return false;
    }
    *v = a->value->num;
    return true;
}

static void transform(PrepCtx *c, const AstExpr *e) {
    if (e->kind != EX_CALL || (strcmp(e->text, "log10") != 0 && strcmp(e->text, "affine") != 0)) {
        diag_error(e->loc, "a transform is log10(FEATURES) or affine(FEATURES, a, b) for (x - a) / b, got %s", what(e));
        return;
    }
    bool log = strcmp(e->text, "log10") == 0;
    int nsel = e->nargs;
    double a = 0, b = 1;
    if (!log) {
        /* the last two arguments are a and b, by position or by name */
        const AstArg *pa = NULL, *pb = NULL;
        for (int i = 0; i < e->nargs; i++) {
            const AstArg *g = &e->args[i];
            if (g->name && strcmp(g->name, "a") == 0) pa = g;
            else if (g->name && strcmp(g->name, "b") == 0) pb = g;
            else if (g->name) {
                diag_error(g->name_loc, "affine: unknown argument '%s' (affine(FEATURES, a, b))", g->name);
                return;
            }
        }
        nsel = 0;
        while (nsel < e->nargs && !e->args[nsel].name) nsel++;
        if (!pb && nsel >= 2) { pb = &e->args[--nsel]; }
        if (!pa && nsel >= 2) { pa = &e->args[--nsel]; }
        if (!pa || !pb || nsel < 1) {
            diag_error(e->loc, "affine needs the features, a and b: affine(FEATURES, a, b) is (x - a) / b");
            return;
        }
        if (!number_arg(pa, &a, "affine") || !number_arg(pb, &b, "affine")) return;
        if (b == 0) {
            diag_error(pb->value->loc, "affine: b = 0 divides by zero ((x - a) / b)");
            return;
        }
    } else if (nsel == 0) {
        diag_error(e->loc, "log10(): give the features, e.g. log10(pt)");
        return;
    }
    for (int i = 0; i < nsel; i++) {
        if (e->args[i].name) {
            diag_error(e->args[i].name_loc, "%s: unknown argument '%s'", e->text, e->args[i].name);
            return;
        }
        selector(c, log ? PREP_LOG10 : PREP_AFFINE, a, b, e->args[i].value);
    }
}

void prep_resolve(IrData *dt, const AstExpr *names, const AstExpr *sign, const AstExpr *transforms,
                  const AstExpr *scale) {
    PrepCtx c = { dt, 0 };
    if (names) {
        int cap = 0;
        const AstExpr *const *items = names->kind == EX_LIST ? (const AstExpr *const *)names->items : &names;
        int n = names->kind == EX_LIST ? names->nitems : 1;
        if (n == 0) diag_error(names->loc, "names: an empty list names nothing");
        for (int i = 0; i < n; i++) {
            const AstExpr *e = items[i];
            if (e->kind != EX_IDENT && e->kind != EX_STRING) {
                diag_error(e->loc, "names: expected a name (pt or \"Pt\"), got %s", what(e));
                continue;
            }
            if (name_index(dt, e->text) >= 0) {
                diag_error(e->loc, "names: '%s' is given twice", e->text);
                continue;
            }
            ARENA_PUSH(dt->names, dt->nnames, cap, e->text);
        }
        if (dt->has_features && dt->nnames && dt->nnames != dt->nfeatures)
            diag_error(names->loc, "names: %d names for %d features (`features` selects %d on the last axis)",
                       dt->nnames, dt->nfeatures, dt->nfeatures);
    }
    if (transforms) {
        if (transforms->kind == EX_LIST)
            for (int i = 0; i < transforms->nitems; i++) transform(&c, transforms->items[i]);
        else
            transform(&c, transforms);
    }
    if (scale && scale->kind == EX_CALL) {
        if (strcmp(scale->text, "standard") != 0)
            diag_error(scale->loc, "key 'scale': expected standard, none or standard(FEATURES), got %s", what(scale));
        else if (scale->nargs == 0)
            dt->standard_all = true;
        else
            for (int i = 0; i < scale->nargs; i++) {
                if (scale->args[i].name) {
                    diag_error(scale->args[i].name_loc, "standard: unknown argument '%s'", scale->args[i].name);
                    break;
                }
                selector(&c, PREP_STANDARD, 0, 1, scale->args[i].value);
            }
    }
    if (sign) selector(&c, PREP_SIGNED, 0, 1, sign);
}

/* ---- checks against the model input (after shapes) -------------------------------------- */

/* The flat features of rule p as a mask of n entries; false when they depend on names only the
   data file gives (no `names` and no `features`). */
static bool flat_set(const IrData *dt, const IrPrep *p, long n, int nvars, char *set) {
    memset(set, 0, (size_t)n);
    if (!p->var) {
        for (int i = 0; i < p->nindex; i++)
            if (p->index[i] < n) set[p->index[i]] = 1;
        return true;
    }
    int v = name_index(dt, p->var);
    if (v < 0 || nvars <= 0) return false;
    long nobj = n / nvars;
    if (p->nindex == 0)
        for (long o = 0; o < nobj; o++) set[o * nvars + v] = 1;
    for (int i = 0; i < p->nindex; i++)
        if (p->index[i] < nobj) set[(long)p->index[i] * nvars + v] = 1;
    return true;
}

static const char *op_name(IrPrepOp op) {
    return op == PREP_LOG10 ? "log10" : op == PREP_AFFINE ? "affine" : op == PREP_STANDARD ? "standard" : "signed";
}

void prep_check(const IrData *dt, long n) {
    if (n <= 0) return;
    /* variables per object: the names, else the features kept on the last axis */
    int nvars = dt->nnames ? dt->nnames : dt->has_features ? dt->nfeatures : 0;
    if (nvars > 0 && dt->nnames && n % nvars != 0) {
        diag_error(dt->loc, "data block '%s': %d names do not divide the model input's %ld features into objects",
                   dt->name, nvars, n);
        return;
    }
    for (int i = 0; i < dt->nprep; i++) {
        const IrPrep *p = &dt->prep[i];
        for (int k = 0; k < p->nindex; k++) {
            if (!p->var && p->index[k] >= n) {
                diag_error(p->loc, "%s: feature index %d is out of range: the model input has %ld features (0 to %ld)",
                           op_name(p->op), p->index[k], n, n - 1);
                break;
            }
            if (p->var && nvars > 0 && p->index[k] >= n / nvars) {
                diag_error(p->loc, "%s: object %d of '%s' is out of range: the model input holds %ld objects of %d "
                           "variables (0 to %ld)", op_name(p->op), p->index[k], p->var, n / nvars, nvars, n / nvars - 1);
                break;
            }
        }
    }
    char *a = arena_alloc((size_t)n), *b = arena_alloc((size_t)n);
    for (int i = 0; i < dt->nprep; i++) {
        const IrPrep *p = &dt->prep[i];
        if (p->op != PREP_LOG10) continue;
        bool ka = flat_set(dt, p, n, nvars, a);
        for (int j = 0; j < dt->nprep; j++) {
            const IrPrep *s = &dt->prep[j];
            if (s->op != PREP_SIGNED) continue;
            bool clash = false;
            if (ka && flat_set(dt, s, n, nvars, b)) {
                for (long f = 0; f < n && !clash; f++) clash = a[f] && b[f];
            } else if (p->var && s->var && strcmp(p->var, s->var) == 0) {
                clash = true;   /* the same variable, objects not comparable without names */
                if (p->nindex && s->nindex) {
                    clash = false;
                    for (int x = 0; x < p->nindex; x++)
                        for (int y = 0; y < s->nindex; y++) clash |= p->index[x] == s->index[y];
                }
            }
            if (clash) {
                diag_error(p->loc, "log10 of a feature declared signed: log10 needs values >= 0 (x = 0 stays 0)");
                diag_note(s->loc, "declared signed here");
                break;
            }
        }
    }
}

/* ---- a target's hardware inputs ------------------------------------------------------------ */

void prep_hw_add(IrTarget *g, const AstExpr *features, aedl_fixed type, Loc type_loc) {
    IrData tmp;
    memset(&tmp, 0, sizeof tmp);
    PrepCtx c = { &tmp, 0 };
    selector(&c, PREP_SIGNED, 0, 1, features);
    if (tmp.nprep == 0) return;
    IrPrep *all = arena_alloc(sizeof *all * (size_t)(g->nhw + tmp.nprep));
    if (g->nhw) memcpy(all, g->hw, sizeof *all * (size_t)g->nhw);
    for (int i = 0; i < tmp.nprep; i++) {
        tmp.prep[i].type = type;
        tmp.prep[i].type_loc = type_loc;
        all[g->nhw + i] = tmp.prep[i];
    }
    g->hw = all;
    g->nhw += tmp.nprep;
}

static const char *feature_name(const IrData *dt, long f, long n) {
    if (!dt || !dt->nnames) return arena_printf("feature %ld", f);
    if (n == dt->nnames) return arena_printf("feature %ld (%s)", f, dt->names[f]);
    return arena_printf("feature %ld (%s(%ld))", f, dt->names[f % dt->nnames], f / dt->nnames);
}

void prep_hw_check(IrTarget *g, const IrData *dt, long n) {
    if (!g || g->nhw == 0 || n <= 0) return;
    int nvars = dt ? (dt->nnames ? dt->nnames : dt->has_features ? dt->nfeatures : 0) : 0;
    aedl_fixed *types = arena_alloc(sizeof *types * (size_t)n);
    memset(types, 0, sizeof *types * (size_t)n);
    Loc *where = arena_alloc(sizeof *where * (size_t)n);
    char *set = arena_alloc((size_t)n), *lg = arena_alloc((size_t)n);
    bool ok = true;
    for (int i = 0; i < g->nhw; i++) {
        const IrPrep *p = &g->hw[i];
        if (p->var && !(dt && dt->nnames)) {
            diag_error(p->loc, "hardware_inputs: the variable '%s' needs `names = [...]` in the data block of the "
                       "model (the firmware's inputs are fixed when it is compiled); or give feature indices", p->var);
            ok = false;
            continue;
        }
        if (p->var && name_index(dt, p->var) < 0) {
            const char *known = "";
            for (int k = 0; k < dt->nnames; k++) known = arena_printf("%s%s%s", known, k ? ", " : "", dt->names[k]);
            diag_error(p->loc, "hardware_inputs: '%s' is not an input: no variable '%s' in `names` (%s)", p->var, p->var, known);
            ok = false;
            continue;
        }
        bool bad = false;
        for (int k = 0; k < p->nindex && !bad; k++) {
            if (!p->var && p->index[k] >= n) {
                diag_error(p->loc, "hardware_inputs: feature index %d is out of range: the model input has %ld features "
                           "(0 to %ld)", p->index[k], n, n - 1);
                bad = true;
            } else if (p->var && p->index[k] >= n / nvars) {
                diag_error(p->loc, "hardware_inputs: object %d of '%s' is out of range: the model input holds %ld "
                           "objects of %d variables (0 to %ld)", p->index[k], p->var, n / nvars, nvars, n / nvars - 1);
                bad = true;
            }
        }
        if (bad) { ok = false; continue; }
        flat_set(dt, p, n, nvars, set);
        for (long f = 0; f < n; f++) {
            if (!set[f]) continue;
            if (types[f].width) {
                diag_error(p->loc, "hardware_inputs: %s has a hardware type already", feature_name(dt, f, n));
                diag_note(where[f], "given here");
                ok = false;
                break;
            }
            types[f] = p->type;
            where[f] = p->loc;
        }
    }
    for (int i = 0; dt && i < dt->nprep; i++) {
        const IrPrep *q = &dt->prep[i];
        if (q->op != PREP_LOG10) continue;
        bool known = flat_set(dt, q, n, nvars, lg);
        for (long f = 0; f < n; f++) {
            bool clash = known ? lg[f] && types[f].width : false;
            if (!known && q->var && types[f].width && dt->nnames && strcmp(dt->names[f % dt->nnames], q->var) == 0)
                clash = true;
            if (clash) {
                diag_error(where[f], "hardware_inputs: %s is transformed by log10, which has no exact fixed-point "
                           "form: the firmware cannot take it unscaled (leave it out: it is then given scaled, in "
                           "the model input's type)", feature_name(dt, f, n));
                diag_note(q->loc, "log10 here");
                ok = false;
                break;
            }
        }
    }
    if (!ok) return;
    g->hw_types = types;
    g->nhw_types = n;
}
