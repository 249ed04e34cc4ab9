/* h5edit.c — changes one element of a float dataset of an HDF5 file in place,
 * for the robustness tests (tests/robust/data.sh): a NaN or an infinity in a
 * weights file or a data file.
 *
 *   h5edit FILE DATASET INDEX VALUE
 *
 * DATASET is a path (/enc/kernel, /Particles); INDEX counts elements in row-major
 * order over the whole dataset; VALUE is nan, inf, -inf or a number.  The dataset
 * is read and written as doubles (HDF5 converts to its stored float type).
 * Exit status 0, or 1 with a message. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: h5edit FILE DATASET INDEX VALUE\n");
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
