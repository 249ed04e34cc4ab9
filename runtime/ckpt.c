/* ckpt.c — checkpoint files (ckpt.h), and the training state they hold
 * (aedl_ckpt_write_run, aedl_ckpt_read_run: train_int.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ckpt.h"
#include "train_int.h"

static const char MAGIC[8] = { 'A', 'E', 'D', 'L', 'C', 'K', 'P', '1' };

static uint64_t fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ULL; }
    return h;
}
#define FNV_INIT 0xcbf29ce484222325ULL
#define PAD8(n) (((n) + 7) & ~(uint64_t)7)

static void put_raw(aedl_ckpt_writer *w, const void *data, size_t n) {
    if (w->failed) return;
    if (w->fail_after >= 0 && w->written + (long)n > w->fail_after) {
        size_t part = (size_t)(w->fail_after - w->written);
        fwrite(data, 1, part, w->a.f);
        w->failed = 1; w->err = ENOSPC;
        return;
    }
    if (fwrite(data, 1, n, w->a.f) != n) { w->failed = 1; w->err = errno ? errno : EIO; return; }
    w->written += (long)n;
    w->hash = fnv1a(w->hash, data, n);
}

int aedl_ckpt_begin(aedl_ckpt_writer *w, const char *path) {
    memset(w, 0, sizeof *w);
    w->fail_after = -1;
    const char *fa = getenv("AEDL_CKPT_FAIL_AFTER");
    if (fa && *fa) w->fail_after = strtol(fa, NULL, 10);
    if (aedl_atomic_open(&w->a, path, "wb") != 0) return -1;
    w->hash = FNV_INIT;
    put_raw(w, MAGIC, sizeof MAGIC);
    return 0;
}

static void put_record(aedl_ckpt_writer *w, const char *tag, const void *data, size_t len) {
    char t[AEDL_CKPT_TAG] = { 0 };
    if (strlen(tag) >= AEDL_CKPT_TAG) {     /* a bug in the caller: it could never be read back */
        fprintf(stderr, "internal error: checkpoint section tag '%s' is longer than %d characters\n",
                tag, AEDL_CKPT_TAG - 1);
        abort();
    }
    strncpy(t, tag, AEDL_CKPT_TAG - 1);
    uint64_t n = len;
    put_raw(w, t, sizeof t);
    put_raw(w, &n, sizeof n);
    if (len) put_raw(w, data, len);
    static const char zeros[8];
    if (len % 8) put_raw(w, zeros, 8 - len % 8);   /* keep every section 8-byte aligned */
}

void aedl_ckpt_put(aedl_ckpt_writer *w, const char *tag, const void *data, size_t len) {
    put_record(w, tag, data, len);
}

int aedl_ckpt_end(aedl_ckpt_writer *w) {
    uint64_t h = w->hash;
    put_record(w, "END", &h, sizeof h);
    if (w->failed) {
        aedl_atomic_abort(&w->a);
        errno = w->err;
        return -1;
    }
    return aedl_atomic_commit(&w->a);
}

int aedl_ckpt_load(aedl_ckpt *c, const char *path, char *err, size_t errlen) {
    c->buf = NULL; c->len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno)); return -1; }
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = xmalloc(cap);
    for (;;) {
        if (len == cap) { cap *= 2; buf = xrealloc(buf, cap); }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) { free(buf); snprintf(err, errlen, "cannot read %s", path); return -1; }
    if (len < sizeof MAGIC || memcmp(buf, MAGIC, sizeof MAGIC) != 0) {
        free(buf); snprintf(err, errlen, "%s is not an aedl checkpoint", path); return -1;
    }
    /* Walk the records up to END and check the hash. */
    size_t pos = sizeof MAGIC;
    for (;;) {
        if (pos + AEDL_CKPT_TAG + 8 > len) {
            free(buf); snprintf(err, errlen, "%s is truncated (no END record)", path); return -1;
        }
        const char *tag = (const char *)buf + pos;
        uint64_t n;
        memcpy(&n, buf + pos + AEDL_CKPT_TAG, 8);
        size_t body = pos + AEDL_CKPT_TAG + 8;
        if (PAD8(n) > len - body) {
            free(buf); snprintf(err, errlen, "%s is truncated", path); return -1;
        }
        if (strncmp(tag, "END", AEDL_CKPT_TAG) == 0 && n == 8) {
            uint64_t want;
            memcpy(&want, buf + body, 8);
            if (fnv1a(FNV_INIT, buf, pos) != want) {
                free(buf); snprintf(err, errlen, "%s is damaged (checksum mismatch)", path); return -1;
            }
            c->buf = buf; c->len = pos;
            return 0;
        }
        pos = body + PAD8(n);
    }
}

