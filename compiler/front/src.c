/* src.c — the source manager (files, line maps) and the diagnostics of src.h.
 *
 * A diagnostic is one line in GCC's format, then the source line and a caret
 * under the whole range:
 *
 *   model.aedl:12:18: error: unknown argument 'wieght' to dense
 *      12 |   dense enc1(32, wieght=qw)
 *         |                  ^~~~~~
 *
 * The source line is printed safely whatever it holds: tabs are expanded to
 * 8-column stops, bytes that are not UTF-8 and control characters are shown
 * as <ff>, and a line wider than LINE_MAX_SHOWN columns is cut around the caret.
 */
#define _XOPEN_SOURCE 700     /* realpath, lstat */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "src.h"
#include "util.h"

/* ---- the source manager --------------------------------------------------- */

static SrcFile **files;
static int nfiles, capfiles;

static void build_line_map(SrcFile *f) {
    int n = 1;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n') n++;
    f->line_starts = xmalloc((size_t)n * sizeof *f->line_starts);
    f->nlines = 0;
    f->line_starts[f->nlines++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n') f->line_starts[f->nlines++] = (uint32_t)(i + 1);
}

static int add_file(char *path, char *real, char *text, size_t len) {
    if (nfiles == capfiles) {
        capfiles = capfiles ? capfiles * 2 : 16;
        files = xrealloc(files, (size_t)capfiles * sizeof *files);
    }
    SrcFile *f = xcalloc(1, sizeof *f);
    f->path = path;
    f->realpath = real;
    f->text = text;
    f->len = len;
    build_line_map(f);
    files[nfiles] = f;
    return nfiles++;
}

void src_describe_special(const char *path, const struct stat *st, char *buf, size_t size) {
    const char *kind = aedl_file_kind(st->st_mode);
    const char *tail = S_ISDIR(st->st_mode) ? "" : ", not a regular file";
    struct stat lst;
    char *real = NULL;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && (real = realpath(path, NULL)))
        snprintf(buf, size, "is a symbolic link to %s, %s%s", real, kind, tail);
    else
        snprintf(buf, size, "is %s%s", kind, tail);
    free(real);
}

/* Reads only a regular file (aedl_open_regular): a FIFO or a device is refused. */
int src_load(const char *path, const char **err) {
    static char errbuf[4200];
    struct stat st;
    const char *kind;
    int fd = aedl_open_regular(path, &st, &kind);
    if (fd < 0) {
        if (kind) src_describe_special(path, &st, errbuf, sizeof errbuf);
        else snprintf(errbuf, sizeof errbuf, "%s", strerror(errno));
        *err = errbuf;
        return -1;
    }
    /* Locations are 32-bit byte offsets. */
    if ((unsigned long long)st.st_size >= UINT32_MAX / 2) { close(fd); *err = "file too large"; return -1; }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *text = xmalloc(cap + 1);
    for (;;) {
        ssize_t got = read(fd, text + len, cap - len);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            snprintf(errbuf, sizeof errbuf, "%s", strerror(errno));
            close(fd);
            free(text);
            *err = errbuf;
            return -1;
        }
        if (got == 0) break;
        len += (size_t)got;
        if (len == cap) {        /* the file grew while being read */
            if (cap >= UINT32_MAX / 2) { close(fd); free(text); *err = "file too large"; return -1; }
            cap *= 2;
            text = xrealloc(text, cap + 1);
        }
    }
    close(fd);
    text[len] = 0;
    char *real = realpath(path, NULL);
    if (!real) real = xstrdup(path);
    *err = NULL;
    return add_file(xstrdup(path), real, text, len);
}

int src_add(const char *name, const char *text, size_t len) {
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = 0;
    return add_file(xstrdup(name), xstrdup(name), copy, len);
}

const SrcFile *src_file(int id) {
    if (id < 0 || id >= nfiles) return NULL;
    return files[id];
}

int src_count(void) { return nfiles; }

