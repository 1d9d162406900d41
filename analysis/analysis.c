#include "analysis_result.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <time.h>

#include "findings/chains.h"
#include "findings/class_scripts.h"
#include "findings/clusters.h"
#include "devtools/distances.h"
#include "devtools/dom_state.h"
#include "devtools/retention.h"
#include "devtools/shallow_sizes.h"
#include "snapshot/snapshot_reader.h"
#include "devtools/weakmap_edges.h"

typedef struct read_ctx {
    lt_reader *reader;
    const lt_analysis_options *options;
    lt_input_limits limits;
    uint64_t delivered, compressed; /* decompressed bytes so far; compressed ones (the file's size when known) */
    double last_percent;
} read_ctx;

static double monotonic_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

double lt_analysis_deadline(double timeout_seconds)
{
    return timeout_seconds > 0 ? monotonic_now() + timeout_seconds : 0;
}

/* LT_ELIMIT when the options' deadline has passed (before `what`). */
static int check_deadline(const lt_analysis_options *o, const char *what, lt_error *err)
{
    if (!o || !o->deadline || monotonic_now() < o->deadline)
        return 0;
    return lt_error_set(err, LT_ELIMIT, "the analysis ran out of time (--analysis-timeout) while %s", what);
}

static int feed_reader(void *ctx, const char *buf, size_t len, lt_error *err)
{
    read_ctx *rc = ctx;
    rc->delivered += len;
    int code = lt_input_check_limits(&rc->limits, rc->delivered, rc->compressed, err);
    if (!code)
        code = check_deadline(rc->options, "reading the snapshot", err);
    return code ? code : lt_reader_feed(rc->reader, buf, len, err);
}

static void report_reading(void *ctx, uint64_t consumed, uint64_t total)
{
    read_ctx *rc = ctx;
    rc->compressed = total > consumed ? total : consumed;
    if (!rc->options->progress || !total)
        return;
    double percent = 100.0 * (double)consumed / (double)total;
    if (percent - rc->last_percent >= 1.0 || percent >= 100.0) {
        rc->last_percent = percent;
        rc->options->progress(rc->options->progress_ctx, "reading", percent);
    }
}

const char *lt_stage_name(enum lt_stage stage)
{
    static const char *const names[LT_STAGE_COUNT] = {"reading",      "dom_state",        "shallow_sizes",
                                                      "dominators",   "distances",        "class_names",
                                                      "path_samples", "class_aggregates", "findings"};
    return stage < LT_STAGE_COUNT ? names[stage] : "?";
}

/* A stage's clock: wall time and minor page faults since its start, of the whole
 * process (RUSAGE_SELF) or of the calling thread (RUSAGE_THREAD, a stage run beside
 * another). */
typedef struct stage_clock {
    struct timespec wall;
    uint64_t faults;
    int who;
} stage_clock;

static void stage_clock_start(stage_clock *c, int who)
{
    struct rusage u;
    clock_gettime(CLOCK_MONOTONIC, &c->wall);
    c->who = who;
    c->faults = getrusage(who, &u) ? 0 : (uint64_t)u.ru_minflt;
}

static double seconds_since(struct timespec *last);

/* Records the figures of stage since the clock's start, and restarts the clock. */
static void stage_end(stage_clock *c, lt_stage_times *t, enum lt_stage stage)
{
    struct rusage u;
    lt_stage_figures *f = &t->stage[stage];
    f->seconds += seconds_since(&c->wall);
    if (!getrusage(c->who, &u)) {
        f->minor_faults += (uint64_t)u.ru_minflt - c->faults;
        c->faults = (uint64_t)u.ru_minflt;
    }
    if (!getrusage(RUSAGE_SELF, &u))
        f->peak_rss_bytes = (uint64_t)u.ru_maxrss * 1024; /* Linux: kilobytes */
}

static double seconds_since(struct timespec *last)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double s = (double)(now.tv_sec - last->tv_sec) + (double)(now.tv_nsec - last->tv_nsec) / 1e9;
    *last = now;
    return s;
}

static void progress(const lt_analysis_options *o, const char *phase, double percent)
{
    if (o && o->progress)
        o->progress(o->progress_ctx, phase, percent);
}

/* Between stages: rc when a stage failed, else reports progress and checks the deadline. */
static int checkpoint(const lt_analysis_options *o, int rc, const char *phase, double percent, lt_error *err)
{
    if (rc)
        return rc;
    progress(o, phase, percent);
    return check_deadline(o, phase[0] == 'f' ? "looking for findings" : "computing dominators", err);
}

