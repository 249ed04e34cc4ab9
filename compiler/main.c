/* main.c — the aedlc command line and the driver.
 *
 *   aedlc FILE.aedl [--emit LIST] [-o DIR] [--model NAME] [--target NAME]
 *                   [--weights FILE.h5] [--observed FILE.csv] [-I DIR]
 *                   [--dump-after PASS]
 *   aedlc run FILE.aedl [-o DIR] [...] [-- TRAINING OPTIONS]   (run_flow)
 *   aedlc scan FILE.aedl [-o DIR] [-j N] [--on local|slurm|htcondor] [...]
 *                                             (scan_main: every point of a scan)
 *   aedlc predict FILE.aedl DATA [-o DIR] [--out FILE] [...]     (predict_flow)
 *
 * Every run goes through compile(), which reads as the list of passes:
 * load -> resolve -> shapes -> weights -> precision -> plan -> emitters, with
 * ir_verify() between passes; it stops after the first pass that reported
 * errors.  The emitters are functions of the finished IR and the firmware
 * plan; none runs a pass.  Exit status: 0 done, 1 errors in the input,
 * 2 usage errors.
 */
#define _XOPEN_SOURCE 700     /* readlink, realpath */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "arena.h"
#include "emit_hls.h"
#include "emit_rtl.h"
#include "emit_train.h"
#include "home.h"
#include "passes.h"
#include "proc.h"
#include "emu.h"
#include "scan.h"
#include "scan_run.h"
#include "prec_common.h"
#include "precision.h"
#include "util.h"
#include "data.h"
#include "weights.h"
#include "keras.h"
#include "emit_keras.h"

static const char usage_text[] =
    "usage: aedlc FILE.aedl [--emit LIST] [-o DIR] [--model NAME] [--target NAME]\n"
    "                       [--weights FILE.h5] [--observed FILE.csv] [-I DIR]\n"
    "                       [--dump-after PASS] [--tb-events N]\n"
    "       aedlc run FILE.aedl [-o DIR] [--model NAME] [--target NAME] [-I DIR]\n"
    "                           [--scan NAME --point K] [-- TRAINING OPTIONS]\n"
    "       aedlc scan FILE.aedl [--scan NAME] [-o DIR] [-j N] [--on local|slurm|htcondor]\n"
    "                           [--wait] [--gather] [--sbatch OPTIONS] [--rtl] [-- TRAINING OPTIONS]\n"
    "       aedlc import MODEL.json WEIGHTS.h5 [-o OUT.aedl] [--input-type TYPE]\n"
    "       aedlc import MODEL.h5 [-o OUT.aedl] [--input-type TYPE]\n"
    "       aedlc predict FILE.aedl DATA [-o DIR] [--out FILE.h5|FILE.csv] [--dataset NAME]\n"
    "                           [--format csv|hdf5] [--weights FILE.h5] [--firmware-only]\n"
    "                           [--check-quantized]\n"
    "                           [-- OPTIONS]\n"
    "\n"
    "  run               the whole flow: compile and build the training program,\n"
    "                    run it with the options after --, write DIR/firmware.plan,\n"
    "                    hls/ and report/ with the trained weights, then the\n"
    "                    training program evaluates them (README.md, The flow)\n"
    "  predict           apply the model DIR holds (weights, preprocessing, firmware\n"
    "                    plan) to DATA: per event the scores, outputs and latent\n"
    "                    values to --out (default DIR/predict/DATA.h5);\n"
    "                    --firmware-only: only the firmware emulation's score and outputs;\n"
    "                    --check-quantized: run the quantized model on every event\n"
    "                    even where the firmware plan gives its values, and compare\n"
    "  scan              every point of the file's scan block (docs/scan.md): each\n"
    "                    trained and evaluated as by run, in DIR/points/NNN, then\n"
    "                    DIR/scan/results.csv, results.json and index.html; -j N\n"
    "                    points at once (default: one per core); --on slurm submits\n"
    "                    a job array and a gather job (--wait: until it ends),\n"
    "                    --on htcondor writes submit files and a DAG; --gather only\n"
    "                    collects the results of finished points; --rtl also\n"
    "                    synthesises each point's Verilog (LUT, DSP in the results)\n"
    "  --scan NAME       the scan block (when the file has several)\n"
    "  --point K         compile point K (0, 1, ...) of the scan\n"
    "  import            a Keras / QKeras model (to_json() and save_weights(), or\n"
    "                    model.save()) into OUT.aedl and OUT.weights.h5 (docs/import.md)\n"
    "  --emit LIST       comma list of ir, train, hls, report, rtl, keras (default: train,hls)\n"
    "                    ir prints the checked program as text on standard output;\n"
    "                    keras writes the --weights in Keras' save_weights() layout\n"
    "  -o DIR            output folder (default: out/MODEL)\n"
    "  --model NAME      the model to compile when the file has several\n"
    "  --target NAME     the target to compile for when the file has several\n"
    "  --weights FILE.h5 trained weights (written by the training executable)\n"
    "  --observed FILE   value ranges of the float (unquantized) parts, a line\n"
    "                    layer,min,max each (the training executable writes\n"
    "                    eval/observed_ranges.csv): their types (not guaranteed)\n"
    "  -I DIR            also look for imports in DIR (may repeat)\n"
    "  --tb-events N     pseudo-random events in hls/tb_data/ (default 200)\n"
    "  --dump-after PASS print the IR after PASS (resolve, shapes, weights, precision\n"
    "                    or plan) as --emit ir does, with the precision results once\n"
    "                    they exist (and the firmware plan after plan), then stop\n"
    "  --help            this text\n"
    "  --version         the version\n"
    "\n"
    "Errors in the input exit with status 1, usage errors with status 2.\n"
    "Imports are looked for next to the importing file, then in each -I DIR, then\n"
    "in the standard library ($AEDL_STDLIB, or the one installed with aedlc).\n";

/* ---- emitters ----------------------------------------------------------------
 * One entry per --emit item.  An emitter gets the finished IR, the plan and
 * the options; it returns 0, or -1 after reporting its errors (src.h or
 * aedl_fatal). */

