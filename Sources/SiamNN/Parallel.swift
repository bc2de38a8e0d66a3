import Dispatch
import Foundation

/// How many cores the engine uses: its own loops and OpenBLAS's sgemm threads.
///
/// A process-wide resource setting (like OpenBLAS's own thread count, which it also sets),
/// meant to be chosen once at start-up (`siamrpn demo --threads N`). It changes speed; results
/// differ at most by sgemm's float32 rounding for another blocking.
public enum ComputeThreads {
    private static let lock = NSLock()
    // nonisolated(unsafe): `current` is only read (`count`) and written (`set`) while holding
    // `lock`, so accesses from different threads never race. (Mutex from Synchronization would
    // say this to the compiler, but needs macOS 15; the package supports macOS 13.)
    nonisolated(unsafe) private static var current = ProcessInfo.processInfo.activeProcessorCount

    /// The number of threads in use (default: all active cores).
    public static var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// Uses `n` threads (at least 1) from now on.
    public static func set(_ n: Int) {
        let n = max(1, n)
        lock.lock()
        current = n
        lock.unlock()
        setBLASThreads(n)
    }
}

/// Splits `0..<count` into contiguous chunks run on `ComputeThreads.count` threads (Dispatch's
/// shared pool). `body(range)` must only write memory owned by its range. Small counts run inline.
@inline(__always)
func parallelChunks(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let workers = min(ComputeThreads.count, max(1, count / max(minChunk, 1)))
    if workers <= 1 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let chunk = ChunkBody(body)
        DispatchQueue.concurrentPerform(iterations: workers) { t in
            let lo = count * t / workers
            let hi = count * (t + 1) / workers
            if lo < hi { chunk.body(lo..<hi) }
        }
    }
}

/// `parallelChunks`'s body, handed to `DispatchQueue.concurrentPerform`'s `@Sendable` closure.
// @unchecked Sendable: the closure is called concurrently, but each call gets a disjoint range
// and, by `parallelChunks`'s contract, writes only memory owned by that range (reads of shared
// inputs are not mutated meanwhile); and the closure never outlives the call:
// `concurrentPerform` returns only after every iteration has finished, before
// `withoutActuallyEscaping` and `parallelChunks` return, so no reference to it (or to what it
// captures) escapes to another thread afterwards.
private struct ChunkBody: @unchecked Sendable {
    let body: (Range<Int>) -> Void
    init(_ body: @escaping (Range<Int>) -> Void) { self.body = body }
}
