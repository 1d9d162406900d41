/* fixture_analysis: analyses a committed snapshot inside a cmocka test.
 * Header-only, so LT_FIXTURES (the fixtures folder, defined per test by
 * tests/CMakeLists.txt) is the test's own. */
#ifndef LT_FIXTURE_ANALYSIS_H
#define LT_FIXTURE_ANALYSIS_H

#include <stdio.h>

#include "analysis.h"

/* Analyses LT_FIXTURES/NAME.heapsnapshot.gz ("seed-co", "findings/linked-list");
 * fails the running test with the analysis's message when it cannot. The
 * caller frees the result with lt_analysis_free. */
static inline lt_analysis *fixture_analyze(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.heapsnapshot.gz", LT_FIXTURES, name);
    lt_analysis *a = NULL;
    lt_error err = {0};
    if (lt_analyze_file(path, NULL, &a, &err))
        fail_msg("%s: %s", name, err.message);
    return a;
}

#endif
