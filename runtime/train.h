/* train.h — the generic training driver behind every generated MODEL_train.
 *
 * `aedlc FILE --emit train` writes DIR/train/MODEL_model.c: the model's code
 * (forward in float for training, backward, double-precision quantized
 * inference "QI") and a description of it (an aedl_model_def: tensor table,
 * pruning schedules) plus the data/train blocks of the file (an
 * aedl_train_cfg).  Its main() calls aedl_train_main(), which does the rest:
 *
 *   options -> data (data.h: load, split, scale) -> init or resume ->
 *   epochs (shuffle, batches: forward, loss, backward, Adam, pruning masks;
 *           validation; callbacks; history; checkpoint) ->
 *   weights file -> [under `aedlc run`: aedlc writes DIR/firmware.plan, hls/
 *   and report/ with them] -> evaluation (float / QI / firmware emulation)
 *   -> firmware testbench vectors.  The program never runs aedlc itself.
 *
 * Memory, as in llm.c: all trainable parameters in one float block; their
 * gradients, Adam moments and pruning masks in blocks of the same length, so
 * the update is one flat loop.  Non-trainable state (batchnorm moving
 * statistics) lives in a second block, "buffers".  The generated code reads
 * the blocks through its MODEL_params and MODEL_buffers structs (named float
 * arrays per tensor); the driver sees flat floats and the tensor table.
 */
#ifndef AEDL_TRAIN_H
#define AEDL_TRAIN_H
#include <stddef.h>
#include <stdint.h>
#include "data.h"
#include "data_sel.h"
#include "fixed.h"
#include "prune.h"
#include "rng.h"
#include "train_par.h"

/* ---- the model, as the generated code describes it ---------------------- */

typedef enum {
    AEDL_INIT_ZEROS, AEDL_INIT_ONES, AEDL_INIT_HE_UNIFORM, AEDL_INIT_GLOROT_UNIFORM
} aedl_init_kind;

/* One tensor of the model: /layer/name in the weights file. */
typedef struct {
    const char *layer;          /* "enc1" */
    const char *name;           /* "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance" */
    int trainable;              /* 1: in the params block; 0: in the buffers block */
    size_t offset;              /* in its block */
    size_t size;                /* elements */
    int rank, dims[2];          /* kernel (n_in, units); vectors (n) */
    aedl_init_kind init;
    int fan_in, fan_out;
    int prune;                  /* index in aedl_model_def.prunes; -1: never pruned */
} aedl_tensor;

/* How a forward pass runs. */
typedef enum {
    AEDL_MODE_TRAIN,            /* batch statistics, dropout, quantizers (QAT); keeps what backward needs */
    AEDL_MODE_EVAL,             /* moving statistics, quantizers: validation loss */
    AEDL_MODE_FLOAT             /* moving statistics, no quantizers at all: the float model */
} aedl_mode;

typedef struct aedl_model_def {
    const char *name;           /* model name */
    const char *source;         /* the name of the .aedl file it came from */
    int n_in, n_out;            /* features per event in and out */
    size_t nparams, nbuffers;   /* block lengths (floats) */
    const aedl_tensor *tensors; int ntensors;
    const aedl_prune_schedule *prunes; int nprunes;   /* prune.h */
    const char *const *prune_names;                    /* the schedules' names (nprunes) */
    int quantized;              /* any quantizer in the model */

    /* Allocates the activations for batches of up to max_batch events; params
       and buffers are the driver's blocks (the model reads them in place). */
    void *(*create)(int max_batch, float *params, float *buffers);
    void (*destroy)(void *m);
    /* One thread, the whole batch (the evaluation's float model): x (B, n_in)
       -> returns (B, n_out), owned by the model. */
    const float *(*forward)(void *m, const float *x, int B, aedl_mode mode, aedl_rng *rng);
    /* QI: call exact_prepare once after the weights changed, then exact on any
       number of events: x (B, n_in) double -> y (B, n_out) double. */
    void (*exact_prepare)(void *m);
    void (*exact)(void *m, const double *x, double *y, int B);
    /* Pinned result types (`result=TYPE`, `output NAME : TYPE`): their layers
       (NAME_result), the types as written and the layers' sizes per event;
       pinned_saturated(m): per pinned layer, the values QI found outside the
       type's range (saturated, or wrapped) since the model was created. */
    const char *const *pinned, *const *pinned_types; const int *pinned_sizes; int npinned;
    long *(*pinned_saturated)(void *m);

    /* The data-parallel step (train_par.h), which forward above runs with one
       thread.  prepare once per batch of B events (weights as used,
       batchnorm folding, dropout masks); then forward_rows on every thread of
       the team (x: the thread's rows), the loss on the rows of output(), and
       backward_rows (dout: the whole batch's (B, n_out); p->grads zero before);
       then the driver adds the threads' gradient blocks in thread order and
       calls finish once on the sum (straight-through masks of quantized weights). */
    void (*prepare)(void *m, int B, aedl_mode mode, aedl_rng *rng);
    void (*forward_rows)(void *m, const aedl_par *p, const float *x, aedl_mode mode);
    const float *(*output)(void *m);
    void (*backward_rows)(void *m, const aedl_par *p, const float *dout);
    void (*finish)(void *m, float *grads);
    /* The latent layer (the narrowest; none when no layer is narrower than the output):
       its values after forward (float) and after exact (QI), (B, n_latent). */
    const char *latent_name;
    int n_latent;
    const float *(*latent)(void *m);
    const double *(*latent_exact)(void *m);
    /* The float model's anomaly score and latent values without its outputs (aedlc predict):
       x (B, n_in) -> score (B), the per-event MSE of the output against x (masked where mask
       (B, n_in) is 0, or NULL: all), and latent (B, n_latent) unless NULL.  The numbers of
       forward (AEDL_MODE_FLOAT) and aedl_mse_per_event; any B (the model's buffers are not
       used).  NULL: use those (a model without a lanes form, or whose output is not the
       input's size). */
    void (*float_score)(void *m, const float *x, const uint8_t *mask, int B, float *score, float *latent);
    /* A VAE: the sample layer and its inputs' values, the means and the log-variances,
       (B, n_z) after forward (float) and after exact (QI); n_z 0: no sample layer. */
    const char *sample_name;
    int n_z;
    const float *(*z_mu)(void *m), *(*z_logvar)(void *m);
    const double *(*z_mu_exact)(void *m), *(*z_logvar_exact)(void *m);
} aedl_model_def;

