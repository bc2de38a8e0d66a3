// Mirrors torch.utils.data.DataLoader(TrkDataset, batch_size, sampler=None) as pysot's tools/train.py builds it:
// consecutive items per batch, prepared on background threads while the caller trains
import Foundation

/// A batch from the loader: `items.count` consecutive dataset items, stacked NCHW as the model
/// takes them (the trainer turns it into the model's `TrainingBatch`).
package struct DatasetBatch: Sendable {
    /// The first item's index in the dataset.
    package var start: Int
    package var items: [TrainingItem]
    /// The generator after this batch's last item: a run resumed from here continues the stream.
    package var randomAfter: NumPyRandomState

    /// `[B, 3, E, E]` templates, float32.
    package var template: [Float] { items.flatMap(\.template) }
    /// `[B, 3, S, S]` searches.
    package var search: [Float] { items.flatMap(\.search) }
    /// `[B, A, O, O]` (anchor) or `[B, O, O]` (point) labels: 1, 0, -1.
    package var labelCls: [Int] { items.flatMap(\.plan.labelCls) }
    /// `[B, 4, A, O, O]` / `[B, 4, O, O]`.
    package var labelLoc: [Float] { items.flatMap(\.plan.labelLoc) }
    /// `[B, A, O, O]` (anchor heads only; empty otherwise).
    package var labelLocWeight: [Float] { items.flatMap { $0.plan.labelLocWeight ?? [] } }
}

/// Prepares batches `start / batchSize, ...` of a `TrackingDataset` ahead of the caller.
///
/// Determinism rule: one producer thread PLANS every item in index order from the single
/// `NumPyRandomState` (all of an item's draws — pair, gray, negative, both augmentations, the label
/// subsampling — depend only on the stream and on geometry: train.json boxes and the crops' header
/// sizes), then `threads` threads RENDER the batch's planned items (decode, warp, colour, blur,
/// flip), which draws nothing. So the batches for a seed are the same for every thread count, and
/// equal to pysot's with `NUM_WORKERS` 0 (its process draws items in order from numpy's global
/// state; checked against pysot's trainer, Tests/Fixtures/README.md section 34). With workers,
/// PyTorch's `DataLoader` (1.9 and later) seeds numpy in each worker from torch's own generator
/// (`base_seed + worker_id`), so pysot's items then come from streams this does not reproduce.
///
/// Two ways to run: **ahead** (`renderAhead`), a producer thread plans and renders while the
/// caller trains, and at most `prefetch` batches wait ready; **on demand**, `next()` plans and
/// renders the batch on the calling thread's turn, its `threads` threads then having the cores to
/// themselves. On demand is for when the caller's own threads already fill every core: a
/// background renderer would then preempt one of the step's threads, and a step whose threads
/// meet at barriers waits for the slowest (on 2 cores, 2 step threads + a renderer: up to twice
/// the render's cost). Either way `next()` returns the same batches. The last batch may be
/// shorter (`drop_last=False`).
package final class BatchLoader: Sendable {
    private let queue: BatchQueue?
    private let onDemand: OnDemandStream?

    /// - Parameters:
    ///   - startIndex: the first item (a resumed run: `batches done * batchSize`), with `random` the
    ///     generator as it was after the item before it (`DatasetBatch.randomAfter`).
    package init(
        dataset: TrackingDataset, batchSize: Int, startIndex: Int = 0, random: NumPyRandomState, threads: Int, prefetch: Int = 2,
        renderAhead: Bool = true
    ) {
        precondition(batchSize >= 1 && threads >= 1 && prefetch >= 1)
        guard renderAhead else {
            queue = nil
            onDemand = OnDemandStream(dataset: dataset, batchSize: batchSize, threads: threads, start: startIndex, random: random)
            return
        }
        onDemand = nil
        let queue = BatchQueue(prefetch: prefetch)
        self.queue = queue
        let thread = Thread {
            BatchLoader.produce(dataset, batchSize: batchSize, threads: threads, from: startIndex, random: random, into: queue)
        }
        thread.name = "BatchLoader"
        thread.start()
    }

    /// Dropping the loader stops its producer (after the batch it is rendering).
    deinit { queue?.stop() }

    /// The next batch, or nil after the last. A failure to read or render an item is thrown once,
    /// and ends the loader.
    package func next() throws -> DatasetBatch? {
        if let onDemand { return try onDemand.next() }
        return try queue!.take()
    }

    /// Stops preparing batches (the one being rendered completes).
    package func stop() {
        queue?.stop()
        onDemand?.stop()
    }

    private static func produce(
        _ dataset: TrackingDataset, batchSize: Int, threads: Int, from startIndex: Int, random: NumPyRandomState, into queue: BatchQueue
    ) {
        var random = random
        var start = startIndex
        while start < dataset.count, queue.waitForRoom() {
            let result: Result<DatasetBatch, Error>
            do {
                result = .success(try batch(dataset, batchSize: batchSize, threads: threads, from: start, random: &random))
            } catch {
                result = .failure(error)
            }
            queue.put(result)
            start += batchSize
        }
        queue.finish()
    }

    /// Plans the batch of items `start..<start + batchSize` (in order, from `random`), then renders it.
    fileprivate static func batch(
        _ dataset: TrackingDataset, batchSize: Int, threads: Int, from start: Int, random: inout NumPyRandomState
    ) throws -> DatasetBatch {
        let end = min(start + batchSize, dataset.count)
        var plans: [ItemPlan] = []
        for i in start..<end { plans.append(try dataset.plan(i, random: &random)) }
        return DatasetBatch(start: start, items: try render(plans, dataset, threads), randomAfter: random)
    }

    /// Renders the plans on `threads` threads (thread k takes items k, k + threads, ...).
    private static func render(_ plans: [ItemPlan], _ dataset: TrackingDataset, _ threads: Int) throws -> [TrainingItem] {
        let results = RenderSlots(count: plans.count)
        let workers = min(threads, plans.count)
        DispatchQueue.concurrentPerform(iterations: workers) { k in
            for j in stride(from: k, to: plans.count, by: workers) {
                results.set(j, Result { try dataset.render(plans[j]) })
            }
        }
        return try results.values()
    }
}