void src_free_all(void) {
    for (int i = 0; i < nfiles; i++) {
        free(files[i]->path);
        free(files[i]->realpath);
        free(files[i]->text);
        free(files[i]->line_starts);
        free(files[i]);
    }
    free(files);
    files = NULL;
    nfiles = capfiles = 0;
}

/* Index of the line holding byte offset off (binary search in the line map). */
static int line_index(const SrcFile *f, uint32_t off) {
    int lo = 0, hi = f->nlines - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (f->line_starts[mid] <= off) lo = mid; else hi = mid - 1;
    }
    return lo;
}

void src_linecol(int file, uint32_t off, int *line, int *col) {
    const SrcFile *f = src_file(file);
    if (!f) { *line = 0; *col = 0; return; }
    if (off > f->len) off = (uint32_t)f->len;
    int li = line_index(f, off);
    *line = li + 1;
    *col = (int)(off - f->line_starts[li]) + 1;
}

Loc loc_span(Loc a, Loc b) {
    if (a.file < 0) return b;
    if (b.file < 0 || b.file != a.file) return a;
    Loc r = a;
    if (b.start < r.start) r.start = b.start;
    if (b.end > r.end) r.end = b.end;
    return r;
}

/* ---- showing a source line safely ---------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static int utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    int k;
    unsigned min;
    if (c < 0x80) return 1;
    else if (c >= 0xC2 && c <= 0xDF) { k = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { k = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { k = 4; min = 0x10000; }
    else return 0;
    if ((size_t)k > n) return 0;
    unsigned cp = c & (0x7F >> k);
    for (int i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return k;
}

#define LINE_MAX_SHOWN 200   /* wider lines are cut around the caret */
#define LINE_CONTEXT 60      /* columns shown before the caret when cut */

/* One displayed piece of a line: the bytes [off, off+nbytes) shown as text
   at display column col, width columns wide. */
typedef struct { uint32_t off; int nbytes; int col, width; char text[9]; } Piece;

/* Splits the line [start, end) of f into pieces; returns the count. */
static Piece *line_pieces(const SrcFile *f, uint32_t start, uint32_t end, int *npieces, int *total) {
    Piece *p = xmalloc((size_t)(end - start + 1) * sizeof *p);
    int n = 0, col = 0;
    const unsigned char *t = (const unsigned char *)f->text;
    uint32_t i = start;
    while (i < end) {
        Piece *q = &p[n++];
        q->off = i;
        q->col = col;
        unsigned c = t[i];
        if (c == '\t') {
            q->nbytes = 1;
            q->width = 8 - col % 8;
            memset(q->text, ' ', (size_t)q->width);
            q->text[q->width] = 0;
        } else if (c >= 0x20 && c < 0x7F) {
            q->nbytes = 1; q->width = 1;
            q->text[0] = (char)c; q->text[1] = 0;
        } else if (c >= 0x80 && utf8_len(t + i, end - i) > 0) {
            int k = utf8_len(t + i, end - i);
            q->nbytes = k; q->width = 1;
            memcpy(q->text, t + i, (size_t)k);
            q->text[k] = 0;
        } else {     /* control character, NUL, or a byte that is not UTF-8 */
            q->nbytes = 1; q->width = 4;
            snprintf(q->text, sizeof q->text, "<%02x>", c);
        }
        col += q->width;
        i += (uint32_t)q->nbytes;
    }
    *npieces = n;
    *total = col;
    return p;
}

/* Display column of byte offset off within the pieces (off may be the line end). */
static int piece_col(const Piece *p, int n, int total, uint32_t off) {
    for (int i = 0; i < n; i++)
        if (p[i].off + (uint32_t)p[i].nbytes > off) return p[i].col;
    return total;
}

