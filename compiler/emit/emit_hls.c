/* emit_hls.c — `aedlc FILE --emit hls`: the HLS project writer.  A pure
 * function of the finished IR and the firmware plan (the driver, main.c,
 * ran the passes and built the plan; without trained weights the plan holds
 * zero weights, docs/hls.md):
 *
 *   1. checks: io = stream is not supported yet; reuse factors follow
 *      hls4ml's rule; names usable in C++; stored widths;
 *   2. the files (emit_hls_fw.c writes the C++), tb_data from the emulator,
 *      build scripts, README.md, hls_config.json, the ap_fixed headers;
 *   3. the manifest DIR/hls/.aedlc-manifest: files written by an earlier
 *      run and not by this one are removed; no other file is touched.
 */
#define _XOPEN_SOURCE 700     /* readlink, open_memstream */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "emit_hls_int.h"
#include "home.h"
#include "prec_common.h"
#include "rng.h"
#include "util.h"

/* ---- the file writer -------------------------------------------------------------------------- */

FILE *hls_open(Hls *h, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->rel, sizeof h->rel, fmt, ap);
    va_end(ap);
    h->buf = NULL; h->len = 0;
    h->f = open_memstream(&h->buf, &h->len);
    if (!h->f) aedl_fatal("out of memory");
    return h->f;
}

static bool same_content(const char *path, const char *buf, size_t len) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    bool same = true;
    size_t k = 0;
    char chunk[8192];
    size_t n;
    while (same && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (k + n > len || memcmp(chunk, buf + k, n) != 0) same = false;
        k += n;
    }
    fclose(f);
    return same && k == len;
}

static void record(Hls *h, const char *rel) {
    if (h->nfiles == h->capfiles) {
        h->capfiles = h->capfiles ? 2 * h->capfiles : 64;
        h->files = xrealloc(h->files, sizeof *h->files * h->capfiles);
    }
    h->files[h->nfiles++] = xstrdup(rel);
}

static int write_file(Hls *h, const char *rel, const char *buf, size_t len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", h->root, rel);
    record(h, rel);
    if (same_content(path, buf, len)) return 0;      /* keep the time stamp: make stays quiet */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) { *slash = 0; if (aedl_mkdirs(dir) != 0) goto fail; }
    aedl_atomic a;
    if (aedl_atomic_open(&a, path, "wb") != 0) goto fail;
    if (fwrite(buf, 1, len, a.f) != len) { aedl_atomic_abort(&a); goto fail; }
    if (aedl_atomic_commit(&a) != 0) goto fail;
    return 0;
fail:
    fprintf(stderr, "aedlc: error: cannot write %s: %s\n", path, strerror(errno));
    h->errors++;
    return -1;
}

void hls_close(Hls *h) {
    if (fclose(h->f) != 0) aedl_fatal("out of memory");
    h->f = NULL;
    write_file(h, h->rel, h->buf, h->len);
    free(h->buf);
    h->buf = NULL;
}

/* ---- names and text ------------------------------------------------------------------------------------ */

const char *hls_ap(aedl_fixed t, char *buf, int n) {
    aedl_fixed_format_hls(buf, (size_t)n, t);
    return buf;
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

void hls_origin(const IrNode *n, char *buf, int len) {
    int line = n->line, col;
    if (line <= 0 && n->loc.file >= 0) src_linecol(n->loc.file, n->loc.start, &line, &col);
    snprintf(buf, (size_t)len, "%s:%d", base_name(n->file ? n->file : "?"), line);
}

void hls_stmt(const IrNode *n, char *buf, int len) {
    const SrcFile *f = n->loc.file >= 0 ? src_file(n->loc.file) : NULL;
    if (!f || n->loc.end <= n->loc.start || n->loc.end > f->len) {
        snprintf(buf, (size_t)len, "%s", ir_op_name(n->op));
        return;
    }
    int k = 0;
    bool space = false;
    for (uint32_t i = n->loc.start; i < n->loc.end && k + 4 < len; i++) {
        char c = f->text[i];
        if (c == '#') { while (i + 1 < n->loc.end && f->text[i + 1] != '\n') i++; space = true; continue; }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { space = true; continue; }
        if (space && k) buf[k++] = ' ';
        space = false;
        buf[k++] = c;
    }
    buf[k] = 0;
    /* "dense enc1(32, ...)" -> "dense(32, ...)": the name is printed first */
    if (n->op == OP_INPUT) return;
    size_t kl = strcspn(buf, " ("), nl = strlen(n->name);
    if (buf[kl] == ' ' && !strncmp(buf + kl + 1, n->name, nl)) {
        char c = buf[kl + 1 + nl];
        if (c == '(' || c == 0 || c == ' ') memmove(buf + kl, buf + kl + 1 + nl, strlen(buf + kl + 1 + nl) + 1);
    }
    for (char *p = buf; *p; p++) if (*p == '\\') *p = '/';   /* no line continuation in a // comment */
}

/* ---- checks ------------------------------------------------------------------------------------------------ */

bool hls_reuse_factor_valid(long n_in, long n_out, long rf) {
    if (rf < 1 || n_in < 1 || n_out < 1) return false;
    long mf = n_in < rf ? n_in : rf;
    long limit = (n_in * n_out + mf - 1) / mf;
    return ((limit % n_out) == 0 || rf >= n_in) && ((rf % n_in) == 0 || rf < n_in) && ((n_in * n_out) % rf) == 0;
}

static const char *const cxx_words[] = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
    "char", "class", "compl", "const", "constexpr", "const_cast", "continue", "decltype", "default", "delete",
    "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
    "friend", "goto", "if", "inline", "int", "long", "main", "mutable", "namespace", "new", "noexcept", "not",
    "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast",
    "struct", "switch", "template", "this", "throw", "true", "try", "typedef", "typeid", "typename", "union",
    "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "nnet", "std",
    "read_line", "x", "y", "input_t", "result_t"
};

