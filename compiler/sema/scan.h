/* scan.h — the variants of a model: a `scan` block's axes, applied to the AST.
 *
 *   scan bits {
 *     qw.bits    = [2, 4, 6, 8]      # an axis: NAME.ARGUMENT = [values]
 *     half.final = [0.5, 0.8]
 *     mode       = grid              # grid (every combination, the default) | zip
 *   }
 *
 * NAME is a quantizer, a pruning schedule, a layer (of any model), a model, or
 * a data, train or target block (`train` alone is the unnamed train block);
 * ARGUMENT one of its arguments or keys.  Point k of the scan is the program
 * with those values written in place of (or beside) the ones in the file;
 * the passes then check it as any program, and an error in a value points at
 * the value in the scan block.  docs/scan.md.
 */
#ifndef AEDL_SCAN_H
#define AEDL_SCAN_H
#include <stdbool.h>
#include "ast.h"

typedef struct {
    const char *path;        /* "qw.bits" */
    const char *name, *arg;  /* "qw", "bits" */
    Loc loc;                 /* the path in the scan block */
    AstExpr **values; int nvalues;
} ScanAxis;

typedef struct {
    const char *name;
    Loc loc;
    bool zip;                /* mode = zip: point k takes value k of every axis */
    ScanAxis *axes; int naxes;
    int npoints;
} ScanDecl;

/* The scan block named NAME (NULL: the only one) of the file given (a scan
   block in an imported file is not one of its scans), its
   axes checked against the program (names that exist, lists that are not
   empty, equal lengths for zip).  NULL after reporting errors. */
ScanDecl *scan_find(AstFile **files, int nfiles, const char *name);

/* Writes point K's values into the AST (files as load_program gave them, the
   scan block among them).  false after reporting an error. */
bool scan_apply(AstFile **files, int nfiles, const ScanDecl *s, int k);

/* The index of axis A's value at point K. */
int scan_value_index(const ScanDecl *s, int k, int a);
/* The value as written in the file ("4", "half", "fixed<6, 1>"), arena text. */
const char *scan_value_text(const ScanDecl *s, int k, int a);
/* "qw.bits=4 half.final=0.5", arena text. */
const char *scan_point_label(const ScanDecl *s, int k);

#endif
