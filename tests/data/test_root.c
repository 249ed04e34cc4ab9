/* test_root.c — the ROOT reader (runtime/root*.c) and the object selection
 * (runtime/data_sel.c) on the shared real files (../shared/testdata/root), and on
 * damaged copies made here in a temporary folder.
 *
 * Independent checks: the six storage variants of the HZZ sample read to the
 * same values (and their baskets really use the six storages: the block headers
 * are read from the files' bytes here); count branches summed equal the lengths
 * of the jagged branches (the counts and the basket offsets are separate data
 * in the file); the first events' float bytes are found verbatim in the
 * uncompressed file; ranges of eta and phi; the same selection on an HDF5 copy
 * of the columns gives the same rows. */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hdf5.h>
#include "check.h"
#include "data.h"
#include "data_sel.h"
#include "root.h"

#define DIR "../shared/testdata/root/"
static const char *variants[] = { "uproot-HZZ.root", "uproot-HZZ-uncompressed.root", "uproot-HZZ-zlib.root",
                                  "uproot-HZZ-lzma.root", "uproot-HZZ-lz4.root", "uproot-HZZ-zstd.root" };
static const char *storage[] = { "ZL", "none", "ZL", "XZ", "L4", "ZS" };
static char tmpdir[256];
static void expect(const char *name, const char *err, const char *a, const char *b, const char *c);

/* FNV-1a over every value of every supported branch, with the value counts. */
static int hash_tree(const char *path, uint64_t *h, long long *nvals, char *err, size_t errlen) {
    rt_tree t;
    if (rt_tree_open(&t, path, "events", err, errlen)) return -1;
    *h = 1469598103934665603ull;
    *nvals = 0;
    for (int i = 0; i < t.nbranches; i++) {
        rt_reader r;
        rt_reader_init(&r, &t, &t.br[i]);
        for (int64_t e = 0; e < t.entries; e++) {
            size_t n;
            const double *v = rt_reader_get(&r, e, &n, err, errlen);
            if (!v) { rt_reader_free(&r); rt_tree_close(&t); return -1; }
            for (size_t k = 0; k < n; k++) {
                uint64_t bits;
                memcpy(&bits, &v[k], 8);
                for (int b = 0; b < 8; b++) { *h ^= (bits >> (8 * b)) & 0xff; *h *= 1099511628211ull; }
            }
            *nvals += (long long)n;
        }
        rt_reader_free(&r);
    }
    rt_tree_close(&t);
    return 0;
}