const void *aedl_ckpt_get_any(const aedl_ckpt *c, const char *tag, size_t *got) {
    size_t pos = sizeof MAGIC;
    while (pos + AEDL_CKPT_TAG + 8 <= c->len) {
        uint64_t n;
        memcpy(&n, c->buf + pos + AEDL_CKPT_TAG, 8);
        if (strncmp((const char *)c->buf + pos, tag, AEDL_CKPT_TAG) == 0) {
            if (got) *got = n;
            return c->buf + pos + AEDL_CKPT_TAG + 8;
        }
        pos += AEDL_CKPT_TAG + 8 + PAD8(n);
    }
    return NULL;
}

const void *aedl_ckpt_get(const aedl_ckpt *c, const char *tag, size_t len) {
    size_t got;
    const void *p = aedl_ckpt_get_any(c, tag, &got);
    return p && got == len ? p : NULL;
}

void aedl_ckpt_free(aedl_ckpt *c) {
    free(c->buf);
    c->buf = NULL; c->len = 0;
}

/* ---------------------------------------------------------------- the training state (train_int.h) */

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
static uint64_t data_hash(const aedl_table *tr) {
    uint64_t h = FNV_INIT;
    for (size_t i = 0; i < tr->n; i += 997) h = fnv1a(h, tr->x + i * tr->d, tr->d * sizeof(float));
    return h;
}

int aedl_ckpt_write_run(const aedl_run *r) {
    const aedl_model_def *d = r->def;
    ckpt_head h;
    memset(&h, 0, sizeof h);
    snprintf(h.model, sizeof h.model, "%s", d->name);
    h.nparams = d->nparams; h.nbuffers = d->nbuffers;
    h.n_train = r->data.tr.n; h.n_val = r->data.va.n; h.n_test = r->data.te.n;
    h.seed = r->opt.seed; h.limit = r->opt.limit; h.batch = r->opt.batch;
    h.step = r->st.step; h.epoch = r->st.epoch; h.batch_pos = r->st.batch_pos;
    h.loss_events = r->st.loss_events; h.finished = r->st.finished;
    h.loss_sum = r->st.loss_sum; h.epoch_seconds = r->st.epoch_seconds;
    h.data_hash = data_hash(&r->data.tr);
    snprintf(h.stop_reason, sizeof h.stop_reason, "%s", r->st.stop_reason);
    size_t pb = d->nparams * sizeof(float), bb = d->nbuffers * sizeof(float);
    aedl_ckpt_writer w;
    if (aedl_ckpt_begin(&w, r->opt.ckpt_path) != 0) goto fail;
    aedl_ckpt_put(&w, "head", &h, sizeof h);
    aedl_ckpt_put(&w, "params", r->blk.params, pb);
    aedl_ckpt_put(&w, "buffers", r->blk.buffers, bb);
    aedl_ckpt_put(&w, "adam_m", r->blk.m1, pb);
    aedl_ckpt_put(&w, "adam_v", r->blk.m2, pb);
    aedl_ckpt_put(&w, "masks", r->blk.masks, pb);
    aedl_ckpt_put(&w, "best_params", r->blk.best_params, pb);
    aedl_ckpt_put(&w, "best_masks", r->blk.best_masks, pb);
    aedl_ckpt_put(&w, "best_buffers", r->blk.best_buffers, bb);
    aedl_ckpt_put(&w, "adam", &r->st.adam, sizeof r->st.adam);
    aedl_ckpt_put(&w, "reduce_lr", &r->st.rl, sizeof r->st.rl);
    aedl_ckpt_put(&w, "early_stop", &r->st.es, sizeof r->st.es);
    aedl_ckpt_put(&w, "nan", &r->st.tn, sizeof r->st.tn);
    aedl_ckpt_put(&w, "rng", &r->st.rng, sizeof r->st.rng);
    aedl_ckpt_put(&w, "rng_epoch", &r->st.rng_epoch, sizeof r->st.rng_epoch);
    aedl_ckpt_put(&w, "history", r->hist.rows, (size_t)r->hist.n * sizeof *r->hist.rows);
    aedl_ckpt_put(&w, "hist_sparsity", r->hist.sp, (size_t)r->hist.n * (size_t)r->hist.n_sp * sizeof *r->hist.sp);
    int64_t threads = r->opt.threads;   /* optional section: results depend on it */
    aedl_ckpt_put(&w, "threads", &threads, sizeof threads);
    if (aedl_ckpt_end(&w) == 0) return 0;
fail:
    fprintf(stderr, "%s: error: cannot write the checkpoint %s: %s; the previous checkpoint is "
            "left as it was\n", aedl_progname, r->opt.ckpt_path, strerror(errno));
    return -1;
}

