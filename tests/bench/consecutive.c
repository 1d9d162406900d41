/* consecutive: the service's case of one analysis after another in the same process, as
 * a worker runs them: FILE analysed RUNS times without a keep and RUNS times with one
 * (analysis.h lt_keep: the blocks of the analysis before are reused), the two kinds
 * taking turns, PAUSE seconds of idleness before each (time for the system, or the host,
 * to take freed memory back). Prints each run and the medians; not a test.
 *
 *   consecutive FILE [RUNS [PAUSE]]      (defaults: 5 runs, 3 s) */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One analysis; its wall time in *wall and its page faults in *faults. 0 or an LT_E* code. */
static int run_once(const char *path, lt_keep *keep, double *wall, unsigned long long *faults)
{
    lt_analysis_options options = {.keep = keep};
    lt_analysis *a = NULL;
    lt_error err = {0};
    double start = now();
    int rc = lt_analyze_file(path, &options, &a, &err);
    *wall = now() - start;
    if (rc) {
        fprintf(stderr, "consecutive: %s\n", err.message);
        return rc;
    }
    const lt_stage_times *t = lt_analysis_times(a);
    *faults = 0;
    for (int s = 0; s < LT_STAGE_COUNT; s++)
        *faults += t->stage[s].minor_faults;
    lt_analysis_free(a);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: consecutive FILE [RUNS [PAUSE]]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5, pause = argc > 3 ? atoi(argv[3]) : 3;
    if (runs < 1 || runs > 100 || pause < 0) {
        fprintf(stderr, "consecutive: RUNS is 1..100, PAUSE at least 0\n");
        return 2;
    }
    mallopt(M_ARENA_MAX, 1); /* as `analyze` does */
    lt_keep *keep = lt_keep_new();
    double *wall[2] = {calloc((size_t)runs + 1, sizeof(double)), calloc((size_t)runs + 1, sizeof(double))};
    if (!keep || !wall[0] || !wall[1])
        return 1;
    /* one warm-up of each kind (the keep's first run only fills it), then the measured turns */
    for (int i = 0; i <= runs; i++)
        for (int kind = 0; kind < 2; kind++) {
            sleep((unsigned)pause);
            unsigned long long faults = 0;
            if (run_once(argv[1], kind ? keep : NULL, &wall[kind][i], &faults))
                return 1;
            printf("%s %-11s %6.2f s  %9llu minor faults\n", i ? "run   " : "warmup", kind ? "kept" : "fresh",
                   wall[kind][i], faults);
            fflush(stdout);
        }
    for (int kind = 0; kind < 2; kind++)
        qsort(wall[kind] + 1, (size_t)runs, sizeof(double), by_value);
    double fresh = wall[0][1 + runs / 2], kept = wall[1][1 + runs / 2];
    printf("median of %d, %d s apart: fresh memory %.2f s, kept memory %.2f s (%.0f%% less)\n", runs, pause, fresh,
           kept, 100.0 * (fresh - kept) / fresh);
    free(wall[0]);
    free(wall[1]);
    lt_keep_free(keep);
    return 0;
}
