/* ast.h — the syntax tree the parser builds.
 *
 * The parser only records what was written (no name lookup, no checks beyond
 * the grammar); resolve.c turns this into the IR.  All nodes live in the
 * compilation's arena (arena.h) and are never freed one by one.
 */
#ifndef AEDL_AST_H
#define AEDL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include "src.h"

typedef struct AstExpr AstExpr;

typedef struct {
    const char *name;       /* NULL for a positional argument */
    Loc name_loc;
    AstExpr *value;
} AstArg;

typedef enum {
    EX_NUMBER,   /* 3, -2, 0.5, 1e-5: num; is_int and ival when integral in spelling */
    EX_STRING,   /* "..." with escapes decoded: text */
    EX_BOOL,     /* true / false: bval */
    EX_IDENT,    /* name: text */
    EX_CALL,     /* text(args...) e.g. quantized_bits(8, 3, 1) */
    EX_LIST,     /* [a, b, ...]: items */
    EX_SLICE,    /* [lo:hi], either side may be absent (has_lo / has_hi) */
    EX_TYPE      /* fixed<16, 7, rnd, sat>, ap_fixed<...>, ap_int<8>: text = type name, items = params */
} AstExprKind;

struct AstExpr {
    AstExprKind kind;
    Loc loc;                 /* the whole expression */
    const char *text;
    double num;
    bool is_int;
    long long ival;
    bool bval;
    AstArg *args; int nargs;
    AstExpr **items; int nitems;
    bool has_lo, has_hi;
    long long lo, hi;
    Loc lo_loc, hi_loc;
};

typedef struct {
    const char *name;
    Loc loc;
} AstName;

typedef enum {
    ST_ASSIGN,   /* key = value                    (model scope, data/train/target blocks) */
    ST_SIGNAL,   /* signal NAME = value            (data blocks) */
    ST_INPUT,    /* input NAME[d1, d2] : TYPE      (model) */
    ST_LAYER,    /* KIND [NAME] [(args)] [<- a, b] (model) */
    ST_OUTPUT    /* output a, b; output a : TYPE   (model) */
} AstStmtKind;

typedef struct {
    AstStmtKind kind;
    Loc loc;                 /* the whole statement */
    /* ST_ASSIGN: name = key; ST_SIGNAL: name = signal name;
       ST_INPUT: name = input name; ST_LAYER: kind = layer kind, name = optional */
    AstName kind_name;
    AstName name;            /* name.name == NULL when absent */
    AstExpr *value;          /* ST_ASSIGN, ST_SIGNAL; ST_INPUT, ST_OUTPUT: the type or NULL */
    AstArg *args; int nargs; /* ST_LAYER; has_parens tells `relu` from `relu()` */
    bool has_parens;
    AstName *inputs; int ninputs;  /* ST_LAYER after `<-`; ST_OUTPUT: the names */
    AstExpr **dims; int ndims;     /* ST_INPUT */
} AstStmt;

typedef enum {
    DECL_IMPORT,     /* import "path": path */
    DECL_QUANTIZER,  /* quantizer NAME = value */
    DECL_PRUNING,    /* pruning NAME = value */
    DECL_MODEL,      /* model NAME { stmts } */
    DECL_DATA,       /* data NAME { stmts } */
    DECL_TRAIN,      /* train [NAME] { stmts } (name.name NULL when absent) */
    DECL_TARGET,     /* target NAME { stmts } */
    DECL_SCAN        /* scan NAME { PATH = [values] ... }: variants (scan.c) */
} AstDeclKind;

typedef struct {
    AstDeclKind kind;
    Loc loc;                 /* the keyword */
    AstName name;
    const char *path; Loc path_loc;   /* DECL_IMPORT */
    int import_file;         /* DECL_IMPORT: file id once loaded, -1 before */
    AstExpr *value;          /* DECL_QUANTIZER, DECL_PRUNING */
    AstStmt *stmts; int nstmts;
} AstDecl;

/* One parsed file. */
typedef struct {
    int file;                /* id in the source manager (src.h) */
    AstDecl *decls; int ndecls;
} AstFile;

#endif
