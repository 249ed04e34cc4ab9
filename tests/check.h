/* check.h — the smallest test harness: each check prints "PASS name" or
 * "FAIL name: why"; main returns check_exit() (1 when anything failed).
 * tests/run.sh counts the lines. */
#ifndef AEDL_CHECK_H
#define AEDL_CHECK_H
#include <stdarg.h>
#include <stdio.h>

static int check_failures, check_passes;

__attribute__((format(printf, 3, 4), unused))
static int check_(int ok, const char *name, const char *fmt, ...) {
    if (ok) { printf("PASS %s\n", name); check_passes++; return 1; }
    printf("FAIL %s: ", name);
    va_list ap; va_start(ap, fmt); vprintf(fmt, ap); va_end(ap);
    printf("\n");
    check_failures++;
    return 0;
}
/* CHECK(cond, name, fmt, ...) — fmt explains a failure. */
#define CHECK(cond, name, ...) check_(!!(cond), name, __VA_ARGS__)
static inline int check_exit(void) { fflush(stdout); return check_failures ? 1 : 0; }
#endif
