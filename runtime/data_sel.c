/* data_sel.c — the object selection (data_sel.h) over ROOT trees and HDF5 files
 * holding NanoAOD-style jagged columns.  ROOT branches are read basket by basket
 * (rt_reader); an HDF5 column is read whole, per file. */
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "data_sel.h"
#include "data_src.h"
#include "root.h"
#include "util.h"

/* One column of the current file: a ROOT branch or an HDF5 dataset. */
enum { COL_COUNT, COL_VAR, COL_SCALAR };
typedef struct {
    char name[300];
    int role;                     /* COL_* */
    char kind[100];               /* COUNT, VAR: the object kind */
    char count[300];              /* VAR: the name of its count column */
    int jagged;
    rt_reader r;                  /* ROOT */
    double *all;                  /* HDF5: every value */
    size_t nall;
} column;

typedef struct {
    const aedl_selection *sel;
    const char *path;
    int root;
    rt_tree t;
    hid_t h5;
    int64_t n;                    /* events of this file */
    column *cols;
    int ncols;
    size_t *count_col;            /* per kind: its count column */
    size_t *var_col;              /* per kind x var */
    size_t *sort_col, *cut_col, *scalar_col;
    int64_t *h5off;               /* HDF5: per kind, (n + 1) offsets of its objects */
} file_cols;

size_t aedl_select_rowlen(const aedl_selection *sel) {
    size_t k = 0;
    for (int i = 0; i < sel->nobjs; i++) k += (size_t)sel->objs[i].n * (size_t)sel->objs[i].nvars;
    return k + (size_t)sel->nscalars;
}

int aedl_select_names(const aedl_selection *sel, char **names, char *buf, size_t cap) {
    size_t u = 0, c = 0;
    for (int i = 0; i < sel->nobjs; i++)
        for (int j = 0; j < sel->objs[i].n; j++)
            for (int v = 0; v < sel->objs[i].nvars; v++) {
                int w = snprintf(buf + u, cap - u, "%s_%d_%s", sel->objs[i].kind, j, sel->objs[i].vars[v]);
                if (w < 0 || (size_t)w >= cap - u) return -1;
                names[c++] = buf + u;
                u += (size_t)w + 1;
            }
    for (int s = 0; s < sel->nscalars; s++) {
        int w = snprintf(buf + u, cap - u, "%s", sel->scalars[s]);
        if (w < 0 || (size_t)w >= cap - u) return -1;
        names[c++] = buf + u;
        u += (size_t)w + 1;
    }
    return 0;
}

/* ---- HDF5 columns ------------------------------------------------------------ */
typedef struct { char list[900]; const char *want; char best[300]; size_t bestd; int count; } h5names;

static size_t edist(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 200 || lb > 200) return 1000;
    size_t row[201];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j], best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            size_t sub = prev + (a[i - 1] != b[j - 1]);
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

static herr_t name_cb(hid_t g, const char *name, const H5L_info_t *info, void *op) {
    (void)g; (void)info;
    h5names *h = op;
    size_t u = strlen(h->list);
    if (u + strlen(name) + 40 < sizeof h->list) snprintf(h->list + u, sizeof h->list - u, "%s%s", u ? ", " : "", name);
    h->count++;
    size_t d = edist(h->want, name);
    if (d < h->bestd) { h->bestd = d; snprintf(h->best, sizeof h->best, "%s", name); }
    return 0;
}

