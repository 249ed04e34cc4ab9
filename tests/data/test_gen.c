/* test_gen.c — runs build/aedl-gen (the program, as users do) on small sizes and reads
 * its files back with the loader: shapes, the ADC2021 layout invariants (ordering,
 * padding, classes, acceptance, thresholds, the lepton filter), the string datasets,
 * determinism, the jets files, the command line's errors, and that each signal's
 * distributions differ from the background's.  AEDL_TEST_VERBOSE=1 prints the stats. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "data.h"

static char dir[256];
static const char *gen_path;

/* Runs aedl-gen with args (NULL-terminated); returns the exit status, -1 if it crashed. */
static int run_gen(const char *const *args) {
    const char *argv[32];
    int n = 0;
    argv[n++] = gen_path;
    for (int i = 0; args[i] && n < 31; i++) argv[n++] = args[i];
    argv[n] = NULL;
    fflush(stdout);                    /* the child must not repeat our buffered lines */
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(127);
        execv(gen_path, (char *const *)argv);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *path_of(const char *file) {
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 512, "%s/%s", dir, file);
    return p;
}

static int load_raw(const char *file, aedl_table *t) {
    aedl_data_spec sp = { .kind = AEDL_SRC_HDF5, .path = path_of(file), .dataset = "Particles" };
    char err[512];
    if (aedl_data_load(&sp, t, err, sizeof err)) { printf("# %s\n", err); return -1; }
    return 0;
}

/* ---- the layout invariants of one file; returns a description of the first violation ---- */
static const char *check_layout(const aedl_table *t, size_t *bad_event) {
    static char why[200];
    const float eta_max[3] = { 3.0f, 2.1f, 4.0f }, pt_min[3] = { 3.0f, 3.0f, 15.0f };
    const int first[3] = { 1, 5, 9 }, count[3] = { 4, 4, 10 };
    for (size_t i = 0; i < t->n; i++) {
        const float (*e)[4] = (const float (*)[4])(t->x + i * 76);
        *bad_event = i;
        if (e[0][3] != 1.0f || e[0][1] != 0.0f || !(e[0][0] > 0) || fabsf(e[0][2]) > 3.1416f)
            return "MET row is not (MET > 0, eta 0, |phi| <= pi, class 1)";
        for (int k = 0; k < 3; k++) {
            int padded = 0;
            for (int j = 0; j < count[k]; j++) {
                const float *o = e[first[k] + j];
                if (o[0] == 0.0f) {
                    if (o[1] != 0 || o[2] != 0 || o[3] != 0) return "a padded row is not all zero";
                    padded = 1;
                    continue;
                }
                if (padded) return "an object after a padded row (not packed)";
                if (o[3] != (float)(k + 2)) { snprintf(why, sizeof why, "row %d has class %g, expected %d", first[k] + j, o[3], k + 2); return why; }
                if (!(fabsf(o[1]) < eta_max[k])) { snprintf(why, sizeof why, "row %d: |eta| = %g outside the acceptance %g", first[k] + j, fabsf(o[1]), eta_max[k]); return why; }
                if (!(o[0] > pt_min[k])) { snprintf(why, sizeof why, "row %d: pT %g below threshold %g", first[k] + j, o[0], pt_min[k]); return why; }
                if (fabsf(o[2]) > 3.1416f) return "|phi| > pi";
                if (j > 0 && o[0] > e[first[k] + j - 1][0]) return "objects not pT-ordered within their kind";
            }
        }
        if (!(e[1][0] > 23.0f || e[5][0] > 23.0f)) return "leading lepton pT <= 23 GeV: the lepton filter failed";
    }
    return NULL;
}

/* ---- per-event observables and a two-sample Kolmogorov-Smirnov distance ---- */
enum { V_MET, V_NLEP, V_NJET, V_LEADLEP, V_HT, NV };
static const char *vname[NV] = { "MET", "lepton multiplicity", "jet multiplicity", "leading lepton pT", "HT" };

