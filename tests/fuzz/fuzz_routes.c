/* libFuzzer entry point for route and query parsing: the input's first line is a request
 * path, its other lines query parameter names. The path is matched against every route
 * of the service (api_routes.c) with lt_route_match as http.c does, each name checked
 * with lt_route_query_listed against the matching routes, and each capture and the
 * path itself checked with the app name rule (lt_upload_app_name_valid). Besides
 * crashes it checks what the matcher promises: a capture is never empty and never holds
 * '/', and a valid app name is 1 to LT_API_APP_NAME_MAX bytes of [A-Za-z0-9._-].
 * Build: cmake -DLT_FUZZ=ON -DCMAKE_C_COMPILER=clang; run build/tests/fuzz_routes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "route_match.h"
#include "upload.h"

static void check_app_name(const char *name)
{
    if (!lt_upload_app_name_valid(name))
        return;
    size_t n = strlen(name);
    if (n == 0 || n > LT_API_APP_NAME_MAX || strpbrk(name, "/ %?#\\"))
        abort();
}

/* Matches path against one route; checks the captures and each query name. */
static void try_route(const lt_http_route *route, const char *path, const char *names)
{
    char *captures[LT_HTTP_MAX_CAPTURES] = {0};
    if (!lt_route_match(route->pattern, path, captures, LT_HTTP_MAX_CAPTURES))
        return;
    for (size_t i = 0; i < LT_HTTP_MAX_CAPTURES && captures[i]; i++) {
        if (!captures[i][0] || strchr(captures[i], '/'))
            abort();
        check_app_name(captures[i]);
        free(captures[i]);
    }
    for (const char *s = names; *s;) {
        size_t len = strcspn(s, "\n");
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len < 255 ? len : 255), s);
        lt_route_query_listed(route->query, name);
        s += len + (s[len] == '\n');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t line = strcspn(text, "\n");
    const char *names = text + line + (text[line] == '\n');
    text[line] = '\0';
    check_app_name(text);
    for (size_t i = 0; i < lt_api_route_count; i++)
        try_route(&lt_api_routes[i], text, names);
    free(text);
    return 0;
}
