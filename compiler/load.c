/* load.c — files to ASTs: parses the main file and every file it imports.
 *
 * `import "p"` looks for p (with ".aedl" added when p does not end in it):
 *   1. in the importing file's folder,
 *   2. in each -I folder, in order,
 *   3. in the stdlib folder: DIR/p, and for "std/NAME" also DIR/NAME (the
 *      build tree keeps stdlib/NAME.aedl; an install has .../stdlib/std/NAME.aedl).
 * Each file is parsed once (keyed by its real path).  A file that imports one
 * of its importers closes a cycle: the error is at that import, with a note at
 * each import of the chain.  Files come out in dependency order, main last.
 */
#define _XOPEN_SOURCE 700     /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "arena.h"
#include "passes.h"
#include "util.h"

enum { UNSEEN, LOADING, DONE };

typedef struct {
    int file;            /* source id */
    int state;
    AstFile *ast;
    int via_decl;        /* while LOADING: the import being followed (index in ast->decls) */
} Unit;

typedef struct {
    const LoadOptions *opt;
    Unit *units; int nunits, capunits;
    int *stack; int nstack, capstack;      /* units being loaded, outermost first */
    AstFile **order; int norder, caporder; /* dependency order */
} Loader;

static int is_regular(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

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

/* Tries DIR/NAME (with .aedl when NAME lacks it); records the attempt in tried. */
static char *try_in(const char *dir, const char *name, char *tried, size_t size) {
    char *cands[2];
    int n = 0;
    if (ends_with(name, ".aedl")) cands[n++] = join(dir, name);
    else {
        cands[n++] = join(dir, arena_printf("%s.aedl", name));
        cands[n++] = join(dir, name);
    }
    size_t len = strlen(tried);
    snprintf(tried + len, size - len, "%s%s", len ? ", " : "", cands[0]);
    for (int i = 0; i < n; i++)
        if (is_regular(cands[i])) return cands[i];
    return NULL;
}

/* The path of the file `import "name"` in importer refers to, or NULL (and the
   list of places looked at in tried). */
static char *find_import(const Loader *L, const char *importer, const char *name, char *tried, size_t size) {
    char *p;
    tried[0] = 0;
    if (name[0] == '/') return try_in("", name, tried, size);
    if ((p = try_in(dir_of(importer), name, tried, size))) return p;
    for (int i = 0; i < L->opt->ninclude; i++)
        if ((p = try_in(L->opt->include_dirs[i], name, tried, size))) return p;
    const char *std = L->opt->stdlib_dir;
    if (std && *std) {
        if ((p = try_in(std, name, tried, size))) return p;
        if (strncmp(name, "std/", 4) == 0 && (p = try_in(std, name + 4, tried, size))) return p;
    }
    return NULL;
}

static int unit_of_real(const Loader *L, const char *real) {
    for (int i = 0; i < L->nunits; i++)
        if (strcmp(src_file(L->units[i].file)->realpath, real) == 0) return i;
    return -1;
}

static int add_unit(Loader *L, int file) {
    Unit u = { file, UNSEEN, NULL, -1 };
    ARENA_PUSH(L->units, L->nunits, L->capunits, u);
    return L->nunits - 1;
}

static void report_cycle(Loader *L, int target, const AstDecl *closing) {
    const char *tpath = src_file(L->units[target].file)->path;
    diag_error(closing->path_loc, "import cycle: %s imports itself through this import", tpath);
    /* The chain from the target to the file holding the closing import. */
    int k = 0;
    while (k < L->nstack && L->stack[k] != target) k++;
    for (; k < L->nstack - 1; k++) {
        Unit *u = &L->units[L->stack[k]];
        const AstDecl *d = &u->ast->decls[u->via_decl];
        diag_note(d->path_loc, "%s imports %s here", src_file(u->file)->path,
                  src_file(L->units[L->stack[k + 1]].file)->path);
    }
}

static void load_unit(Loader *L, int ui) {
    L->units[ui].state = LOADING;
    L->units[ui].ast = parse_source(L->units[ui].file);
    ARENA_PUSH(L->stack, L->nstack, L->capstack, ui);

    AstFile *ast = L->units[ui].ast;
    const char *path = src_file(L->units[ui].file)->path;
    for (int i = 0; i < ast->ndecls; i++) {
        AstDecl *d = &ast->decls[i];
        if (d->kind != DECL_IMPORT) continue;
        if (!d->path || !*d->path) {
            diag_error(d->path_loc, "empty import path");
            continue;
        }
        char tried[2048];
        char *found = find_import(L, path, d->path, tried, sizeof tried);
        if (!found) {
            diag_error(d->path_loc, "cannot find import \"%s\" (looked for %s)", d->path, tried);
            continue;
        }
        char *real = realpath(found, NULL);
        int target = real ? unit_of_real(L, real) : -1;
        free(real);
        if (target < 0) {
            const char *err = NULL;
            int id = src_load(found, &err);
            if (id < 0) {
                diag_error(d->path_loc, "cannot read %s: %s", found, err);
                continue;
            }
            target = add_unit(L, id);
        }
        d->import_file = L->units[target].file;
        L->units[ui].via_decl = i;
        if (L->units[target].state == LOADING) {
            d->import_file = -1;
            report_cycle(L, target, d);
        } else if (L->units[target].state == UNSEEN) {
            load_unit(L, target);
            ast = L->units[ui].ast;          /* (units may have moved; ast did not) */
        }
    }
    L->nstack--;
    L->units[ui].state = DONE;
    ARENA_PUSH(L->order, L->norder, L->caporder, L->units[ui].ast);
}

AstFile **load_program(const char *path, const LoadOptions *opt, int *nfiles) {
    Loader L;
    memset(&L, 0, sizeof L);
    LoadOptions none = { NULL, 0, NULL };
    L.opt = opt ? opt : &none;
    *nfiles = 0;

    const char *err = NULL;
    int id = src_load(path, &err);
    if (id < 0) {
        diag_error(NOLOC, "%s: %s", path, err);
        return NULL;
    }
    int main_unit = add_unit(&L, id);
    load_unit(&L, main_unit);

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
