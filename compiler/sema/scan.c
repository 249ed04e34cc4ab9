/* scan.c — a scan block's axes and their points, written into the AST (scan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "passes.h"
#include "scan.h"

/* What an axis' NAME is. */
typedef enum { TGT_NONE, TGT_CALL, TGT_TYPE, TGT_BLOCK, TGT_LAYER } TargetKind;

typedef struct {
    TargetKind kind;
    const char *what;        /* "quantizer", "layer", ... for messages */
    AstExpr **value;         /* TGT_CALL, TGT_TYPE: the declaration's value */
    AstDecl *block;          /* TGT_BLOCK: its statements; TGT_LAYER: the model */
    AstStmt *layer;          /* TGT_LAYER */
} Target;

static const char *decl_what(AstDeclKind k) {
    switch (k) {
    case DECL_QUANTIZER: return "quantizer";
    case DECL_PRUNING: return "pruning schedule";
    case DECL_MODEL: return "model";
    case DECL_DATA: return "data block";
    case DECL_TRAIN: return "train block";
    case DECL_TARGET: return "target";
    case DECL_IMPORT: case DECL_SCAN: break;
    }
    return NULL;
}

/* Every declaration and layer called NAME: *n of them, the first in *t. */
static int find_targets(AstFile **files, int nfiles, const char *name, Target *t) {
    int n = 0;
    for (int f = 0; f < nfiles; f++)
        for (int i = 0; i < files[f]->ndecls; i++) {
            AstDecl *d = &files[f]->decls[i];
            const char *what = decl_what(d->kind);
            if (!what) continue;
            const char *dn = d->name.name ? d->name.name : d->kind == DECL_TRAIN ? "train" : "";
            if (strcmp(dn, name) == 0) {
                if (n++ == 0) {
                    memset(t, 0, sizeof *t);
                    t->what = what;
                    if (d->kind == DECL_QUANTIZER || d->kind == DECL_PRUNING) {
                        t->value = &d->value;
                        t->kind = d->value && d->value->kind == EX_TYPE ? TGT_TYPE : TGT_CALL;
                    } else {
                        t->kind = TGT_BLOCK;
                        t->block = d;
                    }
                }
            }
            if (d->kind != DECL_MODEL) continue;
            for (int s = 0; s < d->nstmts; s++) {
                AstStmt *st = &d->stmts[s];
                if (st->kind != ST_LAYER || !st->name.name || strcmp(st->name.name, name) != 0) continue;
                if (n++ == 0) {
                    memset(t, 0, sizeof *t);
                    t->kind = TGT_LAYER;
                    t->what = "layer";
                    t->block = d;
                    t->layer = st;
                }
            }
        }
    return n;
}

/* The names an axis may start with, for "did you mean". */
static const char **target_names(AstFile **files, int nfiles, int *n) {
    const char **v = NULL;
    int cap = 0;
    *n = 0;
    for (int f = 0; f < nfiles; f++)
        for (int i = 0; i < files[f]->ndecls; i++) {
            AstDecl *d = &files[f]->decls[i];
            if (!decl_what(d->kind)) continue;
            const char *dn = d->name.name ? d->name.name : "train";
            ARENA_PUSH(v, *n, cap, dn);
            if (d->kind == DECL_MODEL)
                for (int s = 0; s < d->nstmts; s++)
                    if (d->stmts[s].kind == ST_LAYER && d->stmts[s].name.name)
                        ARENA_PUSH(v, *n, cap, d->stmts[s].name.name);
        }
    return v;
}

static bool resolve_axis_target(AstFile **files, int nfiles, const ScanAxis *ax, Target *t) {
    int n = find_targets(files, nfiles, ax->name, t);
    if (n == 1) return true;
    if (n > 1) {
        diag_error(ax->loc, "'%s' names %d things (declarations or layers); an axis needs one", ax->name, n);
        return false;
    }
    int nn;
    const char **names = target_names(files, nfiles, &nn);
    const char *close = suggest(ax->name, names, nn);
    if (close)
        diag_error(ax->loc, "no quantizer, pruning schedule, layer, model or block named '%s'; did you mean '%s'?",
                   ax->name, close);
    else
        diag_error(ax->loc, "no quantizer, pruning schedule, layer, model or block named '%s'", ax->name);
    return false;
}

/* The two parameters of a fixed-point type that an axis can name. */
static int type_param(const char *arg) {
    if (!strcmp(arg, "bits") || !strcmp(arg, "width")) return 0;
    if (!strcmp(arg, "integer")) return 1;
    return -1;
}

/* Checks that ARG can be set on T (a known argument of the call or layer; any
   key of a block, which resolve checks). */
