/* train.c — the generic training driver (see train.h): options, data, the
 * epoch loop (QAT forward/backward from the generated model, Adam, pruning,
 * callbacks), progress output; checkpoints and --resume through ckpt.c. */
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
#include "nn.h"
#include "optim.h"
#include "proc.h"
#include "prune.h"
#include "train_int.h"
#include "util.h"

/* ---------------------------------------------------------------- output */

void aedl_say(const aedl_run *r, const char *fmt, ...) {
    if (r->opt.quiet) return;
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
        "  --weights W.h5  start from these weights (a weights file of this model:\n"
        "                written by training or by aedlc import) instead of the init\n"
        "  --quiet       print only errors and the final summary\n"
        "  --no-eval     train and write the weights only: no evaluation, no firmware\n"
        "  --write-data FILE.h5|FILE.csv\n"
        "                write the training events after the object selection and\n"
        "                padding (before scaling), a named column each, and stop\n"
        "  -o DIR        output folder (default: %s)\n"
        "  --aedl FILE   the .aedl file this program was made from (default: %s)\n"
        "  --help        this text\n"
        "\n"
        "Applying the trained model (`aedlc predict` runs this):\n"
        "  --predict DATA     score every event of DATA (HDF5, or CSV: .csv/.txt) with\n"
        "                     DIR's weights, preprocessing and firmware plan\n"
        "  --dataset NAME     its HDF5 dataset (default: the data block's)\n"
        "  --format csv|hdf5  how to read DATA (default: by its name)\n"
        "  --weights FILE     weights (default: DIR/MODEL.weights.h5)\n"
        "  --plan FILE        the firmware plan (default: DIR/firmware.plan, when there)\n"
        "  --predict-out FILE where to write: .h5, or .csv (default: DIR/predict/DATA.h5)\n"
        "  --firmware-only    only the firmware emulation's score and outputs (fastest)\n"
        "  --check-quantized  run the quantized model on every event even where the\n"
        "                     firmware plan gives its values, and compare (exit 1 on a\n"
        "                     difference)\n",
        aedl_progname, r->def->name, r->loc.aedl_file, r->def->name, c->epochs, c->batch, c->limit,
        c->data_seed, AEDL_MAX_THREADS, r->def->name, r->loc.home, r->loc.aedl_file);
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
    r->opt.epochs = c->epochs; r->opt.batch = c->batch; r->opt.limit = c->limit; r->opt.seed = c->data_seed;
    r->opt.threads = 0; r->opt.outdir = r->loc.home;
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
        else if (!strcmp(a, "--epochs")) { NEED_NUM(1); r->opt.epochs = (int)v; }
        else if (!strcmp(a, "--batch")) { NEED_NUM(1); r->opt.batch = (int)v; }
        else if (!strcmp(a, "--limit")) { NEED_NUM(-1); r->opt.limit = v == 0 ? -1 : v; }
        else if (!strcmp(a, "--seed")) { NEED_NUM(0); r->opt.seed = v; }
        else if (!strcmp(a, "--threads")) {
            NEED_NUM(1);
            if (v > AEDL_MAX_THREADS) {
                fprintf(stderr, "%s: error: --threads %ld: at most %d\n", aedl_progname, v, AEDL_MAX_THREADS);
                return 2;
            }
            r->opt.threads = (int)v;
        }
        else if (!strcmp(a, "--predict") || !strcmp(a, "--dataset") || !strcmp(a, "--format") ||
                 !strcmp(a, "--plan") || !strcmp(a, "--predict-out")) {
            if (!has_val || !argv[i + 1][0]) {
                fprintf(stderr, "%s: error: %s needs a value\n", aedl_progname, a);
                return 2;
            }
            const char *v = argv[++i];
            aedl_predict_opts *p = &r->opt.pred;
            if (!strcmp(a, "--predict")) p->data = v;
            else if (!strcmp(a, "--dataset")) p->dataset = v;
            else if (!strcmp(a, "--plan")) p->plan = v;
            else if (!strcmp(a, "--predict-out")) p->out = v;
            else if (strcmp(v, "csv") && strcmp(v, "hdf5")) {
                fprintf(stderr, "%s: error: --format %s: expected csv or hdf5\n", aedl_progname, v);
                return 2;
            } else p->format = v;
        }
        else if (!strcmp(a, "--firmware-only")) r->opt.pred.firmware_only = 1;
        else if (!strcmp(a, "--check-quantized")) r->opt.pred.check_quantized = 1;
        else if (!strcmp(a, "--resume")) r->opt.resume = 1;
        else if (!strcmp(a, "--weights")) {
            if (!has_val) { fprintf(stderr, "%s: error: --weights needs a weights file\n", aedl_progname); return 2; }
            r->opt.init_weights = argv[++i];
        }
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) r->opt.quiet = 1;
        else if (!strcmp(a, "--no-eval")) r->opt.no_eval = 1;
        else if (!strcmp(a, "--write-data")) {
            if (!has_val) { fprintf(stderr, "%s: error: --write-data needs a file (.h5 or .csv)\n", aedl_progname); return 2; }
            r->opt.write_data = argv[++i];
        }
        else if (!strcmp(a, "-o")) {
            if (!has_val) { fprintf(stderr, "%s: error: -o needs a folder\n", aedl_progname); return 2; }
            r->opt.outdir = argv[++i];
        } else if (!strcmp(a, "--aedl")) {
            if (!has_val) { fprintf(stderr, "%s: error: --aedl needs a file\n", aedl_progname); return 2; }
            aedl_set_aedl_file(&r->loc, argv[++i]);
        } else {
            fprintf(stderr, "%s: error: unknown option '%s' (see --help)\n", aedl_progname, a);
            return 2;
        }
