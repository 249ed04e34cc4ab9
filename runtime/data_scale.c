/* data_scale.c — `scale = standard`: fit on the training split, apply, and keep the
 * statistics in HDF5 (group /scaler: mean, std) so evaluation and the firmware test
 * vectors scale exactly as training did. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "data_src.h"
#include "proc.h"
#include "util.h"

void aedl_scaler_free(aedl_scaler *s) {
    free(s->mean);
    free(s->std);
    memset(s, 0, sizeof *s);
}

void aedl_scaler_fit(aedl_scaler *s, const aedl_table *t) {
    size_t d = t->d;
    s->d = d;
    s->mean = xmalloc(d * sizeof(float));
    s->std = xmalloc(d * sizeof(float));
    double *sum = xcalloc(d, sizeof(double)), *sq = xcalloc(d, sizeof(double));
    /* Two passes (mean, then squared deviations): no cancellation for large offsets. */
    for (size_t i = 0; i < t->n; i++) {
        const float *r = t->x + i * d;
        for (size_t j = 0; j < d; j++) sum[j] += r[j];
    }
    for (size_t j = 0; j < d; j++) sum[j] = t->n ? sum[j] / (double)t->n : 0.0;
    for (size_t i = 0; i < t->n; i++) {
        const float *r = t->x + i * d;
        for (size_t j = 0; j < d; j++) { double e = r[j] - sum[j]; sq[j] += e * e; }
    }
    for (size_t j = 0; j < d; j++) {
        double var = t->n ? sq[j] / (double)t->n : 0.0;
        double sd = sqrt(var);
        s->mean[j] = (float)sum[j];
        s->std[j] = (sd > 0 && (float)sd > 0) ? (float)sd : 1.0f;   /* constant column: std 1 */
    }
    free(sum);
    free(sq);
}

void aedl_scaler_apply_rows(const aedl_scaler *s, float *x, size_t n) {
    size_t d = s->d;
    for (size_t i = 0; i < n; i++) {
        float *r = x + i * d;
        for (size_t j = 0; j < d; j++) r[j] = (r[j] - s->mean[j]) / s->std[j];
    }
}

int aedl_scaler_apply(const aedl_scaler *s, aedl_table *t) {
    if (t->d != s->d) return -1;
    aedl_scaler_apply_rows(s, t->x, t->n);
    return 0;
}

/* ---- HDF5 ------------------------------------------------------------------ */
static int write_vec(hid_t g, const char *name, const float *v, size_t d) {
    hsize_t dim = d;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    hid_t ds = H5Dcreate2(g, name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = ds < 0 || H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    return rc ? -1 : 0;
}

static int write_group(const aedl_scaler *s, hid_t loc) {
    hid_t g = H5Gcreate2(loc, "scaler", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = write_vec(g, "mean", s->mean, s->d) | write_vec(g, "std", s->std, s->d);
    /* kind = "standard" as a fixed-length string attribute (h5py reads it as bytes). */
    const char *kind = "standard";
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, strlen(kind));
    H5Tset_strpad(st, H5T_STR_NULLPAD);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(g, "kind", st, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, st, kind) < 0) rc = -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(st);
    H5Gclose(g);
    return rc;
}

int aedl_scaler_write_h5(const aedl_scaler *s, hid_t loc, char *err, size_t errlen) {
    h5_quiet q;
    h5_quiet_begin(&q);
    int rc = write_group(s, loc);
    h5_quiet_end(&q);
    return rc ? data_err(err, errlen, "cannot write the scaler group (does 'scaler' exist already?)") : 0;
}

int aedl_scaler_save(const aedl_scaler *s, const char *path, char *err, size_t errlen) {
    char *tmp = aedl_tmp_name(path);
    h5_quiet q;
    h5_quiet_begin(&q);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    int rc = f < 0 ? -1 : write_group(s, f);
    if (f >= 0 && H5Fclose(f) < 0) rc = -1;
    h5_quiet_end(&q);
    if (!rc && aedl_rename_over(tmp, path) != 0) rc = -1;
    if (rc) {
        aedl_tmp_remove(tmp);
        free(tmp);
        return data_err(err, errlen, "%s: cannot write the scaler file", path);
    }
    free(tmp);
    return 0;
}

static float *read_vec(hid_t f, const char *name, size_t *d) {
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0) return NULL;
    hid_t sp = H5Dget_space(ds);
    float *v = NULL;
    if (H5Sget_simple_extent_ndims(sp) == 1) {
        hsize_t dim;
        H5Sget_simple_extent_dims(sp, &dim, NULL);
        v = xmalloc((size_t)dim * sizeof(float) + 1);
        if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) { free(v); v = NULL; }
        else *d = (size_t)dim;
    }
    H5Sclose(sp);
    H5Dclose(ds);
    return v;
}

int aedl_scaler_load(aedl_scaler *s, const char *path, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    char why[160];
    if (aedl_file_problem(path, why, sizeof why))
        return data_err(err, errlen, "%s: the scaler file: %s", path, why);
    h5_quiet q;
    h5_quiet_begin(&q);
    hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    if (f < 0) {
        h5_quiet_end(&q);
        return data_err(err, errlen, "%s: cannot open the scaler file (missing or not HDF5)", path);
    }
    size_t dm = 0, dsd = 0;
    s->mean = read_vec(f, "/scaler/mean", &dm);
    s->std = read_vec(f, "/scaler/std", &dsd);
    H5Fclose(f);
    h5_quiet_end(&q);
    if (!s->mean || !s->std || dm != dsd || dm == 0) {
        aedl_scaler_free(s);
        return data_err(err, errlen, "%s: no usable /scaler/mean and /scaler/std (float vectors "
                        "of the same length)", path);
    }
    s->d = dm;
    for (size_t j = 0; j < dm; j++)
        if (!isfinite(s->mean[j]) || !isfinite(s->std[j]) || s->std[j] == 0) {
            aedl_scaler_free(s);
            return data_err(err, errlen, "%s: /scaler has a non-finite mean or a zero std at "
                            "feature %zu", path, j);
        }
    return 0;
}
