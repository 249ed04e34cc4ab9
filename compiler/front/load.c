/* load.c — files to ASTs: parses the main file and every file it imports.
 *
 * `import "p"` looks for p (with ".aedl" added when p does not end in it):
 *   1. in the importing file's folder,
 *   2. in each -I folder, in order,
 *   3. in the stdlib folder: DIR/p, and for "std/NAME" also DIR/NAME (the
 *      build tree keeps stdlib/NAME.aedl; an install has .../stdlib/std/NAME.aedl).
 * The first place where the path exists decides: a directory, a FIFO, a
 * device, a symbolic link loop or a folder that cannot be searched there is an
 * error naming it (never read: a FIFO or a device could block or never end).
 * Each file is parsed once (keyed by its real path).  A file that imports one
 * of its importers closes a cycle: the error is at that import, with a note at
 * each import of the chain (the first and last eight of a longer one).  Files
 * come out in dependency order, main last.
 * The imports are followed with a stack of our own, not by recursion: a chain
 * of any length costs no C stack.
 */
#define _XOPEN_SOURCE 700     /* realpath, lstat */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "arena.h"
#include "passes.h"
#include "strmap.h"
#include "util.h"

enum { UNSEEN, LOADING, DONE };

typedef struct {
    int file;            /* source id */
    int state;
    AstFile *ast;
    int next_decl;       /* while LOADING: the next declaration to look at */
    int via_decl;        /* while LOADING: the import being followed (index in ast->decls) */
} Unit;

typedef struct {
    const LoadOptions *opt;
    LoadFindMem find_mem; void *mem_ctx;   /* in-memory files instead of the disk */
    Unit *units; int nunits, capunits;
    StrMap by_real;                        /* real path -> unit */
    int *stack; int nstack, capstack;      /* units being loaded, outermost first */
    AstFile **order; int norder, caporder; /* dependency order */
} Loader;

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* DIR/NAME, or NAME alone when DIR is "" (a file given without a folder). */
static char *join(const char *dir, const char *name) {
    if (!dir || !*dir) return arena_strdup(name);
    if (name[0] == '/') return arena_strdup(name);
    size_t n = strlen(dir);
    return arena_printf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return "";
    if (slash == path) return "/";
    return arena_strndup(path, (size_t)(slash - path));
}

/* Is PATH an importable file?  1: a regular file; 0: nothing there (look
   further); -1: something that cannot be imported is there (*why says what). */
static int probe(const char *path, const char **why) {
    struct stat st;
    char buf[600];
    if (stat(path, &st) == 0) {
        if (S_ISREG(st.st_mode)) return 1;
        src_describe_special(path, &st, buf, sizeof buf);
        *why = arena_printf("%s %s", path, buf);
        return -1;
    }
    int e = errno;
    if (e == ENOENT || e == ENOTDIR) {
        if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
            *why = arena_printf("%s is a symbolic link to a file that does not exist", path);
            return -1;
        }
        return 0;
    }
    *why = arena_printf("%s: %s%s", path, strerror(e), e == ELOOP ? " (a symbolic link loop)" : "");
    return -1;
}

/* Tries DIR/NAME (with .aedl when NAME lacks it); records the attempt in
   tried.  Returns the path, or NULL; *why is set when the search must stop. */
static char *try_in(const char *dir, const char *name, char *tried, size_t size, const char **why) {
    char *cands[2];
    int n = 0;
    if (ends_with(name, ".aedl")) cands[n++] = join(dir, name);
    else {
        cands[n++] = join(dir, arena_printf("%s.aedl", name));
        cands[n++] = join(dir, name);
    }
    size_t len = strlen(tried);
    snprintf(tried + len, size - len, "%s%s", len ? ", " : "", cands[0]);
    for (int i = 0; i < n; i++) {
        int k = probe(cands[i], why);
        if (k > 0) return cands[i];
        if (k < 0) return NULL;
    }
    return NULL;
}

/* The path of the file `import "name"` in importer refers to, or NULL (and
   either *why, when something unusable is in the way, or the list of places
   looked at in tried). */
static char *find_import(const Loader *L, const char *importer, const char *name, char *tried, size_t size,
                         const char **why) {
    char *p;
    tried[0] = 0;
    *why = NULL;
    if (name[0] == '/') return try_in("", name, tried, size, why);
    if ((p = try_in(dir_of(importer), name, tried, size, why)) || *why) return p;
    for (int i = 0; i < L->opt->ninclude; i++)
        if ((p = try_in(L->opt->include_dirs[i], name, tried, size, why)) || *why) return p;
    const char *std = L->opt->stdlib_dir;
    if (std && *std) {
        if ((p = try_in(std, name, tried, size, why)) || *why) return p;
        if (strncmp(name, "std/", 4) == 0 && (p = try_in(std, name + 4, tried, size, why))) return p;
    }
    return NULL;
}

static int add_unit(Loader *L, int file) {
    Unit u = { file, UNSEEN, NULL, 0, -1 };
    ARENA_PUSH(L->units, L->nunits, L->capunits, u);
    strmap_add(&L->by_real, src_file(file)->realpath, L->nunits - 1);
    return L->nunits - 1;
}

/* The unit of the file an import names (loaded now when new), or -1 after
   reporting why there is none. */
