/* front_run.h — one run of the front end over in-memory files, for the
 * fuzzers (fuzz_front.c, fuzz_prec.c) and the deterministic mutation test
 * (test_mutate.c): front_compile parses, resolves and infers shapes with
 * ir_verify between passes (a broken invariant aborts) and returns the program,
 * or NULL after errors; front_done frees everything and returns the number of
 * errors reported.  front_run = both, with the IR dumped to /dev/null. */
#ifndef AEDL_FRONT_RUN_H
#define AEDL_FRONT_RUN_H
#include <stdio.h>
#include <string.h>
#include "arena.h"
#include "passes.h"

/* A fuzz input holds one file or several: a line "--- NAME" starts the file
 * NAME, the text before the first such line is fuzz.aedl (the main file).
 * `import "NAME"` finds NAME or NAME.aedl among them (load_program_mem): the
 * fuzzers reach imports, cycles and names declared in other files. */
#define FRONT_MAX_FILES 16
typedef struct { int n; int ids[FRONT_MAX_FILES]; } FrontFiles;

static int front_find(const char *name, void *ctx) {
    const FrontFiles *fs = ctx;
    size_t k = strlen(name);
    for (int i = 0; i < fs->n; i++) {
        const char *f = src_file(fs->ids[i])->path;
        if (strcmp(f, name) == 0 || (strncmp(f, name, k) == 0 && strcmp(f + k, ".aedl") == 0))
            return fs->ids[i];
    }
    return -1;
}

/* Where the next "--- " line starts in [from, size), or size. */
static size_t front_next_sep(const char *data, size_t size, size_t from) {
    for (size_t i = from; i + 4 <= size; i++)
        if ((i == 0 || data[i - 1] == '\n') && memcmp(data + i, "--- ", 4) == 0) return i;
    return size;
}

static void front_split(const char *data, size_t size, FrontFiles *fs) {
    char name[80];
    size_t at = front_next_sep(data, size, 0);
    fs->n = 0;
    fs->ids[fs->n++] = src_add("fuzz.aedl", data, at);
    while (at < size && fs->n < FRONT_MAX_FILES) {
        size_t nl = at + 4;
        while (nl < size && data[nl] != '\n') nl++;
        size_t len = nl - (at + 4) < 64 ? nl - (at + 4) : 64;
        snprintf(name, sizeof name, "%.*s", (int)len, data + at + 4);
        if (!name[0]) snprintf(name, sizeof name, "file%d.aedl", fs->n);
        size_t body = nl < size ? nl + 1 : size;
        size_t end = fs->n + 1 < FRONT_MAX_FILES ? front_next_sep(data, size, body) : size;
        fs->ids[fs->n++] = src_add(name, data + body, end - body);
        at = end;
    }
}

static IrProgram *front_compile(const char *data, size_t size) {
    diag_reset();
    FrontFiles fs;
    front_split(data, size, &fs);
    int nfiles = 0;
    AstFile **files = load_program_mem(fs.ids[0], front_find, &fs, &nfiles);
    if (!files || diag_error_count() != 0) return NULL;
    diag_hold();                     /* as aedlc does: diagnostics in source order */
    IrProgram *p = resolve_program(files, nfiles, "fuzz.aedl");
    diag_release();
    if (!p || diag_error_count() != 0) return NULL;
    ir_verify(p);
    diag_hold();
    infer_shapes(p);
    diag_release();
    if (diag_error_count() != 0) return NULL;
    ir_verify(p);
    return p;
}

static int front_done(void) {
    int n = diag_error_count();
    diag_reset();
    arena_free_all();
    src_free_all();
    return n;
}

static int front_run(const char *data, size_t size, FILE *devnull) {
    IrProgram *p = front_compile(data, size);
    if (p) ir_dump(devnull, p);
    return front_done();
}
#endif
