/* weights.c — loading trained parameters from HDF5 (see weights.h). */
#include <float.h>
#include <limits.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "data.h"
#include "weights.h"
#include "arena.h"
#include "util.h"

IrParams *weights_new_dense(int n_in, int units, bool bias, bool mask) {
    IrParams *p = xcalloc(1, sizeof *p);
    p->n_in = n_in; p->units = units;
    p->kernel = xcalloc((size_t)n_in * units, sizeof(float));
    if (bias) p->bias = xcalloc(units, sizeof(float));
    if (mask) p->mask = xcalloc((size_t)n_in * units, sizeof(float));
    return p;
}

IrParams *weights_new_batchnorm(int n) {
    IrParams *p = xcalloc(1, sizeof *p);
    p->n_in = p->units = n;
    p->gamma = xcalloc(n, sizeof(float));
    p->beta = xcalloc(n, sizeof(float));
    p->moving_mean = xcalloc(n, sizeof(float));
    p->moving_variance = xcalloc(n, sizeof(float));
    return p;
}

void weights_free(IrParams *p) {
    if (!p) return;
    free(p->kernel); free(p->bias); free(p->mask); free(p->gamma); free(p->beta);
    free(p->moving_mean); free(p->moving_variance);
    free(p);
}

void weights_zero_model(IrModel *m) {
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        if (n->params || (n->op != OP_DENSE && n->op != OP_BATCHNORM)) continue;
        if (n->op == OP_DENSE) {
            n->params = weights_new_dense((int)ir_shape_size(&n->inputs[0]->shape), n->units, n->use_bias, false);
        } else {
            int c = (int)ir_shape_size(&n->shape);
            n->params = weights_new_batchnorm(c);
            for (int k = 0; k < c; k++) n->params->gamma[k] = n->params->moving_variance[k] = 1.0f;
        }
    }
}

void weights_free_model(IrModel *m) {
    for (int i = 0; i < m->nnodes; i++) { weights_free(m->nodes[i]->params); m->nodes[i]->params = NULL; }
}

typedef struct {
    const char *path;
    int errors;
} Ctx;

static void err(Ctx *c, const char *fmt, const char *a, const char *b, const char *d) {
    fprintf(stderr, "%s: error: ", c->path);
    fprintf(stderr, fmt, a, b, d);
    fputc('\n', stderr);
    c->errors++;
}

static void shape_str(char *buf, int n, const hsize_t *d, int rank) {
    int k = snprintf(buf, n, "(");
    for (int i = 0; i < rank && k < n; i++) k += snprintf(buf + k, n - k, "%s%llu", i ? "," : "", (unsigned long long)d[i]);
    if (k < n) snprintf(buf + k, n - k, rank == 1 ? ",)" : ")");
}

/* Reads group/name as float of the expected shape (rank 1 or 2).  Returns NULL
   and reports when it is missing (if required), has another shape, or holds
   NaN/Inf. */
static float *read_ds(Ctx *c, hid_t g, const char *layer, const char *name, int rank, int d0, int d1,
                      bool required) {
    if (H5Lexists(g, name, H5P_DEFAULT) <= 0) {
        if (required) err(c, "layer '%s': dataset '%s' is missing%s", layer, name, "");
        return NULL;
    }
    char why[900];
    if (aedl_h5_link_problem(g, name, why, sizeof why)) {
        fprintf(stderr, "%s: error: layer '%s': %s\n", c->path, layer, why);
        c->errors++;
        return NULL;
    }
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    if (ds < 0) { err(c, "layer '%s': cannot open dataset '%s'%s", layer, name, ""); return NULL; }
    hid_t sp = H5Dget_space(ds);
    int r = H5Sget_simple_extent_ndims(sp);
    hsize_t dims[8] = {0};
    if (r >= 0 && r <= 8) H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    hsize_t want[2] = {(hsize_t)d0, (hsize_t)d1};
    bool ok = r == rank && dims[0] == want[0] && (rank == 1 || dims[1] == want[1]);
    if (!ok) {
        char got[96], exp[96];
        shape_str(got, sizeof got, dims, r < 0 ? 0 : r > 8 ? 8 : r);
        shape_str(exp, sizeof exp, want, rank);
        fprintf(stderr, "%s: error: layer '%s': %s has shape %s, the model needs %s\n", c->path, layer, name, got, exp);
        c->errors++;
        H5Dclose(ds);
        return NULL;
    }
    size_t n = (size_t)d0 * (rank == 2 ? (size_t)d1 : 1);
    /* Read as double: a float64 value beyond float32's range is named as such. */
    double *dv = xmalloc(sizeof(double) * (n ? n : 1));
    if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, dv) < 0) {
        err(c, "layer '%s': cannot read dataset '%s'%s", layer, name, "");
        H5Dclose(ds); free(dv); return NULL;
    }
    H5Dclose(ds);
    float *v = xmalloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        v[i] = (float)dv[i];
        if (!isfinite(v[i])) {
            char idx[64];
            if (rank == 2) snprintf(idx, sizeof idx, "[%zu, %zu]", i / (size_t)d1, i % (size_t)d1);
            else snprintf(idx, sizeof idx, "[%zu]", i);
            if (isfinite(dv[i]))
                fprintf(stderr, "%s: error: layer '%s': %s%s = %g overflows float32 (the largest float32 "
                        "is %g)\n", c->path, layer, name, idx, dv[i], (double)FLT_MAX);
            else
                fprintf(stderr, "%s: error: layer '%s': %s%s is %s\n", c->path, layer, name, idx,
                        isnan(v[i]) ? "NaN" : "infinite");
            c->errors++;
            free(v);
            free(dv);
            return NULL;
        }
    }
    free(dv);
    return v;
}

