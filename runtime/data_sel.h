/* data_sel.h — an object selection over jagged per-event data: NanoAOD-style
 * ROOT trees (runtime/root.h) or HDF5 files that store the same columns (flat
 * `Muon_pt` of all muons one after the other, with the per-event count `nMuon`).
 *
 * Per event and per object kind (a branch prefix such as "FatJet"): the first N
 * objects in stored order, or the N with the largest value of a variable; their
 * variables (FatJet_pt, FatJet_eta, ...) in that order; missing objects padded
 * with the pad value.  Then per-event scalars (MET_pt).  An event is kept when it
 * passes every cut: at least `min` objects of a kind whose variable is above a
 * threshold.  Several files (globs expanded, in order) make one data set.
 *
 * The row of an event: kind 1 (N1 x V1 values, object-major), kind 2, ..., then
 * the scalars.  Its shape is (N1 + N2 + ..., V) when every kind has the same V
 * variables and there are no scalars, else flat (the row length). */
#ifndef AEDL_DATA_SEL_H
#define AEDL_DATA_SEL_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *kind;             /* branch prefix: "FatJet" (count "nFatJet") */
    int n;                        /* objects kept */
    const char *sort_by;          /* NULL: stored order; else a variable, largest first */
    const char *const *vars;      /* "pt", "eta", ... (branches FatJet_pt, ...) */
    int nvars;
    double pad;                   /* value of the missing objects' variables */
} aedl_objsel;

typedef struct {
    const char *kind;
    int min;                      /* at least this many objects ... */
    const char *var;              /* ... whose var (NULL: any object) */
    double above;                 /* ... is above this */
} aedl_evcut;

typedef struct aedl_selection_s {
    const char *const *files;     /* paths or glob patterns, in order */
    int nfiles;
    const char *tree;             /* ROOT tree ("Events", "dir/Events"); NULL: HDF5 files */
    const aedl_objsel *objs;
    int nobjs;
    const char *const *scalars;
    int nscalars;
    const aedl_evcut *cuts;
    int ncuts;
    /* Called after each file and every 100000 events read (may be NULL). */
    void (*progress)(void *arg, const char *file, long long events_read, long long events_kept);
    void *progress_arg;
    /* Set: each selected row goes to it (rowlen floats, valid during the call)
       instead of being kept; aedl_select's rows stay NULL (streaming, memory
       independent of the number of events). */
    void (*row)(void *arg, const float *row, size_t rowlen);
    void *row_arg;
} aedl_selection;

/* The selected rows of every file: *rows (n, rowlen) malloc'd; shape as above. */
typedef struct {
    float *rows;
    size_t n, rowlen;
    int rank;
    size_t dims[2];
    long long read;               /* events read before the cuts */
    int nfiles;                   /* files read (after glob expansion) */
    char first_file[512];
} aedl_selected;

int aedl_select(const aedl_selection *sel, aedl_selected *out, char *err, size_t errlen);
void aedl_selected_free(aedl_selected *s);

/* Column names of a row: "FatJet_0_pt", ..., "MET_pt".  names[rowlen] point
   into buf (cap bytes); -1 when buf is too small. */
int aedl_select_names(const aedl_selection *sel, char **names, char *buf, size_t cap);
size_t aedl_select_rowlen(const aedl_selection *sel);

/* Writes the selected events (after the selection and padding, before any
   scaling) to PATH: CSV when it ends in .csv (a header line of the column
   names, then %.9g values: exact for float32), else HDF5 (a float32 dataset
   (N,) per column, named as the column, and "columns": the names in order).
   Written to a temporary file and renamed.  *n: the events written. */
int aedl_select_write(const aedl_selection *sel, const char *path, size_t *n, char *err, size_t errlen);
#endif
