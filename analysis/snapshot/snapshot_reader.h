/* snapshot_reader: a push parser for V8 heap snapshots (.heapsnapshot JSON).
 *
 * Bytes go in, in pieces of any size (split anywhere); a graph comes out. It
 * does no I/O and no decompression. The field layout is taken from
 * snapshot.meta (node 20 has 7 node fields, Chromium 6; the type lists
 * differ). Every count, index and type is checked; bad input gives
 * LT_EINPUT (or LT_ELIMIT) with a message that names the byte offset and the
 * JSON path, e.g. "edges[301]: to_node 12 is not a multiple of the node field
 * count 7 (byte 4711)". */
#ifndef LT_SNAPSHOT_READER_H
#define LT_SNAPSHOT_READER_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot/graph.h"
#include "lt_error.h"

typedef struct lt_reader lt_reader;

/* Returns a new reader, or NULL with err set (LT_ENOMEM). Free with lt_reader_free. */
lt_reader *lt_reader_new(lt_error *err);

/* Sets the memory budget of the analysis to come (0: none, the default):
 * from the header's counts, before the graph is allocated, and as strings
 * are read, a snapshot whose analysis would need more fails with LT_ELIMIT
 * ("the analysis needs about N GB of memory ..., the limit is M GB"). */
void lt_reader_set_budget(lt_reader *r, uint64_t bytes);

/* Takes the graph's big arrays from keep (NULL, the default: fresh memory); the graph
 * gives them back there when freed. keep must outlive the graph. */
void lt_reader_set_keep(lt_reader *r, lt_keep *keep);

/* Parses the next len bytes. Returns 0, or a negative LT_E* code with err
 * set; after an error the reader only accepts lt_reader_free. */
int lt_reader_feed(lt_reader *r, const char *buf, size_t len, lt_error *err);

/* Ends the input: checks it was complete and consistent and hands the graph to
 * *out (the caller owns it then, see lt_graph_free). Returns 0 or a negative
 * LT_E* code with err set (e.g. truncated input, counts that disagree, strings
 * out of range). */
int lt_reader_finish(lt_reader *r, lt_graph **out, lt_error *err);

/* Bytes consumed so far (for progress reports). */
uint64_t lt_reader_offset(const lt_reader *r);

/* Frees the reader and a graph it still owns. NULL is fine. */
void lt_reader_free(lt_reader *r);

#endif
