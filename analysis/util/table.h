/* table: the analysis's one open-addressing hash table. It holds only uint32
 * slots, each 0 (empty) or an entry number + 1; the entries live where their
 * owner keeps them (an array of keys, the graph's string table), and the
 * owner supplies their hash (lt_hash) and equality. Linear probing from the
 * slot that Fibonacci hashing picks (the top bits of hash * 2^64/phi, so any
 * hash works, even a key itself); never more than half full; no removal.
 * Caller-allocated struct: init/free; grow with lt_table_reserve before each
 * insertion. A lookup, lt_table_find, is inlined into its caller, so a
 * static equality function given to it costs no indirect call. */
#ifndef LT_TABLE_H
#define LT_TABLE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct lt_table {
    uint32_t *slots;   /* capacity slots: 0 or entry + 1 */
    uint32_t capacity; /* a power of two, at most 2^31 */
    uint32_t count;    /* entries stored */
    unsigned shift;    /* 64 - log2(capacity) */
} lt_table;

/* The hash of a stored entry, for re-placing it when the table grows. */
typedef uint64_t (*lt_table_hash_fn)(const void *owner, uint32_t entry);

/* Whether a stored entry equals the key being looked up. */
typedef bool (*lt_table_equal_fn)(const void *key, uint32_t entry);

/* An empty table of at least `capacity` slots (rounded up to a power of two,
 * at least 16). Returns 0 or LT_ENOMEM. */
int lt_table_init(lt_table *t, uint32_t capacity);

/* Frees the slots; t may then be initialised again. */
void lt_table_free(lt_table *t);

/* Makes room for one more entry: when it would pass half full, the table
 * doubles and every entry is placed again by hash_of(owner, entry). Returns 0,
 * or LT_ENOMEM (out of memory, or past 2^30 entries) with t unchanged. */
int lt_table_reserve(lt_table *t, lt_table_hash_fn hash_of, const void *owner);

/* The slot where probing for hash starts. */
static inline uint32_t lt_table_home(const lt_table *t, uint64_t hash)
{
    return (uint32_t)((hash * 0x9E3779B97F4A7C15ull) >> t->shift);
}

/* The slot holding an entry equal to key (is_equal(key, entry)), or the empty
 * slot where it belongs. Never NULL: the table always has an empty slot. */
static inline uint32_t *lt_table_find(const lt_table *t, uint64_t hash, lt_table_equal_fn is_equal, const void *key)
{
    uint32_t mask = t->capacity - 1;
    for (uint32_t i = lt_table_home(t, hash);; i = (i + 1) & mask)
        if (!t->slots[i] || is_equal(key, t->slots[i] - 1))
            return &t->slots[i];
}

/* Stores entry (below UINT32_MAX) in the empty slot lt_table_find gave, after
 * an lt_table_reserve with no insertion since. */
static inline void lt_table_put(lt_table *t, uint32_t *slot, uint32_t entry)
{
    *slot = entry + 1;
    t->count++;
}

#endif
