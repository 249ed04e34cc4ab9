/* front_run.h — one run of the front end over an in-memory file, for the
 * fuzzer (fuzz_front.c) and the deterministic mutation test (test_mutate.c):
 * parse -> resolve -> shapes -> IR dump to /dev/null, with ir_verify between
 * passes (a broken invariant aborts).  Returns the number of errors reported;
 * everything allocated is freed. */
#ifndef AEDL_FRONT_RUN_H
#define AEDL_FRONT_RUN_H
#include <stdio.h>
#include "arena.h"
#include "passes.h"

static int front_run(const char *data, size_t size, FILE *devnull) {
    diag_reset();
    int id = src_add("fuzz.aedl", data, size);
    AstFile *f = parse_source(id);
    if (diag_error_count() == 0) {
        IrProgram *p = resolve_program(&f, 1, "fuzz.aedl");
        if (p && diag_error_count() == 0) {
            ir_verify(p);
            infer_shapes(p);
            if (diag_error_count() == 0) {
                ir_verify(p);
                ir_dump(devnull, p);
            }
        }
    }
    int n = diag_error_count();
    diag_reset();
    arena_free_all();
    src_free_all();
    return n;
}
#endif