#undef NEED_NUM
    }
    /* --weights: with --predict the weights to score with, else the start of training */
    aedl_predict_opts *p = &r->opt.pred;
    if (p->data) {
        p->weights = r->opt.init_weights;
        r->opt.init_weights = NULL;
    }
    if (r->opt.resume && r->opt.init_weights) {
        fprintf(stderr, "%s: error: --resume continues from the checkpoint; --weights starts a new run: give one\n",
                aedl_progname);
        return 2;
    }
    if (p->firmware_only && p->check_quantized) {
        fprintf(stderr, "%s: error: --firmware-only runs no quantized model for --check-quantized to check: give one\n",
                aedl_progname);
        return 2;
    }
    if (!p->data && (p->dataset || p->format || p->plan || p->out || p->firmware_only || p->check_quantized)) {
        fprintf(stderr, "%s: error: --dataset, --format, --plan, --predict-out, --firmware-only and --check-quantized go "
                "with --predict DATA\n",
                aedl_progname);
        return 2;
    }
    if (r->opt.epochs > 1000000 || r->opt.batch > 1 << 24) {
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

/* Progress of an object selection: a line per file read. */
static void selection_progress(void *arg, const char *file, long long read, long long kept) {
    const aedl_source *s = arg;
    fprintf(stderr, "%s: data %s: %s: %lld events read, %lld kept\n", aedl_progname, s->name, file, read, kept);
}

static void load_source(const aedl_model_def *d, const aedl_train_cfg *c, const aedl_run_opts *o,
                        const aedl_source *s, int is_train, aedl_table *t) {
    size_t shape = (size_t)d->n_in;
    aedl_selection sel;
    if (c->selection) {
        sel = *c->selection;
        sel.files = s->files;
        sel.nfiles = s->nfiles;
        sel.tree = s->tree;
        sel.progress = o->quiet ? NULL : selection_progress;
        sel.progress_arg = (void *)s;
    }
    aedl_data_spec sp = {
        .kind = s->kind, .path = s->path, .dataset = s->dataset,
        .features = c->nfeatures ? c->features : NULL, .nfeatures = (size_t)c->nfeatures,
        .flatten = c->flatten,
        .limit = is_train && o->limit > 0 ? (size_t)o->limit : 0,
        .shuffle = is_train, .seed = (uint64_t)o->seed,
        .input_shape = &shape, .input_rank = 1,
        .want_mask = c->loss == AEDL_LOSS_MASKED_MSE || c->score == AEDL_LOSS_MASKED_MSE,
        .sel = c->selection ? &sel : NULL,
    };
    char err[1024];
    if (aedl_data_load(&sp, t, err, sizeof err) != 0) aedl_fatal("%s", err);
    if (t->warning[0]) aedl_warn("%s", t->warning);
}

/* The data block's preprocessing for d features: its rules, named by `names` or by the
   training file's names (Particles_Names, the CSV header). */
int aedl_prep_setup(const aedl_train_cfg *c, aedl_scaler *s, size_t d, char *err, size_t errlen) {
    char **fnames = NULL;
    size_t nf = 0;
    const char *const *names = c->names;
    size_t nn = (size_t)c->nnames;
    if (!nn) {
        aedl_data_spec sp = { .kind = c->train.kind, .path = c->train.path, .dataset = c->train.dataset,
                              .features = c->nfeatures ? c->features : NULL, .nfeatures = (size_t)c->nfeatures };
        if (aedl_data_names(&sp, &fnames, &nf, err, errlen) != 0) return -1;
        names = (const char *const *)fnames;
        nn = nf;
    }
    int standard_all = c->standard_scale;
    for (int i = 0; i < c->nprep; i++) standard_all &= c->prep[i].op != AEDL_PREP_STANDARD;
    int rc = aedl_prep_build(s, d, c->prep, c->nprep, standard_all, names, nn, c->train.path, err, errlen);
    aedl_names_free(fnames, nf);
    return rc;
}

/* Hardware inputs (the target's hardware_inputs): the firmware takes feature j in its
   hardware type H_j, the raw value (or, not declared, the scaled one in the model input's
   type), and scales it in fixed point (the plan's hw_input layer).  t->xhw gets those
   values, t->x the model's input as the firmware computes it, so that every later step
   (training, the quantized model, the emulator on xhw) sees the same numbers. */
float *aedl_hw_raw(const aedl_table *t) {
    float *raw = xmalloc(sizeof(float) * (t->n * t->d + 1));
    memcpy(raw, t->x, sizeof(float) * t->n * t->d);
    return raw;
}

void aedl_hw_layer(const aedl_train_cfg *c, const aedl_scaler *s, aedl_fw_layer *a) {
    char why[512];
    memset(a, 0, sizeof *a);
    if (aedl_fw_hwin_from_scaling(a, c->nhw, c->hw_types, c->hw_in_t, s ? s->mean : NULL, s ? s->std : NULL,
                                  s ? s->offset : NULL, s ? s->divisor : NULL, why, (int)sizeof why) != 0)
        aedl_fatal("hardware_inputs: %s", why);
}

void aedl_hw_apply(const aedl_train_cfg *c, const aedl_fw_layer *a, aedl_table *t, float *raw) {
    size_t d = t->d;
    if (d != (size_t)c->nhw)
        aedl_fatal("%s: the data have %zu features, hardware_inputs were declared for %d", t->source ? t->source : "data",
                   d, c->nhw);
    t->xhw = xmalloc(sizeof(float) * (t->n * d + 1));
    int er = aedl_fw_exp(a->res_t);
    for (size_t j = 0; j < d; j++) {
        aedl_fixed h = aedl_fw_hwin_type(a, (int)j);
        int eh = aedl_fw_exp(h);
        bool declared = c->hw_types[j].width != 0;   /* else it arrives scaled */
        for (size_t i = 0; i < t->n; i++) {
            size_t k = i * d + j;
            double v = declared ? raw[k] : t->x[k];
            t->xhw[k] = (float)ldexp((double)aedl_fw_from_double(v, h), eh);
            t->x[k] = (float)ldexp((double)aedl_fw_hwin_value(a, (int)j, v), er);
        }
    }
}

static void load_data(aedl_run *r) {
    const aedl_train_cfg *c = r->cfg;
    char err[1024];
    double t0 = aedl_now();
    load_source(r->def, c, &r->opt, &c->train, 1, &r->data.all);
    if (aedl_split(&r->data.all, c->validation, c->test, &r->data.tr, &r->data.va, &r->data.te, err, sizeof err) != 0)
        aedl_fatal("%s", err);
    r->data.sig = xcalloc((size_t)(c->nsignals ? c->nsignals : 1), sizeof *r->data.sig);
    int nsig = r->opt.no_eval ? 0 : c->nsignals;   /* signals serve the evaluation only */
    for (int i = 0; i < nsig; i++) load_source(r->def, c, &r->opt, &c->signals[i], 0, &r->data.sig[i]);
    /* hardware inputs: the raw values, before the scaling */
    float **raw = NULL;
    if (c->nhw) {
        raw = xcalloc((size_t)nsig + 1, sizeof *raw);
        for (int i = 0; i <= nsig; i++) raw[i] = aedl_hw_raw(i ? &r->data.sig[i - 1] : &r->data.all);
    }
    if (c->standard_scale || c->nprep) {
        if (aedl_prep_setup(c, &r->data.scaler, r->data.all.d, err, sizeof err) != 0) aedl_fatal("%s", err);
        r->data.have_scaler = 1;
        if (aedl_prep_check(&r->data.scaler, &r->data.all, err, sizeof err) != 0) aedl_fatal("%s", err);
        for (int i = 0; i < nsig; i++) {
            if (r->data.sig[i].d != r->data.all.d)
                aedl_fatal("%s: signal '%s' has %zu features, the training data %zu",
                           c->signals[i].path, c->signals[i].name, r->data.sig[i].d, r->data.all.d);
            if (aedl_prep_check(&r->data.scaler, &r->data.sig[i], err, sizeof err) != 0) aedl_fatal("%s", err);
        }
        aedl_prep_fit(&r->data.scaler, &r->data.tr);
        aedl_scaler_apply(&r->data.scaler, &r->data.all);
        for (int i = 0; i < nsig; i++) aedl_scaler_apply(&r->data.scaler, &r->data.sig[i]);
        char *sp = path_in(r->opt.outdir, "scaler.h5");
        if (aedl_scaler_save(&r->data.scaler, sp, err, sizeof err) != 0) aedl_fatal("%s", err);
        free(sp);
    }
    if (c->nhw) {
        aedl_hw_layer(c, r->data.have_scaler ? &r->data.scaler : NULL, &r->data.hw);
        for (int i = 0; i <= nsig; i++) {
            aedl_hw_apply(c, &r->data.hw, i ? &r->data.sig[i - 1] : &r->data.all, raw[i]);
            free(raw[i]);
        }
        free(raw);
        aedl_table *v[] = { &r->data.tr, &r->data.va, &r->data.te };
        for (int i = 0; i < 3; i++) v[i]->xhw = r->data.all.xhw + (v[i]->x - r->data.all.x);
    }
    /* the features' names, for summary.json and the plots */
    aedl_scaler nm;
    aedl_train_cfg plain = *c;
    plain.nprep = 0;
    plain.standard_scale = 0;
    const aedl_scaler *with = r->data.have_scaler ? &r->data.scaler : NULL;
    if (!with && aedl_prep_setup(&plain, &nm, r->data.all.d, err, sizeof err) == 0) with = &nm;
    if (with && with->names) {
        r->data.names = xcalloc(r->data.all.d, sizeof *r->data.names);
        for (size_t j = 0; j < r->data.all.d; j++) r->data.names[j] = xstrdup(with->names[j]);
    }
    if (with == &nm) aedl_scaler_free(&nm);
    aedl_say(r, "data: %zu events (%zu train, %zu validation, %zu test)", r->data.all.n, r->data.tr.n,
             r->data.va.n, r->data.te.n);
    for (int i = 0; i < nsig; i++) aedl_say(r, ", %s %zu", c->signals[i].name, r->data.sig[i].n);
    aedl_say(r, "; %.2f s\n", aedl_now() - t0);
    if (r->data.tr.n == 0) aedl_fatal("%s: no training events left after the split", c->train.path);
}

/* ---------------------------------------------------------------- model state */

static void alloc_blocks(aedl_run_blocks *b, const aedl_model_def *d, int batch) {
    size_t np = d->nparams, nb = d->nbuffers ? d->nbuffers : 1;
    b->params = xcalloc(np, sizeof(float));
    b->grads = xcalloc(np, sizeof(float));
    b->m1 = xcalloc(np, sizeof(float));
    b->m2 = xcalloc(np, sizeof(float));
    b->masks = xcalloc(np, sizeof(float));
    b->buffers = xcalloc(nb, sizeof(float));
    b->best_params = xcalloc(np, sizeof(float));
    b->best_masks = xcalloc(np, sizeof(float));
    b->best_buffers = xcalloc(nb, sizeof(float));
    b->model = d->create(batch, b->params, b->buffers);
}

static void free_blocks(aedl_run_blocks *b, const aedl_model_def *d) {
    if (b->model) d->destroy(b->model);
    float *blocks[] = { b->params, b->grads, b->m1, b->m2, b->masks, b->buffers, b->best_params,
                        b->best_masks, b->best_buffers };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) free(blocks[i]);
}

