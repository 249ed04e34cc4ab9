/* data_scale.c — preprocessing: per feature log10, an affine map and `scale = standard`
 * (fitted on the training split); kept in HDF5 (group /scaler) so evaluation, prediction
 * and the firmware test vectors preprocess exactly as training did. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "data_src.h"
#include "proc.h"
#include "util.h"

void aedl_scaler_free(aedl_scaler *s) {
    free(s->mean);
    free(s->std);
    free(s->offset);
    free(s->divisor);
    free(s->log10);
    free(s->fit);
    free(s->where);
    if (s->names) aedl_names_free(s->names, s->d);
    memset(s, 0, sizeof *s);
}

/* An identity scaler of d features. */
void aedl_scaler_identity(aedl_scaler *s, size_t d) {
    memset(s, 0, sizeof *s);
    s->d = d;
    size_t n = d ? d : 1;
    s->mean = xcalloc(n, sizeof(float));
    s->offset = xcalloc(n, sizeof(float));
    s->std = xmalloc(n * sizeof(float));
    s->divisor = xmalloc(n * sizeof(float));
    for (size_t j = 0; j < d; j++) s->std[j] = s->divisor[j] = 1.0f;
    s->log10 = xcalloc(n, 1);
    s->fit = xcalloc(n, 1);
    s->where = xcalloc(n, sizeof *s->where);
}

/* log10 (0 stays 0), then the affine map. */
static inline float pre_value(const aedl_scaler *s, size_t j, float v) {
    if (s->log10[j] && v > 0.0f) v = log10f(v);
    return (v - s->offset[j]) / s->divisor[j];
}

void aedl_scaler_fit(aedl_scaler *s, const aedl_table *t) {
    aedl_scaler_identity(s, t->d);
    memset(s->fit, 1, t->d);
    aedl_prep_fit(s, t);
}

void aedl_prep_fit(aedl_scaler *s, const aedl_table *t) {
    size_t d = s->d;
    if (t->d != d) return;
    double *sum = xcalloc(d ? d : 1, sizeof(double)), *sq = xcalloc(d ? d : 1, sizeof(double));
    /* Two passes (mean, then squared deviations): no cancellation for large offsets. */
    for (size_t i = 0; i < t->n; i++) {
        const float *r = t->x + i * d;
        for (size_t j = 0; j < d; j++)
            if (s->fit[j]) sum[j] += pre_value(s, j, r[j]);
    }
    for (size_t j = 0; j < d; j++) sum[j] = t->n ? sum[j] / (double)t->n : 0.0;
    for (size_t i = 0; i < t->n; i++) {
        const float *r = t->x + i * d;
        for (size_t j = 0; j < d; j++)
            if (s->fit[j]) { double e = pre_value(s, j, r[j]) - sum[j]; sq[j] += e * e; }
    }
    for (size_t j = 0; j < d; j++) {
        if (!s->fit[j]) continue;
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
        for (size_t j = 0; j < d; j++) r[j] = (pre_value(s, j, r[j]) - s->mean[j]) / s->std[j];
    }
}

int aedl_scaler_apply(const aedl_scaler *s, aedl_table *t) {
    if (t->d != s->d) return -1;
    aedl_scaler_apply_rows(s, t->x, t->n);
    return 0;
}

float aedl_scaler_invert(const aedl_scaler *s, size_t j, float v) {
    v = (v * s->std[j] + s->mean[j]) * s->divisor[j] + s->offset[j];
    return s->log10[j] ? powf(10.0f, v) : v;
}

