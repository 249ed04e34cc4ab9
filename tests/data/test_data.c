/* test_data.c — the loader: files written here with the HDF5 C API (chunked + gzip
 * float64, integers, rank 1 to 4), features/flatten, limit, seeded subset and shuffle,
 * splits, masks, the standard scaler (against a direct computation; save/load),
 * CSV, the shape check, and every bad-data message.  Also the RNG. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "data.h"
#include "rng.h"

static char dir[256];
static char err[1024];

static const char *P(const char *file) {
    static char buf[16][512];
    static int k;
    char *p = buf[k++ % 16];
    snprintf(p, 512, "%s/%s", dir, file);
    return p;
}

/* Writes dataset `name` into file (created if new).  chunk: NULL = contiguous. */
static void write_ds(const char *file, const char *name, hid_t ftype, hid_t mtype, int rank,
                     const hsize_t *dims, const void *data, const hsize_t *chunk, int gzip) {
    hid_t f = access(file, F_OK) == 0 ? H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT)
                                      : H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (chunk) {
        H5Pset_chunk(dcpl, rank, chunk);
        if (gzip) { H5Pset_shuffle(dcpl); H5Pset_deflate(dcpl, (unsigned)gzip); }
    }
    hid_t d = H5Dcreate2(f, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (data) H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(d); H5Pclose(dcpl); H5Sclose(sp); H5Fclose(f);
}

static void write_text(const char *file, const char *text) {
    FILE *f = fopen(file, "w");
    if (f) { fputs(text, f); fclose(f); }
}

static int load(aedl_data_spec sp, aedl_table *t) {
    err[0] = 0;
    return aedl_data_load(&sp, t, err, sizeof err);
}

/* The error is reported (rc -1), names the file, and says what is wrong. */
static void expect_error(const char *name, aedl_data_spec sp, const char *needle1, const char *needle2) {
    aedl_table t;
    int rc = load(sp, &t);
    int ok = rc == -1 && strstr(err, sp.path) && strstr(err, needle1) && (!needle2 || strstr(err, needle2)) &&
             t.x == NULL && t.n == 0;
    CHECK(ok, name, "rc %d, message \"%s\" should name %s and contain \"%s\"%s%s", rc, err, sp.path,
          needle1, needle2 ? " and " : "", needle2 ? needle2 : "");
    if (getenv("AEDL_TEST_VERBOSE")) printf("# %s\n", err);
    if (rc == 0) aedl_table_free(&t);
}

static double val(size_t i, size_t j, size_t k) { return (double)i * 0.001 + (double)j * 10.0 + (double)k + 0.125; }

static void test_rng(void) {
    aedl_rng a, b;
    aedl_rng_seed(&a, 42);
    aedl_rng_seed(&b, 42);
    int same = 1;
    for (int i = 0; i < 100; i++) same &= aedl_rng_u64(&a) == aedl_rng_u64(&b);
    aedl_rng_seed(&b, 43);
    CHECK(same && aedl_rng_u64(&a) != aedl_rng_u64(&b), "rng_seeded", "same seed must repeat, another differ");
    double s = 0, s2 = 0, umin = 1, umax = 0;
    for (int i = 0; i < 200000; i++) {
        double u = aedl_rng_uniform(&a), g = aedl_rng_normal(&a);
        if (u < umin) umin = u;
        if (u > umax) umax = u;
        s += g; s2 += g * g;
    }
    double m = s / 200000, v = s2 / 200000 - m * m;
    CHECK(umin >= 0 && umax < 1 && fabs(m) < 0.01 && fabs(v - 1) < 0.02, "rng_distributions",
          "uniform in [%g, %g], normal mean %g var %g", umin, umax, m, v);
    size_t idx[1000], seen[1000] = { 0 };
    for (size_t i = 0; i < 1000; i++) idx[i] = i;
    aedl_rng_shuffle(&a, idx, 1000);
    int perm = 1, moved = 0;
    for (size_t i = 0; i < 1000; i++) { if (idx[i] >= 1000 || seen[idx[i]]++) perm = 0; moved += idx[i] != i; }
    CHECK(perm && moved > 900, "rng_shuffle_permutation", "perm %d, %d moved", perm, moved);
}

