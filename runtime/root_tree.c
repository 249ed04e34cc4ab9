/* root_tree.c — a TTree's branches and their baskets.
 *
 * Objects are streamed with a byte count (0x40000000 | n) and a version; the
 * reader uses the count to step over what it does not need (the TAtt* bases,
 * TIOFeatures, embedded TBasket lists), so each member read is at a known place.
 * Members read, per version: TTree 16-20 (the entry count, then the branch
 * list), TBranch 10-13 (the basket tables), TLeaf and its typed subclasses.
 * Object pointers (TObjArray entries, fLeafCount) carry a class tag: a new class
 * name, or a reference to one seen before at an offset in the same buffer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "root_int.h"
#include "util.h"

#define BYTECOUNT 0x40000000u
#define NEWCLASS 0xFFFFFFFFu
#define CLASSMASK 0x80000000u

typedef struct {
    rt_tree *t;
    size_t ncls;
    struct { size_t off; char name[64]; } cls[256];
    int depth;
} parser;

/* The start of a streamed object: its version; *end = where it ends (or 0 when
   it has no byte count). */
static int obj_begin(rbuf *b, size_t *end) {
    size_t at = b->i;
    uint32_t c = rb_u32(b);
    if (c & BYTECOUNT) {
        size_t n = c & ~BYTECOUNT;
        *end = n <= b->n - at - 4 ? at + 4 + n : (b->bad = 1, b->n);
        return (int16_t)rb_u16(b);
    }
    b->i = at;
    *end = 0;
    return (int16_t)rb_u16(b);
}

static void obj_end(rbuf *b, size_t end) { if (end) rb_seek(b, end); }

static void tobject(rbuf *b) {
    int v = (int16_t)rb_u16(b);
    if (v & BYTECOUNT >> 16) { b->i -= 2; size_t e; obj_begin(b, &e); }
    rb_u32(b);                                    /* fUniqueID */
    uint32_t bits = rb_u32(b);
    if (bits & (1u << 4)) rb_u16(b);              /* kIsReferenced: the process id */
}

/* TNamed: name and title. */
static void tnamed(rbuf *b, char *name, size_t ncap, char *title, size_t tcap) {
    size_t end;
    obj_begin(b, &end);
    tobject(b);
    rb_tstring(b, name, ncap);
    rb_tstring(b, title, tcap);
    obj_end(b, end);
}

static void skip_obj(rbuf *b) { size_t end; obj_begin(b, &end); obj_end(b, end); }

/* Reads an object pointer's class tag.  Returns the class name (static inside p),
   "" for a null pointer, NULL for a reference to an object already read or an
   unknown tag.  *objend: where the object ends (0 when nothing follows). */
static const char *ptr_class(parser *p, rbuf *b, size_t *objend) {
    size_t beg = b->i;
    uint32_t bcnt = rb_u32(b), tag;
    size_t start;
    *objend = 0;
    if (!(bcnt & BYTECOUNT) || bcnt == NEWCLASS) {
        tag = bcnt;
        start = 0;
        bcnt = 0;
    } else {
        start = b->i;
        tag = rb_u32(b);
        size_t n = bcnt & ~BYTECOUNT;
        *objend = n <= b->n - beg - 4 ? beg + 4 + n : b->n;
    }
    if (b->bad) return NULL;
    if (!(tag & CLASSMASK)) {
        if (tag == 0) return "";
        return NULL;                               /* an object already read */
    }
    if (tag == NEWCLASS) {
        char name[64];
        size_t k = 0;
        while (b->i < b->n && b->p[b->i]) { if (k < sizeof name - 1) name[k++] = (char)b->p[b->i]; b->i++; }
        name[k] = 0;
        rb_skip(b, 1);
        if (b->bad) return NULL;
        if (p->ncls < sizeof p->cls / sizeof p->cls[0]) {
            p->cls[p->ncls].off = start + 2 + b->disp;
            memcpy(p->cls[p->ncls].name, name, k + 1);
            p->ncls++;
        }
        return p->cls[p->ncls - 1].name;
    }
    size_t ref = tag & ~CLASSMASK;
    for (size_t i = 0; i < p->ncls; i++)
        if (p->cls[i].off == ref) return p->cls[i].name;
    return NULL;
}

