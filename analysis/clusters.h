/* clusters: the object cluster view (what the biggest retainers hold, by
 * class, with runs of same-class siblings collapsed), retainer-path clusters
 * (many objects of a class held the same way), detached DOM grouped by what
 * holds it, and large single retainers. See clusters.c. */
#ifndef LT_CLUSTERS_H
#define LT_CLUSTERS_H

#include <jansson.h>

#include "big_alloc.h"
#include "findings.h"
#include "heap_view.h"

/* Appends retainer_cluster, detached_dom and large_retainer findings to out
 * and sets *view to the object cluster view (a JSON array, new reference).
 * Returns 0 or LT_ENOMEM with err set. */
int lt_clusters_find(const lt_heap_view *v, lt_pool *pool, lt_findings *out, json_t **view, lt_error *err);

#endif
