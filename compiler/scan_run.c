/* scan_run.c — aedlc scan: the points of a scan run here (-j N at once), on
 * Slurm (a job array and a gather job) or on HTCondor (submit files and a
 * DAG), then gathered by aedl-report --scan (scan_run.h, docs/scan.md). */
#define _XOPEN_SOURCE 700     /* readlink, realpath */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "arena.h"
#include "proc.h"
#include "scan_run.h"
#include "util.h"

typedef struct {
    const ScanRun *r;
    char self[PATH_MAX];      /* this aedlc */
    const char *dir;          /* the scan's output folder */
    int width;                /* digits of a point's folder name */
    int threads;              /* training threads per point (0: the program's default) */
} Scan;

static const char *sh_quote(const char *s);

static const char *point_dir(const Scan *S, int k) {
    return arena_printf("%s/points/%0*d", S->dir, S->width, k);
}

static char *read_small(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *buf = xmalloc(4096);
    size_t n = fread(buf, 1, 4095, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Point K finished well before (its scan_status says ok, for the same values). */
static bool point_done(const Scan *S, int k) {
    char *st = read_small(arena_printf("%s/scan_status", point_dir(S, k)));
    if (!st) return false;
    const char *label = scan_point_label(S->r->decl, k);
    char *nl = strchr(st, '\n');
    bool ok = strncmp(st, "ok ", 3) == 0 && nl && strncmp(nl + 1, label, strlen(label)) == 0 &&
              (nl[1 + strlen(label)] == '\n' || nl[1 + strlen(label)] == 0);
    free(st);
    return ok;
}

static int write_text(const char *path, const char *text) {
    aedl_atomic a;
    if (aedl_atomic_open(&a, path, "w") != 0 || fputs(text, a.f) == EOF || aedl_atomic_commit(&a) != 0) {
        fprintf(stderr, "aedlc: error: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* DIR/scan/points.tsv: index, folder (relative to DIR), one column per axis. */
static int write_manifest(const Scan *S) {
    const ScanDecl *d = S->r->decl;
    const char *t = "point\tfolder";
    for (int a = 0; a < d->naxes; a++) t = arena_printf("%s\t%s", t, d->axes[a].path);
    t = arena_printf("%s\n", t);
    for (int k = 0; k < d->npoints; k++) {
        t = arena_printf("%s%d\tpoints/%0*d", t, k, S->width, k);
        for (int a = 0; a < d->naxes; a++) t = arena_printf("%s\t%s", t, scan_value_text(d, k, a));
        t = arena_printf("%s\n", t);
    }
    return write_text(arena_printf("%s/scan/points.tsv", S->dir), t);
}

/* The arguments of `aedlc run` for point K (argv[0] is this aedlc). */
static char **point_argv(const Scan *S, int k) {
    const ScanRun *r = S->r;
    char **v = arena_alloc(sizeof *v * (size_t)(2 * r->ninclude + r->ntrain_args + 20));
    int n = 0;
    v[n++] = (char *)S->self;
    v[n++] = "run";
    v[n++] = (char *)r->file;
    v[n++] = "--scan"; v[n++] = (char *)r->decl->name;
    v[n++] = "--point"; v[n++] = arena_printf("%d", k);
    v[n++] = "-o"; v[n++] = (char *)point_dir(S, k);
    if (r->target) { v[n++] = "--target"; v[n++] = (char *)r->target; }
    for (int i = 0; i < r->ninclude; i++) { v[n++] = "-I"; v[n++] = (char *)r->include[i]; }
    v[n++] = "--";
    bool threads_given = false;
    for (int i = 0; i < r->ntrain_args; i++)
        if (!strncmp(r->train_args[i], "--threads", 9)) threads_given = true;
    if (S->threads > 0 && !threads_given) { v[n++] = "--threads"; v[n++] = arena_printf("%d", S->threads); }
    v[n++] = "--quiet";
    for (int i = 0; i < r->ntrain_args; i++) v[n++] = r->train_args[i];
    v[n] = NULL;
    return v;
}

/* --rtl: after the run, the point's Verilog (aedlc --emit rtl with its trained
   weights) and its synthesis (make -C rtl synth), in the same child as a shell
   script whose steps stop at the first that fails. */
static char **rtl_argv(const Scan *S, int k, char **run) {
    const ScanRun *r = S->r;
    const char *pd = point_dir(S, k);
    const char *script = "";
    for (int i = 0; run[i]; i++) script = arena_printf("%s%s%s", script, i ? " " : "", sh_quote(run[i]));
    const char *emit = arena_printf("%s %s --scan %s --point %d --emit rtl --weights %s -o %s", sh_quote(S->self),
                                    sh_quote(r->file), sh_quote(r->decl->name), k,
                                    sh_quote(arena_printf("%s/%s.weights.h5", pd, r->model)), sh_quote(pd));
    if (r->target) emit = arena_printf("%s --target %s", emit, sh_quote(r->target));
    for (int i = 0; i < r->ninclude; i++) emit = arena_printf("%s -I %s", emit, sh_quote(r->include[i]));
    script = arena_printf("%s && %s && make -s -C %s synth", script, emit, sh_quote(arena_printf("%s/rtl", pd)));
    char **v = arena_alloc(sizeof *v * 4);
    v[0] = "/bin/sh"; v[1] = "-c"; v[2] = (char *)script; v[3] = NULL;
    return v;
}

/* Starts point K with its output in its log.txt; the pid, or -1. */
static pid_t start_point(const Scan *S, int k) {
    const char *pd = point_dir(S, k);
    if (aedl_mkdirs(pd) != 0) {
        fprintf(stderr, "aedlc: error: cannot create %s: %s\n", pd, strerror(errno));
        return -1;
    }
    unlink(arena_printf("%s/scan_status", pd));
    char **argv = point_argv(S, k);
    if (S->r->rtl) argv = rtl_argv(S, k, argv);
    const char *log = arena_printf("%s/log.txt", pd);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        fprintf(stderr, "aedlc: error: cannot start point %d: %s\n", k, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        aedl_child_setup(parent, "aedlc");
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); close(fd); }
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) { dup2(nul, 0); close(nul); }
        execv(argv[0], argv);
        fprintf(stderr, "aedlc: error: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    aedl_child_started(pid);
    return pid;
}

/* The last line of LOG that says "error:", or its last line. */
static char *last_error(const char *log) {
    FILE *f = fopen(log, "r");
    if (!f) return xstrdup("(no log)");
    char line[1024], err[1024] = "", last[1024] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0]) continue;
        snprintf(last, sizeof last, "%s", line);
        if (strstr(line, "error:")) snprintf(err, sizeof err, "%s", line);
    }
    fclose(f);
    return xstrdup(err[0] ? err : last[0] ? last : "(empty log)");
}

/* Records how point K ended (STATUS as aedl_child_wait) in its scan_status and
   prints its progress line.  0 when it ended well. */
static int point_ended(const Scan *S, int k, int status, double secs, int ndone) {
    const ScanDecl *d = S->r->decl;
    const char *pd = point_dir(S, k), *label = scan_point_label(d, k);
    char *err = status == 0 ? NULL : last_error(arena_printf("%s/log.txt", pd));
    const char *text = status == 0 ? arena_printf("ok %.1f\n%s\n", secs, label)
                                   : arena_printf("failed %d %.1f\n%s\n%s\n", status, secs, label, err);
    write_text(arena_printf("%s/scan_status", pd), text);
    if (status == 0)
        printf("scan %s: [%d/%d] point %d (%s): done in %.1f s\n", d->name, ndone, d->npoints, k, label, secs);
    else
        printf("scan %s: [%d/%d] point %d (%s): FAILED (exit %d) after %.1f s: %s (%s/log.txt)\n", d->name, ndone,
               d->npoints, k, label, status, secs, err, pd);
    fflush(stdout);
    free(err);
    return status == 0 ? 0 : 1;
}

/* --task K: one point, in this process's foreground (a cluster job). */
static int run_task(Scan *S, int k) {
    const ScanDecl *d = S->r->decl;
    if (k >= d->npoints) {
        fprintf(stderr, "aedlc: error: scan '%s' has %d points; there is no point %d\n", d->name, d->npoints, k);
        return 1;
    }
    if (point_done(S, k)) {
        printf("scan %s: point %d (%s): done before\n", d->name, k, scan_point_label(d, k));
        return 0;
    }
    const char *cpus = getenv("SLURM_CPUS_PER_TASK");
    S->threads = cpus && atoi(cpus) > 0 ? atoi(cpus) : 1;
    double t0 = aedl_now();
    pid_t pid = start_point(S, k);
    int st = pid < 0 ? 127 : aedl_child_wait(pid);
    return point_ended(S, k, st, aedl_now() - t0, 1);
}

/* aedl-report --scan DIR: results.csv, results.json, index.html and the table. */
static int gather(const Scan *S) {
    char *tool = xmalloc(strlen(S->self) + 16);
    strcpy(tool, S->self);
    char *slash = strrchr(tool, '/');
    strcpy(slash ? slash + 1 : tool, "aedl-report");
    char *argv[] = { tool, "--scan", (char *)S->dir, NULL };
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        aedl_child_setup(parent, "aedl-report");
        execv(tool, argv);
        fprintf(stderr, "aedlc: error: cannot run %s: %s\n", tool, strerror(errno));
        _exit(127);
    }
    free(tool);
    if (pid < 0) return 1;
    aedl_child_started(pid);
    return aedl_child_wait(pid) == 0 ? 0 : 1;
}

