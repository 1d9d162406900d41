/* json_build: building a JSON document so that one failed allocation fails
 * the whole document. jansson's own calls leave a list short or a key out
 * when a value is NULL (out of memory) and carry on; these release the
 * container and set it to NULL instead, and json_pack's "o" turns a NULL
 * member into a NULL parent, so the caller sees NULL at the top and reports
 * LT_ENOMEM. Each takes a new reference to the value (NULL is fine) and does
 * nothing but release it when the container is already NULL. */
#ifndef LT_JSON_BUILD_H
#define LT_JSON_BUILD_H

#include <jansson.h>

/* Appends value to the array *list. */
static inline void lt_json_append(json_t **list, json_t *value)
{
    if (!*list) {
        json_decref(value);
    } else if (!value || json_array_append_new(*list, value)) {
        json_decref(*list);
        *list = NULL;
    }
}

/* Sets (*object)[key] to value. */
static inline void lt_json_set(json_t **object, const char *key, json_t *value)
{
    if (!*object) {
        json_decref(value);
    } else if (!value || json_object_set_new(*object, key, value)) {
        json_decref(*object);
        *object = NULL;
    }
}

#endif
