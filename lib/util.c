/* util.c — see util.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "proc.h"
#include "util.h"

const char *aedl_progname = "aedl";

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) aedl_fatal("out of memory allocating %zu bytes", n);
    return p;
}

void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) aedl_fatal("out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) aedl_fatal("out of memory allocating %zu bytes", n);
    return q;
}

char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

void aedl_fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", aedl_progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void aedl_warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: warning: ", aedl_progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

char *aedl_tmp_name(const char *path) {
    size_t n = strlen(path) + 32;
    char *t = xmalloc(n);
    snprintf(t, n, "%s.tmp.%ld", path, (long)getpid());
    aedl_tmp_register(t);
    return t;
}

int aedl_rename_over(const char *tmp, const char *path) {
    /* Make the data durable before the name points at it. */
    int fd = open(tmp, O_RDONLY);
    if (fd >= 0) { fsync(fd); close(fd); }
    if (rename(tmp, path) != 0) return -1;
    aedl_tmp_forget(tmp);
    return 0;
}

int aedl_atomic_open(aedl_atomic *a, const char *path, const char *mode) {
    a->path = xstrdup(path);
    a->tmp = aedl_tmp_name(path);
    a->f = fopen(a->tmp, mode);
    if (!a->f) {
        int e = errno;
        aedl_tmp_forget(a->tmp);
        free(a->path); free(a->tmp);
        a->path = a->tmp = NULL;
        errno = e;
        return -1;
    }
    if (getenv("AEDL_TEST_PAUSE_AT")) {
        const char *base = strrchr(path, '/');
        size_t n = strlen(base ? base + 1 : path) + 8;
        char *point = xmalloc(n);
        snprintf(point, n, "write:%s", base ? base + 1 : path);
        aedl_test_pause(point);
        free(point);
    }
    return 0;
}

int aedl_atomic_commit(aedl_atomic *a) {
    int rc = 0;
    if (fflush(a->f) != 0 || ferror(a->f)) rc = -1;
    if (rc == 0 && fsync(fileno(a->f)) != 0) rc = -1;
    int e = errno;
    if (fclose(a->f) != 0 && rc == 0) { rc = -1; e = errno; }
    a->f = NULL;
    if (rc == 0 && rename(a->tmp, a->path) != 0) { rc = -1; e = errno; }
    if (rc != 0) unlink(a->tmp);
    aedl_tmp_forget(a->tmp);
    free(a->path); free(a->tmp);
    a->path = a->tmp = NULL;
    errno = e;
    return rc;
}

void aedl_atomic_abort(aedl_atomic *a) {
    if (a->f) fclose(a->f);
    if (a->tmp) aedl_tmp_remove(a->tmp);
    free(a->path); free(a->tmp);
    a->f = NULL; a->path = a->tmp = NULL;
}

int aedl_mkdirs(const char *path) {
    if (!*path) { errno = ENOENT; return -1; }     /* "" (e.g. -o ""): no folder; p + 1 would overrun */
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST) { int e = errno; free(p); errno = e; return -1; }
        *s = '/';
    }
    int rc = mkdir(p, 0777);
    int e = errno;
    free(p);
    if (rc != 0 && e != EEXIST) { errno = e; return -1; }
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) { errno = ENOTDIR; return -1; }
    return 0;
}

double aedl_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *aedl_file_kind(mode_t m) {
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "a special file";
}

int aedl_open_regular(const char *path, struct stat *st, const char **kind) {
    *kind = NULL;
    if (stat(path, st) != 0) return -1;
    if (!S_ISREG(st->st_mode)) { *kind = aedl_file_kind(st->st_mode); return -1; }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        int e = errno;
        close(fd);
        if (!S_ISREG(st->st_mode)) *kind = aedl_file_kind(st->st_mode);
        errno = e;
        return -1;
    }
    return fd;
}
