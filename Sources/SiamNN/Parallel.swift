import Foundation

/// How many cores the engine uses: its own loops and its GEMMs (split by `sgemm` over
/// `parallelChunks`; the BLAS itself always runs one thread per call).
///
/// A process-wide resource setting (like a BLAS's own thread count), meant to be chosen once at start-up (`siamrpn demo --threads N`). It changes speed; results
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
    }
}

/// Work that `parallelChunks` splits: `run(range)` handles the indices in `range` and writes only
/// memory owned by them (reads of shared inputs are not mutated meanwhile).
///
/// A struct holding the pointers and sizes the work needs, rather than a closure: handing a
/// capturing closure to other threads needs an escaping copy of its context, one heap
/// allocation per call, where a struct stays on the caller's stack.
protocol ChunkedWork {
    func run(_ range: Range<Int>)
}

extension ChunkedWork {
    /// Runs the work stored at `pointer` (a `Self`) on `range`: how a worker thread, which knows
    /// the work only by its type and address, calls it.
    static func run(at pointer: UnsafeRawPointer, _ range: Range<Int>) {
        pointer.assumingMemoryBound(to: Self.self).pointee.run(range)
    }
}

/// Splits `0..<count` into contiguous chunks run on `ComputeThreads.count` threads: the calling
/// thread runs the first chunk, `ChunkWorkers`' persistent threads the others. Small counts run
/// inline, and so does a call made while the workers are busy with another (a nested or
/// concurrent call). Allocates nothing once the workers exist.
@inline(__always)
func parallelChunks<Work: ChunkedWork>(_ count: Int, minChunk: Int = 1, _ work: Work) {
    let workers = min(ComputeThreads.count, max(1, count / max(minChunk, 1)))
    if workers <= 1 {
        work.run(0..<count)
        return
    }
    withUnsafePointer(to: work) { pointer in
        ChunkWorkers.shared.run(UnsafeRawPointer(pointer), of: Work.self, count: count, chunks: workers)
    }
}

/// `parallelChunks` with a closure: the same split, at the cost of one small heap allocation per
/// call with more than one thread (the escaping copy of the closure's context the workers call).
/// For loops where that does not matter (training's per-batch passes); the inference kernels
/// use `ChunkedWork` so that a tracking step allocates nothing.
func parallelChunks(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let workers = min(ComputeThreads.count, max(1, count / max(minChunk, 1)))
    if workers <= 1 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        parallelChunks(count, minChunk: minChunk, ClosureChunks(body: body))
    }
}

/// A closure as `ChunkedWork`: the workers call it only while `parallelChunks` waits for them,
/// so it never outlives `withoutActuallyEscaping`.
private struct ClosureChunks: ChunkedWork {
    let body: (Range<Int>) -> Void
    func run(_ range: Range<Int>) { body(range) }
}

/// The chunk size below which splitting `count` items of `workPerItem` elementary operations
/// each costs more than it saves: handing a chunk to a parked thread and waiting for it takes
/// tens of microseconds, so a thread's share should be at least ~2^18 operations (a NanoTrack
/// layer on 16x16 maps is not worth splitting; a ResNet-50 layer is).
@inline(__always)
func minimumChunk(workPerItem: Int, atLeast minimum: Int = 1) -> Int {
    max(minimum, (1 << 18) / max(workPerItem, 1))
}

/// The engine's worker threads: created on first need (one fewer than the chunks asked for, so
/// at most `ComputeThreads.count - 1`), then parked on a condition variable between jobs.
///
/// Dispatch's `concurrentPerform` allocated a few hundred times per tracking step (its work
/// items and the closures' escaping contexts); handing a parked thread the address and type of
/// a `ChunkedWork` allocates nothing, which keeps a step allocation-free at 2 threads
/// (`siamrpn bench`'s allocation count).
final class ChunkWorkers: @unchecked Sendable {
    // @unchecked Sendable: every stored property below is read and written only while holding
    // `condition`'s lock.
    static let shared = ChunkWorkers()

    private let condition = NSCondition()
    private var threads = 0
    private var busy = false
    /// The work of the current job: its address (on the caller's stack) and type.
    private var job: UnsafeRawPointer?
    private var jobType: (any ChunkedWork.Type)?
    private var count = 0
    private var chunks = 0
    /// The next chunk index to hand out (the caller runs chunk 0).
    private var next = 0
    /// Chunks handed to workers that have not finished.
    private var remaining = 0

    private init() {}

    /// Runs `chunks` chunks of the `type` stored at `work`, chunk 0 on the calling thread;
    /// returns when all have finished.
    func run(_ work: UnsafeRawPointer, of type: any ChunkedWork.Type, count: Int, chunks: Int) {
        condition.lock()
        if busy {
            condition.unlock()
            type.run(at: work, 0..<count)
            return
        }
        busy = true
        while threads < chunks - 1 {
            threads += 1
            let thread = Thread { [self] in workerLoop() }
            thread.name = "siamrpn-compute-\(threads)"
            thread.start()
        }
        job = work
        jobType = type
        self.count = count
        self.chunks = chunks
        next = 1
        remaining = chunks - 1
        condition.broadcast()
        condition.unlock()

        type.run(at: work, 0..<count / chunks)

        condition.lock()
        while remaining > 0 { condition.wait() }
        job = nil
        jobType = nil
        busy = false
        condition.unlock()
    }

    private func workerLoop() {
        condition.lock()
        while true {
            while job == nil || next >= chunks { condition.wait() }
            let t = next
            next += 1
            let work = job!
            let type = jobType!
            let lo = count * t / chunks
            let hi = count * (t + 1) / chunks
            condition.unlock()
            if lo < hi { type.run(at: work, lo..<hi) }
            condition.lock()
            remaining -= 1
            if remaining == 0 { condition.broadcast() }
        }
    }
}
