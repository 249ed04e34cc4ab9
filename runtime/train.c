/* train.c — the generic training driver (see train.h): options, data, the
 * epoch loop (QAT forward/backward from the generated model, Adam, pruning,
 * callbacks), progress output, checkpoints and --resume. */
#include <errno.h>
#include <math.h>
#include <time.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cblas.h>
#include "ckpt.h"
#include "nn.h"
#include "optim.h"
#include "proc.h"
#include "prune.h"
#include "train_int.h"
#include "util.h"

/* ---------------------------------------------------------------- output */

void aedl_say(const aedl_run *r, const char *fmt, ...) {
    if (r->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static void usage(FILE *f, const aedl_run *r) {
    const aedl_train_cfg *c = r->cfg;
    fprintf(f,
        "usage: %s [options]\n"
        "Trains model '%s' of %s as its train block says, evaluates it, and writes\n"
        "into DIR: %s.weights.h5, history.csv, eval/; under `aedlc run`, which writes\n"
        "the firmware (hls/, report/) after training, it evaluates that too.\n"
        "\n"
        "  --epochs N    epochs (file: %d)\n"
        "  --batch N     events per batch (file: %d)\n"
        "  --limit N     events read from the training source (file: %ld; -1 all)\n"
        "  --seed N      seed of the data subset, the split order, init and shuffling (file: %ld)\n"
        "  --threads N   training threads: each batch split by rows (default: the\n"
        "                number of processors, at most %d); results are the same\n"
        "                for the same N; also OpenBLAS' threads in the evaluation\n"
        "  --resume      continue from DIR/%s.ckpt, bit for bit\n"
        "  --quiet       print only errors and the final summary\n"
        "  --no-eval     train and write the weights only: no evaluation, no firmware\n"
        "  -o DIR        output folder (default: %s)\n"
        "  --aedl FILE   the .aedl file this program was made from (default: %s)\n"
        "  --help        this text\n",
        aedl_progname, r->def->name, r->aedl_file, r->def->name, c->epochs, c->batch, c->limit,
        c->data_seed, AEDL_MAX_THREADS, r->def->name, r->home, r->aedl_file);
}

static int parse_long(const char *s, long lo, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo) return -1;
    *out = v;
    return 0;
}

/* Returns -1 to continue, else the exit status. */
static int parse_options(aedl_run *r, int argc, char **argv) {
    const aedl_train_cfg *c = r->cfg;
    r->epochs = c->epochs; r->batch = c->batch; r->limit = c->limit; r->seed = c->data_seed;
    r->threads = 0; r->outdir = r->home;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v;
        int has_val = i + 1 < argc;
#define NEED_NUM(lo) do { \
            if (!has_val || parse_long(argv[i + 1], (lo), &v) != 0) { \
                fprintf(stderr, "%s: error: %s needs a whole number >= %ld%s%s\n", aedl_progname, a, \
                        (long)(lo), has_val ? ", not " : "", has_val ? argv[i + 1] : ""); \
                return 2; } \
            i++; } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout, r); return 0; }
        else if (!strcmp(a, "--epochs")) { NEED_NUM(1); r->epochs = (int)v; }
        else if (!strcmp(a, "--batch")) { NEED_NUM(1); r->batch = (int)v; }
        else if (!strcmp(a, "--limit")) { NEED_NUM(-1); r->limit = v == 0 ? -1 : v; }
        else if (!strcmp(a, "--seed")) { NEED_NUM(0); r->seed = v; }
        else if (!strcmp(a, "--threads")) {
            NEED_NUM(1);
            if (v > AEDL_MAX_THREADS) {
                fprintf(stderr, "%s: error: --threads %ld: at most %d\n", aedl_progname, v, AEDL_MAX_THREADS);
                return 2;
            }
            r->threads = (int)v;
        }
        else if (!strcmp(a, "--resume")) r->resume = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) r->quiet = 1;
        else if (!strcmp(a, "--no-eval")) r->no_eval = 1;
        else if (!strcmp(a, "-o")) {
            if (!has_val) { fprintf(stderr, "%s: error: -o needs a folder\n", aedl_progname); return 2; }
            r->outdir = argv[++i];
        } else if (!strcmp(a, "--aedl")) {
            if (!has_val) { fprintf(stderr, "%s: error: --aedl needs a file\n", aedl_progname); return 2; }
            aedl_set_aedl_file(r, argv[++i]);
        } else {
            fprintf(stderr, "%s: error: unknown option '%s' (see --help)\n", aedl_progname, a);
            return 2;
        }
#undef NEED_NUM
    }
    if (r->epochs > 1000000 || r->batch > 1 << 24) {
        fprintf(stderr, "%s: error: --epochs or --batch too large\n", aedl_progname);
        return 2;
    }
    return -1;
}

