/* train_int.h — the driver's state, shared by train.c (options, data, the
 * loop), ckpt.c (checkpoints), train_io.c (weights file, history),
 * train_home.c (where the program was made) and evalrun.c (evaluation,
 * firmware regeneration).  A run (aedl_run) is split by concern: options,
 * locations, data, the model's blocks, the training state, the history, the
 * step's work buffers, the firmware results and the warnings; a function
 * takes the parts it uses.  Not for generated code: that uses train.h only. */
#ifndef AEDL_TRAIN_INT_H
#define AEDL_TRAIN_INT_H
#include <stdio.h>
#include "data.h"
#include "emu.h"
#include "optim.h"
#include "rng.h"
#include "train.h"

typedef struct {
    int epoch;                  /* 1-based */
    double loss, val_loss, lr, sparsity, seconds;
} aedl_hist_row;

/* The options: the file's values (cfg) overridden by the command line. */
/* --predict DATA (predict.c): the data file and how to read it, the weights, the
   firmware plan and the output file (NULL: the defaults). */
typedef struct {
    const char *data, *dataset, *format, *weights, *plan, *out;
    char *out_default;
    int firmware_only;          /* only the firmware emulation: its score and outputs */
    int check_quantized;        /* QI on every event, compared with the emulation where that gives QI's values */
} aedl_predict_opts;

typedef struct {
    int epochs, batch, threads, resume, quiet, no_eval;
    long limit, seed;
    const char *outdir;
    const char *init_weights;   /* --weights FILE: the starting point, or NULL */
    const char *write_data;     /* --write-data FILE: write the selected events there and stop */
    char *ckpt_path, *weights_path;
    aedl_predict_opts pred;
} aedl_run_opts;

/* Found at run time (train_home.c): the output folder the program was
   generated in, the .aedl file, the -I folders (cfg->ninclude) and aedlc. */
typedef struct {
    char *home, *aedl_file, **include_dirs, *aedlc;
} aedl_run_loc;

/* The data: `all` owns the memory; tr, va, te are views; signals own theirs. */
typedef struct {
    aedl_table all, tr, va, te;
    aedl_table *sig;            /* (cfg->nsignals) */
    aedl_scaler scaler;
    int have_scaler;
    aedl_fw_layer hw;           /* the hardware inputs' scaling (cfg->nhw), as the firmware applies it */
    char **names;               /* (all.d) the features' names ("Pt[3]"), or NULL: not known */
} aedl_run_data;

/* The model and its blocks (llm.c): params, grads, Adam moments and masks have
   nparams floats in the generated MODEL_params layout; buffers nbuffers. */
typedef struct {
    float *params, *grads, *m1, *m2, *masks, *buffers;
    float *best_params, *best_masks, *best_buffers;   /* early stopping's snapshot */
    void *model;
} aedl_run_blocks;

/* Where training stands: with the blocks and the history, what a checkpoint
   holds (ckpt.c). */
typedef struct {
    aedl_adam adam;
    aedl_reduce_lr rl;
    aedl_early_stopping es;
    aedl_terminate_on_nan tn;
    long step;                  /* optimizer steps taken */
    int epoch;                  /* epochs completed */
    long batch_pos;             /* batches done in the current epoch (0 at a boundary) */
    double loss_sum;            /* sum of batch loss * batch size in the current epoch */
    long loss_events;
    double epoch_seconds;       /* time spent in the current epoch before an interruption */
    int finished;               /* 1: stopped by a callback or by NaN; nothing more to train */
    char stop_reason[160];
    aedl_rng rng;               /* init, shuffle, dropout */
    aedl_rng rng_epoch;         /* rng at the start of the current epoch (before the shuffle) */
} aedl_train_state;

/* One row per epoch, and each row's sparsity of each layer with pruned
   weights (sp[row * n_sp + k], fraction of zeros; history.csv's sparsity_LAYER). */
typedef struct {
    aedl_hist_row *rows; int n, cap;
    const char **sp_layers; int n_sp;
    double *sp;
} aedl_history;