static int run_local(Scan *S) {
    const ScanRun *r = S->r;
    const ScanDecl *d = r->decl;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) cores = 1;
    int jobs = r->jobs > 0 ? r->jobs : (int)cores;
    if (jobs > d->npoints) jobs = d->npoints;
    S->threads = (int)(cores / jobs) > 0 ? (int)(cores / jobs) : 1;
    pid_t *pids = xcalloc((size_t)d->npoints, sizeof *pids);
    double *t0 = xcalloc((size_t)d->npoints, sizeof *t0);
    int running = 0, next = 0, ndone = 0, failed = 0, before = 0;
    printf("scan %s: %d point(s), %d at once, %d training thread(s) each; in %s\n", d->name, d->npoints, jobs,
           S->threads, S->dir);
    fflush(stdout);
    while (next < d->npoints || running > 0) {
        while (running < jobs && next < d->npoints) {
            int k = next++;
            if (point_done(S, k)) {
                ndone++;
                before++;
                printf("scan %s: [%d/%d] point %d (%s): done before\n", d->name, ndone, d->npoints, k,
                       scan_point_label(d, k));
                continue;
            }
            t0[k] = aedl_now();
            pids[k] = start_point(S, k);
            if (pids[k] < 0) { failed += point_ended(S, k, 127, 0, ++ndone); continue; }
            running++;
        }
        if (running == 0) break;
        int st;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        int k = -1;
        for (int i = 0; i < d->npoints; i++) if (pids[i] == pid) k = i;
        if (k < 0) continue;          /* not one of ours */
        aedl_child_ended(pid);
        pids[k] = 0;
        running--;
        int status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
        failed += point_ended(S, k, status, aedl_now() - t0[k], ++ndone);
    }
    free(pids);
    free(t0);
    printf("scan %s: %d point(s) done (%d before), %d failed\n", d->name, d->npoints - failed, before, failed);
    fflush(stdout);
    int g = gather(S);
    return failed || g ? 1 : 0;
}