static bool check_axis_arg(const ScanAxis *ax, const Target *t) {
    const char *callee = NULL;
    switch (t->kind) {
    case TGT_CALL:
        if (!*t->value || (*t->value)->kind != EX_CALL) {
            diag_error(ax->loc, "%s '%s' is not written as a call (%s(...)): nothing to scan in it",
                       t->what, ax->name, t->what);
            return false;
        }
        callee = (*t->value)->text;
        break;
    case TGT_TYPE:
        if (type_param(ax->arg) < 0) {
            diag_error(ax->loc, "quantizer '%s' is a fixed-point type: its axes are '%s.bits' and '%s.integer'",
                       ax->name, ax->name, ax->name);
            return false;
        }
        return true;
    case TGT_LAYER:
        callee = t->layer->kind_name.name;
        break;
    case TGT_BLOCK:
        return true;
    case TGT_NONE:
        return false;
    }
    if (resolve_param_position(callee, ax->arg) < 0) {
        const char *const *names;
        int n = resolve_param_names(callee, &names);
        const char *close = n > 0 ? suggest(ax->arg, names, n) : NULL;
        if (close) diag_error(ax->loc, "%s takes no argument '%s'; did you mean '%s'?", callee, ax->arg, close);
        else diag_error(ax->loc, "%s takes no argument '%s'", callee, ax->arg);
        return false;
    }
    return true;
}

ScanDecl *scan_find(AstFile **files, int nfiles, const char *name) {
    AstDecl *found = NULL;
    int nscans = 0;
    /* the scans of the file given (the last one loaded), not those of its imports */
    for (int f = nfiles - 1; f == nfiles - 1 && f >= 0; f--)
        for (int i = 0; i < files[f]->ndecls; i++) {
            AstDecl *d = &files[f]->decls[i];
            if (d->kind != DECL_SCAN) continue;
            nscans++;
            if (name && strcmp(d->name.name, name) != 0) continue;
            if (found) {
                if (name) {
                    diag_error(d->name.loc, "a second scan named '%s'", name);
                    diag_note(found->name.loc, "the first one");
                    return NULL;
                }
                diag_error(d->name.loc, "the file has several scans: choose one with --scan NAME");
                return NULL;
            }
            found = d;
        }
    if (!found) {
        if (name) diag_error(NOLOC, "no scan named '%s' in the file%s", name, nscans ? "" : " (it has none)");
        else diag_error(NOLOC, "the file has no scan block (`scan NAME { qw.bits = [4, 6, 8] }`, docs/scan.md)");
        return NULL;
    }
    ScanDecl *s = ARENA_NEW(ScanDecl);
    s->name = found->name.name;
    s->loc = found->name.loc;
    int cap = 0;
    bool ok = true;
    for (int i = 0; i < found->nstmts; i++) {
        const AstStmt *st = &found->stmts[i];
        if (st->kind != ST_ASSIGN) continue;
        const char *key = st->kind_name.name;
        const char *dot = strchr(key, '.');
        if (!dot) {
            if (strcmp(key, "mode") == 0) {
                const char *v = st->value && st->value->kind == EX_IDENT ? st->value->text : "";
                if (!strcmp(v, "grid")) s->zip = false;
                else if (!strcmp(v, "zip")) s->zip = true;
                else { diag_error(st->value->loc, "mode of a scan: expected grid or zip"); ok = false; }
            } else {
                diag_error(st->kind_name.loc, "unknown key '%s' in scan block: an axis is NAME.ARGUMENT = [values]; "
                           "the other key is mode", key);
                ok = false;
            }
            continue;
        }
        if (strchr(dot + 1, '.')) {
            diag_error(st->kind_name.loc, "an axis is NAME.ARGUMENT (one dot): '%s'", key);
            ok = false;
            continue;
        }
        ScanAxis ax = {0};
        ax.path = key;
        ax.name = arena_strndup(key, (size_t)(dot - key));
        ax.arg = dot + 1;
        ax.loc = st->kind_name.loc;
        for (int a = 0; a < s->naxes; a++)
            if (strcmp(s->axes[a].path, key) == 0) {
                diag_error(ax.loc, "axis '%s' given twice", key);
                diag_note(s->axes[a].loc, "first given here");
                ok = false;
            }
        if (!st->value || st->value->kind != EX_LIST) {
            diag_error(st->value ? st->value->loc : ax.loc, "the values of axis '%s' are a list: %s = [a, b, ...]", key, key);
            ok = false;
            continue;
        }
        if (st->value->nitems == 0) {
            diag_error(st->value->loc, "axis '%s' has no values", key);
            ok = false;
            continue;
        }
        ax.values = st->value->items;
        ax.nvalues = st->value->nitems;
        Target t;
        if (!resolve_axis_target(files, nfiles, &ax, &t) || !check_axis_arg(&ax, &t)) { ok = false; continue; }
        ARENA_PUSH(s->axes, s->naxes, cap, ax);
    }
    if (ok && s->naxes == 0) {
        diag_error(s->loc, "scan '%s' has no axis (NAME.ARGUMENT = [values])", s->name);
        ok = false;
    }
    if (!ok) return NULL;
    long long np = 1;
    for (int a = 0; a < s->naxes; a++) {
        if (s->zip) {
            if (s->axes[a].nvalues != s->axes[0].nvalues) {
                diag_error(s->axes[a].loc, "mode = zip takes value k of every axis: '%s' has %d values, '%s' %d",
                           s->axes[a].path, s->axes[a].nvalues, s->axes[0].path, s->axes[0].nvalues);
                return NULL;
            }
            np = s->axes[0].nvalues;
        } else {
            np *= s->axes[a].nvalues;
        }
        if (np > 100000) {
            diag_error(s->loc, "scan '%s' has more than 100000 points", s->name);
            return NULL;
        }
    }
    s->npoints = (int)np;
    return s;
}