typedef struct {
    IrProgram *prog;
    const char *main_file;
    const char *out_dir;       /* -o DIR, or out/MODEL */
    const char *model_name;    /* --model, or NULL */
    const char *target_name;   /* --target, or NULL */
    const char *weights;       /* --weights, or NULL */
    IrModel *model;            /* the model chosen (select_job), or NULL for `ir` only */
    IrTarget *target;          /* the target chosen, or NULL when the file has none (ir_target_default) */
    IrTrain *train;            /* the train block of that model, or NULL */
    const char **include; int ninclude;   /* -I DIR (named in the training program) */
    bool train_too;            /* --emit train as well: hls/ is written again after training */
    aedl_fw_plan *plan;        /* the firmware plan (plan pass), or NULL: plan_err says why */
    char plan_err[1024];
    bool zero_weights;         /* the plan holds zero weights (no --weights) */
    int tb_events;             /* --tb-events, or 0: the default */
} EmitJob;

typedef int (*EmitFn)(const EmitJob *job);

static int emit_ir(const EmitJob *job) {
    ir_dump(stdout, job->prog);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        diag_error(NOLOC, "cannot write the IR to standard output");
        return -1;
    }
    return 0;
}

static int emit_train_job(const EmitJob *job) {
    EmitTrainOptions o = { job->out_dir, job->target ? job->target->name : NULL,
                           job->include, job->ninclude, job->target };
    return emit_train(job->prog, job->model, &o) ? -1 : 0;
}

/* The model whose weights and precision results main() frees (precision.h). */
static IrModel *prec_model;

/* --emit report: DIR/report/ (emit_report.c). */
static int emit_report_job(const EmitJob *job) {
    IrLoss score = LOSS_MSE;   /* the score of the model's train block */
    for (int i = 0; i < job->prog->ntrains; i++)
        if (job->prog->trains[i]->model == job->model) score = job->prog->trains[i]->score;
    return emit_report(job->model, job->target, score, job->out_dir, job->weights, job->plan);
}

static int emit_rtl_job(const EmitJob *job) {
    const IrTarget *t = prec_target(job->target);
    EmitRtlOptions o = { job->out_dir, job->plan, job->plan_err, job->zero_weights, t->dsp_multipliers, 0 };
    return emit_rtl(job->prog, job->model, job->target, &o);
}

static int emit_hls_job(const EmitJob *job) {
    EmitHlsOptions o = { job->out_dir, job->weights, job->plan, job->plan_err, job->zero_weights, NULL, job->tb_events, false,
                         job->train_too };
    return emit_hls(job->prog, job->model, job->target, &o);
}

/* --emit keras: DIR/keras/MODEL_weights.h5 (emit_keras.c). */
static int emit_keras_job(const EmitJob *job) {
    return emit_keras(job->model, job->out_dir);
}

enum { E_IR, E_TRAIN, E_HLS, E_REPORT, E_RTL, E_KERAS };
static const struct { const char *name; EmitFn fn; bool needs_model; } emitters[] = {
    [E_IR]     = { "ir",     emit_ir, false },
    [E_TRAIN]  = { "train",  emit_train_job, true },   /* emit_train.c: the training executable */
    [E_HLS]    = { "hls",    emit_hls_job, true },     /* emit_hls.c: the firmware project */
    [E_REPORT] = { "report", emit_report_job, true },  /* emit_report.c: the precision report */
    [E_RTL]    = { "rtl",    emit_rtl_job, true },     /* emit_rtl.c: the Verilog of the latency design */
    [E_KERAS]  = { "keras",  emit_keras_job, true },   /* emit_keras.c: the weights in Keras' layout */
};
#define NEMITTERS ((int)(sizeof emitters / sizeof emitters[0]))

/* ---- options --------------------------------------------------------------------- */

/* The passes --dump-after names, in pipeline order. */
enum { P_NONE, P_RESOLVE, P_SHAPES, P_WEIGHTS, P_PRECISION, P_PLAN };
static const char *const pass_names[] = { "", "resolve", "shapes", "weights", "precision", "plan" };
#define NPASSES ((int)(sizeof pass_names / sizeof pass_names[0]))

typedef struct {
    const char *file;
    bool run;                  /* aedlc run: the whole flow (run_flow) */
    bool scan_cmd;             /* aedlc scan: every point of a scan (scan_run.c) */
    const char *scan;          /* --scan NAME */
    int point;                 /* --point K: the program is point K of the scan; -1 none */
    int jobs;                  /* aedlc scan -j N (0: one per core) */
    const char *on;            /* aedlc scan --on local|slurm|htcondor */
    bool wait, gather;         /* aedlc scan --wait, --gather */
    bool rtl;                  /* aedlc scan --rtl: each point's Verilog, synthesised */
    const char *sbatch;        /* aedlc scan --sbatch "OPTIONS" */
    int task;                  /* aedlc scan --task K (a cluster job running one point); -1 none */
    bool predict;              /* aedlc predict FILE DATA (predict_flow) */
    const char *data, *dataset, *format, *pred_out;   /* aedlc predict */
    bool firmware_only, check_quantized;
    char **train_args; int ntrain_args;   /* aedlc run ... -- ARGS: the training program's options */
    int dump_after;            /* P_*: print the IR after that pass and stop; P_NONE: run to the end */
    bool emit[NEMITTERS];
    const char *out_dir, *model, *target, *weights, *observed;
    const char **include; int ninclude;
    int tb_events;             /* --tb-events N, or 0 */
} Options;

static _Noreturn void usage_error(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "aedlc: error: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n%s", usage_text);
    exit(2);
}

static void parse_emit(Options *o, const char *list) {
    memset(o->emit, 0, sizeof o->emit);
    const char *p = list;
    int any = 0;
    for (;;) {
        size_t n = strcspn(p, ",");
        int found = -1;
        for (int i = 0; i < NEMITTERS; i++)
            if (strlen(emitters[i].name) == n && strncmp(p, emitters[i].name, n) == 0) found = i;
        if (found < 0) {
            char item[64];
            snprintf(item, sizeof item, "%.*s", (int)(n < 60 ? n : 60), p);
            usage_error("unknown --emit item '%s' (known: ir, train, hls, report, rtl, keras)%s", item, "");
        }
        o->emit[found] = true;
        any = 1;
        if (!p[n]) break;
        p += n + 1;
    }
    if (!any) usage_error("--emit needs a list%s%s", "", "");
}

/* The value of an option: `--opt VALUE`, `--opt=VALUE`, or `-IVALUE` for short ones. */
static const char *opt_value(int argc, char **argv, int *i, const char *name) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (a[n] == '=') return a + n + 1;
    if (a[n] && name[1] != '-') return a + n;
    if (*i + 1 >= argc) usage_error("option '%s' needs a value%s", name, "");
    return argv[++*i];
}

static int option_is(const char *arg, const char *name) {
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return 0;
    if (arg[n] == 0 || arg[n] == '=') return 1;
    return name[1] != '-' && strlen(name) == 2;     /* -IDIR, -oDIR */
}