/* ---- clusters ---- */

static const char *find_on_path(const char *prog) {
    const char *path = getenv("PATH");
    if (!path) return NULL;
    while (*path) {
        size_t n = strcspn(path, ":");
        const char *cand = arena_printf("%.*s/%s", (int)n, path, prog);
        if (n && access(cand, X_OK) == 0) return cand;
        path += n + (path[n] == ':');
    }
    return NULL;
}

/* A word for a shell script, in single quotes. */
static const char *sh_quote(const char *s) {
    const char *out = "'";
    for (const char *p = s; *p; p++)
        out = *p == '\'' ? arena_printf("%s'\\''", out) : arena_printf("%s%c", out, *p);
    return arena_printf("%s'", out);
}

/* The aedlc command a cluster job runs: `aedlc scan FILE ... EXTRA`. */
static const char *job_command(const Scan *S, const char *extra) {
    const ScanRun *r = S->r;
    char real[PATH_MAX];
    const char *file = realpath(r->file, real) ? arena_strdup(real) : r->file;
    const char *c = arena_printf("%s scan %s --scan %s -o %s", sh_quote(S->self), sh_quote(file),
                                 sh_quote(r->decl->name), sh_quote(S->dir));
    if (r->target) c = arena_printf("%s --target %s", c, sh_quote(r->target));
    if (r->rtl) c = arena_printf("%s --rtl", c);
    for (int i = 0; i < r->ninclude; i++) {
        const char *inc = realpath(r->include[i], real) ? real : r->include[i];
        c = arena_printf("%s -I %s", c, sh_quote(inc));
    }
    c = arena_printf("%s %s", c, extra);
    if (r->ntrain_args) {
        c = arena_printf("%s --", c);
        for (int i = 0; i < r->ntrain_args; i++) c = arena_printf("%s %s", c, sh_quote(r->train_args[i]));
    }
    return c;
}