static int import_target(Loader *L, const char *importer, const AstDecl *d) {
    if (L->find_mem) {
        int id = L->find_mem(d->path, L->mem_ctx);
        if (id < 0) {
            diag_error(d->path_loc, "cannot find import \"%s\"", d->path);
            return -1;
        }
        int u = strmap_get(&L->by_real, src_file(id)->realpath);
        return u >= 0 ? u : add_unit(L, id);
    }
    char tried[2048];
    const char *why;
    char *found = find_import(L, importer, d->path, tried, sizeof tried, &why);
    if (why) {
        diag_error(d->path_loc, "cannot import \"%s\": %s", d->path, why);
        return -1;
    }
    if (!found) {
        diag_error(d->path_loc, "cannot find import \"%s\" (looked for %s)", d->path, tried);
        return -1;
    }
    char *real = realpath(found, NULL);
    int target = real ? strmap_get(&L->by_real, real) : -1;
    free(real);
    if (target >= 0) return target;
    const char *err = NULL;
    int id = src_load(found, &err);
    if (id < 0) {
        diag_error(d->path_loc, "cannot import \"%s\": %s: %s", d->path, found, err);
        return -1;
    }
    return add_unit(L, id);
}

/* Notes shown for a cycle's chain at most (the first and the last ones). */
#define CYCLE_NOTES 16

static void report_cycle(Loader *L, int target, const AstDecl *closing) {
    const char *tpath = src_file(L->units[target].file)->path;
    diag_error(closing->path_loc, "import cycle: %s imports itself through this import", tpath);
    /* The chain from the target to the file holding the closing import. */
    int k = 0;
    while (k < L->nstack && L->stack[k] != target) k++;
    int first = k, links = L->nstack - 1 - k;
    for (; k < L->nstack - 1; k++) {
        int i = k - first;
        if (links > CYCLE_NOTES && i >= CYCLE_NOTES / 2 && i < links - CYCLE_NOTES / 2) {
            if (i == CYCLE_NOTES / 2) diag_note(NOLOC, "... %d more imports in the cycle ...", links - CYCLE_NOTES);
            continue;
        }
        Unit *u = &L->units[L->stack[k]];
        const AstDecl *d = &u->ast->decls[u->via_decl];
        diag_note(d->path_loc, "%s imports %s here", src_file(u->file)->path,
                  src_file(L->units[L->stack[k + 1]].file)->path);
    }
}

static void start_unit(Loader *L, int ui) {
    L->units[ui].state = LOADING;
    L->units[ui].ast = parse_source(L->units[ui].file);
    L->units[ui].next_decl = 0;
    ARENA_PUSH(L->stack, L->nstack, L->capstack, ui);
}

/* Loads unit MAIN and, depth first, everything it imports. */
static void load_all(Loader *L, int main_unit) {
    start_unit(L, main_unit);
    while (L->nstack > 0) {
        int ui = L->stack[L->nstack - 1];
        Unit *u = &L->units[ui];
        AstFile *ast = u->ast;
        if (u->next_decl >= ast->ndecls) {          /* every import followed */
            L->nstack--;
            u->state = DONE;
            ARENA_PUSH(L->order, L->norder, L->caporder, ast);
            continue;
        }
        int i = u->next_decl++;
        AstDecl *d = &ast->decls[i];
        if (d->kind != DECL_IMPORT) continue;
        if (!d->path || !*d->path) {
            diag_error(d->path_loc, "empty import path");
            continue;
        }
        int target = import_target(L, src_file(u->file)->path, d);
        if (target < 0) continue;
        u = &L->units[ui];                         /* (units may have moved) */
        d->import_file = L->units[target].file;
        u->via_decl = i;
        if (L->units[target].state == LOADING) {
            d->import_file = -1;
            report_cycle(L, target, d);
        } else if (L->units[target].state == UNSEEN) {
            start_unit(L, target);
        }
    }
}

static AstFile **load_main(int id, const LoadOptions *opt, LoadFindMem find, void *ctx, int *nfiles) {
    Loader L;
    memset(&L, 0, sizeof L);
    LoadOptions none = { NULL, 0, NULL };
    L.opt = opt ? opt : &none;
    L.find_mem = find;
    L.mem_ctx = ctx;
    int main_unit = add_unit(&L, id);
    load_all(&L, main_unit);

    /* An empty main file is most likely a mistake (the wrong file, or a file
       truncated on the way); an empty imported file is fine. */
    AstFile *m = L.units[main_unit].ast;
    if (m->ndecls == 0 && diag_error_count() == 0) {
        const SrcFile *f = src_file(id);
        diag_error((Loc){ id, 0, 0 }, "no declarations: the file is %s",
                   f->len == 0 ? "empty" : "only blank lines and comments");
    }
    *nfiles = L.norder;
    return L.order;
}

AstFile **load_program(const char *path, const LoadOptions *opt, int *nfiles) {
    *nfiles = 0;
    const char *err = NULL;
    int id = src_load(path, &err);
    if (id < 0) {
        diag_error(NOLOC, "%s: %s", path, err);
        return NULL;
    }
    return load_main(id, opt, NULL, NULL, nfiles);
}

AstFile **load_program_mem(int file_id, LoadFindMem find, void *ctx, int *nfiles) {
    *nfiles = 0;
    return load_main(file_id, NULL, find, ctx, nfiles);
}
