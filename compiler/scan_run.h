/* scan_run.h — aedlc scan: running the points of a scan and gathering them.
 *
 *   DIR/points/NNN/       point NNN: an `aedlc run --point NNN` output folder
 *                         (with --rtl also rtl/ and its yosys resources.json),
 *                         its log.txt and scan_status ("ok SECONDS" or
 *                         "failed STATUS SECONDS", then the point's values and
 *                         the last error line)
 *   DIR/scan/points.tsv   the points: index, folder, the value of each axis
 *   DIR/scan/results.*    one row per point (aedl-report --scan DIR)
 *   DIR/scan/slurm/       the job array and gather scripts (--on slurm)
 *   DIR/scan/htcondor/    submit files and DAG (--on htcondor)
 *
 * A point with "ok" in its scan_status is not run again (an interrupted or
 * partly failed scan resumes); a failed point is recorded and the others go on.
 */
#ifndef AEDL_SCAN_RUN_H
#define AEDL_SCAN_RUN_H
#include <stdbool.h>
#include "scan.h"

typedef struct {
    const char *file;                    /* the .aedl file */
    const ScanDecl *decl;                /* its scan, every point checked */
    const char *out_dir;                 /* -o DIR, or NULL: out/SCAN */
    const char *target;                  /* --target */
    const char **include; int ninclude;  /* -I */
    char **train_args; int ntrain_args;  /* after -- */
    int jobs;                            /* -j (0: one per core) */
    const char *on;                      /* local | slurm | htcondor */
    bool wait, gather;
    const char *sbatch;                  /* --sbatch "OPTIONS", or NULL */
    bool rtl;                            /* --rtl: each point's Verilog too, synthesised (resources.json) */
    const char *model;                   /* the model the points train (its weights file's name) */
    int task;                            /* --task K: run point K only; -1 */
} ScanRun;

/* 0 when every point ended well (or was submitted), 1 otherwise. */
int scan_run(const ScanRun *r);

#endif