static bool is_reserved(const char *s) {
    for (size_t i = 0; i < sizeof cxx_words / sizeof *cxx_words; i++)
        if (!strcmp(s, cxx_words[i])) return true;
    return false;
}

/* Every problem reported; returns the number. */
static int check_model(Hls *h) {
    int errs = 0;
    const IrTarget *t = h->t;
    if (t->io == IO_STREAM) {
        diag_error(t->loc, "io = stream is not supported yet by --emit hls; use io = parallel");
        errs++;
    }
    if (is_reserved(h->name)) {
        diag_error(h->m->loc, "model name '%s' cannot name the HLS top function (a C++ word or a name the project uses)",
                   h->name);
        errs++;
    }
    for (int i = 0; i < h->m->nnodes; i++) {
        const IrNode *n = h->m->nodes[i];
        if (n->op == OP_INPUT) continue;
        if (n->op == OP_DENSE && t->reuse_factor > 1) {
            long ni = ir_shape_size(&n->inputs[0]->shape), no = ir_shape_size(&n->shape);
            if (!hls_reuse_factor_valid(ni, no, t->reuse_factor)) {
                char list[1024] = "";
                size_t len = 0;
                int cnt = 0;
                for (long r = 1; r <= ni * no && len < sizeof list - 16; r++)
                    if (hls_reuse_factor_valid(ni, no, r))
                        len += (size_t)snprintf(list + len, sizeof list - len, "%s%ld", cnt++ ? ", " : "", r);
                diag_error(t->loc, "reuse_factor = %d is not valid for dense layer '%s' (%ld inputs, %ld outputs); "
                           "valid ones: %s", t->reuse_factor, n->name, ni, no, list);
                errs++;
            }
        }
    }
    return errs;
}

/* The plan's integers must print as exact doubles in weights/ and tb_data/. */
static int check_widths(Hls *h) {
    const aedl_fw_plan *p = h->plan;
    int errs = 0;
    if (p->in_t.width > 53) {
        fprintf(stderr, "aedlc: error: the input type has %d bits; --emit hls supports at most 53 yet\n", p->in_t.width);
        errs++;
    }
    for (int l = 0; l < p->nlayers; l++) {
        const aedl_fw_layer *a = &p->layers[l];
        if ((a->has_w && a->w_t.width > 53) || (a->has_b && a->b_t.width > 53)) {
            fprintf(stderr, "aedlc: error: layer '%s': weights wider than 53 bits are not supported by --emit hls yet\n",
                    a->name);
            errs++;
        }
    }
    for (int k = 0; k < p->noutputs; k++) {
        int l = p->outputs[k];
        aedl_fixed t = l < 0 ? p->in_t : p->layers[l].res_t;
        if (t.width > 53) {
            fprintf(stderr, "aedlc: error: output '%s' has %d bits; --emit hls supports at most 53 yet\n",
                    l < 0 ? "input" : p->layers[l].name, t.width);
            errs++;
        }
        aedl_fixed t0 = p->outputs[0] < 0 ? p->in_t : p->layers[p->outputs[0]].res_t;
        if (!aedl_fixed_same(t, t0)) {
            fprintf(stderr, "aedlc: error: the model's outputs have different types; --emit hls needs one result_t\n");
            errs++;
        }
    }
    return errs;
}

/* Stored types wider than 64 bits (conservative rules on long unquantized chains). */
static int check_stored_widths(Hls *h, const char *severity) {
    int errs = 0;
    for (int i = 0; i < h->m->nnodes; i++) {
        const IrNode *n = h->m->nodes[i];
        const IrPrecTypes *t = &n->prec->t;
        const struct { bool on; aedl_fixed ty; const char *slot; } s[] = {
            { t->has_weight, t->weight, hls_wslot(n) }, { t->has_bias, t->bias, hls_bslot(n) },
            { t->has_accum, t->accum, "accum" }, { t->has_quant, t->quant, "quant" }, { true, t->result, "result" } };
        for (int k = 0; k < 5; k++)
            if (s[k].on && s[k].ty.width > 64) {
                char b[96];
                fprintf(stderr, "aedlc: %s: layer '%s': its %s type %s has more than 64 bits; --emit hls supports "
                                "at most 64 (%s precision; bit_exact with trained weights or precision = fixed<...> "
                                "gives narrower types)\n", severity, n->name, s[k].slot,
                        prec_type_str(s[k].ty, b, sizeof b), hls_mode_name(n->prec->mode));
                errs++;
                break;
            }
    }
    return errs;
}