/* The team (*threads: --threads, else one thread per processor) and the
   step's buffers. */
static void alloc_work(aedl_run_work *w, const aedl_model_def *d, size_t n_train, int batch, int *threads) {
    int nt = *threads;
    if (nt <= 0) {
        long np = sysconf(_SC_NPROCESSORS_ONLN);
        nt = np < 1 ? 1 : np > AEDL_MAX_THREADS ? AEDL_MAX_THREADS : (int)np;
    }
    *threads = nt;
    w->team = aedl_team_new(nt);
    w->tgrads = xcalloc((size_t)(nt - 1) * d->nparams + 1, sizeof(float));
    size_t nin = (size_t)d->n_in, nout = (size_t)d->n_out;
    w->perm = xmalloc((n_train ? n_train : 1) * sizeof(size_t));
    w->xb = xmalloc((size_t)batch * nin * sizeof(float));
    w->dout = xmalloc((size_t)batch * nout * sizeof(float));
    w->mb = xmalloc((size_t)batch * nin);
}

static void free_work(aedl_run_work *w) {
    free(w->perm); free(w->xb); free(w->dout); free(w->mb);
    aedl_team_free(w->team); free(w->tgrads);
}

/* The layers with pruned weights: history.csv's sparsity_LAYER columns. */
static void history_init(aedl_history *h, const aedl_model_def *d) {
    h->sp_layers = xmalloc(((size_t)d->ntensors + 1) * sizeof *h->sp_layers);
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        int seen = t->prune < 0;
        for (int k = 0; k < h->n_sp && !seen; k++) seen = strcmp(h->sp_layers[k], t->layer) == 0;
        if (!seen) h->sp_layers[h->n_sp++] = t->layer;
    }
}

