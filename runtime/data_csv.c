/* data_csv.c — the CSV data source: numbers, one event per line, separated by
 * commas, semicolons, spaces or tabs (a field may be in double quotes).  Lines
 * end in LF, CR LF or CR alone.  Blank lines and lines starting with '#' are
 * skipped; a UTF-8 byte order mark at the start is skipped.  The first line that
 * is left is a header when none of its fields is a number (the loader's warning
 * says so); a line that mixes numbers and words is an error, never a header.
 * The whole file is read into memory (CSV inputs are small by nature). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "data_src.h"
#include "util.h"

static int is_blank(int c) { return c == ' ' || c == '\t'; }
static int is_sep(int c) { return c == ',' || c == ';' || is_blank(c); }

typedef struct {
    char *s, *e;                  /* the field's text [s, e), without quotes */
    int quoted;
} field;

/* The next field of a line (NUL-terminated) from *pp.  Separators are a run of
   blanks holding at most one ',' or ';'; a second one makes an empty field.
   Returns 1 (a field), 0 (the end of the line) or -1 (*why says what is wrong). */
static int next_field(char **pp, int first, field *f, const char **why) {
    char *p = *pp;
    int commas = 0;
    while (*p && is_sep((unsigned char)*p)) {
        if (!is_blank((unsigned char)*p) && (++commas > 1 || first)) {
            *why = "is empty";
            return -1;
        }
        p++;
    }
    if (!*p) return 0;                             /* a trailing separator is allowed */
    if (*p == '"') {
        char *q = p + 1;
        for (;; q++) {
            if (!*q) { *why = "has an opening quote but no closing one"; return -1; }
            if (*q == '"') {
                if (q[1] == '"') { q++; continue; }   /* "" inside quotes */
                break;
            }
        }
        f->s = p + 1;
        f->e = q;
        f->quoted = 1;
        p = q + 1;
        if (*p && !is_sep((unsigned char)*p)) { *why = "has text after its closing quote"; return -1; }
    } else {
        f->s = p;
        while (*p && !is_sep((unsigned char)*p)) p++;
        f->e = p;
        f->quoted = 0;
    }
    *pp = p;
    return 1;
}

/* 1 if the field is a number (its value in *v; *range set when it is beyond
   double's range), else 0. */
static int field_number(const field *f, double *v, int *range) {
    if (f->e == f->s) return 0;
    char save = *f->e, *end;
    *f->e = 0;
    errno = 0;
    *v = strtod(f->s, &end);
    *range = errno == ERANGE && fabs(*v) > 1;
    int ok = end == f->e && !is_blank((unsigned char)*f->s);
    *f->e = save;
    return ok;
}

/* The 1-based line of offset off in buf[0, len): LF, CR LF and CR end lines. */
static size_t line_of(const char *buf, size_t off) {
    size_t line = 1;
    for (size_t i = 0; i < off; i++)
        if (buf[i] == '\n' || (buf[i] == '\r' && buf[i + 1] != '\n')) line++;
    return line;
}

static char *read_all(const char *path, size_t *len, char *err, size_t errlen) {
    struct stat st;
    const char *kind;
    int fd = aedl_open_regular(path, &st, &kind);
    if (fd < 0) {
        if (kind) data_err(err, errlen, "%s: not a regular file (%s)", path, kind);
        else data_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) { close(fd); data_err(err, errlen, "%s: cannot open: %s", path, strerror(errno)); return NULL; }
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) buf = xrealloc(buf, (cap *= 2) + 1);
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        data_err(err, errlen, "%s: read error", path);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