/* The first two bytes of branch's basket 0 after its key, read from the file. */
static void basket_magic(const char *path, const char *branch, char out[8]) {
    char err[600];
    rt_tree t;
    strcpy(out, "?");
    if (rt_tree_open(&t, path, "events", err, sizeof err)) return;
    const rt_branch *b = rt_branch_find(&t, branch);
    int fd = open(path, O_RDONLY);
    unsigned char k[32];
    if (b && fd >= 0 && pread(fd, k, sizeof k, b->basket_seek[0]) == (ssize_t)sizeof k) {
        int keylen = k[14] << 8 | k[15];
        int32_t nbytes = (int32_t)((uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 | (uint32_t)k[2] << 8 | k[3]);
        int32_t objlen = (int32_t)((uint32_t)k[6] << 24 | (uint32_t)k[7] << 16 | (uint32_t)k[8] << 8 | k[9]);
        unsigned char m[2];
        if (objlen == nbytes - keylen) strcpy(out, "none");
        else if (pread(fd, m, 2, b->basket_seek[0] + keylen) == 2) { out[0] = (char)m[0]; out[1] = (char)m[1]; out[2] = 0; }
    }
    if (fd >= 0) close(fd);
    rt_tree_close(&t);
}

static void test_variants(void) {
    uint64_t h0 = 0;
    long long n0 = 0;
    char err[600];
    for (int i = 0; i < 6; i++) {
        char path[300], name[128];
        snprintf(path, sizeof path, DIR "%s", variants[i]);
        uint64_t h = 0;
        long long n = 0;
        snprintf(name, sizeof name, "hzz_reads_%s", variants[i]);
        if (!CHECK(hash_tree(path, &h, &n, err, sizeof err) == 0, name, "%s", err)) continue;
        if (i == 0) { h0 = h; n0 = n; CHECK(n > 100000, "hzz_value_count", "%lld values", n); }
        else {
            snprintf(name, sizeof name, "hzz_identical_%s", variants[i]);
            CHECK(h == h0 && n == n0, name, "hash %016llx vs %016llx, %lld vs %lld values",
                  (unsigned long long)h, (unsigned long long)h0, n, n0);
        }
        char m[8];
        basket_magic(path, "Muon_Px", m);
        snprintf(name, sizeof name, "hzz_storage_%s", variants[i]);
        CHECK(!strcmp(m, storage[i]), name, "basket 0 of Muon_Px is stored as '%s', expected '%s'", m, storage[i]);
    }
}

/* Sums a count branch and counts the values of a jagged one. */
static void test_counts(const char *path, const char *tree, const char *count, const char *jagged, const char *name) {
    char err[600];
    rt_tree t;
    if (!CHECK(rt_tree_open(&t, path, tree, err, sizeof err) == 0, name, "%s", err)) return;
    const rt_branch *bc = rt_branch_find(&t, count), *bj = rt_branch_find(&t, jagged);
    if (!CHECK(bc && bj && bj->count && !strcmp(bj->count, count), name, "branches %s/%s", count, jagged)) {
        rt_tree_close(&t);
        return;
    }
    rt_reader rc, rj;
    rt_reader_init(&rc, &t, bc);
    rt_reader_init(&rj, &t, bj);
    long long sum = 0, len = 0, mismatch = -1;
    for (int64_t e = 0; e < t.entries; e++) {
        size_t n1, n2;
        const double *c = rt_reader_get(&rc, e, &n1, err, sizeof err);
        const double *v = rt_reader_get(&rj, e, &n2, err, sizeof err);
        if (!c || !v) break;
        sum += (long long)c[0];
        len += (long long)n2;
        if ((size_t)c[0] != n2 && mismatch < 0) mismatch = e;
    }
    CHECK(sum == len && mismatch < 0 && sum > 0, name, "count sum %lld, jagged values %lld, first mismatch %lld",
          sum, len, mismatch);
    rt_reader_free(&rc);
    rt_reader_free(&rj);
    rt_tree_close(&t);
}

/* The first event's two Muon_Px floats, big-endian, appear side by side in the
   uncompressed file: the values come from the file, not from the reader. */
static void test_first_values(void) {
    char err[600];
    rt_tree t;
    const char *path = DIR "uproot-HZZ-uncompressed.root";
    if (!CHECK(rt_tree_open(&t, path, "events", err, sizeof err) == 0, "hzz_first_event", "%s", err)) return;
    rt_reader r;
    rt_reader_init(&r, &t, rt_branch_find(&t, "Muon_Px"));
    size_t n;
    const double *v = rt_reader_get(&r, 0, &n, err, sizeof err);
    unsigned char pat[8];
    int ok = v && n == 2;
    for (size_t k = 0; ok && k < 2; k++) {
        float f = (float)v[k];
        uint32_t w;
        memcpy(&w, &f, 4);
        for (int b = 0; b < 4; b++) pat[4 * k + (size_t)b] = (unsigned char)(w >> (24 - 8 * b));
    }
    /* uproot's documentation shows the first event's Muon_Px as [-52.9, 37.7]. */
    ok = ok && fabs(v[0] + 52.899456) < 1e-5 && fabs(v[1] - 37.7377815) < 1e-5;
    FILE *fp = fopen(path, "rb");
    int found = 0;
    if (fp && ok) {
        static unsigned char buf[1 << 20];
        size_t got = fread(buf, 1, sizeof buf, fp);
        for (size_t i = 0; i + 8 <= got && !found; i++) found = !memcmp(buf + i, pat, 8);
    }
    if (fp) fclose(fp);
    CHECK(ok && found, "hzz_first_event", "values %s, bytes %s in the file", ok ? "right" : "wrong",
          found ? "found" : "not found");
    rt_reader_free(&r);
    rt_tree_close(&t);
}

static const char *const ptetaphi[] = { "pt", "eta", "phi" };
static const aedl_objsel tutorial[] = {
    { "FatJet", 6, NULL, ptetaphi, 3, 0.0 },
    { "Electron", 4, NULL, ptetaphi, 3, 0.0 },
    { "Muon", 4, NULL, ptetaphi, 3, 0.0 },
};

static void test_nanoaod(void) {
    const char *files[] = { DIR "nanoAOD_2015_CMS_Open_Data_ttbar.root" };
    aedl_selection sel = { .files = files, .nfiles = 1, .tree = "Events", .objs = tutorial, .nobjs = 3 };
    aedl_selected out;
    char err[1500];
    if (!CHECK(aedl_select(&sel, &out, err, sizeof err) == 0, "nanoaod_select", "%s", err)) return;
    CHECK(out.n == 200 && out.rowlen == 42 && out.rank == 2 && out.dims[0] == 14 && out.dims[1] == 3,
          "nanoaod_shape", "n %zu rowlen %zu rank %d (%zu, %zu)", out.n, out.rowlen, out.rank, out.dims[0], out.dims[1]);
    /* Per kind: objects kept = min(count, N), then padding; counts read apart. */
    rt_tree t;
    int ok = rt_tree_open(&t, files[0], "Events", err, sizeof err) == 0;
    long long bad_pad = 0, bad_range = 0, objects = 0, kept = 0;
    const char *cn[] = { "nFatJet", "nElectron", "nMuon" };
    size_t base[] = { 0, 18, 30 };
    int nk[] = { 6, 4, 4 };
    for (int k = 0; ok && k < 3; k++) {
        rt_reader r;
        rt_reader_init(&r, &t, rt_branch_find(&t, cn[k]));
        for (size_t e = 0; e < out.n; e++) {
            size_t n;
            const double *c = rt_reader_get(&r, (int64_t)e, &n, err, sizeof err);
            if (!c) { ok = 0; break; }
            size_t have = (size_t)c[0] < (size_t)nk[k] ? (size_t)c[0] : (size_t)nk[k];
            objects += (long long)c[0];
            kept += (long long)have;
            for (int j = 0; j < nk[k]; j++) {
                const float *o = out.rows + e * 42 + base[k] + 3 * (size_t)j;
                if ((size_t)j >= have) bad_pad += o[0] != 0 || o[1] != 0 || o[2] != 0;
                else bad_range += !(o[0] > 0 && o[0] < 7000 && fabsf(o[1]) < 5 && fabsf(o[2]) <= 3.1416f);
            }
        }
        rt_reader_free(&r);
    }
    if (ok) rt_tree_close(&t);
    CHECK(ok && bad_pad == 0 && bad_range == 0 && kept > 50, "nanoaod_padding_and_ranges",
          "%lld bad pads, %lld out-of-range objects, %lld of %lld objects kept", bad_pad, bad_range, kept, objects);
    /* Known numbers of the slice, established with this reader and cross-checked
       by the counts above: 2 fat jets, 69 electrons, 41 muons in 200 events. */
    CHECK(objects == 2 + 69 + 41, "nanoaod_object_counts", "%lld objects", objects);

    /* Sorted by pt (largest first) gives the stored order here: NanoAOD is pT-ordered. */
    aedl_objsel sorted[3];
    memcpy(sorted, tutorial, sizeof sorted);
    for (int k = 0; k < 3; k++) sorted[k].sort_by = "pt";
    aedl_selection s2 = sel;
    s2.objs = sorted;
    aedl_selected o2;
    if (CHECK(aedl_select(&s2, &o2, err, sizeof err) == 0, "nanoaod_sorted", "%s", err)) {
        CHECK(o2.n == out.n && !memcmp(o2.rows, out.rows, out.n * 42 * sizeof(float)), "nanoaod_sorted_same",
              "sorting by pt changed the rows");
        aedl_selected_free(&o2);
    }
    /* A cut: at least one muon above 20 GeV, plus MET scalars. */
    const char *const scal[] = { "MET_pt", "MET_phi" };
    aedl_evcut cut = { "Muon", 1, "pt", 20.0 };
    aedl_selection s3 = sel;
    s3.scalars = scal;
    s3.nscalars = 2;
    s3.cuts = &cut;
    s3.ncuts = 1;
    aedl_selected o3;
    if (CHECK(aedl_select(&s3, &o3, err, sizeof err) == 0, "nanoaod_cut", "%s", err)) {
        long long fail = 0;
        for (size_t e = 0; e < o3.n; e++) {
            const float *r = o3.rows + e * 44;
            int any = 0;
            for (int j = 0; j < 4; j++) any |= r[30 + 3 * j] > 20.0f;
            fail += !any;
            fail += !(r[42] > 0 && fabsf(r[43]) <= 3.1416f);
        }
        CHECK(o3.n > 0 && o3.n < out.n && o3.rowlen == 44 && o3.rank == 1 && fail == 0, "nanoaod_cut_rows",
              "%zu of %zu events kept, rowlen %zu, %lld rows break the cut", o3.n, out.n, o3.rowlen, fail);
        aedl_selected_free(&o3);
    }

    /* The same columns in an HDF5 file (flat Muon_pt + nMuon) select the same rows. */
    char h5path[400];
    snprintf(h5path, sizeof h5path, "%s/nano.h5", tmpdir);
    hid_t f = H5Fcreate(h5path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ok = f >= 0 && rt_tree_open(&t, files[0], "Events", err, sizeof err) == 0;
    const char *kinds[] = { "FatJet", "Electron", "Muon" };
    for (int k = 0; ok && k < 3; k++) {
        char nm[100];
        for (int v = -1; v < 3; v++) {
            if (v < 0) snprintf(nm, sizeof nm, "n%s", kinds[k]);
            else snprintf(nm, sizeof nm, "%s_%s", kinds[k], ptetaphi[v]);
            rt_reader r;
            rt_reader_init(&r, &t, rt_branch_find(&t, nm));
            double *all = NULL;
            size_t na = 0;
            for (int64_t e = 0; e < t.entries; e++) {
                size_t n;
                const double *x = rt_reader_get(&r, e, &n, err, sizeof err);
                if (!x) { ok = 0; break; }
                all = realloc(all, (na + n + 1) * sizeof *all);
                memcpy(all + na, x, n * sizeof *x);
                na += n;
            }
            hsize_t dims = na;
            hid_t sp = H5Screate_simple(1, &dims, NULL);
            hid_t d = H5Dcreate2(f, nm, v < 0 ? H5T_STD_I32LE : H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            if (na) H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, all);
            H5Dclose(d);
            H5Sclose(sp);
            free(all);
            rt_reader_free(&r);
        }
    }
    if (f >= 0) H5Fclose(f);
    if (ok) rt_tree_close(&t);
    const char *hfiles[] = { h5path };
    aedl_selection s4 = sel;
    s4.files = hfiles;
    s4.tree = NULL;
    aedl_selected o4;
    if (CHECK(ok && aedl_select(&s4, &o4, err, sizeof err) == 0, "hdf5_jagged_select", "%s", err)) {
        CHECK(o4.n == out.n && o4.rowlen == out.rowlen && !memcmp(o4.rows, out.rows, out.n * 42 * sizeof(float)),
              "hdf5_jagged_same_rows", "the HDF5 copy selects different rows (%zu events)", o4.n);
        aedl_selected_free(&o4);
    }
    /* A count that does not add up to the values: named, with both numbers. */
    f = H5Fopen(h5path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f >= 0) {
        hid_t d = H5Dopen2(f, "nMuon", H5P_DEFAULT);
        int one = 7;
        hsize_t at = 0, cnt = 1;
        hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &cnt, NULL);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &cnt, NULL);
        H5Dwrite(d, H5T_NATIVE_INT, ms, fs, H5P_DEFAULT, &one);
        H5Sclose(ms); H5Sclose(fs); H5Dclose(d); H5Fclose(f);
    }
    CHECK(aedl_select(&s4, &o4, err, sizeof err) != 0, "hdf5_jagged_bad_count_fails", "no error");
    expect("hdf5_jagged_bad_count", err, h5path, "'Muon_pt' has 41 values", "'nMuon' adds up to 48");

    /* Through the loader: the spec's selection gives the table, flattened. */
    aedl_data_spec sp = { .kind = AEDL_SRC_ROOT, .path = files[0], .sel = &sel, .flatten = 1, .want_mask = 1,
                          .input_shape = (size_t[]){ 42 }, .input_rank = 1 };
    aedl_table tab;
    if (CHECK(aedl_data_load(&sp, &tab, err, sizeof err) == 0, "loader_root_source", "%s", err)) {
        size_t masked = 0;
        for (size_t i = 0; i < tab.n * tab.d; i++) masked += tab.mask[i] == 0;
        CHECK(tab.n == 200 && tab.d == 42 && !memcmp(tab.x, out.rows, 200 * 42 * sizeof(float)) && masked > 0,
              "loader_root_table", "n %zu d %zu, %zu masked", tab.n, tab.d, masked);
        aedl_table_free(&tab);
    }
    /* Two files are one data set, in order. */
    const char *two[] = { files[0], files[0] };
    aedl_selection s5 = sel;
    s5.files = two;
    s5.nfiles = 2;
    aedl_selected o5;
    if (CHECK(aedl_select(&s5, &o5, err, sizeof err) == 0, "two_files", "%s", err)) {
        CHECK(o5.n == 400 && o5.nfiles == 2 && !memcmp(o5.rows + 200 * 42, out.rows, 200 * 42 * sizeof(float)),
              "two_files_in_order", "%zu events from %d files", o5.n, o5.nfiles);
        aedl_selected_free(&o5);
    }
    aedl_selected_free(&out);
}

