/* output.c — writing generated events (ADC2021 HDF5) and jets (HDF5 or CSV).
 * Files are written under a temporary name and renamed when complete; events are
 * generated and written in blocks, so memory stays small for any N. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gen.h"
#include "util.h"

#define BLOCK 8192                    /* events generated and written per step */

uint64_t file_seed(uint64_t seed, gen_process p, int jets) {
    uint64_t x = seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(p + 1 + 100 * jets));
    return aedl_splitmix64(&x);
}

/* ---- progress on stderr ---- */
typedef struct { const gen_opts *o; const char *what; size_t n; double t0, last; int tty; } progress;

static void progress_start(progress *pg, const gen_opts *o, const char *what, size_t n) {
    pg->o = o; pg->what = what; pg->n = n;
    pg->t0 = pg->last = aedl_now();
    pg->tty = isatty(2) && !o->plain;
}

static void progress_update(progress *pg, size_t done) {
    if (pg->o->quiet) return;
    double now = aedl_now();
    if (now - pg->last < (pg->tty ? 0.5 : 5.0)) return;
    pg->last = now;
    fprintf(stderr, "%s%s: %zu/%zu %s (%.0f%%), %.0f/s%s", pg->tty ? "\r" : "", pg->o->label, done,
            pg->n, pg->what, 100.0 * (double)done / (double)pg->n, (double)done / (now - pg->t0),
            pg->tty ? "   " : "\n");
    fflush(stderr);
}

static void progress_end(progress *pg, const char *path, double filter_eff) {
    if (pg->o->quiet) return;
    double dt = aedl_now() - pg->t0;
    fprintf(stderr, "%s%s: %zu %s in %.2f s (%.0f/s)", pg->tty ? "\r" : "", path, pg->n, pg->what,
            dt, dt > 0 ? (double)pg->n / dt : 0.0);
    if (filter_eff > 0) fprintf(stderr, ", lepton filter efficiency %.1f%%", 100 * filter_eff);
    fprintf(stderr, "\n");
}

/* ---- HDF5 helpers ---- */
static int write_strings(hid_t f, const char *name, const char *const *s, int n) {
    size_t w = 1;
    for (int i = 0; i < n; i++) if (strlen(s[i]) > w) w = strlen(s[i]);
    char *buf = xcalloc((size_t)n, w);
    for (int i = 0; i < n; i++) memcpy(buf + (size_t)i * w, s[i], strlen(s[i]));
    /* Fixed-length, null-padded ASCII: numpy's 'S' dtype, as h5py writes them. */
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, w);
    H5Tset_strpad(st, H5T_STR_NULLPAD);
    hsize_t dim = (hsize_t)n;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    hid_t ds = H5Dcreate2(f, name, st, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = ds < 0 || H5Dwrite(ds, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    H5Tclose(st);
    free(buf);
    return rc ? -1 : 0;
}

static void attr_str(hid_t loc, const char *name, const char *v) {
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, strlen(v) ? strlen(v) : 1);
    H5Tset_strpad(st, H5T_STR_NULLPAD);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, st, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) { H5Awrite(a, st, v); H5Aclose(a); }
    H5Sclose(sp);
    H5Tclose(st);
}

static void attr_num(hid_t loc, const char *name, hid_t type, const void *v) {
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) { H5Awrite(a, type, v); H5Aclose(a); }
    H5Sclose(sp);
}