/* -o DIR: the folder it will really be (symbolic links and .. resolved; the
   part that does not exist yet taken as written), into *real. */
static void real_out_dir(const char *dir, char *real, size_t size) {
    char cur[PATH_MAX] = "/";
    int deeper = 0;        /* components past what cur can hold (they cannot be / again but by ..) */
    if (dir[0] != '/' && (!getcwd(cur, sizeof cur) || cur[0] != '/')) strcpy(cur, "/");
    const char *p = dir;
    while (*p) {
        size_t n = strcspn(p, "/"), len = strlen(cur);
        if (n == 1 && p[0] == '.') {
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = strrchr(cur, '/');
            if (deeper) deeper--;
            else if (slash == cur) cur[1] = 0;
            else if (slash) *slash = 0;
        } else if (n > 0 && (deeper || len + 1 + n >= sizeof cur)) {
            deeper++;
        } else if (n > 0) {
            if (len > 1) cur[len++] = '/';
            memcpy(cur + len, p, n);
            cur[len + n] = 0;
            char *r = realpath(cur, NULL);
            if (r && strlen(r) < sizeof cur) strcpy(cur, r);
            free(r);
        }
        p += n;
        while (*p == '/') p++;
    }
    snprintf(real, size, "%s", deeper ? "(too long)" : cur);
}

/* The folders of the system that -o must not write into (outputs go to
   DIR/train, DIR/hls, ...). */
static bool is_system_dir(const char *real) {
    static const char *const dirs[] = {
        "/", "/bin", "/boot", "/dev", "/etc", "/home", "/media", "/mnt", "/opt", "/proc", "/run",
        "/sbin", "/srv", "/sys", "/usr", "/var", "/usr/bin", "/usr/include",
        "/usr/local", "/usr/local/bin", "/usr/local/include", "/usr/local/lib", "/usr/local/sbin",
        "/usr/local/share", "/usr/sbin", "/usr/share", "/usr/src", "/var/cache", "/var/lib",
        "/var/log", "/var/mail", "/var/spool", "/var/www",
    };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (strcmp(real, dirs[i]) == 0) return true;
    /* /lib, /lib32, /lib64, /usr/lib64, ... */
    return (strncmp(real, "/lib", 4) == 0 && !strchr(real + 1, '/')) ||
           (strncmp(real, "/usr/lib", 8) == 0 && !strchr(real + 5, '/'));
}

/* A count option's value: an integer >= MIN. */
static int count_value(const char *v, const char *opt, int min) {
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < min || n > 1000000)
        usage_error("%s %s: expected a whole number", opt, v);
    return (int)n;
}

static void parse_args(int argc, char **argv, Options *o) {
    memset(o, 0, sizeof *o);
    o->emit[E_TRAIN] = o->emit[E_HLS] = true;        /* the default: train,hls */
    o->include = xcalloc((size_t)argc, sizeof *o->include);
    int only_files = 0, first = 1;
    o->point = o->task = -1;
    if (argc > 1 && strcmp(argv[1], "run") == 0) { o->run = true; first = 2; }
    if (argc > 1 && strcmp(argv[1], "scan") == 0) { o->run = o->scan_cmd = true; first = 2; }
    if (argc > 1 && strcmp(argv[1], "predict") == 0) { o->run = o->predict = true; first = 2; }
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!only_files && a[0] == '-' && a[1]) {
            if (strcmp(a, "--") == 0 && o->run) { o->train_args = argv + i + 1; o->ntrain_args = argc - i - 1; break; }
            if (strcmp(a, "--") == 0) only_files = 1;
            else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                fputs(usage_text, stdout);
                exit(0);
            } else if (strcmp(a, "--version") == 0) {
                printf("aedlc %s\n", AEDL_VERSION);
                exit(0);
            } else if (option_is(a, "--emit")) {
                if (o->run) usage_error("aedlc run writes every output; --emit is for a single compile%s%s", "", "");
                parse_emit(o, opt_value(argc, argv, &i, "--emit"));
            }
            else if (option_is(a, "-o")) {
                o->out_dir = opt_value(argc, argv, &i, "-o");
                if (!*o->out_dir) usage_error("option %s needs a folder, not an empty string%s", "'-o'", "");
                char real[PATH_MAX];
                real_out_dir(o->out_dir, real, sizeof real);
                if (is_system_dir(real))
                    usage_error("-o %s: %s is a system folder; choose a folder of your own for the outputs", o->out_dir, real);
            }
            else if (option_is(a, "--model")) o->model = opt_value(argc, argv, &i, "--model");
            else if (option_is(a, "--target")) o->target = opt_value(argc, argv, &i, "--target");
            else if (option_is(a, "--weights")) o->weights = opt_value(argc, argv, &i, "--weights");
            else if (option_is(a, "--observed")) o->observed = opt_value(argc, argv, &i, "--observed");
            else if (option_is(a, "--tb-events")) {
                const char *v = opt_value(argc, argv, &i, "--tb-events");
                char *end;
                long n = strtol(v, &end, 10);
                if (*end || n < 1 || n > 1000000) usage_error("--tb-events %s: give a number of events in 1..1000000%s", v, "");
                o->tb_events = (int)n;
            }
            else if (option_is(a, "-I")) o->include[o->ninclude++] = opt_value(argc, argv, &i, "-I");
            else if (option_is(a, "--scan")) o->scan = opt_value(argc, argv, &i, "--scan");
            else if (option_is(a, "--point")) o->point = count_value(opt_value(argc, argv, &i, "--point"), "--point", 0);
            else if (o->scan_cmd && option_is(a, "-j")) o->jobs = count_value(opt_value(argc, argv, &i, "-j"), "-j", 1);
            else if (o->scan_cmd && option_is(a, "--task")) o->task = count_value(opt_value(argc, argv, &i, "--task"), "--task", 0);
            else if (o->scan_cmd && option_is(a, "--on")) {
                o->on = opt_value(argc, argv, &i, "--on");
                if (strcmp(o->on, "local") && strcmp(o->on, "slurm") && strcmp(o->on, "htcondor"))
                    usage_error("--on %s: expected local, slurm or htcondor%s", o->on, "");
            }
            else if (o->scan_cmd && option_is(a, "--sbatch")) o->sbatch = opt_value(argc, argv, &i, "--sbatch");
            else if (o->scan_cmd && strcmp(a, "--wait") == 0) o->wait = true;
            else if (o->scan_cmd && strcmp(a, "--gather") == 0) o->gather = true;
            else if (o->scan_cmd && strcmp(a, "--rtl") == 0) o->rtl = true;
            else if (o->predict && option_is(a, "--dataset")) o->dataset = opt_value(argc, argv, &i, "--dataset");
            else if (o->predict && option_is(a, "--format")) o->format = opt_value(argc, argv, &i, "--format");
            else if (o->predict && option_is(a, "--out")) o->pred_out = opt_value(argc, argv, &i, "--out");
            else if (o->predict && strcmp(a, "--firmware-only") == 0) o->firmware_only = true;
            else if (o->predict && strcmp(a, "--check-quantized") == 0) o->check_quantized = true;
            else if (option_is(a, "--dump-after")) {
                const char *v = opt_value(argc, argv, &i, "--dump-after");
                o->dump_after = P_NONE;
                for (int k = 1; k < NPASSES; k++) if (!strcmp(v, pass_names[k])) o->dump_after = k;
                if (o->dump_after == P_NONE)
                    usage_error("unknown pass '%s' for --dump-after (known: resolve, shapes, weights, precision, plan)%s", v, "");
            }
            else usage_error("unknown option '%s'%s", a, "");
            continue;
        }
        if (o->predict && o->file && !o->data) { o->data = a; continue; }
        if (o->file) usage_error("more than one input file ('%s' and '%s')", o->file, a);
        o->file = a;
    }
    if (!o->file) usage_error("no input file%s%s", "", "");
    if (o->scan_cmd && o->point >= 0) usage_error("aedlc scan runs every point; --point is for aedlc run or a compile%s%s", "", "");
    if (o->scan_cmd && o->model) usage_error("aedlc scan trains the train block's model; --model is for a single compile%s%s", "", "");
    if (o->predict && !o->data) usage_error("aedlc predict: give the data file to score after the .aedl file%s%s", "", "");
}

