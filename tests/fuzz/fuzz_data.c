/* fuzz_data.c — libFuzzer target over the CSV data reader (`make fuzz-data`,
 * tests/tests.mk): each input is written to a temporary file and loaded as a
 * training source, with and without a feature selection, then split and
 * scaled as the training program does.  Any input must give a table or a
 * message naming the file, never a crash or a sanitizer report; a table holds
 * only finite values and exactly the events' shape. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>
#include "data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_input(void) {
    if (path[0]) unlink(path);
}

static void check_table(const aedl_table *t, const char *err) {
    if (t->n == 0 || t->d == 0) { fprintf(stderr, "empty table without an error\n"); abort(); }
    for (size_t i = 0; i < t->n * t->d; i++)
        if (!isfinite(t->x[i])) { fprintf(stderr, "a non-finite value in a loaded table\n"); abort(); }
    (void)err;
}

static void load(const aedl_data_spec *sp) {
    aedl_table all, tr, va, te;
    char err[1024] = "";
    if (aedl_data_load(sp, &all, err, sizeof err) != 0) {
        if (!strstr(err, path)) { fprintf(stderr, "a message without the file: %s\n", err); abort(); }
        return;
    }
    check_table(&all, err);
    if (aedl_split(&all, 0.2, 0.2, &tr, &va, &te, err, sizeof err) == 0) {
        if (tr.n == 0 || va.n == 0 || te.n == 0) { fprintf(stderr, "an empty split\n"); abort(); }
        aedl_scaler sc;
        aedl_scaler_fit(&sc, &tr);
        aedl_scaler_apply(&sc, &all);
        aedl_scaler_free(&sc);
    }
    aedl_table_free(&all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!path[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/aedl-fuzz-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
        int fd = mkstemp(path);
        if (fd < 0) { perror("mkstemp"); abort(); }
        close(fd);
        atexit(remove_input);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) { perror(path); abort(); }
    aedl_data_spec sp = { .kind = AEDL_SRC_CSV, .path = path, .shuffle = 1, .seed = size };
    load(&sp);
    int feat[2] = { 1, 0 };
    sp.features = feat;
    sp.nfeatures = 2;
    sp.limit = 3;
    sp.want_mask = 1;
    load(&sp);
    return 0;
}
