/* test_ast.c — the parser builds the AST exactly as ast.h documents it
 * (resolve.c relies on it): kinds, names, arguments, values, locations. */
#include <math.h>
#include <string.h>
#include "check.h"
#include "arena.h"
#include "passes.h"

static AstFile *parse(const char *text) {
    diag_reset();
    return parse_source(src_add("t.aedl", text, strlen(text)));
}

/* The source text of a location. */
static const char *text_of(Loc l) {
    static char buf[256];
    const SrcFile *f = src_file(l.file);
    if (!f || l.end < l.start || l.end > f->len || l.end - l.start >= sizeof buf) return "?";
    memcpy(buf, f->text + l.start, l.end - l.start);
    buf[l.end - l.start] = 0;
    return buf;
}

static void test_values(void) {
    AstFile *f = parse("data d {\n"
                       "  a = 3\n  b = -2\n  c = 0.5\n  e = 1e-5\n  g = 2.5e3\n"
                       "  s = \"x\\\"y\\\\z\"\n  t = true\n  u = false\n  v = standard\n"
                       "  w = [0:3]\n  x = [:3]\n  y = [1:]\n  z = []\n  l = [a, 1, \"s\",]\n"
                       "  ty = fixed<16, 7, rnd, sat>\n  ap = ap_int<8>\n"
                       "  train = hdf5(\"f.h5\", \"P\")\n  model = ae\n  signal sig = csv(\"s.csv\")\n"
                       "}");     /* no newline at the end */
    CHECK(diag_error_count() == 0 && f->ndecls == 1 && f->decls[0].kind == DECL_DATA,
          "ast/values parse", "%d errors, %d decls", diag_error_count(), f->ndecls);
    if (f->ndecls != 1 || f->decls[0].nstmts != 19) {
        CHECK(0, "ast/values count", "%d statements", f->ndecls ? f->decls[0].nstmts : -1);
        return;
    }
    AstStmt *s = f->decls[0].stmts;
    CHECK(s[0].kind == ST_ASSIGN && !strcmp(s[0].name.name, "a") && s[0].value->kind == EX_NUMBER &&
          s[0].value->is_int && s[0].value->ival == 3, "ast/int", "3");
    CHECK(s[1].value->is_int && s[1].value->ival == -2 && s[1].value->num == -2, "ast/negative int", "-2");
    CHECK(!s[2].value->is_int && s[2].value->num == 0.5, "ast/float", "0.5");
    CHECK(!s[3].value->is_int && fabs(s[3].value->num - 1e-5) < 1e-20, "ast/exponent", "1e-5");
    CHECK(!s[4].value->is_int && s[4].value->num == 2500, "ast/float exponent", "2.5e3");
    CHECK(s[5].value->kind == EX_STRING && !strcmp(s[5].value->text, "x\"y\\z"), "ast/string escapes",
          "got '%s'", s[5].value->text);
    CHECK(s[6].value->kind == EX_BOOL && s[6].value->bval && s[7].value->kind == EX_BOOL && !s[7].value->bval,
          "ast/booleans", "true/false");
    CHECK(s[8].value->kind == EX_IDENT && !strcmp(s[8].value->text, "standard"), "ast/identifier", "standard");
    AstExpr *w = s[9].value, *x = s[10].value, *y = s[11].value;
    CHECK(w->kind == EX_SLICE && w->has_lo && w->has_hi && w->lo == 0 && w->hi == 3 &&
          !strcmp(text_of(w->hi_loc), "3"), "ast/slice [0:3]", "lo/hi");
    CHECK(x->kind == EX_SLICE && !x->has_lo && x->has_hi && x->hi == 3, "ast/slice [:3]", "lo/hi");
    CHECK(y->kind == EX_SLICE && y->has_lo && !y->has_hi && y->lo == 1, "ast/slice [1:]", "lo/hi");
    CHECK(s[12].value->kind == EX_LIST && s[12].value->nitems == 0, "ast/empty list", "[]");
    AstExpr *l = s[13].value;
    CHECK(l->kind == EX_LIST && l->nitems == 3 && l->items[0]->kind == EX_IDENT && l->items[2]->kind == EX_STRING,
          "ast/list with trailing comma", "%d items", l->nitems);
    AstExpr *ty = s[14].value;
    CHECK(ty->kind == EX_TYPE && !strcmp(ty->text, "fixed") && ty->nitems == 4 && ty->items[0]->ival == 16 &&
          ty->items[2]->kind == EX_IDENT && !strcmp(ty->items[3]->text, "sat") &&
          !strcmp(text_of(ty->loc), "fixed<16, 7, rnd, sat>"), "ast/fixed type", "%s", text_of(ty->loc));
    CHECK(s[15].value->kind == EX_TYPE && !strcmp(s[15].value->text, "ap_int") && s[15].value->nitems == 1,
          "ast/ap_int", "ap_int<8>");
    AstExpr *call = s[16].value;
    CHECK(!strcmp(s[16].name.name, "train") && call->kind == EX_CALL && !strcmp(call->text, "hdf5") &&
          call->nargs == 2 && !call->args[0].name && !strcmp(call->args[1].value->text, "P"),
          "ast/keyword as key, call", "train = hdf5(...)");
    CHECK(!strcmp(s[17].name.name, "model") && !strcmp(s[17].value->text, "ae"), "ast/model as key", "model = ae");
    CHECK(s[18].kind == ST_SIGNAL && !strcmp(s[18].name.name, "sig") && s[18].value->kind == EX_CALL,
          "ast/signal", "signal sig = csv(...)");
}