static bool has_params(const IrNode *n) { return ir_op_is(n->op, IR_K_PARAMS); }

/* Every group name at the root: layers in the file that the model lacks are errors. */
typedef struct { Ctx *c; const IrModel *m; } IterCtx;
static herr_t each_group(hid_t g, const char *name, const H5L_info_t *info, void *data) {
    (void)g; (void)info;
    IterCtx *it = data;
    for (int i = 0; i < it->m->nnodes; i++)
        if (has_params(it->m->nodes[i]) && strcmp(it->m->nodes[i]->name, name) == 0) return 0;
    fprintf(stderr, "%s: error: layer '%s' is in the weights file but not in model '%s'\n",
            it->c->path, name, it->m->name);
    it->c->errors++;
    return 0;
}

int weights_load(IrModel *m, const char *path) {
    Ctx c = {path, 0};
    char why[900];
    if (aedl_file_problem(path, why, sizeof why)) {
        if (strncmp(why, "cannot open: ", 13) == 0)
            fprintf(stderr, "%s: error: cannot open the weights file: %s\n", path, why + 13);
        else
            fprintf(stderr, "%s: error: the weights file is %s\n", path, why);
        return 1;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        char why[200];
        aedl_h5_open_why(why, sizeof why);
        fprintf(stderr, "%s: error: cannot open as an HDF5 weights file%s\n", path, why);
        return 1;
    }
    IrParams **got = xcalloc(m->nnodes ? m->nnodes : 1, sizeof *got);
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        if (!has_params(n)) continue;
        if (H5Lexists(f, n->name, H5P_DEFAULT) <= 0) {
            fprintf(stderr, "%s: error: layer '%s' (%s) of model '%s' is missing\n", path, n->name,
                    ir_op_name(n->op), m->name);
            c.errors++;
            continue;
        }
        if (aedl_h5_link_problem(f, n->name, why, sizeof why)) {
            fprintf(stderr, "%s: error: layer '%s': %s\n", path, n->name, why);
            c.errors++;
            continue;
        }
        hid_t g = H5Gopen2(f, n->name, H5P_DEFAULT);
        if (g < 0) { err(&c, "'%s' is not a group%s%s", n->name, "", ""); continue; }
        IrParams *p = xcalloc(1, sizeof *p);
        int before = c.errors;
        if (n->op == OP_DENSE) {
            int n_in = n->inputs[0] ? (int)ir_shape_size(&n->inputs[0]->shape) : 0;
            p->n_in = n_in; p->units = n->units;
            p->kernel = read_ds(&c, g, n->name, "kernel", 2, n_in, n->units, true);
            if (n->use_bias) p->bias = read_ds(&c, g, n->name, "bias", 1, n->units, 0, true);
            p->mask = read_ds(&c, g, n->name, "mask", 2, n_in, n->units, false);
        } else {
            int C = (int)ir_shape_size(&n->shape);
            p->n_in = p->units = C;
            p->gamma = read_ds(&c, g, n->name, "gamma", 1, C, 0, true);
            p->beta = read_ds(&c, g, n->name, "beta", 1, C, 0, true);
            p->moving_mean = read_ds(&c, g, n->name, "moving_mean", 1, C, 0, true);
            p->moving_variance = read_ds(&c, g, n->name, "moving_variance", 1, C, 0, true);
            if (p->moving_variance)
                for (int k = 0; k < C; k++)
                    if (p->moving_variance[k] < 0) {
                        fprintf(stderr, "%s: error: layer '%s': moving_variance[%d] is negative (%g)\n",
                                path, n->name, k, (double)p->moving_variance[k]);
                        c.errors++;
                        break;
                    }
        }
        H5Gclose(g);
        if (c.errors == before) got[i] = p;
        else weights_free(p);
    }
    IterCtx it = {&c, m};
    H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, NULL, each_group, &it);
    H5Fclose(f);
    for (int i = 0; i < m->nnodes; i++) {
        if (c.errors == 0) { weights_free(m->nodes[i]->params); m->nodes[i]->params = got[i]; }
        else weights_free(got[i]);
    }
    free(got);
    return c.errors;
}