int aedl_prep_check(const aedl_scaler *s, const aedl_table *t, char *err, size_t errlen) {
    if (t->d != s->d) return data_err(err, errlen, "%s: events have %zu features, the preprocessing %zu",
                                       t->source ? t->source : "data", t->d, s->d);
    size_t d = s->d;
    int any = 0;
    for (size_t j = 0; j < d; j++) any |= s->log10[j];
    if (!any) return 0;
    for (size_t i = 0; i < t->n; i++) {
        const float *r = t->x + i * d;
        for (size_t j = 0; j < d; j++)
            if (s->log10[j] && r[j] < 0.0f) {
                char fname[96];
                if (s->names && s->names[j]) snprintf(fname, sizeof fname, "%zu (%s)", j, s->names[j]);
                else snprintf(fname, sizeof fname, "%zu", j);
                return data_err(err, errlen, "%s: event %zu, feature %s is %g: log10 needs values >= 0 "
                                "(0, padding, stays 0)%s%s", t->source ? t->source : "data", i, fname,
                                (double)r[j], s->where[j] ? "; log10 at " : "", s->where[j] ? s->where[j] : "");
            }
    }
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

static int write_u8(hid_t g, const char *name, const uint8_t *v, size_t d) {
    hsize_t dim = d;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    hid_t ds = H5Dcreate2(g, name, H5T_STD_U8LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = ds < 0 || H5Dwrite(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    return rc ? -1 : 0;
}

/* names as fixed-length strings (numpy's S dtype, as Particles_Names). */
static int write_names(hid_t g, char *const *names, size_t d) {
    size_t w = 1;
    for (size_t j = 0; j < d; j++) if (names[j] && strlen(names[j]) > w) w = strlen(names[j]);
    char *buf = xcalloc(d ? d : 1, w);
    for (size_t j = 0; j < d; j++) if (names[j]) memcpy(buf + j * w, names[j], strlen(names[j]));
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, w);
    H5Tset_strpad(st, H5T_STR_NULLPAD);
    hsize_t dim = d;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    hid_t ds = H5Dcreate2(g, "names", st, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = ds < 0 || H5Dwrite(ds, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    H5Tclose(st);
    free(buf);
    return rc ? -1 : 0;
}

static int write_group(const aedl_scaler *s, hid_t loc) {
    hid_t g = H5Gcreate2(loc, "scaler", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = write_vec(g, "mean", s->mean, s->d) | write_vec(g, "std", s->std, s->d) |
             write_vec(g, "offset", s->offset, s->d) | write_vec(g, "divisor", s->divisor, s->d) |
             write_u8(g, "log10", s->log10, s->d);
    if (s->names) rc |= write_names(g, s->names, s->d);
    /* kind = "standard" (every feature standardised, nothing else) or "per_feature", as a
       fixed-length string attribute (h5py reads it as bytes). */
    int plain = 1;
    for (size_t j = 0; j < s->d; j++)
        plain &= s->fit[j] && !s->log10[j] && s->offset[j] == 0.0f && s->divisor[j] == 1.0f;
    const char *kind = plain ? "standard" : "per_feature";
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

static uint8_t *read_u8(hid_t f, const char *name, size_t d) {
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) return NULL;
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0) return NULL;
    hid_t sp = H5Dget_space(ds);
    uint8_t *v = NULL;
    hsize_t dim = 0;
    if (H5Sget_simple_extent_ndims(sp) == 1 && (H5Sget_simple_extent_dims(sp, &dim, NULL), dim == d)) {
        v = xmalloc(d + 1);
        if (H5Dread(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) { free(v); v = NULL; }
    }
    H5Sclose(sp);
    H5Dclose(ds);
    return v;
}

static float *read_opt_vec(hid_t f, const char *name, size_t d, int *bad) {
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) return NULL;
    size_t n = 0;
    float *v = read_vec(f, name, &n);
    if (!v || n != d) { free(v); *bad = 1; return NULL; }
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
    float *mean = H5Lexists(f, "/scaler", H5P_DEFAULT) > 0 ? read_vec(f, "/scaler/mean", &dm) : NULL;
    float *sd = mean ? read_vec(f, "/scaler/std", &dsd) : NULL;
    int bad = 0;
    float *off = NULL, *div = NULL;
    uint8_t *lg = NULL;
    char **names = NULL;
    size_t nn = 0;
    if (mean && sd && dm == dsd && dm > 0) {
        off = read_opt_vec(f, "/scaler/offset", dm, &bad);
        div = read_opt_vec(f, "/scaler/divisor", dm, &bad);
        if (H5Lexists(f, "/scaler/log10", H5P_DEFAULT) > 0 && !(lg = read_u8(f, "/scaler/log10", dm))) bad = 1;
        names = aedl_h5_strings(f, "/scaler/names", &nn);
    }
    H5Fclose(f);
    h5_quiet_end(&q);
    if (names && nn != dm) { aedl_names_free(names, nn); names = NULL; }
    if (!mean || !sd || dm != dsd || dm == 0 || bad) {
        free(mean); free(sd); free(off); free(div); free(lg);
        aedl_names_free(names, nn);
        return data_err(err, errlen, "%s: no usable /scaler (float vectors mean, std, offset, divisor "
                        "and uint8 log10 of the same length)", path);
    }
    aedl_scaler_identity(s, dm);
    memcpy(s->mean, mean, dm * sizeof(float));
    memcpy(s->std, sd, dm * sizeof(float));
    if (off) memcpy(s->offset, off, dm * sizeof(float));
    if (div) memcpy(s->divisor, div, dm * sizeof(float));
    if (lg) memcpy(s->log10, lg, dm);
    s->names = names;
    free(mean); free(sd); free(off); free(div); free(lg);
    for (size_t j = 0; j < dm; j++)
        if (!isfinite(s->mean[j]) || !isfinite(s->std[j]) || s->std[j] == 0 || !isfinite(s->offset[j]) ||
            !isfinite(s->divisor[j]) || s->divisor[j] == 0 || s->log10[j] > 1) {
            aedl_scaler_free(s);
            return data_err(err, errlen, "%s: /scaler has a non-finite value, a zero std or divisor, or a "
                            "log10 flag other than 0 or 1 at feature %zu", path, j);
        }
    return 0;
}