/* HZZ: no nMuon, the leaf count NMuon is used; 6 variants select the same rows. */
static void test_hzz_selection(void) {
    static const char *const pxyz[] = { "Px", "Py", "Pz" };
    aedl_objsel mu = { "Muon", 2, NULL, pxyz, 3, -1.0 };
    aedl_selected first = { 0 };
    char err[1500];
    for (int i = 0; i < 6; i++) {
        char path[300], name[128];
        snprintf(path, sizeof path, DIR "%s", variants[i]);
        const char *files[] = { path };
        aedl_selection sel = { .files = files, .nfiles = 1, .tree = "events", .objs = &mu, .nobjs = 1 };
        aedl_selected o;
        snprintf(name, sizeof name, "hzz_select_%s", variants[i]);
        if (!CHECK(aedl_select(&sel, &o, err, sizeof err) == 0, name, "%s", err)) continue;
        if (i == 0) { first = o; continue; }
        CHECK(o.n == first.n && !memcmp(o.rows, first.rows, o.n * o.rowlen * sizeof(float)), name, "rows differ");
        aedl_selected_free(&o);
    }
    long long pads = 0;
    for (size_t k = 0; k < first.n * first.rowlen; k++) pads += first.rows[k] == -1.0f;
    CHECK(first.n == 2421 && pads > 0, "hzz_pad_value", "%zu events, %lld pads of -1", first.n, pads);
    aedl_selected_free(&first);
}