static int h5_column(file_cols *f, column *c, char *err, size_t errlen) {
    h5_quiet q;
    h5_quiet_begin(&q);
    hid_t d = H5Lexists(f->h5, c->name, H5P_DEFAULT) > 0 ? H5Dopen2(f->h5, c->name, H5P_DEFAULT) : -1;
    if (d < 0) {
        h5_quiet_end(&q);
        h5names h = { "", c->name, "", (size_t)-1, 0 };
        H5Literate(f->h5, H5_INDEX_NAME, H5_ITER_INC, NULL, name_cb, &h);
        char hint[400] = "";
        if (h.bestd <= strlen(c->name) / 3 + 1) snprintf(hint, sizeof hint, "; did you mean '%s'?", h.best);
        return data_err(err, errlen, "%s: no dataset '%s'%s (the file holds: %s)", f->path, c->name, hint, h.list);
    }
    hid_t sp = H5Dget_space(d);
    int rank = H5Sget_simple_extent_ndims(sp);
    hsize_t dims[8] = {0};
    if (rank >= 1 && rank <= 8) H5Sget_simple_extent_dims(sp, dims, NULL);
    hid_t ty = H5Dget_type(d);
    H5T_class_t cls = H5Tget_class(ty);
    H5Tclose(ty);
    int rc = 0;
    if (rank != 1 || (cls != H5T_INTEGER && cls != H5T_FLOAT)) {
        rc = data_err(err, errlen, "%s: dataset '%s' must hold numbers in one dimension (a flat "
                      "column, NanoAOD style), not rank %d", f->path, c->name, rank);
    } else {
        c->nall = (size_t)dims[0];
        c->all = xmalloc((c->nall ? c->nall : 1) * sizeof(double));
        if (c->nall && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, c->all) < 0)
            rc = data_err(err, errlen, "%s: cannot read dataset '%s' (damaged file?)", f->path, c->name);
    }
    H5Sclose(sp);
    H5Dclose(d);
    h5_quiet_end(&q);
    return rc;
}

/* ---- opening a file: every column the selection needs ---------------------------- */
static size_t add_col(file_cols *f, const char *name, int role, const char *kind, const char *count) {
    for (int i = 0; i < f->ncols; i++) if (!strcmp(f->cols[i].name, name)) return (size_t)i;
    f->cols = xrealloc(f->cols, ((size_t)f->ncols + 1) * sizeof *f->cols);
    column *c = &f->cols[f->ncols];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->role = role;
    snprintf(c->kind, sizeof c->kind, "%s", kind ? kind : "");
    snprintf(c->count, sizeof c->count, "%s", count ? count : "");
    return (size_t)f->ncols++;
}

/* The count branch of a kind: "nFatJet"; in a ROOT tree without it, the leaf
   count of the kind's variable, or of any KIND_ branch (HZZ-style "NMuon"). */
static void count_name(file_cols *f, const char *kind, const char *var, char *out, size_t cap) {
    snprintf(out, cap, "n%s", kind);
    if (!f->root || rt_branch_find(&f->t, out)) return;
    char vn[300];
    snprintf(vn, sizeof vn, "%s_%s", kind, var ? var : "");
    const rt_branch *b = var ? rt_branch_find(&f->t, vn) : NULL;
    size_t kl = strlen(vn);
    for (int i = 0; !b && !var && i < f->t.nbranches; i++)
        if (!strncmp(f->t.br[i].name, vn, kl) && f->t.br[i].count) b = &f->t.br[i];
    if (b && b->count && rt_branch_find(&f->t, b->count)) snprintf(out, cap, "%s", b->count);
}

static void close_file(file_cols *f) {
    for (int i = 0; i < f->ncols; i++) {
        rt_reader_free(&f->cols[i].r);
        free(f->cols[i].all);
    }
    free(f->cols);
    free(f->count_col);
    free(f->var_col);
    free(f->sort_col);
    free(f->cut_col);
    free(f->scalar_col);
    free(f->h5off);
    if (f->root) rt_tree_close(&f->t);
    else if (f->h5 >= 0) { h5_quiet q; h5_quiet_begin(&q); H5Fclose(f->h5); h5_quiet_end(&q); }
    memset(f, 0, sizeof *f);
    f->h5 = -1;
}

