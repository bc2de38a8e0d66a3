// Counts the process's heap allocations (siamrpn bench: allocations per tracking step).
#ifndef SIAM_ALLOCATION_COUNTER_H
#define SIAM_ALLOCATION_COUNTER_H

/// Heap allocations so far in this process (malloc, calloc, realloc, posix_memalign,
/// aligned_alloc, memalign calls by any code, any thread), or -1 where they are not counted.
long long siam_allocation_count(void);

#endif