static void test_model(void) {
    AstFile *f = parse("# a comment\n\nimport \"std/quantizers\"\n"
                       "quantizer qw = quantized_bits(8, 3,\n    symmetric=1)   # continued\n"
                       "model ae {\n\n"
                       "  input x[19, 3] : ap_fixed<16,7,AP_RND,AP_SAT>\n"
                       "  input side[4]\n"
                       "  prune = half\n"
                       "  dense enc1(32, weight=qw, bias=fixed<6,1>)\n"
                       "  relu\n"
                       "  relu r2()\n"
                       "  concat both <- enc1, side\n"
                       "  add(quant=qa) <- both, both\n"
                       "  output both, r2\n"
                       "}\n"
                       "train {\n  epochs = 3\n}\ntrain t2 {\n}\ntarget l1t {\n  precision = fixed<16,6>\n}\n");
    CHECK(diag_error_count() == 0 && f->ndecls == 6, "ast/model parses", "%d errors, %d decls",
          diag_error_count(), f->ndecls);
    if (f->ndecls != 6) return;
    AstDecl *d = f->decls;
    CHECK(d[0].kind == DECL_IMPORT && !strcmp(d[0].path, "std/quantizers") && d[0].import_file == -1 &&
          !strcmp(text_of(d[0].path_loc), "\"std/quantizers\""), "ast/import", "%s", text_of(d[0].path_loc));
    CHECK(d[1].kind == DECL_QUANTIZER && d[1].value->nargs == 3 && !strcmp(d[1].value->args[2].name, "symmetric") &&
          !strcmp(text_of(d[1].value->args[2].name_loc), "symmetric") && !strcmp(text_of(d[1].loc), "quantizer"),
          "ast/call across lines", "named argument");
    CHECK(d[2].kind == DECL_MODEL && !strcmp(d[2].name.name, "ae") && d[2].nstmts == 9, "ast/model statements",
          "%d", d[2].nstmts);
    if (d[2].nstmts != 9) return;
    AstStmt *s = d[2].stmts;
    CHECK(s[0].kind == ST_INPUT && !strcmp(s[0].name.name, "x") && s[0].ndims == 2 && s[0].dims[1]->ival == 3 &&
          s[0].value && s[0].value->kind == EX_TYPE && !strcmp(s[0].value->text, "ap_fixed") && s[0].value->nitems == 4,
          "ast/input with type", "x[19, 3]");
    CHECK(s[1].kind == ST_INPUT && s[1].ndims == 1 && !s[1].value, "ast/input without type", "side[4]");
    CHECK(s[2].kind == ST_ASSIGN && !strcmp(s[2].name.name, "prune"), "ast/model assignment", "prune = half");
    CHECK(s[3].kind == ST_LAYER && !strcmp(s[3].kind_name.name, "dense") && !strcmp(s[3].name.name, "enc1") &&
          s[3].has_parens && s[3].nargs == 3 && !s[3].args[0].name && s[3].args[0].value->ival == 32 &&
          !strcmp(s[3].args[1].name, "weight") && s[3].args[2].value->kind == EX_TYPE,
          "ast/dense", "args");
    CHECK(!strcmp(text_of(s[3].loc), "dense enc1(32, weight=qw, bias=fixed<6,1>)"), "ast/statement location",
          "'%s'", text_of(s[3].loc));
    CHECK(s[4].kind == ST_LAYER && !s[4].name.name && !s[4].has_parens && s[4].nargs == 0, "ast/bare layer", "relu");
    CHECK(s[5].kind == ST_LAYER && !strcmp(s[5].name.name, "r2") && s[5].has_parens && s[5].nargs == 0,
          "ast/empty parens", "relu r2()");
    CHECK(s[6].kind == ST_LAYER && s[6].ninputs == 2 && !strcmp(s[6].inputs[1].name, "side") &&
          !strcmp(text_of(s[6].inputs[1].loc), "side"), "ast/inputs", "concat both <- enc1, side");
    CHECK(s[7].kind == ST_LAYER && !s[7].name.name && s[7].has_parens && s[7].nargs == 1 && s[7].ninputs == 2,
          "ast/args and inputs", "add(quant=qa) <- both, both");
    CHECK(s[8].kind == ST_OUTPUT && s[8].ninputs == 2 && !strcmp(s[8].inputs[1].name, "r2"), "ast/output", "output");
    CHECK(d[3].kind == DECL_TRAIN && !d[3].name.name && d[3].nstmts == 1 && d[4].kind == DECL_TRAIN &&
          !strcmp(d[4].name.name, "t2") && d[4].nstmts == 0, "ast/train blocks", "named and unnamed");
    CHECK(d[5].kind == DECL_TARGET && d[5].stmts[0].value->kind == EX_TYPE, "ast/target", "precision type");
}

