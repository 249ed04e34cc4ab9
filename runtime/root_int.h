/* root_int.h — internal to root_*.c: a bounds-checked big-endian cursor over a
 * decompressed object, and the keys of a file. */
#ifndef AEDL_ROOT_INT_H
#define AEDL_ROOT_INT_H
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include "root.h"

/* A read past the end sets bad and returns zeros: callers check bad once after a
   group of reads.  disp is added to positions to give ROOT's object offsets (the
   key length: offsets count from the start of the key). */
typedef struct {
    const uint8_t *p;
    size_t n, i;
    int bad;
    size_t disp;
} rbuf;

static inline int rb_has(rbuf *b, size_t k) {
    if (b->bad || k > b->n - b->i) { b->bad = 1; return 0; }
    return 1;
}
static inline uint8_t rb_u8(rbuf *b) { return rb_has(b, 1) ? b->p[b->i++] : 0; }
static inline uint16_t rb_u16(rbuf *b) {
    if (!rb_has(b, 2)) return 0;
    uint16_t v = (uint16_t)(b->p[b->i] << 8 | b->p[b->i + 1]);
    b->i += 2;
    return v;
}
static inline uint32_t rb_u32(rbuf *b) {
    if (!rb_has(b, 4)) return 0;
    const uint8_t *q = b->p + b->i;
    b->i += 4;
    return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}
static inline uint64_t rb_u64(rbuf *b) {
    uint64_t hi = rb_u32(b);
    return hi << 32 | rb_u32(b);
}
static inline void rb_skip(rbuf *b, size_t k) { if (rb_has(b, k)) b->i += k; }
static inline void rb_seek(rbuf *b, size_t pos) { if (pos > b->n) b->bad = 1; else b->i = pos; }

/* A TString into out (truncated to cap - 1); the cursor moves past all of it. */
void rb_tstring(rbuf *b, char *out, size_t cap);

/* A key's header. */
typedef struct {
    int32_t nbytes, objlen;
    int16_t version, keylen, cycle;
    uint64_t seekkey, seekpdir;
    char cls[64], name[256];
} rt_key;
int rt_key_parse(rbuf *b, rt_key *k);

int rt_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* n bytes at off of the file, or -1 (short read: the file is cut off). */
int rt_pread(int fd, void *buf, size_t n, uint64_t off);
#endif
