/* report.h — aedl-report: the plots and DIR/report/index.html of a training
 * run.  Reads what the training executable wrote into DIR:
 *
 *   history.csv                 loss, val_loss, lr per epoch      -> loss.png
 *   eval/scores_hist.csv        score histograms                  -> scores_VARIANT.png
 *   eval/roc_SIGNAL.csv         ROC points                        -> roc_SIGNAL.png
 *   eval/summary.json           AUC, TPR at FPR, firmware check   -> tables
 *   MODEL.weights.h5            kernels and pruning masks         -> weights.png
 *   eval/residuals_hist.csv     relative residuals (compression)  -> residuals.png,
 *                               panels named by summary.json's "features"
 *   eval/latent_corr.csv        latent values vs inputs (compression) -> latent_corr.png
 *   eval/score_features.csv     the score per feature and sample  -> score_features.png
 *   report/precision.{json,txt,html}  (aedlc --emit report)       -> tables, links
 *
 * and writes DIR/report/plots/NAME.dat + NAME.gp (gnuplot data and script;
 * `cd DIR/report && gnuplot plots/NAME.gp` redraws one), DIR/report/NAME.png
 * and DIR/report/index.html.  Every input is optional: what is missing is
 * named in index.html instead of its plot.
 */
#ifndef AEDL_REPORT_H
#define AEDL_REPORT_H
#include <stdio.h>
#include "json.h"
#include "util.h"

/* One dense kernel of the weights file. */
typedef struct {
    char *name;                 /* group name: the layer */
    int n_in, units;
    float *kernel;              /* (n_in, units) */
    float *mask;                /* (n_in, units) or NULL: not pruned */
    long zeros;                 /* kernel * mask == 0 */
} rep_layer;

/* A plot drawn (or not) for index.html. */
typedef struct {
    char *section;              /* "Training", "Scores", ... */
    char *png;                  /* file name in DIR/report, e.g. "roc_Ato4l.png" */
    char *caption;              /* HTML */
    int drawn;                  /* the PNG exists */
} rep_plot;

typedef struct {
    const char *dir;            /* DIR */
    char *rdir;                 /* DIR/report */
    json *summary;              /* eval/summary.json, or NULL */
    json *precision;            /* report/precision.json, or NULL */
    json *resources;            /* rtl/resources.json (make -C DIR/rtl synth), or NULL */
    json *design;               /* rtl/design.json (aedlc --emit rtl), or NULL */
    char *model;                /* model name */
    char *weights_path;         /* NULL when not found */
    rep_layer *layers; int nlayers;   /* dense kernels in model order */
    rep_plot *plots; int nplots;
    char **notes; int nnotes;   /* what could not be drawn, and why (plain text) */
    int have_gnuplot;           /* gnuplot runs */
    int pngcairo;               /* its pngcairo terminal exists (else png) */
    int quiet;
} rep;

/* plots.c, for other pages' plots (scan.c): plots/NAME.gp with the terminal
   set (output NAME.png), plots/NAME.dat, both committed by rep_commit2, then
   rep_gp_run draws NAME.png in R->rdir (1 when drawn); rep_gp_str writes a
   quoted gnuplot string. */
int rep_gp_open(rep *R, aedl_atomic *a, const char *name, int w, int h);
int rep_dat_open(rep *R, aedl_atomic *a, const char *name);
int rep_commit2(aedl_atomic *dat, aedl_atomic *gp);
int rep_gp_run(rep *R, const char *name);
void rep_gp_str(FILE *f, const char *s);

/* html.c: s into HTML text (<, >, &, " escaped). */
void rep_html_esc(FILE *f, const char *s);

/* scan.c: aedl-report --scan DIR and --summary of a scan folder. */
int rep_scan(const char *dir, int summary_only);

/* weights_read.c: the dense kernels of PATH, ordered as precision.json lists
   the layers when it is there (else by name).  0, or -1 with err set. */
int rep_read_weights(rep *R, const char *path, char *err, size_t errlen);

/* plots.c: every plot the inputs allow. */
void rep_plots(rep *R);
/* Detects gnuplot and its PNG terminal. */
void rep_detect_gnuplot(rep *R);

/* html.c: DIR/report/index.html.  0, or -1 (reported). */
int rep_write_index(rep *R);

/* main.c helpers */
char *rep_path(const char *a, const char *b);          /* "a/b", caller frees */
void rep_note(rep *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rep_add_plot(rep *R, const char *section, const char *png, const char *caption, int drawn);
/* Splits a CSV line in place on ','; returns the number of fields (<= max). */
int rep_csv_split(char *line, char **fields, int max);
/* "%.4f" or "n/a" for NaN, into buf. */
const char *rep_fmt(char *buf, size_t n, const char *fmt, double v);
/* main.c: a rate in Hz as "1 kHz", "40 MHz", "250 Hz" (the unit that keeps it >= 1). */
const char *rep_fmt_rate(char *buf, size_t n, double hz);

#endif