int lt_read_graph(const char *path, const char *entry, const lt_analysis_options *options, lt_graph **out,
                  lt_input_info *info, lt_error *err)
{
    static const lt_analysis_options no_options = {0};
    read_ctx ctx = {.options = options ? options : &no_options, .last_percent = -1};
    ctx.limits = (lt_input_limits){ctx.options->max_snapshot_bytes, ctx.options->max_ratio, LT_RATIO_CHECK_FROM};
    *out = NULL;
    if (!(ctx.reader = lt_reader_new(err)))
        return err ? err->code : LT_ENOMEM;
    lt_reader_set_budget(ctx.reader, ctx.options->memory_budget);
    lt_reader_set_keep(ctx.reader, ctx.options->keep);
    int rc = lt_input_stream_entry(path, entry, feed_reader, report_reading, &ctx, info, err);
    if (!rc)
        rc = lt_reader_finish(ctx.reader, out, err);
    lt_reader_free(ctx.reader);
    return rc;
}

int lt_analyze_file(const char *path, const lt_analysis_options *options, lt_analysis **out, lt_error *err)
{
    return lt_analyze_entry(path, NULL, options, out, err);
}

int lt_analyze_entry(const char *path, const char *entry, const lt_analysis_options *options, lt_analysis **out,
                     lt_error *err)
{
    *out = NULL;
    lt_input_info info;
    lt_graph *g = NULL;
    stage_clock clock;
    lt_stage_times reading = {0};
    stage_clock_start(&clock, RUSAGE_SELF);
    int rc = lt_read_graph(path, entry, options, &g, &info, err);
    if (rc)
        return rc;
    stage_end(&clock, &reading, LT_STAGE_READING);
    rc = lt_analyze_graph(g, options, out, err);
    if (!rc) {
        (*out)->input = info;
        (*out)->times.stage[LT_STAGE_READING] = reading.stage[LT_STAGE_READING];
    }
    return rc;
}

/* Shallow sizes, distances, class names and the findings' samples of retainer paths, on
 * a second thread while the caller's computes the immediate dominators (classifying the
 * retaining edges as it goes): none needs the tree, and the dominators need the self
 * sizes (which the shallow sizes rewrite) only for the retained sizes, summed once this
 * thread is done.
 * They read the graph and take scratch memory from a pool of their own. The class names
 * write too: they add strings (which may move the string table) and write interface
 * names into plain objects' node_name. The dominator computation reads neither; the
 * retention rule reads the names of the root's synthetic children ("(Document DOM
 * trees)") when it is made, so the class names wait at a gate the caller's thread opens
 * once past that.
 * The path samples come last: they read the class names, the distances and the parent
 * edges. They take 0.04 s on the 200 MB file, 0.1 s on the 1 GB one, where this thread is
 * otherwise done up to 0.5 s before the dominators, but on a slow moment (fresh memory
 * slow to come) after them: so they stop when the caller's thread is done with the
 * dominators (samples_stop), and the findings take the rest, beside the aggregates. */
typedef struct side_stages {
    lt_analysis *a;
    const lt_weakmap_names *weakmaps;
    int findings; /* whether the findings follow: parent edges and path samples wanted */
    lt_pool pool;
    atomic_int samples_stop; /* set by the caller's thread once it waits for this one */
    /* names_free: set (under gate_lock, signalling gate) by the caller's thread once it
     * reads no more node names or strings; the class names wait for it */
    pthread_mutex_t gate_lock;
    pthread_cond_t gate;
    int names_free;
    lt_stage_times times;     /* its stages' figures */
    lt_cluster_scan *samples; /* the path samples (lt_clusters_sample), for the findings */
    lt_error err;
    int rc;
} side_stages;

static void open_names_gate(side_stages *s)
{
    pthread_mutex_lock(&s->gate_lock);
    s->names_free = 1;
    pthread_cond_signal(&s->gate);
    pthread_mutex_unlock(&s->gate_lock);
}

static void wait_names_gate(side_stages *s)
{
    pthread_mutex_lock(&s->gate_lock);
    while (!s->names_free)
        pthread_cond_wait(&s->gate, &s->gate_lock);
    pthread_mutex_unlock(&s->gate_lock);
}