/* ---- the standard library ------------------------------------------------------------ */

/* $AEDL_STDLIB, else the one beside aedlc (home.h): installed as
   share/aedl/stdlib/std/NAME.aedl, in the source tree as stdlib/NAME.aedl. */
static char *find_stdlib(void) {
    const char *env = getenv("AEDL_STDLIB");
    if (env && *env) return arena_strdup(env);
    char *d = aedl_home_find(NULL, "stdlib", "stdlib", "std/quantizers.aedl");
    if (!d) d = aedl_home_find(NULL, "stdlib", "stdlib", "quantizers.aedl");
    if (!d) return NULL;
    char *r = arena_strdup(d);
    free(d);
    return r;
}

/* ---- choosing the model and target for the emitters ----------------------------------- */

static IrModel *find_model(IrProgram *p, const char *name) {
    for (int i = 0; i < p->nmodels; i++)
        if (strcmp(p->models[i]->name, name) == 0) return p->models[i];
    return NULL;
}

static IrTarget *find_target(IrProgram *p, const char *name) {
    for (int i = 0; i < p->ntargets; i++)
        if (strcmp(p->targets[i]->name, name) == 0) return p->targets[i];
    return NULL;
}

static void unknown_name(const char *what, const char *name, const char **names, int n) {
    const char *close = suggest(name, names, n);
    if (close) diag_error(NOLOC, "no %s named '%s' in the file; did you mean '%s'?", what, name, close);
    else if (n == 0) diag_error(NOLOC, "no %s named '%s': the file declares none", what, name);
    else {
        char list[512] = "";
        size_t len = 0;
        for (int i = 0; i < n && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
        diag_error(NOLOC, "no %s named '%s' in the file (it has: %s)", what, name, list);
    }
}

/* --model / --target: the one named, else the model of the only train block,
   else the only model.  Returns -1 after reporting. */
static int select_job(EmitJob *job, bool need_model) {
    IrProgram *p = job->prog;
    const char **names = xcalloc((size_t)(p->nmodels + p->ntargets + 1), sizeof *names);
    int rc = 0;
    if (job->model_name) {
        job->model = find_model(p, job->model_name);
        if (!job->model) {
            for (int i = 0; i < p->nmodels; i++) names[i] = p->models[i]->name;
            unknown_name("model", job->model_name, names, p->nmodels);
            rc = -1;
        }
    } else if (need_model) {
        if (p->ntrains == 1 && p->trains[0]->model) job->model = p->trains[0]->model;
        else if (p->nmodels == 1) job->model = p->models[0];
        else if (p->nmodels == 0) { diag_error(NOLOC, "%s declares no model", job->main_file); rc = -1; }
        else {
            diag_error(NOLOC, "%s declares %d models; choose one with --model NAME", job->main_file, p->nmodels);
            rc = -1;
        }
    }
    if (job->target_name) {
        job->target = find_target(p, job->target_name);
        if (!job->target) {
            for (int i = 0; i < p->ntargets; i++) names[i] = p->targets[i]->name;
            unknown_name("target", job->target_name, names, p->ntargets);
            rc = -1;
        }
    } else if (p->ntargets == 1) {
        job->target = p->targets[0];
    } else if (p->ntargets > 1 && need_model) {
        diag_error(NOLOC, "%s declares %d targets; choose one with --target NAME", job->main_file, p->ntargets);
        rc = -1;
    }
    if (job->model)
        for (int i = 0; i < p->ntrains; i++)
            if (p->trains[i]->model == job->model) { job->train = p->trains[i]; break; }
    if (rc == 0 && job->target && job->model && job->model->nnodes && job->model->nodes[0]->op == OP_INPUT) {
        int before = diag_error_count();
        prep_hw_check(job->target, job->train ? job->train->data : NULL, ir_shape_size(&job->model->nodes[0]->shape));
        if (diag_error_count() != before) rc = -1;
    }
    free(names);
    return rc;
}

/* ---- observed ranges (--observed FILE) ------------------------------------------------------
 * A CSV file, one line per layer: `layer,min,max` (an optional header line
 * `layer,min,max`, `#` comments, blank lines); the row `input` names the
 * model's input.  Every name must be a layer of the model and min <= max.
 * Returns the number of rows (*out allocated, names in the arena), or -1
 * after reporting. */

static int read_observed(const char *path, const IrModel *m, IrObserved **out) {
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) { diag_error(NOLOC, "cannot read the observed ranges %s: %s", path, strerror(errno)); return -1; }
    int n = 0, cap = 0, lineno = 0, bad = 0;
    IrObserved *v = NULL;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            diag_error(NOLOC, "%s:%d: line too long", path, lineno); bad = 1; break;
        }
        char *c = strchr(line, '#');
        if (c) *c = 0;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) continue;
        char name[256], rest[2][128];
        if (sscanf(p, " %255[^, \t] , %127[^, \t] , %127[^, \t] ", name, rest[0], rest[1]) != 3) {
            diag_error(NOLOC, "%s:%d: expected layer,min,max", path, lineno); bad = 1; continue;
        }
        if (n == 0 && strcmp(name, "layer") == 0 && strcmp(rest[0], "min") == 0) continue;   /* header */
        char *e0, *e1;
        double lo = strtod(rest[0], &e0), hi = strtod(rest[1], &e1);
        if (*e0 || *e1 || !isfinite(lo) || !isfinite(hi) || lo > hi) {
            diag_error(NOLOC, "%s:%d: '%s': min and max must be finite numbers with min <= max", path, lineno, name);
            bad = 1; continue;
        }
        bool known = strcmp(name, "input") == 0;
        for (int i = 0; i < m->nnodes && !known; i++) known = strcmp(m->nodes[i]->name, name) == 0;
        if (!known) { diag_error(NOLOC, "%s:%d: model '%s' has no layer '%s'", path, lineno, m->name, name); bad = 1; continue; }
        if (n == cap) { cap = cap ? 2 * cap : 16; v = xrealloc(v, sizeof *v * (size_t)cap); }
        v[n++] = (IrObserved){ arena_strdup(name), lo, hi };
    }
    if (ferror(f)) { diag_error(NOLOC, "cannot read the observed ranges %s: %s", path, strerror(errno)); bad = 1; }
    fclose(f);
    if (bad) { free(v); return -1; }
    *out = v;
    return n;
}

