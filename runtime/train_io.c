/* train_io.c — what the training driver writes besides checkpoints: the
 * weights file (layout in docs/semantics.md) and history.csv. */
#include <errno.h>
#include <hdf5.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include "data.h"
#include "h5mem.h"
#include "prune.h"
#include "train_int.h"
#include "util.h"

double aedl_model_sparsity(const aedl_model_def *d, const float *masks, const char *layer) {
    double zeros = 0, total = 0;
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        if (t->prune < 0 || (layer && strcmp(layer, t->layer) != 0)) continue;
        zeros += aedl_prune_mask_sparsity(masks + t->offset, (long)t->size) * (double)t->size;
        total += (double)t->size;
    }
    return total > 0 ? zeros / total : 0.0;
}

/* ---------------------------------------------------------------- weights file */

static int put_string_attr(hid_t loc, const char *name, const char *value) {
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(value) + 1);
    H5Tset_strpad(type, H5T_STR_NULLTERM);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

static int put_dataset(hid_t grp, const char *name, const float *data, int rank, const int *dims) {
    hsize_t hd[2] = { (hsize_t)dims[0], rank > 1 ? (hsize_t)dims[1] : 1 };
    hid_t space = H5Screate_simple(rank, hd, NULL);
    hid_t ds = H5Dcreate2(grp, name, H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

/* Built in memory and written whole (h5mem.h). */
int aedl_write_weights(const aedl_model_def *d, const char *aedl_version, const aedl_run_blocks *b,
                       const char *path, char *err, size_t errlen) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = aedl_h5mem_create(path);
    if (f < 0) {
        snprintf(err, errlen, "cannot create the weights file %s in memory (HDF5)", path);
        return -1;
    }
    int bad = put_string_attr(f, "model", d->name) |
              put_string_attr(f, "aedl_version", aedl_version ? aedl_version : "");
    for (int i = 0; i < d->ntensors && !bad; i++) {
        const aedl_tensor *t = &d->tensors[i];
        hid_t g = H5Lexists(f, t->layer, H5P_DEFAULT) > 0
                      ? H5Gopen2(f, t->layer, H5P_DEFAULT)
                      : H5Gcreate2(f, t->layer, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0) { bad = 1; break; }
        const float *src = (t->trainable ? b->params : b->buffers) + t->offset;
        bad |= put_dataset(g, t->name, src, t->rank, t->dims);
        if (t->prune >= 0) bad |= put_dataset(g, "mask", b->masks + t->offset, t->rank, t->dims);
        H5Gclose(g);
    }
    int rc = aedl_h5mem_commit(f, path, bad), e = errno;
    if (rc == -1) snprintf(err, errlen, "cannot build the weights file %s (HDF5)", path);
    if (rc == -2) snprintf(err, errlen, "cannot write the weights file %s%s%s", path, e ? ": " : "", e ? strerror(e) : "");
    return rc ? -1 : 0;
}

static int add_err(char *err, size_t errlen, int n, const char *path, const char *fmt, const char *a,
                   const char *b, const char *c) {
    size_t k = strlen(err);
    if (k + 1 < errlen) {
        snprintf(err + k, errlen - k, "%s%s: ", k ? "\n" : "", path);
        k = strlen(err);
        if (k < errlen) snprintf(err + k, errlen - k, fmt, a, b, c);
    }
    return n + 1;
}

static int read_tensor(hid_t f, const char *layer, const char *name, const aedl_tensor *t, float *dst,
                       const char *path, char *err, size_t errlen, int nerr) {
    char ds_path[512], want[64], got[64];
    snprintf(ds_path, sizeof ds_path, "%s/%s", layer, name);
    if (H5Lexists(f, layer, H5P_DEFAULT) <= 0 || H5Lexists(f, ds_path, H5P_DEFAULT) <= 0)
        return add_err(err, errlen, nerr, path, "layer '%s': no dataset '%s'%s", layer, name, "");
    hid_t ds = H5Dopen2(f, ds_path, H5P_DEFAULT);
    if (ds < 0) return add_err(err, errlen, nerr, path, "layer '%s': '%s' is not a dataset%s", layer, name, "");
    hid_t sp = H5Dget_space(ds);
    hsize_t d[8] = {0};
    int r = H5Sget_simple_extent_ndims(sp);
    if (r >= 0 && r <= 8) H5Sget_simple_extent_dims(sp, d, NULL);
    H5Sclose(sp);
    if (t->rank == 2) snprintf(want, sizeof want, "(%d, %d)", t->dims[0], t->dims[1]);
    else snprintf(want, sizeof want, "(%d,)", t->dims[0]);
    if (r == 2) snprintf(got, sizeof got, "(%llu, %llu)", (unsigned long long)d[0], (unsigned long long)d[1]);
    else if (r == 1) snprintf(got, sizeof got, "(%llu,)", (unsigned long long)d[0]);
    else snprintf(got, sizeof got, "of rank %d", r);
    if (r != t->rank || (long)d[0] != t->dims[0] || (r == 2 && (long)d[1] != t->dims[1])) {
        H5Dclose(ds);
        char what[300];
        snprintf(what, sizeof what, "%s is %s", name, got);
        return add_err(err, errlen, nerr, path, "layer '%s': %s, the model needs %s", layer, what, want);
    }
    herr_t rc = H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst);
    H5Dclose(ds);
    if (rc < 0) return add_err(err, errlen, nerr, path, "layer '%s': %s cannot be read%s", layer, name, "");
    for (size_t i = 0; i < t->size; i++)
        if (!isfinite(dst[i])) return add_err(err, errlen, nerr, path, "layer '%s': %s holds NaN or Inf%s", layer, name, "");
    return nerr;
}

