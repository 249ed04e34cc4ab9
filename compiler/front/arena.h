/* arena.h — one arena per compilation; everything the compiler allocates for
 * the AST and IR lives here and is freed at once (as QBE does). */
#ifndef AEDL_ARENA_H
#define AEDL_ARENA_H
#include <stddef.h>

void *arena_alloc(size_t n);                 /* zeroed; aborts (internal error) when out of memory */
char *arena_strdup(const char *s);
char *arena_strndup(const char *s, size_t n);
char *arena_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grows an arena array: *items has *n used, *cap capacity. */
void arena_grow(void **items, int *cap, int n, size_t elem);
void arena_free_all(void);

#define ARENA_NEW(T) ((T *)arena_alloc(sizeof(T)))
#define ARENA_PUSH(arr, n, cap, val) \
    do { if ((n) >= (cap)) arena_grow((void **)&(arr), &(cap), (n), sizeof(*(arr))); (arr)[(n)++] = (val); } while (0)
#endif