/* ---- the passes --------------------------------------------------------------------------
 * Each returns 0, or 1 when it reported errors (the run stops there). */

/* DIR (or out/MODEL) is ours while we write: refused when another run holds
   it, allowed when a process we run under does (aedlc run; proc.h).  A folder that cannot be made is
   left to the emitters to report. */
static int lock_out_dir(const char *dir) {
    char err[4400];
    if (aedl_mkdirs(dir) != 0) return 0;
    if (aedl_outdir_lock(dir, err, sizeof err) == 0 || !strstr(err, "one run per output folder")) return 0;
    fprintf(stderr, "aedlc: error: %s\n", err);
    return 1;
}

static bool any_emit_needs_model(const Options *o) {
    if (o->dump_after >= P_WEIGHTS) return true;
    for (int i = 0; i < NEMITTERS; i++)
        if (o->emit[i] && emitters[i].needs_model) return true;
    return false;
}

static AstFile **pass_load(const Options *o, int *nfiles) {
    LoadOptions lo = { o->include, o->ninclude, find_stdlib() };
    AstFile **files = load_program(o->file, &lo, nfiles);
    return files && !diag_error_count() ? files : NULL;
}

/* --point K: the values of point K of the scan written into the program. */
static int pass_scan_point(AstFile **files, int nfiles, const Options *o) {
    ScanDecl *s = scan_find(files, nfiles, o->scan);
    return !s || !scan_apply(files, nfiles, s, o->point) || diag_error_count() != 0;
}

static IrProgram *pass_resolve(AstFile **files, int nfiles, const Options *o) {
    diag_hold();
    IrProgram *p = resolve_program(files, nfiles, o->file);
    diag_release();
    if (!p || diag_error_count()) return NULL;
    ir_verify(p);
    return p;
}

static int pass_shapes(IrProgram *p) {
    diag_hold();
    infer_shapes(p);
    diag_release();
    if (diag_error_count()) return 1;
    ir_verify(p);
    return 0;
}

/* --weights: the trained parameters into the chosen model. */
static int pass_weights(EmitJob *job) {
    if (!job->model || !job->weights) return 0;
    prec_model = job->model;     /* its weights and precision are freed in main() */
    if (weights_load(job->model, job->weights) != 0) return 1;
    return weights_apply_value_quantizers(job->model, job->weights) != 0;
}

/* The fixed-point types (precision.h), then the firmware's limits that need no
   weights: what the firmware cannot take is an error now, not after training. */
static int pass_precision(EmitJob *job, const Options *o) {
    if (!job->model) return 0;
    prec_model = job->model;
    IrObserved *obs = NULL;
    int nobs = o->observed ? read_observed(o->observed, job->model, &obs) : 0;
    if (nobs < 0) return 1;
    int errs = infer_precision(job->prog, job->model, job->target, obs, nobs);
    free(obs);
    if (errs != 0) return 1;
    if ((o->emit[E_TRAIN] || o->emit[E_HLS]) && emit_hls_check(job->model, job->target, o->emit[E_HLS]) != 0) return 1;
    return 0;
}

static bool model_has_params(const IrModel *m) {
    for (int i = 0; i < m->nnodes; i++) if (m->nodes[i]->params) return true;
    return false;
}

/* The firmware plan (plan.c), for hls/ and report/: from the trained weights,
   or, for hls/ without them, from zero weights (which are not kept). */
