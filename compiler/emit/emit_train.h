/* emit_train.h — `aedlc FILE --emit train` (emit_train.c): writes DIR/train/
 * (MODEL_model.c, Makefile) and builds DIR/train/MODEL_train with make. */
#ifndef AEDL_EMIT_TRAIN_H
#define AEDL_EMIT_TRAIN_H
#include "ir.h"

typedef struct {
    const char *outdir;               /* -o DIR (default out/MODEL) */
    const char *target_name;          /* --target, or NULL */
    const char *const *include_dirs;  /* -I DIR, in order */
    int ninclude;
    const IrTarget *target;           /* the target (default type of sigmoid/tanh tables), or NULL */
} EmitTrainOptions;

/* Returns 0, or 1 after reporting the problem (diagnostics or make's messages). */
int emit_train(IrProgram *p, IrModel *m, const EmitTrainOptions *opt);

#endif