/* ---- the data, train and regeneration settings baked in by aedlc ---------- */

typedef struct {
    const char *name;           /* "train" or the signal's name */
    aedl_src_kind kind;         /* data.h */
    const char *path;           /* absolute */
    const char *dataset;        /* HDF5 */
    const char *const *files;   /* with the data block's selection: files or globs, in order */
    int nfiles;
    const char *tree;           /* ROOT */
} aedl_source;

/* The reconstruction losses; as a score also kl and mu2 (a model with a sample layer). */
typedef enum { AEDL_LOSS_MSE, AEDL_LOSS_MASKED_MSE, AEDL_LOSS_KL, AEDL_LOSS_MU2 } aedl_loss_kind;
typedef enum { AEDL_MON_VAL_LOSS, AEDL_MON_LOSS } aedl_monitor;

typedef struct {
    /* data block */
    const char *data_name;
    aedl_source train;
    const aedl_source *signals; int nsignals;
    const aedl_selection *selection;      /* objects, scalars, cuts (files and tree: per source); or NULL */
    const int *features; int nfeatures;   /* nfeatures 0: all */
    int flatten;
    long limit;                 /* -1: all */
    double validation, test;
    int standard_scale;         /* scale = standard: every feature, unless prep has standard rules */
    long data_seed;
    const aedl_prep_rule *prep; int nprep;        /* transform, scale = standard(...) (data.h) */
    const char *const *names; int nnames;         /* `names`: the variables of the last axis */
    /* the target's hardware_inputs: per input feature its hardware type (width 0: not declared),
       and the model input's type (emu.h, aedl_fw_hwin_from_scaling) */
    const aedl_fixed *hw_types; int nhw; aedl_fixed hw_in_t;
    /* train block */
    aedl_loss_kind loss, score;           /* loss: the reconstruction's (mse, masked_mse) */
    int vae;                    /* loss = vae(...): reco_weight * loss + beta * KL (mean over the batch) */
    double beta, reco_weight;
    double lr, beta1, beta2, adam_eps;
    int epochs, batch;
    int reduce_lr;  aedl_monitor rl_monitor; double rl_factor, rl_min_delta, rl_min_lr;
    int rl_patience, rl_cooldown;
    int early_stop; aedl_monitor es_monitor; double es_min_delta; int es_patience, es_restore_best;
    int terminate_on_nan;
    int roc, auc, residuals;
    const double *fprs; int nfprs;
    /* the target: the firmware score's trigger-rate threshold (FPR = trigger_rate / bunch_rate) */
    double trigger_rate, bunch_rate;
    /* how this program was generated (summary.json; aedl-report is found beside aedlc) */
    /* no folder of the machine it was made on (train_home.c): */
    const char *aedlc;          /* the aedlc the Makefile built it with ("aedlc": PATH) */
    const char *aedl_file;      /* the .aedl file, relative to the output folder */
    const char *const *include_dirs; int ninclude;   /* -I folders, the same */
    const char *model_name, *target_name;   /* target_name NULL: none given */
    const char *outdir;         /* the output folder (default -o DIR), from the executable's folder */
    const char *aedl_version;
} aedl_train_cfg;

/* The whole program: parses argv (see --help), trains, evaluates, writes
   DIR/..., returns the process exit status (0 ok, 1 error, 2 usage). */
int aedl_train_main(const aedl_model_def *def, const aedl_train_cfg *cfg, int argc, char **argv);

#endif