/* Runs argv, its output into *out; prints it with the command when it fails. */
static int run_tool(char **argv, char **out) {
    size_t len;
    int st = aedl_run_capture(argv, out, &len);
    if (st != 0) {
        fprintf(stderr, "aedlc: error: %s failed (%s %d):\n%s", argv[0], st < 0 ? "could not start" : "exit", st, *out);
        if (len && (*out)[len - 1] != '\n') fputc('\n', stderr);
    }
    return st;
}

static int run_slurm(Scan *S) {
    const ScanRun *r = S->r;
    const ScanDecl *d = r->decl;
    const char *sbatch = find_on_path("sbatch");
    if (!sbatch) {
        fprintf(stderr, "aedlc: error: --on slurm: 'sbatch' is not on PATH (Slurm's client commands; "
                        "Debian package slurm-client); run where jobs are submitted, or --on local\n");
        return 1;
    }
    const char *sd = arena_printf("%s/scan/slurm", S->dir);
    if (aedl_mkdirs(sd) != 0) {
        fprintf(stderr, "aedlc: error: cannot create %s: %s\n", sd, strerror(errno));
        return 1;
    }
    const char *list = "";
    int n = 0;
    for (int k = 0; k < d->npoints; k++)
        if (!point_done(S, k)) list = arena_printf("%s%s%d", list, n++ ? "," : "", k);
    const char *point_sh = arena_printf("%s/point.sh", sd), *gather_sh = arena_printf("%s/gather.sh", sd);
    if (write_text(point_sh, arena_printf("#!/bin/sh\n# One point of scan %s (array task = point); aedlc scan --on slurm.\n"
                                          "exec %s\n", d->name, job_command(S, "--task \"$SLURM_ARRAY_TASK_ID\""))) ||
        write_text(gather_sh, arena_printf("#!/bin/sh\n# Gathers scan %s after its array (afterany: failed points too).\n"
                                           "exec %s\n", d->name, job_command(S, "--gather"))))
        return 1;
    /* the user's options: words separated by blanks */
    char **user = arena_alloc(sizeof *user * 64);
    int nu = 0;
    if (r->sbatch) {
        char *s = arena_strdup(r->sbatch);
        for (char *w = strtok(s, " \t"); w && nu < 60; w = strtok(NULL, " \t")) user[nu++] = w;
    }
    const char *jobid = NULL;
    if (n > 0) {
        char **argv = arena_alloc(sizeof *argv * (size_t)(nu + 10));
        int a = 0;
        argv[a++] = (char *)sbatch; argv[a++] = "--parsable";
        argv[a++] = arena_printf("--job-name=aedl-%s", d->name);
        argv[a++] = arena_printf("--array=%s", list);
        argv[a++] = arena_printf("--output=%s/point-%%a.out", sd);
        for (int i = 0; i < nu; i++) argv[a++] = user[i];
        argv[a++] = (char *)point_sh;
        argv[a] = NULL;
        char *out = NULL;
        int st = run_tool(argv, &out);
        if (st != 0) { free(out); return 1; }
        out[strcspn(out, ";\n")] = 0;
        jobid = arena_strdup(out);
        free(out);
        printf("scan %s: submitted job array %s: %d point(s) (%s)\n", d->name, jobid, n, list);
    } else {
        printf("scan %s: every point is done; submitting the gather step only\n", d->name);
    }
    char **argv = arena_alloc(sizeof *argv * (size_t)(nu + 10));
    int a = 0;
    argv[a++] = (char *)sbatch; argv[a++] = "--parsable";
    argv[a++] = arena_printf("--job-name=aedl-%s-gather", d->name);
    if (jobid) argv[a++] = arena_printf("--dependency=afterany:%s", jobid);
    argv[a++] = arena_printf("--output=%s/gather.out", sd);
    if (r->wait) argv[a++] = "--wait";
    for (int i = 0; i < nu; i++) argv[a++] = user[i];
    argv[a++] = (char *)gather_sh;
    argv[a] = NULL;
    fflush(stdout);
    char *out = NULL;
    int st = run_tool(argv, &out);
    out[strcspn(out, ";\n")] = 0;
    if (st != 0 && !(r->wait && out[0])) { free(out); return 1; }
    printf("scan %s: gather job %s (after the array ends, whatever each point did)\n", d->name, out);
    write_text(arena_printf("%s/jobs.txt", sd), arena_printf("array %s\ngather %s\n", jobid ? jobid : "-", out));
    free(out);
    if (!r->wait) {
        printf("scan %s: results in %s/scan/results.csv once the gather job ends "
               "(aedlc scan ... --gather collects them again)\n", d->name, S->dir);
        return 0;
    }
    char *g = read_small(arena_printf("%s/gather.out", sd));
    if (g) fputs(g, stdout);
    free(g);
    return st == 0 ? 0 : 1;
}

