/* h5mem.h — HDF5 files built in memory and written whole.
 *
 * HDF5's core driver with no backing store builds the file in memory; its bytes
 * are then written with the atomic writer (util.h).  HDF5 itself never writes to
 * disk, so a full disk is an ordinary write error (HDF5 1.10 crashes at exit after
 * a file whose close failed), and a file is complete or absent.  The weights files
 * (training, aedlc import) and the Keras weights (--emit keras) are written so. */
#ifndef AEDL_H5MEM_H
#define AEDL_H5MEM_H

#include <hdf5.h>

/* A new file in memory, named path (nothing is written yet), or -1. */
hid_t aedl_h5mem_create(const char *path);

/* Closes f and writes its bytes to path.  bad: building f failed already (f is only
   closed).  0; -1 when HDF5 failed (the file could not be built); -2 when writing
   failed, with errno set (0 when the cause is unknown).  Nothing is left at path
   unless 0. */
int aedl_h5mem_commit(hid_t f, const char *path, int bad);

#endif