static void show_source(FILE *out, Loc loc) {
    const SrcFile *f = src_file(loc.file);
    if (!f || f->len == 0) return;
    uint32_t start = loc.start > f->len ? (uint32_t)f->len : loc.start;
    int li = line_index(f, start);
    uint32_t ls = f->line_starts[li];
    uint32_t le = li + 1 < f->nlines ? f->line_starts[li + 1] - 1 : (uint32_t)f->len;
    if (le > ls && f->text[le - 1] == '\r') le--;        /* CRLF files */
    uint32_t end = loc.end > le ? le : loc.end;
    if (end < start) end = start;

    int n, total;
    Piece *p = line_pieces(f, ls, le, &n, &total);
    int c0 = piece_col(p, n, total, start);
    int c1 = end > start ? piece_col(p, n, total, end) : c0 + 1;
    if (c1 <= c0) c1 = c0 + 1;

    /* The window of columns shown: all of it, or LINE_MAX_SHOWN around the caret. */
    int w0 = 0, w1 = total;
    if (total > LINE_MAX_SHOWN) {
        w0 = c0 > LINE_CONTEXT ? c0 - LINE_CONTEXT : 0;
        w1 = w0 + LINE_MAX_SHOWN;
        if (w1 > total) { w1 = total; w0 = total - LINE_MAX_SHOWN; }
    }
    fprintf(out, "%5d | ", li + 1);
    int shown0 = -1;                 /* display column where the shown text begins */
    int col = 0;
    if (w0 > 0) { fputs("...", out); col = 3; }
    for (int i = 0; i < n; i++) {
        if (p[i].col < w0 || p[i].col + p[i].width > w1) continue;
        if (shown0 < 0) shown0 = p[i].col;
        fputs(p[i].text, out);
    }
    if (shown0 < 0) shown0 = w0;
    if (w1 < total) fputs("...", out);
    fputc('\n', out);

    /* Caret line: the same offset as the text. */
    fputs("      | ", out);
    int a = c0 - shown0 + col, b = c1 - shown0 + col;
    int limit = w1 - shown0 + col + 1;
    if (b > limit) b = limit;
    if (a < col) a = col;
    if (b <= a) b = a + 1;
    for (int i = 0; i < a; i++) fputc(' ', out);
    fputc('^', out);
    for (int i = a + 1; i < b; i++) fputc('~', out);
    fputc('\n', out);
    free(p);
}

/* ---- diagnostics ------------------------------------------------------------------- */

static int nerrors;
static int dropping;     /* after too many errors: drop the rest, notes included */

/* Held diagnostics (diag_hold): one group per error or warning with the notes
   that follow it, written in source order by diag_release. */
typedef struct {
    Loc loc;
    char *text;
    size_t len;
} DiagGroup;
static DiagGroup *held;
static int nheld, capheld, holding, dropped_held;   /* dropped_held: "too many" came while held */

static void emit_text(const char *kind, Loc loc, char *buf, size_t size) {
    if (!holding) {
        fwrite(buf, 1, size, stderr);
        free(buf);
        return;
    }
    if (strcmp(kind, "note") == 0 && nheld > 0) {     /* belongs to the last group */
        DiagGroup *g = &held[nheld - 1];
        char *t = realloc(g->text, g->len + size);
        if (!t) { fwrite(buf, 1, size, stderr); free(buf); return; }
        memcpy(t + g->len, buf, size);
        g->text = t;
        g->len += size;
        free(buf);
        return;
    }
    if (nheld == capheld) {
        int cap = capheld ? 2 * capheld : 16;
        DiagGroup *g = realloc(held, (size_t)cap * sizeof *g);
        if (!g) { fwrite(buf, 1, size, stderr); free(buf); return; }
        held = g;
        capheld = cap;
    }
    held[nheld++] = (DiagGroup){ loc, buf, size };
}

void diag_hold(void) { holding = 1; }

static bool group_before(const DiagGroup *a, const DiagGroup *b) {
    return a->loc.file < b->loc.file || (a->loc.file == b->loc.file && a->loc.start < b->loc.start);
}

/* Stable merge sort of v (n groups) by location, through tmp (bottom-up, so
   that no stack depth depends on the number of diagnostics). */
