/* fuzz_root.c — libFuzzer target over the ROOT reader (`make fuzz-root`,
 * tests/tests.mk): each input is written to a temporary file and opened as a
 * ROOT file with tree "events"; every branch is read entry by entry, and the
 * object selection runs over it.  Any input must give values or a message
 * naming the file, never a crash, a sanitizer report or a hang.  Seeded with
 * the shared HZZ files (tests/fuzz/root/: made by `make fuzz-root`). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "data_sel.h"
#include "root.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_input(void) {
    if (path[0]) unlink(path);
}

static void need_path(const char *err) {
    if (!strstr(err, path)) { fprintf(stderr, "a message without the file: %s\n", err); abort(); }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!path[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/aedl-fuzz-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
        int fd = mkstemp(path);
        if (fd < 0) { perror("mkstemp"); abort(); }
        close(fd);
        atexit(remove_input);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) { perror(path); abort(); }
    char err[1500] = "";
    rt_tree t;
    if (rt_tree_open(&t, path, "events", err, sizeof err) != 0) { need_path(err); return 0; }
    long long values = 0;
    for (int i = 0; i < t.nbranches && values < 1000000; i++) {
        rt_reader r;
        rt_reader_init(&r, &t, &t.br[i]);
        for (int64_t e = 0; e < t.entries && e < 100000; e++) {
            size_t n;
            if (!rt_reader_get(&r, e, &n, err, sizeof err)) { need_path(err); break; }
            values += (long long)n;
        }
        rt_reader_free(&r);
    }
    rt_tree_close(&t);
    static const char *const vars[] = { "Px", "Py" };
    static const char *const scal[] = { "MET_px" };
    aedl_objsel mu = { "Muon", 2, "Px", vars, 2, 0.0 };
    aedl_evcut cut = { "Muon", 1, "Py", -1e30 };
    const char *files[] = { path };
    aedl_selection sel = { .files = files, .nfiles = 1, .tree = "events", .objs = &mu, .nobjs = 1,
                           .scalars = scal, .nscalars = 1, .cuts = &cut, .ncuts = 1 };
    aedl_selected out;
    if (aedl_select(&sel, &out, err, sizeof err) != 0) need_path(err);
    else aedl_selected_free(&out);
    return 0;
}