static int add_branch(parser *p, rbuf *b, const char *cls);

/* A TObjArray of branches; each is added (sub-branches too). */
static int branch_array(parser *p, rbuf *b) {
    size_t end;
    obj_begin(b, &end);
    tobject(b);
    char name[64];
    rb_tstring(b, name, sizeof name);
    int32_t n = (int32_t)rb_u32(b);
    rb_u32(b);                                    /* lower bound */
    if (b->bad || n < 0 || (size_t)n > b->n) return -1;
    for (int32_t i = 0; i < n && !b->bad; i++) {
        size_t oend;
        const char *cls = ptr_class(p, b, &oend);
        if (!cls) { if (oend) { rb_seek(b, oend); continue; } return -1; }
        if (!cls[0]) continue;
        if (add_branch(p, b, cls)) return -1;
        if (oend) rb_seek(b, oend);
    }
    obj_end(b, end);
    return b->bad ? -1 : 0;
}

static rt_type leaf_type(const char *cls, int isunsigned, int *elsize) {
    struct { const char *c; rt_type s, u; int size; } map[] = {
        { "TLeafO", RT_BOOL, RT_BOOL, 1 }, { "TLeafB", RT_I8, RT_U8, 1 }, { "TLeafS", RT_I16, RT_U16, 2 },
        { "TLeafI", RT_I32, RT_U32, 4 }, { "TLeafL", RT_I64, RT_U64, 8 }, { "TLeafF", RT_F32, RT_F32, 4 },
        { "TLeafD", RT_F64, RT_F64, 8 },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(cls, map[i].c)) { *elsize = map[i].size; return isunsigned ? map[i].u : map[i].s; }
    *elsize = 0;
    return RT_UNSUPPORTED;
}

/* The leaves of a branch: fills br's type from the first; more than one leaf is
   a branch of records, not supported. */
static int leaves(parser *p, rbuf *b, rt_branch *br) {
    size_t end;
    obj_begin(b, &end);
    tobject(b);
    char name[64];
    rb_tstring(b, name, sizeof name);
    int32_t n = (int32_t)rb_u32(b);
    rb_u32(b);
    if (b->bad || n < 0 || (size_t)n > b->n) return -1;
    if (n != 1) {
        br->type = RT_UNSUPPORTED;
        snprintf(br->unsupported, sizeof br->unsupported, "%d leaves (a record)", n);
        obj_end(b, end);
        return b->bad ? -1 : 0;
    }
    size_t oend;
    const char *cls = ptr_class(p, b, &oend);
    if (!cls || !cls[0] || !oend) return -1;
    char lcls[64];
    snprintf(lcls, sizeof lcls, "%s", cls);
    br->leaf_class = xstrdup(lcls);
    size_t lend;
    obj_begin(b, &lend);                          /* TLeafX */
    size_t bend;
    obj_begin(b, &bend);                          /* TLeaf */
    char lname[256], title[256];
    tnamed(b, lname, sizeof lname, title, sizeof title);
    int32_t len = (int32_t)rb_u32(b);
    rb_u32(b);                                    /* fLenType */
    rb_u32(b);                                    /* fOffset */
    rb_u8(b);                                     /* fIsRange */
    int isunsigned = rb_u8(b);
    size_t cend;
    const char *ccls = ptr_class(p, b, &cend);
    int counted = !(ccls && !ccls[0]);            /* anything but a null pointer */
    if (b->bad) return -1;
    br->type = leaf_type(lcls, isunsigned, &br->elsize);
    if (br->type == RT_UNSUPPORTED)
        snprintf(br->unsupported, sizeof br->unsupported, "%s", lcls);
    br->len = len > 0 ? len : 1;
    if (counted) {
        const char *lb = strchr(title, '['), *rbk = lb ? strchr(lb, ']') : NULL;
        if (lb && rbk && rbk > lb + 1) br->count = strndup(lb + 1, (size_t)(rbk - lb - 1));
        else br->count = xstrdup("?");
        br->len = 1;
    }
    obj_end(b, bend);
    obj_end(b, lend);
    rb_seek(b, oend);
    obj_end(b, end);
    return b->bad ? -1 : 0;
}