/// The on-demand loader's position in the stream (lock-protected: `next()` may come from any thread).
private final class OnDemandStream: @unchecked Sendable {
    private let lock = NSLock()
    private let dataset: TrackingDataset
    private let batchSize: Int, threads: Int
    private var start: Int
    private var random: NumPyRandomState
    private var ended = false

    init(dataset: TrackingDataset, batchSize: Int, threads: Int, start: Int, random: NumPyRandomState) {
        (self.dataset, self.batchSize, self.threads, self.start, self.random) = (dataset, batchSize, threads, start, random)
    }

    func next() throws -> DatasetBatch? {
        lock.lock()
        defer { lock.unlock() }
        guard !ended, start < dataset.count else { return nil }
        do {
            let batch = try BatchLoader.batch(dataset, batchSize: batchSize, threads: threads, from: start, random: &random)
            start += batchSize
            return batch
        } catch {
            ended = true
            throw error
        }
    }

    func stop() {
        lock.lock()
        ended = true
        lock.unlock()
    }
}

/// The ready batches between the producer thread and the caller (lock-protected).
private final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let prefetch: Int
    private var ready: [Result<DatasetBatch, Error>] = []
    private var finished = false
    private var stopped = false

    init(prefetch: Int) { self.prefetch = prefetch }

    /// Blocks while `prefetch` batches wait; false once stopped.
    func waitForRoom() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= prefetch && !stopped { condition.wait() }
        return !stopped
    }

    func put(_ result: Result<DatasetBatch, Error>) {
        condition.lock()
        ready.append(result)
        if case .failure = result { stopped = true }
        condition.broadcast()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    func take() throws -> DatasetBatch? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !finished { condition.wait() }
        if ready.isEmpty { return nil }
        let result = ready.removeFirst()
        condition.broadcast()
        return try result.get()
    }
}

/// One result per item, written by the rendering threads (each slot by one thread).
private final class RenderSlots: @unchecked Sendable {
    private var slots: [Result<TrainingItem, Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<TrainingItem, Error>) {
        lock.lock()
        slots[i] = r
        lock.unlock()
    }

    func values() throws -> [TrainingItem] {
        try slots.map { slot in
            guard let slot else { throw TrainingDataError("an item of the batch was not rendered") }
            return try slot.get()
        }
    }
}
