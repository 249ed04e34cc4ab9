/* ckpt.h — checkpoint files: a flat list of named binary sections.  (What a
 * training run stores in them: aedl_ckpt_write_run in ckpt.c, train_int.h.)
 *
 * Layout (little-endian, as the machine writes it; a checkpoint is read back
 * by the same program on the same machine):
 *
 *   "AEDLCKP1"                          8 bytes, magic + format version
 *   repeated: tag[16] (NUL padded), u64 length, length bytes, zeros to a multiple of 8
 *   "END\0..."[16], u64 8, u64 FNV-1a hash of every byte before this record
 *
 * A file without the END record or with a wrong hash is refused (a torn write).
 * Writing goes through util.h's atomic files: the previous checkpoint stays in
 * place until the new one is complete, fsynced and renamed over it.
 *
 *   aedl_ckpt_writer w;
 *   if (aedl_ckpt_begin(&w, path) == 0) {
 *       aedl_ckpt_put(&w, "params", p, n * sizeof *p);
 *       ...
 *       if (aedl_ckpt_end(&w) != 0) ... errno says why; the old file is intact
 *   }
 *   aedl_ckpt c;
 *   if (aedl_ckpt_load(&c, path, err, sizeof err) == 0) {
 *       const float *p = aedl_ckpt_get(&c, "params", n * sizeof *p);   // NULL: missing or wrong size
 *       aedl_ckpt_free(&c);
 *   }
 */
#ifndef AEDL_CKPT_H
#define AEDL_CKPT_H
#include <stddef.h>
#include <stdint.h>
#include "util.h"

#define AEDL_CKPT_TAG 16   /* section tags: at most 15 characters */

typedef struct {
    aedl_atomic a;
    uint64_t hash;
    int failed;                 /* a write failed; errno kept in err */
    int err;
    long fail_after;            /* test hook: fail (ENOSPC) once this many bytes were written; -1 never */
    long written;
} aedl_ckpt_writer;

/* Opens PATH.tmp.PID.  0, or -1 with errno.  The environment variable
   AEDL_CKPT_FAIL_AFTER=N (bytes) makes the write fail with ENOSPC after N
   bytes: the disk-full test.  (The other test hook, AEDL_TEST_PAUSE_AT, which
   stops a program at a point for a test to signal it: proc.h.) */
int aedl_ckpt_begin(aedl_ckpt_writer *w, const char *path);
/* Appends one section (errors are remembered and reported by _end). */
void aedl_ckpt_put(aedl_ckpt_writer *w, const char *tag, const void *data, size_t len);
/* Writes the END record and renames over PATH.  0, or -1 with errno (then
   the temporary is removed and PATH is untouched). */
int aedl_ckpt_end(aedl_ckpt_writer *w);

typedef struct {
    unsigned char *buf;
    size_t len;
} aedl_ckpt;

/* Reads and verifies PATH.  0, or -1 with a message in err. */
int aedl_ckpt_load(aedl_ckpt *c, const char *path, char *err, size_t errlen);
/* The section TAG if present with exactly LEN bytes; else NULL. */
const void *aedl_ckpt_get(const aedl_ckpt *c, const char *tag, size_t len);
/* The section TAG of any length (its length in *got when got != NULL); else NULL. */
const void *aedl_ckpt_get_any(const aedl_ckpt *c, const char *tag, size_t *got);
void aedl_ckpt_free(aedl_ckpt *c);

#endif
