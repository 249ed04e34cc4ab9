/* prec_batchnorm.c — pass d: batchnorm in inference.
 *
 * Inference computes y = scale * x + shift with scale = gamma/sqrt(var+eps),
 * shift = beta - mean*scale, both quantized to fixed<16,6,rnd_conv,sat> (the
 * parameter type training uses too, docs/semantics.md); never an unquantized
 * operation that training did not see.
 *
 * After a dense whose output nothing else reads, the batchnorm can be folded
 * into it: w'_ij = w_ij * scale_j, b'_j = b_j * scale_j + shift_j.  These are
 * exact products of the quantized values (no re-quantization), so the folded
 * dense computes exactly the same numbers.  Folding trades one multiplier per
 * channel for wider weights; this pass folds when the folded dense's EBOPs do
 * not exceed the dense's plus the batchnorm's, and says so in both nodes'
 * notes.  It needs the exact analysis (pass c) of the unfolded model; the
 * driver runs pass c again when something was folded.
 */
#include <stdlib.h>
#include "prec_common.h"

/* Returns how many batchnorms were folded. */
int prec_batchnorm_fold(IrModel *m, const IrTarget *t);

int prec_batchnorm_fold(IrModel *m, const IrTarget *t) {
    if (t && t->precision != PREC_BIT_EXACT) return 0;
    int folded = 0;
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *bn = m->nodes[i];
        if (bn->op != OP_BATCHNORM || !bn->params || !bn->prec || !bn->prec->has_range) continue;
        IrNode *d = bn->inputs[0];
        IrPrec *pd = d->prec, *pb = bn->prec;
        if (pb->folded_away) continue;
        if (d->op != OP_DENSE || !d->params || !pd || !pd->has_range || pd->folded_bn) continue;
        if (prec_consumers(m, d, NULL) != 1) { prec_note(pb, "not folded: '%s' has other readers", d->name); continue; }
        if (!d->weight_q || (d->use_bias && !d->bias_q)) { prec_note(pb, "not folded: '%s' has float weights", d->name); continue; }
        /* folded weights, on their coarsest step */
        const IrParams *pr = d->params;
        long N = (long)pr->n_in * pr->units, nz = 0;
        int64_t *w = prec_quant_kernel(pr, pd->cons.weight), *s, *h;
        prec_bn_params(bn, prec_bn_param_type(), &s, &h);
        int tz = 200;
        i128 lo = 0, hi = 0;
        bool ovf = false;
        for (long k = 0; k < N; k++) {
            i128 v = prec_mul(w[k], s[k % pr->units], &ovf);
            if (!v) continue;
            nz++;
            int z = prec_tz(v);
            if (z < tz) tz = z;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        free(w); free(s); free(h);
        if (tz == 200) tz = 0;
        aedl_fixed wt = prec_type_for(lo >> tz, hi >> tz, 0);
        if (ovf || wt.width == 0) { prec_note(pb, "not folded: the folded weights need more than 64 bits"); continue; }
        double fold = (double)nz * prec_mag_bits(pd->t.input) * prec_mag_bits(wt);
        double keep = pd->t.ebops + pb->t.ebops;
        if (fold <= keep) {
            pd->folded_bn = true;
            pb->folded_away = true;
            folded++;
            prec_note(pd, "batchnorm '%s' folded in: EBOPs %.0f folded vs %.0f as dense + scale/shift", bn->name, fold, keep);
        } else {
            prec_note(pb, "kept as scale and shift: EBOPs %.0f (dense '%s' + this) vs %.0f folded (weights of %d bits)",
                      keep, d->name, fold, wt.width);
        }
    }
    return folded;
}

void prec_batchnorm(IrModel *m, const IrTarget *t) { (void)prec_batchnorm_fold(m, t); }