static void init_params(aedl_run_blocks *b, const aedl_model_def *d, aedl_rng *rng) {
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        float *w = (t->trainable ? b->params : b->buffers) + t->offset;
        switch (t->init) {
        case AEDL_INIT_ZEROS: aedl_init_zeros(w, (long)t->size); break;
        case AEDL_INIT_ONES: aedl_fill(w, (long)t->size, 1.0f); break;
        case AEDL_INIT_HE_UNIFORM: aedl_init_he_uniform(w, (long)t->size, t->fan_in, rng); break;
        case AEDL_INIT_GLOROT_UNIFORM:
            aedl_init_glorot_uniform(w, (long)t->size, t->fan_in, t->fan_out, rng); break;
        }
    }
    aedl_prune_mask_init(b->masks, (long)d->nparams);
}

/* A new run: the rng seeded, the parameters initialized, the optimizer and
   callbacks as the train block says. */
static void fresh_state(aedl_train_state *st, aedl_run_blocks *b, const aedl_model_def *d,
                        const aedl_train_cfg *c, long seed) {
    aedl_rng_seed(&st->rng, (uint64_t)seed ^ 0x5452414eULL);   /* "TRAN": not the data stream */
    init_params(b, d, &st->rng);
    st->adam = aedl_adam_new(c->lr);
    st->adam.beta1 = c->beta1; st->adam.beta2 = c->beta2; st->adam.eps = c->adam_eps;
    st->rl = aedl_reduce_lr_new(c->rl_factor, c->rl_patience, c->rl_min_delta, c->rl_cooldown, c->rl_min_lr);
    st->es = aedl_early_stopping_new(c->es_patience, c->es_min_delta, c->es_restore_best);
    st->tn = aedl_terminate_on_nan_new();
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

static void progress_bar(int epoch, int epochs, long done, long total, double seconds, double loss) {
    int width = 28, fill = total ? (int)((double)width * (double)done / (double)total) : width;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[width] = 0;
    double rate = seconds > 0 ? (double)done / seconds : 0;
    char left[32], rs[32];
    fmt_duration(left, sizeof left, rate > 0 ? (double)(total - done) / rate : -1);
    fmt_rate(rs, sizeof rs, rate);
    fprintf(stderr, "\repoch %d/%d [%s] %3d%%  %s events/s  loss %.5g  left %s   ", epoch,
            epochs, bar, total ? (int)(100 * done / total) : 100, rs, loss, left);
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
    double kl[AEDL_MAX_THREADS];     /* a VAE: each thread's sum of the events' KL (aedl_kl_rows) */
} step_ctx;

static void step_rows(void *arg, int tid) {
    step_ctx *c = arg;
    aedl_run *r = c->r;
    const aedl_model_def *d = r->def;
    size_t nin = (size_t)d->n_in;
    int F = d->n_out, nt = aedl_team_size(r->work.team);
    aedl_par p = { .tid = tid, .nt = nt, .B = c->B, .team = r->work.team,
                   .grads = tid ? r->work.tgrads + (size_t)(tid - 1) * d->nparams : r->blk.grads };
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
            memcpy(r->work.xb + (size_t)e * nin, c->t->x + src * nin, nin * sizeof(float));
            if (masked) memcpy(r->work.mb + (size_t)e * nin, c->t->mask + src * nin, nin);
        }
        x = r->work.xb + (size_t)p.lo * nin;
        mk = r->work.mb + (size_t)p.lo * nin;
    } else {
        x = c->t->x + (c->first + (size_t)p.lo) * nin;
        if (masked) mk = c->t->mask + (c->first + (size_t)p.lo) * nin;
    }
    d->forward_rows(r->blk.model, &p, x, c->mode);
    const float *out = d->output(r->blk.model) + (size_t)p.lo * (size_t)F;
    int train = c->mode == AEDL_MODE_TRAIN;
    float *dy = train ? r->work.dout + (size_t)p.lo * (size_t)F : NULL;
    c->loss[tid] = masked ? aedl_masked_mse_rows(dy, out, x, mk, p.n, F, c->B)
                          : aedl_mse_rows(dy, out, x, p.n, F, c->B);
    if (r->cfg->vae) {   /* reco_weight * reco; the KL term's gradient is the sample layer's backward */
        size_t Z = (size_t)d->n_z;
        c->kl[tid] = aedl_kl_rows(NULL, d->z_mu(r->blk.model) + (size_t)p.lo * Z,
                                  d->z_logvar(r->blk.model) + (size_t)p.lo * Z, p.n, d->n_z);
        float w = (float)r->cfg->reco_weight;
        if (dy && w != 1.0f)
            for (long k = 0; k < (long)p.n * F; k++) dy[k] *= w;
    }
    if (!train) return;
    aedl_zero(p.grads, (long)d->nparams);
    d->backward_rows(r->blk.model, &p, r->work.dout);
}

