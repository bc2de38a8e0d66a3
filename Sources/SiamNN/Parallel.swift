import Dispatch
import Foundation

/// Splits `0..<count` into contiguous chunks run on all cores (Dispatch's shared pool).
///
/// `body(range)` must only write memory owned by its range. Small counts run inline.
@inline(__always)
func parallelChunks(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, count / max(minChunk, 1)))
    if workers <= 1 {
        body(0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: workers) { t in
        let lo = count * t / workers
        let hi = count * (t + 1) / workers
        if lo < hi { body(lo..<hi) }
    }
}