void aedl_ckpt_read_run(aedl_run *r) {
    const aedl_model_def *d = r->def;
    aedl_ckpt c;
    char err[1024];
    if (aedl_ckpt_load(&c, r->opt.ckpt_path, err, sizeof err) != 0)
        aedl_fatal("--resume: %s", err);
    size_t pb = d->nparams * sizeof(float), bb = d->nbuffers * sizeof(float);
    const ckpt_head *h = aedl_ckpt_get(&c, "head", sizeof *h);
    if (!h) aedl_fatal("--resume: %s has no header section", r->opt.ckpt_path);
    if (strcmp(h->model, d->name) != 0 || h->nparams != d->nparams || h->nbuffers != d->nbuffers)
        aedl_fatal("--resume: %s belongs to model '%s' with %llu parameters, not to this '%s' "
                   "(%zu parameters)", r->opt.ckpt_path, h->model, (unsigned long long)h->nparams,
                   d->name, d->nparams);
    if (h->seed != r->opt.seed || h->limit != r->opt.limit || h->n_train != r->data.tr.n ||
        h->n_val != r->data.va.n || h->n_test != r->data.te.n)
        aedl_fatal("--resume: %s was made with --seed %lld --limit %lld (%llu training events); "
                   "this run has --seed %ld --limit %ld (%zu): use the same options",
                   r->opt.ckpt_path, (long long)h->seed, (long long)h->limit,
                   (unsigned long long)h->n_train, r->opt.seed, r->opt.limit, r->data.tr.n);
    if (h->data_hash != data_hash(&r->data.tr))
        aedl_fatal("--resume: the training data differ from those %s was made with (%s changed?)",
                   r->opt.ckpt_path, r->cfg->train.path);
    if (h->batch != r->opt.batch)
        aedl_fatal("--resume: %s was made with --batch %lld; this run has --batch %d",
                   r->opt.ckpt_path, (long long)h->batch, r->opt.batch);
    struct { const char *tag; void *dst; size_t len; } sec[] = {
        { "params", r->blk.params, pb }, { "buffers", r->blk.buffers, bb }, { "adam_m", r->blk.m1, pb },
        { "adam_v", r->blk.m2, pb }, { "masks", r->blk.masks, pb }, { "best_params", r->blk.best_params, pb },
        { "best_masks", r->blk.best_masks, pb }, { "best_buffers", r->blk.best_buffers, bb },
        { "adam", &r->st.adam, sizeof r->st.adam }, { "reduce_lr", &r->st.rl, sizeof r->st.rl },
        { "early_stop", &r->st.es, sizeof r->st.es }, { "nan", &r->st.tn, sizeof r->st.tn },
        { "rng", &r->st.rng, sizeof r->st.rng }, { "rng_epoch", &r->st.rng_epoch, sizeof r->st.rng_epoch },
    };
    for (size_t i = 0; i < sizeof sec / sizeof sec[0]; i++) {
        const void *p = aedl_ckpt_get(&c, sec[i].tag, sec[i].len);
        if (!p) aedl_fatal("--resume: %s: section '%s' missing or of the wrong size",
                           r->opt.ckpt_path, sec[i].tag);
        if (sec[i].len) memcpy(sec[i].dst, p, sec[i].len);
    }
    size_t hl;
    const void *hp = aedl_ckpt_get_any(&c, "history", &hl);
    if (!hp || hl % sizeof *r->hist.rows) aedl_fatal("--resume: %s: bad history section", r->opt.ckpt_path);
    const int64_t *th = aedl_ckpt_get(&c, "threads", sizeof *th);
    if (th && *th != r->opt.threads)
        aedl_warn("--resume: %s was made with --threads %lld, this run has %d: training continues, "
                  "but not bit for bit as it would with %lld threads", r->opt.ckpt_path, (long long)*th,
                  r->opt.threads, (long long)*th);
    r->hist.n = r->hist.cap = (int)(hl / sizeof *r->hist.rows);
    r->hist.rows = xmalloc(hl ? hl : 1);
    if (hl) memcpy(r->hist.rows, hp, hl);
    /* per-layer sparsity: NaN (empty in history.csv) when the checkpoint has none */
    size_t sl = (size_t)r->hist.n * (size_t)r->hist.n_sp * sizeof *r->hist.sp;
    r->hist.sp = xmalloc(sl ? sl : 1);
    const void *sp = aedl_ckpt_get(&c, "hist_sparsity", sl);
    for (size_t i = 0; i < (size_t)r->hist.n * (size_t)r->hist.n_sp; i++) r->hist.sp[i] = NAN;
    if (sp && sl) memcpy(r->hist.sp, sp, sl);
    r->st.step = h->step; r->st.epoch = (int)h->epoch; r->st.batch_pos = h->batch_pos;
    r->st.loss_events = h->loss_events; r->st.finished = (int)h->finished;
    r->st.loss_sum = h->loss_sum; r->st.epoch_seconds = h->epoch_seconds;
    snprintf(r->st.stop_reason, sizeof r->st.stop_reason, "%s", h->stop_reason);
    aedl_ckpt_free(&c);
    aedl_say(r, "resumed from %s: %d epoch(s) done%s, step %ld\n", r->opt.ckpt_path, r->st.epoch,
             r->st.batch_pos ? " and part of the next" : "", r->st.step);
}