/* A chunked, gzip-compressed float64 (N, 19, 4) file, as h5py writes with compression="gzip". */
static void test_chunked_gzip_f64(void) {
    const size_t N = 1000;
    double *x = malloc(N * 19 * 4 * sizeof *x);
    for (size_t i = 0; i < N; i++) for (size_t j = 0; j < 19; j++) for (size_t k = 0; k < 4; k++)
        x[(i * 19 + j) * 4 + k] = val(i, j, k);
    hsize_t dims[3] = { N, 19, 4 }, chunk[3] = { 64, 19, 4 };
    write_ds(P("gz.h5"), "Particles", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, dims, x, chunk, 4);
    aedl_table t;
    int feat[3] = { 0, 1, 2 };
    int rc = load((aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("gz.h5"), .dataset = "Particles",
                                    .features = feat, .nfeatures = 3, .flatten = 1,
                                    .input_shape = (size_t[]){ 57 }, .input_rank = 1 }, &t);
    size_t bad = 0;
    for (size_t i = 0; rc == 0 && i < N; i++) for (size_t j = 0; j < 19; j++) for (size_t k = 0; k < 3; k++)
        bad += t.x[i * 57 + j * 3 + k] != (float)val(i, j, k);
    CHECK(rc == 0 && t.n == N && t.d == 57 && t.rank == 1 && t.shape[0] == 57 && bad == 0,
          "load_chunked_gzip_float64", "rc %d (%s) n %zu d %zu, %zu wrong values", rc, err, t.n, t.d, bad);
    if (rc == 0) aedl_table_free(&t);

    /* Not flattened: per-event shape (19, 3); the model's (57) is then a mismatch naming both. */
    rc = load((aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("gz.h5"), .dataset = "Particles",
                                .features = feat, .nfeatures = 3 }, &t);
    CHECK(rc == 0 && t.rank == 2 && t.shape[0] == 19 && t.shape[1] == 3 && t.d == 57, "load_unflattened_shape",
          "rank %d shape (%zu, %zu)", t.rank, t.shape[0], t.shape[1]);
    if (rc == 0) aedl_table_free(&t);
    expect_error("error_shape_mismatch_names_both", (aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("gz.h5"),
                 .dataset = "Particles", .features = feat, .nfeatures = 3, .input_shape = (size_t[]){ 57 },
                 .input_rank = 1 }, "(19, 3)", "(57)");
    expect_error("error_shape_mismatch_flat", (aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("gz.h5"),
                 .dataset = "Particles", .flatten = 1, .input_shape = (size_t[]){ 57 }, .input_rank = 1 },
                 "(76)", "(57)");

    /* Limit without shuffle: the first events.  Limit with shuffle: a seeded random subset. */
    rc = load((aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("gz.h5"), .dataset = "Particles",
                                .features = (int[]){ 0 }, .nfeatures = 1, .flatten = 1, .limit = 100 }, &t);
    bad = 0;
    for (size_t i = 0; rc == 0 && i < 100; i++) bad += t.x[i * 19] != (float)val(i, 0, 0);
    CHECK(rc == 0 && t.n == 100 && t.n_available == N && bad == 0 && !t.warning[0], "load_limit_first_events",
          "rc %d n %zu, %zu not the first events", rc, t.n, bad);
    if (rc == 0) aedl_table_free(&t);

    aedl_table s1, s2, s3;
    aedl_data_spec sp = { .kind = AEDL_SRC_HDF5, .path = P("gz.h5"), .dataset = "Particles",
                          .features = (int[]){ 0 }, .nfeatures = 1, .flatten = 1, .limit = 300,
                          .shuffle = 1, .seed = 5 };
    int r1 = load(sp, &s1), r2 = load(sp, &s2);
    sp.seed = 6;
    int r3 = load(sp, &s3);
    int ok = !r1 && !r2 && !r3 && s1.n == 300 && !memcmp(s1.x, s2.x, 300 * 19 * sizeof(float)) &&
             memcmp(s1.x, s3.x, 300 * 19 * sizeof(float)) != 0;
    CHECK(ok, "load_shuffle_seeded", "same seed must give the same subset and order, another seed another");
    /* The subset: distinct events from the whole file, in a non-sorted order. */
    char *seen = calloc(N, 1);
    size_t dup = 0, beyond = 0, inversions = 0;
    for (size_t i = 0; ok && i < 300; i++) {
        size_t ev = (size_t)llround((s1.x[i * 19] - 0.125) / 0.001);
        if (ev >= N || seen[ev]++) dup++;
        beyond += ev >= 300;
        if (i && s1.x[i * 19] < s1.x[(i - 1) * 19]) inversions++;
    }
    CHECK(ok && dup == 0 && beyond > 100 && inversions > 100, "load_shuffle_random_subset",
          "%zu duplicates, %zu events beyond the first 300, %zu order inversions", dup, beyond, inversions);
    free(seen);
    if (!r1) aedl_table_free(&s1);
    if (!r2) aedl_table_free(&s2);
    if (!r3) aedl_table_free(&s3);

    /* Shuffle without limit: a permutation of all events. */
    sp.limit = 0;
    rc = load(sp, &t);
    double sum = 0;
    for (size_t i = 0; rc == 0 && i < t.n; i++) sum += t.x[i * 19];
    double want = 0;
    for (size_t i = 0; i < N; i++) want += (float)val(i, 0, 0);
    CHECK(rc == 0 && t.n == N && fabs(sum - want) < 1e-6 * want && t.x[0] != (float)val(0, 0, 0),
          "load_shuffle_all_permutation", "n %zu, sum %g vs %g", t.n, sum, want);
    if (rc == 0) aedl_table_free(&t);

    /* limit above N: a warning, not an error. */
    rc = load((aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("gz.h5"), .dataset = "Particles",
                                .limit = 5000 }, &t);
    CHECK(rc == 0 && t.n == N && strstr(t.warning, "5000") && strstr(t.warning, "1000") && strstr(t.warning, P("gz.h5")),
          "limit_above_n_is_warning", "rc %d n %zu warning \"%s\"", rc, t.n, t.warning);
    if (rc == 0) aedl_table_free(&t);
    free(x);
}