/* ---- checks that need no weights ---------------------------------------------------------------------------- */

static bool model_quantized(const IrModel *m) {
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        if ((n->op == OP_DENSE && (n->weight_q || n->bias_q)) || n->quant) return true;
    }
    return false;
}

static int too_wide_at(const IrNode *n, const char *slot, aedl_fixed t, int max, const char *why) {
    if (t.width <= max) return 0;
    char b[96];
    diag_error(n->loc, "layer '%s': its %s type %s has %d bits; --emit hls supports at most %d (%s)", n->name, slot,
               prec_type_str(t, b, sizeof b), t.width, max, why);
    return 1;
}

int emit_hls_check(const IrModel *m, const IrTarget *target, bool hls_now) {
    if (!hls_now && !target && !model_quantized(m)) return 0;
    target = prec_target(target);
    Hls H = {0};
    H.m = (IrModel *)m;
    H.t = target;
    H.name = m->name;
    int errs = check_model(&H);
    if (target->output == TARGET_OUT_SCORE) {   /* the score: the one output against the input */
        long nin = 0;
        for (int i = 0; i < m->nnodes; i++)
            if (m->nodes[i]->op == OP_INPUT) nin = (long)ir_shape_size(&m->nodes[i]->shape);
        if (m->noutputs != 1) {
            diag_error(target->output_loc, "output = score needs a model with one output (model '%s' has %d)",
                       m->name, m->noutputs);
            errs++;
        } else if ((long)ir_shape_size(&m->outputs[0]->shape) != nin) {
            diag_error(target->output_loc, "output = score needs the model's output '%s' to have the input's size "
                       "(%ld), not %ld", m->outputs[0]->name, nin, (long)ir_shape_size(&m->outputs[0]->shape));
            errs++;
        }
    }
    static const char dbl[] = "weights/ and tb_data/ hold the values as exact doubles";
    for (int i = 0; i < m->nnodes; i++) {
        const IrNode *n = m->nodes[i];
        const IrPrec *p = n->prec;
        if (!p) continue;
        if (n->op == OP_INPUT) {
            if (p->t.result.width > 53) {
                char b[96];
                diag_error(n->loc, "the input type %s has %d bits; --emit hls supports at most 53 (%s)",
                           prec_type_str(p->t.result, b, sizeof b), p->t.result.width, dbl);
                errs++;
            }
            continue;
        }
        /* the model's own types: trained values are rounded to them, so they bound the firmware's */
        if (n->op == OP_DENSE) {
            if (p->q.has_weight) errs += too_wide_at(n, n->weight_q ? "weight quantizer" : "float weight", p->q.weight, 53, dbl);
            if (p->q.has_bias && n->use_bias) errs += too_wide_at(n, n->bias_q ? "bias quantizer" : "float bias", p->q.bias, 53, dbl);
        }
        if (p->mode == PREC_BIT_EXACT) continue;   /* the rest depends on the trained weights */
        /* conservative and fixed<...>: these are the firmware's types, whatever the weights */
        const IrPrecTypes *t = &p->t;
        const char *why = p->mode == PREC_CONSERVATIVE
            ? "precision = conservative: the weights do not change it; bit_exact finds narrower types from the trained weights"
            : "precision = fixed<...>: the weights do not change it";
        int e = 0;
        if (t->has_accum) e = too_wide_at(n, "accum", t->accum, 64, why);
        if (!e && t->has_quant) e = too_wide_at(n, "quant", t->quant, 64, why);
        if (!e) e = too_wide_at(n, "result", t->result, 64, why);
        errs += e;
    }
    for (int k = 0; k < m->noutputs; k++) {
        const IrNode *n = m->outputs[k];
        if (n->prec && n->prec->mode != PREC_BIT_EXACT && n->prec->t.result.width <= 64)
            errs += too_wide_at(n, "output", n->prec->t.result, 53, dbl);
    }
    return errs;
}

/* ---- the layers table ---------------------------------------------------------------------------------------- */

