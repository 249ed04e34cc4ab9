/* test_mutate.c — a quick deterministic mutation pass over the front end
 * (part of `make test`; `make fuzz` runs the real fuzzer).
 *
 * Every seed (examples/, stdlib/, tests/parse/, tests/errors/, tests/fuzz/regress/
 * *.aedl: inputs that once crashed; tests/fuzz/multi/: several files
 * that import each other, split on "--- NAME" lines by front_run.h) is run as
 * it is, then MUTANTS_PER_SEED times mutated (bytes flipped, ranges deleted or
 * repeated, tokens of the language spliced in).  A crash, a sanitizer report or
 * an internal error fails the run (the process dies); the checks below make
 * sure the mutants were really run and really broke things.  Diagnostics go to
 * /dev/null.  `test_mutate -v` prints each mutant's number before running it. */
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "front_run.h"

#define MUTANTS_PER_SEED 300

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) {            /* xorshift64*, uniform enough here */
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return n ? (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 33) % n : 0;
}

static const char *const dict[] = {
    "(", ")", "[", "]", "{", "}", "\n", "\"", "\\", "<-", "<", ">", "=", ",", ":", "#",
    "fixed<", "ap_fixed<16,7,AP_RND,AP_SAT>", "ufixed<8,0>", "1e", "1e-5", "-", "0x1g", "1.2.3",
    "99999999999999999999", "1e999", "model", "input", "output", "data", "train", "target",
    "import \"std/quantizers\"", "quantizer", "pruning", "signal", "dense", "relu", "none",
    "true", "\xff", "\xc3", "\xe2\x82\xac", "\t", "\r\n", "[0:3]", "[:]", "prune = none",
    "\n--- lib.aedl\n", "\n--- ", "import \"lib\"", "import \"fuzz\"", "import \"quant\"",
};

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n + 4096 > cap) { cap = cap * 2 + 4096; buf = realloc(buf, cap); if (!buf) abort(); }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *len = n;
    return buf;
}

/* One mutation of src (len bytes) into out; returns the new length. */
static size_t mutate(const char *src, size_t len, char *out, size_t cap) {
    memcpy(out, src, len);
    int steps = 1 + (int)rnd(4);
    for (int s = 0; s < steps; s++) {
        size_t at = len ? rnd((uint32_t)len + 1) : 0;
        switch (rnd(5)) {
        case 0:                                             /* flip a byte */
            if (len) out[at % len] ^= (char)(1u << rnd(8));
            break;
        case 1: {                                           /* delete a range */
            size_t k = rnd(16) + 1;
            if (at + k > len) k = len - at;
            memmove(out + at, out + at + k, len - at - k);
            len -= k;
            break;
        }
        case 2: case 3: {                                   /* splice a token */
            const char *t = dict[rnd(sizeof dict / sizeof dict[0])];
            size_t k = strlen(t);
            if (len + k > cap) break;
            memmove(out + at + k, out + at, len - at);
            memcpy(out + at, t, k);
            len += k;
            break;
        }
        default: {                                          /* repeat a range */
            size_t k = rnd(32) + 1;
            if (at + k > len) k = len - at;
            if (len + k > cap) break;
            memmove(out + at + k, out + at, len - at);      /* [at, at+k) now twice */
            len += k;
            break;
        }
        }
    }
    return len;
}

int main(int argc, char **argv) {
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull) { printf("FAIL mutate: cannot open /dev/null\n"); return 1; }
    fflush(stderr);
    int saved = dup(2);
    if (!verbose && freopen("/dev/null", "w", stderr) == NULL) { printf("FAIL mutate: stderr\n"); return 1; }

    static const char *const pats[] = { "examples/*.aedl", "stdlib/*.aedl", "tests/parse/*.aedl",
                                        "tests/errors/*.aedl", "tests/fuzz/regress/*.aedl",
                                        "tests/fuzz/multi/*.aedl" };
    glob_t g;
    memset(&g, 0, sizeof g);
    for (int i = 0; i < 6; i++) glob(pats[i], i ? GLOB_APPEND : 0, NULL, &g);

    /* The multi-file seeds really are several files: one compiles, one is a cycle. */
    size_t n3, nc;
    char *three = read_file("tests/fuzz/multi/three_files.aedl", &n3);
    char *cycle = read_file("tests/fuzz/multi/cycle.aedl", &nc);
    int e3 = three ? front_run(three, n3, devnull) : -1;
    int ec = cycle ? front_run(cycle, nc, devnull) : -1;
    free(three);
    free(cycle);

    long mutants = 0, broken = 0, seeds = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        size_t len;
        char *src = read_file(g.gl_pathv[i], &len);
        if (!src) continue;
        front_run(src, len, devnull);
        seeds++;
        size_t cap = len + 1024;
        char *buf = malloc(cap);
        if (!buf) abort();
        for (int m = 0; m < MUTANTS_PER_SEED; m++) {
            size_t n = mutate(src, len, buf, cap);
            if (verbose) fprintf(stdout, "mutant %s #%d\n", g.gl_pathv[i], m), fflush(stdout);
            if (front_run(buf, n, devnull) > 0) broken++;
            mutants++;
        }
        free(buf);
        free(src);
    }
    globfree(&g);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(devnull);

    CHECK(seeds > 0, "mutate/seeds found", "no seed files (run from the repository root)");
    CHECK(e3 == 0, "mutate/three files importing each other compile", "%d errors", e3);
    CHECK(ec == 1, "mutate/an import cycle across files is one error", "%d errors", ec);
    CHECK(mutants == (long)g.gl_pathc * MUTANTS_PER_SEED || g.gl_pathc == 0, "mutate/all mutants ran",
          "%ld mutants", mutants);
    CHECK(broken > mutants / 10, "mutate/mutants are reported", "only %ld of %ld mutants gave errors", broken, mutants);
    printf("PASS mutate/%ld mutants of %zu seeds ran without a crash (%ld gave errors)\n", mutants, g.gl_pathc, broken);
    return check_exit();
}
