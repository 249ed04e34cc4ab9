/* strmap.h — names to small integers in the arena: a hash table with open
 * addressing, so that looking a name up costs the same for the 10th
 * declaration or layer as for the 100,000th. */
#ifndef AEDL_STRMAP_H
#define AEDL_STRMAP_H

typedef struct {
    const char **keys;     /* NULL: an empty slot; keys are not copied */
    int *vals;
    unsigned cap, n;       /* cap: 0 or a power of two */
} StrMap;

/* The value stored for KEY, or -1. */
int strmap_get(const StrMap *m, const char *key);
/* Stores KEY -> VAL (VAL >= 0) when KEY is new and returns -1; otherwise
   keeps the first value and returns it. */
int strmap_add(StrMap *m, const char *key, int val);

#endif