/* fBaskets: usually empty; a tree written without flushing its last baskets
   holds them here, as TBasket objects (kept as bytes for rt_basket_read). */
static int baskets(parser *p, rbuf *b, rt_branch *br) {
    size_t end;
    obj_begin(b, &end);
    tobject(b);
    char name[64];
    rb_tstring(b, name, sizeof name);
    int32_t n = (int32_t)rb_u32(b);
    rb_u32(b);
    if (b->bad || n < 0 || (size_t)n > b->n) return -1;
    for (int32_t i = 0; i < n && !b->bad; i++) {
        size_t oend;
        const char *cls = ptr_class(p, b, &oend);
        if (!cls) { if (oend) { rb_seek(b, oend); continue; } return -1; }
        if (!cls[0]) continue;
        if (!oend) return -1;
        if (!strcmp(cls, "TBasket") && !br->embedded && oend > b->i) {
            br->embedded_len = oend - b->i;
            br->embedded = xmalloc(br->embedded_len);
            memcpy(br->embedded, b->p + b->i, br->embedded_len);
        }
        rb_seek(b, oend);
    }
    obj_end(b, end);
    return b->bad ? -1 : 0;
}

/* One TBranch (after its class tag). */
static int add_branch(parser *p, rbuf *b, const char *cls) {
    if (++p->depth > 8) return -1;
    int element = !strcmp(cls, "TBranchElement") || !strcmp(cls, "TBranchObject");
    size_t eend = 0;
    if (element) obj_begin(b, &eend);
    else if (strcmp(cls, "TBranch") != 0) { p->depth--; return 0; }
    size_t end;
    int v = obj_begin(b, &end);
    rt_tree *t = p->t;
    t->br = xrealloc(t->br, ((size_t)t->nbranches + 1) * sizeof *t->br);
    int idx = t->nbranches++;
    rt_branch *br = &t->br[idx];
    memset(br, 0, sizeof *br);
    char name[256], title[256];
    tnamed(b, name, sizeof name, title, sizeof title);
    br->name = xstrdup(name);
    skip_obj(b);                                  /* TAttFill */
    rb_u32(b);                                    /* fCompress */
    rb_u32(b);                                    /* fBasketSize */
    rb_u32(b);                                    /* fEntryOffsetLen */
    int32_t writebasket = (int32_t)rb_u32(b);
    rb_u64(b);                                    /* fEntryNumber */
    if (v >= 13) skip_obj(b);                     /* fIOFeatures */
    rb_u32(b);                                    /* fOffset */
    int32_t maxbaskets = (int32_t)rb_u32(b);
    rb_u32(b);                                    /* fSplitLevel */
    int64_t entries = (int64_t)rb_u64(b);
    if (v >= 11) rb_u64(b);                       /* fFirstEntry */
    rb_u64(b);                                    /* fTotBytes */
    rb_u64(b);                                    /* fZipBytes */
    if (b->bad || v < 10 || v > 13) { p->depth--; return -1; }
    if (branch_array(p, b)) { p->depth--; return -1; }
    br = &t->br[idx];                             /* sub-branches may have moved the array */
    if (leaves(p, b, br)) { p->depth--; return -1; }
    if (baskets(p, b, br)) { p->depth--; return -1; }
    if (b->bad || maxbaskets < 0 || writebasket < 0 || writebasket > maxbaskets ||
        (size_t)maxbaskets > b->n / 16 || entries < 0) { p->depth--; return -1; }
    br->entries = entries;
    br->nbaskets = writebasket + (br->embedded != NULL);
    br->basket_bytes = xcalloc((size_t)maxbaskets + 1, sizeof *br->basket_bytes);
    br->basket_entry = xcalloc((size_t)maxbaskets + 1, sizeof *br->basket_entry);
    br->basket_seek = xcalloc((size_t)maxbaskets + 1, sizeof *br->basket_seek);
    rb_u8(b);
    for (int32_t i = 0; i < maxbaskets; i++) br->basket_bytes[i] = (int32_t)rb_u32(b);
    rb_u8(b);
    for (int32_t i = 0; i < maxbaskets; i++) br->basket_entry[i] = (int64_t)rb_u64(b);
    rb_u8(b);
    for (int32_t i = 0; i < maxbaskets; i++) br->basket_seek[i] = (int64_t)rb_u64(b);
    if (br->embedded) {
        if (writebasket + 1 > maxbaskets) { p->depth--; return -1; }
        br->basket_seek[writebasket] = -1;
        br->basket_bytes[writebasket] = (int32_t)br->embedded_len;
    }
    br->basket_entry[br->nbaskets] = entries;
    if (element) {
        br->type = RT_UNSUPPORTED;
        snprintf(br->unsupported, sizeof br->unsupported, "%s (an object or std::vector)", cls);
    }
    obj_end(b, end);
    if (element) obj_end(b, eend);
    p->depth--;
    return b->bad ? -1 : 0;
}

