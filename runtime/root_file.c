/* root_file.c — the container of a ROOT file: the header ("root", the format
 * version; version >= 1000000 means 64-bit seek fields), the top directory, the
 * list of keys of a directory, subdirectories, and an object's bytes (read at
 * its key, decompressed when its stored size is below its object length).
 * rt_tree_open finds the tree; root_tree.c reads it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "root_int.h"
#include "util.h"

/* Defined in root_tree.c: parses a TTree object's bytes into t. */
int rt_tree_parse(rt_tree *t, const uint8_t *obj, size_t n, size_t keylen, char *err, size_t errlen);

int rt_fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int rt_pread(int fd, void *buf, size_t n, uint64_t off) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

void rb_tstring(rbuf *b, char *out, size_t cap) {
    size_t len = rb_u8(b);
    if (len == 255) len = rb_u32(b);
    if (cap) out[0] = 0;
    if (!rb_has(b, len)) return;
    size_t k = len < cap ? len : cap - 1;
    memcpy(out, b->p + b->i, k);
    out[k] = 0;
    b->i += len;
}

int rt_key_parse(rbuf *b, rt_key *k) {
    memset(k, 0, sizeof *k);
    k->nbytes = (int32_t)rb_u32(b);
    k->version = (int16_t)rb_u16(b);
    k->objlen = (int32_t)rb_u32(b);
    rb_u32(b);                                   /* datime */
    k->keylen = (int16_t)rb_u16(b);
    k->cycle = (int16_t)rb_u16(b);
    if (k->version > 1000) {
        k->seekkey = rb_u64(b);
        k->seekpdir = rb_u64(b);
    } else {
        k->seekkey = rb_u32(b);
        k->seekpdir = rb_u32(b);
    }
    rb_tstring(b, k->cls, sizeof k->cls);
    rb_tstring(b, k->name, sizeof k->name);
    char title[256];
    rb_tstring(b, title, sizeof title);
    if (b->bad || k->nbytes < 0 || k->objlen < 0 || k->keylen < 0) return -1;
    return 0;
}

/* ---- reading objects ---------------------------------------------------------- */
typedef struct {
    const char *path;
    int fd;
    uint64_t size;
} rfile;

/* The bytes of the object of key k (decompressed), malloc'd; *n its length. */
static uint8_t *read_object(const rfile *f, const rt_key *k, size_t *n, char *err, size_t errlen) {
    if (k->keylen > k->nbytes || k->seekkey > f->size || (uint64_t)k->nbytes > f->size - k->seekkey) {
        rt_fail(err, errlen, "%s: the key of '%s' (%s) points past the end of the file (%d bytes at "
                "byte %llu; the file has %llu bytes)", f->path, k->name, k->cls, k->nbytes,
                (unsigned long long)k->seekkey, (unsigned long long)f->size);
        return NULL;
    }
    size_t stored = (size_t)(k->nbytes - k->keylen);
    uint8_t *raw = xmalloc(stored ? stored : 1);
    if (rt_pread(f->fd, raw, stored, k->seekkey + (uint64_t)k->keylen)) {
        free(raw);
        rt_fail(err, errlen, "%s: cannot read '%s' (%s): the file is cut off", f->path, k->name, k->cls);
        return NULL;
    }
    if ((size_t)k->objlen <= stored) { *n = stored; return raw; }
    size_t announced;
    if (rt_unzip_size(raw, stored, &announced) || announced < (size_t)k->objlen) {
        free(raw);
        rt_fail(err, errlen, "%s: '%s' (%s) is damaged: its compressed blocks do not hold its %d bytes",
                f->path, k->name, k->cls, k->objlen);
        return NULL;
    }
    uint8_t *obj = xmalloc((size_t)k->objlen);
    char why[256];
    if (rt_unzip(raw, stored, obj, (size_t)k->objlen, why, sizeof why)) {
        free(raw);
        free(obj);
        rt_fail(err, errlen, "%s: '%s' (%s) is damaged: %s", f->path, k->name, k->cls, why);
        return NULL;
    }
    free(raw);
    *n = (size_t)k->objlen;
    return obj;
}

/* A directory's keys: *keys (malloc'd), *nkeys.  rec: the directory record (the
   TDirectory streamer: version, two dates, nbyteskeys, nbytesname, then seekdir,
   seekparent, seekkeys, 8 bytes each when version > 1000). */
