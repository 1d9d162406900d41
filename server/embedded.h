/* embedded: files built into the binary at build time (cmake/embed_static.cmake writes a
 * C file of their bytes): the pages (static_files.h) and the migrations (migrate.h).
 * The tables are constant data: nothing to free, nothing fails. */
#ifndef LT_EMBEDDED_H
#define LT_EMBEDDED_H

#include <stddef.h>

typedef struct lt_embedded_file {
    const char *name;          /* "main.js", "0001_init.sql" */
    const unsigned char *data; /* size bytes and a NUL, so a text file is a C string */
    size_t size;
} lt_embedded_file;

/* Declares a generated table `symbol` of files sorted by name, and `symbol_count`. */
#define LT_EMBEDDED_TABLE(symbol)                                                                                      \
    extern const lt_embedded_file symbol[];                                                                            \
    extern const size_t symbol##_count

#endif
