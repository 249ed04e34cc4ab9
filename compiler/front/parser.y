/* parser.y — the grammar of .aedl files (pure bison; the AST of ast.h).
 *
 * The parser only records what was written; resolve.c checks names and
 * values.  Every node lives in the arena (arena.h), so error recovery cannot
 * leak: semantic values need no destructor.
 *
 * Error recovery (several syntax errors per file are reported):
 *   - in a block, a bad statement is skipped up to the end of its line;
 *   - at top level, everything is skipped up to the next line that starts a
 *     declaration (`model ...`, `data ...`: a keyword not followed by `=`);
 *   - an unclosed ( or [ is closed by force at a { or } (lexer.l), and, when the
 *     error is the first token of a line, at that line (the newline was
 *     swallowed by the bracket).  A note points at the opener.
 * Messages name tokens as users write them: "expected ')' before newline".
 */
%define api.pure full
%define api.token.prefix {TOK_}
%define api.location.type {Loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%parse-param {ParseCtx *ctx}
%lex-param {ParseCtx *ctx}

%code requires {
#include <stdbool.h>
#include "ast.h"
#include "lexstate.h"

typedef struct { double num; long long ival; int is_int; } LexNum;

/* Growing lists, all in the arena. */
typedef struct { AstExpr **items; int n, cap; } ExprList;
typedef struct { AstArg *items; int n, cap; bool named_seen; } ArgList;
typedef struct { AstName *items; int n, cap; } NameList;
typedef struct { AstStmt *items; int n, cap; } StmtList;

typedef struct ParseCtx {
    void *scanner;               /* the flex scanner */
    LexState lex;
    AstDecl *decls; int ndecls, capdecls;
    int skip_to_decl;            /* top-level recovery: skip to the next declaration */
    struct Queued *queue;        /* tokens read ahead (at most 3), oldest first */
    int nqueued;
} ParseCtx;

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                     \
    do {                                                                \
        if (N) {                                                        \
            (Cur).file = YYRHSLOC(Rhs, 1).file;                         \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                       \
            (Cur).end = YYRHSLOC(Rhs, N).end;                           \
        } else {                                                        \
            (Cur).file = YYRHSLOC(Rhs, 0).file;                         \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;             \
        }                                                               \
    } while (0)
}

%union {
    const char *str;
    bool bval;
    LexNum num;
    AstExpr *expr;
    ExprList *exprs;
    ArgList *args;
    AstArg arg;
    NameList *names;
    AstName name;
    AstStmt stmt;
    StmtList *stmts;
    AstDecl decl;
}

%code {
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "passes.h"

#define YY_DECL int aedl_lex(YYSTYPE *yylval_param, Loc *yylloc_param, void *yyscanner)
#include "lexer.h"
int aedl_lex(YYSTYPE *yylval_param, Loc *yylloc_param, void *yyscanner);

static int yylex(YYSTYPE *lval, Loc *lloc, ParseCtx *ctx);
/* Only for bison's own failures ("memory exhausted"); syntax errors go
   through yyreport_syntax_error. */
static void yyerror(Loc *loc, ParseCtx *ctx, const char *msg) {
    (void)ctx;
    diag_error(*loc, "%s (the input is nested too deeply)", msg);
}

static AstName mkname(const char *s, Loc loc) { AstName n = { s, loc }; return n; }

static AstExpr *mkexpr(AstExprKind kind, Loc loc) {
    AstExpr *e = ARENA_NEW(AstExpr);
    e->kind = kind;
    e->loc = loc;
    return e;
}

static AstExpr *mknumber(LexNum n, Loc loc) {
    AstExpr *e = mkexpr(EX_NUMBER, loc);
    e->num = n.num;
    e->is_int = n.is_int;
    e->ival = n.ival;
    return e;
}

static ExprList *exprs_new(void) { return ARENA_NEW(ExprList); }
static ExprList *exprs_push(ExprList *l, AstExpr *e) { ARENA_PUSH(l->items, l->n, l->cap, e); return l; }
static NameList *names_push(NameList *l, AstName n) {
    if (!l) l = ARENA_NEW(NameList);
    ARENA_PUSH(l->items, l->n, l->cap, n);
    return l;
}

/* Arguments: positional first, then name=value. */
static ArgList *args_push(ArgList *l, AstArg a) {
    if (!l) l = ARENA_NEW(ArgList);
    if (a.name) l->named_seen = true;
    else if (l->named_seen)
        diag_error(a.value->loc, "positional argument after named arguments (write positional arguments first)");
    ARENA_PUSH(l->items, l->n, l->cap, a);
    return l;
}

static StmtList *stmts_push(StmtList *l, AstStmt s) {
    if (!l) l = ARENA_NEW(StmtList);
    ARENA_PUSH(l->items, l->n, l->cap, s);
    return l;
}

static AstStmt mkstmt(AstStmtKind kind, Loc loc) {
    AstStmt s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.loc = loc;
    return s;
}

static AstDecl mkdecl(AstDeclKind kind, Loc kw) {
    AstDecl d;
    memset(&d, 0, sizeof d);
    d.kind = kind;
    d.loc = kw;
    d.import_file = -1;
    return d;
}

static AstDecl block_decl(AstDeclKind kind, Loc kw, AstName name, StmtList *body) {
    AstDecl d = mkdecl(kind, kw);
    d.name = name;
    if (body) { d.stmts = body->items; d.nstmts = body->n; }
    return d;
}

static void push_decl(ParseCtx *ctx, AstDecl d) {
    ARENA_PUSH(ctx->decls, ctx->ndecls, ctx->capdecls, d);
}
}

%token <str> IDENT "identifier"
%token <str> STRING "string"
%token <num> NUMBER "number"
%token <bval> BOOL "true or false"
%token NEWLINE "newline"
%token ARROW "'<-'"
%token IMPORT "'import'"
%token QUANTIZER "'quantizer'"
%token PRUNING "'pruning'"
%token MODEL "'model'"
%token DATA "'data'"
%token TRAIN "'train'"
%token TARGET "'target'"
%token INPUT "'input'"
%token OUTPUT "'output'"
%token SIGNAL "'signal'"
%token SCAN "'scan'"
%token <str> PATH "dotted name"

%type <expr> value type_param
%type <exprs> values type_params
%type <args> args arg_list
%type <arg> arg
%type <names> names
%type <name> key name opt_name
%type <stmt> model_stmt data_stmt kv_stmt
%type <stmts> model_stmts model_block data_stmts data_block kv_stmts kv_block
%type <decl> decl

%%

program
    : decls
    | decls decl                        { push_decl(ctx, $2); }
    ;

decls
    : %empty
    | decls NEWLINE
    | decls decl NEWLINE                { push_decl(ctx, $2); }
    | decls error NEWLINE               { yyerrok; ctx->skip_to_decl = 1; }
    ;

decl
    : IMPORT STRING                     { $$ = mkdecl(DECL_IMPORT, @1); $$.path = $2; $$.path_loc = @2; }
    | QUANTIZER name '=' value          { $$ = mkdecl(DECL_QUANTIZER, @1); $$.name = $2; $$.value = $4; }
    | PRUNING name '=' value            { $$ = mkdecl(DECL_PRUNING, @1); $$.name = $2; $$.value = $4; }
    | MODEL name model_block            { $$ = block_decl(DECL_MODEL, @1, $2, $3); }
    | DATA name data_block              { $$ = block_decl(DECL_DATA, @1, $2, $3); }
    | TRAIN opt_name kv_block           { $$ = block_decl(DECL_TRAIN, @1, $2, $3); }
    | TARGET name kv_block              { $$ = block_decl(DECL_TARGET, @1, $2, $3); }
    | SCAN name kv_block                { $$ = block_decl(DECL_SCAN, @1, $2, $3); }
    ;

name
    : IDENT                             { $$ = mkname($1, @1); }
    ;

opt_name
    : %empty                            { $$ = mkname(NULL, @$); }
    | IDENT                             { $$ = mkname($1, @1); }
    ;

/* Keys of `key = value`: any identifier, and the keywords too (`model = ae`). */
key
    : IDENT                             { $$ = mkname($1, @1); }
    | IMPORT                            { $$ = mkname("import", @1); }
    | QUANTIZER                         { $$ = mkname("quantizer", @1); }
    | PRUNING                           { $$ = mkname("pruning", @1); }
    | MODEL                             { $$ = mkname("model", @1); }
    | DATA                              { $$ = mkname("data", @1); }
    | TRAIN                             { $$ = mkname("train", @1); }
    | TARGET                            { $$ = mkname("target", @1); }
    | INPUT                             { $$ = mkname("input", @1); }
    | OUTPUT                            { $$ = mkname("output", @1); }
    | SIGNAL                            { $$ = mkname("signal", @1); }
    | SCAN                              { $$ = mkname("scan", @1); }
    | PATH                              { $$ = mkname($1, @1); }   /* scan axes: qw.bits = [...] */
    ;

/* ---- model blocks ---- */

model_block
    : '{' model_stmts '}'               { $$ = $2; }
    | '{' model_stmts model_stmt '}'    { $$ = stmts_push($2, $3); }
    | '{' model_stmts error '}'         { $$ = $2; yyerrok; }
    ;

model_stmts
    : %empty                            { $$ = NULL; }
    | model_stmts NEWLINE               { $$ = $1; }
    | model_stmts model_stmt NEWLINE    { $$ = stmts_push($1, $2); }
    | model_stmts error NEWLINE         { $$ = $1; yyerrok; }
    ;

model_stmt
    : INPUT name '[' values ']'
        { $$ = mkstmt(ST_INPUT, @$); $$.kind_name = mkname("input", @1); $$.name = $2;
          $$.dims = $4->items; $$.ndims = $4->n; }
    | INPUT name '[' values ']' ':' value
        { $$ = mkstmt(ST_INPUT, @$); $$.kind_name = mkname("input", @1); $$.name = $2;
          $$.dims = $4->items; $$.ndims = $4->n; $$.value = $7; }
    | OUTPUT names
        { $$ = mkstmt(ST_OUTPUT, @$); $$.kind_name = mkname("output", @1);
          $$.inputs = $2->items; $$.ninputs = $2->n; }
    | OUTPUT IDENT ':' value
        { $$ = mkstmt(ST_OUTPUT, @$); $$.kind_name = mkname("output", @1);
          $$.inputs = names_push(NULL, mkname($2, @2))->items; $$.ninputs = 1; $$.value = $4; }
    | key '=' value
        { $$ = mkstmt(ST_ASSIGN, @$); $$.kind_name = $1; $$.name = $1; $$.value = $3; }
    | IDENT opt_name
        { $$ = mkstmt(ST_LAYER, @$); $$.kind_name = mkname($1, @1); $$.name = $2; }
    | IDENT opt_name ARROW names
        { $$ = mkstmt(ST_LAYER, @$); $$.kind_name = mkname($1, @1); $$.name = $2;
          $$.inputs = $4->items; $$.ninputs = $4->n; }
    | IDENT opt_name '(' args ')'
        { $$ = mkstmt(ST_LAYER, @$); $$.kind_name = mkname($1, @1); $$.name = $2; $$.has_parens = true;
          if ($4) { $$.args = $4->items; $$.nargs = $4->n; } }
    | IDENT opt_name '(' args ')' ARROW names
        { $$ = mkstmt(ST_LAYER, @$); $$.kind_name = mkname($1, @1); $$.name = $2; $$.has_parens = true;
          if ($4) { $$.args = $4->items; $$.nargs = $4->n; }
          $$.inputs = $7->items; $$.ninputs = $7->n; }
    ;

names
    : IDENT                             { $$ = names_push(NULL, mkname($1, @1)); }
    | names ',' IDENT                   { $$ = names_push($1, mkname($3, @3)); }
    ;

/* ---- data blocks (key = value, signal NAME = value) ---- */

data_block
    : '{' data_stmts '}'                { $$ = $2; }
    | '{' data_stmts data_stmt '}'      { $$ = stmts_push($2, $3); }
    | '{' data_stmts error '}'          { $$ = $2; yyerrok; }
    ;

data_stmts
    : %empty                            { $$ = NULL; }
    | data_stmts NEWLINE                { $$ = $1; }
    | data_stmts data_stmt NEWLINE      { $$ = stmts_push($1, $2); }
    | data_stmts error NEWLINE          { $$ = $1; yyerrok; }
    ;

data_stmt
    : kv_stmt
    | SIGNAL name '=' value
        { $$ = mkstmt(ST_SIGNAL, @$); $$.kind_name = mkname("signal", @1); $$.name = $2; $$.value = $4; }
    ;

/* ---- train and target blocks (key = value) ---- */

kv_block
    : '{' kv_stmts '}'                  { $$ = $2; }
    | '{' kv_stmts kv_stmt '}'          { $$ = stmts_push($2, $3); }
    | '{' kv_stmts error '}'            { $$ = $2; yyerrok; }
    ;

kv_stmts
    : %empty                            { $$ = NULL; }
    | kv_stmts NEWLINE                  { $$ = $1; }
    | kv_stmts kv_stmt NEWLINE          { $$ = stmts_push($1, $2); }
    | kv_stmts error NEWLINE            { $$ = $1; yyerrok; }
    ;

kv_stmt
    : key '=' value
        { $$ = mkstmt(ST_ASSIGN, @$); $$.kind_name = $1; $$.name = $1; $$.value = $3; }
    ;

/* ---- values ---- */

value
    : NUMBER                            { $$ = mknumber($1, @1); }
    | STRING                            { $$ = mkexpr(EX_STRING, @1); $$->text = $1; }
    | BOOL                              { $$ = mkexpr(EX_BOOL, @1); $$->bval = $1; }
    | IDENT                             { $$ = mkexpr(EX_IDENT, @1); $$->text = $1; }
    | IDENT '(' args ')'
        { $$ = mkexpr(EX_CALL, @$); $$->text = $1; if ($3) { $$->args = $3->items; $$->nargs = $3->n; } }
    | IDENT '<' type_params '>'
        { $$ = mkexpr(EX_TYPE, @$); $$->text = $1; $$->items = $3->items; $$->nitems = $3->n; }
    | '[' ']'                           { $$ = mkexpr(EX_LIST, @$); }
    | '[' values ']'                    { $$ = mkexpr(EX_LIST, @$); $$->items = $2->items; $$->nitems = $2->n; }
    | '[' values ',' ']'                { $$ = mkexpr(EX_LIST, @$); $$->items = $2->items; $$->nitems = $2->n; }
    | '[' ':' ']'                       { $$ = mkexpr(EX_SLICE, @$); }
    | '[' NUMBER ':' ']'
        { $$ = mkexpr(EX_SLICE, @$); $$->has_lo = true; $$->lo = $2.ival; $$->lo_loc = @2;
          if (!$2.is_int) diag_error(@2, "slice bounds must be integers"); }
    | '[' ':' NUMBER ']'
        { $$ = mkexpr(EX_SLICE, @$); $$->has_hi = true; $$->hi = $3.ival; $$->hi_loc = @3;
          if (!$3.is_int) diag_error(@3, "slice bounds must be integers"); }
    | '[' NUMBER ':' NUMBER ']'
        { $$ = mkexpr(EX_SLICE, @$); $$->has_lo = $$->has_hi = true;
          $$->lo = $2.ival; $$->lo_loc = @2; $$->hi = $4.ival; $$->hi_loc = @4;
          if (!$2.is_int) diag_error(@2, "slice bounds must be integers");
          if (!$4.is_int) diag_error(@4, "slice bounds must be integers"); }
    ;

values
    : value                             { $$ = exprs_push(exprs_new(), $1); }
    | values ',' value                  { $$ = exprs_push($1, $3); }
    ;

type_params
    : type_param                        { $$ = exprs_push(exprs_new(), $1); }
    | type_params ',' type_param        { $$ = exprs_push($1, $3); }
    ;

type_param
    : NUMBER                            { $$ = mknumber($1, @1); }
    | IDENT                             { $$ = mkexpr(EX_IDENT, @1); $$->text = $1; }
    ;

args
    : %empty                            { $$ = NULL; }
    | arg_list                          { $$ = $1; }
    | arg_list ','                      { $$ = $1; }
    ;

arg_list
    : arg                               { $$ = args_push(NULL, $1); }
    | arg_list ',' arg                  { $$ = args_push($1, $3); }
    ;

arg
    : value                             { $$.name = NULL; $$.name_loc = NOLOC; $$.value = $1; }
    | key '=' value                     { $$.name = $1.name; $$.name_loc = $1.loc; $$.value = $3; }
    ;

%%

/* ---- the token stream ------------------------------------------------------ */

static int is_decl_keyword(int t) {
    return t == TOK_IMPORT || t == TOK_QUANTIZER || t == TOK_PRUNING || t == TOK_MODEL ||
           t == TOK_DATA || t == TOK_TRAIN || t == TOK_TARGET || t == TOK_SCAN;
}

/* A token read ahead, with the lexer's view of it (for the error heuristics). */
struct Queued {
    int tok;
    YYSTYPE val;
    Loc loc;
    int first_on_line;
    Loc last_real, prev_real;
};

static void save(struct Queued *q, int tok, const YYSTYPE *v, Loc loc, const LexState *s) {
    q->tok = tok;
    q->val = *v;
    q->loc = loc;
    q->first_on_line = s->first_on_line;
    q->last_real = s->last_real;
    q->prev_real = s->prev_real;
}

static int next_token(YYSTYPE *lval, Loc *lloc, ParseCtx *ctx) {
    ctx->lex.has_unclosed = 0;
    if (ctx->nqueued > 0) {
        struct Queued q = ctx->queue[0];
        memmove(ctx->queue, ctx->queue + 1, (size_t)(ctx->nqueued - 1) * sizeof *ctx->queue);
        ctx->nqueued--;
        *lval = q.val;
        *lloc = q.loc;
        ctx->lex.first_on_line = q.first_on_line;
        ctx->lex.last_real = q.last_real;
        ctx->lex.prev_real = q.prev_real;
        return q.tok;
    }
    if (diag_error_count() > DIAG_MAX_ERRORS) {       /* too many errors: stop reading */
        lloc->file = ctx->lex.file;
        lloc->start = lloc->end = ctx->lex.offset;
        return TOK_YYEOF;
    }
    return aedl_lex(lval, lloc, ctx->scanner);
}

static int at_column_1(Loc loc) {
    int line, col;
    src_linecol(loc.file, loc.start, &line, &col);
    return col == 1;
}

static int in_parens(const LexState *s) {
    return s->depth > 0 && s->open[s->depth - 1].ch != '{';
}

/* Reads the token after a declaration keyword first on its line; returns 1
   when the pair starts a declaration (`model ae`, not `model = ae`).  Both
   tokens are queued, so the stream is unchanged. */
static int starts_decl(ParseCtx *ctx, int t, const YYSTYPE *v, Loc l) {
    struct Queued first;
    save(&first, t, v, l, &ctx->lex);
    YYSTYPE v2;
    Loc l2;
    int t2 = next_token(&v2, &l2, ctx);
    ctx->queue[ctx->nqueued++] = first;
    save(&ctx->queue[ctx->nqueued++], t2, &v2, l2, &ctx->lex);
    return t2 != '=';
}

static int yylex(YYSTYPE *lval, Loc *lloc, ParseCtx *ctx) {
    for (;;) {
        int queued = ctx->nqueued > 0;
        int t = next_token(lval, lloc, ctx);
        if (t == TOK_YYEOF) { ctx->skip_to_decl = 0; return t; }
        int decl_start = !queued && is_decl_keyword(t) && ctx->lex.first_on_line;
        if (ctx->skip_to_decl) {
            /* Top-level recovery: drop tokens up to a line that starts a declaration. */
            if (queued && is_decl_keyword(t) && ctx->lex.first_on_line &&
                ctx->nqueued > 0 && ctx->queue[0].tok != '=') {
                ctx->skip_to_decl = 0;
                return t;
            }
            /* A line that is not indented, outside any block, is a declaration
               too (a misspelled one): `quantiser q = ...`. */
            if (ctx->lex.first_on_line && ctx->lex.depth == 0 && t != '}' && !is_decl_keyword(t) &&
                at_column_1(*lloc))
                { ctx->skip_to_decl = 0; return t; }
            if (!decl_start) continue;
            if (!starts_decl(ctx, t, lval, *lloc)) { ctx->nqueued = 0; continue; }
            ctx->skip_to_decl = 0;
            continue;                                  /* now read from the queue */
        }
        if (decl_start && in_parens(&ctx->lex)) {
            /* `quantized_bits(8, 3` then `model m {` on the next line: the open
               bracket swallowed the newline.  Close it here and give the
               parser the newline, so that only the bad line is lost. */
            Loc before = ctx->lex.prev_real;
            if (starts_decl(ctx, t, lval, *lloc) && in_parens(&ctx->lex)) {
                LexState *s = &ctx->lex;
                s->unclosed = s->open[s->depth - 1];
                s->has_unclosed = 1;
                while (in_parens(s)) s->depth--;
                lloc->file = s->file;
                lloc->start = lloc->end = before.end;
                s->first_on_line = 0;
                s->prev_real = before;
                return TOK_NEWLINE;
            }
            continue;                                  /* `model = ...` inside (): read from the queue */
        }
        return t;
    }
}

/* ---- syntax errors ------------------------------------------------------------ */

/* How a token is named in a message: "identifier 'x'", "'('", "newline". */
static void describe(char *buf, size_t size, yysymbol_kind_t sym, Loc loc) {
    const SrcFile *f = src_file(loc.file);
    if ((sym == YYSYMBOL_IDENT || sym == YYSYMBOL_NUMBER) && f && loc.end <= f->len && loc.end > loc.start) {
        int n = (int)(loc.end - loc.start);
        if (n > 40) n = 40;
        snprintf(buf, size, "%s '%.*s%s'", sym == YYSYMBOL_IDENT ? "identifier" : "number",
                 n, f->text + loc.start, (int)(loc.end - loc.start) > n ? "..." : "");
    } else if (sym == YYSYMBOL_BOOL && f && loc.end <= f->len) {
        snprintf(buf, size, "'%.*s'", (int)(loc.end - loc.start), f->text + loc.start);
    } else {
        snprintf(buf, size, "%s", yysymbol_name(sym));
    }
}

static char closer_of(char open) { return open == '(' ? ')' : open == '[' ? ']' : '}'; }

static int yyreport_syntax_error(const yypcontext_t *pctx, ParseCtx *ctx) {
    LexState *s = &ctx->lex;
    if (s->too_deep) return 0;                    /* already reported */
    yysymbol_kind_t tok = yypcontext_token(pctx);
    Loc loc = *yypcontext_location(pctx);
    yysymbol_kind_t expected[YYNTOKENS];
    int n = yypcontext_expected_tokens(pctx, expected, YYNTOKENS);
    if (n < 0) n = 0;
    /* After a name, '(' and '<' could continue it (a call, a type); when the
       parser could also close or separate, those are what the user missed. */
    int closes = 0, lt_expected = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = yysymbol_name(expected[i]);
        if (strcmp(nm, "')'") == 0 || strcmp(nm, "','") == 0 || strcmp(nm, "']'") == 0) closes = 1;
        if (strcmp(nm, "'<'") == 0) lt_expected = 1;
    }
    if (closes) {
        int k = 0;
        for (int i = 0; i < n; i++) {
            const char *nm = yysymbol_name(expected[i]);
            if (strcmp(nm, "'('") != 0 && strcmp(nm, "'<'") != 0) expected[k++] = expected[i];
        }
        n = k;
    }

    /* The bracket that may be the cause: one closed by force by this token, or
       the innermost open one. */
    LexOpen opener = { 0, NOLOC };
    if (s->has_unclosed) opener = s->unclosed;
    else if (s->depth > 0) opener = s->open[s->depth - 1];
    int in_parens = s->depth > 0 && s->open[s->depth - 1].ch != '{';

    /* Where to point: after the previous token when the problem is at the end
       of a line (newline, end of file, or a line swallowed by an open bracket). */
    Loc at = loc;
    int line_end = tok == YYSYMBOL_NEWLINE || tok == YYSYMBOL_YYEOF || (in_parens && s->first_on_line);
    if (line_end && s->prev_real.file >= 0 && (s->prev_real.end > 0 || s->prev_real.start > 0))
        at = (Loc){ loc.file, s->prev_real.end, s->prev_real.end };
    if (tok == YYSYMBOL_YYEOF && s->last_real.file >= 0 && s->last_real.end > 0)
        at = (Loc){ loc.file, s->last_real.end, s->last_real.end };

    char what[96];
    describe(what, sizeof what, tok, loc);

    /* The closer that the innermost bracket wants, when the parser expects it. */
    const char *want = NULL;
    if (opener.loc.file >= 0 && (opener.ch != '{' || tok == YYSYMBOL_YYEOF)) {
        char c = closer_of(opener.ch);
        for (int i = 0; i < n; i++) {
            const char *nm = yysymbol_name(expected[i]);
            if (nm[0] == '\'' && nm[1] == c && nm[2] == '\'') want = nm;
        }
    }

    int top_level = 0;
    for (int i = 0; i < n; i++)
        if (expected[i] == YYSYMBOL_MODEL) top_level = 1;
    for (int i = 0; i < n; i++)
        if (expected[i] == YYSYMBOL_IDENT) top_level = 0;

    /* After a lexical error on this line, a syntax error is most likely its echo. */
    int quiet = 0;
    if (s->last_error.file == loc.file && s->last_error.file >= 0) {
        int l1, c1, l2, c2;
        src_linecol(loc.file, s->last_error.start, &l1, &c1);
        src_linecol(loc.file, at.start, &l2, &c2);
        quiet = l1 == l2;
    }

    if (quiet) {
        /* nothing */
    } else if (top_level && tok == YYSYMBOL_IDENT) {
        static const char *const decls[] = { "import", "quantizer", "pruning", "model", "data", "train", "target", "scan" };
        const SrcFile *f = src_file(loc.file);
        char word[64] = "";
        if (f && loc.end - loc.start < sizeof word) {
            memcpy(word, f->text + loc.start, loc.end - loc.start);
            word[loc.end - loc.start] = 0;
        }
        const char *close = suggest(word, decls, 8);
        if (close)
            diag_error(loc, "unknown declaration '%s'; did you mean '%s'?", word, close);
        else
            diag_error(loc, "unknown declaration '%s'; expected import, quantizer, pruning, model, data, train, target or scan", word);
    } else if (want && in_parens && s->first_on_line) {
        diag_error(at, "expected %s before %s", want, what);   /* a bracket left open */
    } else if (n >= 1 && n <= 4) {
        char list[256] = "";
        size_t len = 0;
        for (int i = 0; i < n; i++) {
            const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", sep, yysymbol_name(expected[i]));
            if (len >= sizeof list) break;
        }
        diag_error(at, "expected %s before %s", list, what);
    } else if (want && tok == YYSYMBOL_YYEOF) {
        diag_error(at, "expected %s before %s", want, what);
    } else {
        diag_error(at, "unexpected %s", what);
    }
    /* fixed<-2, ...>: the lexer saw the arrow. */
    if (!quiet && tok == YYSYMBOL_ARROW && lt_expected)
        diag_note_brief(loc, "'<-' is one token, the arrow of 'add sum <- a, b'; write '< -' for '<' and a minus sign");
    /* The note, when the bracket is really left open or closed by the wrong one. */
    if (!quiet && want) {
        int l1, c1, l2, c2;
        src_linecol(opener.loc.file, opener.loc.start, &l1, &c1);
        src_linecol(at.file, at.start, &l2, &c2);
        if (s->has_unclosed || l1 != l2 || tok == YYSYMBOL_YYEOF || (in_parens && s->first_on_line))
            diag_note(opener.loc, "to match this '%c'", opener.ch);
    }

    /* A line swallowed by an open bracket: close the brackets so that the
       recovery finds the end of this line. */
    if (in_parens && (s->first_on_line || tok == YYSYMBOL_YYEOF)) {
        while (s->depth > 0 && s->open[s->depth - 1].ch != '{') s->depth--;
    }
    return 0;
}

/* ---- entry point (passes.h) ----------------------------------------------------- */

AstFile *parse_source(int file_id) {
    const SrcFile *f = src_file(file_id);
    if (!f) ICE("parse_source: no such file");
    ParseCtx *ctx = calloc(1, sizeof *ctx);
    struct Queued *queue = calloc(4, sizeof *queue);
    if (!ctx || !queue) ICE("out of memory");
    ctx->queue = queue;
    ctx->lex.file = file_id;
    ctx->lex.at_line_start = 1;
    ctx->lex.last_real = ctx->lex.prev_real = ctx->lex.last_error = NOLOC;
    yyscan_t scanner;
    if (yylex_init_extra(&ctx->lex, &scanner) != 0) ICE("cannot create the lexer");
    ctx->scanner = scanner;
    YY_BUFFER_STATE buf = yy_scan_bytes(f->text, (int)f->len, scanner);
    yyparse(ctx);
    yy_delete_buffer(buf, scanner);
    yylex_destroy(scanner);

    AstFile *af = ARENA_NEW(AstFile);
    af->file = file_id;
    af->decls = ctx->decls;
    af->ndecls = ctx->ndecls;
    free(queue);
    free(ctx);
    return af;
}