static void *run_side_stages(void *arg)
{
    side_stages *s = arg;
    lt_graph *g = s->a->graph;
    stage_clock clock;
    stage_clock_start(&clock, RUSAGE_THREAD);
    s->rc = lt_shallow_sizes_apply(g, &s->pool, &s->err);
    stage_end(&clock, &s->times, LT_STAGE_SHALLOW_SIZES);
    if (s->rc)
        return NULL;
    s->a->distance = lt_distances_compute(g, s->weakmaps, &s->pool, s->findings ? &s->a->parent_edge : NULL, &s->err);
    if (!s->a->distance)
        s->rc = s->err.code ? s->err.code : LT_ENOMEM;
    stage_end(&clock, &s->times, LT_STAGE_DISTANCES);
    wait_names_gate(s); /* open by now in practice: the distances take longer */
    if (!s->rc)
        s->rc = lt_classes_name_nodes(g, &s->a->classes, &s->err);
    stage_end(&clock, &s->times, LT_STAGE_CLASS_NAMES);
    if (!s->rc && s->findings) {
        lt_heap_view view = {
            .g = g, .distance = s->a->distance, .parent_edge = s->a->parent_edge, .classes = &s->a->classes};
        s->rc = lt_clusters_sample(&view, &s->samples, &s->samples_stop, &s->err);
    }
    stage_end(&clock, &s->times, LT_STAGE_PATH_SAMPLES);
    return NULL;
}

/* Puts the dominator computation's scratch into pool as fresh blocks: five per-node
 * blocks of 4 bytes a node, which the DFS's arrays use index_bytes a node of
 * (dominators.h) and the tree's 4-byte arrays and the findings' scratch take over later,
 * and one of 8 bytes a node for the predecessor list (index_bytes an entry, 1.8 entries a
 * node on the 1 GB file), which the dominated list takes over later. Sized so, not as each
 * array asks, so that the later arrays reuse them. What the DFS writes of the five
 * (index_bytes a node) is backed here first, on two threads, as huge pages while they come
 * cheap and else as 4 KiB pages (lt_pool_back); the rest is touched only when used. Where
 * the host must back a huge page first (3-4 ms each here), the DFS met 26 of them on the
 * 200 MB file, 0.074-0.094 s in the kernel. From the end of the reading to the side
 * stages' join, alternating runs: 200 MB mean 0.200 -> 0.181 s (24 each; median 0.173 ->
 * 0.164 s), 1 GB mean 0.92 -> 0.86 s (8 each). (Measured to the end of the DFS only, in an
 * hour when huge pages came cheap, populating them first had looked slower: 0.131 against
 * 0.123 s, 20 runs each.) */
static void reserve_dominator_scratch(const lt_graph *g, unsigned index_bytes, lt_pool *pool)
{
    size_t per_node = ((size_t)g->node_count + 2) * sizeof(uint32_t);
    int kept = 0; /* blocks the pool keeps already serve first */
    for (int i = 0; i < pool->count; i++)
        kept += pool->bytes[i] >= per_node;
    lt_pool_reserve(pool, kept < 5 ? 5 - kept : 0, per_node);
    lt_pool_back(pool, (size_t)index_bytes * (g->node_count + 2));
    lt_pool_reserve(pool, 1, (size_t)g->node_count * sizeof(uint64_t));
}

/* The side stages on a second thread (on this one after the dominators, when no thread
 * can be started), and here the dominator tree, whose DFS classifies the retaining edges
 * as it walks (0.025-0.03 s sooner to the semidominators on the 200 MB file than a search
 * of the page's own nodes and the DFS one after the other). */
static int dominator_stage(lt_analysis *a, side_stages *side, lt_pool *pool, lt_error *err)
{
    unsigned index_bytes = lt_dominators_index_bytes(a->graph);
    reserve_dominator_scratch(a->graph, index_bytes, pool);
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, run_side_stages, side) == 0;
    lt_retention_rule rule; /* reads the names of the root's children (its seeds) */
    int rc = lt_retention_rule_init(a->graph, side->weakmaps, &rule, err);
    lt_dominator_work *work = NULL;
    open_names_gate(side); /* the dominators read no names */
    if (!rc)
        rc = lt_dominators_start_classifying(a->graph, &rule, index_bytes, pool, &work, &a->tree, err);
    lt_retention_rule_free(&rule);
    atomic_store(&side->samples_stop, 1);
    if (threaded) {
        pthread_join(thread, NULL);
    } else {
        run_side_stages(side);
    }
    lt_pool_take_all(pool, &side->pool);
    if (!rc && side->rc) {
        if (err)
            *err = side->err;
        lt_dominators_abandon(work);
        lt_dominator_tree_free(&a->tree);
        return side->rc;
    }
    return rc ? rc : lt_dominators_finish(work, a->graph->self_size, &a->tree, err);
}