static void build_nodes(Hls *h) {
    IrModel *m = h->m;
    h->N = xcalloc(m->nnodes ? m->nnodes : 1, sizeof *h->N);
    bool hw = hls_hw_input(h) != NULL;
    bool *used = xcalloc(m->nnodes ? m->nnodes : 1, sizeof *used);
    const aedl_fw_layer *sc = hls_score(h);
    plan_used_nodes(m, h->t, sc && sc->op == FW_MU2 ? LOSS_MU2 : LOSS_MSE, used);
    int l = hw;   /* plan layer 0: the hardware inputs' scaling, x -> x_model */
    for (int i = 0; i < m->nnodes; i++) {
        IrNode *n = m->nodes[i];
        HlsNode *hn = &h->N[n->id];
        hn->n = n;
        hn->pl = -1;
        hn->size = (int)ir_shape_size(&n->shape);
        if (n->op == OP_INPUT) {
            snprintf(hn->arr, sizeof hn->arr, hw ? "x_model" : "x");
            snprintf(hn->type, sizeof hn->type, hw ? "model_input_t" : "input_t");
        } else if (!used[n->id]) {
            hn->unused = true;   /* not in the firmware: its outputs do not depend on it */
            snprintf(hn->arr, sizeof hn->arr, "%s_out", n->name);
            hls_tname(n, "result", hn->type, sizeof hn->type);
        } else if (ir_op_is(n->op, IR_K_TRAIN_ONLY) || n->prec->folded_away) {
            const HlsNode *s = &h->N[n->inputs[0]->id];
            hn->same_as = s->same_as ? s->same_as : n->inputs[0];
            memcpy(hn->arr, s->arr, sizeof hn->arr);
            memcpy(hn->type, s->type, sizeof hn->type);
        } else {
            hn->pl = l++;
            snprintf(hn->arr, sizeof hn->arr, "%s_out", n->name);
            hls_tname(n, "result", hn->type, sizeof hn->type);
        }
    }
    free(used);
    /* one output, computed by a layer no other layer reads: written straight into y
       (unless y holds the score) */
    if (m->noutputs == 1 && !hls_score(h)) {
        const IrNode *o = m->outputs[0];
        HlsNode *hn = &h->N[o->id];
        if (hn->pl >= 0) {
            bool read = false;
            for (int i = 0; i < m->nnodes; i++)
                for (int k = 0; k < m->nodes[i]->ninputs; k++)
                    if (!strcmp(h->N[m->nodes[i]->inputs[k]->id].arr, hn->arr)) read = true;
            if (!read) snprintf(hn->arr, sizeof hn->arr, "y");
        }
    }
}

/* ---- tb_data ------------------------------------------------------------------------------------------------- */

static void write_tb_data(Hls *h, int nev) {
    aedl_fw_plan *p = h->plan;
    int d = p->d_in, o = p->d_out;
    int64_t *in = aedl_fw_test_inputs(p, nev);
    double *out = xmalloc(sizeof(double) * (size_t)nev * o);
    aedl_fw_run_from_mantissa(p, in, out, nev);
    char num[128];
    int ein = aedl_fw_exp(p->in_t);
    FILE *f = hls_open(h, "tb_data/tb_input_features.dat");
    for (int e = 0; e < nev; e++)
        for (int i = 0; i < d; i++)
            fprintf(f, "%s%c", aedl_fixed_decimal(in[(size_t)e * d + i], ein, num, sizeof num), i + 1 < d ? ' ' : '\n');
    hls_close(h);
    /* output column types */
    int *cexp = xmalloc(sizeof(int) * (size_t)o);
    for (int k = 0, c = 0; k < p->noutputs; k++) {
        int l = p->outputs[k];
        aedl_fixed t = l < 0 ? p->in_t : p->layers[l].res_t;
        int n = l < 0 ? p->d_in : p->layers[l].n_out;
        for (int j = 0; j < n; j++) cexp[c++] = aedl_fw_exp(t);
    }
    f = hls_open(h, "tb_data/tb_output_predictions.dat");
    for (int e = 0; e < nev; e++)
        for (int j = 0; j < o; j++) {
            double v = out[(size_t)e * o + j];
            int64_t m = (int64_t)ldexp(v, -cexp[j]);
            fprintf(f, "%s%c", aedl_fixed_decimal(m, cexp[j], num, sizeof num), j + 1 < o ? ' ' : '\n');
        }
    hls_close(h);
    free(cexp); free(in); free(out);
}

/* ---- build scripts, README, JSON --------------------------------------------------------------------------- */

static void write_makefile(Hls *h) {
    const char *n = h->name;
    FILE *o = hls_open(h, "Makefile");
    fprintf(o,
"# Makefile -- C simulation of %s without any vendor tool (generated by aedlc).\n"
"#\n"
"#   make csim        build %s_csim with g++ and run it on tb_data/ (prints how\n"
"#                    many events matched the expected outputs bit for bit)\n"
"#   make WERROR=1    the same with -Werror\n"
"#\n"
"# The vendor's ap_fixed.h comes first when $XILINX_HLS (Vitis HLS) or\n"
"# $XILINX_VIVADO (Vivado HLS) points at an installation; aedlc's copy in\n"
"# firmware/ap_types otherwise.  Synthesis: see README.md.  -O0 compiles\n"
"# fastest (under 1 s of CPU for a 57-32-16-3 autoencoder, -O1 about 10%% more);\n"
"# C simulation then runs at several thousand events/s (-O1: faster).\n"
"# The testbench and the firmware compile in parallel.\n"
"CXX      ?= g++\n"
"OPT      ?= -O0\n"
"JOBS     ?= $(shell nproc 2>/dev/null || echo 2)\n"
"VENDOR   := $(firstword $(foreach d,$(XILINX_HLS) $(XILINX_VIVADO),$(wildcard $(d)/include/ap_fixed.h)))\n"
"INCLUDES := $(if $(VENDOR),-I$(dir $(VENDOR))) -Ifirmware/ap_types\n"
"FLAGS    := -std=c++14 $(OPT) -Wall -Wextra -Wno-unknown-pragmas $(if $(WERROR),-Werror)\n"
"HEADERS  := $(wildcard firmware/*.h firmware/*/*.h)\n"
"OBJECTS  := obj/%s_test.o obj/%s.o\n"
"\n"
"ifeq ($(filter -j%%,$(MAKEFLAGS))$(filter clean,$(MAKECMDGOALS)),)\n"
"MAKEFLAGS += -j$(JOBS)\n"
"endif\n"
"\n"
"csim: %s_csim\n"
"\t./%s_csim\n"
"\n"
"%s_csim: $(OBJECTS)\n"
"\t$(CXX) $(OBJECTS) -o $@\n"
"\n"
"obj/%s_test.o: %s_test.cpp $(HEADERS)\n"
"\t@mkdir -p obj\n"
"\t$(CXX) $(FLAGS) $(INCLUDES) -c $< -o $@\n"
"\n"
"obj/%s.o: firmware/%s.cpp $(HEADERS)\n"
"\t@mkdir -p obj\n"
"\t$(CXX) $(FLAGS) $(INCLUDES) -c $< -o $@\n"
"\n"
"clean:\n"
"\trm -rf %s_csim obj tb_data/csim_results.log\n"
"\n"
".PHONY: csim clean\n", n, n, n, n, n, n, n, n, n, n, n, n);
    hls_close(h);
}