static int root_column(file_cols *f, column *c, int want_jagged, const char *count, const char *what,
                       char *err, size_t errlen) {
    const rt_branch *b = rt_branch_find(&f->t, c->name);
    if (!b) {
        const char *sug = rt_branch_suggest(&f->t, c->name);
        char list[700];
        const char *us = strchr(c->name, '_');
        char prefix[100] = "";
        if (c->role == COL_COUNT) snprintf(prefix, sizeof prefix, "n");
        else if (us && (size_t)(us - c->name) < sizeof prefix - 1) snprintf(prefix, sizeof prefix, "%.*s_", (int)(us - c->name), c->name);
        rt_branch_list(&f->t, prefix[0] ? prefix : NULL, list, sizeof list);
        if (!list[0]) rt_branch_list(&f->t, NULL, list, sizeof list);
        char hint[400] = "";
        if (sug) snprintf(hint, sizeof hint, "; did you mean '%s'?", sug);
        return data_err(err, errlen, "%s: tree '%s' has no branch '%s' (%s)%s; it has: %s", f->path,
                        f->t.tree, c->name, what, hint, list);
    }
    if (b->type == RT_UNSUPPORTED)
        return data_err(err, errlen, "%s: branch '%s' holds %s, which is not supported (bool, integers, "
                        "float and double, flat or counted)", f->path, c->name, b->unsupported);
    if (want_jagged && !b->count)
        return data_err(err, errlen, "%s: branch '%s' (%s) is not a per-object branch: it has no "
                        "count branch", f->path, c->name, what);
    if (want_jagged && count && strcmp(b->count, count))
        return data_err(err, errlen, "%s: branch '%s' is counted by '%s', not by '%s'", f->path, c->name,
                        b->count, count);
    if (!want_jagged && (b->count || b->len != 1))
        return data_err(err, errlen, "%s: branch '%s' (%s) holds %s per event, not one value", f->path,
                        c->name, what, b->count ? "a list" : "an array");
    c->jagged = want_jagged;
    rt_reader_init(&c->r, &f->t, b);
    return 0;
}

