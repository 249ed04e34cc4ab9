/* data_csv.c — the CSV data source: numbers, one event per line, separated by
 * commas, semicolons, spaces or tabs.  Blank lines and lines starting with '#'
 * are skipped; a first line that is not all numbers is taken as a header.
 * The whole file is read into memory (CSV inputs are small by nature). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "data_src.h"
#include "util.h"

static int is_sep(int c) { return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Parses one line into vals (growing); returns the count, or -1 with *bad at the
   first token that is not a number. */
static long parse_line(char *line, float **vals, size_t *cap, size_t at, char **bad) {
    long k = 0;
    char *p = line;
    for (;;) {
        while (*p && is_sep((unsigned char)*p)) p++;
        if (!*p) break;
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || (*end && !is_sep((unsigned char)*end))) { *bad = p; return -1; }
        if (at + (size_t)k >= *cap) {
            *cap = *cap ? *cap * 2 : 4096;
            *vals = xrealloc(*vals, *cap * sizeof(float));
        }
        (*vals)[at + (size_t)k] = (float)v;
        k++;
        p = end;
    }
    return k;
}

int src_csv_open(data_src *s, const char *path, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->path = path;
    s->name = "CSV file";
    s->file = s->dset = s->fspace = -1;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return data_err(err, errlen, "%s: is a directory, not a CSV file", path);
    FILE *f = fopen(path, "r");
    if (!f) return data_err(err, errlen, "%s: cannot open data file: %s", path, strerror(errno));

    char *line = NULL;
    size_t linecap = 0, cap = 0, used = 0, lineno = 0, first_line = 0;
    long width = -1;
    int rc = 0;
    float *vals = NULL;
    while (getline(&line, &linecap, f) >= 0) {
        lineno++;
        char *p = line;
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p || *p == '#') continue;
        char *bad = NULL;
        long k = parse_line(p, &vals, &cap, used, &bad);
        if (k < 0) {
            if (width < 0 && s->n == 0 && !first_line) { first_line = lineno; continue; }  /* header */
            size_t blen = strcspn(bad, ",; \t\r\n");
            rc = data_err(err, errlen, "%s:%zu: '%.*s' is not a number", path, lineno,
                          (int)(blen > 40 ? 40 : blen), bad);
            break;
        }
        if (width < 0) { width = k; first_line = lineno; }
        else if (k != width) {
            rc = data_err(err, errlen, "%s:%zu: %ld numbers, but line %zu has %ld", path, lineno,
                          k, first_line, width);
            break;
        }
        used += (size_t)k;
        s->n++;
    }
    free(line);
    if (!rc && ferror(f)) rc = data_err(err, errlen, "%s: read error: %s", path, strerror(errno));
    fclose(f);
    if (!rc && (s->n == 0 || width <= 0))
        rc = data_err(err, errlen, "%s: no events (the file has no lines of numbers)", path);
    if (rc) { free(vals); s->n = 0; return -1; }
    s->rows = vals;
    s->rank = 1;
    s->dims[0] = (size_t)width;
    s->rowlen = (size_t)width;
    s->block = s->n;
    return 0;
}