static int dir_keys(const rfile *f, rbuf *rec, const char *where, rt_key **keys, int *nkeys,
                    char *err, size_t errlen) {
    *keys = NULL;
    *nkeys = 0;
    int v = (int16_t)rb_u16(rec);
    rb_u32(rec);
    rb_u32(rec);
    int32_t nbyteskeys = (int32_t)rb_u32(rec);
    rb_u32(rec);
    uint64_t seekkeys;
    if (v > 1000) { rb_u64(rec); rb_u64(rec); seekkeys = rb_u64(rec); }
    else { rb_u32(rec); rb_u32(rec); seekkeys = rb_u32(rec); }
    if (rec->bad) return rt_fail(err, errlen, "%s: the record of %s is cut off", f->path, where);
    if (nbyteskeys <= 0 || seekkeys > f->size || (uint64_t)nbyteskeys > f->size - seekkeys)
        return rt_fail(err, errlen, "%s: the key list of %s points past the end of the file (%d bytes "
                       "at byte %llu; the file has %llu bytes): the file is cut off or damaged",
                       f->path, where, nbyteskeys, (unsigned long long)seekkeys,
                       (unsigned long long)f->size);
    uint8_t *buf = xmalloc((size_t)nbyteskeys);
    if (rt_pread(f->fd, buf, (size_t)nbyteskeys, seekkeys)) {
        free(buf);
        return rt_fail(err, errlen, "%s: cannot read the key list of %s", f->path, where);
    }
    rbuf b = { buf, (size_t)nbyteskeys, 0, 0, 0 };
    rt_key head;
    if (rt_key_parse(&b, &head)) {
        free(buf);
        return rt_fail(err, errlen, "%s: the key list of %s is damaged", f->path, where);
    }
    rb_seek(&b, (size_t)head.keylen);
    int32_t n = (int32_t)rb_u32(&b);
    if (b.bad || n < 0 || (size_t)n > b.n / 20) {
        free(buf);
        return rt_fail(err, errlen, "%s: the key list of %s is damaged (%d keys)", f->path, where, n);
    }
    rt_key *ks = xcalloc((size_t)n + 1, sizeof *ks);
    for (int i = 0; i < n; i++)
        if (rt_key_parse(&b, &ks[i])) {
            free(buf);
            free(ks);
            return rt_fail(err, errlen, "%s: key %d of %s is damaged", f->path, i, where);
        }
    free(buf);
    *keys = ks;
    *nkeys = n;
    return 0;
}

static int is_dir(const char *cls) { return !strcmp(cls, "TDirectoryFile") || !strcmp(cls, "TDirectory"); }

/* The record of the directory of key k. */
static uint8_t *dir_record(const rfile *f, const rt_key *k, size_t *n, char *err, size_t errlen) {
    return read_object(f, k, n, err, errlen);
}

/* Appends "prefix/name" of every TTree below the directory to list. */
static void list_trees(const rfile *f, const rt_key *keys, int nkeys, const char *prefix, char *list,
                       size_t cap, int depth) {
    for (int i = 0; i < nkeys; i++) {
        const rt_key *k = &keys[i];
        int dup = 0;
        for (int j = 0; j < i; j++) if (!strcmp(keys[j].name, k->name) && !strcmp(keys[j].cls, k->cls)) dup = 1;
        if (dup) continue;
        char full[600];
        snprintf(full, sizeof full, "%s%s%s", prefix, prefix[0] ? "/" : "", k->name);
        if (!strcmp(k->cls, "TTree") || !strcmp(k->cls, "TNtuple")) {
            size_t u = strlen(list);
            snprintf(list + u, cap - u, "%s'%s'", u ? ", " : "", full);
        } else if (is_dir(k->cls) && depth < 8) {
            size_t rn;
            char e[8];
            uint8_t *rec = dir_record(f, k, &rn, e, sizeof e);
            if (!rec) continue;
            rbuf rb = { rec, rn, 0, 0, 0 };
            rt_key *sub;
            int nsub;
            if (dir_keys(f, &rb, full, &sub, &nsub, e, sizeof e) == 0) {
                list_trees(f, sub, nsub, full, list, cap, depth + 1);
                free(sub);
            }
            free(rec);
        }
    }
}

/* The key named name with the highest cycle, or NULL. */
static const rt_key *find_key(const rt_key *keys, int n, const char *name) {
    const rt_key *best = NULL;
    for (int i = 0; i < n; i++)
        if (!strcmp(keys[i].name, name) && (!best || keys[i].cycle > best->cycle)) best = &keys[i];
    return best;
}

static int open_file(rfile *f, const char *path, char *err, size_t errlen) {
    struct stat st;
    const char *kind;
    f->path = path;
    f->fd = aedl_open_regular(path, &st, &kind);
    if (f->fd < 0) {
        if (kind) return rt_fail(err, errlen, "%s: not a regular file (%s)", path, kind);
        return rt_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    }
    f->size = (uint64_t)st.st_size;
    return 0;
}