/* ---- damaged files and bad input ------------------------------------------------ */
static int copy_file(const char *from, const char *to) {
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    if (!a || !b) { if (a) fclose(a); if (b) fclose(b); return -1; }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0) fwrite(buf, 1, n, b);
    fclose(a);
    return fclose(b);
}

static void poke(const char *path, long off, unsigned char xor_) {
    FILE *f = fopen(path, "r+b");
    if (!f) return;
    fseek(f, off, SEEK_SET);
    int c = fgetc(f);
    fseek(f, off, SEEK_SET);
    fputc(c ^ xor_, f);
    fclose(f);
}

/* Reads every value of branch; returns the first error (or "" when all read). */
static void read_all(const char *path, const char *tree, const char *branch, char *err, size_t errlen) {
    rt_tree t;
    err[0] = 0;
    if (rt_tree_open(&t, path, tree, err, errlen)) return;
    const rt_branch *b = rt_branch_find(&t, branch);
    if (b) {
        rt_reader r;
        rt_reader_init(&r, &t, b);
        for (int64_t e = 0; e < t.entries; e++) {
            size_t n;
            if (!rt_reader_get(&r, e, &n, err, errlen)) break;
        }
        rt_reader_free(&r);
    }
    rt_tree_close(&t);
}

static void expect(const char *name, const char *err, const char *a, const char *b, const char *c) {
    if (getenv("SHOWMSG")) fprintf(stderr, "%s: %s\n", name, err);
    CHECK(err[0] && strstr(err, a) && (!b || strstr(err, b)) && (!c || strstr(err, c)), name,
          "message '%s' lacks '%s' / '%s' / '%s'", err, a, b ? b : "", c ? c : "");
}

static int64_t basket_pos(const char *path, const char *branch, int *keylen) {
    char err[600];
    rt_tree t;
    if (rt_tree_open(&t, path, "events", err, sizeof err)) return -1;
    const rt_branch *b = rt_branch_find(&t, branch);
    int64_t s = b ? b->basket_seek[0] : -1;
    unsigned char k[16];
    int fd = open(path, O_RDONLY);
    *keylen = fd >= 0 && s > 0 && pread(fd, k, 16, s) == 16 ? (k[14] << 8 | k[15]) : 0;
    if (fd >= 0) close(fd);
    rt_tree_close(&t);
    return s;
}