static char *path_in(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* ---------------------------------------------------------------- data */

static void load_source(const aedl_run *r, const aedl_source *s, int is_train, aedl_table *t) {
    const aedl_train_cfg *c = r->cfg;
    size_t shape = (size_t)r->def->n_in;
    aedl_data_spec sp = {
        .kind = s->kind, .path = s->path, .dataset = s->dataset,
        .features = c->nfeatures ? c->features : NULL, .nfeatures = (size_t)c->nfeatures,
        .flatten = c->flatten,
        .limit = is_train && r->limit > 0 ? (size_t)r->limit : 0,
        .shuffle = is_train, .seed = (uint64_t)r->seed,
        .input_shape = &shape, .input_rank = 1,
        .want_mask = c->loss == AEDL_LOSS_MASKED_MSE || c->score == AEDL_LOSS_MASKED_MSE,
    };
    char err[1024];
    if (aedl_data_load(&sp, t, err, sizeof err) != 0) aedl_fatal("%s", err);
    if (t->warning[0]) aedl_warn("%s", t->warning);
}

static void load_data(aedl_run *r) {
    const aedl_train_cfg *c = r->cfg;
    char err[1024];
    double t0 = aedl_now();
    load_source(r, &c->train, 1, &r->all);
    if (aedl_split(&r->all, c->validation, c->test, &r->tr, &r->va, &r->te, err, sizeof err) != 0)
        aedl_fatal("%s", err);
    r->sig = xcalloc((size_t)(c->nsignals ? c->nsignals : 1), sizeof *r->sig);
    int nsig = r->no_eval ? 0 : c->nsignals;   /* signals serve the evaluation only */
    for (int i = 0; i < nsig; i++) load_source(r, &c->signals[i], 0, &r->sig[i]);
    if (c->standard_scale) {
        aedl_scaler_fit(&r->scaler, &r->tr);
        r->have_scaler = 1;
        aedl_scaler_apply(&r->scaler, &r->all);
        for (int i = 0; i < nsig; i++)
            if (aedl_scaler_apply(&r->scaler, &r->sig[i]) != 0)
                aedl_fatal("%s: signal '%s' has %zu features, the training data %zu",
                           c->signals[i].path, c->signals[i].name, r->sig[i].d, r->all.d);
        char *sp = path_in(r->outdir, "scaler.h5");
        if (aedl_scaler_save(&r->scaler, sp, err, sizeof err) != 0) aedl_fatal("%s", err);
        free(sp);
    }
    aedl_say(r, "data: %zu events (%zu train, %zu validation, %zu test)", r->all.n, r->tr.n,
             r->va.n, r->te.n);
    for (int i = 0; i < nsig; i++) aedl_say(r, ", %s %zu", c->signals[i].name, r->sig[i].n);
    aedl_say(r, "; %.2f s\n", aedl_now() - t0);
    if (r->tr.n == 0) aedl_fatal("%s: no training events left after the split", c->train.path);
}

/* ---------------------------------------------------------------- model state */

static void alloc_blocks(aedl_run *r) {
    const aedl_model_def *d = r->def;
    size_t np = d->nparams, nb = d->nbuffers ? d->nbuffers : 1;
    r->params = xcalloc(np, sizeof(float));
    r->grads = xcalloc(np, sizeof(float));
    r->m1 = xcalloc(np, sizeof(float));
    r->m2 = xcalloc(np, sizeof(float));
    r->masks = xcalloc(np, sizeof(float));
    r->buffers = xcalloc(nb, sizeof(float));
    r->best_params = xcalloc(np, sizeof(float));
    r->best_masks = xcalloc(np, sizeof(float));
    r->best_buffers = xcalloc(nb, sizeof(float));
    r->model = d->create(r->batch, r->params, r->grads, r->buffers);
    /* the team: --threads, else one thread per processor */
    int nt = r->threads;
    if (nt <= 0) {
        long np = sysconf(_SC_NPROCESSORS_ONLN);
        nt = np < 1 ? 1 : np > AEDL_MAX_THREADS ? AEDL_MAX_THREADS : (int)np;
    }
    r->threads = nt;
    r->team = aedl_team_new(nt);
    r->tgrads = xcalloc((size_t)(nt - 1) * np + 1, sizeof(float));
    size_t nin = (size_t)d->n_in, nout = (size_t)d->n_out;
    r->perm = xmalloc((r->tr.n ? r->tr.n : 1) * sizeof(size_t));
    r->xb = xmalloc((size_t)r->batch * nin * sizeof(float));
    r->dout = xmalloc((size_t)r->batch * nout * sizeof(float));
    r->mb = xmalloc((size_t)r->batch * nin);
    r->sp_layers = xmalloc(((size_t)d->ntensors + 1) * sizeof *r->sp_layers);
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        int seen = t->prune < 0;
        for (int k = 0; k < r->n_sp && !seen; k++) seen = strcmp(r->sp_layers[k], t->layer) == 0;
        if (!seen) r->sp_layers[r->n_sp++] = t->layer;
    }
}

static void init_params(aedl_run *r) {
    const aedl_model_def *d = r->def;
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        float *w = (t->trainable ? r->params : r->buffers) + t->offset;
        switch (t->init) {
        case AEDL_INIT_ZEROS: aedl_init_zeros(w, (long)t->size); break;
        case AEDL_INIT_ONES: aedl_fill(w, (long)t->size, 1.0f); break;
        case AEDL_INIT_HE_UNIFORM: aedl_init_he_uniform(w, (long)t->size, t->fan_in, &r->rng); break;
        case AEDL_INIT_GLOROT_UNIFORM:
            aedl_init_glorot_uniform(w, (long)t->size, t->fan_in, t->fan_out, &r->rng); break;
        }
    }
    aedl_prune_mask_init(r->masks, (long)d->nparams);
}

static void fresh_state(aedl_run *r) {
    const aedl_train_cfg *c = r->cfg;
    aedl_rng_seed(&r->rng, (uint64_t)r->seed ^ 0x5452414eULL);   /* "TRAN": not the data stream */
    init_params(r);
    r->adam = aedl_adam_new(c->lr);
    r->adam.beta1 = c->beta1; r->adam.beta2 = c->beta2; r->adam.eps = c->adam_eps;
    r->rl = aedl_reduce_lr_new(c->rl_factor, c->rl_patience, c->rl_min_delta, c->rl_cooldown,
                               c->rl_min_lr);
    r->es = aedl_early_stopping_new(c->es_patience, c->es_min_delta, c->es_restore_best);
    r->tn = aedl_terminate_on_nan_new();
}

