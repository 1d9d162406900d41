#include "finding_counts.h"

uint32_t finding_counts_of(const lt_analysis *a, lt_finding_kind kind)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < a->findings.count; i++)
        n += a->findings.items[i].kind == kind;
    return n;
}
