/* front_run.h — one run of the front end over an in-memory file, for the
 * fuzzers (fuzz_front.c, fuzz_prec.c) and the deterministic mutation test
 * (test_mutate.c): front_compile parses, resolves and infers shapes with
 * ir_verify between passes (a broken invariant aborts) and returns the program,
 * or NULL after errors; front_done frees everything and returns the number of
 * errors reported.  front_run = both, with the IR dumped to /dev/null. */
#ifndef AEDL_FRONT_RUN_H
#define AEDL_FRONT_RUN_H
#include <stdio.h>
#include "arena.h"
#include "passes.h"

static IrProgram *front_compile(const char *data, size_t size) {
    diag_reset();
    int id = src_add("fuzz.aedl", data, size);
    AstFile *f = parse_source(id);
    if (diag_error_count() != 0) return NULL;
    diag_hold();                     /* as aedlc does: diagnostics in source order */
    IrProgram *p = resolve_program(&f, 1, "fuzz.aedl");
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