/* ---------------------------------------------------------------- checkpoints */

/* Fixed-size scalars of the state, stored as one section. */
typedef struct {
    char model[64];
    uint64_t nparams, nbuffers, n_train, n_val, n_test;
    int64_t seed, limit, batch;
    int64_t step, epoch, batch_pos, loss_events, finished;
    uint64_t data_hash;         /* a sample of the training split: same data on --resume */
    double loss_sum, epoch_seconds;
    char stop_reason[160];
} ckpt_head;

/* FNV-1a over every 997th training event (after scaling): cheap, and it changes
   when the data file or the scaler changed under a checkpoint. */
static uint64_t data_hash(const aedl_run *r) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < r->tr.n; i += 997) {
        const unsigned char *p = (const unsigned char *)(r->tr.x + i * r->tr.d);
        for (size_t k = 0; k < r->tr.d * sizeof(float); k++) { h ^= p[k]; h *= 0x100000001b3ULL; }
    }
    return h;
}

static int write_checkpoint(aedl_run *r) {
    const aedl_model_def *d = r->def;
    ckpt_head h;
    memset(&h, 0, sizeof h);
    snprintf(h.model, sizeof h.model, "%s", d->name);
    h.nparams = d->nparams; h.nbuffers = d->nbuffers;
    h.n_train = r->tr.n; h.n_val = r->va.n; h.n_test = r->te.n;
    h.seed = r->seed; h.limit = r->limit; h.batch = r->batch;
    h.step = r->step; h.epoch = r->epoch; h.batch_pos = r->batch_pos;
    h.loss_events = r->loss_events; h.finished = r->finished;
    h.loss_sum = r->loss_sum; h.epoch_seconds = r->epoch_seconds;
    h.data_hash = data_hash(r);
    snprintf(h.stop_reason, sizeof h.stop_reason, "%s", r->stop_reason);
    size_t pb = d->nparams * sizeof(float), bb = d->nbuffers * sizeof(float);
    aedl_ckpt_writer w;
    if (aedl_ckpt_begin(&w, r->ckpt_path) != 0) goto fail;
    aedl_ckpt_put(&w, "head", &h, sizeof h);
    aedl_ckpt_put(&w, "params", r->params, pb);
    aedl_ckpt_put(&w, "buffers", r->buffers, bb);
    aedl_ckpt_put(&w, "adam_m", r->m1, pb);
    aedl_ckpt_put(&w, "adam_v", r->m2, pb);
    aedl_ckpt_put(&w, "masks", r->masks, pb);
    aedl_ckpt_put(&w, "best_params", r->best_params, pb);
    aedl_ckpt_put(&w, "best_masks", r->best_masks, pb);
    aedl_ckpt_put(&w, "best_buffers", r->best_buffers, bb);
    aedl_ckpt_put(&w, "adam", &r->adam, sizeof r->adam);
    aedl_ckpt_put(&w, "reduce_lr", &r->rl, sizeof r->rl);
    aedl_ckpt_put(&w, "early_stop", &r->es, sizeof r->es);
    aedl_ckpt_put(&w, "nan", &r->tn, sizeof r->tn);
    aedl_ckpt_put(&w, "rng", &r->rng, sizeof r->rng);
    aedl_ckpt_put(&w, "rng_epoch", &r->rng_epoch, sizeof r->rng_epoch);
    aedl_ckpt_put(&w, "history", r->hist, (size_t)r->nhist * sizeof *r->hist);
    aedl_ckpt_put(&w, "hist_sparsity", r->hist_sp, (size_t)r->nhist * (size_t)r->n_sp * sizeof *r->hist_sp);
    int64_t threads = r->threads;   /* optional section: results depend on it */
    aedl_ckpt_put(&w, "threads", &threads, sizeof threads);
    if (aedl_ckpt_end(&w) == 0) return 0;
fail:
    fprintf(stderr, "%s: error: cannot write the checkpoint %s: %s; the previous checkpoint is "
            "left as it was\n", aedl_progname, r->ckpt_path, strerror(errno));
    return -1;
}

