/* report: what the analysis says, as the JSON document the CLI prints and the
 * service serves, as a readable summary, and as the per-node TSV. */
#ifndef LT_REPORT_H
#define LT_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis.h"

/* The report document: {"snapshot", "top_retainers", "classes", "findings"};
 * top is the number of retainers and classes listed. New reference, or NULL
 * when out of memory. */
json_t *lt_report_json(const lt_analysis *a, uint32_t top);

/* Writes a readable summary. Returns 0 or LT_EIO (a write error). */
int lt_report_text(const lt_analysis *a, uint32_t top, FILE *out);

/* Writes "# id self_size retained_size dominator_id distance" and one line per
 * node in snapshot order. Returns 0 or LT_EIO (a write error). */
int lt_report_nodes_tsv(const lt_analysis *a, FILE *out);

#endif
