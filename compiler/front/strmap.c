/* strmap.c — see strmap.h.  FNV-1a hashing, linear probing, at most half full. */
#include <string.h>
#include "arena.h"
#include "strmap.h"

static unsigned hash(const char *s) {
    unsigned h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot holding KEY, or the empty slot where it belongs. */
static unsigned slot_of(const StrMap *m, const char *key) {
    unsigned i = hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & (m->cap - 1);
    return i;
}

int strmap_get(const StrMap *m, const char *key) {
    if (m->cap == 0) return -1;
    unsigned i = slot_of(m, key);
    return m->keys[i] ? m->vals[i] : -1;
}

static void grow(StrMap *m) {
    StrMap g = { NULL, NULL, m->cap ? 2 * m->cap : 16, 0 };
    g.keys = arena_alloc(sizeof *g.keys * g.cap);
    g.vals = arena_alloc(sizeof *g.vals * g.cap);
    for (unsigned i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            unsigned j = slot_of(&g, m->keys[i]);
            g.keys[j] = m->keys[i];
            g.vals[j] = m->vals[i];
            g.n++;
        }
    *m = g;
}

int strmap_add(StrMap *m, const char *key, int val) {
    if (2 * (m->n + 1) > m->cap) grow(m);
    unsigned i = slot_of(m, key);
    if (m->keys[i]) return m->vals[i];
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
    return -1;
}