static void read_checkpoint(aedl_run *r) {
    const aedl_model_def *d = r->def;
    aedl_ckpt c;
    char err[1024];
    if (aedl_ckpt_load(&c, r->ckpt_path, err, sizeof err) != 0)
        aedl_fatal("--resume: %s", err);
    size_t pb = d->nparams * sizeof(float), bb = d->nbuffers * sizeof(float);
    const ckpt_head *h = aedl_ckpt_get(&c, "head", sizeof *h);
    if (!h) aedl_fatal("--resume: %s has no header section", r->ckpt_path);
    if (strcmp(h->model, d->name) != 0 || h->nparams != d->nparams || h->nbuffers != d->nbuffers)
        aedl_fatal("--resume: %s belongs to model '%s' with %llu parameters, not to this '%s' "
                   "(%zu parameters)", r->ckpt_path, h->model, (unsigned long long)h->nparams,
                   d->name, d->nparams);
    if (h->seed != r->seed || h->limit != r->limit || h->n_train != r->tr.n ||
        h->n_val != r->va.n || h->n_test != r->te.n)
        aedl_fatal("--resume: %s was made with --seed %lld --limit %lld (%llu training events); "
                   "this run has --seed %ld --limit %ld (%zu): use the same options",
                   r->ckpt_path, (long long)h->seed, (long long)h->limit,
                   (unsigned long long)h->n_train, r->seed, r->limit, r->tr.n);
    if (h->data_hash != data_hash(r))
        aedl_fatal("--resume: the training data differ from those %s was made with (%s changed?)",
                   r->ckpt_path, r->cfg->train.path);
    if (h->batch != r->batch)
        aedl_fatal("--resume: %s was made with --batch %lld; this run has --batch %d",
                   r->ckpt_path, (long long)h->batch, r->batch);
    struct { const char *tag; void *dst; size_t len; } sec[] = {
        { "params", r->params, pb }, { "buffers", r->buffers, bb }, { "adam_m", r->m1, pb },
        { "adam_v", r->m2, pb }, { "masks", r->masks, pb }, { "best_params", r->best_params, pb },
        { "best_masks", r->best_masks, pb }, { "best_buffers", r->best_buffers, bb },
        { "adam", &r->adam, sizeof r->adam }, { "reduce_lr", &r->rl, sizeof r->rl },
        { "early_stop", &r->es, sizeof r->es }, { "nan", &r->tn, sizeof r->tn },
        { "rng", &r->rng, sizeof r->rng }, { "rng_epoch", &r->rng_epoch, sizeof r->rng_epoch },
    };
    for (size_t i = 0; i < sizeof sec / sizeof sec[0]; i++) {
        const void *p = aedl_ckpt_get(&c, sec[i].tag, sec[i].len);
        if (!p) aedl_fatal("--resume: %s: section '%s' missing or of the wrong size",
                           r->ckpt_path, sec[i].tag);
        if (sec[i].len) memcpy(sec[i].dst, p, sec[i].len);
    }
    size_t hl;
    const void *hp = aedl_ckpt_get_any(&c, "history", &hl);
    if (!hp || hl % sizeof *r->hist) aedl_fatal("--resume: %s: bad history section", r->ckpt_path);
    const int64_t *th = aedl_ckpt_get(&c, "threads", sizeof *th);
    if (th && *th != r->threads)
        aedl_warn("--resume: %s was made with --threads %lld, this run has %d: training continues, "
                  "but not bit for bit as it would with %lld threads", r->ckpt_path, (long long)*th,
                  r->threads, (long long)*th);
    r->nhist = r->cap_hist = (int)(hl / sizeof *r->hist);
    r->hist = xmalloc(hl ? hl : 1);
    if (hl) memcpy(r->hist, hp, hl);
    /* per-layer sparsity: NaN (empty in history.csv) when the checkpoint has none */
    size_t sl = (size_t)r->nhist * (size_t)r->n_sp * sizeof *r->hist_sp;
    r->hist_sp = xmalloc(sl ? sl : 1);
    const void *sp = aedl_ckpt_get(&c, "hist_sparsity", sl);
    for (size_t i = 0; i < (size_t)r->nhist * (size_t)r->n_sp; i++) r->hist_sp[i] = NAN;
    if (sp && sl) memcpy(r->hist_sp, sp, sl);
    r->step = h->step; r->epoch = (int)h->epoch; r->batch_pos = h->batch_pos;
    r->loss_events = h->loss_events; r->finished = (int)h->finished;
    r->loss_sum = h->loss_sum; r->epoch_seconds = h->epoch_seconds;
    snprintf(r->stop_reason, sizeof r->stop_reason, "%s", h->stop_reason);
    aedl_ckpt_free(&c);
    aedl_say(r, "resumed from %s: %d epoch(s) done%s, step %ld\n", r->ckpt_path, r->epoch,
             r->batch_pos ? " and part of the next" : "", r->step);
}

/* ---------------------------------------------------------------- signals */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
    interrupted = sig;
    aedl_test_wake();
    /* a second ^C ends the program at once (its temporary files removed) */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = aedl_die_now;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* ---------------------------------------------------------------- progress */

