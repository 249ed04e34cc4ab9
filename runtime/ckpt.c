/* ckpt.c — see ckpt.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ckpt.h"

static const char MAGIC[8] = { 'A', 'E', 'D', 'L', 'C', 'K', 'P', '1' };

static uint64_t fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ULL; }
    return h;
}
#define FNV_INIT 0xcbf29ce484222325ULL
#define PAD8(n) (((n) + 7) & ~(uint64_t)7)

static void put_raw(aedl_ckpt_writer *w, const void *data, size_t n) {
    if (w->failed) return;
    if (w->fail_after >= 0 && w->written + (long)n > w->fail_after) {
        size_t part = (size_t)(w->fail_after - w->written);
        fwrite(data, 1, part, w->a.f);
        w->failed = 1; w->err = ENOSPC;
        return;
    }
    if (fwrite(data, 1, n, w->a.f) != n) { w->failed = 1; w->err = errno ? errno : EIO; return; }
    w->written += (long)n;
    w->hash = fnv1a(w->hash, data, n);
}

int aedl_ckpt_begin(aedl_ckpt_writer *w, const char *path) {
    memset(w, 0, sizeof *w);
    w->fail_after = -1;
    const char *fa = getenv("AEDL_CKPT_FAIL_AFTER");
    if (fa && *fa) w->fail_after = strtol(fa, NULL, 10);
    if (aedl_atomic_open(&w->a, path, "wb") != 0) return -1;
    w->hash = FNV_INIT;
    put_raw(w, MAGIC, sizeof MAGIC);
    return 0;
}

static void put_record(aedl_ckpt_writer *w, const char *tag, const void *data, size_t len) {
    char t[AEDL_CKPT_TAG] = { 0 };
    if (strlen(tag) >= AEDL_CKPT_TAG) {     /* a bug in the caller: it could never be read back */
        fprintf(stderr, "internal error: checkpoint section tag '%s' is longer than %d characters\n",
                tag, AEDL_CKPT_TAG - 1);
        abort();
    }
    strncpy(t, tag, AEDL_CKPT_TAG - 1);
    uint64_t n = len;
    put_raw(w, t, sizeof t);
    put_raw(w, &n, sizeof n);
    if (len) put_raw(w, data, len);
    static const char zeros[8];
    if (len % 8) put_raw(w, zeros, 8 - len % 8);   /* keep every section 8-byte aligned */
}

void aedl_ckpt_put(aedl_ckpt_writer *w, const char *tag, const void *data, size_t len) {
    put_record(w, tag, data, len);
}

int aedl_ckpt_end(aedl_ckpt_writer *w) {
    uint64_t h = w->hash;
    put_record(w, "END", &h, sizeof h);
    if (w->failed) {
        aedl_atomic_abort(&w->a);
        errno = w->err;
        return -1;
    }
    return aedl_atomic_commit(&w->a);
}

int aedl_ckpt_load(aedl_ckpt *c, const char *path, char *err, size_t errlen) {
    c->buf = NULL; c->len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno)); return -1; }
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = xmalloc(cap);
    for (;;) {
        if (len == cap) { cap *= 2; buf = xrealloc(buf, cap); }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) { free(buf); snprintf(err, errlen, "cannot read %s", path); return -1; }
    if (len < sizeof MAGIC || memcmp(buf, MAGIC, sizeof MAGIC) != 0) {
        free(buf); snprintf(err, errlen, "%s is not an aedl checkpoint", path); return -1;
    }
    /* Walk the records up to END and check the hash. */
    size_t pos = sizeof MAGIC;
    for (;;) {
        if (pos + AEDL_CKPT_TAG + 8 > len) {
            free(buf); snprintf(err, errlen, "%s is truncated (no END record)", path); return -1;
        }
        const char *tag = (const char *)buf + pos;
        uint64_t n;
        memcpy(&n, buf + pos + AEDL_CKPT_TAG, 8);
        size_t body = pos + AEDL_CKPT_TAG + 8;
        if (PAD8(n) > len - body) {
            free(buf); snprintf(err, errlen, "%s is truncated", path); return -1;
        }
        if (strncmp(tag, "END", AEDL_CKPT_TAG) == 0 && n == 8) {
            uint64_t want;
            memcpy(&want, buf + body, 8);
            if (fnv1a(FNV_INIT, buf, pos) != want) {
                free(buf); snprintf(err, errlen, "%s is damaged (checksum mismatch)", path); return -1;
            }
            c->buf = buf; c->len = pos;
            return 0;
        }
        pos = body + PAD8(n);
    }
}

const void *aedl_ckpt_get_any(const aedl_ckpt *c, const char *tag, size_t *got) {
    size_t pos = sizeof MAGIC;
    while (pos + AEDL_CKPT_TAG + 8 <= c->len) {
        uint64_t n;
        memcpy(&n, c->buf + pos + AEDL_CKPT_TAG, 8);
        if (strncmp((const char *)c->buf + pos, tag, AEDL_CKPT_TAG) == 0) {
            if (got) *got = n;
            return c->buf + pos + AEDL_CKPT_TAG + 8;
        }
        pos += AEDL_CKPT_TAG + 8 + PAD8(n);
    }
    return NULL;
}

const void *aedl_ckpt_get(const aedl_ckpt *c, const char *tag, size_t len) {
    size_t got;
    const void *p = aedl_ckpt_get_any(c, tag, &got);
    return p && got == len ? p : NULL;
}

void aedl_ckpt_free(aedl_ckpt *c) {
    free(c->buf);
    c->buf = NULL; c->len = 0;
}
