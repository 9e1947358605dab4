#ifndef SLUICE_HS_COMPILE_CHILD_H
#define SLUICE_HS_COMPILE_CHILD_H
#include <stddef.h>

/// Outcomes of sluice_hs_compile_bounded.
enum {
    SLUICE_HS_OK = 0,          ///< *out_bytes holds the serialized database (free() it).
    SLUICE_HS_REJECTED = 1,    ///< Hyperscan refused a pattern: *error_index (or -1) and error_message.
    SLUICE_HS_TIMEOUT = 2,     ///< The compile ran past timeout_ms and was killed.
    SLUICE_HS_DIED = 3,        ///< The compile process ended without an answer (signal in *error_index).
    SLUICE_HS_SYSTEM = 4,      ///< pipe/fork/read failed: errno in *error_index.
};

/// Compiles `count` expressions with hs_compile_multi in a forked child process whose address
/// space is capped at its current size plus `memory_bytes`, and which is killed after
/// `timeout_ms`; the child sends back the serialized database. The child runs only C and
/// Hyperscan code, never the Swift runtime, so it needs no exec.
int sluice_hs_compile_bounded(const char *const *expressions, const unsigned *flags, const unsigned *ids,
                              unsigned count, unsigned mode, unsigned timeout_ms, size_t memory_bytes,
                              char **out_bytes, size_t *out_length, int *error_index,
                              char *error_message, size_t error_capacity);

#endif