static void fmt_duration(char *buf, size_t n, double s) {
    if (!(s >= 0) || s > 1e7) { snprintf(buf, n, "--:--"); return; }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

/* 950, 93.7k, 1.52M */
static void fmt_rate(char *buf, size_t n, double r) {
    if (r >= 1e6) snprintf(buf, n, "%.2fM", r / 1e6);
    else if (r >= 1e3) snprintf(buf, n, "%.1fk", r / 1e3);
    else snprintf(buf, n, "%.0f", r);
}

static void progress_bar(const aedl_run *r, long done, long total, double seconds, double loss) {
    int width = 28, fill = total ? (int)((double)width * (double)done / (double)total) : width;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[width] = 0;
    double rate = seconds > 0 ? (double)done / seconds : 0;
    char left[32], rs[32];
    fmt_duration(left, sizeof left, rate > 0 ? (double)(total - done) / rate : -1);
    fmt_rate(rs, sizeof rs, rate);
    fprintf(stderr, "\repoch %d/%d [%s] %3d%%  %s events/s  loss %.5g  left %s   ", r->epoch + 1,
            r->epochs, bar, total ? (int)(100 * done / total) : 100, rs, loss, left);
    fflush(stderr);
}

/* ---------------------------------------------------------------- one epoch */

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One batch on the team (train_par.h): thread t gathers, runs forward, the loss
   and backward on its rows; the driver then adds the gradient blocks. */
typedef struct {
    aedl_run *r;
    const aedl_table *t;        /* the events */
    const size_t *idx;          /* batch event e is t's event idx[e] (NULL: first + e) */
    size_t first;
    int B;
    aedl_mode mode;             /* TRAIN: with backward */
    double loss[AEDL_MAX_THREADS];   /* each thread's sum (aedl_mse_rows) */
} step_ctx;

static void step_rows(void *arg, int tid) {
    step_ctx *c = arg;
    aedl_run *r = c->r;
    const aedl_model_def *d = r->def;
    size_t nin = (size_t)d->n_in;
    int F = d->n_out, nt = aedl_team_size(r->team);
    aedl_par p = { .tid = tid, .nt = nt, .B = c->B, .team = r->team,
                   .grads = tid ? r->tgrads + (size_t)(tid - 1) * d->nparams : r->grads };
    aedl_par_rows(c->B, nt, tid, &p.lo, &p.n);
    int masked = r->cfg->loss == AEDL_LOSS_MASKED_MSE;
    const float *x;
    const uint8_t *mk = NULL;
    if (c->idx) {               /* the shuffled batch: gather this thread's rows */
        size_t rowb = nin * sizeof(float);
        for (int e = p.lo; e < p.lo + p.n; e++) {
            /* random rows of a large table: fetch the rows PF ahead from memory now */
            enum { PF = 12 };
            if (e + PF < p.lo + p.n) {
                const char *a = (const char *)(c->t->x + c->idx[e + PF] * nin);
                for (size_t k = 0; k < rowb; k += 64) __builtin_prefetch(a + k);
                __builtin_prefetch(a + rowb - 1);
            }
            size_t src = c->idx[e];
            memcpy(r->xb + (size_t)e * nin, c->t->x + src * nin, nin * sizeof(float));
            if (masked) memcpy(r->mb + (size_t)e * nin, c->t->mask + src * nin, nin);
        }
        x = r->xb + (size_t)p.lo * nin;
        mk = r->mb + (size_t)p.lo * nin;
    } else {
        x = c->t->x + (c->first + (size_t)p.lo) * nin;
        if (masked) mk = c->t->mask + (c->first + (size_t)p.lo) * nin;
    }
    d->forward_rows(r->model, &p, x, c->mode);
    const float *out = d->output(r->model) + (size_t)p.lo * (size_t)F;
    int train = c->mode == AEDL_MODE_TRAIN;
    float *dy = train ? r->dout + (size_t)p.lo * (size_t)F : NULL;
    c->loss[tid] = masked ? aedl_masked_mse_rows(dy, out, x, mk, p.n, F, c->B)
                          : aedl_mse_rows(dy, out, x, p.n, F, c->B);
    if (!train) return;
    aedl_zero(p.grads, (long)d->nparams);
    d->backward_rows(r->model, &p, r->dout);
}

/* The batch's mean loss from the threads' sums, in thread order. */
static double step_loss(const step_ctx *c, int nt, int F) {
    double s = 0;
    for (int t = 0; t < nt; t++) s += c->loss[t];
    return c->r->cfg->loss == AEDL_LOSS_MASKED_MSE ? s / c->B : s / ((double)c->B * F);
}

/* Mean loss of the model over table t in evaluation mode (validation). */
static double eval_loss(aedl_run *r, const aedl_table *t) {
    const aedl_model_def *d = r->def;
    double sum = 0;
    for (size_t i = 0; i < t->n; i += (size_t)r->batch) {
        int B = (int)(t->n - i < (size_t)r->batch ? t->n - i : (size_t)r->batch);
        step_ctx c = { .r = r, .t = t, .first = i, .B = B, .mode = AEDL_MODE_EVAL };
        d->prepare(r->model, B, AEDL_MODE_EVAL, &r->rng);
        aedl_team_run(r->team, step_rows, &c);
        sum += step_loss(&c, aedl_team_size(r->team), d->n_out) * B;
    }
    return t->n ? sum / (double)t->n : NAN;
}

static void prune_step(aedl_run *r) {
    const aedl_model_def *d = r->def;
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        if (t->prune < 0) continue;
        const aedl_prune_schedule *s = &d->prunes[t->prune];
        if (!aedl_prune_should_update(s, r->step)) continue;
        aedl_prune_update_mask(r->masks + t->offset, r->params + t->offset, (long)t->size,
                               aedl_prune_sparsity(s, r->step));
        aedl_prune_apply(r->params + t->offset, r->masks + t->offset, (long)t->size);
    }
}

static void apply_masks(aedl_run *r) {
    const aedl_model_def *d = r->def;
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        if (t->prune >= 0)
            aedl_prune_apply(r->params + t->offset, r->masks + t->offset, (long)t->size);
    }
}

/* The sparsity a pruning schedule ends at: the one of its last mask update
   (polynomial_decay: the last begin + k * frequency <= end), and that step. */
static double schedule_final(const aedl_prune_schedule *s, long *at) {
    long last = s->begin;
    if (s->kind == AEDL_PRUNE_POLYNOMIAL && s->end > s->begin)
        last = s->begin + (s->end - s->begin) / s->frequency * s->frequency;
    *at = last;
    return aedl_prune_sparsity(s, last);
}

/* 1 when every pruned tensor's mask keeps as many weights as its schedule's
   final sparsity does (1 too without pruning); else 0, and `why` names the
   first layer that does not and when its schedule gets there. */