static void test_damaged(void) {
    char p[400], err[1500];
    /* cut off */
    snprintf(p, sizeof p, "%s/cut.root", tmpdir);
    copy_file(DIR "uproot-HZZ-zlib.root", p);
    if (truncate(p, 150000)) perror("truncate");
    read_all(p, "events", "Muon_Px", err, sizeof err);
    expect("damaged_cut_off", err, p, "cut off", "150000");
    /* a byte flipped inside a zlib basket */
    snprintf(p, sizeof p, "%s/flip.root", tmpdir);
    copy_file(DIR "uproot-HZZ-zlib.root", p);
    int keylen;
    int64_t s = basket_pos(p, "Muon_Py", &keylen);
    poke(p, (long)(s + keylen + 9 + 40), 0x5a);
    read_all(p, "events", "Muon_Py", err, sizeof err);
    expect("damaged_zlib_basket", err, p, "branch 'Muon_Py', basket 0", "zlib");
    /* a wrong LZ4 checksum */
    snprintf(p, sizeof p, "%s/sum.root", tmpdir);
    copy_file(DIR "uproot-HZZ-lz4.root", p);
    s = basket_pos(p, "Jet_E", &keylen);
    poke(p, (long)(s + keylen + 9 + 3), 0x01);
    read_all(p, "events", "Jet_E", err, sizeof err);
    expect("damaged_lz4_checksum", err, p, "branch 'Jet_E', basket 0", "checksum mismatch");
    /* an LZ4 data byte changed: the checksum catches it too */
    snprintf(p, sizeof p, "%s/lz4data.root", tmpdir);
    copy_file(DIR "uproot-HZZ-lz4.root", p);
    s = basket_pos(p, "Jet_E", &keylen);
    poke(p, (long)(s + keylen + 17 + 5), 0x10);
    read_all(p, "events", "Jet_E", err, sizeof err);
    expect("damaged_lz4_data", err, p, "basket 0", "checksum mismatch");
    /* an entry offset of a jagged basket turned negative (uncompressed file) */
    snprintf(p, sizeof p, "%s/offset.root", tmpdir);
    copy_file(DIR "uproot-HZZ-uncompressed.root", p);
    s = basket_pos(p, "Muon_Px", &keylen);
    {
        int fd = open(p, O_RDWR);
        unsigned char l[4];
        if (fd >= 0 && pread(fd, l, 4, s + keylen - 5) == 4) {
            int64_t last = (int64_t)((uint32_t)l[0] << 24 | (uint32_t)l[1] << 16 | (uint32_t)l[2] << 8 | l[3]);
            unsigned char m;
            if (pread(fd, &m, 1, s + last + 4) == 1) { m ^= 0x80; if (pwrite(fd, &m, 1, s + last + 4) != 1) perror("pwrite"); }
        }
        if (fd >= 0) close(fd);
    }
    read_all(p, "events", "Muon_Px", err, sizeof err);
    expect("damaged_entry_offset", err, p, "branch 'Muon_Px', basket 0", "entry offsets are damaged");
    /* a count that disagrees with the jagged branch's entry offsets */
    snprintf(p, sizeof p, "%s/count.root", tmpdir);
    copy_file(DIR "uproot-HZZ-uncompressed.root", p);
    s = basket_pos(p, "NMuon", &keylen);
    poke(p, (long)(s + keylen + 3), 0x01);                /* event 0: 2 muons -> 3 */
    {
        static const char *const px[] = { "Px" };
        aedl_objsel m = { "Muon", 2, NULL, px, 1, 0 };
        const char *cf[] = { p };
        aedl_selection cs = { .files = cf, .nfiles = 1, .tree = "events", .objs = &m, .nobjs = 1 };
        aedl_selected co;
        CHECK(aedl_select(&cs, &co, err, sizeof err) != 0, "damaged_count_fails", "no error");
        expect("damaged_count_names_both", err, p, "'Muon_Px' has 2 values at event 0", "count 'NMuon' says 3");
    }
    /* the tree's key points past the end of the file (top directory key list) */
    snprintf(p, sizeof p, "%s/key.root", tmpdir);
    copy_file(DIR "uproot-HZZ-uncompressed.root", p);
    {
        int fd = open(p, O_RDWR);
        unsigned char h[64], rec[64], kh[64];
        if (fd >= 0 && pread(fd, h, 64, 0) == 64) {
            uint32_t begin = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 | (uint32_t)h[10] << 8 | h[11];
            int big = ((uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7]) >= 1000000;
            size_t nbn = big ? 36 : 28;
            uint32_t nbytesname = (uint32_t)h[nbn] << 24 | (uint32_t)h[nbn + 1] << 16 | (uint32_t)h[nbn + 2] << 8 | h[nbn + 3];
            if (pread(fd, rec, 64, begin + nbytesname) == 64) {
                int v = rec[0] << 8 | rec[1];
                size_t at = v > 1000 ? 2 + 4 + 4 + 4 + 4 + 8 + 8 : 2 + 4 + 4 + 4 + 4 + 4 + 4;
                uint64_t seekkeys = 0;
                for (int b = 0; b < (v > 1000 ? 8 : 4); b++) seekkeys = seekkeys << 8 | rec[at + (size_t)b];
                if (pread(fd, kh, 64, (off_t)seekkeys) == 64) {
                    int kl = kh[14] << 8 | kh[15];
                    /* first key after the count: seekkey at offset 18 */
                    off_t first = (off_t)seekkeys + kl + 4;
                    unsigned char kv[2];
                    if (pread(fd, kv, 2, first + 4) == 2) {
                        int kver = kv[0] << 8 | kv[1];
                        unsigned char far[8] = { 0x7f, 0xff, 0xff, 0xf0, 0, 0, 0, 0 };
                        if (pwrite(fd, far, kver > 1000 ? 8 : 4, first + 18) < 0) perror("pwrite");
                    }
                }
            }
        }
        if (fd >= 0) close(fd);
    }
    read_all(p, "events", "Muon_Px", err, sizeof err);
    expect("damaged_key_past_end", err, p, "points past the end of the file", "'events'");
    /* not a ROOT file */
    read_all("tests/data/test_root.c", "events", "x", err, sizeof err);
    expect("bad_not_root", err, "test_root.c", "not a ROOT file", NULL);
    /* no such tree: the trees are listed */
    read_all(DIR "uproot-HZZ.root", "Events", "x", err, sizeof err);
    expect("bad_no_tree", err, "no tree 'Events'", "'events'", NULL);
    read_all(DIR "uproot-HZZ.root", "dir/events", "x", err, sizeof err);
    expect("bad_no_directory", err, "no tree 'dir/events'", NULL, NULL);
    /* a missing branch: did you mean */
    static const char *const badv[] = { "Pt" };
    aedl_objsel mu = { "Muon", 4, NULL, badv, 1, 0 };
    const char *files[] = { DIR "nanoAOD_2015_CMS_Open_Data_ttbar.root" };
    aedl_selection sel = { .files = files, .nfiles = 1, .tree = "Events", .objs = &mu, .nobjs = 1 };
    aedl_selected o;
    CHECK(aedl_select(&sel, &o, err, sizeof err) != 0, "bad_branch_fails", "no error");
    expect("bad_branch_did_you_mean", err, "no branch 'Muon_Pt'", "did you mean 'Muon_pt'?", "nanoAOD");
    /* a kind without a count branch */
    static const char *const ptv[] = { "pt" };
    aedl_objsel jet = { "Jets", 4, NULL, ptv, 1, 0 };
    sel.objs = &jet;
    CHECK(aedl_select(&sel, &o, err, sizeof err) != 0, "bad_kind_fails", "no error");
    expect("bad_kind_no_count", err, "no branch 'nJets'", "count of object kind 'Jets'", "did you mean 'nJet'?");
    /* a scalar that is a list */
    static const char *const sc[] = { "Muon_pt" };
    sel.objs = NULL;
    sel.nobjs = 0;
    sel.scalars = sc;
    sel.nscalars = 1;
    CHECK(aedl_select(&sel, &o, err, sizeof err) != 0, "bad_scalar_fails", "no error");
    expect("bad_scalar_is_list", err, "'Muon_pt'", "a list per event", NULL);
    /* a glob with no match */
    const char *glob1[] = { DIR "nothing*.root" };
    sel.files = glob1;
    CHECK(aedl_select(&sel, &o, err, sizeof err) != 0, "bad_glob_fails", "no error");
    expect("bad_glob_no_match", err, "nothing*.root", "no file matches", NULL);
    /* a glob: the six HZZ variants, one data set */
    static const char *const pxv[] = { "Px" };
    aedl_objsel m2 = { "Muon", 1, NULL, pxv, 1, 0 };
    const char *glob2[] = { DIR "uproot-HZZ*.root" };
    aedl_selection g = { .files = glob2, .nfiles = 1, .tree = "events", .objs = &m2, .nobjs = 1 };
    if (CHECK(aedl_select(&g, &o, err, sizeof err) == 0, "glob_six_files", "%s", err)) {
        CHECK(o.n == 6 * 2421 && o.nfiles == 6, "glob_six_files_events", "%zu events, %d files", o.n, o.nfiles);
        aedl_selected_free(&o);
    }
}

