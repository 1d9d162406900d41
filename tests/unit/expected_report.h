/* expected_report: compares an analysis with the DevTools oracle's JSON for the
 * same snapshot (NAME.expected.json: node_count, edge_count, total_self_size,
 * root_retained_size, top_nodes, devtools_classes) inside a cmocka test.
 * Shared by the fixture tests; linked into every unit test. */
#ifndef LT_EXPECTED_REPORT_H
#define LT_EXPECTED_REPORT_H

#include "analysis_result.h"

/* Checks counts, total size, root retained size, the top retainers and the
 * Summary-view classes of a against the JSON file at expected_path (the
 * oracle's output with --top 50, the default). Fails the running
 * test with the first difference ("classes[5].count: DevTools says 542, we
 * say 543"); returns only when all agree. */
void expected_report_check(const char *expected_path, const lt_analysis *a);

#endif
