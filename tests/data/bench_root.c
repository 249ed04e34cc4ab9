/* bench_root.c — `make bench`: the ROOT reader with an object selection, per
 * compression.  Each of the six storage variants of the shared HZZ sample
 * (2421 events) is read as a chain of copies of the same file (one data set)
 * up to AEDL_BENCH_EVENTS events (default 1000000): Jet x 6, Electron x 4,
 * Muon x 4, each (Px, Py, Pz), padded, streamed row by row (no table kept),
 * one core.  Prints events/s, MB/s of file read and the peak memory, measured
 * in a child process per run; a second run with a quarter of the events shows
 * that the memory does not grow with the events.  The files come from the page
 * cache after the first copy: the figures are decompression and decoding.
 * Not a test: it prints figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "data_sel.h"
#include "util.h"

#define DIR "../shared/testdata/root/"
static const char *variants[][2] = {
    { "uncompressed", "uproot-HZZ-uncompressed.root" }, { "zlib", "uproot-HZZ-zlib.root" },
    { "LZMA", "uproot-HZZ-lzma.root" }, { "LZ4", "uproot-HZZ-lz4.root" }, { "ZSTD", "uproot-HZZ-zstd.root" },
};

static void sum_row(void *arg, const float *row, size_t n) {
    double *s = arg;
    for (size_t i = 0; i < n; i++) *s += row[i];
}

static void one(const char *label, const char *file, size_t events) {
    char path[400];
    snprintf(path, sizeof path, DIR "%s", file);
    struct stat st;
    if (stat(path, &st) != 0) { printf("bench_root %s: %s missing\n", label, path); return; }
    size_t copies = (events + 2420) / 2421;
    const char **files = xmalloc(copies * sizeof *files);
    for (size_t i = 0; i < copies; i++) files[i] = path;
    static const char *const pxyz[] = { "Px", "Py", "Pz" };
    aedl_objsel objs[] = { { "Jet", 6, NULL, pxyz, 3, 0 }, { "Electron", 4, NULL, pxyz, 3, 0 },
                           { "Muon", 4, NULL, pxyz, 3, 0 } };
    double sum = 0;
    aedl_selection sel = { .files = files, .nfiles = (int)copies, .tree = "events", .objs = objs, .nobjs = 3,
                           .row = sum_row, .row_arg = &sum };
    aedl_selected out;
    char err[1500];
    double t0 = aedl_now();
    int rc = aedl_select(&sel, &out, err, sizeof err);
    double dt = aedl_now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (rc) { printf("bench_root %s: %s\n", label, err); return; }
    double mb = (double)st.st_size * (double)copies / 1e6;
    printf("bench_root %-12s %8zu events in %6.3f s: %8.0f events/s, %7.1f MB/s of file, peak memory %.1f MB (checksum %.6g)\n",
           label, out.n, dt, (double)out.n / dt, mb / dt, (double)ru.ru_maxrss / 1024.0, sum);
    free(files);
}

int main(void) {
    const char *ne = getenv("AEDL_BENCH_EVENTS");
    size_t n = ne ? (size_t)strtoull(ne, NULL, 10) : 1000000;
    for (int quarter = 0; quarter < 2; quarter++)
        for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
            if (quarter && v != 3) continue;                     /* LZ4 again with n / 4 */
            fflush(stdout);
            pid_t pid = fork();
            if (pid == 0) { one(variants[v][0], variants[v][1], quarter ? n / 4 : n); fflush(stdout); _exit(0); }
            int status;
            if (pid > 0) waitpid(pid, &status, 0);
        }
    return 0;
}