/* The class aggregates on a second thread while every finding is looked for here: the
 * findings read the nodes' class names (lt_class_name: tables both sides only read),
 * never the aggregates (only the class scripts do, after the join), and otherwise only
 * read the analysis; each side writes its own list. The aggregates take the one per-node
 * block the pool keeps; the chains read the subtree heights the dominators left (in a
 * block of their scratch), so nothing here waits for the aggregates but the class
 * scripts. Only the aggregates use the pool until the join. */
typedef struct class_aggregation {
    lt_analysis *a;
    lt_pool *pool;
    lt_stage_times times; /* its figures */
    lt_error err;
    int rc;
} class_aggregation;

static void *run_class_aggregates(void *arg)
{
    class_aggregation *c = arg;
    stage_clock clock;
    stage_clock_start(&clock, RUSAGE_THREAD);
    c->rc = lt_classes_aggregate(c->a->graph, &c->a->classes, &c->a->tree, c->a->distance, c->pool, &c->err);
    stage_end(&clock, &c->times, LT_STAGE_CLASS_AGGREGATES);
    return NULL;
}

/* The findings, from the path samples of the side stages (taken over: freed here). */
static int findings_stage(lt_analysis *a, lt_cluster_scan *scan, lt_pool *pool, lt_stage_times *t, lt_error *err)
{
    lt_heap_view view = {.g = a->graph,
                         .tree = &a->tree,
                         .distance = a->distance,
                         .parent_edge = a->parent_edge,
                         .classes = &a->classes,
                         .total_size = a->total_self_size};
    class_aggregation classes = {.a = a, .pool = pool};
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, run_class_aggregates, &classes) == 0;
    lt_findings detached = {0}, chains = {0};
    int rc = lt_clusters_scan(&view, &scan, &a->clusters, &detached, err);
    if (!rc) /* needs no finding */
        rc = lt_tree_summary_build(&view, &a->summary, err);
    if (!rc)
        rc = lt_chains_find(&view, &chains, err);
    lt_dominator_tree_drop_heights(&a->tree, a->graph->keep); /* not in pool: the aggregates use it */
    int merged = lt_findings_move(&a->findings, &chains);
    merged |= lt_findings_move(&a->findings, &detached);
    if (!rc && merged)
        rc = lt_error_set(err, LT_ENOMEM, "out of memory collecting findings");
    if (!rc)
        rc = lt_clusters_report(&view, scan, &a->findings, err);
    lt_cluster_scan_free(scan);
    lt_findings_rank(&a->findings);
    if (threaded)
        pthread_join(thread, NULL);
    else
        run_class_aggregates(&classes);
    t->stage[LT_STAGE_CLASS_AGGREGATES] = classes.times.stage[LT_STAGE_CLASS_AGGREGATES];
    if (!rc && classes.rc && err)
        *err = classes.err;
    rc = rc ? rc : classes.rc;
    if (!rc && !(a->class_script = lt_class_scripts_find(a->graph, &a->classes, err)))
        rc = LT_ENOMEM;
    return rc;
}

