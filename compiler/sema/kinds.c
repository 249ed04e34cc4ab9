/* kinds.c — the layer-kind table (kinds.h), from kinds.def. */
#include "kinds.h"

#define KIND_UNPACK(...) __VA_ARGS__
#define KIND_ENTRY(...) KIND_ENTRY_(__VA_ARGS__)
#define KIND_ENTRY_(nm, fl, a, s, pq, pf, pc, px, pl, tf, tb, tq, tl, h, rf, rb, rx)                      \
    { .name = nm, .flags = fl, .args = a, .shape = s, .prec_quant = pq, .prec_float = pf,                \
      .prec_cons = pc, .prec_exact = px, .plan = pl, .train_forward = tf, .train_backward = tb,          \
      .train_qi = tq, .train_lanes = tl, .hls = &h, .rt_forward = rf, .rt_backward = rb, .rt_forward_f64 = rx }

const KindEntry KIND_TABLE[IR_NOPS] = {
    [OP_INPUT] = { .name = "input", .flags = 0, .args = NULL, .shape = NULL,
                   .prec_quant = prec_quant_input, .prec_float = prec_float_input,
                   .prec_cons = prec_cons_input, .prec_exact = prec_exact_input, .plan = NULL,
                   .train_forward = train_forward_input, .train_backward = train_backward_none,
                   .train_qi = train_qi_input, .hls = &hls_input },
#define KIND(ID, nm, argl, fl, hooks, rt) [OP_##ID] = KIND_ENTRY(nm, fl, KIND_UNPACK hooks, KIND_UNPACK rt),
#include "kinds.def"
#undef KIND
};

const char *ir_op_name(IrOp op) { return (unsigned)op < IR_NOPS ? KIND_TABLE[op].name : "?"; }

unsigned ir_op_flags(IrOp op) { return (unsigned)op < IR_NOPS ? KIND_TABLE[op].flags : 0; }
