/* util.h — small runtime helpers: checked allocation, errors, atomic files. */
#ifndef AEDL_UTIL_H
#define AEDL_UTIL_H
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/* Allocation that never returns NULL: on failure prints what and how much, exits 1. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Prints "PROG: error: ..." to stderr and exits with status 1. */
_Noreturn void aedl_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void aedl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern const char *aedl_progname;   /* set by main; "aedl" by default */

/* Atomic output: write to "PATH.tmp.PID", then aedl_atomic_commit renames it
   over PATH (after fflush + fsync).  An interrupted run leaves PATH as it was;
   the temporary is removed on exit and on the signals of aedl_die_on_signals (proc.h).
   aedl_atomic_abort removes the temporary.  Both return 0, or -1 with errno set. */
typedef struct { FILE *f; char *path; char *tmp; } aedl_atomic;
int aedl_atomic_open(aedl_atomic *a, const char *path, const char *mode);
int aedl_atomic_commit(aedl_atomic *a);
void aedl_atomic_abort(aedl_atomic *a);
/* The temporary name for PATH (for writers such as HDF5 that open files themselves);
   then aedl_rename_over(tmp, path). Caller frees. */
char *aedl_tmp_name(const char *path);
int aedl_rename_over(const char *tmp, const char *path);

/* Input files are read only when they are regular files: a FIFO or a device
   could block or never end.  aedl_open_regular stats PATH, refuses anything
   else, then opens it without blocking (O_NONBLOCK: a FIFO put in its place
   meanwhile cannot wait for a writer) and checks the open file again.  Returns
   the descriptor and fills *st, or -1 with *kind naming what PATH is ("a FIFO",
   "a directory", ...; aedl_file_kind), or *kind NULL and errno set. */
int aedl_open_regular(const char *path, struct stat *st, const char **kind);
const char *aedl_file_kind(mode_t mode);

/* mkdir -p; 0 or -1 with errno. */
int aedl_mkdirs(const char *path);
/* Seconds from a monotonic clock. */
double aedl_now(void);

#endif
