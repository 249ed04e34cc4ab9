/* root_zip.c — ROOT's compressed blocks.  An object or basket larger than its
 * stored bytes is a sequence of blocks, each a 9-byte header: two letters for the
 * algorithm ("ZL" zlib, "XZ" LZMA, "L4" LZ4, "ZS" ZSTD; "CS" is ROOT's own old
 * algorithm, not supported), a method byte, the compressed and the uncompressed
 * size (3 bytes each, little-endian).  An LZ4 block starts with the xxhash64
 * (big-endian) of its compressed bytes. */
#include <stdio.h>
#include <string.h>
#include <lz4.h>
#include <lzma.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>
#include "root.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#include <stdarg.h>
static int fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int inflate_zlib(const uint8_t *src, size_t n, uint8_t *dst, size_t m) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) return -1;
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)m;
    int rc = inflate(&z, Z_FINISH);
    size_t got = m - z.avail_out;
    inflateEnd(&z);
    return rc == Z_STREAM_END && got == m ? 0 : -1;
}

static int inflate_lzma(const uint8_t *src, size_t n, uint8_t *dst, size_t m) {
    uint64_t memlimit = (uint64_t)256 << 20;
    size_t in = 0, out = 0;
    lzma_ret rc = lzma_stream_buffer_decode(&memlimit, 0, NULL, src, &in, n, dst, &out, m);
    return rc == LZMA_OK && out == m ? 0 : -1;
}

int rt_unzip_size(const uint8_t *src, size_t srclen, size_t *total) {
    size_t in = 0;
    *total = 0;
    while (in < srclen) {
        if (srclen - in < 9) return -1;
        const uint8_t *h = src + in;
        size_t c = (size_t)h[3] | (size_t)h[4] << 8 | (size_t)h[5] << 16;
        size_t u = (size_t)h[6] | (size_t)h[7] << 8 | (size_t)h[8] << 16;
        in += 9;
        if (c > srclen - in) return -1;
        in += c;
        *total += u;
    }
    return 0;
}

int rt_unzip(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, char *err, size_t errlen) {
    size_t in = 0, out = 0;
    int block = 0;
    while (out < dstlen) {
        if (srclen - in < 9)
            return fail(err, errlen, "compressed block %d: its 9-byte header is cut off (%zu bytes "
                        "left)", block, srclen - in);
        const uint8_t *h = src + in;
        size_t c = (size_t)h[3] | (size_t)h[4] << 8 | (size_t)h[5] << 16;
        size_t u = (size_t)h[6] | (size_t)h[7] << 8 | (size_t)h[8] << 16;
        char alg[3] = { (char)h[0], (char)h[1], 0 };
        for (int i = 0; i < 2; i++) if (alg[i] < 32 || alg[i] > 126) alg[i] = '?';
        in += 9;
        if (c > srclen - in)
            return fail(err, errlen, "compressed block %d (%s) says %zu bytes but only %zu are "
                        "stored", block, alg, c, srclen - in);
        if (u > dstlen - out)
            return fail(err, errlen, "compressed block %d (%s) unpacks to %zu bytes, more than the "
                        "%zu expected", block, alg, u, dstlen - out);
        if (u == 0) return fail(err, errlen, "compressed block %d (%s) is empty", block, alg);
        const uint8_t *p = src + in;
        int rc;
        const char *name;
        if (memcmp(h, "ZL", 2) == 0) {
            name = "zlib";
            rc = inflate_zlib(p, c, dst + out, u);
        } else if (memcmp(h, "XZ", 2) == 0) {
            name = "LZMA";
            rc = inflate_lzma(p, c, dst + out, u);
        } else if (memcmp(h, "L4", 2) == 0) {
            name = "LZ4";
            if (c < 8) return fail(err, errlen, "LZ4 block %d is shorter than its checksum", block);
            uint64_t want = 0;
            for (int i = 0; i < 8; i++) want = want << 8 | p[i];
            uint64_t have = XXH64(p + 8, c - 8, 0);
            if (want != have)
                return fail(err, errlen, "LZ4 block %d: checksum mismatch (stored %016llx, computed "
                            "%016llx): the data are damaged", block, (unsigned long long)want,
                            (unsigned long long)have);
            int got = LZ4_decompress_safe((const char *)p + 8, (char *)dst + out, (int)(c - 8), (int)u);
            rc = got == (int)u ? 0 : -1;
        } else if (memcmp(h, "ZS", 2) == 0) {
            name = "ZSTD";
            size_t got = ZSTD_decompress(dst + out, u, p, c);
            rc = !ZSTD_isError(got) && got == u ? 0 : -1;
        } else if (memcmp(h, "CS", 2) == 0) {
            return fail(err, errlen, "compressed block %d uses ROOT's old 'CS' algorithm, which is "
                        "not supported (rewrite the file with zlib, LZMA, LZ4 or ZSTD)", block);
        } else {
            return fail(err, errlen, "compressed block %d: unknown compression '%s' (expected ZL, XZ, "
                        "L4 or ZS)", block, alg);
        }
        if (rc)
            return fail(err, errlen, "%s block %d (%zu bytes to %zu) does not decompress: the data are "
                        "damaged", name, block, c, u);
        in += c;
        out += u;
        block++;
    }
    return 0;
}
