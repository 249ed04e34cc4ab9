/* emit_keras.c — the weights of a model in the layout Keras 2's
 * model.save_weights() writes, so that model.load_weights() of the Keras (or
 * QKeras) model reads them:
 *
 *   /                    attributes layer_names (every layer, in order),
 *                        backend "tensorflow", keras_version "2.4.0"
 *   /NAME                attribute weight_names ("NAME/kernel:0", ...; empty
 *                        for a layer without weights)
 *   /NAME/NAME/kernel:0  (n_in, units), bias:0 (units); batchnorm gamma:0,
 *                        beta:0, moving_mean:0, moving_variance:0
 *
 * The values are the float (latent) weights, with pruned weights as zeros;
 * for binary, ternary and quantized_po2 weights their quantized values (the
 * compiler holds those after --weights; QKeras maps them to themselves), and
 * for quantized_bits with alpha "auto" / "auto_po2" too (QKeras recomputes its
 * scale from them).
 * NAME is the layer's .aedl name; a name aedlc import prefixed with "k_" (a
 * Keras name that is an .aedl keyword or starts with a digit) is written
 * without the prefix.
 */
#include <ctype.h>
#include <errno.h>
#include <hdf5.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "emit_keras.h"
#include "h5mem.h"
#include "util.h"
#include "weights.h"

static const char *const keywords[] = {
    "import", "quantizer", "pruning", "model", "data", "train", "target", "input", "output", "signal",
    "true", "false", "none", NULL
};

/* The Keras name of an .aedl layer name (the inverse of aedlc import's). */
static const char *keras_name(const char *n) {
    if (strncmp(n, "k_", 2) != 0) return n;
    if (isdigit((unsigned char)n[2])) return n + 2;
    for (int i = 0; keywords[i]; i++)
        if (!strcmp(n + 2, keywords[i])) return n + 2;
    return n;
}

/* A fixed-length, null-padded string array attribute, as h5py writes numpy's 'S' arrays. */
static int put_strings(hid_t loc, const char *name, const char *const *v, int n) {
    size_t w = 1;
    for (int i = 0; i < n; i++) if (strlen(v[i]) > w) w = strlen(v[i]);
    char *buf = xcalloc((size_t)(n ? n : 1), w);
    for (int i = 0; i < n; i++) memcpy(buf + (size_t)i * w, v[i], strlen(v[i]));
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, w);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    hsize_t d = (hsize_t)n;
    hid_t s = H5Screate_simple(1, &d, NULL);
    hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    int bad = a < 0 || (n > 0 && H5Awrite(a, t, buf) < 0);
    if (a >= 0) H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    free(buf);
    return bad;
}

static int put_string(hid_t loc, const char *name, const char *value) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(value) + 1);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    int bad = a < 0 || H5Awrite(a, t, value) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    return bad;
}

static int put_ds(hid_t g, const char *name, const float *v, int rank, int d0, int d1) {
    hsize_t d[2] = {(hsize_t)d0, (hsize_t)d1};
    hid_t s = H5Screate_simple(rank, d, NULL);
    hid_t ds = H5Dcreate2(g, name, H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int bad = ds < 0 || H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(s);
    return bad;
}

static int write_layer(hid_t f, const IrNode *n) {
    const char *kn = keras_name(n->name);
    const IrParams *p = n->params;
    hid_t g = H5Gcreate2(f, kn, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return 1;
    int bad = 0;
    const char *dsn[4];
    int nds = 0;
    if (n->op == OP_DENSE) { dsn[nds++] = "kernel:0"; if (p->bias) dsn[nds++] = "bias:0"; }
    if (n->op == OP_BATCHNORM) { dsn[0] = "gamma:0"; dsn[1] = "beta:0"; dsn[2] = "moving_mean:0"; dsn[3] = "moving_variance:0"; nds = 4; }
    char full[4][300];
    const char *names[4];
    for (int i = 0; i < nds; i++) { snprintf(full[i], sizeof full[i], "%s/%s", kn, dsn[i]); names[i] = full[i]; }
    bad |= put_strings(g, "weight_names", names, nds);
    if (nds) {
        hid_t sub = H5Gcreate2(g, kn, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (sub < 0) { H5Gclose(g); return 1; }
        if (n->op == OP_DENSE) {
            long nk = (long)p->n_in * p->units;
            float *k = xmalloc(sizeof *k * (size_t)(nk ? nk : 1));
            for (long i = 0; i < nk; i++) k[i] = (float)weights_kernel(p, i);
            bad |= put_ds(sub, "kernel:0", k, 2, p->n_in, p->units);
            free(k);
            if (p->bias) bad |= put_ds(sub, "bias:0", p->bias, 1, p->units, 0);
        } else {
            bad |= put_ds(sub, "gamma:0", p->gamma, 1, p->units, 0) | put_ds(sub, "beta:0", p->beta, 1, p->units, 0) |
                   put_ds(sub, "moving_mean:0", p->moving_mean, 1, p->units, 0) |
                   put_ds(sub, "moving_variance:0", p->moving_variance, 1, p->units, 0);
        }
        H5Gclose(sub);
    }
    H5Gclose(g);
    return bad;
}

int emit_keras(const IrModel *m, const char *outdir) {
    for (int i = 0; i < m->nnodes; i++)
        if (ir_op_is(m->nodes[i]->op, IR_K_PARAMS) && !m->nodes[i]->params) {
            fprintf(stderr, "aedlc: error: --emit keras writes trained weights: give them with --weights\n");
            return -1;
        }
    char dir[4200], path[4400];
    snprintf(dir, sizeof dir, "%s/keras", outdir);
    snprintf(path, sizeof path, "%s/%s_weights.h5", dir, m->name);
    if (aedl_mkdirs(dir) != 0) {
        fprintf(stderr, "aedlc: error: cannot make %s: %s\n", dir, strerror(errno));
        return -1;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = aedl_h5mem_create(path);
    if (f < 0) {
        fprintf(stderr, "aedlc: error: cannot create %s in memory (HDF5)\n", path);
        return -1;
    }
    const char **names = xcalloc((size_t)m->nnodes + 1, sizeof *names);
    int nn = 0, bad = 0;
    for (int i = 0; i < m->nnodes; i++)
        if (m->nodes[i]->op != OP_INPUT) names[nn++] = keras_name(m->nodes[i]->name);
    bad |= put_strings(f, "layer_names", names, nn) | put_string(f, "backend", "tensorflow") |
           put_string(f, "keras_version", "2.4.0");
    free(names);
    for (int i = 0; i < m->nnodes && !bad; i++)
        if (m->nodes[i]->op != OP_INPUT) bad |= write_layer(f, m->nodes[i]);
    int rc = aedl_h5mem_commit(f, path, bad), e = rc == -2 ? errno : 0;
    if (rc) {
        fprintf(stderr, "aedlc: error: cannot write %s%s%s\n", path, e ? ": " : "", e ? strerror(e) : "");
        return -1;
    }
    return 0;
}
