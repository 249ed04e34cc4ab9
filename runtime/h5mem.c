/* h5mem.c — HDF5 files built in memory and written whole (h5mem.h). */
#include "h5mem.h"

#include <errno.h>
#include <stdlib.h>
#include "util.h"

hid_t aedl_h5mem_create(const char *path) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    hid_t f = H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 ? -1 : H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    return f;
}

int aedl_h5mem_commit(hid_t f, const char *path, int bad) {
    void *image = NULL;
    ssize_t size = -1;
    if (!bad && H5Fflush(f, H5F_SCOPE_GLOBAL) >= 0 && (size = H5Fget_file_image(f, NULL, 0)) > 0) {
        image = xmalloc((size_t)size);
        if (H5Fget_file_image(f, image, (size_t)size) != size) bad = 1;
    } else {
        bad = 1;
    }
    if (H5Fclose(f) < 0) bad = 1;
    if (bad) {
        free(image);
        return -1;
    }
    aedl_atomic a = { 0 };
    errno = 0;
    if (aedl_atomic_open(&a, path, "wb") != 0 || fwrite(image, 1, (size_t)size, a.f) != (size_t)size ||
        aedl_atomic_commit(&a) != 0) {
        int e = errno;
        if (a.f) aedl_atomic_abort(&a);
        free(image);
        errno = e;
        return -2;
    }
    free(image);
    return 0;
}
