/* fuzz.h: what the libFuzzer harnesses share.
 *
 * Every harness reads its first input byte as options: bit 0 set means
 * "recompute the trailing CRC-32 of the file", so that mutations get past
 * the checksum and reach the parser. After a successful load a harness uses
 * what it loaded (save, reload, sample, one training step); a property that
 * fails aborts, which libFuzzer reports as a finding. */
#ifndef GP_FUZZ_H
#define GP_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/modelfile.h"

/* The input after the options byte, copied (the parser may not keep
 * pointers into libFuzzer's buffer); its CRC fixed if asked. */
static uint8_t *fuzz_file(const uint8_t *data, size_t size, size_t *len) {
    if (size < 1) return NULL;
    *len = size - 1;
    uint8_t *copy = malloc(*len ? *len : 1);
    if (!copy) abort();
    memcpy(copy, data + 1, *len);
    if ((data[0] & 1) && *len >= 8) {
        uint32_t crc = gp_crc32(copy, *len - 4);
        for (int b = 0; b < 4; b++) copy[*len - 4 + b] = (uint8_t)(crc >> (8 * b));
    }
    return copy;
}

#define FUZZ_REQUIRE(cond)                                                             \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                   \
        }                                                                              \
    } while (0)

#endif
