/* data.h — loading training and evaluation data (the `data` block of a .aedl file).
 *
 * A source is an HDF5 dataset (any rank, float32/float64/integer, contiguous or
 * chunked+gzip) or a CSV file (numbers, one event per line).  Loading applies, in
 * this order: `features` (indices on the last axis), `flatten`, the random subset
 * and order (`limit`, `seed`), and the shape check against the model input.  The
 * result is float32, row-major (n, d).  Large files are read in blocks of events
 * (hyperslabs), so the peak memory is the result plus a few MB.
 *
 * The training executable does:
 *
 *   aedl_data_spec sp = { .kind = AEDL_SRC_HDF5, .path = "bg.h5", .dataset = "Particles",
 *                         .features = (int[]){0,1,2}, .nfeatures = 3, .flatten = 1,
 *                         .limit = 1000000, .shuffle = 1, .seed = 42,
 *                         .input_shape = (size_t[]){57}, .input_rank = 1, .want_mask = 1 };
 *   aedl_table all, tr, va, te;  aedl_scaler sc;  char err[512];
 *   if (aedl_data_load(&sp, &all, err, sizeof err)) aedl_fatal("%s", err);
 *   if (all.warning[0]) aedl_warn("%s", all.warning);
 *   if (aedl_split(&all, 0.2, 0.2, &tr, &va, &te, err, sizeof err)) aedl_fatal("%s", err);
 *   aedl_scaler_fit(&sc, &tr);                // training split only
 *   aedl_scaler_apply(&sc, &all);             // all splits at once (they are views)
 *   aedl_scaler_save(&sc, "out/scaler.h5", err, sizeof err);
 *   ... signals: same spec with .shuffle = 0, then aedl_scaler_apply(&sc, &sig).
 *
 * Every function reports problems through (err, errlen) — the file and what is wrong —
 * and returns -1; nothing here prints or exits.
 */
#ifndef AEDL_DATA_H
#define AEDL_DATA_H
#include <stddef.h>
#include <stdint.h>
#include <hdf5.h>

#define AEDL_MAX_RANK 8

/* AEDL_SRC_ROOT: ROOT files (data_sel.h); .sel says the tree, the files and the
   object selection.  AEDL_SRC_HDF5 with .sel: HDF5 files with NanoAOD-style
   jagged columns, the same selection. */
typedef enum { AEDL_SRC_HDF5 = 1, AEDL_SRC_CSV = 2, AEDL_SRC_ROOT = 3 } aedl_src_kind;
struct aedl_selection_s;

typedef struct {
    aedl_src_kind kind;
    const char *path;
    const char *dataset;          /* HDF5 dataset path ("Particles", "/grp/x"); HDF5 only */
    const int *features;          /* indices on the last axis, in output order; NULL = all */
    size_t nfeatures;
    int flatten;                  /* (N, a, b) -> (N, a*b); the shape check sees the flat shape */
    size_t limit;                 /* at most this many events; 0 = all.  Above N: a warning */
    int shuffle;                  /* 1: with limit, a random subset; the events in random order */
    uint64_t seed;                /* for the subset and the order */
    const size_t *input_shape;    /* the model input per event; NULL = no check */
    int input_rank;
    int want_mask;                /* 1: also fill .mask */
    const struct aedl_selection_s *sel; /* an object selection (data_sel.h); NULL: a dense dataset */
} aedl_data_spec;

/* A table of events.  The loader's table owns its memory; aedl_split returns views. */
typedef struct {
    float *x;                     /* (n, d) row-major */
    uint8_t *mask;                /* (n, d): 1 where the raw, unscaled value != 0; NULL unless asked */
    float *xhw;                   /* (n, d): the firmware's input when the target declares hardware
                                     inputs (the raw values in their hardware types), or NULL */
    size_t n, d;
    int rank;                     /* per-event shape after features/flatten: shape[0..rank) */
    size_t shape[AEDL_MAX_RANK];
    size_t n_available;           /* events in the source (before limit) */
    const char *source;           /* the spec's path, for messages */
    char warning[512];            /* non-empty: something the caller should print (not an error) */
    int owns;                     /* 1: x and mask are freed by aedl_table_free */
} aedl_table;

/* Loads a source.  0 on success (out filled), -1 on error (message in err, out empty). */
int aedl_data_load(const aedl_data_spec *spec, aedl_table *out, char *err, size_t errlen);

/* Frees what the table owns; a view is only cleared. */
void aedl_table_free(aedl_table *t);

/* Splits into train, validation and test views (no copy), in that order of rows:
   n_test = round(n*test_frac), n_val = round(n*val_frac), n_train = the rest (>= 1).
   Any of the outputs may be NULL.  The views share all's memory and shape. */
int aedl_split(const aedl_table *all, double val_frac, double test_frac,
               aedl_table *train, aedl_table *val, aedl_table *test,
               char *err, size_t errlen);

/* Compares the table's per-event shape with the model input shape; on a mismatch
   err names both, e.g. "... events of shape (19, 3) but the model input has shape (57)".
   `what` names the data in the message (a path). */
int aedl_shape_check(const aedl_table *t, const size_t *shape, int rank, const char *what,
                     char *err, size_t errlen);

/* Formats "(19, 3)" into buf. */
void aedl_shape_str(const size_t *shape, int rank, char *buf, size_t len);

