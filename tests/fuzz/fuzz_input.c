/* libFuzzer entry point for the input layer (analysis/input): any bytes, as a file, must
 * be streamed (plain, gzip through ISA-L, zstd/xz/bzip2, zip/tar through libarchive) or
 * refused with an LT_E* code, never crash; listing the archive's snapshots likewise.
 * The bytes go to a memfd read through /proc/self/fd/N (a regular file, no disk).
 * Build: cmake -DLT_FUZZ=ON -DCMAKE_C_COMPILER=clang; run build/tests/fuzz_input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input/archive_input.h"

#define MAX_OUT (64u << 20) /* stop a decompression bomb after this many bytes */

static int count_sink(void *ctx, const char *buf, size_t len, lt_error *err)
{
    (void)buf;
    uint64_t *total = ctx;
    *total += len;
    return *total > MAX_OUT ? lt_error_set(err, LT_EINPUT, "fuzz: output cap") : 0;
}

/* Writes the input to a fresh memfd; returns its fd or -1. */
static int memfd_with(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_input", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    for (size_t at = 0; at < size;) {
        ssize_t n = write(fd, data + at, size - at);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        at += (size_t)n;
    }
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_with(data, size);
    if (fd < 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    lt_error err;
    uint64_t total = 0;
    lt_input_info info;
    lt_input_stream(path, count_sink, NULL, &total, &info, &err);
    char names[4][LT_INPUT_ENTRY_MAX];
    uint32_t count = 0;
    lt_input_list_snapshots(path, names, 4, &count, &err);
    close(fd);
    return 0;
}