int src_csv_open(data_src *s, const char *path, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->path = path;
    s->name = "CSV file";
    s->file = s->dset = s->fspace = -1;
    size_t len;
    char *buf = read_all(path, &len, err, errlen);
    if (!buf) return -1;
    char *p = buf;
    unsigned char b0 = len >= 2 ? (unsigned char)buf[0] : 0, b1 = len >= 2 ? (unsigned char)buf[1] : 0;
    if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
        free(buf);
        return data_err(err, errlen, "%s: the file is UTF-16 text (it starts with a UTF-16 byte "
                        "order mark); save it as UTF-8 or ASCII", path);
    }
    char *nul = memchr(buf, 0, len);
    if (nul) {
        size_t line = line_of(buf, (size_t)(nul - buf));
        free(buf);
        return data_err(err, errlen, "%s: a NUL byte at line %zu: is this a binary file, not CSV text?",
                        path, line);
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) p += 3;      /* UTF-8 byte order mark */

    size_t cap = 0, used = 0, lcap = 0, lineno = 0, first_line = 0, header = 0;
    long width = -1;
    int rc = 0;
    float *vals = NULL;
    while (*p && !rc) {
        char *line = p, *eol = p + strcspn(p, "\r\n");
        p = eol;
        if (*p == '\r' && p[1] == '\n') p += 2;
        else if (*p) p++;
        *eol = 0;
        lineno++;
        char *q = line;
        while (is_blank((unsigned char)*q)) q++;
        if (!*q || *q == '#') continue;

        /* Every field: a number, or the first that is not one. */
        long k = 0, words = 0, first_word = 0;
        field f, w = {0};
        const char *why = NULL;
        int r;
        while ((r = next_field(&q, k == 0, &f, &why)) == 1) {
            double v;
            int range;
            k++;
            if (!field_number(&f, &v, &range)) {
                if (!words++) { first_word = k; w = f; }
                continue;
            }
            if (range || (isfinite(v) && !isfinite((float)v))) {
                rc = data_err(err, errlen, "%s:%zu: field %ld, %.*s, overflows float32 (the largest "
                              "float32 is %g)", path, lineno, k, (int)(f.e - f.s > 40 ? 40 : f.e - f.s),
                              f.s, (double)FLT_MAX);
                break;
            }
            if (used + (size_t)k > cap) {
                cap = cap ? cap * 2 : 4096;
                vals = xrealloc(vals, cap * sizeof(float));
            }
            vals[used + (size_t)k - 1] = (float)v;
        }
        if (rc) break;
        if (r < 0) {
            rc = data_err(err, errlen, "%s:%zu: field %ld %s", path, lineno, k + 1, why);
            break;
        }
        if (words) {
            int blen = (int)(w.e - w.s > 40 ? 40 : w.e - w.s);
            if (width < 0 && !header && words == k) {          /* a header: no numbers at all */
                header = lineno;
                int shown = (int)strlen(line) > 60 ? 60 : (int)strlen(line);
                snprintf(s->note, sizeof s->note, "%s: line %zu (%.*s%s) is taken as a header, not as an "
                         "event", path, lineno, shown, line, (int)strlen(line) > 60 ? "..." : "");
                continue;
            }
            if (width < 0 && !header)
                rc = data_err(err, errlen, "%s:%zu: field %ld, '%.*s', is not a number (the line is "
                              "not a header either: its other fields are numbers)", path, lineno,
                              first_word, blen, w.s);
            else
                rc = data_err(err, errlen, "%s:%zu: field %ld, '%.*s', is not a number", path, lineno,
                              first_word, blen, w.s);
            break;
        }
        if (width < 0) { width = k; first_line = lineno; }
        else if (k != width) {
            rc = data_err(err, errlen, "%s:%zu: %ld numbers, but line %zu has %ld", path, lineno,
                          k, first_line, width);
            break;
        }
        if (s->n == lcap) {
            lcap = lcap ? lcap * 2 : 1024;
            s->lines = xrealloc(s->lines, lcap * sizeof *s->lines);
        }
        s->lines[s->n] = lineno;
        used += (size_t)k;
        s->n++;
    }
    free(buf);
    if (!rc && (s->n == 0 || width <= 0))
        rc = data_err(err, errlen, "%s: no events (the file has no lines of numbers%s)", path,
                      header ? "; one line was taken as a header" : "");
    if (rc) {
        free(vals);
        free(s->lines);
        s->lines = NULL;
        s->n = 0;
        return -1;
    }
    s->rows = vals;
    s->rank = 1;
    s->dims[0] = (size_t)width;
    s->rowlen = (size_t)width;
    s->block = s->n;
    return 0;
}
