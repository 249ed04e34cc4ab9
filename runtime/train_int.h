/* train_int.h — the driver's state, shared by train.c (the loop, options,
 * checkpoints), train_io.c (weights file, history) and evalrun.c (evaluation,
 * firmware regeneration).  Not for generated code: that uses train.h only. */
#ifndef AEDL_TRAIN_INT_H
#define AEDL_TRAIN_INT_H
#include <stdio.h>
#include "data.h"
#include "optim.h"
#include "rng.h"
#include "train.h"

typedef struct {
    int epoch;                  /* 1-based */
    double loss, val_loss, lr, sparsity, seconds;
} aedl_hist_row;

typedef struct {
    const aedl_model_def *def;
    const aedl_train_cfg *cfg;

    /* options (file values overridden by the command line) */
    int epochs, batch, threads, resume, quiet, no_eval;
    long limit, seed;
    const char *outdir;
    char *ckpt_path, *weights_path;

    /* data: `all` owns the memory; tr, va, te are views; signals own theirs */
    aedl_table all, tr, va, te;
    aedl_table *sig;            /* (cfg->nsignals) */
    aedl_scaler scaler;
    int have_scaler;

    /* blocks (llm.c): params, grads, Adam moments, masks have nparams floats */
    float *params, *grads, *m1, *m2, *masks, *buffers;
    float *best_params, *best_masks, *best_buffers;
    void *model;

    /* optimizer and callbacks */
    aedl_adam adam;
    aedl_reduce_lr rl;
    aedl_early_stopping es;
    aedl_terminate_on_nan tn;

    /* position */
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

    /* work buffers, allocated once */
    size_t *perm;               /* (n_train) */
    float *xb, *dout;           /* (batch, n_in), (batch, n_out) */
    uint8_t *mb;                /* (batch, n_in) for masked_mse */

    aedl_hist_row *hist; int nhist, cap_hist;
    /* the layers with pruned weights, and each history row's sparsity of each
       (hist_sp[row * n_sp + k], fraction of zeros; history.csv's sparsity_LAYER) */
    const char **sp_layers; int n_sp;
    double *hist_sp;

    /* set by aedl_evaluate: firmware emulation == QI on fw_equal of fw_compared
       test events (fw_compared -1: no firmware column) */
    long fw_equal, fw_compared;
    /* the plan is exact by construction (0: float parts); then the largest and
       mean |firmware - float model| over the test split's outputs */
    int fw_guaranteed;
    double fw_err_max, fw_err_mean;

    /* the data-parallel step (train.c, train_par.h): `threads` threads, thread
       t > 0 accumulating its gradients into tgrads + (t - 1) * nparams */
    aedl_team *team;
    float *tgrads;
    int blas_threads;           /* OpenBLAS' setting outside the training loop */
    /* the last epoch's wall and CPU seconds (all threads): training, validation */
    double ep_train_s, ep_train_cpu, ep_val_s, ep_val_cpu;

    /* found at run time (train_home.c): the output folder the program was
       generated in, the .aedl file, the -I folders (cfg->ninclude) and aedlc */
    char *home, *aedl_file, **include_dirs, *aedlc;
    /* the run's warnings (aedlc's firmware step's under `aedlc run`, the
       pruning's), each printed when it arises and listed in summary.json */
    char **warnings; int nwarnings;
} aedl_run;

/* train_io.c */
int aedl_write_weights(const aedl_run *r, const char *path, char *err, size_t errlen);
int aedl_write_history(const aedl_run *r, const char *path);
double aedl_run_sparsity(const aedl_run *r, const char *layer);   /* layer NULL: all pruned tensors */

/* evalrun.c: evaluation, summary.json, ROC files, firmware regeneration and
   testbench vectors.  Returns 0, or 1 when a step failed (already reported). */
int aedl_evaluate(aedl_run *r);

/* train_home.c */
void aedl_locate(aedl_run *r, const char *argv0);
void aedl_set_aedl_file(aedl_run *r, const char *path);   /* --aedl FILE */
void aedl_locate_free(aedl_run *r);
/* Adds a warning to r->warnings (printing is the caller's); 0 when it was there. */
int aedl_add_warning(aedl_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* train.c */
void aedl_say(const aedl_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