static double *observables(const aedl_table *t, int v) {
    double *o = malloc(t->n * sizeof *o);
    for (size_t i = 0; i < t->n; i++) {
        const float (*e)[4] = (const float (*)[4])(t->x + i * 76);
        double x = 0;
        switch (v) {
        case V_MET: x = e[0][0]; break;
        case V_NLEP: for (int j = 1; j < 9; j++) x += e[j][0] > 0; break;
        case V_NJET: for (int j = 9; j < 19; j++) x += e[j][0] > 0; break;
        case V_LEADLEP: x = fmax(e[1][0], e[5][0]); break;
        case V_HT: for (int j = 9; j < 19; j++) x += e[j][0]; break;
        }
        o[i] = x;
    }
    return o;
}

static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

static double mean(const double *a, size_t n) { double s = 0; for (size_t i = 0; i < n; i++) s += a[i]; return s / (double)n; }

static double ks(double *a, size_t na, double *b, size_t nb) {
    qsort(a, na, sizeof *a, cmpd);
    qsort(b, nb, sizeof *b, cmpd);
    size_t i = 0, j = 0;
    double d = 0;
    while (i < na && j < nb) {
        double x = a[i] < b[j] ? a[i] : b[j];
        while (i < na && a[i] <= x) i++;
        while (j < nb && b[j] <= x) j++;
        double diff = fabs((double)i / (double)na - (double)j / (double)nb);
        if (diff > d) d = diff;
    }
    return d;
}

