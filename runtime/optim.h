/* optim.h — Adam (Keras form) and the training callbacks as pure state machines.
 *
 * Parameters live in one flat block (all layers' kernels, biases, gammas, betas
 * back to back), with the gradients and both Adam moments in blocks of the same
 * length, so an update is one loop over n (llm.c).  After each update re-apply
 * the pruning masks (aedl_prune_apply) so pruned weights stay exactly zero.
 */
#ifndef AEDL_OPTIM_H
#define AEDL_OPTIM_H

#include <stdbool.h>

/* ---------------------------------------------------------------- Adam */

typedef struct {
    double lr;       /* learning rate (callbacks change it) */
    double beta1;    /* 0.9 */
    double beta2;    /* 0.999 */
    double eps;      /* 1e-7 (Keras) */
    long t;          /* steps taken so far */
} aedl_adam;

/* Keras defaults with learning rate lr; t = 0. */
aedl_adam aedl_adam_new(double lr);

/* One step (t += 1 first), Keras' form:
     lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
     m += (g - m) * (1 - beta1);  v += (g^2 - v) * (1 - beta2)
     w -= lr_t * m / (sqrt(v) + eps)
   params, grads, m, v: (n); m and v start at 0.  grads is read only. */
void aedl_adam_step(aedl_adam *a, float *params, const float *grads, float *m, float *v,
                    long n);

/* ---------------------------------------------------------------- callbacks */
/* Each callback is a state struct, an init function and a step function that
   the training loop calls once per epoch (epochs counted from 0, as Keras) with
   the monitored value (mode "min": val_loss or loss).  Step returns a bit set
   of actions for the caller. */
enum {
    AEDL_CB_NONE = 0,
    AEDL_CB_STOP = 1,      /* stop training after this epoch */
    AEDL_CB_SET_LR = 2,    /* the learning rate was changed (written through *lr) */
    AEDL_CB_SNAPSHOT = 4,  /* copy the current weights as "best" */
    AEDL_CB_RESTORE = 8    /* load the "best" weights back */
};

/* ReduceLROnPlateau (Keras): an improvement is value < best - min_delta.
   In cooldown the counter runs down and waiting is suspended; after `patience`
   epochs without improvement, if lr > min_lr: lr = max(lr * factor, min_lr),
   cooldown starts and the wait restarts. */
typedef struct {
    double factor, min_delta, min_lr;
    int patience, cooldown;
    /* state */
    double best;          /* +inf at start */
    int wait, cooldown_counter;
} aedl_reduce_lr;

aedl_reduce_lr aedl_reduce_lr_new(double factor, int patience, double min_delta, int cooldown,
                                  double min_lr);
/* Returns AEDL_CB_SET_LR when it changed *lr, else AEDL_CB_NONE. */
int aedl_reduce_lr_step(aedl_reduce_lr *s, int epoch, double value, double *lr);

/* EarlyStopping (Keras 3): an improvement is value + min_delta < best.
   Each epoch: wait += 1; on improvement best = value, wait = 0 (and SNAPSHOT
   when restore_best); otherwise STOP when wait >= patience and epoch > 0.  With
   restore_best the first epoch always asks for a SNAPSHOT (Keras keeps the first
   weights when nothing ever improves), and aedl_early_stopping_end asks for
   RESTORE when training ends (stopped or not), as Keras 3's on_train_end. */
typedef struct {
    double min_delta;
    int patience;
    bool restore_best;
    /* state */
    double best;          /* +inf at start */
    int wait, best_epoch, stopped_epoch;
    bool have_snapshot;
} aedl_early_stopping;

aedl_early_stopping aedl_early_stopping_new(int patience, double min_delta, bool restore_best);
int aedl_early_stopping_step(aedl_early_stopping *s, int epoch, double value);
/* At the end of training: AEDL_CB_RESTORE when restore_best and a snapshot exists. */
int aedl_early_stopping_end(const aedl_early_stopping *s);

/* TerminateOnNaN (Keras): STOP as soon as a batch loss is NaN or +-inf.
   Called per batch (Keras checks on_batch_end) or per epoch. */
typedef struct { bool terminated; long at; } aedl_terminate_on_nan;
aedl_terminate_on_nan aedl_terminate_on_nan_new(void);
int aedl_terminate_on_nan_step(aedl_terminate_on_nan *s, long batch, double loss);

#endif
