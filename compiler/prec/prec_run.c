/* prec_run.c — the precision passes in order, ir_verify between them.
 *
 *   a prec_quant         quantizers -> weight/bias/quant slots of prec->q
 *   e prec_float         types of the unquantized parts (they feed b and c), in prec->q
 *   b prec_conservative  width rules from bit widths (the firmware's types
 *                        unless bit_exact analysis replaces them)
 *   c prec_bit_exact     exact ranges on the trained weights; an unquantized
 *                        sum whose exact type would exceed 64 bits becomes a
 *                        float part (prec_float_promote), then b and c again,
 *                        from prec->q (never from the first run's prec->t)
 *   d prec_batchnorm     fold batchnorms where that costs fewer EBOPs; c again
 * then the `guaranteed` flag flows downstream: a node equals the quantized
 * model only if its own arithmetic is exact and all its inputs are.
 */
#include "prec_common.h"
#include "util.h"

int prec_batchnorm_fold(IrModel *m, const IrTarget *t);

static void verify(IrProgram *p) { if (p) ir_verify(p); }

int infer_precision(IrProgram *prog, IrModel *m, const IrTarget *t, const IrObserved *obs, int nobs) {
    int before = diag_error_count();
    prec_quant(m, t);
    verify(prog);
    prec_float(m, t, obs, nobs);
    verify(prog);
    prec_conservative(m, t);
    verify(prog);
    prec_bit_exact(m, t);
    verify(prog);
    while (prec_float_promote(m, t) > 0) {    /* exact would need > 64 bits: float-part rules there */
        prec_conservative(m, t);
        verify(prog);
        prec_bit_exact(m, t);
        verify(prog);
    }
    if (diag_error_count() == before && prec_batchnorm_fold(m, t) > 0) {
        prec_bit_exact(m, t);
        verify(prog);
    }
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        for (int k = 0; k < n->ninputs; k++)
            if (!n->inputs[k]->prec->guaranteed && n->prec->guaranteed) {
                n->prec->guaranteed = false;
                prec_note(n->prec, "an input is not guaranteed");
            }
        if (!n->prec->inputs) {
            n->prec->ninputs = n->ninputs;
            n->prec->inputs = xcalloc(n->ninputs ? n->ninputs : 1, sizeof(aedl_fixed));
            for (int k = 0; k < n->ninputs; k++) n->prec->inputs[k] = n->inputs[k]->prec->t.result;
        }
    }
    return diag_error_count() - before;
}
