/* predict.c — `MODEL_train --predict DATA` (run by `aedlc predict`): applies the trained
 * model to any data file and writes, per event, the anomaly score of the float model, of
 * the quantized model (QI) and of the firmware emulation (DIR/firmware.plan), the outputs
 * and the latent values, to HDF5 (or CSV).  The data are read as the data block says
 * (features, flatten) and preprocessed with DIR/scaler.h5, as in training.
 *
 * A plan whose every layer is exact by construction computes what QI computes, so the
 * quantized model's reconstruction and latent values are read from the emulation (the
 * latent layer, and the reconstruction a score plan takes its score of, appended to the
 * plan's outputs) instead of running QI on every event: QI runs on the first 4096 events and
 * is compared with them bit for bit, and on any difference (a plan of other weights, a
 * latent layer the plan merged with its activation) on every chunk.  --check-quantized
 * runs QI on every chunk and compares each. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cblas.h>
#include "emu.h"
#include "nn.h"
#include "proc.h"
#include "train_int.h"
#include "train_par.h"
#include "util.h"

#define PCHUNK 1024               /* events scored at a time per thread: a chunk's inputs and outputs stay in
                                    the cache between the float model, the emulation and the scores */
#define QI_FIRST 4096            /* QI checks the emulation on (at least) this many events first */
#define PBATCH 256               /* the float model and QI run on at most this many events at once: their
                                    layers' values stay in the cache (each event is scored on its own) */

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* The weights file into the params and buffers blocks (masks are not needed: pruned
   weights are stored as zeros). */
static void read_weights(const aedl_model_def *d, aedl_run_blocks *b, const char *path) {
    char why[200];
    if (aedl_file_problem(path, why, sizeof why)) aedl_fatal("%s: the weights file: %s", path, why);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    if (f < 0) aedl_fatal("%s: not an HDF5 weights file", path);
    for (int i = 0; i < d->ntensors; i++) {
        const aedl_tensor *t = &d->tensors[i];
        char name[512];
        snprintf(name, sizeof name, "%s/%s", t->layer, t->name);
        char lerr[600];
        if (aedl_h5_link_problem(f, name, lerr, sizeof lerr) != 0) aedl_fatal("%s: %s", path, lerr);
        hid_t ds = H5Lexists(f, t->layer, H5P_DEFAULT) > 0 && H5Lexists(f, name, H5P_DEFAULT) > 0
                       ? H5Dopen2(f, name, H5P_DEFAULT) : -1;
        if (ds < 0) aedl_fatal("%s: no dataset '%s' (the weights of another model? this is '%s')", path, name, d->name);
        hid_t sp = H5Dget_space(ds);
        hsize_t dims[4] = { 0 };
        int rank = H5Sget_simple_extent_ndims(sp);
        if (rank == t->rank) H5Sget_simple_extent_dims(sp, dims, NULL);
        int ok = rank == t->rank && (hsize_t)t->dims[0] == dims[0] && (rank < 2 || (hsize_t)t->dims[1] == dims[1]);
        if (!ok) aedl_fatal("%s: '%s' has the wrong shape for model '%s' (expected %d%s%d)", path, name, d->name,
                            t->dims[0], rank == 2 ? " x " : "", rank == 2 ? t->dims[1] : 0);
        float *dst = (t->trainable ? b->params : b->buffers) + t->offset;
        if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst) < 0)
            aedl_fatal("%s: cannot read '%s'", path, name);
        for (size_t k = 0; k < t->size; k++)
            if (!isfinite(dst[k])) aedl_fatal("%s: '%s' holds a NaN or an infinity", path, name);
        H5Sclose(sp);
        H5Dclose(ds);
    }
    H5Fclose(f);
}

/* ---- output ------------------------------------------------------------------------------ */

enum { D_SF, D_SQ, D_SW, D_OUT, D_LF, D_LQ, D_KF, D_KQ, D_MF, D_MQ, ND };
static const char *const dname[ND] = { "score_float", "score_quantized", "score_firmware", "output",
                                       "latent_float", "latent_quantized", "kl_float", "kl_quantized",
                                       "mu2_float", "mu2_quantized" };

typedef struct {
    int csv;
    aedl_atomic a;              /* CSV */
    char *tmp;                  /* HDF5: the temporary file */
    hid_t f, ds[ND];
    size_t n, chunk;            /* events; the rows of a chunk (the HDF5 datasets' too) */
    int F, L, fw, fw_only;
    int vae;                    /* a VAE: kl and mu2 of the float model and QI too (the latent values are the means) */
    int fws;                    /* the firmware outputs the score: 1 its sum, 2 the sum and the count (masked) */
    hid_t ds_sum, ds_cnt;
} writer;

