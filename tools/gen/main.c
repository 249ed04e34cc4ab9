/* main.c — the aedl-gen command line. */
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gen.h"
#include "util.h"

static void usage(FILE *f) {
    fprintf(f,
        "usage: aedl-gen --process NAME [--events N] [--seed S] [-o FILE]\n"
        "       aedl-gen --jets [--process NAME] [--events N] [--seed S] -o FILE.h5|FILE.csv\n"
        "       aedl-gen --all DIR [--events N] [--signal-events M] [--jet-count J] [--seed S] [--jobs K]\n"
        "\n"
        "Writes toy LHC collision events in the ADC2021 format: HDF5 dataset Particles\n"
        "(N, 19, 4) float32 = MET, 4 e/gamma, 4 muons, 10 jets, each (pT, eta, phi, class),\n"
        "pT-ordered per kind, zero-padded, with the leading-lepton pT > 23 GeV filter; plus\n"
        "Particles_Names and Particles_Classes.  The same seed gives the same file.\n"
        "\n"
        "options:\n"
        "  --process NAME      the process (see the list below); default background\n"
        "  --events N          events to write (with --jets: jets); default 100000,\n"
        "                      with --all the background size, default 1000000\n"
        "  --signal-events M   with --all: events per signal file (default 100000)\n"
        "  --jet-count J       with --all: jets in jets.h5 and jets.csv (default 100000)\n"
        "  --seed S            random seed (default 1)\n"
        "  -o FILE             output file (default: the process's file name, see below)\n"
        "  --jets              write jets for compression studies, one row (pT, eta, phi, E)\n"
        "                      per jet: HDF5 dataset 'jets' (N, 4), or CSV if FILE ends in .csv\n"
        "  --all DIR           the demo set: background, the four signals, jets.h5, jets.csv\n"
        "  --jobs K            with --all: files written in parallel (default: the number of CPUs)\n"
        "  --quiet             no progress on standard error\n"
        "  --list              list the processes;  --help  this text;  --version\n"
        "\nprocesses:\n");
    for (int i = 0; i < P_COUNT; i++)
        fprintf(f, "  %-11s %-40s %s\n", gen_processes[i].name, gen_processes[i].file, gen_processes[i].about);
}

_Noreturn static void usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "aedl-gen: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(aedl-gen --help shows the options)\n");
    exit(2);
}

/* A positive count: "1000000", "1e6". */
static size_t parse_count(const char *opt, const char *s, int allow_zero) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || v != floor(v) || v < (allow_zero ? 0 : 1) || v > 1e12)
        usage_error(allow_zero ? "%s needs a count >= 0" : "%s needs a positive whole number", opt);
    return (size_t)v;
}

static uint64_t parse_seed(const char *s) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (end == s || *end || errno || s[0] == '-') usage_error("--seed needs a whole number >= 0, not '%s'", s);
    return (uint64_t)v;
}

typedef struct { gen_process p; size_t n; int jets; char *path; } gen_task;

static char *join(const char *dir, const char *file) {
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", dir, file);
    return p;
}

