/* emit_keras.h — `aedlc FILE --emit keras --weights W.h5` (emit_keras.c):
 * DIR/keras/MODEL_weights.h5, the weights in the layout of Keras 2's
 * model.save_weights(), for model.load_weights() (docs/import.md). */
#ifndef AEDL_EMIT_KERAS_H
#define AEDL_EMIT_KERAS_H
#include "ir.h"

/* m's nodes hold the weights (pass_weights).  Returns 0, or -1 after
   printing "aedlc: error: ..." */
int emit_keras(const IrModel *m, const char *outdir);

#endif