int rt_tree_parse(rt_tree *t, const uint8_t *obj, size_t n, size_t keylen, char *err, size_t errlen) {
    parser *p = xcalloc(1, sizeof *p);
    p->t = t;
    rbuf b = { obj, n, 0, 0, keylen };
    size_t end;
    int v = obj_begin(&b, &end);
    char name[256], title[256];
    tnamed(&b, name, sizeof name, title, sizeof title);
    skip_obj(&b);                                 /* TAttLine */
    skip_obj(&b);                                 /* TAttFill */
    skip_obj(&b);                                 /* TAttMarker */
    if (v < 16 || v > 20) {
        free(p);
        return rt_fail(err, errlen, "%s: tree '%s' has TTree version %d; versions 16 to 20 (ROOT 5.x "
                       "and 6.x) are supported", t->path, t->tree, v);
    }
    t->entries = (int64_t)rb_u64(&b);
    rb_skip(&b, 3 * 8);                           /* fTotBytes, fZipBytes, fSavedBytes */
    if (v >= 18) rb_skip(&b, 8);                  /* fFlushedBytes */
    rb_skip(&b, 8 + 3 * 4);                       /* fWeight, fTimerInterval, fScanField, fUpdate */
    if (v >= 17) rb_skip(&b, 4);                  /* fDefaultEntryOffsetLen */
    uint32_t nclus = 0;
    if (v >= 19) nclus = rb_u32(&b);              /* fNClusterRange */
    rb_skip(&b, 4 * 8);                           /* fMaxEntries, fMaxEntryLoop, fMaxVirtualSize, fAutoSave */
    if (v >= 18) rb_skip(&b, 8);                  /* fAutoFlush */
    rb_skip(&b, 8);                               /* fEstimate */
    if (v >= 19) {
        if (nclus > n / 8) b.bad = 1;
        rb_skip(&b, 1); rb_skip(&b, (size_t)nclus * 8);
        rb_skip(&b, 1); rb_skip(&b, (size_t)nclus * 8);
    }
    if (v >= 20) skip_obj(&b);                    /* fIOFeatures */
    int rc = b.bad ? -1 : branch_array(p, &b);
    free(p);
    if (rc || t->entries < 0)
        return rt_fail(err, errlen, "%s: tree '%s': its description (the TTree object) is damaged",
                       t->path, t->tree);
    for (int i = 0; i < t->nbranches; i++) {
        rt_branch *br = &t->br[i];
        if (br->entries != t->entries && br->type != RT_UNSUPPORTED)
            return rt_fail(err, errlen, "%s: tree '%s': branch '%s' has %lld entries, the tree %lld",
                           t->path, t->tree, br->name, (long long)br->entries, (long long)t->entries);
        for (int k = 0; k < br->nbaskets; k++)
            if (br->basket_entry[k] > br->basket_entry[k + 1] || br->basket_entry[0] != 0)
                return rt_fail(err, errlen, "%s: tree '%s': branch '%s': the entry table of its baskets "
                               "is damaged (basket %d)", t->path, t->tree, br->name, k);
    }
    return 0;
}