int main(int argc, char **argv) {
    aedl_progname = "aedl-gen";
    const char *process = NULL, *out = NULL, *all = NULL;
    size_t events = 0, signal_events = 100000, jet_count = 100000;
    int jets = 0, have_events = 0;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t seed = 1;
    gen_opts o = { .quiet = 0, .plain = 0, .label = "aedl-gen" };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE() do { if (!v) usage_error("%s needs a value", a); i++; } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return 0; }
        else if (!strcmp(a, "--version")) { printf("aedl-gen %s\n", AEDL_VERSION); return 0; }
        else if (!strcmp(a, "--list")) {
            for (int k = 0; k < P_COUNT; k++) printf("%s\t%s\t%s\n", gen_processes[k].name, gen_processes[k].file, gen_processes[k].about);
            return 0;
        }
        else if (!strcmp(a, "--process")) { NEEDS_VALUE(); process = v; }
        else if (!strcmp(a, "--events") || !strcmp(a, "-n")) { NEEDS_VALUE(); events = parse_count(a, v, 0); have_events = 1; }
        else if (!strcmp(a, "--signal-events")) { NEEDS_VALUE(); signal_events = parse_count(a, v, 0); }
        else if (!strcmp(a, "--jet-count")) { NEEDS_VALUE(); jet_count = parse_count(a, v, 0); }
        else if (!strcmp(a, "--seed")) { NEEDS_VALUE(); seed = parse_seed(v); }
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) { NEEDS_VALUE(); out = v; }
        else if (!strcmp(a, "--all")) { NEEDS_VALUE(); all = v; }
        else if (!strcmp(a, "--jobs") || !strcmp(a, "-j")) { NEEDS_VALUE(); jobs = (long)parse_count(a, v, 0); }
        else if (!strcmp(a, "--jets")) jets = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) o.quiet = 1;
        else usage_error("unknown argument '%s'", a);
#undef NEEDS_VALUE
    }
    int p = P_BACKGROUND;
    if (process) {
        p = gen_process_by_name(process);
        if (p < 0) usage_error("unknown process '%s' (aedl-gen --list shows them)", process);
    }
    if (all && (out || jets || process)) usage_error("%s", "--all DIR writes the whole demo set; it takes no -o, --jets or --process");
    if (jets && !out) usage_error("%s", "--jets needs -o FILE.h5 or -o FILE.csv");
    if (!all && have_events && events == 0) usage_error("%s", "--events must be at least 1");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);          /* we report errors ourselves */

    if (all) {
        if (aedl_mkdirs(all) != 0) {
            fprintf(stderr, "aedl-gen: error: %s: cannot create the directory: %s\n", all, strerror(errno));
            return 1;
        }
        size_t nbg = have_events ? events : 1000000;
        /* The files are independent (each has its own random stream): write them in
           parallel, one child process per file, at most `jobs` at a time. */
        static const gen_process set[] = { P_BACKGROUND, P_ATO4L, P_LQ, P_HTAUTAU, P_HCHTAUNU };
        gen_task task[7];
        int nt = 0;
        for (size_t k = 0; k < sizeof set / sizeof set[0]; k++) {
            size_t n = set[k] == P_BACKGROUND ? nbg : signal_events;
            if (n) task[nt++] = (gen_task){ set[k], n, 0, join(all, gen_processes[set[k]].file) };
        }
        if (jet_count) {
            task[nt++] = (gen_task){ P_BACKGROUND, jet_count, 1, join(all, "jets.h5") };
            task[nt++] = (gen_task){ P_BACKGROUND, jet_count, 1, join(all, "jets.csv") };
        }
        if (jobs < 1) jobs = 1;
        o.plain = jobs > 1;
        int failed = 0, running = 0;
        for (int k = 0; k < nt || running > 0;) {
            if (k < nt && running < jobs) {
                o.label = task[k].path;
                fflush(stderr);
                pid_t pid = jobs > 1 ? fork() : 0;
                if (pid == 0) {
                    int rc = task[k].jets ? write_jets(task[k].path, task[k].p, task[k].n, seed, &o)
                                          : write_events_h5(task[k].path, task[k].p, task[k].n, seed, &o);
                    if (jobs > 1) _exit(rc ? 1 : 0);
                    failed |= rc != 0;
                } else if (pid < 0) {
                    failed = 1;
                } else {
                    running++;
                }
                k++;
                continue;
            }
            int st;
            if (wait(&st) < 0) break;
            running--;
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) failed = 1;
        }
        for (int k = 0; k < nt; k++) free(task[k].path);
        return failed ? 1 : 0;
    }
    if (!have_events) events = 100000;
    const char *path = out ? out : gen_processes[p].file;
    o.label = path;
    int rc = jets ? write_jets(path, (gen_process)p, events, seed, &o)
                  : write_events_h5(path, (gen_process)p, events, seed, &o);
    return rc ? 1 : 0;
}
