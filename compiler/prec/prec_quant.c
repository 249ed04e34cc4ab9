/* prec_quant.c — pass a: the types the model's quantizers fix.
 *
 * The spec maps every quantizer to an exact fixed type (resolve.c filled
 * IrQuant.type): quantized_bits(b, i) = fixed<b, i+1, rnd_conv, sat> (sat_sym
 * when symmetric), quantized_relu(b, i) = ufixed<b, i, rnd_conv, sat>, a fixed
 * type as itself.  This pass puts them in the node's slots: a dense's weight
 * and bias, the quantizer on the output of batchnorm / relu / leaky_relu /
 * linear, and the input's declared type.  Batchnorm scale and shift get the
 * parameter type fixed<16,6,rnd_conv,sat>; leaky_relu's alpha its own (exact
 * when alpha is a multiple of 2^-10).  Nothing here needs weights.
 *
 * The rules of the kinds are in rules.c (prec_quant_KIND).
 *
 * The slots are prec->q, kept apart from the firmware's types prec->t: when a
 * layer becomes a float part, passes b and c run again and start from q, so
 * the earlier layers keep their quantizers' types and rounding (prec_run.c).
 */
#include "prec_common.h"

void prec_quant(IrModel *m, const IrTarget *t) {
    IrPrecMode mode = prec_target(t)->precision;
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        IrPrec *p = prec_get(n);
        p->mode = mode;
        p->guaranteed = true;
        IrPrecTypes *s = &p->q;
        kind_of(n->op)->prec_quant(n, p);   /* rules.c */
        if (n->quant && ir_op_is(n->op, IR_K_QUANT)) {
            s->quant = n->quant->type;
            s->has_quant = true;
        }
    }
}