void rt_tree_close(rt_tree *t) {
    if (t->fd >= 0) close(t->fd);
    for (int i = 0; i < t->nbranches; i++) {
        rt_branch *b = &t->br[i];
        free(b->name);
        free(b->leaf_class);
        free(b->count);
        free(b->basket_bytes);
        free(b->basket_entry);
        free(b->basket_seek);
        free(b->embedded);
    }
    free(t->br);
    free(t->path);
    free(t->tree);
    memset(t, 0, sizeof *t);
    t->fd = -1;
}

const rt_branch *rt_branch_find(const rt_tree *t, const char *name) {
    for (int i = 0; i < t->nbranches; i++)
        if (!strcmp(t->br[i].name, name)) return &t->br[i];
    return NULL;
}

void rt_branch_list(const rt_tree *t, const char *prefix, char *buf, size_t cap) {
    size_t u = 0, plen = prefix ? strlen(prefix) : 0;
    int shown = 0, total = 0;
    if (cap) buf[0] = 0;
    for (int i = 0; i < t->nbranches; i++) {
        if (plen && strncmp(t->br[i].name, prefix, plen)) continue;
        total++;
        if (u + strlen(t->br[i].name) + 40 >= cap) continue;
        u += (size_t)snprintf(buf + u, cap - u, "%s%s", shown ? ", " : "", t->br[i].name);
        shown++;
    }
    if (total > shown && u + 24 < cap) snprintf(buf + u, cap - u, ", ... (%d in all)", total);
}

static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 200 || lb > 200) return 1000;
    size_t row[201];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub = prev + (a[i - 1] != b[j - 1]);
            size_t best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

const char *rt_branch_suggest(const rt_tree *t, const char *name) {
    const char *best = NULL;
    size_t bd = (size_t)-1, lim = strlen(name) / 3 + 1;
    for (int i = 0; i < t->nbranches; i++) {
        size_t d = edit_distance(name, t->br[i].name);
        if (d < bd) { bd = d; best = t->br[i].name; }
    }
    return bd <= lim ? best : NULL;
}

const char *rt_type_name(rt_type t) {
    static const char *n[] = { "bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
                               "uint64", "float32", "float64", "unsupported" };
    return (unsigned)t <= RT_UNSUPPORTED ? n[t] : "?";
}

