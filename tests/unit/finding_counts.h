/* finding_counts: how many findings of a kind an analysis holds, for the
 * finding tests (linked into every unit test). */
#ifndef LT_FINDING_COUNTS_H
#define LT_FINDING_COUNTS_H

#include <stdint.h>

#include "analysis_result.h"

/* The number of a's findings of that kind. */
uint32_t finding_counts_of(const lt_analysis *a, lt_finding_kind kind);

#endif
