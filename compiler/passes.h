/* passes.h — the compiler's pipeline, one file per pass:
 *
 *   load.c      files -> AST       (lexer.l, parser.y; imports followed)
 *   resolve.c   AST -> IR          (names, arguments, values, defaults)
 *   shapes.c    IR shapes          (through the graph; mismatches are errors)
 *   precision*  fixed-point types  (from quantizers; conservative or bit-exact)
 *   emit_*.c    outputs            (IR dump, training C, HLS project, report)
 *
 * Each pass reports every error it finds (src.h) and returns; main.c stops
 * after a pass that reported errors, and runs ir_verify() between passes.
 */
#ifndef AEDL_PASSES_H
#define AEDL_PASSES_H
#include "ast.h"
#include "ir.h"

typedef struct {
    const char **include_dirs; int ninclude;   /* -I DIR, in order */
    const char *stdlib_dir;                    /* the folder holding std/... */
} LoadOptions;

/* Parses FILE and every file it imports (each once; a cycle is an error).
   Returns the files in dependency order (imports before importers; main last);
   *nfiles set.  Returns NULL when a file could not be read; syntax errors are
   reported and counted (diag_error_count). */
AstFile **load_program(const char *path, const LoadOptions *opt, int *nfiles);
/* Tests and fuzzing: the same from in-memory files (src_add).  find(NAME, ctx)
   is the source id of the file `import "NAME"` means, or -1. */
typedef int (*LoadFindMem)(const char *name, void *ctx);
AstFile **load_program_mem(int file_id, LoadFindMem find, void *ctx, int *nfiles);
/* Parses one in-memory file (tests, fuzzing): no imports followed. */
AstFile *parse_source(int file_id);

IrProgram *resolve_program(AstFile **files, int nfiles, const char *main_file);
void infer_shapes(IrProgram *p);
/* prep.c: the data block's names, signed, transform and scale = standard(...) into dt;
   then, once the model input's size n is known, the checks that need it. */
void prep_resolve(IrData *dt, const AstExpr *names, const AstExpr *sign, const AstExpr *transforms,
                  const AstExpr *scale);
void prep_check(const IrData *dt, long n);
/* A target's hw(FEATURES, TYPE) into g->hw; then, with the data block (or NULL) and the
   model input's size n, the checks and g->hw_types (n entries, width 0: not declared). */
void prep_hw_add(IrTarget *g, const AstExpr *features, aedl_fixed type, Loc type_loc);
void prep_hw_check(IrTarget *g, const IrData *dt, long n);

/* The arguments of a call (quantized_bits, polynomial_decay, ...) or layer
   kind NAME (resolve.c): the position of ARG among them or -1; their names
   (count, or -1 when NAME is none of them). */
int resolve_param_position(const char *name, const char *arg);
int resolve_param_names(const char *name, const char *const **names);

#endif