/* ---- a file larger than 2 GB, written here ----------------------------------------
   A sparse file whose keys, tree and basket lie beyond 3 GB (64-bit seeks in the
   header, the directory records and the keys: versions >= 1000000 and > 1000),
   the tree in a subdirectory "sub".  The bytes follow the published format; the
   reader has to find the tree through both directories and read the basket. */
typedef struct { unsigned char b[4096]; size_t n; } obuf;
static void o8(obuf *o, unsigned v) { o->b[o->n++] = (unsigned char)v; }
static void o16(obuf *o, unsigned v) { o8(o, v >> 8); o8(o, v & 0xff); }
static void o32(obuf *o, uint32_t v) { o16(o, v >> 16); o16(o, v & 0xffff); }
static void o64(obuf *o, uint64_t v) { o32(o, (uint32_t)(v >> 32)); o32(o, (uint32_t)v); }
static void ostr(obuf *o, const char *s) { o8(o, (unsigned)strlen(s)); memcpy(o->b + o->n, s, strlen(s)); o->n += strlen(s); }
static size_t obegin(obuf *o, unsigned version) { size_t at = o->n; o32(o, 0); o16(o, version); return at; }
static void oend(obuf *o, size_t at) {
    uint32_t c = (uint32_t)(o->n - at - 4) | 0x40000000u;
    for (int i = 0; i < 4; i++) o->b[at + (size_t)i] = (unsigned char)(c >> (24 - 8 * i));
}
static void otobject(obuf *o) { o16(o, 1); o32(o, 0); o32(o, 0x03000000u); }
static void onamed(obuf *o, const char *name, const char *title) {
    size_t at = obegin(o, 1); otobject(o); ostr(o, name); ostr(o, title); oend(o, at);
}
static void oskipobj(obuf *o, unsigned version, int nbytes) {
    size_t at = obegin(o, version); for (int i = 0; i < nbytes; i++) o8(o, 0); oend(o, at);
}
static void oarray_head(obuf *o, int n) { otobject(o); ostr(o, ""); o32(o, (uint32_t)n); o32(o, 0); }
/* a key header (version 1004: 64-bit seeks) */
static void okey(obuf *o, uint32_t nbytes, uint32_t objlen, unsigned keylen, uint64_t seek, uint64_t pdir,
                 const char *cls, const char *name) {
    o32(o, nbytes); o16(o, 1004); o32(o, objlen); o32(o, 0); o16(o, keylen); o16(o, 1);
    o64(o, seek); o64(o, pdir); ostr(o, cls); ostr(o, name); ostr(o, "");
}
static unsigned keylen_of(const char *cls, const char *name) { return (unsigned)(26 + 8 + 3 + strlen(cls) + strlen(name)); }
static void odirrec(obuf *o, uint32_t nbyteskeys, uint64_t seekdir, uint64_t seekkeys) {
    o16(o, 1005); o32(o, 0); o32(o, 0); o32(o, nbyteskeys); o32(o, 0); o64(o, seekdir); o64(o, 0); o64(o, seekkeys);
    for (int i = 0; i < 12; i++) o8(o, 0);
}
static int owrite(int fd, const obuf *o, uint64_t at) { return pwrite(fd, o->b, o->n, (off_t)at) == (ssize_t)o->n ? 0 : -1; }

/* Writes the file: the tree's keys, object and basket from byte `far` on; the
   leaf of class leafcls (8-byte values). */