/* ---- baskets ------------------------------------------------------------------- */
int rt_basket_read(const rt_tree *t, const rt_branch *b, int ib, rt_basket *bk, uint8_t **bufp,
                   size_t *cap, char *err, size_t errlen) {
#define BFAIL(...) do { char m_[300]; snprintf(m_, sizeof m_, __VA_ARGS__); \
        return rt_fail(err, errlen, "%s: branch '%s', basket %d (entries %lld to %lld): %s", t->path, \
                       b->name, ib, (long long)b->basket_entry[ib], (long long)b->basket_entry[ib + 1] - 1, m_); } while (0)
    memset(bk, 0, sizeof *bk);
    int64_t n = b->basket_entry[ib + 1] - b->basket_entry[ib];
    bk->first = b->basket_entry[ib];
    bk->n = n;
    int64_t seek = b->basket_seek[ib];
    int32_t bytes = b->basket_bytes[ib];
    int embedded = seek == -1 && b->embedded;
    const uint8_t *src;
    uint8_t *raw = NULL;
    if (embedded) {
        src = b->embedded;
        bytes = (int32_t)b->embedded_len;
    } else {
        if (bytes <= 0 || seek <= 0) BFAIL("it is not stored in the file (size %d at byte %lld)", bytes, (long long)seek);
        if ((uint64_t)seek > t->size || (uint64_t)bytes > t->size - (uint64_t)seek)
            BFAIL("it points past the end of the file (%d bytes at byte %lld; the file has %llu bytes)", bytes,
                  (long long)seek, (unsigned long long)t->size);
        raw = xmalloc((size_t)bytes);
        if (rt_pread(t->fd, raw, (size_t)bytes, (uint64_t)seek)) { free(raw); BFAIL("cannot read it: the file is cut off"); }
        src = raw;
    }
    rbuf kb = { src, (size_t)bytes, 0, 0, 0 };
    rt_key k;
    if (rt_key_parse(&kb, &k) || k.keylen < 19 || k.keylen > bytes) { free(raw); BFAIL("its key header is damaged"); }
    if (!embedded && k.nbytes != bytes) { free(raw); BFAIL("its key says %d bytes, the branch %d", k.nbytes, bytes); }
    rb_seek(&kb, (size_t)k.keylen - 19);
    rb_u16(&kb);                                  /* fVersion */
    rb_u32(&kb);                                  /* fBufferSize */
    rb_u32(&kb);                                  /* fNevBufSize */
    int32_t nevbuf = (int32_t)rb_u32(&kb);
    int32_t last = (int32_t)rb_u32(&kb);
    int flag = rb_u8(&kb);
    if (nevbuf != n) { free(raw); BFAIL("it holds %d entries, the branch's table says %lld", nevbuf, (long long)n); }
    int64_t border = (int64_t)last - k.keylen;
    if (border < 0) { free(raw); BFAIL("its data length (%lld) is negative", (long long)border); }
    /* The bytes after the key: compressed or not (a file basket), or (embedded)
       the offsets array, a copy of the key, then the data. */
    size_t objlen, need;
    uint8_t *obj;
    const uint8_t *offsrc = NULL;                /* big-endian offsets: n of them */
    if (embedded) {
        if (flag >= 80 || flag % 10 == 0 || flag / 10 % 2 == 0)
            BFAIL("it is stored inside the tree in a form that is not supported (flag %d)", flag);
        if (flag % 10 == 1) {
            uint32_t cnt = rb_u32(&kb);
            if (cnt != (uint32_t)n || !rb_has(&kb, 4 * (size_t)n)) BFAIL("its entry offsets are cut off");
            offsrc = kb.p + kb.i;
            kb.i += 4 * (size_t)n;
        }
        rb_skip(&kb, (size_t)k.keylen);
        if (kb.bad || (size_t)border > kb.n - kb.i) BFAIL("its data are cut off (%lld bytes)", (long long)border);
        if ((size_t)n > b->embedded_len) BFAIL("%lld entries in %zu bytes", (long long)n, b->embedded_len);
        objlen = (size_t)border;
        need = objlen + 16 + ((size_t)n + 1) * sizeof(int32_t);
        if (*cap < need) { *bufp = xrealloc(*bufp, need); *cap = need; }
        obj = *bufp;
        memcpy(obj, kb.p + kb.i, objlen);
    } else {
        objlen = (size_t)k.objlen;
        size_t stored = (size_t)(bytes - k.keylen), announced;
        if (objlen > stored && (rt_unzip_size(raw + k.keylen, stored, &announced) || announced < objlen)) {
            free(raw);
            BFAIL("its compressed blocks do not hold its %zu bytes", objlen);
        }
        if ((size_t)n > objlen + stored) { free(raw); BFAIL("%lld entries in %zu bytes", (long long)n, objlen); }
        need = objlen + 16 + ((size_t)n + 1) * sizeof(int32_t);
        if (*cap < need) { *bufp = xrealloc(*bufp, need); *cap = need; }
        obj = *bufp;
        if (objlen > stored) {
            char why[256];
            if (rt_unzip(raw + k.keylen, stored, obj, objlen, why, sizeof why)) { free(raw); BFAIL("%s", why); }
        } else {
            memcpy(obj, raw + k.keylen, objlen);
        }
        free(raw);
        raw = NULL;
        if ((size_t)border > objlen) BFAIL("its data length (%lld) is beyond its %zu bytes", (long long)border, objlen);
        if (b->count) {
            if (objlen - (size_t)border < 4 + 4 * (size_t)n) BFAIL("its entry offsets are cut off");
            offsrc = obj + border + 4;
        }
    }
    bk->data = obj;
    bk->datalen = (size_t)border;
    if (!b->count) {
        uint64_t entry = (uint64_t)b->len * (uint64_t)b->elsize;
        if (entry == 0 || (uint64_t)border % entry || (uint64_t)border / entry != (uint64_t)n)
            BFAIL("%lld bytes of data for %lld entries of %d x %d bytes", (long long)border, (long long)n,
                  b->len, b->elsize);
        return 0;
    }
    if (!offsrc) BFAIL("it has no entry offsets, but the branch is counted by '%s'", b->count);
    int32_t *off = (int32_t *)(void *)(obj + ((objlen + 7) & ~(size_t)7));
    for (int64_t i = 0; i < n; i++) {
        const uint8_t *q = offsrc + 4 * i;
        int64_t v = (int64_t)(int32_t)((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3]) - k.keylen;
        if (v < 0 || v > border) BFAIL("its entry offsets are damaged (entry %lld)", (long long)(bk->first + i));
        off[i] = (int32_t)v;
    }
    off[n] = (int32_t)border;
    for (int64_t i = 0; i < n; i++)
        if (off[i] < 0 || off[i] > off[i + 1] || (off[i + 1] - off[i]) % b->elsize || (i == 0 && off[0] != 0))
            BFAIL("its entry offsets are damaged (entry %lld)", (long long)(bk->first + i));
    bk->offsets = off;
    return 0;