static void write_tcl(Hls *h) {
    const char *n = h->name;
    const IrTarget *t = h->t;
    bool vitis = t->backend == BACKEND_VITIS;
    FILE *o = hls_open(h, "build_prj.tcl");
    fprintf(o, "# build_prj.tcl -- C simulation, synthesis, co-simulation and export of %s\n", n);
    if (vitis)
        fprintf(o, "# with Vitis HLS (generated by aedlc; backend = vitis):\n"
                   "#   vitis-run --mode hls --tcl build_prj.tcl      (Vitis 2024.2 and later)\n"
                   "#   vitis_hls -f build_prj.tcl                    (earlier versions)\n");
    else
        fprintf(o, "# with Vivado HLS (generated by aedlc; backend = vivado):\n"
                   "#   vivado_hls -f build_prj.tcl\n");
    fprintf(o, "# Steps are chosen as with hls4ml: -tclargs \"reset=1 csim=1 synth=1 cosim=0 export=1 vsynth=1\".\n\n");
    fprintf(o, "array set opt {\n    reset  0\n    csim   1\n    synth  1\n    cosim  1\n    export 0\n    vsynth 0\n}\n");
    fprintf(o, "foreach arg $::argv {\n    foreach o [lsort [array names opt]] {\n"
               "        regexp \"$o=+(\\\\w+)\" $arg unused opt($o)\n    }\n}\n\n");
    fprintf(o, "set project_name \"%s\"\nset part \"%s\"\nset clock_period %g\n\n", n, t->part, t->clock_period);
    fprintf(o, "if {$opt(reset)} {\n    open_project -reset %s_prj\n} else {\n    open_project %s_prj\n}\n"
               "set_top %s\n", n, n, n);
    fprintf(o, "add_files firmware/%s.cpp -cflags \"-std=c++0x\"\n", n);
    fprintf(o, "add_files -tb %s_test.cpp -cflags \"-std=c++0x\"\nadd_files -tb tb_data\n", n);
    if (vitis) fprintf(o, "open_solution -reset \"solution1\" -flow_target vivado\n");
    else fprintf(o, "open_solution -reset \"solution1\"\ncatch {config_array_partition -maximum_size 4096}\n");
    fprintf(o, "config_compile -name_max_length 80\n");
    fprintf(o, "set_part $part\ncreate_clock -period $clock_period -name default\nset_clock_uncertainty 12.5%%\n\n");
    fprintf(o, "if {$opt(csim)} {\n    puts \"***** C SIMULATION *****\"\n    csim_design\n}\n"
               "if {$opt(synth)} {\n    puts \"***** C/RTL SYNTHESIS *****\"\n    csynth_design\n}\n"
               "if {$opt(cosim)} {\n    puts \"***** C/RTL CO-SIMULATION *****\"\n    cosim_design -trace_level all\n}\n"
               "if {$opt(export)} {\n    puts \"***** EXPORT IP *****\"\n    export_design -format ip_catalog\n}\n"
               "if {$opt(vsynth)} {\n    puts \"***** VIVADO SYNTHESIS *****\"\n"
               "    exec vivado -mode batch -source vivado_synth.tcl >@ stdout\n}\nexit\n");
    hls_close(h);

    o = hls_open(h, "vivado_synth.tcl");
    fprintf(o, "# vivado_synth.tcl -- logic synthesis of %s's exported RTL with Vivado\n"
               "# (run by build_prj.tcl with vsynth=1, or: vivado -mode batch -source vivado_synth.tcl).\n", n);
    fprintf(o, "set project_name \"%s\"\nset part \"%s\"\n", n, t->part);
    fprintf(o, "add_files %s_prj/solution1/syn/verilog\n", n);
    fprintf(o, "synth_design -top ${project_name} -part $part\n");
    fprintf(o, "report_utilization -file vivado_synth.rpt\nreport_timing_summary -file vivado_timing.rpt\n");
    hls_close(h);
}