static int run_htcondor(Scan *S) {
    const ScanDecl *d = S->r->decl;
    const char *hd = arena_printf("%s/scan/htcondor", S->dir);
    if (aedl_mkdirs(hd) != 0) {
        fprintf(stderr, "aedlc: error: cannot create %s: %s\n", hd, strerror(errno));
        return 1;
    }
    char real[PATH_MAX];
    const char *abs_hd = realpath(hd, real) ? arena_strdup(real) : hd;
    const char *pts = "";
    int n = 0;
    for (int k = 0; k < d->npoints; k++)
        if (!point_done(S, k)) { pts = arena_printf("%s%d\n", pts, k); n++; }
    /* the executable is a shell, so that the job runs the same command a Slurm job does */
    const char *sub =
        arena_printf("# One job per point of scan %s (aedlc scan --on htcondor); run by scan.dag.\n"
                     "universe     = vanilla\n"
                     "executable   = /bin/sh\n"
                     "arguments    = \"point.sh $(point)\"\n"
                     "initialdir   = %s\n"
                     "output       = point-$(point).out\n"
                     "error        = point-$(point).out\n"
                     "log          = scan.log\n"
                     "request_cpus = 1\n"
                     "getenv       = true\n"
                     "queue point from points.txt\n", d->name, abs_hd);
    const char *gsub =
        arena_printf("# Gathers scan %s after its points (scan.dag).\n"
                     "universe     = vanilla\n"
                     "executable   = /bin/sh\n"
                     "arguments    = \"gather.sh\"\n"
                     "initialdir   = %s\n"
                     "output       = gather.out\n"
                     "error        = gather.out\n"
                     "log          = scan.log\n"
                     "getenv       = true\n"
                     "queue\n", d->name, abs_hd);
    const char *dag =
        arena_printf("# Scan %s: the points, then the gather step (condor_submit_dag scan.dag).\n"
                     "# The POST script makes the points node succeed when some point failed, so\n"
                     "# that the gather step runs after any outcome (failed points are recorded).\n"
                     "JOB points points.sub\n"
                     "JOB gather gather.sub\n"
                     "SCRIPT POST points /bin/true\n"
                     "PARENT points CHILD gather\n", d->name);
    if (write_text(arena_printf("%s/points.txt", hd), pts) || write_text(arena_printf("%s/points.sub", hd), sub) ||
        write_text(arena_printf("%s/gather.sub", hd), gsub) || write_text(arena_printf("%s/scan.dag", hd), dag) ||
        write_text(arena_printf("%s/point.sh", hd),
                   arena_printf("#!/bin/sh\n# One point of scan %s: sh point.sh K\nexec %s\n", d->name,
                                job_command(S, "--task \"$1\""))) ||
        write_text(arena_printf("%s/gather.sh", hd),
                   arena_printf("#!/bin/sh\n# Gathers scan %s.\nexec %s\n", d->name, job_command(S, "--gather"))))
        return 1;
    printf("scan %s: wrote %s/scan.dag (%d point job(s) and the gather step); submit it with\n"
           "  condor_submit_dag %s/scan.dag\n", d->name, hd, n, hd);
    return 0;
}