/* The batch's mean loss from the threads' sums, in thread order. */
static double step_loss(const step_ctx *c, int nt, int F) {
    double s = 0;
    for (int t = 0; t < nt; t++) s += c->loss[t];
    double reco = c->r->cfg->loss == AEDL_LOSS_MASKED_MSE ? s / c->B : s / ((double)c->B * F);
    if (!c->r->cfg->vae) return reco;
    double kl = 0;
    for (int t = 0; t < nt; t++) kl += c->kl[t];
    return c->r->cfg->reco_weight * reco + c->r->cfg->beta * kl / c->B;
}

/* Mean loss of the model over table t in evaluation mode (validation). */
static double eval_loss(aedl_run *r, const aedl_table *t) {
    const aedl_model_def *d = r->def;
    double sum = 0;
    for (size_t i = 0; i < t->n; i += (size_t)r->opt.batch) {
        int B = (int)(t->n - i < (size_t)r->opt.batch ? t->n - i : (size_t)r->opt.batch);
        step_ctx c = { .r = r, .t = t, .first = i, .B = B, .mode = AEDL_MODE_EVAL };
        d->prepare(r->blk.model, B, AEDL_MODE_EVAL, &r->st.rng);
        aedl_team_run(r->work.team, step_rows, &c);
        sum += step_loss(&c, aedl_team_size(r->work.team), d->n_out) * B;
    }
    return t->n ? sum / (double)t->n : NAN;
}

static void prune_step(aedl_run_blocks *b, const aedl_model_def *d, long step) {
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        if (t->prune < 0) continue;
        const aedl_prune_schedule *s = &d->prunes[t->prune];
        if (!aedl_prune_should_update(s, step)) continue;
        aedl_prune_update_mask(b->masks + t->offset, b->params + t->offset, (long)t->size,
                               aedl_prune_sparsity(s, step));
        aedl_prune_apply(b->params + t->offset, b->masks + t->offset, (long)t->size);
    }
}

static void apply_masks(aedl_run_blocks *b, const aedl_model_def *d) {
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        if (t->prune >= 0)
            aedl_prune_apply(b->params + t->offset, b->masks + t->offset, (long)t->size);
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
static int at_final_sparsity(const aedl_model_def *d, const float *masks, char *why, size_t len) {
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        if (t->prune < 0) continue;
        long at, n = (long)t->size, kept = 0;
        double fin = schedule_final(&d->prunes[t->prune], &at);
        for (long k = 0; k < n; k++) kept += masks[t->offset + (size_t)k] != 0.0f;
        if (kept == aedl_prune_keep_count(n, fin)) continue;
        if (why)
            snprintf(why, len, "layer %s has sparsity %.2f; its schedule '%s' reaches %.2f at step %ld",
                     t->layer, (double)(n - kept) / (double)(n ? n : 1), d->prune_names[t->prune], fin, at);
        return 0;
    }
    return 1;
}

static int any_pruned(const aedl_model_def *d) {
    for (int i = 0; i < d->ntensors; i++)
        if (d->tensors[i].prune >= 0) return 1;
    return 0;
}

/* Early stopping's best epoch: kept (restore 0) or restored (1). */
static void snapshot(aedl_run_blocks *b, const aedl_model_def *d, int restore) {
    size_t pb = d->nparams * sizeof(float), bb = d->nbuffers * sizeof(float);
    if (restore) {
        memcpy(b->params, b->best_params, pb);
        memcpy(b->masks, b->best_masks, pb);
        memcpy(b->buffers, b->best_buffers, bb);
    } else {
        memcpy(b->best_params, b->params, pb);
        memcpy(b->best_masks, b->masks, pb);
        memcpy(b->best_buffers, b->buffers, bb);
    }
}

static void push_history(aedl_history *h, const aedl_model_def *d, const float *masks, aedl_hist_row row) {
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 64;
        h->rows = xrealloc(h->rows, (size_t)h->cap * sizeof *h->rows);
        h->sp = xrealloc(h->sp, (size_t)h->cap * (size_t)h->n_sp * sizeof *h->sp + 1);
    }
    for (int k = 0; k < h->n_sp; k++)
        h->sp[(size_t)h->n * (size_t)h->n_sp + (size_t)k] = aedl_model_sparsity(d, masks, h->sp_layers[k]);
    h->rows[h->n++] = row;
}

/* Runs the batches of the current epoch from r->st.batch_pos.  Returns 0 when the
   epoch is complete, 1 when interrupted (state saved up to the last batch),
   2 when the loss became NaN (terminate_on_nan). */