/* Creates a float32 dataset of the given shape; rows written later by write_rows. */
static hid_t create_f32(hid_t f, const char *name, int rank, const hsize_t *dims) {
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(f, name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(sp);
    return ds;
}

static int write_rows(hid_t ds, size_t r0, size_t nrows, const float *buf) {
    hid_t fs = H5Dget_space(ds);
    int rank = H5Sget_simple_extent_ndims(fs);
    hsize_t start[4] = {0}, count[4];
    H5Sget_simple_extent_dims(fs, count, NULL);
    start[0] = r0;
    count[0] = nrows;
    hid_t ms = H5Screate_simple(rank, count, NULL);
    int rc = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
             H5Dwrite(ds, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, buf) < 0;
    H5Sclose(ms);
    H5Sclose(fs);
    return rc ? -1 : 0;
}

static void set_common_attrs(hid_t f, gen_process p, uint64_t seed, size_t n, double eff) {
    attr_str(f, "generator", "aedl-gen " AEDL_VERSION " (toy ADC2021-format events; see docs/data.md)");
    attr_str(f, "process", gen_processes[p].name);
    unsigned long long s = seed, nn = n;
    attr_num(f, "seed", H5T_NATIVE_ULLONG, &s);
    attr_num(f, "events", H5T_NATIVE_ULLONG, &nn);
    if (eff > 0) attr_num(f, "lepton_filter_efficiency", H5T_NATIVE_DOUBLE, &eff);
}

int write_events_h5(const char *path, gen_process p, size_t n, uint64_t seed, const gen_opts *o) {
    aedl_rng r;
    aedl_rng_seed(&r, file_seed(seed, p, 0));
    char *tmp = aedl_tmp_name(path);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) { fprintf(stderr, "aedl-gen: error: %s: cannot create the file\n", path); free(tmp); return -1; }
    hsize_t dims[3] = { n, ADC_ROWS, ADC_COLS };
    hid_t ds = create_f32(f, "Particles", 3, dims);
    float (*buf)[ADC_ROWS][ADC_COLS] = xmalloc(sizeof(float) * BLOCK * ADC_ROWS * ADC_COLS);
    progress pg;
    progress_start(&pg, o, "events", n);
    long tries = 0;
    int rc = ds < 0;
    for (size_t r0 = 0; r0 < n && !rc; r0 += BLOCK) {
        size_t nb = n - r0 < BLOCK ? n - r0 : BLOCK;
        for (size_t i = 0; i < nb; i++) {
            reco_event ev;
            tries += gen_event(&r, p, &ev, NULL);
            adc_pack(&ev, buf[i]);
        }
        rc = write_rows(ds, r0, nb, &buf[0][0][0]);
        progress_update(&pg, r0 + nb);
    }
    free(buf);
    static const char *const names[] = { "Pt", "Eta", "Phi", "Class" };
    static const char *const classes[] = { "MET_class_1", "Four_Ele_class_2", "Four_Mu_class_3",
                                           "Ten_Jet_class_4" };
    if (!rc) rc = write_strings(f, "Particles_Names", names, 4) | write_strings(f, "Particles_Classes", classes, 4);
    double eff = tries ? (double)n / (double)tries : 0;
    set_common_attrs(f, p, seed, n, eff);
    if (ds >= 0) H5Dclose(ds);
    if (H5Fclose(f) < 0) rc = -1;
    if (!rc && aedl_rename_over(tmp, path) != 0) rc = -1;
    if (rc) {
        fprintf(stderr, "aedl-gen: error: %s: writing failed\n", path);
        remove(tmp);
    } else {
        progress_end(&pg, path, eff);
    }
    free(tmp);
    return rc;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

int write_jets(const char *path, gen_process p, size_t n, uint64_t seed, const gen_opts *o) {
    aedl_rng r;
    aedl_rng_seed(&r, file_seed(seed, p, 1));
    float (*jets)[4] = xmalloc(sizeof(float) * 4 * (n ? n : 1));
    progress pg;
    progress_start(&pg, o, "jets", n);
    size_t k = 0;
    while (k < n) {
        reco_event ev;
        gen_event(&r, p, &ev, NULL);
        for (int j = 0; j < ev.nj && k < n; j++, k++) {
            jets[k][0] = ev.jet[j].pt;
            jets[k][1] = ev.jet[j].eta;
            jets[k][2] = ev.jet[j].phi;
            jets[k][3] = ev.jet[j].e;
        }
        if ((k & 0xfff) == 0) progress_update(&pg, k);
    }
    int rc = 0;
    if (ends_with(path, ".csv")) {
        aedl_atomic a;
        if (aedl_atomic_open(&a, path, "w") != 0) {
            fprintf(stderr, "aedl-gen: error: %s: cannot create the file\n", path);
            free(jets);
            return -1;
        }
        fprintf(a.f, "pt,eta,phi,e\n");
        for (size_t i = 0; i < n; i++)
            fprintf(a.f, "%.9g,%.9g,%.9g,%.9g\n", jets[i][0], jets[i][1], jets[i][2], jets[i][3]);
        if (ferror(a.f)) { aedl_atomic_abort(&a); rc = -1; }
        else if (aedl_atomic_commit(&a) != 0) rc = -1;
    } else {
        char *tmp = aedl_tmp_name(path);
        hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        if (f < 0) rc = -1;
        else {
            hsize_t dims[2] = { n, 4 };
            hid_t ds = create_f32(f, "jets", 2, dims);
            rc = ds < 0 || (n && write_rows(ds, 0, n, &jets[0][0]));
            if (ds >= 0) H5Dclose(ds);
            static const char *const names[] = { "pT", "eta", "phi", "E" };
            rc |= write_strings(f, "jets_names", names, 4);
            set_common_attrs(f, p, seed, n, 0);
            if (H5Fclose(f) < 0) rc = -1;
            if (!rc && aedl_rename_over(tmp, path) != 0) rc = -1;
            if (rc) remove(tmp);
        }
        free(tmp);
    }
    free(jets);
    if (rc) fprintf(stderr, "aedl-gen: error: %s: writing failed\n", path);
    else progress_end(&pg, path, 0);
    return rc;
}