static int make_file(const char *path, uint64_t far, const char *leafcls) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    const uint64_t G3 = far, TOPKEYS = 200, SUBDIR = 400, SUBKEYS = G3, TREE = G3 + 4096, BASKET = G3 + 65536;
    const int N = 1000;
    int ok = fd >= 0;
    obuf o;
    /* the basket: key + TBasket header (19 bytes ending the key) + N doubles */
    unsigned bkl = keylen_of("TBasket", "x") + 19;
    uint32_t bdata = (uint32_t)N * 8;
    o.n = 0;
    o32(&o, bkl + bdata); o16(&o, 1004); o32(&o, bdata); o32(&o, 0); o16(&o, bkl); o16(&o, 1);
    o64(&o, BASKET); o64(&o, TREE); ostr(&o, "TBasket"); ostr(&o, "x"); ostr(&o, "");
    o16(&o, 3); o32(&o, 32000); o32(&o, 8); o32(&o, (uint32_t)N); o32(&o, bkl + bdata); o8(&o, 0);
    ok = ok && o.n == bkl && owrite(fd, &o, BASKET) == 0;
    unsigned char *vals = malloc(bdata);
    for (int e = 0; e < N; e++) {
        double d = e * 0.5;
        uint64_t u;
        memcpy(&u, &d, 8);
        for (int b = 0; b < 8; b++) vals[8 * e + b] = (unsigned char)(u >> (56 - 8 * b));
    }
    ok = ok && pwrite(fd, vals, bdata, (off_t)(BASKET + bkl)) == (ssize_t)bdata;
    free(vals);
    /* the tree object: TTree v20 with one TBranch v13 holding one TLeafD */
    obuf t;
    t.n = 0;
    size_t tt = obegin(&t, 20);
    onamed(&t, "T", "a tree beyond 3 GB");
    oskipobj(&t, 2, 6); oskipobj(&t, 2, 4); oskipobj(&t, 2, 8);       /* TAttLine, TAttFill, TAttMarker */
    o64(&t, (uint64_t)N); o64(&t, 0); o64(&t, 0); o64(&t, 0); o64(&t, 0);  /* entries, tot, zip, saved, flushed */
    o64(&t, 0); o32(&t, 0); o32(&t, 0); o32(&t, 0); o32(&t, 1000); o32(&t, 0); /* weight, timer, scan, update, offsetlen, nclus */
    for (int i = 0; i < 6; i++) o64(&t, 0);                              /* maxentries .. estimate */
    o8(&t, 0); o8(&t, 0);                                                 /* the two cluster arrays (empty) */
    oskipobj(&t, 1, 1);                                                   /* fIOFeatures */
    size_t ba = obegin(&t, 3);
    oarray_head(&t, 1);
    size_t bo = t.n;
    o32(&t, 0); o32(&t, 0xFFFFFFFFu); memcpy(t.b + t.n, "TBranch", 8); t.n += 8;
    size_t br = obegin(&t, 13);
    onamed(&t, "x", "x/D");
    oskipobj(&t, 2, 4);
    o32(&t, 0); o32(&t, 32000); o32(&t, 0); o32(&t, 1); o64(&t, (uint64_t)N);   /* compress, size, offlen, writebasket, entrynumber */
    oskipobj(&t, 1, 1);                                                   /* fIOFeatures */
    o32(&t, 0); o32(&t, 2); o32(&t, 0); o64(&t, (uint64_t)N); o64(&t, 0); o64(&t, 0); o64(&t, 0);
    size_t sub = obegin(&t, 3); oarray_head(&t, 0); oend(&t, sub);      /* fBranches */
    size_t lv = obegin(&t, 3);
    oarray_head(&t, 1);
    size_t lo = t.n;
    o32(&t, 0); o32(&t, 0xFFFFFFFFu); memcpy(t.b + t.n, leafcls, strlen(leafcls) + 1); t.n += strlen(leafcls) + 1;
    size_t ld = obegin(&t, 1);
    size_t lb = obegin(&t, 2);
    onamed(&t, "x", "x");
    o32(&t, 1); o32(&t, 8); o32(&t, 0); o8(&t, 0); o8(&t, 0); o32(&t, 0);   /* len, lentype, offset, range, unsigned, count */
    oend(&t, lb);
    o64(&t, 0); o64(&t, 0);                                               /* fMinimum, fMaximum */
    oend(&t, ld);
    oend(&t, lo);
    oend(&t, lv);
    size_t bk = obegin(&t, 3); oarray_head(&t, 0); oend(&t, bk);         /* fBaskets */
    o8(&t, 1); o32(&t, bkl + bdata); o32(&t, 0);
    o8(&t, 1); o64(&t, 0); o64(&t, (uint64_t)N);
    o8(&t, 1); o64(&t, BASKET); o64(&t, 0);
    ostr(&t, "");
    oend(&t, br);
    oend(&t, bo);
    oend(&t, ba);
    oend(&t, tt);
    unsigned tkl = keylen_of("TTree", "T");
    o.n = 0;
    okey(&o, (uint32_t)(tkl + t.n), (uint32_t)t.n, tkl, TREE, SUBDIR, "TTree", "T");
    ok = ok && owrite(fd, &o, TREE) == 0 && owrite(fd, &t, TREE + tkl) == 0;
    /* the subdirectory's keys: a list key, one key (the tree) */
    unsigned lkl = keylen_of("TDirectory", "sub");
    o.n = 0;
    okey(&o, 0, 0, lkl, SUBKEYS, SUBDIR, "TDirectory", "sub");
    o32(&o, 1);
    okey(&o, (uint32_t)(tkl + t.n), (uint32_t)t.n, tkl, TREE, SUBDIR, "TTree", "T");
    uint32_t subkeys_len = (uint32_t)o.n;
    ok = ok && owrite(fd, &o, SUBKEYS) == 0;
    /* the subdirectory: its key and record */
    unsigned dkl = keylen_of("TDirectoryFile", "sub");
    obuf rec;
    rec.n = 0;
    odirrec(&rec, subkeys_len, SUBDIR, SUBKEYS);
    o.n = 0;
    okey(&o, (uint32_t)(dkl + rec.n), (uint32_t)rec.n, dkl, SUBDIR, 100, "TDirectoryFile", "sub");
    ok = ok && owrite(fd, &o, SUBDIR) == 0 && owrite(fd, &rec, SUBDIR + dkl) == 0;
    /* the top directory's keys: the subdirectory */
    o.n = 0;
    okey(&o, 0, 0, lkl, TOPKEYS, 100, "TFile", "big.root");
    o32(&o, 1);
    okey(&o, (uint32_t)(dkl + rec.n), (uint32_t)rec.n, dkl, SUBDIR, 100, "TDirectoryFile", "sub");
    uint32_t topkeys_len = (uint32_t)o.n;
    ok = ok && owrite(fd, &o, TOPKEYS) == 0;
    rec.n = 0;
    odirrec(&rec, topkeys_len, 100, TOPKEYS);
    ok = ok && owrite(fd, &rec, 100) == 0;
    uint64_t end = BASKET + bkl + bdata;
    o.n = 0;
    memcpy(o.b, "root", 4); o.n = 4;
    o32(&o, 1062206); o32(&o, 100); o64(&o, end); o64(&o, 0); o32(&o, 0); o32(&o, 0); o32(&o, 0);
    ok = ok && owrite(fd, &o, 0) == 0;
    if (fd >= 0) close(fd);
    return ok;
}

