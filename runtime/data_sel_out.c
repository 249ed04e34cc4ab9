/* data_sel_out.c — aedl_select_write: the events of an object selection as a
 * CSV or HDF5 file with a name per column (FatJet_0_pt, ...), for checking
 * them against other readers and for use by other tools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hdf5.h>
#include "data_sel.h"
#include "data_src.h"
#include "util.h"

static int ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static int write_csv(const aedl_selected *r, char **names, const char *path, char *err, size_t errlen) {
    aedl_atomic a;
    if (aedl_atomic_open(&a, path, "w") != 0)
        return data_err(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    for (size_t c = 0; c < r->rowlen; c++) fprintf(a.f, "%s%s", c ? "," : "", names[c]);
    fputc('\n', a.f);
    for (size_t e = 0; e < r->n; e++) {
        const float *row = r->rows + e * r->rowlen;
        for (size_t c = 0; c < r->rowlen; c++) fprintf(a.f, "%s%.9g", c ? "," : "", (double)row[c]);
        fputc('\n', a.f);
    }
    if (ferror(a.f) || aedl_atomic_commit(&a) != 0) {
        int e = errno;
        aedl_atomic_abort(&a);
        return data_err(err, errlen, "%s: cannot write: %s", path, strerror(e));
    }
    return 0;
}

static int write_h5(const aedl_selected *r, char **names, const char *path, char *err, size_t errlen) {
    char *tmp = aedl_tmp_name(path);
    h5_quiet q;
    h5_quiet_begin(&q);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    int rc = f < 0 ? -1 : 0;
    float *col = xmalloc((r->n ? r->n : 1) * sizeof(float));
    hsize_t n = r->n, nc = r->rowlen;
    for (size_t c = 0; c < r->rowlen && !rc; c++) {
        for (size_t e = 0; e < r->n; e++) col[e] = r->rows[e * r->rowlen + c];
        hid_t sp = H5Screate_simple(1, &n, NULL);
        hid_t d = H5Dcreate2(f, names[c], H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (d < 0 || H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, col) < 0) rc = -1;
        if (d >= 0) H5Dclose(d);
        H5Sclose(sp);
    }
    if (!rc) {
        size_t w = 1;
        for (size_t c = 0; c < r->rowlen; c++) if (strlen(names[c]) + 1 > w) w = strlen(names[c]) + 1;
        char *buf = xcalloc(r->rowlen, w);
        for (size_t c = 0; c < r->rowlen; c++) memcpy(buf + c * w, names[c], strlen(names[c]));
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, w);
        hid_t sp = H5Screate_simple(1, &nc, NULL);
        hid_t d = H5Dcreate2(f, "columns", st, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (d < 0 || H5Dwrite(d, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) rc = -1;
        if (d >= 0) H5Dclose(d);
        H5Sclose(sp);
        H5Tclose(st);
        free(buf);
    }
    if (f >= 0 && H5Fclose(f) < 0) rc = -1;
    h5_quiet_end(&q);
    free(col);
    if (!rc && aedl_rename_over(tmp, path) != 0) rc = -1;
    if (rc) {
        unlink(tmp);
        data_err(err, errlen, "%s: cannot write the HDF5 file", path);
    }
    free(tmp);
    return rc;
}

int aedl_select_write(const aedl_selection *sel, const char *path, size_t *n, char *err, size_t errlen) {
    aedl_selected r;
    if (aedl_select(sel, &r, err, errlen)) return -1;
    size_t cap = r.rowlen * 128 + 64;
    char *buf = xmalloc(cap);
    char **names = xmalloc((r.rowlen + 1) * sizeof *names);
    int rc = aedl_select_names(sel, names, buf, cap);
    if (rc) data_err(err, errlen, "%s: column names too long", path);
    else if (ends_with(path, ".csv")) rc = write_csv(&r, names, path, err, errlen);
    else rc = write_h5(&r, names, path, err, errlen);
    *n = r.n;
    free(buf);
    free(names);
    aedl_selected_free(&r);
    return rc;
}
