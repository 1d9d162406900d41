/* clusters: the object cluster view (what the biggest retainers hold, by
 * class, with runs of same-class siblings collapsed), retainer-path clusters
 * (many objects of a class held the same way), detached DOM grouped by what
 * holds it, and large single retainers. See clusters.c. */
#ifndef LT_CLUSTERS_H
#define LT_CLUSTERS_H

#include <jansson.h>
#include <stdatomic.h>

#include "util/big_alloc.h"
#include "findings/findings.h"
#include "findings/heap_view.h"

typedef struct lt_cluster_scan lt_cluster_scan;

/* First step, before the dominator tree exists (it may run beside the dominators): for
 * every class with many instances, a sample of their retainer paths grouped by shape.
 * Reads v's graph, class names, distances and parent edges, never v->tree nor
 * v->total_size. Creates *scan when NULL (free with lt_cluster_scan_free, also after a
 * failure). Stops early, with 0, when *stop (may be NULL) is set, looked at every 4096
 * nodes from the first such slice's end on (each call gets on by one slice at least); a
 * call with the same *scan (one at a time, on any thread) goes on from there. Returns 0
 * or LT_ENOMEM with err set. */
int lt_clusters_sample(const lt_heap_view *v, lt_cluster_scan **scan, atomic_int *stop, lt_error *err);

/* Second step, once the tree is there (and independent of the chains: it may run while
 * they are looked for): takes the samples lt_clusters_sample has not (creating *scan when
 * NULL), sets *view to the object cluster view (a JSON array, new reference), keeps in
 * *scan the sampled groups that make candidate retainer clusters, and appends
 * detached_dom findings to out. Returns 0 or LT_ENOMEM with err set. */
int lt_clusters_scan(const lt_heap_view *v, lt_cluster_scan **scan, json_t **view, lt_findings *out, lt_error *err);

/* Third step, once out also holds the chains: appends the retainer_cluster findings that
 * no chain explains, then large_retainer findings. */
int lt_clusters_report(const lt_heap_view *v, lt_cluster_scan *scan, lt_findings *out, lt_error *err);

/* What the samples hold so far (for tests and logs): the paths sampled, and whether
 * every node has been looked at. Before lt_clusters_scan weighs them (0 after). */
uint32_t lt_clusters_sampled(const lt_cluster_scan *scan, int *done);

void lt_cluster_scan_free(lt_cluster_scan *scan);

#endif
