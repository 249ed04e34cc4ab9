/* proc.c — see proc.h.  What a signal handler touches (the temporary names,
 * the children, the message) lives in fixed tables read with
 * async-signal-safe calls only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include "proc.h"
#include "util.h"

/* ---------------------------------------------------------------- temporary files */

enum { NTMP = 64, NCHILD = 16 };
static char *volatile tmp_name[NTMP];
static volatile pid_t tmp_pid[NTMP];     /* the process that registered it (fork copies the table) */
static volatile pid_t child_pid[NCHILD];
static char *volatile die_message;
static pthread_t main_thread;
static volatile sig_atomic_t have_main;

static void remove_temps(void) {
    pid_t me = getpid();
    for (int i = 0; i < NTMP; i++) {
        char *p = tmp_name[i];
        if (p && tmp_pid[i] == me) unlink(p);
    }
}

static void at_exit(void) {
    remove_temps();
    pid_t me = getpid();
    for (int i = 0; i < NTMP; i++)
        if (tmp_name[i] && tmp_pid[i] == me) { char *p = tmp_name[i]; tmp_name[i] = NULL; free(p); }
}

void aedl_tmp_register(const char *path) {
    static int registered;
    if (!registered) { atexit(at_exit); registered = 1; }
    for (int i = 0; i < NTMP; i++)
        if (!tmp_name[i]) {
            tmp_pid[i] = getpid();
            tmp_name[i] = xstrdup(path);
            return;
        }
}

void aedl_tmp_forget(const char *path) {
    pid_t me = getpid();
    for (int i = 0; i < NTMP; i++) {
        char *p = tmp_name[i];
        if (p && tmp_pid[i] == me && strcmp(p, path) == 0) {
            tmp_name[i] = NULL;
            free(p);
            return;
        }
    }
}

void aedl_tmp_remove(const char *path) {
    unlink(path);
    aedl_tmp_forget(path);
}

/* ---------------------------------------------------------------- signals */

void aedl_die_now(int sig) {
    /* Ended on the thread that set the handlers (main), so that it runs no
       further (opening no new temporary) while the handler cleans up. */
    if (have_main && !pthread_equal(pthread_self(), main_thread)) {
        pthread_kill(main_thread, sig);
        return;
    }
    int e = errno;
    char *m = die_message;
    if (m) { ssize_t w = write(2, m, strlen(m)); (void)w; }
    for (int i = 0; i < NCHILD; i++)
        if (child_pid[i] > 0) kill(child_pid[i], SIGTERM);
    for (int i = 0; i < NCHILD; i++)
        if (child_pid[i] > 0)
            while (waitpid(child_pid[i], NULL, 0) < 0 && errno == EINTR) {}
    remove_temps();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    raise(sig);
    errno = e;
    _exit(128 + sig);
}

void aedl_die_on_signals(const char *message) {
    char *old = die_message;
    die_message = message ? xstrdup(message) : NULL;
    free(old);
    main_thread = pthread_self();
    have_main = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = aedl_die_now;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGXFSZ, SIG_IGN);
}

/* ---------------------------------------------------------------- children */

void aedl_child_started(pid_t pid) {
    for (int i = 0; i < NCHILD; i++)
        if (child_pid[i] <= 0) { child_pid[i] = pid; return; }
}

void aedl_child_ended(pid_t pid) {
    for (int i = 0; i < NCHILD; i++)
        if (child_pid[i] == pid) child_pid[i] = 0;
}

/* Only async-signal-safe calls: the parent may have threads. */
void aedl_child_setup(pid_t parent, const char *name) {
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    if (getppid() != parent) _exit(1);       /* the parent died before prctl */
    for (int i = 0; i < NTMP; i++) tmp_name[i] = NULL;
    for (int i = 0; i < NCHILD; i++) child_pid[i] = 0;
    die_message = NULL;
    have_main = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    char point[96] = "child:";
    size_t n = strlen(point);
    for (const char *s = name; *s && n + 1 < sizeof point; s++) point[n++] = *s;
    point[n] = 0;
    aedl_test_pause(point);
}

/* ---------------------------------------------------------------- test hook */

static int wake_fd[2] = { -1, -1 };

static size_t put_long(char *b, long v) {
    char t[24];
    size_t n = 0, k = 0;
    if (v < 0) { b[k++] = '-'; v = -v; }
    do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) b[k++] = t[--n];
    return k;
}

void aedl_test_pause(const char *point) {
    static int done;
    const char *at = getenv("AEDL_TEST_PAUSE_AT");
    if (done || !at || strcmp(at, point) != 0) return;
    done = 1;
    if (pipe(wake_fd) != 0) return;
    fcntl(wake_fd[0], F_SETFD, FD_CLOEXEC);
    fcntl(wake_fd[1], F_SETFD, FD_CLOEXEC);
    char line[256];
    size_t n = put_long(line, (long)getpid());
    line[n++] = ' ';
    n += put_long(line + n, (long)getppid());
    line[n++] = ' ';
    for (const char *s = point; *s && n + 2 < sizeof line; s++) line[n++] = *s;
    line[n++] = '\n';
    const char *fifo = getenv("AEDL_TEST_PAUSE_FIFO");
    int fd = 2;
    if (fifo && *fifo)
        while ((fd = open(fifo, O_WRONLY)) < 0 && errno == EINTR) {}
    if (fd < 0) return;                      /* nobody can know we wait: go on */
    ssize_t w = write(fd, line, n);
    (void)w;
    if (fd != 2) close(fd);
    char c;
    while (read(wake_fd[0], &c, 1) < 0 && errno == EINTR) {}
}

