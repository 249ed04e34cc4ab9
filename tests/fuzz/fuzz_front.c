/* fuzz_front.c — libFuzzer target over the front end (`make fuzz`): any bytes
 * (one file, or several split on "--- NAME" lines: tests/fuzz/front_run.h)
 * must give diagnostics, never a crash, a sanitizer report or an internal error. */
#include <stddef.h>
#include <stdint.h>
#include "front_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FILE *devnull;
    if (!devnull) devnull = fopen("/dev/null", "w");
    if (!devnull) return 0;
    front_run((const char *)data, size, devnull);
    return 0;
}