int rt_tree_open(rt_tree *t, const char *path, const char *name, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    t->fd = -1;
    rfile f;
    if (open_file(&f, path, err, errlen)) return -1;
    t->fd = f.fd;
    t->path = xstrdup(path);
    t->tree = xstrdup(name);
    t->size = f.size;
    uint8_t h[64] = {0};
    size_t hn = f.size < sizeof h ? (size_t)f.size : sizeof h;
    if (hn < 4 || rt_pread(f.fd, h, hn, 0) || memcmp(h, "root", 4)) {
        rt_tree_close(t);
        return rt_fail(err, errlen, "%s: not a ROOT file (it does not start with \"root\")", path);
    }
    rbuf hb = { h, hn, 4, 0, 0 };
    uint32_t version = rb_u32(&hb);
    uint32_t begin = rb_u32(&hb);
    uint64_t end = version >= 1000000 ? rb_u64(&hb) : rb_u32(&hb);
    if (version >= 1000000) { rb_u64(&hb); } else { rb_u32(&hb); }      /* seekfree */
    rb_u32(&hb);                                                         /* nbytesfree */
    rb_u32(&hb);                                                         /* nfree */
    uint32_t nbytesname = rb_u32(&hb);
    if (hb.bad) {
        rt_tree_close(t);
        return rt_fail(err, errlen, "%s: the ROOT file header is cut off (%llu bytes)", path,
                       (unsigned long long)f.size);
    }
    if (end > f.size) {
        rt_tree_close(t);
        return rt_fail(err, errlen, "%s: the file is cut off (%llu of its %llu bytes; an interrupted "
                       "copy or download?)", path, (unsigned long long)f.size, (unsigned long long)end);
    }
    uint64_t recpos = (uint64_t)begin + nbytesname;
    uint8_t rec[64] = {0};
    if (recpos >= f.size || rt_pread(f.fd, rec, f.size - recpos < sizeof rec ? (size_t)(f.size - recpos) : sizeof rec, recpos)) {
        rt_tree_close(t);
        return rt_fail(err, errlen, "%s: the top directory is past the end of the file", path);
    }
    rbuf rb = { rec, sizeof rec, 0, 0, 0 };
    rt_key *keys;
    int nkeys;
    if (dir_keys(&f, &rb, "the top directory", &keys, &nkeys, err, errlen)) { rt_tree_close(t); return -1; }

    /* Walk "a/b/Events" through the directories. */
    char walk[1024];
    snprintf(walk, sizeof walk, "%s", name);
    char *part = walk, *slash;
    char where[1100] = "";
    int rc = -1;
    for (int depth = 0; depth < 16; depth++) {
        while (*part == '/') part++;
        slash = strchr(part, '/');
        if (slash) *slash = 0;
        const rt_key *k = find_key(keys, nkeys, part);
        if (!k) {
            char list[1024] = "";
            list_trees(&f, keys, nkeys, where, list, sizeof list, 0);
            rt_fail(err, errlen, "%s: no tree '%s'%s%s; the file holds %s%s", path, name,
                    where[0] ? " in directory " : "", where, list[0] ? "the trees " : "no trees",
                    list);
            break;
        }
        if (slash) {
            if (!is_dir(k->cls)) {
                rt_fail(err, errlen, "%s: '%s' is a %s, not a directory", path, part, k->cls);
                break;
            }
            size_t dn;
            uint8_t *drec = dir_record(&f, k, &dn, err, errlen);
            if (!drec) break;
            rbuf db = { drec, dn, 0, 0, 0 };
            rt_key *sub;
            int nsub;
            size_t u = strlen(where);
            snprintf(where + u, sizeof where - u, "%s%s", u ? "/" : "", part);
            int e = dir_keys(&f, &db, where, &sub, &nsub, err, errlen);
            free(drec);
            if (e) break;
            free(keys);
            keys = sub;
            nkeys = nsub;
            part = slash + 1;
            continue;
        }
        if (strcmp(k->cls, "TTree") != 0) {
            rt_fail(err, errlen, "%s: '%s' is a %s, not a TTree", path, name, k->cls);
            break;
        }
        size_t on;
        uint8_t *obj = read_object(&f, k, &on, err, errlen);
        if (!obj) break;
        rc = rt_tree_parse(t, obj, on, (size_t)k->keylen, err, errlen);
        free(obj);
        break;
    }
    free(keys);
    if (rc) rt_tree_close(t);
    return rc;
}
