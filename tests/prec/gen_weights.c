/* gen_weights.c — writes a weights file (the layout of docs/semantics.md) with
 * deterministic pseudo-random values, for tests and benchmarks.
 *   gen_weights OUT.h5 SEED LAYER...
 *   LAYER: dense:NAME:N_IN:UNITS[:KEEP]   kernel, bias, mask (KEEP = kept fraction, default 1)
 *          bn:NAME:N                        gamma, beta, moving_mean, moving_variance
 *          nan:NAME:N_IN:UNITS              a dense whose kernel[1,0] is NaN */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rs;
static double unif(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return (double)(rs >> 11) / 9007199254740992.0; }

static void put(hid_t g, const char *name, const float *v, int rank, hsize_t d0, hsize_t d1) {
    hsize_t dims[2] = {d0, d1};
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(g, name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(ds); H5Sclose(sp);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: gen_weights OUT.h5 SEED LAYER...\n"); return 2; }
    rs = 0x9E3779B97F4A7C15ull ^ strtoull(argv[2], NULL, 10);
    hid_t f = H5Fcreate(argv[1], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) { fprintf(stderr, "gen_weights: cannot create %s\n", argv[1]); return 1; }
    for (int a = 3; a < argc; a++) {
        char kind[16], name[128];
        int n1 = 0, n2 = 0;
        double keep = 1;
        char *s = argv[a];
        if (sscanf(s, "%15[^:]:%127[^:]:%d:%d:%lf", kind, name, &n1, &n2, &keep) < 3) {
            fprintf(stderr, "gen_weights: bad layer '%s'\n", s); return 2;
        }
        hid_t g = H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (!strcmp(kind, "bn")) {
            float *v = malloc(sizeof(float) * n1 * 4);
            for (int k = 0; k < n1; k++) {
                v[k] = (float)(0.5 + unif()); v[n1 + k] = (float)(0.4 * unif() - 0.2);
                v[2 * n1 + k] = (float)(2 * unif() - 1); v[3 * n1 + k] = (float)(0.5 + 1.5 * unif());
            }
            put(g, "gamma", v, 1, n1, 0); put(g, "beta", v + n1, 1, n1, 0);
            put(g, "moving_mean", v + 2 * n1, 1, n1, 0); put(g, "moving_variance", v + 3 * n1, 1, n1, 0);
            free(v);
        } else {
            long n = (long)n1 * n2;
            float *k = malloc(sizeof(float) * n), *m = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n2);
            double lim = sqrt(6.0 / n1);
            for (long i = 0; i < n; i++) { k[i] = (float)((2 * unif() - 1) * lim); m[i] = unif() < keep ? 1.0f : 0.0f; }
            for (int j = 0; j < n2; j++) b[j] = (float)(0.2 * unif() - 0.1);
            if (!strcmp(kind, "nan") && n > n2) k[n2] = NAN;
            put(g, "kernel", k, 2, n1, n2); put(g, "bias", b, 1, n2, 0); put(g, "mask", m, 2, n1, n2);
            free(k); free(m); free(b);
        }
        H5Gclose(g);
    }
    H5Fclose(f);
    return 0;
}