#undef BFAIL
}

void rt_reader_init(rt_reader *r, const rt_tree *t, const rt_branch *b) {
    memset(r, 0, sizeof *r);
    r->t = t;
    r->b = b;
    r->basket = -1;
}

void rt_reader_free(rt_reader *r) {
    free(r->buf);
    free(r->zbuf);
    free(r->vals);
    memset(r, 0, sizeof *r);
    r->basket = -1;
}

static double value_at(rt_type ty, const uint8_t *q) {
    uint64_t u = 0;
    switch (ty) {
    case RT_BOOL: return q[0] != 0;
    case RT_I8: return (int8_t)q[0];
    case RT_U8: return q[0];
    case RT_I16: return (int16_t)(q[0] << 8 | q[1]);
    case RT_U16: return (uint16_t)(q[0] << 8 | q[1]);
    case RT_I32: return (int32_t)((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3]);
    case RT_U32: return (uint32_t)((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3]);
    case RT_F32: {
        uint32_t w = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
        float f;
        memcpy(&f, &w, 4);
        return f;
    }
    default: break;
    }
    for (int i = 0; i < 8; i++) u = u << 8 | q[i];
    if (ty == RT_I64) return (double)(int64_t)u;
    if (ty == RT_U64) return (double)u;
    double d;
    memcpy(&d, &u, 8);
    return d;
}

const double *rt_reader_get(rt_reader *r, int64_t e, size_t *n, char *err, size_t errlen) {
    const rt_branch *b = r->b;
    if (b->type == RT_UNSUPPORTED) {
        rt_fail(err, errlen, "%s: branch '%s' holds %s, which is not supported (numbers: bool, integers, "
                "float, double)", r->t->path, b->name, b->unsupported);
        return NULL;
    }
    if (e < 0 || e >= b->entries) {
        rt_fail(err, errlen, "%s: branch '%s' has no entry %lld", r->t->path, b->name, (long long)e);
        return NULL;
    }
    if (r->basket < 0 || e < r->bk.first || e >= r->bk.first + r->bk.n) {
        int lo = 0, hi = b->nbaskets - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (b->basket_entry[mid] <= e) lo = mid; else hi = mid - 1;
        }
        while (lo < b->nbaskets - 1 && b->basket_entry[lo + 1] <= e) lo++;   /* empty baskets */
        r->basket = -1;
        if (rt_basket_read(r->t, b, lo, &r->bk, &r->buf, &r->cap, err, errlen)) return NULL;
        r->basket = lo;
    }
    int64_t i = e - r->bk.first;
    size_t from, cnt;
    if (r->bk.offsets) {
        from = (size_t)r->bk.offsets[i];
        cnt = (size_t)(r->bk.offsets[i + 1] - r->bk.offsets[i]) / (size_t)b->elsize;
    } else {
        cnt = (size_t)b->len;
        from = (size_t)i * cnt * (size_t)b->elsize;
    }
    if (cnt > r->vcap || !r->vals) {
        r->vcap = cnt * 2 + 8;
        r->vals = xrealloc(r->vals, r->vcap * sizeof *r->vals);
    }
    const uint8_t *q = r->bk.data + from;
    for (size_t k = 0; k < cnt; k++) r->vals[k] = value_at(b->type, q + k * (size_t)b->elsize);
    *n = cnt;
    return r->vals;
}