/* quantized_bits(alpha="auto" / "auto_po2") of V (n values, cols channels): the
   values in place, and the layer's own copy of the quantizer with the smallest
   signed fixed type that holds all of them (the quantizer's type when all are 0).
   Returns 1 (after a message) when no fixed type of at most 64 bits does. */
static int apply_auto(const char *path, IrNode *n, IrQuant **qp, float *v, long cnt, long cols, const char *what) {
    aedl_qv_auto_f32(&(*qp)->qv, v, v, cnt, cols, NULL);
    int step = INT_MAX, top = INT_MIN;      /* every value a multiple of 2^step, |v| < 2^top */
    for (long k = 0; k < cnt; k++) {
        if (v[k] == 0) continue;
        int e;
        double f = frexp(fabs((double)v[k]), &e);          /* |v| = f * 2^e, f in [0.5, 1) */
        long long mant = (long long)ldexp(f, 53);
        int tz = 0;
        while (!(mant & 1)) { mant >>= 1; tz++; }
        if (e - 53 + tz < step) step = e - 53 + tz;
        if (e > top) top = e;
    }
    IrQuant *q = ARENA_NEW(IrQuant);
    *q = **qp;
    if (step != INT_MAX) {
        /* signed: -2^(I-1) <= v <= 2^(I-1) - 2^step; |v| < 2^top and v on the step give I = top + 1 */
        int I = top + 1, W = I - step;
        if (W > 64 || I > 64 || I < -64) {
            fprintf(stderr, "%s: error: layer '%s': the %s of quantized_bits(%d, %d, alpha=\"%s\") need a fixed type of "
                    "%d bits (values from 2^%d to 2^%d: the channels' scales are too far apart); at most 64\n",
                    path, n->name, what, q->qv.bits, q->qv.integer, q->qv.auto_po2 ? "auto_po2" : "auto", W, step, top);
            return 1;
        }
        q->type = (aedl_fixed){ W, I, true, AEDL_RND_CONV, AEDL_SAT };
    }
    *qp = q;
    return 0;
}

int weights_apply_value_quantizers(IrModel *m, const char *path) {
    int errors = 0;
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        IrParams *p = n->params;
        if (n->op != OP_DENSE || !p) continue;
        if (n->weight_q && n->weight_q->kind == Q_VALUE && n->weight_q->qv.kind == AEDL_QV_BITS_AUTO)
            errors += apply_auto(path, n, &n->weight_q, p->kernel, (long)p->n_in * p->units, p->units, "weights");
        else if (n->weight_q && n->weight_q->kind == Q_VALUE)
            for (long k = 0; k < (long)p->n_in * p->units; k++)
                p->kernel[k] = (float)aedl_qv_apply(&n->weight_q->qv, p->kernel[k]);
        if (n->bias_q && n->bias_q->kind == Q_VALUE && n->bias_q->qv.kind == AEDL_QV_BITS_AUTO && p->bias)
            errors += apply_auto(path, n, &n->bias_q, p->bias, p->units, 1, "biases");
        else if (n->bias_q && n->bias_q->kind == Q_VALUE && p->bias)
            for (int k = 0; k < p->units; k++) p->bias[k] = (float)aedl_qv_apply(&n->bias_q->qv, p->bias[k]);
    }
    return errors;
}
