/* data.c — aedl_data_load and the splits: features, flatten, the seeded subset
 * and order, the NaN/Inf check, masks and the shape check, on top of a data_src
 * (data_h5.c, data_csv.c). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "data_src.h"
#include "rng.h"
#include "util.h"

void aedl_shape_str(const size_t *shape, int rank, char *buf, size_t len) {
    size_t u = 0;
    if (len == 0) return;
    buf[0] = 0;
    u += (size_t)snprintf(buf, len, "(");
    for (int i = 0; i < rank && u < len; i++)
        u += (size_t)snprintf(buf + u, len - u, "%s%zu", i ? ", " : "", shape[i]);
    if (u < len) snprintf(buf + u, len - u, ")");
}

int aedl_shape_check(const aedl_table *t, const size_t *shape, int rank, const char *what,
                     char *err, size_t errlen) {
    int same = rank == t->rank;
    size_t prod = 1;
    for (int i = 0; i < rank; i++) {
        prod *= shape[i];
        if (same && shape[i] != t->shape[i]) same = 0;
    }
    if (same) return 0;
    char a[128], b[128];
    aedl_shape_str(t->shape, t->rank, a, sizeof a);
    aedl_shape_str(shape, rank, b, sizeof b);
    const char *hint = (prod == t->d && t->rank > 1 && rank == 1) ? "; set flatten = true?" : "";
    return data_err(err, errlen, "%s: events have shape %s (after features and flatten), but the "
                    "model input has shape %s%s", what, a, b, hint);
}

void aedl_table_free(aedl_table *t) {
    if (t->owns) { free(t->x); free(t->mask); free(t->xhw); }
    memset(t, 0, sizeof *t);
}

/* Describes element e of an event in the source's per-event dims: "[3, 1]". */
static void elem_str(const data_src *s, size_t e, char *buf, size_t len) {
    size_t idx[AEDL_MAX_RANK];
    for (int i = s->rank - 1; i >= 0; i--) { idx[i] = e % s->dims[i]; e /= s->dims[i]; }
    size_t u = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < s->rank && u < len; i++)
        u += (size_t)snprintf(buf + u, len - u, "%s%zu", i ? ", " : "", idx[i]);
    if (u < len) snprintf(buf + u, len - u, "]");
}

/* The index of element e of an event in the whole dataset: "[12, 3, 1]". */
static void full_index(const data_src *s, size_t event, size_t e, char *buf, size_t len) {
    char el[96];
    elem_str(s, e, el, sizeof el);
    if (s->file_rank == 1) snprintf(buf, len, "[%zu]", event);
    else snprintf(buf, len, "[%zu, %s", event, el + 1);
}

/* Copies the kept features of one source row into dst (d floats); checks that each
   is finite and fills the mask.  Returns -1 (message in err) on NaN/Inf. */
static int take_row(const data_src *s, const float *row, size_t event, const int *feat,
                    size_t nf, float *dst, uint8_t *mask, char *err, size_t errlen) {
    size_t last = s->dims[s->rank - 1], outer = s->rowlen / last;
    for (size_t o = 0; o < outer; o++) {
        const float *src = row + o * last;
        for (size_t f = 0; f < nf; f++) {
            size_t j = feat ? (size_t)feat[f] : f;
            float v = src[j];
            if (!isfinite(v)) {
                const char *what = isnan(v) ? "a NaN" : "an infinite value";
                if (s->lines)
                    return data_err(err, errlen, "%s:%zu: field %zu is %s", s->path, s->lines[event],
                                    j + 1, what);
                char el[96];
                elem_str(s, o * last + j, el, sizeof el);
                double dv;
                if (isinf(v) && src_h5_double(s, event, o * last + j, &dv) == 0 && isfinite(dv)) {
                    char at[128];
                    full_index(s, event, o * last + j, at, sizeof at);
                    return data_err(err, errlen, "%s: %s%s = %g overflows float32 (the largest float32 "
                                    "is %g)", s->path, s->dataset ? s->dataset : s->name, at, dv,
                                    (double)FLT_MAX);
                }
                return data_err(err, errlen, "%s: %s has %s at event %zu (element %s of the event)",
                                s->path, s->name, what, event, el);
            }
            dst[o * nf + f] = v;
            if (mask) mask[o * nf + f] = v != 0.0f;
        }
    }
    return 0;
}

