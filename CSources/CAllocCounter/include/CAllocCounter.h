#ifndef SLUICE_ALLOC_COUNTER_H
#define SLUICE_ALLOC_COUNTER_H
#include <stdint.h>

/// Number of heap allocations (malloc, calloc, realloc, memalign family) made by the whole
/// process since it started. Linked only into benchmarks: it replaces the allocator entry
/// points so that the count covers Swift's runtime and every library, not just our code.
uint64_t sluice_alloc_count(void);

/// Bytes requested by those allocations.
uint64_t sluice_alloc_bytes(void);

#endif