static hid_t mk_ds(hid_t f, const char *name, hid_t type, size_t n, int cols, size_t rows) {
    hsize_t dims[2] = { n, (hsize_t)cols }, chunk[2] = { n < rows ? (n ? n : 1) : rows, (hsize_t)cols };
    hid_t sp = H5Screate_simple(cols ? 2 : 1, dims, NULL);
    hid_t pl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(pl, cols ? 2 : 1, chunk);
    hid_t ds = H5Dcreate2(f, name, type, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
    H5Pclose(pl);
    H5Sclose(sp);
    return ds;
}

static void put_attr(hid_t loc, const char *name, const char *v) {
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, strlen(v) ? strlen(v) : 1);
    H5Tset_strpad(st, H5T_STR_NULLPAD);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, st, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) { H5Awrite(a, st, strlen(v) ? v : ""); H5Aclose(a); }
    H5Sclose(sp);
    H5Tclose(st);
}

static void writer_open(writer *w, const char *path, const aedl_run *r, size_t n, size_t chunk, int fw, int fws,
                        int fw_only, int L, const char *data, char *const *names) {
    const aedl_model_def *d = r->def;
    memset(w, 0, sizeof *w);
    w->n = n; w->chunk = chunk; w->F = d->n_out; w->L = L; w->fw = fw; w->fw_only = fw_only; w->fws = fws;
    w->vae = d->n_z > 0 && L > 0;
    w->ds_sum = w->ds_cnt = -1;
    size_t pl = strlen(path);
    w->csv = pl > 4 && strcmp(path + pl - 4, ".csv") == 0;
    if (w->csv) {
        if (aedl_atomic_open(&w->a, path, "w") != 0) aedl_fatal("%s: cannot write: %s", path, strerror(errno));
        fprintf(w->a.f, "event%s%s%s%s", fw_only ? "" : ",score_float,score_quantized", fw ? ",score_firmware" : "",
                w->fws ? ",score_firmware_sum" : "", w->fws > 1 ? ",score_firmware_count" : "");
        for (int j = 0; j < w->L; j++) fprintf(w->a.f, ",latent_float_%d", j);
        for (int j = 0; j < w->L; j++) fprintf(w->a.f, ",latent_quantized_%d", j);
        if (w->vae) fprintf(w->a.f, ",kl_float,kl_quantized,mu2_float,mu2_quantized");
        for (int j = 0; j < w->F; j++)
            if (names) fprintf(w->a.f, ",output_%s", names[j]);
            else fprintf(w->a.f, ",output_%d", j);
        fputc('\n', w->a.f);
        return;
    }
    w->tmp = aedl_tmp_name(path);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    w->f = H5Fcreate(w->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (w->f < 0) aedl_fatal("%s: cannot create the HDF5 file", path);
    w->ds[D_SF] = fw_only ? -1 : mk_ds(w->f, dname[D_SF], H5T_IEEE_F32LE, n, 0, w->chunk);
    w->ds[D_SQ] = fw_only ? -1 : mk_ds(w->f, dname[D_SQ], H5T_IEEE_F64LE, n, 0, w->chunk);
    w->ds[D_SW] = fw ? mk_ds(w->f, dname[D_SW], H5T_IEEE_F64LE, n, 0, w->chunk) : -1;
    w->ds[D_OUT] = mk_ds(w->f, dname[D_OUT], H5T_IEEE_F64LE, n, w->F, w->chunk);
    w->ds[D_LF] = w->L ? mk_ds(w->f, dname[D_LF], H5T_IEEE_F32LE, n, w->L, w->chunk) : -1;
    w->ds[D_LQ] = w->L ? mk_ds(w->f, dname[D_LQ], H5T_IEEE_F64LE, n, w->L, w->chunk) : -1;
    for (int k = D_KF; k <= D_MQ; k++) w->ds[k] = w->vae ? mk_ds(w->f, dname[k], H5T_IEEE_F64LE, n, 0, w->chunk) : -1;
    for (int k = 0; k < ND; k++)
        if ((k != D_SW || fw) && (w->L || (k != D_LF && k != D_LQ)) && (!fw_only || (k != D_SF && k != D_SQ)) &&
            (w->vae || k < D_KF) && w->ds[k] < 0)
            aedl_fatal("%s: cannot create the dataset '%s'", path, dname[k]);
    put_attr(w->f, "model", d->name);
    put_attr(w->f, "data", data);
    if (fws) {
        w->ds_sum = mk_ds(w->f, "score_firmware_sum", H5T_IEEE_F64LE, n, 0, w->chunk);
        if (w->ds_sum < 0) aedl_fatal("%s: cannot create the dataset 'score_firmware_sum'", path);
        if (fws > 1) {
            w->ds_cnt = mk_ds(w->f, "score_firmware_count", H5T_IEEE_F64LE, n, 0, w->chunk);
            if (w->ds_cnt < 0) aedl_fatal("%s: cannot create the dataset 'score_firmware_count'", path);
        }
    }
    put_attr(w->f, "output_is", fw && !fws ? "firmware" : "quantized");
    if (w->L) put_attr(w->f, "latent_layer", d->latent_name);
    put_attr(w->f, "score", r->cfg->score == AEDL_LOSS_MASKED_MSE ? "masked_mse" : r->cfg->score == AEDL_LOSS_KL ? "kl"
                            : r->cfg->score == AEDL_LOSS_MU2 ? "mu2" : "mse");
    if (names) {   /* output_names: what each column of output is (the input feature it reconstructs) */
        size_t wd = 1;
        for (int j = 0; j < w->F; j++) if (strlen(names[j]) > wd) wd = strlen(names[j]);
        char *buf = xcalloc((size_t)w->F, wd);
        for (int j = 0; j < w->F; j++) memcpy(buf + (size_t)j * wd, names[j], strlen(names[j]));
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, wd);
        H5Tset_strpad(st, H5T_STR_NULLPAD);
        hsize_t dim = (hsize_t)w->F;
        hid_t sp = H5Screate_simple(1, &dim, NULL);
        hid_t ds = H5Dcreate2(w->f, "output_names", st, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (ds < 0 || H5Dwrite(ds, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
            aedl_fatal("%s: cannot write output_names", path);
        H5Dclose(ds);
        H5Sclose(sp);
        H5Tclose(st);
        free(buf);
    }
}

static void write_rows(hid_t ds, hid_t mtype, size_t i0, size_t B, int cols, const void *buf) {
    if (ds < 0) return;
    hsize_t start[2] = { i0, 0 }, count[2] = { B, (hsize_t)cols };
    hid_t fs = H5Dget_space(ds);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    hid_t ms = H5Screate_simple(cols ? 2 : 1, count, NULL);
    herr_t rc = H5Dwrite(ds, mtype, ms, fs, H5P_DEFAULT, buf);
    H5Sclose(ms);
    H5Sclose(fs);
    if (rc < 0) aedl_fatal("cannot write the predictions (HDF5; is the disk full?)");
}

static void writer_rows(writer *w, size_t i0, size_t B, const float *sf, const double *sq, const double *sw,
                        const double *fwo, const double *out, const float *lf, const double *lq, const double *vs) {
    if (w->csv) {
        FILE *f = w->a.f;
        for (size_t e = 0; e < B; e++) {
            fprintf(f, "%zu", i0 + e);
            if (!w->fw_only) fprintf(f, ",%.9g,%.17g", (double)sf[e], sq[e]);
            if (w->fw) fprintf(f, ",%.17g", sw[e]);
            for (int k = 0; k < w->fws; k++) fprintf(f, ",%.17g", fwo[e * w->fws + k]);
            for (int j = 0; j < w->L; j++) fprintf(f, ",%.9g", (double)lf[e * w->L + j]);
            for (int j = 0; j < w->L; j++) fprintf(f, ",%.17g", lq[e * w->L + j]);
            for (int k = 0; w->vae && k < 4; k++) fprintf(f, ",%.17g", vs[(size_t)k * w->chunk + e]);
            for (int j = 0; j < w->F; j++) fprintf(f, ",%.17g", out[e * w->F + j]);
            fputc('\n', f);
        }
        if (ferror(f)) aedl_fatal("%s: cannot write: %s", w->a.path, strerror(errno));
        return;
    }
    write_rows(w->ds[D_SF], H5T_NATIVE_FLOAT, i0, B, 0, sf);   /* -1 (nothing) with fw_only */
    write_rows(w->ds[D_SQ], H5T_NATIVE_DOUBLE, i0, B, 0, sq);
    if (w->fw) write_rows(w->ds[D_SW], H5T_NATIVE_DOUBLE, i0, B, 0, sw);
    if (w->fws) {   /* the firmware's output, one column at a time */
        double *col = xmalloc((B ? B : 1) * sizeof(double));
        for (int k = 0; k < w->fws; k++) {
            for (size_t e = 0; e < B; e++) col[e] = fwo[e * w->fws + k];
            write_rows(k ? w->ds_cnt : w->ds_sum, H5T_NATIVE_DOUBLE, i0, B, 0, col);
        }
        free(col);
    }
    write_rows(w->ds[D_OUT], H5T_NATIVE_DOUBLE, i0, B, w->F, out);
    if (w->L) {
        write_rows(w->ds[D_LF], H5T_NATIVE_FLOAT, i0, B, w->L, lf);
        write_rows(w->ds[D_LQ], H5T_NATIVE_DOUBLE, i0, B, w->L, lq);
    }
    for (int k = 0; w->vae && k < 4; k++) write_rows(w->ds[D_KF + k], H5T_NATIVE_DOUBLE, i0, B, 0, vs + (size_t)k * w->chunk);
}

/* quantized: where QI's columns came from (HDF5 attribute `quantized`) */
static void writer_close(writer *w, const char *path, const char *quantized) {
    if (w->csv) {
        if (aedl_atomic_commit(&w->a) != 0) aedl_fatal("%s: cannot write: %s", path, strerror(errno));
        return;
    }
    if (!w->fw_only) put_attr(w->f, "quantized", quantized);
    for (int k = 0; k < ND; k++) if (w->ds[k] > 0) H5Dclose(w->ds[k]);
    if (w->ds_sum > 0) H5Dclose(w->ds_sum);
    if (w->ds_cnt > 0) H5Dclose(w->ds_cnt);
    if (H5Fclose(w->f) < 0 || aedl_rename_over(w->tmp, path) != 0) {
        aedl_tmp_remove(w->tmp);
        aedl_fatal("%s: cannot write the predictions", path);
    }
    free(w->tmp);
}

/* ---- progress ---------------------------------------------------------------------------- */

static void progress(const aedl_run *r, size_t done, size_t n, double t0, double *last, int tty) {
    if (r->opt.quiet) return;
    double now = aedl_now();
    if (done < n && now - *last < (tty ? 0.2 : 5.0)) return;
    *last = now;
    double rate = now > t0 ? (double)done / (now - t0) : 0;
    int width = 30, fill = n ? (int)((double)done / (double)n * width) : width;
    char bar[64];
    for (int k = 0; k < width; k++) bar[k] = k < fill ? '#' : '.';
    bar[width] = 0;
    fprintf(stderr, "%spredict [%s] %zu/%zu events, %.0f events/s%s", tty ? "\r" : "", bar, done, n, rate,
            tty && done < n ? "" : "\n");
}

/* ---- scoring: the float and quantized models on a slice of a chunk, one thread each ------- */

typedef struct {
    const aedl_model_def *d;
    void *model;                /* this thread's (the parameters are shared, read only) */
    aedl_rng rng;
    int batch, masked, L;
    /* the slice: n events from x (and mk), results at the slice's rows */
    const float *x;
    const uint8_t *mk;
    int n;
    float *lf, *sf;
    double *xd, *yq, *lq, *sq;
    double *vs;                 /* a VAE: kl and mu2 of the float model, then of QI, (4, vstride) at the slice's rows */
    size_t vstride;
    int score;                  /* the train block's score (aedl_loss_kind) */
    int qi;                     /* run QI on this chunk (else its columns come from the emulation) */
} part;

/* A VAE (the latent values are the means): kl and mu2 of the float model and QI, and
   the score columns hold the train block's score when it is one of them. */
static void vae_part(part *p) {
    const aedl_model_def *d = p->d;
    int Z = d->n_z;
    double *mu = xmalloc(sizeof(double) * (size_t)p->batch * Z), *lv = xmalloc(sizeof(double) * (size_t)p->batch * Z);
    for (int pass = 0; pass < 2; pass++)
        for (int b = 0; b < p->n; b += p->batch) {
            int bb = p->n - b < p->batch ? p->n - b : p->batch;
            if (pass == 0) {
                d->forward(p->model, p->x + (size_t)b * d->n_in, bb, AEDL_MODE_FLOAT, &p->rng);
                for (long k = 0; k < (long)bb * Z; k++) { mu[k] = d->z_mu(p->model)[k]; lv[k] = d->z_logvar(p->model)[k]; }
            } else {
                d->exact(p->model, p->xd + (size_t)b * d->n_in, p->yq + (size_t)b * d->n_out, bb);
                memcpy(mu, d->z_mu_exact(p->model), sizeof(double) * (size_t)bb * Z);
                memcpy(lv, d->z_logvar_exact(p->model), sizeof(double) * (size_t)bb * Z);
            }
            double *kl = p->vs + (size_t)pass * p->vstride + b, *m2 = p->vs + (size_t)(2 + pass) * p->vstride + b;
            aedl_kl_per_event_f64(kl, mu, lv, bb, Z);
            aedl_mu2_per_event_f64(m2, mu, bb, Z);
            for (int e = 0; e < bb; e++) {
                double s = p->score == AEDL_LOSS_KL ? kl[e] : p->score == AEDL_LOSS_MU2 ? m2[e] : NAN;
                if (isnan(s)) continue;
                if (pass) p->sq[b + e] = s; else p->sf[b + e] = (float)s;
            }
        }
    free(mu); free(lv);
}

static void *score_part(void *arg) {
    part *p = arg;
    const aedl_model_def *d = p->d;
    int F = d->n_out, nin = d->n_in, L = p->L;
    if (d->float_score)   /* the slice at once, without the outputs */
        d->float_score(p->model, p->x, p->masked ? p->mk : NULL, p->n, p->sf, L ? p->lf : NULL);
    else
        for (int b = 0; b < p->n; b += p->batch) {
            int bb = p->n - b < p->batch ? p->n - b : p->batch;
            const float *out = d->forward(p->model, p->x + (size_t)b * nin, bb, AEDL_MODE_FLOAT, &p->rng);
            if (p->masked) aedl_masked_mse_per_event(p->sf + b, out, p->x + (size_t)b * nin, p->mk + (size_t)b * nin, bb, F);
            else aedl_mse_per_event(p->sf + b, out, p->x + (size_t)b * nin, bb, F);
            if (L) memcpy(p->lf + (size_t)b * L, d->latent(p->model), (size_t)bb * L * sizeof(float));
        }
    if (p->qi) {
        for (int b = 0; b < p->n; b += p->batch) {
            int bb = p->n - b < p->batch ? p->n - b : p->batch;
            d->exact(p->model, p->xd + (size_t)b * nin, p->yq + (size_t)b * F, bb);
            if (L) memcpy(p->lq + (size_t)b * L, d->latent_exact(p->model), (size_t)bb * L * sizeof(double));
        }
        if (p->masked) aedl_masked_mse_per_event_f64(p->sq, p->yq, p->xd, p->mk, p->n, F);
        else aedl_mse_per_event_f64(p->sq, p->yq, p->xd, p->n, F);
    }
    if (p->vs) vae_part(p);
    return NULL;
}

/* The events of a chunk on which QI's reconstruction (yq) or latent values (lq) differ
   from the emulation's (ye, le) in any bit. */
static long qi_differences(const double *yq, const double *ye, const double *lq, const double *le, int B, int F, int L) {
    long n = 0;
    for (int e = 0; e < B; e++)
        n += memcmp(yq + (size_t)e * F, ye + (size_t)e * F, sizeof(double) * (size_t)F) != 0 ||
             (L && memcmp(lq + (size_t)e * L, le + (size_t)e * L, sizeof(double) * (size_t)L) != 0);
    return n;
}

/* The layer of the plan named `name` with n values, or -1. */
static int plan_layer(const aedl_fw_plan *p, const char *name, int n) {
    for (int l = 0; l < p->nlayers; l++)
        if (!strcmp(p->layers[l].name, name)) return p->layers[l].n_out == n ? l : -1;
    return -1;
}

/* ---- the command ------------------------------------------------------------------------- */

int aedl_predict(aedl_run *r) {
    const aedl_model_def *d = r->def;
    const aedl_train_cfg *c = r->cfg;
    const aedl_predict_opts *po = &r->opt.pred;
    double t0 = aedl_now();
    char err[1024];
    /* the model */
    const char *wpath = po->weights ? po->weights : r->opt.weights_path;
    int batch = r->opt.batch < PBATCH ? r->opt.batch : PBATCH;
    r->blk.params = xcalloc(d->nparams ? d->nparams : 1, sizeof(float));
    r->blk.buffers = xcalloc(d->nbuffers ? d->nbuffers : 1, sizeof(float));
    read_weights(d, &r->blk, wpath);
    r->blk.model = d->create(batch, r->blk.params, r->blk.buffers);
    d->exact_prepare(r->blk.model);
    /* the data, as the data block reads them */
    size_t shape = (size_t)d->n_in;
    const char *pl = po->data + strlen(po->data);
    int csv = po->format ? !strcmp(po->format, "csv")
                         : (pl - po->data > 4 && (!strcmp(pl - 4, ".csv") || !strcmp(pl - 4, ".txt")));
    const char *dataset = po->dataset ? po->dataset : c->train.kind == AEDL_SRC_HDF5 ? c->train.dataset : NULL;
    if (!csv && !dataset) aedl_fatal("%s: give the HDF5 dataset with --dataset NAME", po->data);
    aedl_loss_kind reco = c->score == AEDL_LOSS_KL || c->score == AEDL_LOSS_MU2 ? c->loss : c->score;
    int masked = reco == AEDL_LOSS_MASKED_MSE;   /* the reconstruction's score */
    aedl_data_spec sp = {
        .kind = csv ? AEDL_SRC_CSV : AEDL_SRC_HDF5, .path = po->data, .dataset = dataset,
        .features = c->nfeatures ? c->features : NULL, .nfeatures = (size_t)c->nfeatures, .flatten = c->flatten,
        .input_shape = &shape, .input_rank = 1, .want_mask = masked,
    };
    aedl_table t;
    char **fnames = NULL;       /* the features' names, from scaler.h5 */
    if (aedl_data_load(&sp, &t, err, sizeof err) != 0) aedl_fatal("%s", err);
    if (t.warning[0] && !r->opt.quiet) aedl_warn("%s", t.warning);
    /* the preprocessing training fitted */
    float *raw = c->nhw ? aedl_hw_raw(&t) : NULL;   /* hardware inputs: the raw values */
    aedl_scaler hs = {0};
    if (c->standard_scale || c->nprep) {
        char *sp_path = join(r->opt.outdir, "scaler.h5");
        aedl_scaler s;
        if (aedl_scaler_load(&s, sp_path, err, sizeof err) != 0)
            aedl_fatal("%s (the preprocessing that training fitted; train first)", err);
        if (s.d != t.d) aedl_fatal("%s: %zu features, the data %zu", sp_path, s.d, t.d);
        if (aedl_prep_check(&s, &t, err, sizeof err) != 0) aedl_fatal("%s", err);
        aedl_scaler_apply(&s, &t);
        if (s.names) { fnames = s.names; s.names = NULL; }
        if (raw) hs = s;
        else aedl_scaler_free(&s);
        free(sp_path);
    }
    if (raw) {   /* the hardware inputs' stage, as training built it */
        aedl_fw_layer hl;
        aedl_hw_layer(c, hs.d ? &hs : NULL, &hl);
        aedl_hw_apply(c, &hl, &t, raw);
        free(hl.w); free(hl.b); free(raw);
        if (hs.d) aedl_scaler_free(&hs);
    }
    double t_read = aedl_now() - t0;   /* the weights, the data and the preprocessing */
    /* the firmware emulation */
    char *plan_path = po->plan ? xstrdup(po->plan) : join(r->opt.outdir, "firmware.plan");
    aedl_fw_plan *plan = NULL;
    int fws = 0;   /* the plan outputs the score (target output = score): its sum, and the count masked */
    int fw_mu2 = 0;   /* that score is mu2 (the encoder's) */
    if (access(plan_path, F_OK) == 0) {
        char perr[1024];
        plan = aedl_fw_plan_read(plan_path, perr, sizeof perr);
        if (!plan) aedl_fatal("%s", perr);
        if (aedl_fw_prepare(plan, perr, sizeof perr) != 0) aedl_fatal("%s: %s", plan_path, perr);
        int so = plan->outputs[0];
        if (so >= 0 && (plan->layers[so].op == FW_SCORE || plan->layers[so].op == FW_MASKED_SCORE ||
                        plan->layers[so].op == FW_MU2))
            fws = plan->d_out;
        int mu2 = fws && plan->layers[so].op == FW_MU2;
        fw_mu2 = mu2;
        if (strcmp(plan->model, d->name) != 0 || plan->d_in != d->n_in || (!fws && plan->d_out != d->n_out) ||
            (fws && plan->layers[so].n_in != (mu2 ? d->n_z : d->n_out)))
            aedl_fatal("%s: the firmware plan of model '%s' (%d inputs, %d outputs), not of '%s' (%d, %d)", plan_path,
                       plan->model, plan->d_in, plan->d_out, d->name, d->n_in, d->n_out);
    } else if (po->plan) {
        aedl_fatal("%s: no such firmware plan", plan_path);
    } else if (!r->opt.quiet) {
        fprintf(stderr, "%s: warning: %s: no firmware plan (run `aedlc run` first): no firmware score\n",
                aedl_progname, plan_path);
    }
    /* score, chunk by chunk */
    int fw_only = po->firmware_only;
    if (fw_only && !plan) aedl_fatal("--firmware-only: %s: no firmware plan (run `aedlc run` first)", plan_path);
    if (fw_only && fws)
        aedl_fatal("--firmware-only: %s outputs the anomaly score (the target's output = score), not the "
                   "reconstruction; run without --firmware-only", plan_path);
    int F = d->n_out, nin = d->n_in, L = d->latent && !fw_only ? d->n_latent : 0;
    /* QI's columns from the emulation: a plan exact by construction, not a VAE's (kl
       needs the log-variances, which the encoder's firmware has not), with the latent
       layer and the score's reconstruction among its layers; appended to its outputs */
    int dout0 = plan ? plan->d_out : 0, nout0 = plan ? plan->noutputs : 0;
    int derive = plan && !fw_only && d->n_z == 0 && !fw_mu2 && plan->noutputs + 2 <= AEDL_FW_MAX_INPUTS;
    for (int l = 0; derive && l < plan->nlayers; l++) derive = plan->layers[l].guaranteed;
    int lat = derive && L ? plan_layer(plan, d->latent_name, L) : -1;
    int rec = derive && fws ? plan->layers[plan->outputs[0]].inputs[0] : -1;
    if ((L && lat < 0) || (fws && (rec < 0 || plan->layers[rec].n_out != F))) derive = 0;
    if (derive && ((lat >= 0 && aedl_fw_add_output(plan, lat) != 0) || (rec >= 0 && aedl_fw_add_output(plan, rec) != 0)))
        aedl_fatal("%s: cannot read the latent layer and the reconstruction from the plan", plan_path);
    long qi_events = 0, qi_diff = 0;   /* the events QI ran on beside the emulation, and how many differed */
    /* threads: --threads N, else one per processor; a model each */
    int nt = r->opt.threads;
    if (nt <= 0) {
        long np = sysconf(_SC_NPROCESSORS_ONLN);
        nt = np < 1 ? 1 : np > AEDL_MAX_THREADS ? AEDL_MAX_THREADS : (int)np;
    }
    int nt_fw = nt;             /* the emulator's threads */
    if (fw_only) nt = 1;
    const size_t chunk = (size_t)PCHUNK * nt_fw;   /* the events of a chunk */
    writer w;
    writer_open(&w, po->out, r, t.n, chunk, plan != NULL, fws, fw_only, L, po->data, F == nin ? fnames : NULL);
    float *sf = xmalloc(chunk * sizeof(float));
    float *lf = xmalloc(chunk * (L ? L : 1) * sizeof(float));
    double *xd = xmalloc(chunk * nin * sizeof(double)), *yq = xmalloc(chunk * F * sizeof(double));
    double *yf = xmalloc(chunk * (F > 2 ? F : 2) * sizeof(double)), *lq = xmalloc(chunk * (L ? L : 1) * sizeof(double));
    double *sq = xmalloc(chunk * sizeof(double)), *sw = xmalloc(chunk * sizeof(double));
    double *vs = w.vae ? xmalloc(4 * chunk * sizeof(double)) : NULL;
    double *le = lat >= 0 ? xmalloc(chunk * L * sizeof(double)) : NULL;   /* the emulation's latent values */
    double *ye = rec >= 0 ? xmalloc(chunk * F * sizeof(double)) : NULL;   /* and reconstruction (a score plan) */
    part *pt = xcalloc((size_t)nt, sizeof *pt);
    for (int k = 0; k < nt; k++) {
        pt[k].d = d;
        pt[k].model = k ? d->create(batch, r->blk.params, r->blk.buffers) : r->blk.model;
        if (k) d->exact_prepare(pt[k].model);
        aedl_rng_seed(&pt[k].rng, (uint64_t)k);
        pt[k].batch = batch; pt[k].masked = masked; pt[k].L = L; pt[k].score = c->score; pt[k].vstride = chunk;
    }
    pthread_t *th = xcalloc((size_t)nt, sizeof *th);
    int *running = xcalloc((size_t)nt, sizeof *running);
    openblas_set_num_threads(1);        /* the threads are ours */
    int tty = isatty(2);
    double last = 0, ts = aedl_now(), t_write = 0, t_fw = 0;
    if (tty) progress(r, 0, t.n, ts, &last, tty);
    for (size_t i = 0; i < t.n; i += chunk) {
        int B = (int)(t.n - i < chunk ? t.n - i : chunk);
        const float *x = t.x + i * t.d;
        const uint8_t *mk = masked ? t.mask + i * t.d : NULL;
        int qi = !derive || i < QI_FIRST || po->check_quantized;
        if (qi && !fw_only) aedl_f32_to_f64(xd, x, (long)B * nin);   /* QI's input */
        if (!fw_only) {
            int per = (B + nt - 1) / nt, used = 0;
            for (int k = 0; k < nt; k++) {
                int lo = k * per, n = B - lo < per ? B - lo : per;
                if (n <= 0) break;
                part *p = &pt[k];
                p->x = x + (size_t)lo * nin; p->mk = mk ? mk + (size_t)lo * nin : NULL; p->n = n;
                p->qi = qi;
                p->lf = lf + (size_t)lo * (L ? L : 1); p->sf = sf + lo;
                p->xd = xd + (size_t)lo * nin; p->yq = yq + (size_t)lo * F; p->lq = lq + (size_t)lo * (L ? L : 1);
                p->sq = sq + lo;
                p->vs = vs ? vs + lo : NULL;
                used = k + 1;
            }
            for (int k = 1; k < used; k++) {
                running[k] = pthread_create(&th[k], NULL, score_part, &pt[k]) == 0;
                if (!running[k]) score_part(&pt[k]);      /* no thread: here, in turn */
            }
            score_part(&pt[0]);
            for (int k = 1; k < used; k++)
                if (running[k]) pthread_join(th[k], NULL);
        }
        if (plan) {
            double tf = aedl_now();
            const float *in = t.xhw ? t.xhw + i * t.d : x;
            if (le || ye) {   /* the plan's outputs side by side in yf, the latent values and reconstruction apart */
                double *outs[AEDL_FW_MAX_INPUTS];
                long ostride[AEDL_FW_MAX_INPUTS];
                int k = 0;
                for (int col = 0; k < nout0; k++) {
                    int l = plan->outputs[k];
                    outs[k] = yf + col; ostride[k] = dout0;
                    col += l < 0 ? plan->d_in : plan->layers[l].n_out;
                }
                if (le) { outs[k] = le; ostride[k++] = L; }
                if (ye) { outs[k] = ye; ostride[k++] = F; }
                aedl_fw_run_split(plan, in, outs, ostride, B, nt_fw);
            } else {
                aedl_fw_run_threads(plan, in, yf, B, nt_fw);
            }
            t_fw += aedl_now() - tf;
            if (fws)   /* the firmware's score: sum / F, or sum / count masked (0 without a count) */
                for (int e = 0; e < B; e++) {
                    double sm = yf[(size_t)e * fws], cn = fws > 1 ? yf[(size_t)e * fws + 1] : fw_mu2 ? 1 : F;
                    sw[e] = cn > 0 ? sm / cn : 0.0;
                }
            else if (masked) aedl_masked_mse_per_event_f64_vs_f32(sw, yf, x, mk, B, F);
            else aedl_mse_per_event_f64_vs_f32(sw, yf, x, B, F);
        }
        /* QI's columns: computed (qi), or the emulation's (the same numbers) */
        const double *yqc = yq, *lqc = lq;
        if (derive) {
            const double *rec_e = ye ? ye : yf;
            if (qi) {
                long nd = qi_differences(yq, rec_e, lq, le, B, F, L);
                qi_events += B; qi_diff += nd;
                if (nd && !po->check_quantized) derive = 0;   /* QI on every chunk from here */
            } else {
                yqc = rec_e; lqc = le;
                if (!ye) memcpy(sq, sw, sizeof(double) * (size_t)B);
                else if (masked) aedl_masked_mse_per_event_f64_vs_f32(sq, ye, x, mk, B, F);
                else aedl_mse_per_event_f64_vs_f32(sq, ye, x, B, F);
            }
        }
        double tw = aedl_now();
        writer_rows(&w, i, (size_t)B, sf, sq, sw, yf, plan && !fws ? yf : yqc, lf, lqc, vs);
        t_write += aedl_now() - tw;
        progress(r, i + (size_t)B, t.n, ts, &last, tty);
    }
    if (t.n == 0) progress(r, 0, 0, ts, &last, tty);
    openblas_set_num_threads(r->work.blas_threads);
    /* where QI's columns came from */
    char qsrc[256];
    if (derive && po->check_quantized)
        snprintf(qsrc, sizeof qsrc, "the quantized model (QI), equal to the firmware emulation on %ld of %ld events",
                 qi_events - qi_diff, qi_events);
    else if (derive)
        snprintf(qsrc, sizeof qsrc, "the firmware emulation (the plan is exact by construction; QI equalled it on "
                 "the first %ld events)", qi_events);
    else
        snprintf(qsrc, sizeof qsrc, "the quantized model (QI)");
    double tw = aedl_now();
    writer_close(&w, po->out, qsrc);
    t_write += aedl_now() - tw;
    aedl_say(r, "predict: %zu events of %s in %.2f s (read and preprocess %.2f s, score %.2f s of which the "
             "firmware emulation %.2f s, write %.2f s): %s\n", t.n, po->data, aedl_now() - t0, t_read,
             aedl_now() - ts - t_write, t_fw, t_write, po->out);
    int rc = 0;
    if (qi_diff && po->check_quantized) {
        fprintf(stderr, "%s: error: the quantized model (QI) differs from the firmware emulation (%s) on %ld of %ld "
                "events: the plan is not the firmware of these weights\n", aedl_progname, plan_path, qi_diff, qi_events);
        rc = 1;
    } else if (qi_diff) {
        fprintf(stderr, "%s: warning: the quantized model (QI) differs from the firmware emulation (%s) on %ld of "
                "the first %ld events: is the plan of other weights? QI ran on every event\n", aedl_progname,
                plan_path, qi_diff, qi_events);
    } else if (!fw_only && plan) {
        aedl_say(r, "predict: score_quantized, latent_quantized: %s\n", qsrc);
    }
    free(sf); free(le); free(ye); free(lf); free(xd); free(yq); free(yf); free(lq); free(sq); free(sw); free(vs);
    free(plan_path);
    if (plan) aedl_fw_plan_free(plan);
    aedl_table_free(&t);
    aedl_names_free(fnames, (size_t)nin);
    for (int k = 1; k < nt; k++) d->destroy(pt[k].model);
    free(pt);
    free(th);
    free(running);
    d->destroy(r->blk.model);
    free(r->blk.params);
    free(r->blk.buffers);
    return rc;
}