int aedl_data_load(const aedl_data_spec *sp, aedl_table *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (!sp || !sp->path) return data_err(err, errlen, "data: no source path given");
    data_src s;
    char dsname[300];
    if (sp->sel) {
        if (src_sel_open(&s, sp, err, errlen)) return -1;
    } else if (sp->kind == AEDL_SRC_HDF5) {
        if (src_h5_open(&s, sp->path, sp->dataset, err, errlen)) return -1;
        snprintf(dsname, sizeof dsname, "dataset '%s'", sp->dataset);
        s.name = dsname;
    } else if (sp->kind == AEDL_SRC_CSV) {
        if (src_csv_open(&s, sp->path, err, errlen)) return -1;
    } else {
        return data_err(err, errlen, "%s: unknown source kind %d", sp->path, (int)sp->kind);
    }

    /* Per-event shape after features and flatten. */
    size_t last = s.dims[s.rank - 1];
    size_t nf = sp->features ? sp->nfeatures : last;
    if (sp->features && nf == 0) {
        src_close(&s);
        return data_err(err, errlen, "%s: features = [] selects nothing", sp->path);
    }
    for (size_t f = 0; sp->features && f < nf; f++)
        if (sp->features[f] < 0 || (size_t)sp->features[f] >= last) {
            src_close(&s);
            return data_err(err, errlen, "%s: feature index %d is out of range: the last axis of "
                            "%s has %zu entries (0 to %zu)", sp->path, sp->features[f], s.name,
                            last, last - 1);
        }
    out->d = s.rowlen / last * nf;
    if (sp->flatten) {
        out->rank = 1;
        out->shape[0] = out->d;
    } else {
        out->rank = s.rank;
        memcpy(out->shape, s.dims, sizeof(size_t) * (size_t)s.rank);
        out->shape[s.rank - 1] = nf;
    }
    if (sp->input_shape && aedl_shape_check(out, sp->input_shape, sp->input_rank, sp->path, err, errlen)) {
        src_close(&s);
        memset(out, 0, sizeof *out);
        return -1;
    }

    /* How many events, which ones, and where each goes. */
    size_t n = s.n, nout = n;
    out->n_available = n;
    out->source = sp->path;
    if (sp->limit) {
        if (sp->limit > n)
            snprintf(out->warning, sizeof out->warning, "%s: limit = %zu is more than the %zu "
                     "events in %s; using all %zu", sp->path, sp->limit, n, s.name, n);
        else
            nout = sp->limit;
    }
    if (s.note[0]) {
        size_t u = strlen(out->warning);
        snprintf(out->warning + u, sizeof out->warning - u, "%s%s", u ? "; " : "", s.note);
    }
    aedl_rng rng;
    aedl_rng_seed(&rng, sp->seed);
    size_t *dest = NULL;                         /* (nout) output row of the k-th selected event */
    if (sp->shuffle) {
        dest = xmalloc(nout * sizeof *dest);
        for (size_t i = 0; i < nout; i++) dest[i] = i;
        aedl_rng_shuffle(&rng, dest, nout);
    }
    /* Subset: all events; the first nout (no shuffle); or a uniform random subset of
       nout events chosen in one pass (selection sampling, Knuth's Algorithm S). */
    int sample = sp->shuffle && nout < n;
    size_t end = sample ? n : nout;              /* source rows to visit */

    out->n = nout;
    out->x = xmalloc(nout * out->d * sizeof(float));
    out->mask = sp->want_mask ? xmalloc(nout * out->d) : NULL;
    out->owns = 1;
    uint8_t *pick = xmalloc(s.block);
    size_t k = 0, need = nout;
    int rc = 0;
    for (size_t r0 = 0; r0 < end && k < nout && !rc; r0 += s.block) {
        size_t nb = end - r0 < s.block ? end - r0 : s.block;
        size_t any = 0;
        for (size_t i = 0; i < nb; i++) {
            if (sample) {
                pick[i] = (double)(n - (r0 + i)) * aedl_rng_uniform(&rng) < (double)need;
                need -= pick[i];
            } else {
                pick[i] = 1;
            }
            any += pick[i];
        }
        if (!any) continue;
        const float *rows = src_read(&s, r0, nb, err, errlen);
        if (!rows) { rc = -1; break; }
        for (size_t i = 0; i < nb && !rc; i++) {
            if (!pick[i]) continue;
            size_t o = dest ? dest[k] : k;
#if defined(__GNUC__)
            /* Shuffled rows land at random places: fetch a few rows ahead into cache. */
            if (dest && k + 8 < nout) {
                const char *ahead = (const char *)(out->x + dest[k + 8] * out->d);
                for (size_t b = 0; b < out->d * sizeof(float); b += 64) __builtin_prefetch(ahead + b, 1);
            }
#endif
            rc = take_row(&s, rows + i * s.rowlen, r0 + i, sp->features, nf, out->x + o * out->d,
                          out->mask ? out->mask + o * out->d : NULL, err, errlen);
            k++;
        }
    }
    if (!rc && k != nout)
        rc = data_err(err, errlen, "%s: internal error: selected %zu of %zu events", sp->path, k, nout);
    free(pick);
    free(dest);
    src_close(&s);
    if (rc) { aedl_table_free(out); return -1; }
    return 0;
}