static void test_big_file(void) {
    char path[400];
    snprintf(path, sizeof path, "%s/big.root", tmpdir);
    const uint64_t G3 = 3ull << 30;
    const int N = 1000;
    if (!CHECK(make_file(path, G3, "TLeafD"), "big_file_written", "could not write %s", path)) return;
    char err[1500];
    rt_tree tr;
    if (!CHECK(rt_tree_open(&tr, path, "sub/T", err, sizeof err) == 0, "big_file_opens", "%s", err)) return;
    const rt_branch *b = rt_branch_find(&tr, "x");
    int good = b && tr.entries == N && b->type == RT_F64 && b->basket_seek[0] > (int64_t)G3;
    double sum = 0;
    if (good) {
        rt_reader r;
        rt_reader_init(&r, &tr, b);
        for (int e = 0; e < N && good; e++) {
            size_t n;
            const double *v = rt_reader_get(&r, e, &n, err, sizeof err);
            good = v && n == 1 && v[0] == e * 0.5;
            if (v) sum += v[0];
        }
        rt_reader_free(&r);
    }
    CHECK(good && sum == 0.5 * N * (N - 1) / 2, "big_file_64bit_seeks_and_subdirectory",
          "entries %lld, sum %g: %s", (long long)tr.entries, sum, err);
    rt_tree_close(&tr);
    read_all(path, "T", "x", err, sizeof err);
    expect("big_file_tree_not_at_top", err, "no tree 'T'", "'sub/T'", NULL);
    unlink(path);

    /* The same layout with a leaf of strings (TLeafC): refused by name. */
    snprintf(path, sizeof path, "%s/strings.root", tmpdir);
    if (!CHECK(make_file(path, 1u << 20, "TLeafC"), "unsupported_file_written", "could not write %s", path)) return;
    read_all(path, "sub/T", "x", err, sizeof err);
    expect("unsupported_leaf_type", err, path, "branch 'x' holds TLeafC", "not supported");
    static const char *const xs[] = { "x" };
    const char *files[] = { path };
    aedl_selection sel = { .files = files, .nfiles = 1, .tree = "sub/T", .scalars = xs, .nscalars = 1 };
    aedl_selected o;
    CHECK(aedl_select(&sel, &o, err, sizeof err) != 0, "unsupported_in_selection_fails", "no error");
    expect("unsupported_in_selection", err, path, "branch 'x' holds TLeafC", NULL);
}

/* Sorted by a variable: each row's kept objects are in descending order of it,
   and they are the largest ones of the event (checked against the branch). */
static void test_sorted(void) {
    static const char *const pv[] = { "Px", "Py" };
    aedl_objsel mu = { "Muon", 2, "Px", pv, 2, -999.0 };
    const char *files[] = { DIR "uproot-HZZ-zstd.root" };
    aedl_selection sel = { .files = files, .nfiles = 1, .tree = "events", .objs = &mu, .nobjs = 1 };
    aedl_selected o;
    char err[1500];
    if (!CHECK(aedl_select(&sel, &o, err, sizeof err) == 0, "sorted_select", "%s", err)) return;
    rt_tree t;
    if (!CHECK(rt_tree_open(&t, files[0], "events", err, sizeof err) == 0, "sorted_open", "%s", err)) {
        aedl_selected_free(&o);
        return;
    }
    rt_reader r;
    rt_reader_init(&r, &t, rt_branch_find(&t, "Muon_Px"));
    long long bad = 0, reordered = 0;
    for (size_t e = 0; e < o.n; e++) {
        size_t n;
        const double *v = rt_reader_get(&r, (int64_t)e, &n, err, sizeof err);
        if (!v) { bad++; break; }
        double max = -1e30, second = -1e30;
        for (size_t j = 0; j < n; j++) {
            if (v[j] > max) { second = max; max = v[j]; } else if (v[j] > second) second = v[j];
        }
        const float *row = o.rows + e * 4;
        if (n >= 1 && row[0] != (float)max) bad++;
        if (n >= 2 && row[2] != (float)second) bad++;
        if (n == 1 && row[2] != -999.0f) bad++;
        if (n >= 2 && v[0] < v[1]) reordered++;
    }
    CHECK(bad == 0 && reordered > 0, "sorted_largest_first", "%lld rows wrong, %lld events reordered", bad, reordered);
    rt_reader_free(&r);
    rt_tree_close(&t);
    aedl_selected_free(&o);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aedl_root_XXXXXX");
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 1; }
    test_variants();
    test_counts(DIR "uproot-HZZ.root", "events", "NMuon", "Muon_Px", "hzz_counts_muon");
    test_counts(DIR "uproot-HZZ-lzma.root", "events", "NJet", "Jet_E", "hzz_counts_jet");
    test_counts(DIR "nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events", "nMuon", "Muon_pt", "nanoaod_counts_muon");
    test_counts(DIR "nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events", "nJet", "Jet_pt", "nanoaod_counts_jet");
    test_counts(DIR "nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events", "nElectron", "Electron_eta", "nanoaod_counts_electron");
    test_first_values();
    test_nanoaod();
    test_hzz_selection();
    test_damaged();
    test_big_file();
    test_sorted();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_exit();
}
