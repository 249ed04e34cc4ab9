# compiler/sema.mk — the semantic half of the front end: name resolution and
# checks (AST -> IR), shapes, the IR dump and the IR verifier.
AEDLC_SRCS += compiler/resolve.c compiler/shapes.c compiler/ir_dump.c compiler/ir_verify.c