static int run_batches(aedl_run *r, int tty) {
    const aedl_model_def *d = r->def;
    size_t n = r->data.tr.n;
    long nbatches = (long)((n + (size_t)r->opt.batch - 1) / (size_t)r->opt.batch);
    /* The permutation depends only on the rng state at the start of the epoch,
       so an interrupted epoch is replayed exactly. */
    aedl_rng saved = r->st.rng;
    r->st.rng = r->st.rng_epoch;
    for (size_t i = 0; i < n; i++) r->work.perm[i] = i;
    aedl_rng_shuffle(&r->st.rng, r->work.perm, n);
    if (r->st.batch_pos > 0) r->st.rng = saved;
    double t0 = aedl_now() - r->st.epoch_seconds, last_bar = 0;
    int nt = aedl_team_size(r->work.team);
    long first = r->st.batch_pos;
    char point[32];
    snprintf(point, sizeof point, "epoch:%d", r->st.epoch + 1);
    for (long b = r->st.batch_pos; b < nbatches; b++) {
        size_t lo = (size_t)b * (size_t)r->opt.batch;
        int B = (int)(n - lo < (size_t)r->opt.batch ? n - lo : (size_t)r->opt.batch);
        prune_step(&r->blk, d, r->st.step);
        step_ctx c = { .r = r, .t = &r->data.tr, .idx = r->work.perm + lo, .B = B, .mode = AEDL_MODE_TRAIN };
        d->prepare(r->blk.model, B, AEDL_MODE_TRAIN, &r->st.rng);
        aedl_team_run(r->work.team, step_rows, &c);
        double loss = step_loss(&c, nt, d->n_out);
        if (r->cfg->terminate_on_nan &&
            (aedl_terminate_on_nan_step(&r->st.tn, r->st.step, loss) & AEDL_CB_STOP)) {
            r->st.loss_sum += loss * B; r->st.loss_events += B;
            return 2;
        }
        for (int t = 1; t < nt; t++)
            aedl_add_into(r->blk.grads, r->work.tgrads + (size_t)(t - 1) * d->nparams, (long)d->nparams);
        d->finish(r->blk.model, r->blk.grads);
        aedl_adam_step(&r->st.adam, r->blk.params, r->blk.grads, r->blk.m1, r->blk.m2, (long)d->nparams);
        apply_masks(&r->blk, d);
        r->st.step++;
        r->st.loss_sum += loss * B; r->st.loss_events += B;
        r->st.batch_pos = b + 1;
        double now = aedl_now();
        r->st.epoch_seconds = now - t0;
        if (tty && (now - last_bar > 0.1 || b + 1 == nbatches)) {
            last_bar = now;
            progress_bar(r->st.epoch + 1, r->opt.epochs, (long)(lo + (size_t)B), (long)n, r->st.epoch_seconds,
                         r->st.loss_sum / (double)r->st.loss_events);
        }
        if (b == first) aedl_test_pause(point);
        if (interrupted) return 1;
    }
    return 0;
}

static void epoch_line(const aedl_run *r, const aedl_hist_row *h, int tty) {
    if (r->opt.quiet) return;
    if (tty) fputc('\r', stderr);
    fprintf(stderr, "epoch %d/%d  loss %.6g  val_loss %.6g  lr %.3g", h->epoch, r->opt.epochs, h->loss,
            h->val_loss, h->lr);
    const aedl_model_def *d = r->def;
    int any = 0;
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        if (t->prune < 0) continue;
        fprintf(stderr, "%s %s %.2f", any ? "," : "  sparsity", t->layer,
                aedl_prune_mask_sparsity(r->blk.masks + t->offset, (long)t->size));
        any = 1;
    }
    char rs[32];
    fmt_rate(rs, sizeof rs, h->seconds > 0 ? (double)r->data.tr.n / h->seconds : 0.0);
    /* this run's part of the epoch (all of it unless resumed mid-epoch) */
    fprintf(stderr, "  %.2f s  %s events/s  (training %.3f s, cpu %.3f s; validation %.3f s, cpu %.3f s; %d thread%s)%s\n",
            h->seconds, rs, r->work.ep_train_s, r->work.ep_train_cpu, r->work.ep_val_s, r->work.ep_val_cpu,
            aedl_team_size(r->work.team), aedl_team_size(r->work.team) > 1 ? "s" : "", tty ? "          " : "");
}