static int open_file(file_cols *f, const aedl_selection *sel, const char *path, char *err, size_t errlen) {
    memset(f, 0, sizeof *f);
    f->h5 = -1;
    f->sel = sel;
    f->path = path;
    f->root = sel->tree != NULL;
    if (f->root) {
        if (rt_tree_open(&f->t, path, sel->tree, err, errlen)) return -1;
        f->root = 1;
        f->n = f->t.entries;
    } else {
        char why[160];
        if (aedl_file_problem(path, why, sizeof why)) return data_err(err, errlen, "%s: %s", path, why);
        h5_quiet q;
        h5_quiet_begin(&q);
        int ok = H5Fis_hdf5(path) > 0;
        if (ok) f->h5 = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        h5_quiet_end(&q);
        if (!ok) return data_err(err, errlen, "%s: not an HDF5 file", path);
        if (f->h5 < 0) return data_err(err, errlen, "%s: cannot open the HDF5 file", path);
    }
    int nk = sel->nobjs;
    f->count_col = xcalloc((size_t)nk + 1, sizeof(size_t));
    f->sort_col = xcalloc((size_t)nk + 1, sizeof(size_t));
    f->h5off = NULL;
    size_t nv = 0;
    for (int k = 0; k < nk; k++) nv += (size_t)sel->objs[k].nvars;
    f->var_col = xcalloc(nv + 1, sizeof(size_t));
    f->cut_col = xcalloc((size_t)sel->ncuts + 1, sizeof(size_t));
    f->scalar_col = xcalloc((size_t)sel->nscalars + 1, sizeof(size_t));
    /* Columns: counts, variables, sort and cut variables, scalars. */
    char name[300], cnt[300], what[500];
    size_t vi = 0;
    for (int k = 0; k < nk; k++) {
        const aedl_objsel *o = &sel->objs[k];
        count_name(f, o->kind, o->nvars ? o->vars[0] : NULL, cnt, sizeof cnt);
        f->count_col[k] = add_col(f, cnt, COL_COUNT, o->kind, NULL);
        for (int v = 0; v < o->nvars; v++) {
            snprintf(name, sizeof name, "%s_%s", o->kind, o->vars[v]);
            f->var_col[vi++] = add_col(f, name, COL_VAR, o->kind, cnt);
        }
        if (o->sort_by) {
            snprintf(name, sizeof name, "%s_%s", o->kind, o->sort_by);
            f->sort_col[k] = add_col(f, name, COL_VAR, o->kind, cnt);
        }
    }
    for (int c = 0; c < sel->ncuts; c++) {
        const aedl_evcut *cu = &sel->cuts[c];
        count_name(f, cu->kind, cu->var, cnt, sizeof cnt);
        if (cu->var) {
            snprintf(name, sizeof name, "%s_%s", cu->kind, cu->var);
            f->cut_col[c] = add_col(f, name, COL_VAR, cu->kind, cnt);
        } else {
            f->cut_col[c] = add_col(f, cnt, COL_COUNT, cu->kind, NULL);
        }
    }
    for (int s = 0; s < sel->nscalars; s++) f->scalar_col[s] = add_col(f, sel->scalars[s], COL_SCALAR, NULL, NULL);
    for (int i = 0; i < f->ncols; i++) {
        column *c = &f->cols[i];
        if (c->role == COL_COUNT) snprintf(what, sizeof what, "the count of object kind '%s'", c->kind);
        else if (c->role == COL_SCALAR) snprintf(what, sizeof what, "a scalar");
        else snprintf(what, sizeof what, "a variable of object kind '%s'", c->kind);
        c->jagged = c->role == COL_VAR;
        if (f->root) {
            if (root_column(f, c, c->jagged, c->count, what, err, errlen)) return -1;
        } else if (h5_column(f, c, err, errlen)) {
            if (c->role == COL_COUNT) {
                char e2[1400];
                snprintf(e2, sizeof e2, "%s (object kind '%s' needs its count)", err, c->kind);
                snprintf(err, errlen, "%s", e2);
            }
            return -1;
        }
    }
    if (!f->root) {
        /* Events: the length of the first count or scalar column; offsets per kind. */
        f->n = -1;
        for (int i = 0; i < f->ncols; i++)
            if (!f->cols[i].jagged) {
                if (f->n < 0) f->n = (int64_t)f->cols[i].nall;
                else if ((int64_t)f->cols[i].nall != f->n)
                    return data_err(err, errlen, "%s: dataset '%s' has %zu events, '%s' %lld", path,
                                    f->cols[i].name, f->cols[i].nall, f->cols[0].name, (long long)f->n);
            }
        if (f->n < 0) return data_err(err, errlen, "%s: the selection reads no per-event dataset", path);
        f->h5off = xcalloc((size_t)f->ncols * ((size_t)f->n + 1), sizeof(int64_t));
        for (int i = 0; i < f->ncols; i++) {
            column *c = &f->cols[i];
            if (!c->jagged) continue;
            column *cc = NULL;
            for (int j = 0; j < f->ncols; j++) if (!strcmp(f->cols[j].name, c->count)) cc = &f->cols[j];
            if (!cc) return data_err(err, errlen, "%s: no count dataset '%s' for '%s'", path, c->count, c->name);
            const char *cn = c->count;
            int64_t *off = f->h5off + (size_t)i * ((size_t)f->n + 1);
            for (int64_t e = 0; e < f->n; e++) {
                double v = cc->all[e];
                if (!(v >= 0 && v <= 1e9) || v != floor(v))
                    return data_err(err, errlen, "%s: count '%s' at event %lld is %g, not a count", path, cn, (long long)e, v);
                off[e + 1] = off[e] + (int64_t)v;
            }
            if ((size_t)off[f->n] != c->nall)
                return data_err(err, errlen, "%s: dataset '%s' has %zu values, but its count '%s' adds up to %lld",
                                path, c->name, c->nall, cn, (long long)off[f->n]);
        }
    }
    return 0;
}

/* The values of column i at event e. */
static const double *col_get(file_cols *f, size_t i, int64_t e, size_t *n, char *err, size_t errlen) {
    column *c = &f->cols[i];
    if (f->root) return rt_reader_get(&c->r, e, n, err, errlen);
    if (!c->jagged) { *n = 1; return c->all + e; }
    const int64_t *off = f->h5off + i * ((size_t)f->n + 1);
    *n = (size_t)(off[e + 1] - off[e]);
    return c->all + off[e];
}

/* Count value of a kind at e, checked against a variable's list length. */
static int get_count(file_cols *f, size_t col, int64_t e, size_t *cnt, char *err, size_t errlen) {
    size_t n;
    const double *v = col_get(f, col, e, &n, err, errlen);
    if (!v) return -1;
    if (n != 1 || !(v[0] >= 0 && v[0] <= 1e9))
        return data_err(err, errlen, "%s: count '%s' at event %lld is not a count", f->path, f->cols[col].name, (long long)e);
    *cnt = (size_t)v[0];
    return 0;
}