/* ---- preprocessing: transform = [log10(...), affine(...)], scale = standard -------- */
/* Per feature j, in this order:
     log10:    x = log10(x) when log10[j] (x = 0, padding, stays 0; x < 0 is an error of the data)
     affine:   x = (x - offset[j]) / divisor[j]              (identity: 0, 1)
     standard: x = (x - mean[j]) / std[j]                    (identity: 0, 1)
   in float32 arithmetic.  std is the population standard deviation (ddof 0, as sklearn's
   StandardScaler) of the transformed training values; a column with zero variance gets
   std = 1.  Stored as float32 so every user applies the same values. */
typedef struct {
    size_t d;
    float *mean;                  /* (d) */
    float *std;                   /* (d) */
    float *offset, *divisor;      /* (d) */
    uint8_t *log10;               /* (d) */
    uint8_t *fit;                 /* (d): 1 for the features `scale = standard` fits */
    const char **where;           /* (d): the .aedl place of the log10 rule, for messages; may be NULL */
    char **names;                 /* (d): feature names ("pt[3]"), or NULL */
} aedl_scaler;

typedef enum { AEDL_PREP_LOG10 = 1, AEDL_PREP_AFFINE, AEDL_PREP_STANDARD, AEDL_PREP_SIGNED } aedl_prep_op;
/* One rule of the data block, as the compiler wrote it: the features are a variable of the
   last axis (var, in the objects index[0..nindex), or every object when nindex is 0) or flat
   feature indices (var NULL). */
typedef struct {
    aedl_prep_op op;
    double a, b;                  /* AEDL_PREP_AFFINE: (x - a) / b */
    const char *var;
    const int *index;
    int nindex;
    const char *where;            /* "model.aedl:13:22" */
} aedl_prep_rule;

/* Builds an identity scaler of d features, then sets the rules: log10 and affine flags and
   constants, and the features to standardise (every one when standard_all).  names (nnames
   variables per object) name the variables a rule may use and the features ("pt[3]"); source
   names the data in messages.  -1 with err on a rule that names an unknown variable, an index
   out of range, or a feature transformed twice. */
int aedl_prep_build(aedl_scaler *s, size_t d, const aedl_prep_rule *rules, int nrules, int standard_all,
                    const char *const *names, size_t nnames, const char *source, char *err, size_t errlen);
/* Reads the names of the last axis of a source, after `features`: the HDF5 dataset
   "<dataset>_Names" (as ADC2021's Particles_Names) or "<dataset>_names", or the CSV header.  0 and *n = 0 when the
   source has none; the strings are the caller's (aedl_names_free). */
int aedl_data_names(const aedl_data_spec *spec, char ***names, size_t *n, char *err, size_t errlen);
void aedl_names_free(char **names, size_t n);
/* -1 with err naming the event and the feature when a log10 feature holds a value < 0. */
int aedl_prep_check(const aedl_scaler *s, const aedl_table *t, char *err, size_t errlen);
/* The raw value of feature j from a preprocessed one (the residuals are relative to it). */
float aedl_scaler_invert(const aedl_scaler *s, size_t j, float v);

/* scale = standard alone: makes s (no transform) and fits every feature on t (the training
   split), statistics accumulated in double. */
void aedl_scaler_fit(aedl_scaler *s, const aedl_table *t);
/* After aedl_prep_build: fits the standard step of the features s->fit selects on t (the
   training split, not yet preprocessed), on the transformed values (log10, affine). */
void aedl_prep_fit(aedl_scaler *s, const aedl_table *t);
/* Applies to t in place (t->d must equal s->d; returns -1 otherwise). */
int aedl_scaler_apply(const aedl_scaler *s, aedl_table *t);
/* The same on raw rows: x (n, d). */
void aedl_scaler_apply_rows(const aedl_scaler *s, float *x, size_t n);
/* Writes a file (atomically) holding group /scaler with datasets mean, std, offset, divisor
   (float32, (d)), log10 (uint8, (d)), names (strings, when known) and attribute kind =
   "standard" (every feature fitted) or "per_feature". */
int aedl_scaler_save(const aedl_scaler *s, const char *path, char *err, size_t errlen);
/* Writes the group "scaler" into an open HDF5 file or group (e.g. the weights file). */
int aedl_scaler_write_h5(const aedl_scaler *s, hid_t loc, char *err, size_t errlen);
/* Why H5Fopen just failed, to follow "PATH: cannot open the HDF5 file":
   ": it is cut off (N of its M bytes; ...)", " (HDF5's innermost message)" or "". */
void aedl_h5_open_why(char *buf, size_t len);
/* Why PATH cannot be read as an input file, without opening anything that can
   block: NULL when it is a regular file that can be opened for reading; else
   buf, holding "cannot open: Permission denied" or "not a regular file (a FIFO)". */
const char *aedl_file_problem(const char *path, char *buf, size_t len);
/* Checks the links on the way to name (a path from loc: "/a/b", "enc/kernel")
   before HDF5 follows them: -1, with err saying "\"a\" is a dangling soft link
   to \"/x\"" (or a loop, or an external or user-defined link: never followed,
   the values would come from another file); 0 when they are hard links or soft
   links that lead to an object (or when a name is missing: the caller says so). */
int aedl_h5_link_problem(hid_t loc, const char *name, char *err, size_t errlen);
/* Reads /scaler from a file written by either function above. */
int aedl_scaler_load(aedl_scaler *s, const char *path, char *err, size_t errlen);
void aedl_scaler_free(aedl_scaler *s);

#endif
