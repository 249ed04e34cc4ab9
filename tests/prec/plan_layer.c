/* plan_layer.c — one layer's values in the firmware emulator, for checkers
 * written outside C (tests/train/firmware.sh):
 *
 *   plan_layer PLAN LAYER INPUTS
 *
 * runs the plan (DIR/firmware.plan) on the events of INPUTS (one event a
 * line, d_in numbers: tb_data/tb_input_features.dat) and prints the output
 * of the layer named LAYER instead of the model's: a first line
 * `exponent E guaranteed G` (the layer's result type's step 2^E, its
 * guaranteed flag), then one line per event of its integer mantissas.
 * Exit status 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "emu.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: plan_layer PLAN LAYER INPUTS\n");
        return 1;
    }
    char err[512];
    aedl_fw_plan *p = aedl_fw_plan_read(argv[1], err, sizeof err);
    if (!p) { fprintf(stderr, "plan_layer: %s\n", err); return 1; }
    int l = -1;
    for (int k = 0; k < p->nlayers; k++) if (!strcmp(p->layers[k].name, argv[2])) l = k;
    if (l < 0) { fprintf(stderr, "plan_layer: %s has no layer '%s'\n", argv[1], argv[2]); aedl_fw_plan_free(p); return 1; }
    p->noutputs = 1;                 /* before the plan is prepared (on the first run) */
    p->outputs[0] = l;
    p->d_out = p->layers[l].n_out;
    FILE *f = fopen(argv[3], "r");
    if (!f) { perror(argv[3]); aedl_fw_plan_free(p); return 1; }
    long n = 0, cap = 1024;
    float *x = malloc(sizeof(float) * (size_t)cap * (size_t)p->d_in);
    double v;
    int k = 0;
    while (fscanf(f, "%lf", &v) == 1) {
        if (n == cap) { cap *= 2; x = realloc(x, sizeof(float) * (size_t)cap * (size_t)p->d_in); }
        x[n * p->d_in + k] = (float)v;   /* the testbench's inputs are float32 values printed exactly */
        if (++k == p->d_in) { k = 0; n++; }
    }
    int bad = ferror(f) || !feof(f) || k != 0;
    fclose(f);
    if (bad || n == 0) {
        fprintf(stderr, "plan_layer: %s: expected lines of %d numbers\n", argv[3], p->d_in);
        free(x); aedl_fw_plan_free(p); return 1;
    }
    int d = p->d_out;
    int64_t *m = malloc(sizeof(int64_t) * (size_t)n * (size_t)d);
    aedl_fw_run_mantissa(p, x, m, n);
    printf("exponent %d guaranteed %d\n", aedl_fw_exp(p->layers[l].res_t), p->layers[l].guaranteed);
    for (long e = 0; e < n; e++)
        for (int j = 0; j < d; j++) printf("%lld%c", (long long)m[e * d + j], j + 1 < d ? ' ' : '\n');
    free(x); free(m);
    aedl_fw_plan_free(p);
    return fflush(stdout) == 0 ? 0 : 1;
}