int scan_run(const ScanRun *r) {
    Scan S;
    memset(&S, 0, sizeof S);
    S.r = r;
    ssize_t n = readlink("/proc/self/exe", S.self, sizeof S.self - 1);
    if (n <= 0) {
        fprintf(stderr, "aedlc: error: cannot find this program (/proc/self/exe): %s\n", strerror(errno));
        return 1;
    }
    S.self[n] = 0;
    const char *dir = r->out_dir ? r->out_dir : arena_printf("out/%s", r->decl->name);
    char real[PATH_MAX];
    /* cluster jobs run elsewhere: they are given absolute paths */
    if (strcmp(r->on, "local") != 0 || r->task >= 0 || r->gather) {
        if (aedl_mkdirs(dir) != 0 || !realpath(dir, real)) {
            fprintf(stderr, "aedlc: error: cannot create %s: %s\n", dir, strerror(errno));
            return 1;
        }
        dir = arena_strdup(real);
    }
    S.dir = dir;
    S.width = 3;
    for (int m = r->decl->npoints - 1; m >= 1000; m /= 10) S.width++;
    if (r->task >= 0) return run_task(&S, r->task);
    if (aedl_mkdirs(arena_printf("%s/scan", dir)) != 0) {
        fprintf(stderr, "aedlc: error: cannot create %s/scan: %s\n", dir, strerror(errno));
        return 1;
    }
    if (r->gather) return gather(&S);
    if (write_manifest(&S)) return 1;
    if (!strcmp(r->on, "slurm")) return run_slurm(&S);
    if (!strcmp(r->on, "htcondor")) return run_htcondor(&S);
    char err[4400];
    if (aedl_outdir_lock(dir, err, sizeof err) != 0) {
        fprintf(stderr, "aedlc: error: %s\n", err);
        return 1;
    }
    return run_local(&S);
}