static void view(const aedl_table *all, size_t r0, size_t n, aedl_table *v) {
    if (!v) return;
    *v = *all;
    v->owns = 0;
    v->warning[0] = 0;
    v->n = n;
    v->x = all->x + r0 * all->d;
    v->mask = all->mask ? all->mask + r0 * all->d : NULL;
    v->xhw = all->xhw ? all->xhw + r0 * all->d : NULL;
}

int aedl_split(const aedl_table *all, double val_frac, double test_frac,
               aedl_table *train, aedl_table *val, aedl_table *test, char *err, size_t errlen) {
    if (!(val_frac >= 0 && test_frac >= 0 && val_frac + test_frac < 1))
        return data_err(err, errlen, "validation = %g and test = %g: each must be >= 0 and their "
                        "sum below 1", val_frac, test_frac);
    size_t nt = (size_t)llround((double)all->n * test_frac);
    size_t nv = (size_t)llround((double)all->n * val_frac);
    if (nt + nv >= all->n || (val_frac > 0 && nv == 0) || (test_frac > 0 && nt == 0)) {
        /* The fewest events that give each asked-for split one event and keep one
           for training. */
        size_t need = 1;
        if (val_frac > 0 && (double)need < 0.5 / val_frac) need = (size_t)ceil(0.5 / val_frac);
        if (test_frac > 0 && (double)need < 0.5 / test_frac) need = (size_t)ceil(0.5 / test_frac);
        for (; need < ((size_t)1 << 40); need++) {
            size_t t = (size_t)llround((double)need * test_frac), v = (size_t)llround((double)need * val_frac);
            if (t + v < need && (val_frac == 0 || v > 0) && (test_frac == 0 || t > 0)) break;
        }
        char limited[96] = "";
        if (all->n_available > all->n)
            snprintf(limited, sizeof limited, " (limit %zu of %zu)", all->n, all->n_available);
        const char *each = val_frac > 0 && test_frac > 0 ? "at least one each" : "at least one";
        char splits[128];
        if (val_frac > 0 && test_frac > 0)
            snprintf(splits, sizeof splits, "the validation split (%g) and test split (%g)", val_frac, test_frac);
        else if (val_frac > 0)
            snprintf(splits, sizeof splits, "the validation split (%g)", val_frac);
        else if (test_frac > 0)
            snprintf(splits, sizeof splits, "the test split (%g)", test_frac);
        else
            snprintf(splits, sizeof splits, "training");
        return data_err(err, errlen, "%s%sthe data give %zu event%s%s: %s need at least %zu events "
                        "(%s, and one left for training)", all->source ? all->source : "",
                        all->source ? ": " : "", all->n, all->n == 1 ? "" : "s", limited, splits, need, each);
    }
    size_t ntr = all->n - nv - nt;
    view(all, 0, ntr, train);
    view(all, ntr, nv, val);
    view(all, ntr + nv, nt, test);
    return 0;
}
