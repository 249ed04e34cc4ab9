/* src.h — source files, locations and diagnostics.
 *
 * A location is a byte range in one loaded file.  Line and column are worked
 * out only when a diagnostic is printed (as jq does), from each file's line map.
 * Diagnostics print in GCC's format, then the source line and a caret under the
 * whole range:
 *
 *   model.aedl:12:21: error: unknown argument 'wieght' to dense; did you mean 'weight'?
 *     12 |   dense enc1(32, wieght=qw)
 *        |                  ^~~~~~
 */
#ifndef AEDL_SRC_H
#define AEDL_SRC_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int file;          /* index into the source manager; -1 for "no location" */
    uint32_t start;    /* byte offsets, end exclusive */
    uint32_t end;
} Loc;

#define NOLOC ((Loc){-1, 0, 0})

typedef struct {
    char *path;        /* as given / as found (used in messages) */
    char *realpath;    /* canonical, to import each file once and detect cycles */
    char *text;        /* NUL-terminated copy; len excludes the NUL */
    size_t len;
    uint32_t *line_starts; int nlines;
} SrcFile;

/* Loads a file; returns its id, or -1 (and *err says why: "No such file ...",
   "is a directory", ...). */
int src_load(const char *path, const char **err);
/* What a file that is not regular is, for a message after its path: "is a
   directory", "is a FIFO, not a regular file", "is a symbolic link to
   /dev/zero, a character device, not a regular file". */
struct stat;
void src_describe_special(const char *path, const struct stat *st, char *buf, size_t size);
/* Adds in-memory text (tests, fuzzing); returns its id. */
int src_add(const char *name, const char *text, size_t len);
const SrcFile *src_file(int id);
int src_count(void);
void src_free_all(void);
/* 1-based line and column (column counts bytes) of a byte offset. */
void src_linecol(int file, uint32_t off, int *line, int *col);
Loc loc_span(Loc a, Loc b);

/* Diagnostics. Errors are counted; after DIAG_MAX_ERRORS more are dropped
   and one "too many errors" line is printed. */
#define DIAG_MAX_ERRORS 20
void diag_error(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_note(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A note at loc without its source excerpt (it follows an error on the same text). */
void diag_note_brief(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int diag_error_count(void);
/* True when the next error would be dropped (too many already): a caller
   may then skip work that only improves the message (suggestions). */
int diag_errors_full(void);
/* Between diag_hold and diag_release, diagnostics are kept and then written in
   source order (a pass that checks one kind of thing at a time still reports
   its errors line by line); each error or warning keeps the notes after it. */
void diag_hold(void);
void diag_release(void);
void diag_reset(void);
/* Internal failure: prints "aedlc: internal error: ..." and aborts. */
_Noreturn void diag_internal(const char *file, int line, const char *msg);
#define ICE(msg) diag_internal(__FILE__, __LINE__, (msg))
#define ASSERT_IR(c) ((c) ? (void)0 : diag_internal(__FILE__, __LINE__, #c))

/* Closest candidate by edit distance (for "did you mean"); NULL when none is close. */
const char *suggest(const char *word, const char *const *candidates, int n);

#endif
