/* libFuzzer entry point for the number scan (snapshot/number_scan.h): on any bytes, the
 * vector path (where the CPU has AVX2) must read exactly the numbers, values and ends the
 * group-by-group loop reads, and never read past the text. A difference aborts.
 * Build: cmake -DLT_FUZZ=ON -DCMAKE_C_COMPILER=clang; run build/tests/fuzz_number_scan. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/number_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so that ASan sees any read past the text */
    char *text = malloc(size ? size : 1);
    size_t max = size / 2 + 1;
    uint32_t *value[2] = {malloc(max * sizeof(uint32_t)), malloc(max * sizeof(uint32_t))};
    uint32_t *end[2] = {malloc(max * sizeof(uint32_t)), malloc(max * sizeof(uint32_t))};
    if (text && value[0] && value[1] && end[0] && end[1]) {
        memcpy(text, data, size);
        size_t fast = lt_scan_numbers(text, size, value[0], end[0], max, true);
        size_t careful = lt_scan_numbers(text, size, value[1], end[1], max, false);
        if (fast != careful || memcmp(value[0], value[1], fast * sizeof(uint32_t)) ||
            memcmp(end[0], end[1], fast * sizeof(uint32_t)))
            abort();
    }
    free(text);
    for (int i = 0; i < 2; i++) {
        free(value[i]);
        free(end[i]);
    }
    return 0;
}
