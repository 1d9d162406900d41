/* findings: what the analysis says about a snapshot in words a developer can
 * act on: a ranked list of findings, each with a kind, a title, a fix where
 * one is known, the retained size and share of the heap, evidence, and a
 * fingerprint that names the same leak in the next snapshot. These are the
 * only analysis types the service stores.
 *
 * Kinds (one static table, findings.c):
 *   recursive_chain   an async function / generator / promise chain that calls
 *                     itself, so each level keeps the previous one alive
 *   closure_chain     closures each holding the previous one (a handler
 *                     wrapped again and again), made by one function, with
 *                     no activation per level: a loop, not recursion
 *   retainer_cluster  many objects of one class held the same way
 *   detached_dom      DOM elements no longer in the document, held from JS
 *   large_retainer    one object holding a large share of the heap (not
 *                     necessarily a leak; the title does not say it is)
 *   leaked_since_baseline  objects created between a baseline and a target
 *                     snapshot of one process and still alive in its final
 *                     one, grouped by retainer path (three snapshots only) */
#ifndef LT_FINDINGS_H
#define LT_FINDINGS_H

#include <jansson.h>
#include <stdint.h>

#include "lt_error.h"

typedef enum lt_finding_kind {
    LT_FINDING_RECURSIVE_CHAIN,
    LT_FINDING_RETAINER_CLUSTER,
    LT_FINDING_DETACHED_DOM,
    LT_FINDING_LARGE_RETAINER,
    LT_FINDING_CLOSURE_CHAIN,
    LT_FINDING_LEAKED_SINCE_BASELINE,
} lt_finding_kind;

typedef struct lt_finding {
    lt_finding_kind kind;
    char *title;          /* one sentence */
    char *fix;            /* one sentence, or NULL */
    char fingerprint[41]; /* kind prefix + 32 hex digits of SHA-256 */
    uint64_t retained_size;
    double retained_percent; /* of the heap's total self size */
    json_t *details;         /* kind-specific fields and "evidence" (owned) */
} lt_finding;

typedef struct lt_findings {
    lt_finding *items; /* ranked by retained size, largest first */
    uint32_t count, capacity;
} lt_findings;

/* The kind's name as used in JSON ("recursive_chain", ...). */
const char *lt_finding_kind_name(lt_finding_kind kind);

/* Appends a finding; takes ownership of title, fix and details (also on
 * failure). The fingerprint is computed from the NUL-separated parts given
 * (kind first, then names and normalised script paths: never ids, counts,
 * sizes or line numbers). Returns 0 or LT_ENOMEM. */
int lt_findings_add(lt_findings *f, lt_finding_kind kind, char *title, char *fix, uint64_t retained_size,
                    uint64_t total_size, json_t *details, const char *const *fingerprint_parts, size_t part_count,
                    lt_error *err);

/* Ranks by retained size (largest first; ties keep insertion order). */
void lt_findings_rank(lt_findings *f);

/* The findings as the report's "findings" array (new reference). */
json_t *lt_findings_json(const lt_findings *f);

/* A script path reduced to its last two segments ("/srv/app/gen/x.js" ->
 * "gen/x.js"; URLs lose scheme, host and query), written into buf. */
void lt_findings_normalise_script(const char *path, char *buf, size_t len);

/* A node name as DevTools shows it: cut to 120 UTF-16 units (117 and "...").
 * New reference, or NULL when out of memory. */
json_t *lt_json_name(const char *name);

/* "15.8 MB": bytes in SI units, one decimal, into buf. */
void lt_format_size(uint64_t bytes, char *buf, size_t len);

/* "20,000": a count with thousands separators, into buf. */
void lt_format_count(uint64_t n, char *buf, size_t len);

/* printf into a new string (NULL when out of memory). */
char *lt_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Moves every finding of from to the end of into; from ends empty (also on
 * failure, when the findings that did not fit are freed). 0 or LT_ENOMEM. */
int lt_findings_move(lt_findings *into, lt_findings *from);

void lt_findings_free(lt_findings *f);

#endif