static int at_final_sparsity(const aedl_run *r, char *why, size_t len) {
    const aedl_model_def *d = r->def;
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        if (t->prune < 0) continue;
        long at, n = (long)t->size, kept = 0;
        double fin = schedule_final(&d->prunes[t->prune], &at);
        for (long k = 0; k < n; k++) kept += r->masks[t->offset + (size_t)k] != 0.0f;
        if (kept == aedl_prune_keep_count(n, fin)) continue;
        if (why)
            snprintf(why, len, "layer %s has sparsity %.2f; its schedule '%s' reaches %.2f at step %ld",
                     t->layer, (double)(n - kept) / (double)(n ? n : 1), d->prune_names[t->prune], fin, at);
        return 0;
    }
    return 1;
}

static int any_pruned(const aedl_run *r) {
    for (int i = 0; i < r->def->ntensors; i++)
        if (r->def->tensors[i].prune >= 0) return 1;
    return 0;
}

static void snapshot(aedl_run *r, int restore) {
    const aedl_model_def *d = r->def;
    size_t pb = d->nparams * sizeof(float), bb = d->nbuffers * sizeof(float);
    if (restore) {
        memcpy(r->params, r->best_params, pb);
        memcpy(r->masks, r->best_masks, pb);
        memcpy(r->buffers, r->best_buffers, bb);
    } else {
        memcpy(r->best_params, r->params, pb);
        memcpy(r->best_masks, r->masks, pb);
        memcpy(r->best_buffers, r->buffers, bb);
    }
}

static void push_history(aedl_run *r, aedl_hist_row row) {
    if (r->nhist == r->cap_hist) {
        r->cap_hist = r->cap_hist ? 2 * r->cap_hist : 64;
        r->hist = xrealloc(r->hist, (size_t)r->cap_hist * sizeof *r->hist);
        r->hist_sp = xrealloc(r->hist_sp, (size_t)r->cap_hist * (size_t)r->n_sp * sizeof *r->hist_sp + 1);
    }
    for (int k = 0; k < r->n_sp; k++)
        r->hist_sp[(size_t)r->nhist * (size_t)r->n_sp + (size_t)k] = aedl_run_sparsity(r, r->sp_layers[k]);
    r->hist[r->nhist++] = row;
}

/* Runs the batches of the current epoch from r->batch_pos.  Returns 0 when the
   epoch is complete, 1 when interrupted (state saved up to the last batch),
   2 when the loss became NaN (terminate_on_nan). */
static int run_batches(aedl_run *r, int tty) {
    const aedl_model_def *d = r->def;
    size_t n = r->tr.n;
    long nbatches = (long)((n + (size_t)r->batch - 1) / (size_t)r->batch);
    /* The permutation depends only on the rng state at the start of the epoch,
       so an interrupted epoch is replayed exactly. */
    aedl_rng saved = r->rng;
    r->rng = r->rng_epoch;
    for (size_t i = 0; i < n; i++) r->perm[i] = i;
    aedl_rng_shuffle(&r->rng, r->perm, n);
    if (r->batch_pos > 0) r->rng = saved;
    double t0 = aedl_now() - r->epoch_seconds, last_bar = 0;
    int nt = aedl_team_size(r->team);
    long first = r->batch_pos;
    char point[32];
    snprintf(point, sizeof point, "epoch:%d", r->epoch + 1);
    for (long b = r->batch_pos; b < nbatches; b++) {
        size_t lo = (size_t)b * (size_t)r->batch;
        int B = (int)(n - lo < (size_t)r->batch ? n - lo : (size_t)r->batch);
        prune_step(r);
        step_ctx c = { .r = r, .t = &r->tr, .idx = r->perm + lo, .B = B, .mode = AEDL_MODE_TRAIN };
        d->prepare(r->model, B, AEDL_MODE_TRAIN, &r->rng);
        aedl_team_run(r->team, step_rows, &c);
        double loss = step_loss(&c, nt, d->n_out);
        if (r->cfg->terminate_on_nan &&
            (aedl_terminate_on_nan_step(&r->tn, r->step, loss) & AEDL_CB_STOP)) {
            r->loss_sum += loss * B; r->loss_events += B;
            return 2;
        }
        for (int t = 1; t < nt; t++)
            aedl_add_into(r->grads, r->tgrads + (size_t)(t - 1) * d->nparams, (long)d->nparams);
        d->finish(r->model, r->grads);
        aedl_adam_step(&r->adam, r->params, r->grads, r->m1, r->m2, (long)d->nparams);
        apply_masks(r);
        r->step++;
        r->loss_sum += loss * B; r->loss_events += B;
        r->batch_pos = b + 1;
        double now = aedl_now();
        r->epoch_seconds = now - t0;
        if (tty && (now - last_bar > 0.1 || b + 1 == nbatches)) {
            last_bar = now;
            progress_bar(r, (long)(lo + (size_t)B), (long)n, r->epoch_seconds,
                         r->loss_sum / (double)r->loss_events);
        }
        if (b == first) aedl_test_pause(point);
        if (interrupted) return 1;
    }
    return 0;
}