void aedl_test_wake(void) {
    if (wake_fd[1] >= 0) { ssize_t w = write(wake_fd[1], "", 1); (void)w; }
}

/* ---------------------------------------------------------------- the output-folder lock */

/* NAME.tmp.PID of a process that no longer runs? */
static int stale_temp(const char *name) {
    const char *t = NULL;
    for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp.")) t = p;
    if (!t || !t[5]) return 0;
    long pid = 0;
    for (const char *d = t + 5; *d; d++) {
        if (*d < '0' || *d > '9' || pid > 100000000) return 0;
        pid = pid * 10 + (*d - '0');
    }
    return pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Removes the temporaries that killed runs (SIGKILL) left in DIR and in the
   folders the programs write (train/, eval/, hls/, report/ and below). */
static int remove_stale_temps(const char *dir, int depth) {
    static const char *const ours[] = { "train", "eval", "hls", "report" };
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *p = xmalloc(len);
        snprintf(p, len, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0) {
            int sub = S_ISDIR(st.st_mode) && depth > 0;
            if (sub && depth == 4) {
                sub = 0;
                for (size_t k = 0; k < sizeof ours / sizeof ours[0]; k++) sub |= strcmp(e->d_name, ours[k]) == 0;
            }
            if (sub) n += remove_stale_temps(p, depth - 1);
            else if (S_ISREG(st.st_mode) && stale_temp(e->d_name) && unlink(p) == 0) n++;
        }
        free(p);
    }
    closedir(d);
    return n;
}

/* pid is our parent, or its parent, and so on (Linux: /proc/PID/stat). */
static int is_ancestor(pid_t pid) {
    pid_t p = getppid();
    for (int depth = 0; p > 1 && depth < 64; depth++) {
        if (p == pid) return 1;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", (long)p);
        FILE *f = fopen(path, "r");
        if (!f) return 0;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        const char *close_paren = strrchr(buf, ')');     /* the name may hold spaces and ')' */
        long ppid;
        char state;
        if (!close_paren || sscanf(close_paren + 1, " %c %ld", &state, &ppid) != 2) return 0;
        p = (pid_t)ppid;
    }
    return 0;
}

int aedl_outdir_lock(const char *dir, char *err, size_t errlen) {
    size_t plen = strlen(dir) + 16;
    char *path = xmalloc(plen);
    snprintf(path, plen, "%s/.aedl.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
        struct flock fl;
        memset(&fl, 0, sizeof fl);
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (fcntl(fd, F_SETLK, &fl) == 0) {
            char when[64] = "?", line[256];
            time_t now = time(NULL);
            struct tm tm;
            if (gmtime_r(&now, &tm)) strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
            int n = snprintf(line, sizeof line, "%ld %s %s\n", (long)getpid(), aedl_progname, when);
            if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) { /* the lock holds without it */ }
            int stale = remove_stale_temps(dir, 4);
            if (stale) aedl_warn("%s: removed %d temporary file(s) of an earlier run that was killed", dir, stale);
            free(path);
            return 0;                     /* fd stays open: the lock lasts until the process ends */
        }
        if (errno != EACCES && errno != EAGAIN) {
            snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
            close(fd);
            free(path);
            return -1;
        }
        memset(&fl, 0, sizeof fl);
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK) continue;   /* just released */
        if (is_ancestor(fl.l_pid)) {      /* the run we belong to (aedlc run, its training program) */
            close(fd);
            free(path);
            return 0;
        }
        char buf[256] = "", prog[96] = "?", when[96] = "?";
        ssize_t r = pread(fd, buf, sizeof buf - 1, 0);
        buf[r > 0 ? r : 0] = 0;
        long pid;
        if (sscanf(buf, "%ld %95s %95[^\n]", &pid, prog, when) < 3 || pid != (long)fl.l_pid)
            snprintf(prog, sizeof prog, "?"), snprintf(when, sizeof when, "?");
        snprintf(err, errlen, "%s: in use by process %ld (%s, started %s); one run per output folder",
                 dir, (long)fl.l_pid, prog, when);
        close(fd);
        free(path);
        return -1;
    }
    snprintf(err, errlen, "cannot lock %s: it is taken and released again and again", path);
    close(fd);
    free(path);
    return -1;
}

int aedl_child_wait(pid_t pid) {
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) { aedl_child_ended(pid); return -1; }
    aedl_child_ended(pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int aedl_run_capture(char *const argv[], char **out, size_t *len) {
    *out = xstrdup("");
    *len = 0;
    int fd[2];
    if (pipe(fd) != 0) return -1;
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) { close(fd[0]); close(fd[1]); return -1; }
    if (pid == 0) {
        const char *base = strrchr(argv[0], '/');
        aedl_child_setup(parent, base ? base + 1 : argv[0]);
        dup2(fd[1], 1); dup2(fd[1], 2);
        close(fd[0]); close(fd[1]);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    aedl_child_started(pid);
    close(fd[1]);
    size_t n = 0, cap = 4096;
    char *buf = xmalloc(cap);
    for (;;) {
        if (cap - n < 1024) { cap *= 2; buf = xrealloc(buf, cap); }
        ssize_t got = read(fd[0], buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        n += (size_t)got;
    }
    buf[n] = 0;
    close(fd[0]);
    free(*out);
    *out = buf;
    *len = n;
    return aedl_child_wait(pid);
}
