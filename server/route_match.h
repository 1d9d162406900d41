/* route_match: the pure parts of request routing, apart from libmicrohttpd so the fuzz
 * targets (tests/fuzz/fuzz_routes.c, fuzz_upload.c) reach them without a socket.
 * http.c matches each request's path against the route patterns with lt_route_match and
 * checks every query parameter name with lt_route_query_listed. Neither allocates
 * anything but the captures; neither fails except for lack of memory (no match). */
#ifndef LT_ROUTE_MATCH_H
#define LT_ROUTE_MATCH_H

#include <stddef.h>

/* Matches path against pattern, where `{}` or `{name}` (the name says what it is, as in
 * the OpenAPI document and the metrics' route labels) matches one non-empty segment (no '/'); at
 * most max captures. On a match fills captures[0..] (malloc'ed, the caller frees them)
 * and returns 1; otherwise (or out of memory) leaves captures NULL and returns 0. */
int lt_route_match(const char *pattern, const char *path, char **captures, size_t max);

/* 1 when name is one of the comma-separated names in list (NULL: no names), else 0. */
int lt_route_query_listed(const char *list, const char *name);

#endif
