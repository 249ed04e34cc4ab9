/* emit_hls_int.h — what the parts of the HLS emitter share: the project
 * being written (one Hls per run), the firmware layers in .aedl order, and
 * the file writer (each file built in memory, written atomically only when
 * its text changed, and recorded for the manifest).
 *
 *   emit_hls.c      checks, manifest, tb_data, build scripts, README,
 *                   hls_config.json
 *   emit_hls_fw.c   the C++: top function, defines.h, parameters.h, weights/,
 *                   nnet/, the testbench
 */
#ifndef AEDL_EMIT_HLS_INT_H
#define AEDL_EMIT_HLS_INT_H
#include <stdbool.h>
#include <stdio.h>
#include "emit_hls.h"
#include "emu.h"
#include "precision.h"

/* One node of the model as the firmware sees it. */
typedef struct {
    const IrNode *n;
    int pl;                  /* its plan layer, or -1 (the input, dropout, a folded batchnorm) */
    const IrNode *same_as;   /* -1 cases but the input: the node whose output this is */
    bool unused;             /* not in the firmware (a VAE's decoder when the score is mu2) */
    char arr[96];            /* the C++ array holding its output: "x", "enc1_out", "y" */
    char type[96];           /* that array's element type: "input_t", "enc1_result_t" */
    int size;
} HlsNode;

typedef struct {
    IrModel *m;
    const IrTarget *t;
    aedl_fw_plan *plan;
    HlsNode *N;              /* by node id */
    const char *name;        /* the model's name: top function, file names */
    const char *root;        /* DIR/hls */
    const char *src_file;    /* the .aedl file (for comments and the JSON) */
    const char *weights;     /* --weights, or NULL (zero weights) */
    bool zero_weights;
    int d_in, d_out;
    /* files written this run (relative to root), for the manifest */
    char **files; int nfiles, capfiles;
    /* the file being built */
    FILE *f; char *buf; size_t len; char rel[512];
    int errors;
} Hls;

/* Starts the file ROOT/rel (printf-style); returns the stream to write to. */
FILE *hls_open(Hls *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends it: written (atomically, parent folders made) unless it holds that text already. */
void hls_close(Hls *h);

/* ---- names and text ------------------------------------------------------------------ */
/* "ap_fixed<21,8>" etc. */
const char *hls_ap(aedl_fixed t, char *buf, int n);
/* "dense(32, weight=qw, bias=qw)": the statement without the layer's name. */
void hls_stmt(const IrNode *n, char *buf, int len);
/* "ae.aedl:14" */
void hls_origin(const IrNode *n, char *buf, int len);
/* The typedef name of a slot of node n: "enc1_accum_t". */
void hls_tname(const IrNode *n, const char *slot, char *buf, int len);
/* Slot names per kind: dense weight/bias, batchnorm scale/shift, leaky_relu alpha. */
const char *hls_wslot(const IrNode *n);
const char *hls_bslot(const IrNode *n);
/* The plan layer of node n, or NULL. */
/* The plan's score layer (target output = score), or NULL: the top function
   outputs the reconstruction. */
static inline const aedl_fw_layer *hls_score(const Hls *h) {
    const aedl_fw_plan *p = h->plan;
    int o = p->outputs[0];
    return o >= 0 && (p->layers[o].op == FW_SCORE || p->layers[o].op == FW_MASKED_SCORE || p->layers[o].op == FW_MU2)
        ? &p->layers[o] : NULL;
}
/* The plan's hardware inputs' scaling (target hardware_inputs), or NULL: the top
   function takes the model's input as it is. */
static inline const aedl_fw_layer *hls_hw_input(const Hls *h) {
    return h->plan->nlayers > 0 && h->plan->layers[0].op == FW_HW_INPUT ? &h->plan->layers[0] : NULL;
}
static inline const aedl_fw_layer *hls_layer(const Hls *h, const IrNode *n) {
    int pl = h->N[n->id].pl;
    return pl >= 0 ? &h->plan->layers[pl] : NULL;
}
/* "bit_exact", "conservative", "fixed". */
const char *hls_mode_name(IrPrecMode m);
/* |m| is 2^p: returns p, else -1. */
int hls_pow2(int64_t m);

/* ---- the firmware (emit_hls_fw.c) ----------------------------------------------------- */
void hls_write_firmware(Hls *h);
void hls_write_testbench(Hls *h);

#endif
