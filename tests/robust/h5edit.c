/* h5edit.c — crafts damaged HDF5 files for the robustness tests
 * (tests/robust/data.sh, data_hostile.sh).
 *
 *   h5edit FILE DATASET INDEX VALUE
 *       changes one element of a float dataset in place: a NaN or an infinity in
 *       a weights file or a data file.  DATASET is a path (/enc/kernel,
 *       /Particles); INDEX counts elements in row-major order over the whole
 *       dataset; VALUE is nan, inf, -inf or a number.  The dataset is read and
 *       written as doubles (HDF5 converts to its stored float type).
 *   h5edit make FILE NAME f32|f64 SHAPE [CHUNK WRITTEN]
 *       creates FILE (or adds to it) a dataset NAME (groups on the way made) of
 *       SHAPE (N, or NxD1, NxD1xD2, ...) holding 1 + 0.001 * (element index);
 *       with CHUNK, chunked by CHUNK rows of the first axis and only the first
 *       WRITTEN rows written (the rest never stored).
 *   h5edit link FILE NAME soft TARGET
 *   h5edit link FILE NAME external OTHERFILE OBJECT
 *       adds a soft or an external link NAME to FILE.
 *
 * Exit status 0, or 1 with a message. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int make(int argc, char **argv) {
    if (argc != 6 && argc != 8) return -1;
    const char *path = argv[2], *name = argv[3];
    hid_t ftype = strcmp(argv[4], "f64") == 0 ? H5T_IEEE_F64LE : H5T_IEEE_F32LE;
    hsize_t dims[8], cd[8], per = 1;
    int rank = 0;
    for (char *p = argv[5]; rank < 8; p++) {
        dims[rank++] = strtoull(p, &p, 10);
        if (*p != 'x') break;
    }
    for (int i = 1; i < rank; i++) per *= dims[i];
    hsize_t written = argc == 8 ? strtoull(argv[7], NULL, 10) : dims[0];
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) { fprintf(stderr, "h5edit: %s: cannot create\n", path); return 1; }
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    if (argc == 8) {
        cd[0] = strtoull(argv[6], NULL, 10);
        for (int i = 1; i < rank; i++) cd[i] = dims[i];
        H5Pset_chunk(dcpl, rank, cd);
    }
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(f, name, ftype, sp, lcpl, dcpl, H5P_DEFAULT);
    int rc = d < 0;
    size_t n = (size_t)(written * per);
    double *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = 1 + 0.001 * (double)i;
    if (!rc && written > 0) {
        hsize_t start[8] = { 0 }, count[8];
        count[0] = written;
        for (int i = 1; i < rank; i++) count[i] = dims[i];
        hid_t mem = H5Screate_simple(rank, count, NULL);
        H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL);
        rc = H5Dwrite(d, H5T_NATIVE_DOUBLE, mem, sp, H5P_DEFAULT, v) < 0;
        H5Sclose(mem);
    }
    free(v);
    if (d >= 0) H5Dclose(d);
    H5Sclose(sp);
    H5Pclose(dcpl);
    H5Pclose(lcpl);
    if (H5Fclose(f) < 0) rc = 1;
    if (rc) fprintf(stderr, "h5edit: %s: cannot write dataset %s\n", path, name);
    return rc;
}

static int add_link(int argc, char **argv) {
    int soft = argc == 6 && strcmp(argv[4], "soft") == 0;
    int ext = argc == 7 && strcmp(argv[4], "external") == 0;
    if (!soft && !ext) return -1;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(argv[2], H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) f = H5Fcreate(argv[2], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) { fprintf(stderr, "h5edit: %s: cannot open\n", argv[2]); return 1; }
    herr_t e = soft ? H5Lcreate_soft(argv[5], f, argv[3], H5P_DEFAULT, H5P_DEFAULT)
                    : H5Lcreate_external(argv[5], argv[6], f, argv[3], H5P_DEFAULT, H5P_DEFAULT);
    int rc = e < 0;
    if (H5Fclose(f) < 0) rc = 1;
    if (rc) fprintf(stderr, "h5edit: %s: cannot create link %s\n", argv[2], argv[3]);
    return rc;
}

int main(int argc, char **argv) {
    int sub = -1;
    if (argc > 1 && strcmp(argv[1], "make") == 0) sub = make(argc, argv);
    else if (argc > 1 && strcmp(argv[1], "link") == 0) sub = add_link(argc, argv);
    else if (argc == 5) sub = -2;
    if (sub >= 0) return sub;
    if (sub == -1) {
        fprintf(stderr, "usage: h5edit FILE DATASET INDEX VALUE\n"
                        "       h5edit make FILE NAME f32|f64 SHAPE [CHUNK WRITTEN]\n"
                        "       h5edit link FILE NAME soft TARGET\n"
                        "       h5edit link FILE NAME external OTHERFILE OBJECT\n");
        return 1;
    }
    const char *path = argv[1], *name = argv[2];
    long long index = strtoll(argv[3], NULL, 10);
    double value = strcmp(argv[4], "nan") == 0 ? NAN
                 : strcmp(argv[4], "inf") == 0 ? INFINITY
                 : strcmp(argv[4], "-inf") == 0 ? -INFINITY
                 : strtod(argv[4], NULL);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    int rc = 1;
    double *v = NULL;
    hid_t f = -1, d = -1, s = -1;
    if ((f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT)) < 0) {
        fprintf(stderr, "h5edit: %s: cannot open\n", path);
        goto done;
    }
    if ((d = H5Dopen2(f, name, H5P_DEFAULT)) < 0 || (s = H5Dget_space(d)) < 0) {
        fprintf(stderr, "h5edit: %s: no dataset %s\n", path, name);
        goto done;
    }
    hssize_t n = H5Sget_simple_extent_npoints(s);
    if (index < 0 || index >= n) {
        fprintf(stderr, "h5edit: %s%s: index %lld outside 0..%lld\n", path, name, index, (long long)n - 1);
        goto done;
    }
    v = malloc((size_t)n * sizeof *v);
    if (!v) { fprintf(stderr, "h5edit: out of memory\n"); goto done; }
    if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        fprintf(stderr, "h5edit: %s%s: cannot read\n", path, name);
        goto done;
    }
    v[index] = value;
    if (H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        fprintf(stderr, "h5edit: %s%s: cannot write\n", path, name);
        goto done;
    }
    rc = 0;
done:
    free(v);
    if (s >= 0) H5Sclose(s);
    if (d >= 0) H5Dclose(d);
    if (f >= 0 && H5Fclose(f) < 0) rc = 1;
    return rc;
}