static int read_strings(const char *file, const char *name, char out[4][32]) {
    hid_t f = H5Fopen(path_of(file), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return -1;
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    int rc = -1;
    if (d >= 0) {
        hid_t t = H5Dget_type(d), s = H5Dget_space(d);
        size_t w = H5Tget_size(t);
        hsize_t n = 0;
        H5Sget_simple_extent_dims(s, &n, NULL);
        if (H5Tget_class(t) == H5T_STRING && n == 4 && w < 32) {
            char buf[4 * 32] = { 0 };
            if (H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
                for (int i = 0; i < 4; i++) { memcpy(out[i], buf + i * w, w); out[i][w] = 0; }
                rc = 0;
            }
        }
        H5Tclose(t); H5Sclose(s); H5Dclose(d);
    }
    H5Fclose(f);
    return rc;
}

int main(void) {
    const char *build = getenv("BUILD");
    static char gp[512];
    snprintf(gp, sizeof gp, "%s/aedl-gen", build && *build ? build : "build");
    gen_path = gp;
    int verbose = getenv("AEDL_TEST_VERBOSE") != NULL;
    snprintf(dir, sizeof dir, "/tmp/aedl-test-gen-XXXXXX");
    if (!mkdtemp(dir)) { CHECK(0, "gen_tmpdir", "mkdtemp failed"); return check_exit(); }

    /* The demo set, small. */
    const char *all[] = { "--all", dir, "--events", "6000", "--signal-events", "3000",
                          "--jet-count", "1500", "--seed", "7", "--quiet", NULL };
    int st = run_gen(all);
    if (!CHECK(st == 0, "gen_all_runs", "%s --all exited with %d", gen_path, st)) return check_exit();

    static const char *files[] = { "background_for_training.h5", "Ato4l_lepFilter_13TeV.h5",
        "leptoquark_LOWMASS_lepFilter_13TeV.h5", "hToTauTau_13TeV_PU20.h5", "hChToTauNu_13TeV_PU20.h5" };
    aedl_table tab[5];
    for (int f = 0; f < 5; f++) {
        char name[160];
        size_t want = f == 0 ? 6000 : 3000;
        int ok = load_raw(files[f], &tab[f]) == 0;
        snprintf(name, sizeof name, "gen_shape_%s", files[f]);
        CHECK(ok && tab[f].n == want && tab[f].rank == 2 && tab[f].shape[0] == 19 && tab[f].shape[1] == 4,
              name, "expected (%zu, 19, 4), got n=%zu rank=%d (%zu, %zu)", want, tab[f].n, tab[f].rank,
              tab[f].shape[0], tab[f].shape[1]);
        if (!ok) return check_exit();
        size_t ev = 0;
        const char *why = check_layout(&tab[f], &ev);
        snprintf(name, sizeof name, "gen_layout_%s", files[f]);
        CHECK(!why, name, "event %zu: %s", ev, why ? why : "");
    }

    /* Names and classes as the real files have them. */
    char s[4][32];
    int ok = read_strings(files[0], "Particles_Names", s) == 0;
    CHECK(ok && !strcmp(s[0], "Pt") && !strcmp(s[1], "Eta") && !strcmp(s[2], "Phi") && !strcmp(s[3], "Class"),
          "gen_particles_names", "got %s %s %s %s", s[0], s[1], s[2], s[3]);
    ok = read_strings(files[0], "Particles_Classes", s) == 0;
    CHECK(ok && !strcmp(s[0], "MET_class_1") && !strcmp(s[1], "Four_Ele_class_2") &&
          !strcmp(s[2], "Four_Mu_class_3") && !strcmp(s[3], "Ten_Jet_class_4"),
          "gen_particles_classes", "got %s %s %s %s", s[0], s[1], s[2], s[3]);

    /* Every kind of object occurs in the background (not an all-padding file). */
    size_t nk[3] = { 0 };
    for (size_t i = 0; i < tab[0].n; i++) {
        const float *e = tab[0].x + i * 76;
        nk[0] += e[1 * 4] > 0; nk[1] += e[5 * 4] > 0; nk[2] += e[9 * 4] > 0;
    }
    CHECK(nk[0] > 600 && nk[1] > 600 && nk[2] > 600, "gen_background_has_all_kinds",
          "events with an e/gamma %zu, a muon %zu, a jet %zu of %zu", nk[0], nk[1], nk[2], tab[0].n);

    /* Each signal differs from the background, and in the way its physics says. */
    double m[5][NV], d[5][NV];
    for (int v = 0; v < NV; v++) {
        double *b = observables(&tab[0], v);
        m[0][v] = mean(b, tab[0].n);
        for (int f = 1; f < 5; f++) {
            double *o = observables(&tab[f], v);
            m[f][v] = mean(o, tab[f].n);
            d[f][v] = ks(b, tab[0].n, o, tab[f].n);
            free(o);
        }
        free(b);
    }
    if (verbose)
        for (int f = 0; f < 5; f++) {
            printf("# %-40s", files[f]);
            for (int v = 0; v < NV; v++) printf(" %s %.2f (KS %.2f)", vname[v], m[f][v], f ? d[f][v] : 0.0);
            printf("\n");
        }
    for (int f = 1; f < 5; f++) {
        double best = 0;
        int bv = 0;
        for (int v = 0; v < NV; v++) if (d[f][v] > best) { best = d[f][v]; bv = v; }
        char name[160];
        snprintf(name, sizeof name, "gen_differs_from_background_%s", files[f]);
        CHECK(best > 0.2, name, "largest KS distance %.3f (%s) <= 0.2", best, vname[bv]);
    }
    CHECK(m[1][V_NLEP] > m[0][V_NLEP] + 1.0, "gen_ato4l_more_leptons",
          "mean lepton multiplicity %.2f vs background %.2f", m[1][V_NLEP], m[0][V_NLEP]);
    CHECK(m[2][V_NJET] > m[0][V_NJET] + 0.3, "gen_leptoquark_more_jets",
          "mean jet multiplicity %.2f vs background %.2f", m[2][V_NJET], m[0][V_NJET]);
    CHECK(m[4][V_MET] > m[0][V_MET] + 10, "gen_hcharged_more_met",
          "mean MET %.1f vs background %.1f", m[4][V_MET], m[0][V_MET]);
    CHECK(m[3][V_NJET] > m[0][V_NJET] + 0.2, "gen_htautau_tau_jets",
          "mean jet multiplicity (hadronic taus are jets) %.2f vs background %.2f", m[3][V_NJET], m[0][V_NJET]);

    /* Deterministic: a single run with the same seed reproduces the --all file's start;
       another seed gives other events. */
    const char *one[] = { "--process", "Ato4l", "--events", "500", "--seed", "7", "-o", path_of("a7.h5"), "--quiet", NULL };
    const char *other[] = { "--process", "Ato4l", "--events", "500", "--seed", "8", "-o", path_of("a8.h5"), "--quiet", NULL };
    aedl_table a7 = { 0 }, a8 = { 0 };
    ok = run_gen(one) == 0 && run_gen(other) == 0 && load_raw("a7.h5", &a7) == 0 && load_raw("a8.h5", &a8) == 0;
    CHECK(ok && a7.n == 500 && !memcmp(a7.x, tab[1].x, 500 * 76 * sizeof(float)), "gen_deterministic",
          "aedl-gen --process Ato4l --seed 7 differs from the --all --seed 7 file");
    CHECK(ok && a8.n == 500 && memcmp(a7.x, a8.x, 500 * 76 * sizeof(float)) != 0, "gen_seed_matters",
          "seeds 7 and 8 gave the same events");
    aedl_table_free(&a7);
    aedl_table_free(&a8);

    /* Jets for compression studies: HDF5 and CSV hold the same jets. */
    aedl_table jh = { 0 }, jc = { 0 };
    char err[512] = "";
    aedl_data_spec sh = { .kind = AEDL_SRC_HDF5, .path = path_of("jets.h5"), .dataset = "jets" };
    aedl_data_spec sc = { .kind = AEDL_SRC_CSV, .path = path_of("jets.csv") };
    ok = aedl_data_load(&sh, &jh, err, sizeof err) == 0 && aedl_data_load(&sc, &jc, err, sizeof err) == 0;
    CHECK(ok && jh.n == 1500 && jh.d == 4 && jc.n == 1500 && jc.d == 4, "gen_jets_shape",
          "jets.h5 n=%zu d=%zu, jets.csv n=%zu d=%zu %s", jh.n, jh.d, jc.n, jc.d, err);
    CHECK(ok && !memcmp(jh.x, jc.x, 1500 * 4 * sizeof(float)), "gen_jets_csv_equals_h5",
          "jets.csv values differ from jets.h5");
    size_t badj = 0;
    for (size_t i = 0; ok && i < jh.n; i++) {
        const float *j = jh.x + i * 4;
        double p = j[0] * cosh(j[1]);
        if (!(j[0] > 15 && fabs(j[1]) < 4.0 && j[3] >= p * (1 - 1e-5))) badj++;
    }
    CHECK(ok && badj == 0, "gen_jets_physical", "%zu jets with pT <= 15, |eta| >= 4 or E < |p|", badj);
    aedl_table_free(&jh);
    aedl_table_free(&jc);

    /* Command-line errors. */
    const char *bad_proc[] = { "--process", "Zprime", "-o", path_of("x.h5"), NULL };
    const char *bad_n[] = { "--events", "-5", "-o", path_of("x.h5"), NULL };
    const char *bad_opt[] = { "--bogus", NULL };
    const char *help[] = { "--help", NULL };
    const char *jets_no_o[] = { "--jets", NULL };
    CHECK(run_gen(bad_proc) == 2, "gen_cli_unknown_process", "expected exit status 2");
    CHECK(run_gen(bad_n) == 2, "gen_cli_bad_count", "expected exit status 2");
    CHECK(run_gen(bad_opt) == 2, "gen_cli_unknown_option", "expected exit status 2");
    CHECK(run_gen(jets_no_o) == 2, "gen_cli_jets_needs_output", "expected exit status 2");
    CHECK(run_gen(help) == 0, "gen_cli_help", "expected exit status 0");
    CHECK(access(path_of("x.h5"), F_OK) != 0, "gen_cli_error_writes_nothing", "x.h5 was created");

    for (int f = 0; f < 5; f++) aedl_table_free(&tab[f]);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("# could not remove %s\n", dir);
    return check_exit();
}