static void sort_held(DiagGroup *v, DiagGroup *tmp, int n) {
    for (int w = 1; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = group_before(&v[j], &v[i]) ? v[j++] : v[i++];
            while (i < mid) tmp[k++] = v[i++];
            while (j < hi) tmp[k++] = v[j++];
        }
        memcpy(v, tmp, (size_t)n * sizeof *v);
    }
}

void diag_release(void) {
    holding = 0;
    /* Equal locations keep the order they were found in. */
    DiagGroup *tmp = nheld > 1 ? malloc((size_t)nheld * sizeof *tmp) : NULL;
    if (tmp) sort_held(held, tmp, nheld);
    free(tmp);
    for (int i = 0; i < nheld; i++) {
        fwrite(held[i].text, 1, held[i].len, stderr);
        free(held[i].text);
    }
    free(held);
    held = NULL;
    nheld = capheld = 0;
    if (dropped_held) fprintf(stderr, "aedlc: too many errors; stopping\n");
    dropped_held = 0;
}

/* A diagnostic is formatted in memory and written at once (stderr is unbuffered). */
static void vreport(const char *kind, Loc loc, bool excerpt, const char *fmt, va_list ap) {
    fflush(stdout);
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (!out) out = stderr;
    const SrcFile *f = src_file(loc.file);
    if (f) {
        int line, col;
        src_linecol(loc.file, loc.start, &line, &col);
        fprintf(out, "%s:%d:%d: %s: ", f->path, line, col, kind);
    } else {
        fprintf(out, "aedlc: %s: ", kind);
    }
    vfprintf(out, fmt, ap);
    fputc('\n', out);
    if (f && excerpt) show_source(out, loc);
    if (out != stderr) {
        fclose(out);
        emit_text(kind, loc, buf, size);
    }
}

void diag_error(Loc loc, const char *fmt, ...) {
    nerrors++;
    if (nerrors > DIAG_MAX_ERRORS) {
        if (!dropping && holding) dropped_held = 1;     /* printed after the held ones */
        else if (!dropping) fprintf(stderr, "aedlc: too many errors; stopping\n");
        dropping = 1;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vreport("error", loc, true, fmt, ap);
    va_end(ap);
}

void diag_warning(Loc loc, const char *fmt, ...) {
    if (dropping) return;
    va_list ap;
    va_start(ap, fmt);
    vreport("warning", loc, true, fmt, ap);
    va_end(ap);
}

void diag_note(Loc loc, const char *fmt, ...) {
    if (dropping) return;
    va_list ap;
    va_start(ap, fmt);
    vreport("note", loc, true, fmt, ap);
    va_end(ap);
}

void diag_note_brief(Loc loc, const char *fmt, ...) {
    if (dropping) return;
    va_list ap;
    va_start(ap, fmt);
    vreport("note", loc, false, fmt, ap);
    va_end(ap);
}

int diag_error_count(void) { return nerrors; }

int diag_errors_full(void) { return nerrors >= DIAG_MAX_ERRORS; }

void diag_reset(void) { nerrors = 0; dropping = 0; dropped_held = 0; }

_Noreturn void diag_internal(const char *file, int line, const char *msg) {
    fflush(stdout);
    if (holding) diag_release();
    fprintf(stderr, "aedlc: internal error: %s (%s:%d)\n", msg, file, line);
    abort();
}

/* ---- "did you mean" ------------------------------------------------------------------ */

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions). */
static int edit_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return INT_MAX / 2;      /* names are short; don't bother */
    int d[65][65];
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *suggest(const char *word, const char *const *candidates, int n) {
    if (!word) return NULL;
    int len = (int)strlen(word);
    int close = len / 3 > 1 ? len / 3 : 1;
    const char *best = NULL;
    int bestd = INT_MAX;
    for (int i = 0; i < n; i++) {
        if (!candidates[i]) continue;
        int d = edit_distance(word, candidates[i]);
        if (d < bestd) { bestd = d; best = candidates[i]; }
    }
    return bestd <= close ? best : NULL;
}
