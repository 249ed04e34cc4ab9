/* proc.h — processes, signals, temporary files and the output-folder lock,
 * shared by the training program, aedlc and aedl-report. */
#ifndef AEDL_PROC_H
#define AEDL_PROC_H
#include <stddef.h>
#include <sys/types.h>

/* Temporary files of this process.  Every name registered is removed when the
   process exits (exit(), aedl_fatal) or ends on SIGINT/SIGTERM/SIGHUP through
   aedl_die_on_signals, unless it was forgotten first (renamed or removed).
   aedl_atomic_open and aedl_tmp_name register; aedl_atomic_commit/abort and
   aedl_rename_over forget. */
void aedl_tmp_register(const char *path);
void aedl_tmp_forget(const char *path);
/* unlink + forget */
void aedl_tmp_remove(const char *path);

/* SIGINT, SIGTERM and SIGHUP end the process after removing its temporary
   files and ending its children (SIGTERM, then waiting for each); MESSAGE
   (copied; NULL: none) is printed to stderr first.  The process then dies of
   the signal (status 128 + N in a shell).  SIGXFSZ is ignored, so that a write
   over the file size limit fails with EFBIG and is reported. */
void aedl_die_on_signals(const char *message);
/* The same, run by a signal handler of the caller (async-signal-safe). */
void aedl_die_now(int sig);

/* Children.  In the child right after fork(): aedl_child_setup(parent, NAME)
   makes the child get SIGTERM when this process dies (also of SIGKILL; Linux),
   exits at once if the parent is already gone, and resets the handlers and
   registries it inherited.  In the parent: aedl_child_started(pid) after the
   fork, aedl_child_ended(pid) once it was waited for. */
void aedl_child_setup(pid_t parent, const char *name);
void aedl_child_started(pid_t pid);
void aedl_child_ended(pid_t pid);
/* Waits for the child pid (EINTR retried) and calls aedl_child_ended: its exit
   status, 128 + N when signal N ended it, or -1 when it cannot be waited for. */
int aedl_child_wait(pid_t pid);
/* Runs argv[0] (a path) with argv, its stdout and stderr into *out
   (NUL-terminated, *len bytes without the NUL; caller frees), as a child of
   the above.  Returns its status as aedl_child_wait, or -1 when it could not
   be started (*out then ""). */
int aedl_run_capture(char *const argv[], char **out, size_t *len);

/* One run per output folder: takes DIR/.aedl.lock (an fcntl write lock, held
   until the process ends; the file holds "PID PROGRAM START").  0 when taken,
   or when a process we run under holds it (aedlc run running the training
   program, which runs aedl-report, and the firmware step); -1 with a message in err when another process holds it
   ("DIR: in use by process 1234 (ae_train, started ...); one run per output
   folder") or when it cannot be created (err names the file and the cause).
   Once taken, the temporaries NAME.tmp.PID of processes that no longer run
   (killed with SIGKILL) are removed from DIR and its folders, with a warning. */
int aedl_outdir_lock(const char *dir, char *err, size_t errlen);

/* Test hook.  With AEDL_TEST_PAUSE_AT=POINT in the environment, the process
   that reaches POINT (once) writes the line "PID PPID POINT" to the FIFO
   AEDL_TEST_PAUSE_FIFO (or, without it, to stderr) and then waits, without
   using the processor, until a signal ends it or a handler calls
   aedl_test_wake().  Points: epoch:N (training, after the first batch of
   epoch N), write:NAME (after the temporary file of the output NAME, a file
   name without folder, was created: any program), child:NAME (in a child
   process before it runs the program NAME: aedlc, aedl-report, gnuplot).
   The tests signal processes at these points only (tests/train/resume.sh,
   tests/robust/interrupt.sh, tests/robust/procs.sh). */
void aedl_test_pause(const char *point);
void aedl_test_wake(void);     /* async-signal-safe */

#endif