static void write_readme(Hls *h) {
    const char *n = h->name;
    const IrTarget *t = h->t;
    FILE *o = hls_open(h, "README.md");
    fprintf(o, "# %s: HLS project generated by aedlc\n\n", n);
    fprintf(o, "From `%s`, target `%s`: part `%s`, clock %g ns, io_parallel, %s strategy, reuse factor %d, "
               "precision %s.\n\n", h->src_file, t->name ? t->name : "(default)", t->part, t->clock_period,
            t->strategy == STRATEGY_RESOURCE ? "resource" : "latency", t->reuse_factor, hls_mode_name(t->precision));
    if (h->zero_weights)
        fprintf(o, "**No trained weights**: this project was written without `--weights`, so every dense weight is 0 "
                   "and the types are the conservative ones.  `aedlc run` writes it again after training, with the "
                   "trained weights and the exact types.\n\n");
    fprintf(o, "## C simulation (no vendor tool)\n\n    make csim\n\n"
               "builds `%s_csim` with g++ and runs it on `tb_data/`: it prints how many test events matched the "
               "expected outputs (computed by aedlc's firmware emulator) bit for bit, and writes the outputs to "
               "`tb_data/csim_results.log`.  With `$XILINX_HLS` or `$XILINX_VIVADO` set, the vendor's `ap_fixed.h` "
               "is used; otherwise the copy in `firmware/ap_types/`.\n\n", n);
    fprintf(o, "## Synthesis\n\n");
    fprintf(o, "Vitis HLS:\n\n    vitis-run --mode hls --tcl build_prj.tcl     # Vitis 2024.2 and later\n"
               "    vitis_hls -f build_prj.tcl                   # earlier versions\n\n");
    fprintf(o, "Vivado HLS:\n\n    vivado_hls -f build_prj.tcl\n\n");
    fprintf(o, "`build_prj.tcl` is written for the target's backend (`%s`); the steps are chosen as with hls4ml: "
               "`-tclargs \"csim=1 synth=1 cosim=0 export=1 vsynth=1\"`.  `vivado_synth.tcl` runs Vivado logic "
               "synthesis on the exported RTL.\n\n", t->backend == BACKEND_VITIS ? "vitis" : "vivado");
    fprintf(o, "## Files\n\n"
               "- `firmware/%s.cpp`, `%s.h`: the top function `void %s(input_t x[%d], result_t y[%d])`, one block "
               "per layer of the .aedl file.\n"
               "- `firmware/defines.h`: one typedef per layer and slot (`enc1_accum_t`...), each with the reason of "
               "its width.\n"
               "- `firmware/parameters.h`: one configuration per layer (sizes, strategy, reuse factor, types).\n"
               "- `firmware/weights/`: weights and biases as exact values of their types (0: pruned).\n"
               "- `firmware/nnet/nnet_dense.h`: the dense kernel `nnet::dense`, which reads the weights of "
               "`firmware/weights/` (edit one and the design changes).\n"
               "- `firmware/nnet/nnet_layers.h`: the element-wise layers.\n"
               "- `firmware/ap_types/`: aedlc's `ap_fixed.h` / `ap_int.h` for C simulation without a vendor tool.\n"
               "- `%s_test.cpp`, `tb_data/`: the testbench and its events.\n"
               "- `hls_config.json`: the whole configuration.\n", n, n, n, h->d_in, h->d_out, n);
    hls_close(h);
}

static void json_str(FILE *o, const char *s) {
    fputc('"', o);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(o, "\\%c", c);
        else if (c < 0x20) fprintf(o, "\\u%04x", c);
        else fputc(c, o);
    }
    fputc('"', o);
}

static void json_type(FILE *o, const char *key, aedl_fixed t, const char *name) {
    char ap[128];
    fprintf(o, "\"%s\": {\"name\": ", key);
    json_str(o, name);
    fprintf(o, ", \"type\": ");
    json_str(o, hls_ap(t, ap, sizeof ap));
    fprintf(o, "}");
}

