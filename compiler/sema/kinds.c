/* kinds.c — the names and flags of the layer kinds, from kinds.def. */
#include "ir.h"

static const struct { const char *name; unsigned flags; } KINDS[IR_NOPS] = {
    [OP_INPUT] = {"input", 0},
#define KIND(ID, name, args, flags) [OP_##ID] = {name, flags},
#include "kinds.def"
#undef KIND
};

const char *ir_op_name(IrOp op) { return (unsigned)op < IR_NOPS ? KINDS[op].name : "?"; }

unsigned ir_op_flags(IrOp op) { return (unsigned)op < IR_NOPS ? KINDS[op].flags : 0; }
