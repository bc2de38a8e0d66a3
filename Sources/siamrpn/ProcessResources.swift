// The process's heap allocations (CAllocationCounter) and peak resident memory (getrusage).
import CAllocationCounter
import Foundation

enum ProcessResources {
    /// Heap allocations so far by any code of the process (malloc, calloc, realloc and the
    /// aligned variants, counted by interposing them in this executable), nil where they are
    /// not counted (not glibc).
    static var allocationCount: Int? {
        let n = siam_allocation_count()
        return n < 0 ? nil : Int(n)
    }

    /// The peak resident set size in MiB (`getrusage` `ru_maxrss`: KiB on Linux, bytes on macOS).
    static var peakResidentMiB: Double {
        var usage = rusage()
        #if os(macOS)
            getrusage(RUSAGE_SELF, &usage)
            return Double(usage.ru_maxrss) / 1_048_576
        #else
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            return Double(usage.ru_maxrss) / 1024
        #endif
    }
}
