/* home.c — see home.h. */
#define _XOPEN_SOURCE 700   /* realpath */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "home.h"
#include "util.h"

#ifndef AEDL_SRCDIR
#define AEDL_SRCDIR ""
#endif

char *aedl_exe_dir(const char *exe) {
    char buf[PATH_MAX];
    if (exe) snprintf(buf, sizeof buf, "%s", exe);
    else {
        ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
        if (n <= 0) return NULL;
        buf[n] = 0;
    }
    char *slash = strrchr(buf, '/');
    if (!slash) return xstrdup(".");
    *slash = 0;
    return xstrdup(buf[0] ? buf : "/");
}

/* DIR when DIR/PROBE is readable: its absolute path; NULL otherwise. */
static char *holds(const char *dir, const char *probe) {
    size_t n = strlen(dir) + strlen(probe) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", dir, probe);
    int ok = access(p, R_OK) == 0;
    free(p);
    return ok ? realpath(dir, NULL) : NULL;
}

char *aedl_home_find(const char *exe, const char *installed, const char *source, const char *probe) {
    char *bin = aedl_exe_dir(exe);
    char *found = NULL;
    char d[2 * PATH_MAX];
    if (bin) {
        snprintf(d, sizeof d, "%s/../share/aedl/%s", bin, installed);
        found = holds(d, probe);
        if (!found) { snprintf(d, sizeof d, "%s/../%s", bin, source); found = holds(d, probe); }
        if (!found) { snprintf(d, sizeof d, "%s/../../%s", bin, source); found = holds(d, probe); }
        free(bin);
    }
    if (!found && AEDL_SRCDIR[0]) {
        snprintf(d, sizeof d, "%s/%s", AEDL_SRCDIR, source);
        found = holds(d, probe);
    }
    return found;
}
