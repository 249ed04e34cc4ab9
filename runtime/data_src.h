/* data_src.h — internal to the loader (data*.c): one open data source that yields
 * blocks of events as float32.  data_h5.c and data_csv.c implement it; data.c
 * does the selection, features, shuffling and checks on top. */
#ifndef AEDL_DATA_SRC_H
#define AEDL_DATA_SRC_H
#include <stdarg.h>
#include "data.h"

typedef struct {
    const char *path;
    const char *name;             /* "dataset 'Particles'" or "CSV file": for messages */
    const char *dataset;          /* HDF5: the dataset's name as given; NULL for CSV */
    size_t n;                     /* events */
    int rank;                     /* rank per event (the source's rank - 1) */
    size_t dims[AEDL_MAX_RANK];   /* per-event dims */
    size_t rowlen;                /* floats per event */
    size_t block;                 /* preferred events per read */
    /* HDF5 */
    hid_t file, dset, fspace;
    int file_rank;                /* rank of the dataset (1 for (N,)) */
    float *buf;                   /* (block, rowlen) read buffer */
    /* CSV: the whole file, (n, rowlen) */
    float *rows;
    size_t *lines;                /* (n) the file line (1-based) of each event */
    char note[400];               /* non-empty: a line taken as a header */
} data_src;

/* Each returns 0, or -1 with a message in err naming the file. */
int  src_h5_open(data_src *s, const char *path, const char *dataset, char *err, size_t errlen);
int  src_csv_open(data_src *s, const char *path, char *err, size_t errlen);
/* The selected events of an object selection (data_sel.c), in memory like CSV. */
int  src_sel_open(data_src *s, const aedl_data_spec *sp, char *err, size_t errlen);
/* Rows [r0, r0+nrows) (nrows <= s->block), (nrows, rowlen); valid until the next call. */
const float *src_read(data_src *s, size_t r0, size_t nrows, char *err, size_t errlen);
/* HDF5: element elem (row-major within the event) of event, read as a double
   (to tell a float64 value that overflows float32 from a stored infinity). */
int  src_h5_double(const data_src *s, size_t event, size_t elem, double *v);
void src_close(data_src *s);

/* snprintf into err (never NULL-unsafe); returns -1 for `return data_err(...)`. */
int data_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Silences the HDF5 error stack printer between begin and end. */
typedef struct { H5E_auto2_t func; void *data; } h5_quiet;
void h5_quiet_begin(h5_quiet *q);
void h5_quiet_end(const h5_quiet *q);

/* A 1-D dataset of strings of f (fixed- or variable-length), or NULL (data_prep.c). */
char **aedl_h5_strings(hid_t f, const char *name, size_t *n);
/* An identity preprocessing of d features (data_scale.c). */
void aedl_scaler_identity(aedl_scaler *s, size_t d);
#endif
