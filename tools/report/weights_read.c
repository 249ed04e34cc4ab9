/* weights_read.c — the dense kernels (and pruning masks) of a weights file
 * (layout: docs/semantics.md; one group per layer, kernel (n_in, units)). */
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "util.h"

typedef struct { char **names; int n; } name_list;

/* Root members that open as groups (HDF5 1.10 API). */
static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *data) {
    (void)info;
    name_list *L = data;
    hid_t sub = H5Gopen2(g, name, H5P_DEFAULT);
    if (sub < 0) return 0;
    H5Gclose(sub);
    L->names = xrealloc(L->names, (size_t)(L->n + 1) * sizeof *L->names);
    L->names[L->n++] = xstrdup(name);
    return 0;
}

/* Reads group/name as float (rank 2).  NULL when absent or of another shape. */
static float *read_2d(hid_t f, const char *group, const char *name, int *rows, int *cols) {
    char path[1024];
    snprintf(path, sizeof path, "/%s/%s", group, name);
    if (H5Lexists(f, group, H5P_DEFAULT) <= 0) return NULL;
    hid_t g = H5Gopen2(f, group, H5P_DEFAULT);
    if (g < 0) return NULL;
    int exists = H5Lexists(g, name, H5P_DEFAULT) > 0;
    H5Gclose(g);
    if (!exists) return NULL;
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    if (ds < 0) return NULL;
    hid_t sp = H5Dget_space(ds);
    hsize_t d[2] = { 0, 0 };
    int rank = H5Sget_simple_extent_ndims(sp);
    float *v = NULL;
    if (rank == 2 && H5Sget_simple_extent_dims(sp, d, NULL) == 2 && d[0] > 0 && d[1] > 0 &&
        d[0] < (1u << 20) && d[1] < (1u << 20)) {
        v = xmalloc((size_t)(d[0] * d[1]) * sizeof(float));
        if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) { free(v); v = NULL; }
        *rows = (int)d[0];
        *cols = (int)d[1];
    }
    H5Sclose(sp);
    H5Dclose(ds);
    return v;
}

/* Position of layer `name` in precision.json's list, or a large number. */
static int model_order(const rep *R, const char *name) {
    const json *layers = json_get(R->precision, "layers");
    for (int i = 0; i < json_len(layers); i++)
        if (!strcmp(json_str(json_get(json_at(layers, i), "name"), ""), name)) return i;
    return 1 << 20;
}

static const rep *sort_rep;
static int by_model_order(const void *a, const void *b) {
    const rep_layer *x = a, *y = b;
    int i = model_order(sort_rep, x->name), j = model_order(sort_rep, y->name);
    return i != j ? (i < j ? -1 : 1) : strcmp(x->name, y->name);
}

int rep_read_weights(rep *R, const char *path, char *err, size_t errlen) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) { snprintf(err, errlen, "%s: cannot open as HDF5", path); return -1; }
    name_list L = { NULL, 0 };
    H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, &L);
    for (int i = 0; i < L.n; i++) {
        int r = 0, c = 0, mr = 0, mc = 0;
        float *k = read_2d(f, L.names[i], "kernel", &r, &c);
        if (k) {
            float *m = read_2d(f, L.names[i], "mask", &mr, &mc);
            if (m && (mr != r || mc != c)) { free(m); m = NULL; }
            R->layers = xrealloc(R->layers, (size_t)(R->nlayers + 1) * sizeof *R->layers);
            rep_layer *Lr = &R->layers[R->nlayers++];
            Lr->name = xstrdup(L.names[i]);
            Lr->n_in = r; Lr->units = c; Lr->kernel = k; Lr->mask = m;
            Lr->zeros = 0;
            for (long j = 0; j < (long)r * c; j++)
                Lr->zeros += k[j] == 0.0f || (m && m[j] == 0.0f);
        }
        free(L.names[i]);
    }
    free(L.names);
    H5Fclose(f);
    sort_rep = R;
    if (R->nlayers > 1) qsort(R->layers, (size_t)R->nlayers, sizeof *R->layers, by_model_order);
    if (R->nlayers == 0) { snprintf(err, errlen, "%s: no dense kernel in the file", path); return -1; }
    return 0;
}
