// Counts heap allocations by interposing the allocator symbols in the benchmark binary.
// glibc exports its real allocator as __libc_*, so no dlsym bootstrap is needed (dlsym
// itself allocates, which makes the usual RTLD_NEXT approach recursive).
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "CAllocCounter.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static uint64_t alloc_count;
static uint64_t alloc_bytes;

static inline void note(size_t n) {
    __atomic_fetch_add(&alloc_count, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&alloc_bytes, n, __ATOMIC_RELAXED);
}

uint64_t sluice_alloc_count(void) { return __atomic_load_n(&alloc_count, __ATOMIC_RELAXED); }
uint64_t sluice_alloc_bytes(void) { return __atomic_load_n(&alloc_bytes, __ATOMIC_RELAXED); }

void *malloc(size_t n) { note(n); return __libc_malloc(n); }
void *calloc(size_t c, size_t n) { note(c * n); return __libc_calloc(c, n); }
void *realloc(void *p, size_t n) { note(n); return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t a, size_t n) { note(n); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { note(n); return __libc_memalign(a, n); }

int posix_memalign(void **out, size_t a, size_t n) {
    note(n);
    void *p = __libc_memalign(a, n);
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}