static void test_errors(void) {
    /* Several errors in one file are all reported; the good parts still parse. */
    AstFile *f = parse("quantizer a = quantized_bits(8 3)\n"
                       "model m {\n  dense x(3,\n  relu\n  dense y(4)\n}\n"
                       "data d {\n  seed 3\n  scale = standard\n}\n"
                       "quantizer b = quantized_bits(8, 3)\n");
    int n = diag_error_count();
    int model = 0, data = 0, b = 0;
    for (int i = 0; i < f->ndecls; i++) {
        if (f->decls[i].kind == DECL_MODEL) model = 1;   /* its statements from the bad one on are lost */
        if (f->decls[i].kind == DECL_DATA) data = f->decls[i].nstmts;
        if (f->decls[i].kind == DECL_QUANTIZER && !strcmp(f->decls[i].name.name, "b")) b = 1;
    }
    CHECK(n == 3, "ast/errors counted", "%d errors (want 3)", n);
    CHECK(model == 1 && data == 1 && b, "ast/errors recovered", "model %d, data %d stmts, b %d", model, data, b);
    diag_reset();
}

int main(void) {
    test_values();
    test_model();
    fflush(stdout);
    FILE *saved = stderr;
    FILE *null = fopen("/dev/null", "w");  /* the diagnostics themselves are golden-tested */
    if (null) stderr = null;
    test_errors();
    if (null) fclose(null);
    stderr = saved;
    arena_free_all();
    src_free_all();
    return check_exit();
}