/* The step's work buffers and threads, allocated once. */
typedef struct {
    size_t *perm;               /* (n_train) */
    float *xb, *dout;           /* (batch, n_in), (batch, n_out) */
    uint8_t *mb;                /* (batch, n_in) for masked_mse */
    /* the data-parallel step (train_par.h): `threads` threads, thread t > 0
       accumulating its gradients into tgrads + (t - 1) * nparams */
    aedl_team *team;
    float *tgrads;
    int blas_threads;           /* OpenBLAS' setting outside the training loop */
    /* the last epoch's wall and CPU seconds (all threads): training, validation */
    double ep_train_s, ep_train_cpu, ep_val_s, ep_val_cpu;
} aedl_run_work;

/* Set by aedl_evaluate: firmware emulation == QI on `equal` of `compared`
   test events (compared -1: no firmware column); the plan is exact by
   construction (guaranteed; 0: float parts); then the largest and mean
   |firmware - float model| over the test split's outputs. */
typedef struct {
    long equal, compared;
    int guaranteed;
    double err_max, err_mean;
} aedl_fw_result;

/* The run's warnings (aedlc's firmware step's under `aedlc run`, the
   pruning's), each printed when it arises and listed in summary.json. */
typedef struct {
    char **list; int n;
} aedl_warnings;

typedef struct {
    const aedl_model_def *def;
    const aedl_train_cfg *cfg;
    aedl_run_opts opt;
    aedl_run_loc loc;
    aedl_run_data data;
    aedl_run_blocks blk;
    aedl_train_state st;
    aedl_history hist;
    aedl_run_work work;
    aedl_fw_result fw;
    aedl_warnings warn;
    int restored_epoch;         /* 1-based epoch early_stopping restored; 0: none */
} aedl_run;

/* train_io.c */
int aedl_prep_setup(const aedl_train_cfg *c, aedl_scaler *s, size_t d, char *err, size_t errlen);
int aedl_write_weights(const aedl_model_def *d, const char *aedl_version, const aedl_run_blocks *b,
                       const char *path, char *err, size_t errlen);
int aedl_write_history(const aedl_history *h, const char *path);
/* Reads the starting weights from a weights file of this layout (written by
   training or by aedlc import) into the blocks: every tensor of the model must
   be there with its shape; a pruning mask is read where the file has one.
   Returns 0, or -1 with every difference in err. */
int aedl_read_weights(const aedl_model_def *d, aedl_run_blocks *b, const char *path, char *err, size_t errlen);
/* The fraction of pruned weights in `layer`'s pruned tensors (NULL: all of the model's). */
double aedl_model_sparsity(const aedl_model_def *d, const float *masks, const char *layer);

/* ckpt.c: DIR/MODEL.ckpt, the whole training state.  Writing returns 0, or -1
   after saying why (the previous checkpoint is left as it was); reading ends
   the program with the reason when the checkpoint cannot continue this run. */
int aedl_ckpt_write_run(const aedl_run *r);
void aedl_ckpt_read_run(aedl_run *r);

/* evalrun.c: evaluation, summary.json, ROC files, firmware regeneration and
   testbench vectors.  Returns 0, or 1 when a step failed (already reported). */
int aedl_evaluate(aedl_run *r);

/* predict.c: --predict DATA.  Returns 0 (errors end the program with their reason). */
int aedl_predict(aedl_run *r);

/* train_home.c */
void aedl_locate(aedl_run_loc *loc, const aedl_train_cfg *c, const char *argv0);
void aedl_set_aedl_file(aedl_run_loc *loc, const char *path);   /* --aedl FILE */
void aedl_locate_free(aedl_run_loc *loc, const aedl_train_cfg *c);
/* Adds a warning to w (printing is the caller's); 0 when it was there. */
int aedl_add_warning(aedl_warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void aedl_warnings_free(aedl_warnings *w);

/* train.c */
void aedl_say(const aedl_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The target's hardware inputs (cfg->nhw; train.c): a copy of t's raw values (before the
   scaling); the scaling stage from the fitted scaler s (or NULL); then t->xhw = the hardware
   values (the firmware's input) and t->x = the model's input the stage computes. */
float *aedl_hw_raw(const aedl_table *t);
void aedl_hw_layer(const aedl_train_cfg *c, const aedl_scaler *s, aedl_fw_layer *a);
void aedl_hw_apply(const aedl_train_cfg *c, const aedl_fw_layer *a, aedl_table *t, float *raw);

#endif