/* The whole loop.  Returns 0, or 130 after an interruption (checkpoint written). */
static int train_loop(aedl_run *r) {
    const aedl_train_cfg *c = r->cfg;
    int tty = isatty(2) && !r->opt.quiet;
    char *hist_path = path_in(r->opt.outdir, "history.csv");
    while (!r->st.finished && r->st.epoch < r->opt.epochs) {
        if (r->st.batch_pos == 0) {
            r->st.rng_epoch = r->st.rng;
            r->st.loss_sum = 0; r->st.loss_events = 0; r->st.epoch_seconds = 0;
        }
        double lr = r->st.adam.lr;
        double w0 = aedl_now(), c0 = cpu_now();
        int st = run_batches(r, tty);
        r->work.ep_train_s = aedl_now() - w0; r->work.ep_train_cpu = cpu_now() - c0;
        if (st == 1) {
            if (tty) fputc('\n', stderr);
            int ok = aedl_ckpt_write_run(r) == 0;
            fprintf(stderr, "%s: interrupted in epoch %d after %ld batch(es); %s%s%s\n",
                    aedl_progname, r->st.epoch + 1, r->st.batch_pos,
                    ok ? "checkpoint written to " : "the last good checkpoint is kept",
                    ok ? r->opt.ckpt_path : "", "; continue with --resume");
            free(hist_path);
            return 130;
        }
        aedl_hist_row h = { .epoch = r->st.epoch + 1, .lr = lr };
        h.loss = r->st.loss_events ? r->st.loss_sum / (double)r->st.loss_events : NAN;
        double tv = aedl_now(), cv = cpu_now();
        h.val_loss = st == 2 ? NAN : eval_loss(r, &r->data.va);
        r->work.ep_val_s = aedl_now() - tv; r->work.ep_val_cpu = cpu_now() - cv;
        h.seconds = r->st.epoch_seconds + r->work.ep_val_s;
        h.sparsity = aedl_model_sparsity(r->def, r->blk.masks, NULL);
        r->st.epoch++;
        r->st.batch_pos = 0;
        push_history(&r->hist, r->def, r->blk.masks, h);
        epoch_line(r, &h, tty);
        if (st == 2) {
            r->st.finished = 1;
            snprintf(r->st.stop_reason, sizeof r->st.stop_reason,
                     "terminate_on_nan: the loss became NaN at step %ld (epoch %d)", r->st.tn.at, h.epoch);
        } else {
            double mon_rl = c->rl_monitor == AEDL_MON_LOSS || r->data.va.n == 0 ? h.loss : h.val_loss;
            double mon_es = c->es_monitor == AEDL_MON_LOSS || r->data.va.n == 0 ? h.loss : h.val_loss;
            if (c->reduce_lr) {
                double nlr = r->st.adam.lr;
                if (aedl_reduce_lr_step(&r->st.rl, h.epoch - 1, mon_rl, &nlr) & AEDL_CB_SET_LR) {
                    aedl_say(r, "reduce_lr_on_plateau: learning rate %.3g -> %.3g\n", r->st.adam.lr, nlr);
                    r->st.adam.lr = nlr;
                }
            }
            if (c->early_stop) {
                /* with pruning, early stopping watches the epochs at the schedules'
                   final sparsity only: the best epoch is one of them, and the run
                   does not stop before the pruning is done */
                int act = at_final_sparsity(r->def, r->blk.masks, NULL, 0) ? aedl_early_stopping_step(&r->st.es, h.epoch - 1, mon_es)
                                                        : AEDL_CB_NONE;
                if (act & AEDL_CB_SNAPSHOT) snapshot(&r->blk, r->def, 0);
                if (act & AEDL_CB_STOP) {
                    r->st.finished = 1;
                    snprintf(r->st.stop_reason, sizeof r->st.stop_reason,
                             "early_stopping: no improvement for %d epochs (best epoch %d)",
                             c->es_patience, r->st.es.best_epoch + 1);
                }
            }
        }
        if (r->st.finished) aedl_say(r, "%s\n", r->st.stop_reason);
        if (aedl_write_history(&r->hist, hist_path) != 0)
            fprintf(stderr, "%s: error: cannot write %s: %s\n", aedl_progname, hist_path,
                    strerror(errno));
        aedl_ckpt_write_run(r);
        if (interrupted) {
            fprintf(stderr, "%s: interrupted after epoch %d; checkpoint %s; continue with --resume\n",
                    aedl_progname, r->st.epoch, r->opt.ckpt_path);
            free(hist_path);
            return 130;
        }
    }
    free(hist_path);
    return 0;
}

/* ---------------------------------------------------------------- main */

static void free_run(aedl_run *r) {
    free_blocks(&r->blk, r->def);
    free_work(&r->work);
    aedl_table_free(&r->data.tr); aedl_table_free(&r->data.va); aedl_table_free(&r->data.te);
    aedl_names_free(r->data.names, r->data.all.d);
    aedl_table_free(&r->data.all);
    for (int i = 0; r->data.sig && i < r->cfg->nsignals; i++) aedl_table_free(&r->data.sig[i]);
    free(r->data.sig);
    if (r->data.have_scaler) aedl_scaler_free(&r->data.scaler);
    free(r->data.hw.w);
    free(r->data.hw.b);
    free(r->hist.rows); free(r->hist.sp); free(r->hist.sp_layers);
    free(r->opt.ckpt_path); free(r->opt.weights_path);
    aedl_locate_free(&r->loc, r->cfg);
    aedl_warnings_free(&r->warn);
}

/* --write-data: the training source's events after the selection. */
static int write_data(aedl_run *r) {
    const aedl_train_cfg *c = r->cfg;
    if (!c->selection) {
        fprintf(stderr, "%s: error: --write-data writes the events of an object selection; data block '%s' "
                "reads a dense dataset (%s) as it is\n", aedl_progname, c->data_name, c->train.path);
        return 1;
    }
    aedl_selection sel = *c->selection;
    sel.files = c->train.files;
    sel.nfiles = c->train.nfiles;
    sel.tree = c->train.tree;
    sel.progress = r->opt.quiet ? NULL : selection_progress;
    sel.progress_arg = (void *)&c->train;
    char err[1500];
    size_t n;
    if (aedl_select_write(&sel, r->opt.write_data, &n, err, sizeof err) != 0) {
        fprintf(stderr, "%s: error: %s\n", aedl_progname, err);
        return 1;
    }
    printf("%s: %zu events, %zu columns\n", r->opt.write_data, n, aedl_select_rowlen(&sel));
    return 0;
}