static void test_int_and_ranks(void) {
    /* int32 (20, 5) */
    int32_t xi[100];
    for (int i = 0; i < 100; i++) xi[i] = i * 3 - 50;
    hsize_t d2[2] = { 20, 5 };
    write_ds(P("ints.h5"), "counts", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, d2, xi, NULL, 0);
    aedl_table t;
    int rc = load((aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("ints.h5"), .dataset = "counts" }, &t);
    int ok = rc == 0 && t.n == 20 && t.d == 5;
    for (int i = 0; ok && i < 100; i++) ok = t.x[i] == (float)(i * 3 - 50);
    CHECK(ok, "load_int32", "rc %d (%s)", rc, err);
    if (rc == 0) aedl_table_free(&t);

    /* uint8 rank 1 (N,) in a group: read as (N, 1). */
    uint8_t xb[7] = { 0, 1, 2, 3, 250, 5, 6 };
    hid_t f = H5Fcreate(P("u8.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(H5Gcreate2(f, "grp", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Fclose(f);
    hsize_t d1 = 7;
    write_ds(P("u8.h5"), "/grp/b", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, &d1, xb, NULL, 0);
    rc = load((aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("u8.h5"), .dataset = "/grp/b", .want_mask = 1 }, &t);
    CHECK(rc == 0 && t.n == 7 && t.d == 1 && t.x[4] == 250.0f && t.mask && t.mask[0] == 0 && t.mask[1] == 1,
          "load_uint8_rank1_in_group", "rc %d (%s) n %zu d %zu", rc, err, t.n, t.d);
    if (rc == 0) aedl_table_free(&t);

    /* float32 rank 4 (6, 2, 3, 4), chunked without compression; features [3, 1]. */
    float x4[6 * 24];
    for (int i = 0; i < 6 * 24; i++) x4[i] = (float)i;
    hsize_t d4[4] = { 6, 2, 3, 4 }, c4[4] = { 4, 1, 3, 4 };
    write_ds(P("r4.h5"), "t", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 4, d4, x4, c4, 0);
    rc = load((aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("r4.h5"), .dataset = "t",
                                .features = (int[]){ 3, 1 }, .nfeatures = 2 }, &t);
    ok = rc == 0 && t.n == 6 && t.rank == 3 && t.shape[0] == 2 && t.shape[1] == 3 && t.shape[2] == 2 && t.d == 12;
    for (size_t i = 0; ok && i < 6; i++) for (size_t o = 0; o < 6; o++) {
        ok &= t.x[i * 12 + o * 2 + 0] == x4[i * 24 + o * 4 + 3];
        ok &= t.x[i * 12 + o * 2 + 1] == x4[i * 24 + o * 4 + 1];
    }
    CHECK(ok, "load_rank4_features_chunked", "rc %d (%s)", rc, err);
    if (rc == 0) aedl_table_free(&t);
}

static void test_split_scale_mask(void) {
    const size_t N = 2000, D = 6;
    float *x = malloc(N * D * sizeof *x);
    aedl_rng r;
    aedl_rng_seed(&r, 9);
    for (size_t i = 0; i < N; i++) {
        x[i * D + 0] = (float)(100 + 20 * aedl_rng_normal(&r));           /* large offset */
        x[i * D + 1] = (float)(aedl_rng_uniform(&r) < 0.3 ? 0 : 5 * aedl_rng_normal(&r));
        x[i * D + 2] = 0;                                                 /* constant zero */
        x[i * D + 3] = 4;                                                 /* constant */
        x[i * D + 4] = (float)aedl_rng_uniform(&r);
        x[i * D + 5] = (float)(1e-3 * aedl_rng_normal(&r));
    }
    hsize_t dims[2] = { N, D };
    write_ds(P("sc.h5"), "x", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dims, x, NULL, 0);
    aedl_table all, tr, va, te;
    int rc = load((aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("sc.h5"), .dataset = "x",
                                    .shuffle = 1, .seed = 3, .want_mask = 1 }, &all);
    if (!CHECK(rc == 0, "load_for_scaling", "%s", err)) { free(x); return; }
    rc = aedl_split(&all, 0.2, 0.1, &tr, &va, &te, err, sizeof err);
    CHECK(rc == 0 && tr.n == 1400 && va.n == 400 && te.n == 200 && va.x == all.x + 1400 * D &&
          te.x == all.x + 1800 * D && te.mask == all.mask + 1800 * D && !tr.owns,
          "split_counts_and_views", "train %zu val %zu test %zu", tr.n, va.n, te.n);
    CHECK(aedl_split(&all, 0.6, 0.5, &tr, &va, &te, err, sizeof err) == -1 && strstr(err, "0.6"),
          "split_bad_fractions", "\"%s\"", err);
    aedl_split(&all, 0.2, 0.1, &tr, &va, &te, err, sizeof err);

    /* Mask: 1 where the raw value is non-zero. */
    size_t mbad = 0;
    for (size_t i = 0; i < N * D; i++) mbad += all.mask[i] != (all.x[i] != 0.0f);
    CHECK(mbad == 0, "mask_matches_raw_nonzero", "%zu mask entries wrong", mbad);

    /* Direct computation of the statistics on the training rows. */
    aedl_scaler sc;
    aedl_scaler_fit(&sc, &tr);
    int ok = sc.d == D;
    double worst = 0;
    for (size_t j = 0; ok && j < D; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < tr.n; i++) m += tr.x[i * D + j];
        m /= (double)tr.n;
        for (size_t i = 0; i < tr.n; i++) v += (tr.x[i * D + j] - m) * (tr.x[i * D + j] - m);
        double sd = sqrt(v / (double)tr.n);
        if (sd == 0) sd = 1;
        double em = fabs(sc.mean[j] - m) / fmax(1e-6, fabs(m)), es = fabs(sc.std[j] - sd) / sd;
        if (em > worst) worst = em;
        if (es > worst) worst = es;
    }
    CHECK(ok && worst < 1e-6, "scaler_fit_matches_direct", "worst relative difference %g", worst);
    CHECK(sc.std[2] == 1.0f && sc.std[3] == 1.0f && sc.mean[3] == 4.0f, "scaler_constant_columns",
          "std %g %g mean %g", sc.std[2], sc.std[3], sc.mean[3]);

    /* Save, load: identical; apply: the training split gets mean 0, std 1. */
    aedl_scaler back;
    int s1 = aedl_scaler_save(&sc, P("scaler.h5"), err, sizeof err);
    int s2 = aedl_scaler_load(&back, P("scaler.h5"), err, sizeof err);
    CHECK(!s1 && !s2 && back.d == D && !memcmp(back.mean, sc.mean, D * 4) && !memcmp(back.std, sc.std, D * 4),
          "scaler_save_load_roundtrip", "%s", err);
    if (!s2) aedl_scaler_free(&back);
    hid_t f = H5Fcreate(P("weights.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    s1 = aedl_scaler_write_h5(&sc, f, err, sizeof err);
    H5Fclose(f);
    s2 = aedl_scaler_load(&back, P("weights.h5"), err, sizeof err);
    CHECK(!s1 && !s2 && back.d == D && !memcmp(back.mean, sc.mean, D * 4), "scaler_group_in_other_file", "%s", err);
    if (!s2) aedl_scaler_free(&back);
    CHECK(aedl_scaler_load(&back, P("nothere.h5"), err, sizeof err) == -1 && strstr(err, P("nothere.h5")),
          "scaler_load_missing_file", "\"%s\"", err);
    CHECK(mkfifo(P("fifo.h5"), 0600) == 0 && aedl_scaler_load(&back, P("fifo.h5"), err, sizeof err) == -1 &&
          strstr(err, "fifo.h5: the scaler file: not a regular file (a FIFO)"),
          "scaler_load_fifo_refused", "\"%s\"", err);
    CHECK(aedl_scaler_load(&back, P("sc.h5"), err, sizeof err) == -1 && strstr(err, "/scaler"),
          "scaler_load_no_group", "\"%s\"", err);

    uint8_t *mask_before = malloc(N * D);
    memcpy(mask_before, all.mask, N * D);
    float raw0 = all.x[0];
    aedl_scaler_apply(&sc, &all);
    double m0 = 0, v0 = 0;
    for (size_t i = 0; i < tr.n; i++) m0 += tr.x[i * D];
    m0 /= (double)tr.n;
    for (size_t i = 0; i < tr.n; i++) v0 += (tr.x[i * D] - m0) * (tr.x[i * D] - m0);
    v0 /= (double)tr.n;
    CHECK(fabs(m0) < 1e-4 && fabs(v0 - 1) < 1e-4 && all.x[0] == (raw0 - sc.mean[0]) / sc.std[0] &&
          !memcmp(mask_before, all.mask, N * D), "scaler_apply",
          "train column 0 mean %g var %g after scaling; the mask must not change", m0, v0);
    free(mask_before);
    aedl_scaler_free(&sc);
    aedl_table_free(&all);
    free(x);
}

static void test_csv(void) {
    write_text(P("ok.csv"), "# jets\npt,eta,phi,e\n10, 0.5, -1, 12.5\n\n20 1.5 2 48e0\n30;-0.5;0.25;34\n");
    aedl_table t;
    int rc = load((aedl_data_spec){ .kind = AEDL_SRC_CSV, .path = P("ok.csv"), .features = (int[]){ 3, 0 },
                                    .nfeatures = 2 }, &t);
    CHECK(rc == 0 && t.n == 3 && t.d == 2 && t.x[0] == 12.5f && t.x[1] == 10 && t.x[2] == 48 && t.x[5] == 30,
          "csv_load_header_comments_separators", "rc %d (%s) n %zu d %zu", rc, err, t.n, t.d);
    if (rc == 0) aedl_table_free(&t);
    write_text(P("word.csv"), "1,2,3\n4,five,6\n");
    expect_error("csv_error_not_a_number", (aedl_data_spec){ .kind = AEDL_SRC_CSV, .path = P("word.csv") }, ":2:", "five");
    write_text(P("ragged.csv"), "1,2,3\n4,5\n");
    expect_error("csv_error_ragged", (aedl_data_spec){ .kind = AEDL_SRC_CSV, .path = P("ragged.csv") }, ":2:", "line 1 has 3");
    write_text(P("empty.csv"), "# nothing\n\n");
    expect_error("csv_error_empty", (aedl_data_spec){ .kind = AEDL_SRC_CSV, .path = P("empty.csv") }, "no events", NULL);
    write_text(P("nan.csv"), "1,2\n3,4\n5,nan\n");
    expect_error("csv_error_nan", (aedl_data_spec){ .kind = AEDL_SRC_CSV, .path = P("nan.csv") }, "nan.csv:3: field 2 is a NaN", NULL);
    expect_error("csv_error_missing", (aedl_data_spec){ .kind = AEDL_SRC_CSV, .path = P("none.csv") }, "No such file", NULL);
}

static void test_bad_hdf5(void) {
    aedl_data_spec sp = { .kind = AEDL_SRC_HDF5, .dataset = "Particles" };
    sp.path = P("missing.h5");
    expect_error("error_missing_file", sp, "No such file", NULL);
    write_text(P("text.h5"), "this is not HDF5\n");
    sp.path = P("text.h5");
    expect_error("error_not_hdf5", sp, "not an HDF5 file", NULL);
    sp.path = P("gz.h5");
    sp.dataset = "Particle";
    expect_error("error_missing_dataset_lists_present", sp, "no dataset 'Particle'", "Particles (1000, 19, 4)");
    sp.path = P("u8.h5");
    sp.dataset = "grp";
    expect_error("error_group_not_dataset", sp, "is a group", NULL);

    /* Strings: like Particles_Names. */
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, 5);
    hsize_t d1 = 2;
    write_ds(P("str.h5"), "Particles_Names", st, st, 1, &d1, "Pt\0\0\0Eta\0\0", NULL, 0);
    H5Tclose(st);
    expect_error("error_strings_not_numbers", (aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("str.h5"),
                 .dataset = "Particles_Names" }, "strings, not numbers", NULL);

    /* Empty (0, 19, 4) and scalar. */
    hsize_t d0[3] = { 0, 19, 4 };
    write_ds(P("empty.h5"), "Particles", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, d0, NULL, NULL, 0);
    expect_error("error_empty_dataset", (aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("empty.h5"),
                 .dataset = "Particles" }, "empty", "(0, 19, 4)");
    hid_t f = H5Fcreate(P("scalar.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sp0 = H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(f, "s", H5T_IEEE_F32LE, sp0, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(d); H5Sclose(sp0); H5Fclose(f);
    expect_error("error_scalar_dataset", (aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("scalar.h5"),
                 .dataset = "s" }, "scalar", NULL);

    /* NaN (float64, chunked, gzip) at event 37; Inf (float32) at event 3. */
    double xn[50 * 4];
    for (int i = 0; i < 200; i++) xn[i] = i;
    xn[37 * 4 + 2] = NAN;
    xn[45 * 4 + 1] = NAN;
    hsize_t dn[2] = { 50, 4 }, cn[2] = { 16, 4 };
    write_ds(P("nan.h5"), "x", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dn, xn, cn, 6);
    expect_error("error_nan_first_event", (aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("nan.h5"),
                 .dataset = "x" }, "NaN at event 37", "[2]");
    float xf[40];
    for (int i = 0; i < 40; i++) xf[i] = (float)i;
    xf[3 * 4 + 0] = INFINITY;
    hsize_t df[2] = { 10, 4 };
    write_ds(P("inf.h5"), "x", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, df, xf, NULL, 0);
    expect_error("error_inf", (aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("inf.h5"), .dataset = "x" },
                 "infinite value at event 3", NULL);
    /* The NaN in a dropped column does not matter. */
    aedl_table t;
    int rc = load((aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("inf.h5"), .dataset = "x",
                                    .features = (int[]){ 1, 2, 3 }, .nfeatures = 3 }, &t);
    CHECK(rc == 0 && t.n == 10 && t.d == 3, "inf_in_dropped_feature_is_fine", "rc %d (%s)", rc, err);
    if (rc == 0) aedl_table_free(&t);

    expect_error("error_feature_out_of_range", (aedl_data_spec){ .kind = AEDL_SRC_HDF5, .path = P("gz.h5"),
                 .dataset = "Particles", .features = (int[]){ 0, 4 }, .nfeatures = 2 }, "feature index 4", "4 entries");
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/aedl-test-data-XXXXXX");
    if (!mkdtemp(dir)) { CHECK(0, "data_tmpdir", "mkdtemp failed"); return check_exit(); }
    test_rng();
    test_chunked_gzip_f64();
    test_int_and_ranks();
    test_split_scale_mask();
    test_csv();
    test_bad_hdf5();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("# could not remove %s\n", dir);
    return check_exit();
}
