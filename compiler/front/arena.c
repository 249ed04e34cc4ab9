/* arena.c — bump allocation in large blocks; see arena.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "src.h"

typedef struct Block { struct Block *next; size_t used, size; _Alignas(16) unsigned char data[]; } Block;
static Block *head;

void *arena_alloc(size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (!head || head->size - head->used < n) {
        size_t size = n > 65536 ? n : 65536;
        Block *b = malloc(sizeof(Block) + size);
        if (!b) ICE("out of memory");
        b->next = head; b->used = 0; b->size = size;
        head = b;
    }
    void *p = head->data + head->used;
    head->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(const char *s, size_t n) {
    char *d = arena_alloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *arena_strdup(const char *s) { return arena_strndup(s, strlen(s)); }

char *arena_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) ICE("bad format");
    char *d = arena_alloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

void arena_grow(void **items, int *cap, int n, size_t elem) {
    int ncap = *cap ? *cap * 2 : 8;
    void *d = arena_alloc((size_t)ncap * elem);
    if (n) memcpy(d, *items, (size_t)n * elem);
    *items = d;
    *cap = ncap;
}

void arena_free_all(void) {
    while (head) { Block *n = head->next; free(head); head = n; }
}