int aedl_train_main(const aedl_model_def *def, const aedl_train_cfg *cfg, int argc, char **argv) {
    aedl_run run, *r = &run;
    memset(r, 0, sizeof run);
    r->def = def; r->cfg = cfg;
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    aedl_progname = slash ? slash + 1 : (argc > 0 ? argv[0] : def->name);
    aedl_locate(&r->loc, cfg, argc > 0 ? argv[0] : NULL);
    int st = parse_options(r, argc, argv);
    if (st >= 0) { aedl_locate_free(&r->loc, r->cfg); return st; }
    if (r->opt.write_data) {
        st = write_data(r);
        aedl_locate_free(&r->loc, r->cfg);
        return st;
    }
    r->work.blas_threads = r->opt.threads > 0 ? r->opt.threads : openblas_get_num_threads();
    if (aedl_mkdirs(r->opt.outdir) != 0) aedl_fatal("cannot create %s: %s", r->opt.outdir, strerror(errno));
    char lock_err[4300];
    if (aedl_outdir_lock(r->opt.outdir, lock_err, sizeof lock_err) != 0) aedl_fatal("%s", lock_err);
    aedl_die_on_signals(NULL);
    size_t nlen = strlen(def->name) + 16;
    char *name = xmalloc(nlen);
    snprintf(name, nlen, "%s.ckpt", def->name);
    r->opt.ckpt_path = path_in(r->opt.outdir, name);
    snprintf(name, nlen, "%s.weights.h5", def->name);
    r->opt.weights_path = path_in(r->opt.outdir, name);
    free(name);

    if (r->opt.pred.data) {
        if (!r->opt.pred.out) {
            const char *b = strrchr(r->opt.pred.data, '/');
            b = b ? b + 1 : r->opt.pred.data;
            size_t bl = strlen(b);
            const char *dot = strrchr(b, '.');
            if (dot && dot != b) bl = (size_t)(dot - b);
            size_t n = strlen(r->opt.outdir) + bl + 32;
            r->opt.pred.out_default = xmalloc(n);
            snprintf(r->opt.pred.out_default, n, "%s/predict", r->opt.outdir);
            if (aedl_mkdirs(r->opt.pred.out_default) != 0)
                aedl_fatal("cannot create %s: %s", r->opt.pred.out_default, strerror(errno));
            snprintf(r->opt.pred.out_default, n, "%s/predict/%.*s.h5", r->opt.outdir, (int)bl, b);
            r->opt.pred.out = r->opt.pred.out_default;
        }
        st = aedl_predict(r);
        free(r->opt.pred.out_default);
        free(r->opt.ckpt_path); free(r->opt.weights_path);
        aedl_locate_free(&r->loc, r->cfg);
        return st;
    }
    load_data(r);
    alloc_blocks(&r->blk, def, r->opt.batch);
    alloc_work(&r->work, def, r->data.tr.n, r->opt.batch, &r->opt.threads);
    history_init(&r->hist, def);
    if (r->opt.resume) aedl_ckpt_read_run(r);
    else fresh_state(&r->st, &r->blk, def, cfg, r->opt.seed);
    if (!r->opt.resume && r->opt.init_weights) {
        char err[4096];
        if (aedl_read_weights(def, &r->blk, r->opt.init_weights, err, sizeof err) != 0) aedl_fatal("%s", err);
        if (!r->opt.quiet) printf("starting from the weights in %s\n", r->opt.init_weights);
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    double t0 = aedl_now();
    int epochs_before = r->st.epoch;
    /* Each training thread calls OpenBLAS on its rows: one OpenBLAS thread each. */
    openblas_set_num_threads(1);
    st = train_loop(r);
    openblas_set_num_threads(r->work.blas_threads);
    if (st != 0) { free_run(r); return st; }
    size_t mlen = strlen(r->opt.ckpt_path) + strlen(aedl_progname) + 200;
    char *msg = xmalloc(mlen);
    snprintf(msg, mlen, "\n%s: interrupted after training; run again with --resume (checkpoint %s) to "
             "write the weights and the evaluation\n", aedl_progname, r->opt.ckpt_path);
    aedl_die_on_signals(msg);
    free(msg);
    if (cfg->early_stop && (aedl_early_stopping_end(&r->st.es) & AEDL_CB_RESTORE)) {
        snapshot(&r->blk, def, 1);
        r->restored_epoch = r->st.es.best_epoch + 1;
        if (any_pruned(def))
            aedl_say(r, "early_stopping: restored the weights of epoch %d (sparsity %.2f, the pruning's final)\n",
                     r->st.es.best_epoch + 1, aedl_model_sparsity(r->def, r->blk.masks, NULL));
        else
            aedl_say(r, "early_stopping: restored the weights of epoch %d\n", r->st.es.best_epoch + 1);
    }
    char why[512];
    int short_of_schedule = !at_final_sparsity(def, r->blk.masks, why, sizeof why);
    if (short_of_schedule) {
        char msg[1024];
        snprintf(msg, sizeof msg, "pruning: the model is less sparse than its pruning schedule (sparsity %.2f): %s; "
                 "the run ended at step %ld%s", aedl_model_sparsity(r->def, r->blk.masks, NULL), why, r->st.step,
                 cfg->early_stop && cfg->es_restore_best
                     ? "; no epoch reached the final sparsity, so early_stopping restored none and the last "
                       "epoch's weights are kept" : "");
        if (!r->opt.quiet) fprintf(stderr, "%s: warning: %s\n", aedl_progname, msg);
        aedl_add_warning(&r->warn, "%s", msg);
    }
    double train_s = aedl_now() - t0;

    char err[1024];
    if (aedl_write_weights(def, cfg->aedl_version, &r->blk, r->opt.weights_path, err, sizeof err) != 0) aedl_fatal("%s", err);
    aedl_say(r, "weights: %s\n", r->opt.weights_path);
    r->fw.compared = -1;
    int bad = r->opt.no_eval ? 0 : aedl_evaluate(r);
    /* The final summary (also with --quiet). */
    const aedl_hist_row *h = r->hist.n ? &r->hist.rows[r->hist.n - 1] : NULL;
    printf("%s: %d epoch(s) (%d in this run, %.1f s)", def->name, r->st.epoch,
           r->st.epoch - epochs_before, train_s);
    if (h) printf(", last loss %.6g, val_loss %.6g", h->loss, h->val_loss);
    if (r->fw.compared >= 0 && r->fw.guaranteed)
        printf("; firmware == quantized model on %ld/%ld test events", r->fw.equal, r->fw.compared);
    else if (r->fw.compared >= 0)
        printf("; firmware not guaranteed (float parts): max |fw - float| %.4g, mean %.4g on %ld test events",
               r->fw.err_max, r->fw.err_mean, r->fw.compared);
    else
        printf("; no firmware emulation");
    if (short_of_schedule) printf("; less sparse than its pruning schedule (sparsity %.2f)", aedl_model_sparsity(r->def, r->blk.masks, NULL));
    if (r->warn.n) printf("; %d warning(s)%s", r->warn.n, r->opt.no_eval ? "" : " (eval/summary.json)");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                 (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    printf("; cpu %.1f s; peak memory %.1f MB; results in %s\n", cpu, (double)ru.ru_maxrss / 1024.0,
           r->opt.outdir);
    free_run(r);
    return bad ? 1 : 0;
}