static void write_json(Hls *h) {
    const IrTarget *t = h->t;
    FILE *o = hls_open(h, "hls_config.json");
    char ap[128], buf[600];
    fprintf(o, "{\n  \"generator\": \"aedlc %s\",\n  \"model\": ", AEDL_VERSION);
    json_str(o, h->name);
    fprintf(o, ",\n  \"source\": ");
    json_str(o, h->src_file);
    fprintf(o, ",\n  \"weights\": ");
    if (h->weights) json_str(o, base_name(h->weights)); else fprintf(o, "null");
    fprintf(o, ",\n  \"target\": {\"name\": ");
    json_str(o, t->name ? t->name : "default");
    fprintf(o, ", \"backend\": \"%s\", \"part\": ", t->backend == BACKEND_VITIS ? "vitis" : "vivado");
    json_str(o, t->part);
    fprintf(o, ", \"clock_period\": %g, \"io\": \"io_parallel\", \"strategy\": \"%s\", \"reuse_factor\": %d, "
               "\"precision\": \"%s\"},\n", t->clock_period, t->strategy == STRATEGY_RESOURCE ? "resource" : "latency",
            t->reuse_factor, hls_mode_name(t->precision));
    fprintf(o, "  \"input\": {\"size\": %d, \"type\": ", h->d_in);
    json_str(o, hls_ap(h->plan->in_t, ap, sizeof ap));
    const aedl_fw_layer *sc = hls_score(h);
    if (sc) {
        char t1[96], t2[96];
        fprintf(o, "},\n  \"output\": {\"size\": %d, \"is\": \"%s\", \"type\": \"%s\", \"score_t\": \"%s\"},\n  \"layers\": [",
                h->d_out, sc->op == FW_MASKED_SCORE ? "masked_score_sum_and_count" : sc->op == FW_MU2 ? "mu2" : "score",
                hls_ap(sc->res_t, t1, sizeof t1),
                hls_ap(sc->acc_t, t2, sizeof t2));
    } else
        fprintf(o, "},\n  \"output\": {\"size\": %d},\n  \"layers\": [", h->d_out);
    int first = 1;
    for (int i = 0; i < h->m->nnodes; i++) {
        const IrNode *n = h->m->nodes[i];
        if (n->op == OP_INPUT) continue;
        const aedl_fw_layer *a = hls_layer(h, n);
        fprintf(o, "%s\n    {\"name\": ", first ? "" : ",");
        first = 0;
        json_str(o, n->name);
        fprintf(o, ", \"op\": \"%s\", \"source\": ", ir_op_name(n->op));
        hls_origin(n, buf, sizeof buf);
        json_str(o, buf);
        fprintf(o, ", \"statement\": ");
        hls_stmt(n, buf, sizeof buf);
        json_str(o, buf);
        fprintf(o, ", \"inputs\": [");
        for (int k = 0; k < n->ninputs; k++) { if (k) fprintf(o, ", "); json_str(o, n->inputs[k]->name); }
        fprintf(o, "]");
        if (!a && h->N[n->id].unused) {
            fprintf(o, ", \"in_firmware\": false}");
            continue;
        }
        if (!a) {
            fprintf(o, ", \"identity\": true, \"same_as\": ");
            json_str(o, h->N[n->id].same_as->name);
            fprintf(o, "}");
            continue;
        }
        fprintf(o, ", \"n_in\": %d, \"n_out\": %d, \"guaranteed\": %s", a->n_in, a->n_out, a->guaranteed ? "true" : "false");
        if (n->op == OP_DENSE) {
            long total = (long)a->n_in * a->n_out, nz = 0, sh = 0;
            for (long k = 0; k < total; k++) if (a->w[k]) { nz++; sh += hls_pow2(a->w[k]) >= 0; }
            fprintf(o, ", \"nonzero\": %ld, \"shifts\": %ld, \"multipliers\": %ld, \"folded_batchnorm\": %s",
                    nz, sh, nz - sh, n->prec->folded_bn ? "true" : "false");
        }
        fprintf(o, ", \"types\": {");
        char nm[160];
        int c = 0;
        if (a->has_w) { hls_tname(n, hls_wslot(n), nm, sizeof nm); json_type(o, hls_wslot(n), a->w_t, nm); c++; }
        if (a->has_b) { if (c++) fprintf(o, ", "); hls_tname(n, hls_bslot(n), nm, sizeof nm); json_type(o, hls_bslot(n), a->b_t, nm); }
        if (n->prec->t.has_accum) { if (c++) fprintf(o, ", "); hls_tname(n, "accum", nm, sizeof nm); json_type(o, "accum", a->acc_t, nm); }
        if (a->has_quant) { if (c++) fprintf(o, ", "); hls_tname(n, "quant", nm, sizeof nm); json_type(o, "quant", a->q_t, nm); }
        if (c++) fprintf(o, ", ");
        hls_tname(n, "result", nm, sizeof nm);
        json_type(o, "result", a->res_t, nm);
        fprintf(o, "}}");
    }
    fprintf(o, "\n  ]\n}\n");
    hls_close(h);
}

/* ---- the ap_fixed headers ------------------------------------------------------------------------------------- */


/* $AEDL_HLS_INCLUDE, else the runtime's hls/ folder beside aedlc (home.h). */
static char *find_ap_dir(void) {
    const char *env = getenv("AEDL_HLS_INCLUDE");
    if (env && *env) return xstrdup(env);
    return aedl_home_find(NULL, "lib/hls", "lib/hls", "ap_fixed.h");
}

static void copy_ap_headers(Hls *h, const char *dir) {
    static const char *const names[] = { "ap_fixed.h", "ap_int.h" };
    for (int i = 0; i < 2; i++) {
        char src[4200];
        snprintf(src, sizeof src, "%s/%s", dir, names[i]);
        FILE *f = fopen(src, "rb");
        if (!f) { fprintf(stderr, "aedlc: error: cannot read %s: %s\n", src, strerror(errno)); h->errors++; continue; }
        FILE *o = hls_open(h, "firmware/ap_types/%s", names[i]);
        char chunk[8192];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, k, o);
        fclose(f);
        hls_close(h);
    }
}

/* ---- the manifest ------------------------------------------------------------------------------------------------ */

static const char manifest_name[] = ".aedlc-manifest";

