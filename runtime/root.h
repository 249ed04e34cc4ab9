/* root.h — a reader for TTrees in ROOT files, written from the published file
 * format (no ROOT library): the file header, keys and directories
 * (root_file.c), the compressed blocks of objects and baskets (root_zip.c:
 * zlib, LZMA, LZ4 with its xxhash64 checksum, ZSTD), and TTree/TBranch/TLeaf
 * with the baskets of numeric branches (root_tree.c).
 *
 * Supported: flat branches of bool, 8/16/32/64-bit integers, float and double,
 * fixed-length arrays of them ("x[3]/F"), and jagged branches (a leaf counted by
 * another leaf, "Muon_pt[nMuon]/F"), as NanoAOD and ntuples store them; 32- and
 * 64-bit seek keys (files larger than 2 GB); trees in subdirectories
 * ("dir/Events").  Values are read basket by basket: memory is a few baskets
 * per branch read, whatever the number of entries.
 *
 *   rt_tree t; char err[512];
 *   if (rt_tree_open(&t, "f.root", "Events", err, sizeof err)) ... err names the file
 *   const rt_branch *b = rt_branch_find(&t, "Muon_pt");
 *   rt_reader r; rt_reader_init(&r, &t, b);
 *   for (int64_t e = 0; e < t.entries; e++) {
 *       size_t n; const double *v = rt_reader_get(&r, e, &n, err, sizeof err);   // n values
 *       if (!v) ... err names the file, the branch and the basket
 *   }
 *   rt_reader_free(&r); rt_tree_close(&t);
 *
 * Every function reports problems through (err, errlen) and returns -1 or NULL;
 * nothing here prints or exits.  A damaged file gives a message, never a crash. */
#ifndef AEDL_ROOT_H
#define AEDL_ROOT_H
#include <stddef.h>
#include <stdint.h>

typedef enum {
    RT_BOOL, RT_I8, RT_U8, RT_I16, RT_U16, RT_I32, RT_U32, RT_I64, RT_U64, RT_F32, RT_F64,
    RT_UNSUPPORTED
} rt_type;

typedef struct {
    char *name;
    char *leaf_class;             /* "TLeafF", ... */
    char *count;                  /* jagged: the name of the counting leaf; NULL when flat */
    rt_type type;
    char unsupported[96];         /* RT_UNSUPPORTED: what the branch holds ("TBranchElement (std::vector<float>)") */
    int elsize;                   /* bytes per value */
    int len;                      /* values per entry of a flat branch (fLen: 1, or 3 for "x[3]") */
    int64_t entries;
    int nbaskets;
    int32_t *basket_bytes;        /* (nbaskets) bytes on disk, key included */
    int64_t *basket_entry;        /* (nbaskets + 1) first entry of each basket; then the entries */
    int64_t *basket_seek;         /* (nbaskets) where each basket's key starts */
    uint8_t *embedded;            /* the last basket, when it is stored inside the TTree object
                                     (a tree saved without its last basket flushed); else NULL */
    size_t embedded_len;
} rt_branch;

typedef struct {
    char *path;                   /* the file, for messages */
    int fd;
    uint64_t size;                /* bytes of the file */
    char *tree;                   /* the tree's name as asked for */
    int64_t entries;
    int nbranches;
    rt_branch *br;
} rt_tree;

/* Opens PATH and the TTree named NAME (a path through directories: "dir/sub/Events";
   the highest cycle).  On a missing tree, err lists the trees the file holds. */
int  rt_tree_open(rt_tree *t, const char *path, const char *name, char *err, size_t errlen);
void rt_tree_close(rt_tree *t);
const rt_branch *rt_branch_find(const rt_tree *t, const char *name);
/* "Muon_pt, Muon_eta, ..." (at most cap bytes); for "no branch X; the tree has ..." */
void rt_branch_list(const rt_tree *t, const char *prefix, char *buf, size_t cap);
/* The branch name closest to NAME (edit distance), or NULL when none is close. */
const char *rt_branch_suggest(const rt_tree *t, const char *name);
const char *rt_type_name(rt_type t);

/* One decompressed basket. */
typedef struct {
    int64_t first, n;             /* entries [first, first + n) */
    const uint8_t *data;          /* the values, big-endian */
    size_t datalen;
    int32_t *offsets;             /* jagged: (n + 1) byte offsets into data; NULL when flat */
} rt_basket;

/* Reads basket ib of branch b into bk, reusing *buf (capacity *cap; realloc'd).
   Checks sizes, the compression blocks (and LZ4 checksums) and the entry offsets. */
int rt_basket_read(const rt_tree *t, const rt_branch *b, int ib, rt_basket *bk, uint8_t **buf,
                   size_t *cap, char *err, size_t errlen);

/* Sequential values of one branch, converted to double. */
typedef struct {
    const rt_tree *t;
    const rt_branch *b;
    int basket;                   /* loaded basket, -1 none */
    rt_basket bk;
    uint8_t *buf, *zbuf;
    size_t cap, zcap;
    double *vals;
    size_t vcap;
} rt_reader;

void rt_reader_init(rt_reader *r, const rt_tree *t, const rt_branch *b);
/* The values of entry e (*n of them); valid until the next call.  NULL on error. */
const double *rt_reader_get(rt_reader *r, int64_t e, size_t *n, char *err, size_t errlen);
void rt_reader_free(rt_reader *r);

/* ---- internal to root_*.c ---------------------------------------------------- */
/* Decompresses the ROOT blocks in src (srclen bytes) into dst (exactly dstlen bytes).
   -1 with err saying what is wrong ("LZ4 checksum mismatch", "unknown compression 'QQ'"). */
int rt_unzip(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen, char *err, size_t errlen);
/* The uncompressed size the block headers in src announce (before allocating
   for it): 0, or -1 when the headers do not fit in srclen. */
int rt_unzip_size(const uint8_t *src, size_t srclen, size_t *total);
#endif
