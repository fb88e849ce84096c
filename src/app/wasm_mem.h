/* wasm_mem.h: whether what the page passes lies inside the engine's memory.
 *
 * A pointer into the wasm memory is a number the caller chose: one past the
 * end of the memory traps when it is read or written (the page then loses
 * the engine). Every call checks each pointer it is given (a session, a
 * buffer with its length, a string up to its NUL) against the memory's size
 * now, and refuses one that does not fit. What lies inside the memory but is
 * not the caller's cannot be told apart here: that is the caller's promise. */
#ifndef GP_WASM_MEM_H
#define GP_WASM_MEM_H

#include <stdint.h>
#include <string.h>

/* The memory's size in bytes now (it grows; 4 GiB at most, hence 64 bits). */
static inline uint64_t gpw_memory_bytes(void) { return (uint64_t)__builtin_wasm_memory_size(0) * 65536u; }

/* Whether len bytes at p lie inside the memory: p not NULL, p + len not
 * past its end (computed without wrapping). */
static inline int gpw_in_memory(const void *p, uint64_t len) {
    uint64_t at = (uint64_t)(uintptr_t)p, size = gpw_memory_bytes();
    return p && at <= size && len <= size - at;
}

/* Whether a string starts at p and its NUL lies inside the memory. */
static inline int gpw_string_in_memory(const char *p) {
    uint64_t at = (uint64_t)(uintptr_t)p, size = gpw_memory_bytes();
    return p && at < size && memchr(p, 0, (size_t)(size - at)) != NULL;
}

#endif
