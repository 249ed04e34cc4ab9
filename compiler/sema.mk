# compiler/sema.mk — the semantic half of the front end: name resolution and
# checks (AST -> IR), shapes, the IR dump and the IR verifier.
AEDLC_SRCS += compiler/sema/resolve.c compiler/sema/shapes.c compiler/sema/ir_dump.c compiler/sema/ir_verify.c