static void pass_plan(EmitJob *job, const Options *o) {
    if (!job->model || !(o->emit[E_HLS] || o->emit[E_RTL] || o->emit[E_REPORT] || o->dump_after == P_PLAN)) return;
    IrTarget *tg = job->target;
    const IrData *dt = job->train ? job->train->data : NULL;
    IrLoss score = LOSS_MSE;   /* the score of the model's train block */
    for (int i = 0; i < job->prog->ntrains; i++)
        if (job->prog->trains[i]->model == job->model) score = job->prog->trains[i]->score;
    /* the fitted scaling: the hardware inputs' layer applies it, and the masked score's
       padding is a raw 0 preprocessed by it (0 unless a feature is standardised or has
       an affine map with an offset: then no scaler.h5 is needed for it) */
    bool masked = tg && tg->output == TARGET_OUT_SCORE && score == LOSS_MASKED_MSE, moves0 = false;
    for (int i = 0; dt && i < dt->nprep; i++)
        moves0 |= dt->prep[i].op == PREP_STANDARD || (dt->prep[i].op == PREP_AFFINE && dt->prep[i].a != 0);
    if (dt && dt->scale == SCALE_STANDARD) moves0 = true;
    aedl_scaler sc = {0};
    float *pad = NULL;
    if (tg && ((tg->hw_types && dt && (dt->scale == SCALE_STANDARD || dt->nprep)) || (masked && moves0)) &&
        model_has_params(job->model)) {
        char path[4200], why[1024];
        snprintf(path, sizeof path, "%s/scaler.h5", job->out_dir);
        if (aedl_scaler_load(&sc, path, why, sizeof why) != 0) {
            snprintf(job->plan_err, sizeof job->plan_err, "%s need the fitted scaling: %.900s",
                     tg->hw_types ? "hardware_inputs" : "the masked score's padding values", why);
            return;
        }
        long d = 1;
        for (int i = 0; i < job->model->nnodes; i++)
            if (job->model->nodes[i]->op == OP_INPUT) d = (long)ir_shape_size(&job->model->nodes[i]->shape);
        if ((long)sc.d != d) {
            snprintf(job->plan_err, sizeof job->plan_err, "%.900s holds the scaling of %zu features, the model input has %ld",
                     path, sc.d, d);
            aedl_scaler_free(&sc);
            return;
        }
        if (tg->hw_types) { tg->hw_mean = sc.mean; tg->hw_std = sc.std; tg->hw_offset = sc.offset; tg->hw_divisor = sc.divisor; }
        if (masked) {   /* a raw 0 through the data pipeline's own arithmetic (data_scale.c) */
            pad = xcalloc(sc.d ? sc.d : 1, sizeof *pad);
            aedl_scaler_apply_rows(&sc, pad, 1);
            tg->pad_value = pad;
        }
    }
    if (model_has_params(job->model)) {
        job->plan = plan_build_for(job->model, job->target, score, job->plan_err, (int)sizeof job->plan_err);
    } else if (o->emit[E_HLS] || o->emit[E_RTL]) {
        job->zero_weights = true;
        weights_zero_model(job->model);
        job->plan = plan_build_for(job->model, job->target, score, job->plan_err, (int)sizeof job->plan_err);
        weights_free_model(job->model);
    } else {
        snprintf(job->plan_err, sizeof job->plan_err, "no trained weights (--weights)");
    }
    if (tg) {
        tg->hw_mean = tg->hw_std = tg->hw_offset = tg->hw_divisor = NULL;
        tg->pad_value = NULL;
    }
    aedl_scaler_free(&sc);
    free(pad);
}

/* DIR/firmware.plan: the plan of the trained weights, when hls/ or report/ is
   written with them (docs/hls.md, "The firmware plan").  Without a plan the
   other outputs stand (report/ only) and a stale plan file is removed. */
