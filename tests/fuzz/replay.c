/* replay.c: a harness's main without libFuzzer, for the 32-bit run.
 *
 * `make test-fuzz32` links each harness (tests/fuzz/fuzz_*.c) with this
 * file for wasm, where size_t has 32 bits and a declared size can wrap, and
 * runs it under node on the harness's corpus: every file of every folder
 * given, each through LLVMFuzzerTestOneInput, as libFuzzer would, then
 * -runs=N mutants of them in all (bits flipped, bytes and 32-bit fields set
 * to values where sizes wrap: 2^31, 2^32 - 1, 2^16, 2^18...; half of them
 * with the CRC fixed, fuzz.h), from a fixed seed. This machine runs no i386
 * programs, so wasm is the 32-bit build. A failed property aborts (fuzz.h);
 * a harness that read no file fails. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The inputs read, kept for the mutants. */
static uint8_t **inputs;
static size_t *input_len;
static int n_inputs;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t next_u32(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* One mutant of input k: 1..4 changes; the options byte's CRC bit set half the time. */
static void mutant(int k) {
    static const uint32_t wraps[] = {0,          1,          2,          255,         256,        1024,
                                     65535,      65536,      65537,      262144,      1u << 24,   0x3fffffffu,
                                     0x40000000u, 0x7fffffffu, 0x80000000u, 0xfffffff0u, 0xffffffffu, 16384};
    size_t len = input_len[k];
    if (len < 2) return;
    uint8_t *m = malloc(len);
    if (!m) abort();
    memcpy(m, inputs[k], len);
    int changes = 1 + (int)(next_u32() % 4);
    for (int c = 0; c < changes; c++) {
        size_t at = 1 + next_u32() % (len - 1);
        switch (next_u32() % 3) {
        case 0: m[at] ^= (uint8_t)(1u << (next_u32() % 8)); break;
        case 1: m[at] = (uint8_t)next_u32(); break;
        default: {
            at = 1 + (at - 1) / 4 * 4; /* the file's u32 fields are 4-aligned after the options byte */
            uint32_t v = wraps[next_u32() % (sizeof wraps / sizeof wraps[0])];
            for (int b = 0; b < 4 && at + b < len; b++) m[at + b] = (uint8_t)(v >> (8 * b));
        }
        }
    }
    m[0] = (uint8_t)((m[0] & ~1u) | (next_u32() & 1));
    LLVMFuzzerTestOneInput(m, len);
    free(m);
}

static int replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    uint8_t *data = NULL;
    size_t len = 0, cap = 0, got;
    uint8_t chunk[65536];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got > cap) {
            cap = 2 * (len + got);
            uint8_t *p = realloc(data, cap);
            if (!p) abort();
            data = p;
        }
        memcpy(data + len, chunk, got);
        len += got;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data ? data : chunk, len);
    uint8_t **in = realloc(inputs, sizeof *in * (size_t)(n_inputs + 1));
    size_t *in_len = realloc(input_len, sizeof *in_len * (size_t)(n_inputs + 1));
    if (!in || !in_len) abort();
    inputs = in;
    input_len = in_len;
    inputs[n_inputs] = data;
    input_len[n_inputs++] = len;
    return 1;
}

int main(int argc, char **argv) {
    int files = 0, runs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (!strncmp(argv[i], "-runs=", 6)) {
            runs = atoi(argv[i] + 6);
            continue;
        }
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such file or folder: %s\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            files += replay_file(argv[i]);
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) files += replay_file(path);
        }
        if (d) closedir(d);
    }
    for (int r = 0; r < runs && n_inputs > 0; r++) mutant(r % n_inputs);
    printf("replayed %d inputs and %d mutants with a %d-bit size_t\n", files, n_inputs > 0 ? runs : 0,
           (int)(8 * sizeof(size_t)));
    for (int k = 0; k < n_inputs; k++) free(inputs[k]);
    free(inputs);
    free(input_len);
    return files > 0 ? 0 : 1;
}