typedef struct { double key; size_t idx; } sortkey;
static int by_key_desc(const void *a, const void *b) {
    const sortkey *x = a, *y = b;
    if (x->key > y->key) return -1;
    if (x->key < y->key) return 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int select_file(file_cols *f, aedl_selected *out, size_t *cap, char *err, size_t errlen) {
    const aedl_selection *sel = f->sel;
    size_t rowlen = out->rowlen;
    float *row = xmalloc((rowlen ? rowlen : 1) * sizeof(float));
    sortkey *keys = NULL;
    size_t kcap = 0;
    int rc = 0;
    for (int64_t e = 0; e < f->n && !rc; e++) {
        if (sel->progress && e > 0 && e % 1000000 == 0)
            sel->progress(sel->progress_arg, f->path, out->read + e, (long long)out->n);
        size_t pos = 0, vi = 0;
        int keep = 1;
        for (int c = 0; c < sel->ncuts && keep; c++) {
            const aedl_evcut *cu = &sel->cuts[c];
            size_t n;
            const double *v = col_get(f, f->cut_col[c], e, &n, err, errlen);
            if (!v) { rc = -1; break; }
            size_t pass = 0;
            if (!cu->var) {
                if (get_count(f, f->cut_col[c], e, &pass, err, errlen)) { rc = -1; break; }
            } else {
                for (size_t j = 0; j < n; j++) pass += v[j] > cu->above;
            }
            if ((long)pass < cu->min) keep = 0;
        }
        if (rc) break;
        for (int k = 0; k < sel->nobjs && keep && !rc; k++) {
            const aedl_objsel *o = &sel->objs[k];
            size_t cnt = 0;
            if (get_count(f, f->count_col[k], e, &cnt, err, errlen)) { rc = -1; break; }
            size_t n0;
            const double *v0 = col_get(f, f->var_col[vi], e, &n0, err, errlen);
            if (!v0) { rc = -1; break; }
            if (n0 != cnt) {
                rc = data_err(err, errlen, "%s: '%s' has %zu values at event %lld, but its count '%s' says %zu",
                              f->path, f->cols[f->var_col[vi]].name, n0, (long long)e,
                              f->cols[f->count_col[k]].name, cnt);
                break;
            }
            if (cnt > kcap) { kcap = cnt * 2; keys = xrealloc(keys, kcap * sizeof *keys); }
            for (size_t j = 0; j < cnt; j++) { keys[j].idx = j; keys[j].key = 0; }
            if (o->sort_by) {
                size_t n;
                const double *sv = col_get(f, f->sort_col[k], e, &n, err, errlen);
                if (!sv) { rc = -1; break; }
                if (n != cnt) {
                    rc = data_err(err, errlen, "%s: branch '%s' has %zu values at event %lld, but its count "
                                  "'%s' says %zu", f->path, f->cols[f->sort_col[k]].name, n, (long long)e,
                                  f->cols[f->count_col[k]].name, cnt);
                    break;
                }
                for (size_t j = 0; j < cnt; j++) keys[j].key = sv[j];
                if (cnt > 1) qsort(keys, cnt, sizeof *keys, by_key_desc);
            }
            size_t keepn = cnt < (size_t)o->n ? cnt : (size_t)o->n;
            for (int v = 0; v < o->nvars; v++) {
                size_t col = f->var_col[vi++], n;
                const double *vv = col_get(f, col, e, &n, err, errlen);
                if (!vv) { rc = -1; break; }
                if (n != cnt) {
                    rc = data_err(err, errlen, "%s: '%s' has %zu values at event %lld, but its count '%s' "
                                  "says %zu", f->path, f->cols[col].name, n, (long long)e,
                                  f->cols[f->count_col[k]].name, cnt);
                    break;
                }
                for (size_t j = 0; j < (size_t)o->n; j++)
                    row[pos + j * (size_t)o->nvars + (size_t)v] = j < keepn ? (float)vv[keys[j].idx] : (float)o->pad;
            }
            pos += (size_t)o->n * (size_t)o->nvars;
        }
        if (rc || !keep) continue;
        for (int s = 0; s < sel->nscalars; s++) {
            size_t n;
            const double *v = col_get(f, f->scalar_col[s], e, &n, err, errlen);
            if (!v) { rc = -1; break; }
            row[pos++] = (float)v[0];
        }
        if (rc) break;
        if (sel->row) {
            sel->row(sel->row_arg, row, rowlen);
            out->n++;
            continue;
        }
        if (out->n == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            out->rows = xrealloc(out->rows, *cap * (rowlen ? rowlen : 1) * sizeof(float));
        }
        memcpy(out->rows + out->n * rowlen, row, rowlen * sizeof(float));
        out->n++;
    }
    free(row);
    free(keys);
    return rc;
}

void aedl_selected_free(aedl_selected *s) {
    free(s->rows);
    memset(s, 0, sizeof *s);
}

int aedl_select(const aedl_selection *sel, aedl_selected *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (sel->nfiles <= 0) return data_err(err, errlen, "data: no files given");
    if (sel->nobjs == 0 && sel->nscalars == 0)
        return data_err(err, errlen, "%s: the selection keeps nothing (no objects, no scalars)", sel->files[0]);
    for (int k = 0; k < sel->nobjs; k++)
        if (sel->objs[k].n <= 0 || sel->objs[k].nvars <= 0)
            return data_err(err, errlen, "%s: object kind '%s' keeps no values (%d objects, %d variables)",
                            sel->files[0], sel->objs[k].kind, sel->objs[k].n, sel->objs[k].nvars);
    out->rowlen = aedl_select_rowlen(sel);
    int same = sel->nobjs > 0 && sel->nscalars == 0;
    size_t rows = 0;
    for (int k = 0; k < sel->nobjs; k++) {
        if (sel->objs[k].nvars != sel->objs[0].nvars) same = 0;
        rows += (size_t)sel->objs[k].n;
    }
    if (same) { out->rank = 2; out->dims[0] = rows; out->dims[1] = (size_t)sel->objs[0].nvars; }
    else { out->rank = 1; out->dims[0] = out->rowlen; }
    size_t cap = 0;
    for (int i = 0; i < sel->nfiles; i++) {
        glob_t g;
        int grc = glob(sel->files[i], 0, NULL, &g);
        if (grc == GLOB_NOMATCH || g.gl_pathc == 0) {
            globfree(&g);
            if (strpbrk(sel->files[i], "*?[")) {
                aedl_selected_free(out);
                return data_err(err, errlen, "%s: no file matches this pattern", sel->files[i]);
            }
            /* a plain name: opened below, so the message says why it cannot be read */
            g.gl_pathc = 0;
        }
        size_t nf = g.gl_pathc ? g.gl_pathc : 1;
        for (size_t j = 0; j < nf; j++) {
            const char *path = g.gl_pathc ? g.gl_pathv[j] : sel->files[i];
            file_cols f;
            int rc = open_file(&f, sel, path, err, errlen);
            if (!rc) rc = select_file(&f, out, &cap, err, errlen);
            if (!rc) out->read += f.n;
            close_file(&f);
            if (rc) {
                if (g.gl_pathc) globfree(&g);
                aedl_selected_free(out);
                return -1;
            }
            if (!out->nfiles) snprintf(out->first_file, sizeof out->first_file, "%s", path);
            out->nfiles++;
            if (sel->progress) sel->progress(sel->progress_arg, path, out->read, (long long)out->n);
        }
        if (g.gl_pathc) globfree(&g);
    }
    if (out->n == 0 && !sel->row) {
        long long r = out->read;
        aedl_selected_free(out);
        return data_err(err, errlen, "%s: no event passes the cuts (%lld events read)", sel->files[0], r);
    }
    return 0;
}

int src_sel_open(data_src *s, const aedl_data_spec *sp, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->file = s->dset = s->fspace = -1;
    s->path = sp->path;
    aedl_selected r;
    if (aedl_select(sp->sel, &r, err, errlen)) return -1;
    s->name = "the selected events";
    s->n = r.n;
    s->rank = r.rank;
    s->dims[0] = r.dims[0];
    s->dims[1] = r.dims[1];
    s->rowlen = r.rowlen;
    s->block = r.n;
    s->rows = r.rows;
    s->file_rank = r.rank + 1;
    return 0;
}