int aedl_read_weights(const aedl_model_def *d, aedl_run_blocks *b, const char *path, char *err, size_t errlen) {
    err[0] = 0;
    char why[900];
    if (aedl_file_problem(path, why, sizeof why)) {
        snprintf(err, errlen, "%s: the weights file: %s", path, why);
        return -1;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        aedl_h5_open_why(why, sizeof why);
        snprintf(err, errlen, "%s: cannot open the weights file as HDF5%s", path, why);
        return -1;
    }
    int nerr = 0;
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        float *dst = (t->trainable ? b->params : b->buffers) + t->offset;
        if (aedl_h5_link_problem(f, t->layer, why, sizeof why)) {
            nerr = add_err(err, errlen, nerr, path, "layer '%s': %s%s", t->layer, why, "");
            continue;
        }
        nerr = read_tensor(f, t->layer, t->name, t, dst, path, err, errlen, nerr);
        char mp[512];
        snprintf(mp, sizeof mp, "%s/mask", t->layer);
        if (t->prune >= 0 && !strcmp(t->name, "kernel") && H5Lexists(f, t->layer, H5P_DEFAULT) > 0 &&
            H5Lexists(f, mp, H5P_DEFAULT) > 0)
            nerr = read_tensor(f, t->layer, "mask", t, b->masks + t->offset, path, err, errlen, nerr);
    }
    H5Fclose(f);
    if (nerr) {
        size_t k = strlen(err);
        if (k < errlen) snprintf(err + k, errlen - k, "\n%s: not weights of model '%s' (%d difference%s)", path,
                                 d->name, nerr, nerr == 1 ? "" : "s");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- history.csv */

int aedl_write_history(const aedl_history *hs, const char *path) {
    aedl_atomic a;
    if (aedl_atomic_open(&a, path, "w") != 0) return -1;
    /* the spec's columns, then the sparsity of each pruned layer */
    fprintf(a.f, "epoch,loss,val_loss,lr,sparsity,seconds");
    for (int k = 0; k < hs->n_sp; k++) fprintf(a.f, ",sparsity_%s", hs->sp_layers[k]);
    fputc('\n', a.f);
    for (int i = 0; i < hs->n; i++) {
        const aedl_hist_row *h = &hs->rows[i];
        fprintf(a.f, "%d,%.9g,%.9g,%.9g,%.6f,%.4f", h->epoch, h->loss, h->val_loss, h->lr, h->sparsity,
                h->seconds);
        for (int k = 0; k < hs->n_sp; k++) {
            double v = hs->sp[(size_t)i * (size_t)hs->n_sp + (size_t)k];
            if (isnan(v)) fprintf(a.f, ",");
            else fprintf(a.f, ",%.6f", v);
        }
        fputc('\n', a.f);
    }
    return aedl_atomic_commit(&a);
}
