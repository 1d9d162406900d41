/* route_match: path patterns and query parameter lists. See route_match.h. */
#include "route_match.h"

#include <stdlib.h>
#include <string.h>

int lt_route_match(const char *pattern, const char *path, char **captures, size_t max)
{
    size_t n = 0;
    while (*pattern && *path) {
        const char *close = pattern[0] == '{' ? strchr(pattern, '}') : NULL;
        if (close) {
            size_t len = strcspn(path, "/");
            if (len == 0 || n >= max)
                break;
            captures[n] = strndup(path, len);
            if (!captures[n])
                break;
            n++;
            path += len;
            pattern = close + 1;
        } else if (*pattern++ != *path++) {
            break;
        }
    }
    if (!*pattern && !*path)
        return 1;
    for (size_t i = 0; i < n; i++) {
        free(captures[i]);
        captures[i] = NULL;
    }
    return 0;
}

int lt_route_query_listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *s = list; s && *s;) {
        size_t len = strcspn(s, ",");
        if (len == n && !strncmp(s, name, n))
            return 1;
        s += len + (s[len] == ',');
    }
    return 0;
}