int scan_value_index(const ScanDecl *s, int k, int a) {
    if (s->zip) return k;
    /* the first axis varies slowest, as nested loops written in order */
    for (int b = s->naxes - 1; b > a; b--) k /= s->axes[b].nvalues;
    return k % s->axes[a].nvalues;
}

const char *scan_value_text(const ScanDecl *s, int k, int a) {
    const AstExpr *v = s->axes[a].values[scan_value_index(s, k, a)];
    const SrcFile *f = src_file(v->loc.file);
    if (!f) return "?";
    return arena_strndup(f->text + v->loc.start, v->loc.end - v->loc.start);
}

const char *scan_point_label(const ScanDecl *s, int k) {
    const char *out = "";
    for (int a = 0; a < s->naxes; a++)
        out = arena_printf("%s%s%s=%s", out, a ? " " : "", s->axes[a].path, scan_value_text(s, k, a));
    return out;
}

/* ARGS[NARGS] with argument ARG (at POS when positional) set to V. */
static void set_arg(AstArg **args, int *nargs, const char *arg, int pos, AstExpr *v, Loc name_loc) {
    int named_at = -1, npos = 0;
    for (int i = 0; i < *nargs; i++) {
        if ((*args)[i].name) { if (!strcmp((*args)[i].name, arg)) named_at = i; }
        else npos++;
    }
    if (named_at >= 0) { (*args)[named_at].value = v; return; }
    if (pos >= 0 && pos < npos) {
        for (int i = 0, p = 0; i < *nargs; i++)
            if (!(*args)[i].name && p++ == pos) { (*args)[i].value = v; return; }
    }
    AstArg *n = arena_alloc(sizeof *n * (size_t)(*nargs + 1));
    if (*nargs) memcpy(n, *args, sizeof *n * (size_t)*nargs);
    n[*nargs] = (AstArg){ arg, name_loc, v };
    *args = n;
    (*nargs)++;
}

static void set_key(AstDecl *d, const char *key, AstExpr *v, Loc key_loc) {
    for (int i = 0; i < d->nstmts; i++)
        if (d->stmts[i].kind == ST_ASSIGN && !strcmp(d->stmts[i].kind_name.name, key)) {
            d->stmts[i].value = v;
            return;
        }
    AstStmt *n = arena_alloc(sizeof *n * (size_t)(d->nstmts + 1));
    if (d->nstmts) memcpy(n, d->stmts, sizeof *n * (size_t)d->nstmts);
    AstStmt *st = &n[d->nstmts];
    st->kind = ST_ASSIGN;
    st->loc = loc_span(key_loc, v->loc);
    st->kind_name = st->name = (AstName){ key, key_loc };
    st->value = v;
    d->stmts = n;
    d->nstmts++;
}

bool scan_apply(AstFile **files, int nfiles, const ScanDecl *s, int k) {
    if (k < 0 || k >= s->npoints) {
        diag_error(NOLOC, "scan '%s' has %d points (0 to %d); there is no point %d", s->name, s->npoints,
                   s->npoints - 1, k);
        return false;
    }
    for (int a = 0; a < s->naxes; a++) {
        const ScanAxis *ax = &s->axes[a];
        AstExpr *v = ax->values[scan_value_index(s, k, a)];
        Target t;
        if (!resolve_axis_target(files, nfiles, ax, &t)) return false;
        switch (t.kind) {
        case TGT_CALL: {
            AstExpr *call = *t.value;
            set_arg(&call->args, &call->nargs, ax->arg, resolve_param_position(call->text, ax->arg), v, ax->loc);
            break;
        }
        case TGT_TYPE: {
            AstExpr *ty = arena_alloc(sizeof *ty);
            *ty = **t.value;               /* the declaration keeps its own copy of the list */
            int i = type_param(ax->arg);
            if (i >= ty->nitems) {
                diag_error(ax->loc, "the type of quantizer '%s' has no parameter %d", ax->name, i + 1);
                return false;
            }
            ty->items = arena_alloc(sizeof *ty->items * (size_t)ty->nitems);
            memcpy(ty->items, (*t.value)->items, sizeof *ty->items * (size_t)ty->nitems);
            ty->items[i] = v;
            *t.value = ty;
            break;
        }
        case TGT_LAYER:
            set_arg(&t.layer->args, &t.layer->nargs, ax->arg,
                    resolve_param_position(t.layer->kind_name.name, ax->arg), v, ax->loc);
            t.layer->has_parens = true;
            break;
        case TGT_BLOCK:
            set_key(t.block, ax->arg, v, ax->loc);
            break;
        case TGT_NONE:
            return false;
        }
    }
    return true;
}
