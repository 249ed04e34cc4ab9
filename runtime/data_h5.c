/* data_h5.c — the HDF5 data source: opens a dataset, checks that it holds numbers,
 * and reads blocks of events (hyperslabs along the first axis) converted to float32
 * by the HDF5 library (float64 and integer types included).  Chunked datasets are
 * read in blocks that are whole multiples of the chunk, with a chunk cache large
 * enough for one block, so each compressed chunk is inflated once. */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "data_src.h"
#include "util.h"

#define BLOCK_BYTES ((size_t)8 << 20)      /* target size of one read */

int data_err(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

const char *aedl_file_problem(const char *path, char *buf, size_t len) {
    struct stat st;
    const char *kind;
    int fd = aedl_open_regular(path, &st, &kind);
    if (fd >= 0) { close(fd); return NULL; }
    if (kind) snprintf(buf, len, "not a regular file (%s)", kind);
    else snprintf(buf, len, "cannot open: %s", strerror(errno));
    return buf;
}

void h5_quiet_begin(h5_quiet *q) {
    H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void h5_quiet_end(const h5_quiet *q) { H5Eset_auto2(H5E_DEFAULT, q->func, q->data); }

/* The innermost message of HDF5's current error stack ("truncated file: eof =
   ...", "bad object header version number"). */
static herr_t first_desc(unsigned n, const H5E_error2_t *e, void *data) {
    char *buf = data;
    if (n == 0 && e->desc && e->desc[0]) snprintf(buf, 160, "%s", e->desc);
    return 0;
}

void aedl_h5_open_why(char *buf, size_t len) {
    char why[160] = "";
    unsigned long long have, want, base;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_desc, why);
    if (sscanf(why, "truncated file: eof = %llu, sblock->base_addr = %llu, stored_eof = %llu",
               &have, &base, &want) == 3)
        snprintf(buf, len, ": it is cut off (%llu of its %llu bytes; an interrupted copy or download?)",
                 have, want);
    else if (why[0])
        snprintf(buf, len, " (%s)", why);
    else if (len)
        buf[0] = 0;
}

/* ---- listing the datasets of a file (for "no dataset X; the file holds ...") ---- */
typedef struct { char *buf; size_t len, used; int count, shown; hid_t file; } listing;

static void list_add(listing *l, const char *name) {
    l->count++;
    if (l->shown >= 12) return;
    char shape[128] = "";
    hid_t d = H5Dopen2(l->file, name, H5P_DEFAULT);
    if (d >= 0) {
        hid_t sp = H5Dget_space(d);
        int r = H5Sget_simple_extent_ndims(sp);
        if (r >= 0 && r <= AEDL_MAX_RANK) {
            hsize_t dims[AEDL_MAX_RANK];
            size_t sd[AEDL_MAX_RANK];
            H5Sget_simple_extent_dims(sp, dims, NULL);
            for (int i = 0; i < r; i++) sd[i] = (size_t)dims[i];
            aedl_shape_str(sd, r, shape, sizeof shape);
        }
        H5Sclose(sp);
        H5Dclose(d);
    }
    int w = snprintf(l->buf + l->used, l->len - l->used, "%s%s %s",
                     l->shown ? ", " : "", name, shape);
    if (w > 0 && (size_t)w < l->len - l->used) { l->used += (size_t)w; l->shown++; }
}

#if H5_VERSION_GE(1, 12, 0)
static herr_t list_cb(hid_t obj, const char *name, const H5O_info2_t *info, void *op) {
    (void)obj;
    if (info->type == H5O_TYPE_DATASET) list_add(op, name);
    return 0;
}
#define VISIT(f, cb, op) H5Ovisit3(f, H5_INDEX_NAME, H5_ITER_INC, cb, op, H5O_INFO_BASIC)
#else
static herr_t list_cb(hid_t obj, const char *name, const H5O_info_t *info, void *op) {
    (void)obj;
    if (info->type == H5O_TYPE_DATASET) list_add(op, name);
    return 0;
}
#define VISIT(f, cb, op) H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, cb, op, H5O_INFO_BASIC)
#endif

static void list_datasets(hid_t file, char *out, size_t len) {
    listing l = { out, len, 0, 0, 0, file };
    out[0] = 0;
    VISIT(file, list_cb, &l);
    if (l.count == 0) snprintf(out, len, "no datasets");
    else if (l.count > l.shown && l.used + 32 < len)
        snprintf(out + l.used, len - l.used, ", ... (%d in all)", l.count);
}

static const char *class_name(H5T_class_t c) {
    switch (c) {
    case H5T_STRING: return "strings";
    case H5T_COMPOUND: return "compound records";
    case H5T_ENUM: return "enumerated values";
    case H5T_BITFIELD: return "bit fields";
    case H5T_OPAQUE: return "opaque data";
    case H5T_REFERENCE: return "references";
    case H5T_VLEN: return "variable-length sequences";
    case H5T_ARRAY: return "arrays";
    case H5T_TIME: return "time values";
    default: return "non-numeric data";
    }
}

/* ---- links: HDF5 would follow them; what they point at is checked first ----- */
/* The link at name (a soft one) points at; "" if it cannot be read. */
static void soft_target(hid_t file, const char *name, char *buf, size_t len) {
    buf[0] = 0;
    H5L_info_t li;
    if (H5Lget_info(file, name, &li, H5P_DEFAULT) < 0 || li.type != H5L_TYPE_SOFT) return;
    if (li.u.val_size == 0 || li.u.val_size > len || H5Lget_val(file, name, buf, len, H5P_DEFAULT) < 0)
        buf[0] = 0;
    else
        buf[len - 1] = 0;
}

static void append(char *buf, size_t cap, const char *str) {
    size_t u = strlen(buf), n = strlen(str);
    if (u + n >= cap) n = cap - 1 - u;
    memcpy(buf + u, str, n);
    buf[u + n] = 0;
}

/* The soft link `from`'s target, which is relative to the group holding the link,
   as a name from the same place as `from`. */
static void resolve(const char *from, const char *target, char *buf, size_t len) {
    const char *slash = strrchr(from, '/');
    if (target[0] == '/' || !slash) { snprintf(buf, len, "%s", target); return; }
    if (snprintf(buf, len, "%.*s/%s", (int)(slash - from), from, target) >= (int)len)
        buf[len - 1] = 0;
}

int aedl_h5_link_problem(hid_t file, const char *dataset, char *err, size_t errlen) {
    char pre[1024];
    size_t len = strlen(dataset);
    if (len >= sizeof pre) return data_err(err, errlen, "the dataset name is too long");
    for (size_t i = 1; i <= len; i++) {
        if (i < len && dataset[i] != '/') continue;
        memcpy(pre, dataset, i);
        pre[i] = 0;
        if (pre[i - 1] == '/' || strcmp(pre, "/") == 0) continue;
        if (H5Lexists(file, pre, H5P_DEFAULT) <= 0) return 0;       /* "no dataset": said later */
        H5L_info_t li;
        if (H5Lget_info(file, pre, &li, H5P_DEFAULT) < 0) return 0;
        if (li.type == H5L_TYPE_HARD) continue;
        if (li.type == H5L_TYPE_EXTERNAL) {
            char val[1024] = "";
            const char *ofile = "?", *oname = "?";
            unsigned flags;
            if (li.u.val_size <= sizeof val && H5Lget_val(file, pre, val, sizeof val, H5P_DEFAULT) >= 0)
                H5Lunpack_elink_val(val, li.u.val_size, &flags, &ofile, &oname);
            return data_err(err, errlen, "\"%s\" is an external link to \"%s\" in the file \"%s\"; "
                            "external links are not followed: give that file and dataset instead",
                            pre, oname, ofile);
        }
        if (li.type != H5L_TYPE_SOFT)
            return data_err(err, errlen, "\"%s\" is a user-defined link (type %d); only hard and "
                            "soft links are followed", pre, (int)li.type);
        if (H5Oexists_by_name(file, pre, H5P_DEFAULT) > 0) continue;
        /* Follow the chain by hand: a name seen twice is a loop; a name that is
           not there is where the chain dangles. */
        char first[1024], cur[1024], seen[16][1024];
        int nseen = 1;
        snprintf(seen[0], sizeof seen[0], "%s", pre);
        soft_target(file, pre, first, sizeof first);
        snprintf(cur, sizeof cur, "%s", pre);
        for (int step = 0; step < 15; step++) {
            char t[1024], next[1024];
            soft_target(file, cur, t, sizeof t);
            if (!t[0]) break;
            resolve(cur, t, next, sizeof next);
            for (int k = 0; k < nseen; k++)
                if (strcmp(seen[k], next) == 0) {
                    char chain[600] = "";
                    for (int m = 0; m < nseen; m++) {
                        append(chain, sizeof chain, seen[m]);
                        append(chain, sizeof chain, " -> ");
                    }
                    append(chain, sizeof chain, next);
                    return data_err(err, errlen, "\"%s\" is a soft link in a loop: %s", pre,
                                    chain);
                }
            snprintf(seen[nseen++], sizeof seen[0], "%s", next);
            h5_quiet q;
            h5_quiet_begin(&q);
            htri_t there = H5Lexists(file, next, H5P_DEFAULT);
            h5_quiet_end(&q);
            if (there <= 0) {
                if (strcmp(next, first) == 0 || step == 0)
                    return data_err(err, errlen, "\"%s\" is a dangling soft link to \"%s\" (there "
                                    "is nothing there)", pre, first);
                return data_err(err, errlen, "\"%s\" is a soft link to \"%s\", which leads to "
                                "\"%s\": there is nothing there", pre, first, next);
            }
            snprintf(cur, sizeof cur, "%s", next);
        }
        return data_err(err, errlen, "\"%s\" is a soft link to \"%s\", which does not lead to "
                        "an object (a loop or too many links)", pre, first);
    }
    return 0;
}

/* ---- storage: every declared event must be stored ------------------------------ */
/* A chunked dataset stores only the chunks written: the rest read as the fill
   value (zeros), so a file declared larger than what was written is refused, with
   how many events are stored.  Virtual datasets and external raw files are
   refused too (their sources may be missing: fill values again). */
static int check_stored(hid_t dset, hid_t dcpl, int rank, const hsize_t *dims, const char *path,
                        const char *dataset, char *err, size_t errlen) {
    H5D_layout_t layout = H5Pget_layout(dcpl);
    if (layout == H5D_VIRTUAL)
        return data_err(err, errlen, "%s: dataset '%s' is a virtual dataset (it maps data from other "
                        "datasets or files); give a source dataset instead", path, dataset);
    if (H5Pget_external_count(dcpl) > 0)
        return data_err(err, errlen, "%s: dataset '%s' keeps its values in external raw files; copy "
                        "them into the HDF5 file (h5repack) first", path, dataset);
    H5D_space_status_t status;
    if (H5Dget_space_status(dset, &status) >= 0 && status == H5D_SPACE_STATUS_NOT_ALLOCATED)
        return data_err(err, errlen, "%s: dataset '%s' declares %llu events but stores none (it was "
                        "created and never written)", path, dataset, (unsigned long long)dims[0]);
    if (layout != H5D_CHUNKED) return 0;
    hsize_t cd[AEDL_MAX_RANK], nper[AEDL_MAX_RANK], expected = 1, stored = 0;
    if (H5Pget_chunk(dcpl, rank, cd) != rank) return 0;
    for (int i = 0; i < rank; i++) {
        if (cd[i] == 0) return 0;
        nper[i] = dims[i] / cd[i] + (dims[i] % cd[i] != 0);
        expected = nper[i] && expected > (hsize_t)-1 / nper[i] ? (hsize_t)-1 : expected * nper[i];
    }
    hid_t fs = H5Dget_space(dset);
    herr_t e = H5Dget_num_chunks(dset, fs, &stored);
    H5Sclose(fs);
    if (e < 0 || stored >= expected) return 0;
    /* The stored prefix: chunk rows along the first axis, each complete across the
       other axes; stops at the first chunk missing. */
    hsize_t row = 0, off[AEDL_MAX_RANK];
    int missing = 0;
    for (row = 0; row < nper[0] && !missing; row++) {
        hsize_t idx[AEDL_MAX_RANK] = {0};
        for (;;) {
            off[0] = row * cd[0];
            for (int i = 1; i < rank; i++) off[i] = idx[i] * cd[i];
            unsigned fm;
            haddr_t addr = HADDR_UNDEF;
            hsize_t size = 0;
            if (H5Dget_chunk_info_by_coord(dset, off, &fm, &addr, &size) < 0 || addr == HADDR_UNDEF) {
                missing = 1;
                break;
            }
            int i = rank - 1;
            while (i >= 1 && ++idx[i] == nper[i]) idx[i--] = 0;
            if (i < 1) break;
        }
    }
    hsize_t have = (missing ? row - 1 : row) * cd[0];
    if (have > dims[0]) have = dims[0];
    if (have == 0)
        return data_err(err, errlen, "%s: dataset '%s' declares %llu events, but its first chunk was "
                        "never written (%llu of its %llu chunks are stored): the missing events would "
                        "read as fill values (zeros)", path, dataset, (unsigned long long)dims[0],
                        (unsigned long long)stored, (unsigned long long)expected);
    return data_err(err, errlen, "%s: dataset '%s' declares %llu events, but only the first %llu are "
                    "stored (%llu of its %llu chunks): the rest were never written and would read as "
                    "fill values (zeros); resize the dataset to the events written (h5py: "
                    "ds.resize(%llu, axis=0))", path, dataset, (unsigned long long)dims[0],
                    (unsigned long long)have, (unsigned long long)stored, (unsigned long long)expected,
                    (unsigned long long)have);
}

/* ---- open ------------------------------------------------------------------ */
static int h5_open(data_src *s, const char *path, const char *dataset, char *err, size_t errlen) {
    char why0[160];
    if (aedl_file_problem(path, why0, sizeof why0))
        return data_err(err, errlen, "%s: %s", path, why0);
    if (H5Fis_hdf5(path) <= 0)
        return data_err(err, errlen, "%s: not an HDF5 file", path);
    s->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (s->file < 0) {
        char why[200];
        aedl_h5_open_why(why, sizeof why);
        return data_err(err, errlen, "%s: cannot open the HDF5 file%s", path, why);
    }

    /* The dataset, or a list of what the file holds. */
    char lw[900];
    if (aedl_h5_link_problem(s->file, dataset, lw, sizeof lw))
        return data_err(err, errlen, "%s: %s", path, lw);
    s->dset = H5Dopen2(s->file, dataset, H5P_DEFAULT);
    if (s->dset < 0) {
        hid_t g = H5Gopen2(s->file, dataset, H5P_DEFAULT);
        if (g >= 0) {
            H5Gclose(g);
            return data_err(err, errlen, "%s: '%s' is a group, not a dataset", path, dataset);
        }
        char have[1024];
        list_datasets(s->file, have, sizeof have);
        return data_err(err, errlen, "%s: no dataset '%s'; the file holds: %s", path, dataset, have);
    }

    hid_t t = H5Dget_type(s->dset);
    H5T_class_t cls = H5Tget_class(t);
    H5Tclose(t);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
        return data_err(err, errlen, "%s: dataset '%s' holds %s, not numbers (float or integer)",
                        path, dataset, class_name(cls));

    s->fspace = H5Dget_space(s->dset);
    int rank = H5Sget_simple_extent_ndims(s->fspace);
    if (rank < 0) return data_err(err, errlen, "%s: dataset '%s': cannot read its shape", path, dataset);
    if (rank == 0)
        return data_err(err, errlen, "%s: dataset '%s' is a scalar; expected events along the "
                        "first axis, shape (N, ...)", path, dataset);
    if (rank > AEDL_MAX_RANK)
        return data_err(err, errlen, "%s: dataset '%s' has rank %d; at most %d is supported",
                        path, dataset, rank, AEDL_MAX_RANK);
    hsize_t dims[AEDL_MAX_RANK];
    H5Sget_simple_extent_dims(s->fspace, dims, NULL);
    s->n = (size_t)dims[0];
    s->rank = rank - 1;
    s->rowlen = 1;
    for (int i = 1; i < rank; i++) { s->dims[i - 1] = (size_t)dims[i]; s->rowlen *= (size_t)dims[i]; }
    s->file_rank = rank;
    if (rank == 1) { s->rank = 1; s->dims[0] = 1; }      /* (N,) is read as (N, 1) */
    if (s->n == 0 || s->rowlen == 0) {
        size_t sd[AEDL_MAX_RANK];
        char shp[128];
        for (int i = 0; i < rank; i++) sd[i] = (size_t)dims[i];
        aedl_shape_str(sd, rank, shp, sizeof shp);
        return data_err(err, errlen, "%s: dataset '%s' is empty (shape %s)", path, dataset, shp);
    }

    /* Block size: ~BLOCK_BYTES, a whole number of chunks along the first axis. */
    size_t rowbytes = s->rowlen * sizeof(float);
    s->block = BLOCK_BYTES / rowbytes;
    if (s->block < 1) s->block = 1;
    hid_t dcpl = H5Dget_create_plist(s->dset);
    if (check_stored(s->dset, dcpl, rank, dims, path, dataset, err, errlen)) {
        H5Pclose(dcpl);
        return -1;
    }
    if (H5Pget_layout(dcpl) == H5D_CHUNKED) {
        hsize_t cd[AEDL_MAX_RANK];
        H5Pget_chunk(dcpl, rank, cd);
        size_t c0 = cd[0] ? (size_t)cd[0] : 1;
        s->block = c0 * (s->block / c0 > 0 ? s->block / c0 : 1);
        /* Cache every chunk that one block touches: chunks across the other axes. */
        hid_t ft = H5Dget_type(s->dset);
        size_t csize = H5Tget_size(ft), across = 1;
        H5Tclose(ft);
        for (int i = 0; i < rank; i++) csize *= cd[i] ? (size_t)cd[i] : 1;
        for (int i = 1; i < rank; i++) across *= (size_t)((dims[i] + cd[i] - 1) / (cd[i] ? cd[i] : 1));
        size_t cache = csize * across + ((size_t)1 << 20);
        hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
        H5Pset_chunk_cache(dapl, 12421, cache, 1.0);
        H5Dclose(s->dset);
        s->dset = H5Dopen2(s->file, dataset, dapl);
        H5Pclose(dapl);
        if (s->dset < 0) { H5Pclose(dcpl); return data_err(err, errlen, "%s: cannot reopen dataset '%s'", path, dataset); }
    }
    H5Pclose(dcpl);
    if (s->block > s->n) s->block = s->n;
    s->buf = xmalloc(s->block * rowbytes);
    return 0;
}

int src_h5_open(data_src *s, const char *path, const char *dataset, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->path = path;
    s->dataset = dataset;
    s->file = s->dset = s->fspace = -1;
    if (!dataset || !dataset[0]) return data_err(err, errlen, "%s: no dataset name given", path);
    h5_quiet q;
    h5_quiet_begin(&q);
    int rc = h5_open(s, path, dataset, err, errlen);
    h5_quiet_end(&q);
    if (rc) src_close(s);
    return rc;
}

const float *src_read(data_src *s, size_t r0, size_t nrows, char *err, size_t errlen) {
    if (s->rows) return s->rows + r0 * s->rowlen;           /* CSV: already in memory */
    int rank = s->file_rank;
    hsize_t start[AEDL_MAX_RANK] = {0}, count[AEDL_MAX_RANK];
    start[0] = r0;
    count[0] = nrows;
    for (int i = 1; i < rank; i++) count[i] = s->dims[i - 1];
    h5_quiet q;
    h5_quiet_begin(&q);
    hid_t mem = H5Screate_simple(rank, count, NULL);
    herr_t rc = H5Sselect_hyperslab(s->fspace, H5S_SELECT_SET, start, NULL, count, NULL);
    if (rc >= 0) rc = H5Dread(s->dset, H5T_NATIVE_FLOAT, mem, s->fspace, H5P_DEFAULT, s->buf);
    H5Sclose(mem);
    h5_quiet_end(&q);
    if (rc < 0) {
        data_err(err, errlen, "%s: reading events %zu to %zu failed (damaged file or "
                 "compression filter not available)", s->path, r0, r0 + nrows - 1);
        return NULL;
    }
    return s->buf;
}

int src_h5_double(const data_src *s, size_t event, size_t elem, double *v) {
    if (s->dset < 0) return -1;
    hsize_t coord[AEDL_MAX_RANK];
    coord[0] = event;
    for (int i = s->file_rank - 1; i >= 1; i--) { coord[i] = elem % s->dims[i - 1]; elem /= s->dims[i - 1]; }
    h5_quiet q;
    h5_quiet_begin(&q);
    hsize_t one = 1;
    hid_t mem = H5Screate_simple(1, &one, NULL);
    hid_t fs = H5Scopy(s->fspace);
    herr_t rc = H5Sselect_elements(fs, H5S_SELECT_SET, 1, coord);
    if (rc >= 0) rc = H5Dread(s->dset, H5T_NATIVE_DOUBLE, mem, fs, H5P_DEFAULT, v);
    H5Sclose(fs);
    H5Sclose(mem);
    h5_quiet_end(&q);
    return rc < 0 ? -1 : 0;
}

void src_close(data_src *s) {
    h5_quiet q;
    h5_quiet_begin(&q);
    if (s->fspace >= 0) H5Sclose(s->fspace);
    if (s->dset >= 0) H5Dclose(s->dset);
    if (s->file >= 0) H5Fclose(s->file);
    h5_quiet_end(&q);
    s->fspace = s->dset = s->file = -1;
    free(s->buf);
    free(s->rows);
    free(s->lines);
    s->buf = NULL;
    s->rows = NULL;
    s->lines = NULL;
}
