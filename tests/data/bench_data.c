/* bench_data.c — `make bench`: aedl-gen throughput (events/s) and loader throughput
 * and peak memory on a generated background file of AEDL_BENCH_EVENTS events
 * (default 1000000), loaded as training loads it: features [0:3], flatten to 57,
 * seeded shuffle.  Target: 1M events in under 1 s; peak RSS about the float32 result.
 * Not a test: it prints figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "data.h"
#include "util.h"

static double peak_rss_mb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;                 /* Linux: kilobytes */
}

static int run(const char *const *argv) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) { execv(argv[0], (char *const *)argv); _exit(127); }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void) {
    const char *build = getenv("BUILD");
    if (!build || !*build) build = "build";
    const char *ne = getenv("AEDL_BENCH_EVENTS");
    size_t n = ne ? (size_t)strtoull(ne, NULL, 10) : 1000000;
    char gen[512], dir[512], file[600], nbuf[32];
    snprintf(gen, sizeof gen, "%s/aedl-gen", build);
    snprintf(dir, sizeof dir, "%s/bench-data", build);
    snprintf(file, sizeof file, "%s/background_for_training.h5", dir);
    snprintf(nbuf, sizeof nbuf, "%zu", n);
    aedl_mkdirs(dir);

    /* Generator, in a child process (its memory is not ours). */
    const char *argv[] = { gen, "--process", "background", "--events", nbuf, "--seed", "1",
                           "-o", file, "--quiet", NULL };
    double t0 = aedl_now();
    int st = run(argv);
    double tg = aedl_now() - t0;
    if (st != 0) { fprintf(stderr, "bench_data: %s failed (status %d)\n", gen, st); return 1; }
    printf("data bench: aedl-gen background: %zu events in %.2f s = %.0f events/s (1 core)\n", n, tg, (double)n / tg);

    double base = peak_rss_mb();
    int feat[3] = { 0, 1, 2 };
    aedl_data_spec sp = { .kind = AEDL_SRC_HDF5, .path = file, .dataset = "Particles",
                          .features = feat, .nfeatures = 3, .flatten = 1, .shuffle = 1, .seed = 42,
                          .input_shape = (size_t[]){ 57 }, .input_rank = 1 };
    aedl_table t;
    char err[512];
    t0 = aedl_now();
    if (aedl_data_load(&sp, &t, err, sizeof err)) { fprintf(stderr, "bench_data: %s\n", err); return 1; }
    double tl = aedl_now() - t0;
    double peak = peak_rss_mb();
    double result = (double)t.n * (double)t.d * sizeof(float) / (1024.0 * 1024.0);
    printf("data bench: load %zu events (features [0:3], flatten 57, shuffled): %.3f s = %.2f M events/s  [target: 1M in < 1 s: %s]\n",
           t.n, tl, (double)t.n / tl / 1e6, (double)t.n / tl >= 1e6 ? "met" : "MISSED");
    printf("data bench: loader peak RSS %.1f MB (process before loading %.1f MB) for a %.1f MB float32 result: "
           "(peak - before) / result = %.3f  [target <= 1.2]\n", peak, base, result, (peak - base) / result);
    aedl_table_free(&t);

    /* The same file in file order (no shuffle), and a 10% random subset. */
    sp.shuffle = 0;
    t0 = aedl_now();
    if (aedl_data_load(&sp, &t, err, sizeof err)) { fprintf(stderr, "bench_data: %s\n", err); return 1; }
    tl = aedl_now() - t0;
    printf("data bench: load %zu events in file order: %.3f s = %.2f M events/s\n", t.n, tl, (double)t.n / tl / 1e6);
    aedl_table_free(&t);
    sp.shuffle = 1;
    sp.limit = n / 10;
    t0 = aedl_now();
    if (aedl_data_load(&sp, &t, err, sizeof err)) { fprintf(stderr, "bench_data: %s\n", err); return 1; }
    tl = aedl_now() - t0;
    printf("data bench: random subset of %zu of %zu events: %.3f s\n", t.n, n, tl);
    aedl_table_free(&t);
    struct stat sb;
    if (stat(file, &sb) == 0) printf("data bench: file %s, %.1f MB\n", file, (double)sb.st_size / (1024.0 * 1024.0));
    return 0;
}