static int emit_plan_file(const EmitJob *job, const Options *o) {
    if (!job->model || job->zero_weights || !job->weights || !(o->emit[E_HLS] || o->emit[E_RTL] || o->emit[E_REPORT])) return 0;
    char path[4200];
    snprintf(path, sizeof path, "%s/firmware.plan", job->out_dir);
    if (!job->plan) {
        fprintf(stderr, "aedlc: warning: no firmware plan (%s): %s\n", path, job->plan_err);
        remove(path);
        return 0;
    }
    if (aedl_mkdirs(job->out_dir) != 0 || aedl_fw_plan_write(job->plan, path) != 0) {
        fprintf(stderr, "aedlc: error: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int run_emitters(EmitJob *job, const Options *o) {
    for (int i = 0; i < NEMITTERS; i++)
        if (o->emit[i] && (emitters[i].fn(job) != 0 || diag_error_count())) return 1;
    return emit_plan_file(job, o) != 0;
}

/* --dump-after PASS: after that pass, the IR (with the precision results when
   they exist) and after plan the plan, on standard output.  Returns 1 when
   the run stops here. */
static int dumped(const Options *o, int pass, const EmitJob *job) {
    if (o->dump_after != pass) return 0;
    ir_dump(stdout, job->prog);
    if (pass == P_PLAN) {
        if (job->plan) {
            fputs(job->zero_weights ? "\n# the firmware plan of zero weights (no --weights)\n" : "\n", stdout);
            aedl_fw_plan_fprint(job->plan, stdout);
        }
        else printf("\n# no firmware plan: %s\n", job->plan_err[0] ? job->plan_err : "nothing needs one");
    }
    if (fflush(stdout) != 0 || ferror(stdout)) diag_error(NOLOC, "cannot write the IR to standard output");
    return 1;
}

/* The model compile() chose and its output folder. */
static struct { char model[256], out_dir[4096]; } chosen;

/* ---- the driver ------------------------------------------------------------------------------ */

static int compile(const Options *o) {
    int nfiles = 0;
    AstFile **files = pass_load(o, &nfiles);
    if (!files) return 1;
    if (o->point >= 0 && pass_scan_point(files, nfiles, o)) return 1;
    IrProgram *p = pass_resolve(files, nfiles, o);
    if (!p) return 1;
    EmitJob job = { p, o->file, o->out_dir, o->model, o->target, o->weights, NULL, NULL, NULL,
                    o->include, o->ninclude, o->emit[E_TRAIN], NULL, "", false, o->tb_events };
    if (dumped(o, P_RESOLVE, &job)) return diag_error_count() != 0;
    if (pass_shapes(p)) return 1;
    if (dumped(o, P_SHAPES, &job)) return diag_error_count() != 0;

    if (select_job(&job, any_emit_needs_model(o)) != 0) return 1;
    char dir[4096];
    if (job.model && !job.out_dir) {
        snprintf(dir, sizeof dir, "out/%s", job.model->name);
        job.out_dir = dir;
    }
    if (job.model) {       /* for run_flow */
        snprintf(chosen.model, sizeof chosen.model, "%s", job.model->name);
        snprintf(chosen.out_dir, sizeof chosen.out_dir, "%s", job.out_dir);
    }
    int rc = 1;
    if (pass_weights(&job)) goto out;
    ir_verify(p);
    if (dumped(o, P_WEIGHTS, &job)) goto dump;
    if (pass_precision(&job, o)) goto out;
    ir_verify(p);
    if (dumped(o, P_PRECISION, &job)) goto dump;
    pass_plan(&job, o);
    ir_verify(p);
    if (dumped(o, P_PLAN, &job)) goto dump;
    if (job.model && any_emit_needs_model(o) && lock_out_dir(job.out_dir)) goto out;
    rc = run_emitters(&job, o);
    goto out;
dump:
    rc = diag_error_count() != 0;
out:
    aedl_fw_plan_free(job.plan);
    return rc;
}

/* ---- aedlc run: the whole flow -----------------------------------------------------------
 *
 *   1. compile and build the training program (--emit train);
 *   2. run it (DIR/train/MODEL_train, with the options after --); after
 *      training it writes DIR/MODEL.weights.h5 and asks us for the firmware
 *      (a line "firmware OBSERVED" on its pipe, AEDL_DRIVER_FD);
 *   3. we run aedlc --emit hls,report --weights DIR/MODEL.weights.h5
 *      [--observed OBSERVED] (DIR/firmware.plan, hls/, report/) and send back
 *      "STATUS LENGTH" and its messages; the training program then evaluates
 *      the firmware emulation against the quantized model, writes the
 *      testbench vectors, eval/summary.json and the report's plots.
 * This process holds DIR/.aedl.lock throughout; its children are let through
 * (proc.h) and end with it. */

/* Step 3 for one request: the firmware with the trained weights. */
static void firmware_request(const Options *o, const char *observed, int wfd) {
    char self[PATH_MAX], weights[4400];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    snprintf(weights, sizeof weights, "%s/%s.weights.h5", chosen.out_dir, chosen.model);
    const char **argv = xcalloc((size_t)(2 * o->ninclude + 24), sizeof *argv);
    int k = 0;
    argv[k++] = self; argv[k++] = o->file;
    argv[k++] = "--emit"; argv[k++] = "hls,report";
    argv[k++] = "--weights"; argv[k++] = weights;
    argv[k++] = "-o"; argv[k++] = chosen.out_dir;
    argv[k++] = "--model"; argv[k++] = chosen.model;
    if (o->target) { argv[k++] = "--target"; argv[k++] = o->target; }
    char point[32];
    if (o->point >= 0) {
        snprintf(point, sizeof point, "%d", o->point);
        if (o->scan) { argv[k++] = "--scan"; argv[k++] = o->scan; }
        argv[k++] = "--point"; argv[k++] = point;
    }
    if (observed[0]) { argv[k++] = "--observed"; argv[k++] = observed; }
    for (int i = 0; i < o->ninclude; i++) { argv[k++] = "-I"; argv[k++] = o->include[i]; }
    argv[k] = NULL;
    char *out = NULL;
    size_t len = 0;
    int st = n > 0 ? aedl_run_capture((char *const *)argv, &out, &len) : -1;
    free(argv);
    char head[64];
    int hn = snprintf(head, sizeof head, "%d %zu\n", st, len);
    if (write(wfd, head, (size_t)hn) != hn || (len && write(wfd, out, len) != (ssize_t)len))
        fprintf(stderr, "aedlc: warning: the training program no longer listens: %s\n", strerror(errno));
    free(out);
}

static int run_flow(const Options *o) {
    for (int i = 0; i < o->ntrain_args; i++)
        if (!strcmp(o->train_args[i], "-o") || !strcmp(o->train_args[i], "--aedl"))
            usage_error("aedlc run: give the output folder and the .aedl file to aedlc, not after -- (%s)%s",
                        o->train_args[i], "");
    if (o->weights || o->observed || o->dump_after)
        usage_error("aedlc run trains the weights and observes the ranges itself; %s is for a single compile%s",
                    o->weights ? "--weights" : o->observed ? "--observed" : "--dump-after",
                    o->weights ? " (to start training from a weights file: aedlc run FILE.aedl -- --weights W.h5)" : "");
    Options c = *o;
    memset(c.emit, 0, sizeof c.emit);
    c.emit[E_TRAIN] = true;
    int rc = compile(&c);
    if (rc != 0) return rc;
    char prog[4400], fds[64];
    snprintf(prog, sizeof prog, "%s/train/%s_train", chosen.out_dir, chosen.model);
    int to_train[2], from_train[2];
    if (pipe(to_train) != 0 || pipe(from_train) != 0) aedl_fatal("cannot make a pipe: %s", strerror(errno));
    char **argv = xcalloc((size_t)o->ntrain_args + 4, sizeof *argv);
    argv[0] = prog;
    argv[1] = "-o";
    argv[2] = chosen.out_dir;     /* its messages name the folder as the user gave it */
    for (int i = 0; i < o->ntrain_args; i++) argv[i + 3] = o->train_args[i];
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) aedl_fatal("cannot run %s: %s", prog, strerror(errno));
    if (pid == 0) {
        aedl_child_setup(parent, strrchr(prog, '/') + 1);
        close(to_train[1]); close(from_train[0]);
        snprintf(fds, sizeof fds, "%d,%d", to_train[0], from_train[1]);
        setenv("AEDL_DRIVER_FD", fds, 1);
        execv(prog, argv);
        fprintf(stderr, "aedlc: error: cannot run %s: %s\n", prog, strerror(errno));
        _exit(127);
    }
    aedl_child_started(pid);
    close(to_train[0]); close(from_train[1]);
    fcntl(to_train[1], F_SETFD, FD_CLOEXEC);      /* not inherited by the firmware step */
    fcntl(from_train[0], F_SETFD, FD_CLOEXEC);
    free(argv);
    /* requests, one line each, until the training program closes its end */
    char line[4400];
    int k = 0;
    char ch;
    for (;;) {
        ssize_t r = read(from_train[0], &ch, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (ch != '\n') { if (k < (int)sizeof line - 1) line[k++] = ch; continue; }
        line[k] = 0;
        k = 0;
        if (strncmp(line, "firmware", 8) == 0) firmware_request(o, line[8] == ' ' ? line + 9 : "", to_train[1]);
    }
    close(from_train[0]); close(to_train[1]);
    int st = aedl_child_wait(pid);
    return st < 0 ? 1 : st;
}

/* ---- aedlc scan: every point of a scan ---------------------------------------------------
 *
 * Every point is checked first (load, its values, resolve, shapes, the train
 * block's model): an invalid point is reported with its values and nothing
 * runs.  scan_run.c then runs the points (aedlc run --point K each, here or
 * on a cluster) and gathers their results. */

static int check_point(const Options *o, EmitJob *job) {
    int nfiles = 0;
    AstFile **files = pass_load(o, &nfiles);
    if (!files || pass_scan_point(files, nfiles, o)) return 1;
    IrProgram *p = pass_resolve(files, nfiles, o);
    if (!p || pass_shapes(p)) return 1;
    memset(job, 0, sizeof *job);
    job->prog = p;
    job->main_file = o->file;
    job->model_name = o->model;
    job->target_name = o->target;
    if (select_job(job, true) != 0) return 1;
    if (!job->train) {
        diag_error(NOLOC, "%s: model '%s' has no train block: a scan trains every point", o->file, job->model->name);
        return 1;
    }
    return 0;
}

static int scan_main(const Options *o) {
    int nfiles = 0;
    AstFile **files = pass_load(o, &nfiles);
    if (!files) return 1;
    ScanDecl *s = scan_find(files, nfiles, o->scan);
    if (!s || diag_error_count()) return 1;
    char model[256] = "";
    int bad = 0;
    /* every point; a cluster task its own (the model's name for --rtl); the gather none */
    for (int k = 0; k < s->npoints && !o->gather; k++) {
        if (o->task >= 0 && k != o->task) continue;
        Options c = *o;
        c.point = k;
        c.scan = s->name;
        EmitJob job;
        if (check_point(&c, &job)) {
            fprintf(stderr, "aedlc: scan '%s', point %d (%s): invalid\n", s->name, k, scan_point_label(s, k));
            bad++;
        } else if (!model[0]) {
            snprintf(model, sizeof model, "%s", job.model->name);
        }
        diag_reset();
    }
    if (bad) {
        fprintf(stderr, "aedlc: %d of the %d points of scan '%s' are invalid; nothing was run\n", bad, s->npoints, s->name);
        return 1;
    }
    ScanRun r;
    memset(&r, 0, sizeof r);
    r.file = o->file;
    r.decl = s;
    r.out_dir = o->out_dir;
    r.target = o->target;
    r.include = o->include;
    r.ninclude = o->ninclude;
    r.train_args = o->train_args;
    r.ntrain_args = o->ntrain_args;
    r.jobs = o->jobs;
    r.on = o->on ? o->on : "local";
    r.wait = o->wait;
    r.gather = o->gather;
    r.sbatch = o->sbatch;
    r.task = o->task;
    r.rtl = o->rtl;
    r.model = model;
    return scan_run(&r);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st; (void)flag; (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}
/* Removes a folder we made, with what is in it (symbolic links are not followed). */
static void aedl_rm_tree(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* ---- aedlc predict: apply a trained model ------------------------------------------------
 *
 *   1. compile and build the training program (--emit train), as aedlc run does;
 *   2. with --weights other than DIR's, make their firmware plan (aedlc --emit hls into a
 *      temporary folder under DIR/predict, removed afterwards);
 *   3. run DIR/train/MODEL_train --predict DATA ...: it reads DIR's preprocessing
 *      (scaler.h5), the weights and the plan, and writes the predictions. */
static int predict_flow(const Options *o) {
    if (o->observed || o->dump_after)
        usage_error("aedlc predict: %s is for a single compile%s", o->observed ? "--observed" : "--dump-after", "");
    for (int i = 0; i < o->ntrain_args; i++)
        if (!strcmp(o->train_args[i], "-o") || !strcmp(o->train_args[i], "--predict"))
            usage_error("aedlc predict: give %s to aedlc, not after --%s", o->train_args[i], "");
    Options c = *o;
    memset(c.emit, 0, sizeof c.emit);
    c.emit[E_TRAIN] = true;
    c.weights = NULL;
    int rc = compile(&c);
    if (rc != 0) return rc;
    char prog[4400], plan_dir[4500] = "", plan[4600] = "";
    snprintf(prog, sizeof prog, "%s/train/%s_train", chosen.out_dir, chosen.model);
    if (o->weights) {
        char pdir[4400], self[PATH_MAX];
        snprintf(pdir, sizeof pdir, "%s/predict", chosen.out_dir);
        if (aedl_mkdirs(pdir) != 0) aedl_fatal("cannot create %s: %s", pdir, strerror(errno));
        snprintf(plan_dir, sizeof plan_dir, "%s/.plan.%ld", pdir, (long)getpid());
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        self[n > 0 ? n : 0] = 0;
        const char **argv = xcalloc((size_t)(2 * o->ninclude + 16), sizeof *argv);
        int k = 0;
        argv[k++] = self; argv[k++] = o->file;
        argv[k++] = "--emit"; argv[k++] = "hls";
        argv[k++] = "--weights"; argv[k++] = o->weights;
        argv[k++] = "-o"; argv[k++] = plan_dir;
        argv[k++] = "--model"; argv[k++] = chosen.model;
        if (o->target) { argv[k++] = "--target"; argv[k++] = o->target; }
        for (int i = 0; i < o->ninclude; i++) { argv[k++] = "-I"; argv[k++] = o->include[i]; }
        argv[k] = NULL;
        char *out = NULL;
        size_t len = 0;
        int st = n > 0 ? aedl_run_capture((char *const *)argv, &out, &len) : -1;
        free(argv);
        if (len) fwrite(out, 1, len, stderr);
        free(out);
        snprintf(plan, sizeof plan, "%s/firmware.plan", plan_dir);
        if (st != 0) {
            aedl_rm_tree(plan_dir);
            fprintf(stderr, "aedlc: error: the firmware plan of %s could not be made (above)\n", o->weights);
            return 1;
        }
    }
    const char **argv = xcalloc((size_t)o->ntrain_args + 20, sizeof *argv);
    int k = 0;
    argv[k++] = prog;
    argv[k++] = "-o"; argv[k++] = chosen.out_dir;
    argv[k++] = "--predict"; argv[k++] = o->data;
    if (o->dataset) { argv[k++] = "--dataset"; argv[k++] = o->dataset; }
    if (o->format) { argv[k++] = "--format"; argv[k++] = o->format; }
    if (o->weights) { argv[k++] = "--weights"; argv[k++] = o->weights; argv[k++] = "--plan"; argv[k++] = plan; }
    if (o->pred_out) { argv[k++] = "--predict-out"; argv[k++] = o->pred_out; }
    if (o->firmware_only) argv[k++] = "--firmware-only";
    if (o->check_quantized) argv[k++] = "--check-quantized";
    for (int i = 0; i < o->ntrain_args; i++) argv[k++] = o->train_args[i];
    argv[k] = NULL;
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) aedl_fatal("cannot run %s: %s", prog, strerror(errno));
    if (pid == 0) {
        aedl_child_setup(parent, strrchr(prog, '/') + 1);
        execv(prog, (char *const *)argv);
        fprintf(stderr, "aedlc: error: cannot run %s: %s\n", prog, strerror(errno));
        _exit(127);
    }
    aedl_child_started(pid);
    free(argv);
    int st = aedl_child_wait(pid);
    if (plan_dir[0]) aedl_rm_tree(plan_dir);
    return st < 0 ? 1 : st;
}

int main(int argc, char **argv) {
    aedl_progname = "aedlc";
    aedl_die_on_signals(NULL);
    if (argc > 1 && strcmp(argv[1], "import") == 0) return keras_import_main(argc - 1, argv + 1);
    Options o;
    parse_args(argc, argv, &o);
    int rc = o.scan_cmd ? scan_main(&o) : o.predict ? predict_flow(&o) : o.run ? run_flow(&o) : compile(&o);
    if (prec_model) { prec_free(prec_model); weights_free_model(prec_model); }
    free(o.include);
    arena_free_all();
    src_free_all();
    return rc;
}