int lt_analyze_graph(lt_graph *g, const lt_analysis_options *options, lt_analysis **out, lt_error *err)
{
    *out = NULL;
    lt_analysis *a = calloc(1, sizeof *a);
    if (!a) {
        lt_graph_free(g);
        return lt_error_set(err, LT_ENOMEM, "out of memory");
    }
    a->graph = g;
    lt_weakmap_names weakmaps = {0};
    lt_pool pool = {.keep = g->keep};
    lt_stage_times *t = &a->times;
    stage_clock clock;
    struct timespec start;
    stage_clock_start(&clock, RUSAGE_SELF);
    start = clock.wall;
    int rc = checkpoint(options, 0, "dominators", 0, err);
    if (!rc)
        rc = lt_dom_state_propagate(g, err);
    stage_end(&clock, t, LT_STAGE_DOM_STATE);
    side_stages side = {.a = a,
                        .weakmaps = &weakmaps,
                        .findings = !(options && options->skip_findings),
                        .pool = {.keep = g->keep},
                        .gate_lock = PTHREAD_MUTEX_INITIALIZER,
                        .gate = PTHREAD_COND_INITIALIZER};
    if (!rc)
        rc = lt_weakmap_names_build(g, &weakmaps, err);
    if (!rc)
        rc = dominator_stage(a, &side, &pool, err);
    stage_end(&clock, t, LT_STAGE_DOMINATORS);
    pthread_cond_destroy(&side.gate);
    pthread_mutex_destroy(&side.gate_lock);
    t->stage[LT_STAGE_SHALLOW_SIZES] = side.times.stage[LT_STAGE_SHALLOW_SIZES];
    t->stage[LT_STAGE_DISTANCES] = side.times.stage[LT_STAGE_DISTANCES];
    t->stage[LT_STAGE_CLASS_NAMES] = side.times.stage[LT_STAGE_CLASS_NAMES];
    t->stage[LT_STAGE_PATH_SAMPLES] = side.times.stage[LT_STAGE_PATH_SAMPLES];
    rc = checkpoint(options, rc, "dominators", 75, err);
    int findings = !(options && options->skip_findings);
    for (uint32_t v = 0; v < g->node_count; v++) /* the self sizes are final: the side stages are done */
        a->total_self_size += g->self_size[v];
    /* From here the pool serves one per-node block, the aggregates' node index; the blocks
     * the dominators left beyond it go now, before the findings allocate, and so do the
     * subtree heights when no chain search will read them. */
    if (!findings)
        lt_dominator_tree_drop_heights(&a->tree, g->keep);
    lt_pool_trim(&pool, 1, (size_t)g->node_count * sizeof(uint32_t));
    if (!rc && !findings) /* else beside the findings' cluster scan */
        rc = lt_classes_aggregate(g, &a->classes, &a->tree, a->distance, &pool, err);
    stage_end(&clock, t, LT_STAGE_CLASS_AGGREGATES);
    if (!rc && findings) {
        rc = checkpoint(options, rc, "findings", 0, err);
        if (!rc)
            rc = findings_stage(a, side.samples, &pool, t, err);
        side.samples = NULL;
    }
    lt_cluster_scan_free(side.samples); /* when no findings stage took them */
    stage_end(&clock, t, LT_STAGE_FINDINGS);
    t->total_after_reading = seconds_since(&start);
    lt_weakmap_names_free(&weakmaps);
    lt_pool_drain(&pool);
    if (rc) {
        lt_analysis_free(a);
        return rc;
    }
    progress(options, options && options->skip_findings ? "dominators" : "findings", 100);
    *out = a;
    return 0;
}

const lt_stage_times *lt_analysis_times(const lt_analysis *a)
{
    return &a->times;
}

/* Gives the per-node arrays back to the graph's keep (freed when it has none). */
static void give_back_arrays(lt_analysis *a)
{
    if (!a->graph)
        return;
    lt_keep *keep = a->graph->keep;
    size_t n = a->graph->node_count ? a->graph->node_count : 1;
    lt_keep_give(keep, a->tree.dominator, n * sizeof(uint32_t));
    lt_keep_give(keep, a->tree.retained, n * sizeof(uint32_t));
    lt_keep_give(keep, a->tree.first_dominated, (n + 1) * sizeof(uint32_t));
    lt_keep_give(keep, a->tree.dominated, n * sizeof(uint32_t));
    lt_keep_give(keep, a->distance, n * sizeof(int32_t));
    lt_keep_give(keep, a->parent_edge, n * sizeof(uint32_t));
    a->tree.dominator = a->tree.dominated = a->tree.first_dominated = NULL;
    a->tree.retained = NULL;
    a->distance = NULL;
    a->parent_edge = NULL;
}

void lt_analysis_free(lt_analysis *a)
{
    if (!a)
        return;
    give_back_arrays(a); /* the per-node arrays; what the frees below find is the rest */
    lt_graph_free(a->graph);
    lt_dominator_tree_free(&a->tree);
    lt_findings_free(&a->findings);
    json_decref(a->clusters);
    lt_tree_summary_free(&a->summary);
    free(a->class_script);
    json_decref(a->three_snapshots);
    lt_classes_free(&a->classes);
    free(a);
}