static void epoch_line(const aedl_run *r, const aedl_hist_row *h, int tty) {
    if (r->quiet) return;
    if (tty) fputc('\r', stderr);
    fprintf(stderr, "epoch %d/%d  loss %.6g  val_loss %.6g  lr %.3g", h->epoch, r->epochs, h->loss,
            h->val_loss, h->lr);
    const aedl_model_def *d = r->def;
    int any = 0;
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        if (t->prune < 0) continue;
        fprintf(stderr, "%s %s %.2f", any ? "," : "  sparsity", t->layer,
                aedl_prune_mask_sparsity(r->masks + t->offset, (long)t->size));
        any = 1;
    }
    char rs[32];
    fmt_rate(rs, sizeof rs, h->seconds > 0 ? (double)r->tr.n / h->seconds : 0.0);
    /* this run's part of the epoch (all of it unless resumed mid-epoch) */
    fprintf(stderr, "  %.2f s  %s events/s  (training %.3f s, cpu %.3f s; validation %.3f s, cpu %.3f s; %d thread%s)%s\n",
            h->seconds, rs, r->ep_train_s, r->ep_train_cpu, r->ep_val_s, r->ep_val_cpu,
            aedl_team_size(r->team), aedl_team_size(r->team) > 1 ? "s" : "", tty ? "          " : "");
}

/* The whole loop.  Returns 0, or 130 after an interruption (checkpoint written). */
static int train_loop(aedl_run *r) {
    const aedl_train_cfg *c = r->cfg;
    int tty = isatty(2) && !r->quiet;
    char *hist_path = path_in(r->outdir, "history.csv");
    while (!r->finished && r->epoch < r->epochs) {
        if (r->batch_pos == 0) {
            r->rng_epoch = r->rng;
            r->loss_sum = 0; r->loss_events = 0; r->epoch_seconds = 0;
        }
        double lr = r->adam.lr;
        double w0 = aedl_now(), c0 = cpu_now();
        int st = run_batches(r, tty);
        r->ep_train_s = aedl_now() - w0; r->ep_train_cpu = cpu_now() - c0;
        if (st == 1) {
            if (tty) fputc('\n', stderr);
            int ok = write_checkpoint(r) == 0;
            fprintf(stderr, "%s: interrupted in epoch %d after %ld batch(es); %s%s%s\n",
                    aedl_progname, r->epoch + 1, r->batch_pos,
                    ok ? "checkpoint written to " : "the last good checkpoint is kept",
                    ok ? r->ckpt_path : "", "; continue with --resume");
            free(hist_path);
            return 130;
        }
        aedl_hist_row h = { .epoch = r->epoch + 1, .lr = lr };
        h.loss = r->loss_events ? r->loss_sum / (double)r->loss_events : NAN;
        double tv = aedl_now(), cv = cpu_now();
        h.val_loss = st == 2 ? NAN : eval_loss(r, &r->va);
        r->ep_val_s = aedl_now() - tv; r->ep_val_cpu = cpu_now() - cv;
        h.seconds = r->epoch_seconds + r->ep_val_s;
        h.sparsity = aedl_run_sparsity(r, NULL);
        r->epoch++;
        r->batch_pos = 0;
        push_history(r, h);
        epoch_line(r, &h, tty);
        if (st == 2) {
            r->finished = 1;
            snprintf(r->stop_reason, sizeof r->stop_reason,
                     "terminate_on_nan: the loss became NaN at step %ld (epoch %d)", r->tn.at, h.epoch);
        } else {
            double mon_rl = c->rl_monitor == AEDL_MON_LOSS || r->va.n == 0 ? h.loss : h.val_loss;
            double mon_es = c->es_monitor == AEDL_MON_LOSS || r->va.n == 0 ? h.loss : h.val_loss;
            if (c->reduce_lr) {
                double nlr = r->adam.lr;
                if (aedl_reduce_lr_step(&r->rl, h.epoch - 1, mon_rl, &nlr) & AEDL_CB_SET_LR) {
                    aedl_say(r, "reduce_lr_on_plateau: learning rate %.3g -> %.3g\n", r->adam.lr, nlr);
                    r->adam.lr = nlr;
                }
            }
            if (c->early_stop) {
                /* with pruning, early stopping watches the epochs at the schedules'
                   final sparsity only: the best epoch is one of them, and the run
                   does not stop before the pruning is done */
                int act = at_final_sparsity(r, NULL, 0) ? aedl_early_stopping_step(&r->es, h.epoch - 1, mon_es)
                                                        : AEDL_CB_NONE;
                if (act & AEDL_CB_SNAPSHOT) snapshot(r, 0);
                if (act & AEDL_CB_STOP) {
                    r->finished = 1;
                    snprintf(r->stop_reason, sizeof r->stop_reason,
                             "early_stopping: no improvement for %d epochs (best epoch %d)",
                             c->es_patience, r->es.best_epoch + 1);
                }
            }
        }
        if (r->finished) aedl_say(r, "%s\n", r->stop_reason);
        if (aedl_write_history(r, hist_path) != 0)
            fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, hist_path,
                    strerror(errno));
        write_checkpoint(r);
        if (interrupted) {
            fprintf(stderr, "%s: interrupted after epoch %d; checkpoint %s; continue with --resume\n",
                    aedl_progname, r->epoch, r->ckpt_path);
            free(hist_path);
            return 130;
        }
    }
    free(hist_path);
    return 0;
}

/* ---------------------------------------------------------------- main */

static void free_run(aedl_run *r) {
    if (r->model) r->def->destroy(r->model);
    aedl_table_free(&r->tr); aedl_table_free(&r->va); aedl_table_free(&r->te);
    aedl_table_free(&r->all);
    for (int i = 0; r->sig && i < r->cfg->nsignals; i++) aedl_table_free(&r->sig[i]);
    free(r->sig);
    if (r->have_scaler) aedl_scaler_free(&r->scaler);
    float *blocks[] = { r->params, r->grads, r->m1, r->m2, r->masks, r->buffers, r->best_params,
                        r->best_masks, r->best_buffers };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) free(blocks[i]);
    free(r->perm); free(r->xb); free(r->dout); free(r->mb); free(r->hist); free(r->hist_sp); free(r->sp_layers);
    aedl_team_free(r->team); free(r->tgrads);
    free(r->ckpt_path); free(r->weights_path);
    aedl_locate_free(r);
}