static bool safe_rel(const char *s) {
    if (!*s || s[0] == '/' || strstr(s, "..") || !strcmp(s, manifest_name)) return false;
    return true;
}

/* Removes the files an earlier run wrote and this one did not, then writes the new list. */
static void update_manifest(Hls *h) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", h->root, manifest_name);
    FILE *f = fopen(path, "r");
    if (f) {
        char line[1024];
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n")] = 0;
            if (line[0] == '#' || !safe_rel(line)) continue;
            bool keep = false;
            for (int i = 0; i < h->nfiles && !keep; i++) keep = !strcmp(h->files[i], line);
            if (keep) continue;
            char old[4200];
            snprintf(old, sizeof old, "%s/%s", h->root, line);
            if (unlink(old) != 0 && errno != ENOENT)
                fprintf(stderr, "aedlc: warning: cannot remove the stale %s: %s\n", old, strerror(errno));
            /* and its folder, when that is now empty */
            char *slash = strrchr(old, '/');
            if (slash && slash > old + strlen(h->root)) { *slash = 0; rmdir(old); }
        }
        fclose(f);
    }
    aedl_atomic a;
    if (aedl_atomic_open(&a, path, "w") != 0) {
        fprintf(stderr, "aedlc: error: cannot write %s: %s\n", path, strerror(errno));
        h->errors++;
        return;
    }
    fprintf(a.f, "# Files aedlc wrote here; the next aedlc run replaces them and removes the ones\n"
                 "# it no longer writes.  Files not listed are never touched.\n");
    for (int i = 0; i < h->nfiles; i++) fprintf(a.f, "%s\n", h->files[i]);
    if (aedl_atomic_commit(&a) != 0) {
        fprintf(stderr, "aedlc: error: cannot write %s: %s\n", path, strerror(errno));
        h->errors++;
    }
}

/* ---- the run ------------------------------------------------------------------------------------------------------ */

int emit_hls(const IrProgram *prog, IrModel *m, const IrTarget *target, const EmitHlsOptions *opt) {
    Hls H = {0}, *h = &H;
    h->m = m;
    h->t = prec_target(target);
    h->name = m->name;
    h->src_file = base_name(prog && prog->main_file ? prog->main_file : (m->nnodes && m->nodes[0]->file ? m->nodes[0]->file : "?"));
    h->weights = opt->weights;
    h->zero_weights = opt->zero_weights;
    int rc = -1;
    char root[4200];
    snprintf(root, sizeof root, "%s/hls", opt->outdir);
    h->root = root;

    if (check_model(h)) return -1;
    if (h->zero_weights && check_stored_widths(h, opt->weights_later ? "warning" : "error")) {
        /* bit_exact without weights: the trained weights give narrower types.  With --emit train
           too, the flow writes hls/ after training (or says why it cannot): a warning, so that
           the training program is still written; otherwise an error */
        if (opt->weights_later) {
            fprintf(stderr, "aedlc: warning: %s not written now: without trained weights the conservative types are "
                            "too wide; aedlc run writes it after training, with the trained weights' "
                            "bit_exact types\n", root);
            rc = 0;
        } else {
            fprintf(stderr, "aedlc: error: %s not written: without trained weights the conservative types are too wide; "
                            "give the trained weights (--weights FILE.h5), or train with aedlc run (it writes %s "
                            "after training)\n", root, root);
        }
        goto out;
    }
    if (check_stored_widths(h, "error")) goto out;
    h->plan = opt->plan;
    if (!h->plan) { fprintf(stderr, "aedlc: error: %s\n", opt->plan_err ? opt->plan_err : "no firmware plan"); goto out; }
    h->d_in = h->plan->d_in;
    h->d_out = h->plan->d_out;
    if (check_widths(h)) goto out;
    build_nodes(h);

    char *ap_dir = opt->ap_dir ? xstrdup(opt->ap_dir) : find_ap_dir();
    if (!ap_dir) {
        fprintf(stderr, "aedlc: error: cannot find ap_fixed.h for the HLS project (looked next to aedlc in "
                        "../share/aedl/lib/hls and ../lib/hls; set AEDL_HLS_INCLUDE=DIR)\n");
        goto out;
    }
    if (aedl_mkdirs(root) != 0) {
        fprintf(stderr, "aedlc: error: cannot create %s: %s\n", root, strerror(errno));
        free(ap_dir);
        goto out;
    }
    hls_write_firmware(h);
    hls_write_testbench(h);
    copy_ap_headers(h, ap_dir);
    free(ap_dir);
    write_tb_data(h, opt->tb_events > 0 ? opt->tb_events : 200);
    write_makefile(h);
    write_tcl(h);
    write_readme(h);
    write_json(h);
    if (!h->errors) update_manifest(h);
    if (h->zero_weights && !opt->quiet)
        fprintf(stderr, "aedlc: note: no --weights: %s holds zero weights and the conservative types; aedlc run "
                        "writes it again after training, with the trained weights\n", root);
    rc = h->errors ? -1 : 0;
out:
    for (int i = 0; i < h->nfiles; i++) free(h->files[i]);
    free(h->files);
    free(h->N);
    return rc;
}
