/* train_home.c — where the generated program finds what it was made with, at
 * run time, so that its source names no folder of the machine it was made on:
 *
 *   the output folder it was generated in   cfg->outdir ("..") from the folder
 *                                           of the executable (/proc/self/exe)
 *   the .aedl file and the -I folders       relative to that output folder
 *                                           (--aedl FILE overrides the file)
 *   aedlc (aedl-report is found beside it)  $AEDLC, else the one the Makefile
 *                                           built it with (AEDL_AEDLC), else
 *                                           "aedlc" on PATH
 *
 * and the run's warnings, listed again in eval/summary.json. */
#define _XOPEN_SOURCE 700   /* realpath */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "train_int.h"
#include "util.h"

/* dir/name, resolved when it exists (absolute `name` as it is).  Caller frees. */
static char *join_resolved(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(n);
    if (name[0] == '/') snprintf(p, n, "%s", name);
    else snprintf(p, n, "%s/%s", dir, name);
    char *rp = realpath(p, NULL);
    if (!rp) return p;
    free(p);
    return rp;
}

/* The folder of this executable (absolute), or "." when unknown. */
static char *exe_dir(const char *argv0) {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) buf[n] = 0;
    else snprintf(buf, sizeof buf, "%s", argv0 ? argv0 : "");
    char *slash = strrchr(buf, '/');
    if (!slash) return xstrdup(".");
    *slash = 0;
    return xstrdup(buf[0] ? buf : "/");
}

/* `name` when it holds a '/', else the first PATH entry with an executable of
   that name; `name` itself when none has (running it then says why). */
static char *find_program(const char *name) {
    if (strchr(name, '/')) return xstrdup(name);
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        size_t n = len + strlen(name) + 3;
        char *p = xmalloc(n);
        snprintf(p, n, "%.*s/%s", (int)len, len ? path : ".", name);
        if (access(p, X_OK) == 0) return p;
        free(p);
        path += len + (path[len] == ':');
    }
    return xstrdup(name);
}

void aedl_locate(aedl_run_loc *loc, const aedl_train_cfg *c, const char *argv0) {
    char *bin = exe_dir(argv0);
    loc->home = join_resolved(bin, c->outdir ? c->outdir : "..");
    free(bin);
    loc->aedl_file = join_resolved(loc->home, c->aedl_file);
    loc->include_dirs = xcalloc((size_t)c->ninclude + 1, sizeof(char *));
    for (int i = 0; i < c->ninclude; i++) loc->include_dirs[i] = join_resolved(loc->home, c->include_dirs[i]);
    const char *env = getenv("AEDLC");
    loc->aedlc = find_program(env && *env ? env : c->aedlc ? c->aedlc : "aedlc");
}

void aedl_set_aedl_file(aedl_run_loc *loc, const char *path) {
    free(loc->aedl_file);
    char *rp = realpath(path, NULL);
    loc->aedl_file = rp ? rp : xstrdup(path);
}

void aedl_locate_free(aedl_run_loc *loc, const aedl_train_cfg *c) {
    free(loc->home); free(loc->aedl_file); free(loc->aedlc);
    for (int i = 0; loc->include_dirs && i < c->ninclude; i++) free(loc->include_dirs[i]);
    free(loc->include_dirs);
}

void aedl_warnings_free(aedl_warnings *w) {
    for (int i = 0; i < w->n; i++) free(w->list[i]);
    free(w->list);
}

int aedl_add_warning(aedl_warnings *w, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return 0;
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    for (int i = 0; i < w->n; i++)
        if (!strcmp(w->list[i], s)) { free(s); return 0; }
    w->list = xrealloc(w->list, (size_t)(w->n + 1) * sizeof *w->list);
    w->list[w->n++] = s;
    return 1;
}