int aedl_train_main(const aedl_model_def *def, const aedl_train_cfg *cfg, int argc, char **argv) {
    aedl_run run, *r = &run;
    memset(r, 0, sizeof run);
    r->def = def; r->cfg = cfg;
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    aedl_progname = slash ? slash + 1 : (argc > 0 ? argv[0] : def->name);
    aedl_locate(r, argc > 0 ? argv[0] : NULL);
    int st = parse_options(r, argc, argv);
    if (st >= 0) { aedl_locate_free(r); return st; }
    r->blas_threads = r->threads > 0 ? r->threads : openblas_get_num_threads();
    if (aedl_mkdirs(r->outdir) != 0) aedl_fatal("cannot create %s: %s", r->outdir, strerror(errno));
    char lock_err[4300];
    if (aedl_outdir_lock(r->outdir, lock_err, sizeof lock_err) != 0) aedl_fatal("%s", lock_err);
    aedl_die_on_signals(NULL);
    size_t nlen = strlen(def->name) + 16;
    char *name = xmalloc(nlen);
    snprintf(name, nlen, "%s.ckpt", def->name);
    r->ckpt_path = path_in(r->outdir, name);
    snprintf(name, nlen, "%s.weights.h5", def->name);
    r->weights_path = path_in(r->outdir, name);
    free(name);

    load_data(r);
    alloc_blocks(r);
    if (r->resume) read_checkpoint(r);
    else fresh_state(r);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    double t0 = aedl_now();
    int epochs_before = r->epoch;
    /* Each training thread calls OpenBLAS on its rows: one OpenBLAS thread each. */
    openblas_set_num_threads(1);
    st = train_loop(r);
    openblas_set_num_threads(r->blas_threads);
    if (st != 0) { free_run(r); return st; }
    size_t mlen = strlen(r->ckpt_path) + strlen(aedl_progname) + 200;
    char *msg = xmalloc(mlen);
    snprintf(msg, mlen, "\n%s: interrupted after training; run again with --resume (checkpoint %s) to "
             "write the weights and the evaluation\n", aedl_progname, r->ckpt_path);
    aedl_die_on_signals(msg);
    free(msg);
    if (cfg->early_stop && (aedl_early_stopping_end(&r->es) & AEDL_CB_RESTORE)) {
        snapshot(r, 1);
        if (any_pruned(r))
            aedl_say(r, "early_stopping: restored the weights of epoch %d (sparsity %.2f, the pruning's final)\n",
                     r->es.best_epoch + 1, aedl_run_sparsity(r, NULL));
        else
            aedl_say(r, "early_stopping: restored the weights of epoch %d\n", r->es.best_epoch + 1);
    }
    char why[512];
    int short_of_schedule = !at_final_sparsity(r, why, sizeof why);
    if (short_of_schedule) {
        char msg[1024];
        snprintf(msg, sizeof msg, "pruning: the model is less sparse than its pruning schedule (sparsity %.2f): %s; "
                 "the run ended at step %ld%s", aedl_run_sparsity(r, NULL), why, r->step,
                 cfg->early_stop && cfg->es_restore_best
                     ? "; no epoch reached the final sparsity, so early_stopping restored none and the last "
                       "epoch's weights are kept" : "");
        if (!r->quiet) fprintf(stderr, "%s: warning: %s\n", aedl_progname, msg);
        aedl_add_warning(r, "%s", msg);
    }
    double train_s = aedl_now() - t0;

    char err[1024];
    if (aedl_write_weights(r, r->weights_path, err, sizeof err) != 0) aedl_fatal("%s", err);
    aedl_say(r, "weights: %s\n", r->weights_path);
    r->fw_compared = -1;
    int bad = r->no_eval ? 0 : aedl_evaluate(r);
    /* The final summary (also with --quiet). */
    const aedl_hist_row *h = r->nhist ? &r->hist[r->nhist - 1] : NULL;
    printf("%s: %d epoch(s) (%d in this run, %.1f s)", def->name, r->epoch,
           r->epoch - epochs_before, train_s);
    if (h) printf(", last loss %.6g, val_loss %.6g", h->loss, h->val_loss);
    if (r->fw_compared >= 0 && r->fw_guaranteed)
        printf("; firmware == quantized model on %ld/%ld test events", r->fw_equal, r->fw_compared);
    else if (r->fw_compared >= 0)
        printf("; firmware not guaranteed (float parts): max |fw - float| %.4g, mean %.4g on %ld test events",
               r->fw_err_max, r->fw_err_mean, r->fw_compared);
    else
        printf("; no firmware emulation");
    if (short_of_schedule) printf("; less sparse than its pruning schedule (sparsity %.2f)", aedl_run_sparsity(r, NULL));
    if (r->nwarnings) printf("; %d warning(s)%s", r->nwarnings, r->no_eval ? "" : " (eval/summary.json)");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                 (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    printf("; cpu %.1f s; peak memory %.1f MB; results in %s\n", cpu, (double)ru.ru_maxrss / 1024.0,
           r->outdir);
    free_run(r);
    return bad ? 1 : 0;
}
