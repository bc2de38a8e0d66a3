// Counts heap allocations by interposing glibc's allocation entry points in the executable:
// the dynamic linker resolves every library's malloc (Swift runtime, Foundation, OpenBLAS) to the
// executable's definition first (ELF symbol interposition), which counts and forwards to glibc's
// own implementation (`__libc_malloc` and friends, exported by glibc for this purpose). No
// LD_PRELOAD, no hooks (glibc removed `__malloc_hook` in 2.34). Linked into `siamrpn` only, never
// into the libraries. Elsewhere (macOS, musl) nothing is interposed and the count is -1.
#include "allocation_counter.h"

#include <errno.h>  // defines __GLIBC__ on glibc
#include <stddef.h>

#if defined(__linux__) && defined(__GLIBC__)

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static long long count;

static inline void counted(void) { __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED); }

long long siam_allocation_count(void) { return __atomic_load_n(&count, __ATOMIC_RELAXED); }

void *malloc(size_t n) {
    counted();
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size) {
    counted();
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n) {
    counted();
    return __libc_realloc(p, n);
}

void free(void *p) { __libc_free(p); }

void *memalign(size_t alignment, size_t n) {
    counted();
    return __libc_memalign(alignment, n);
}

void *aligned_alloc(size_t alignment, size_t n) {
    counted();
    return __libc_memalign(alignment, n);
}

int posix_memalign(void **out, size_t alignment, size_t n) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    counted();
    void *p = __libc_memalign(alignment, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
#else
long long siam_allocation_count(void) { return -1; }
#endif
