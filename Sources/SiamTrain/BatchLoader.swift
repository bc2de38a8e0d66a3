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
/// At most `prefetch` batches wait ready; `next()` blocks until the next one is. The last batch
/// may be shorter (`drop_last=False`).
package final class BatchLoader: Sendable {
    private let queue: BatchQueue

    /// - Parameters:
    ///   - startIndex: the first item (a resumed run: `batches done * batchSize`), with `random` the
    ///     generator as it was after the item before it (`DatasetBatch.randomAfter`).
    package init(dataset: TrackingDataset, batchSize: Int, startIndex: Int = 0, random: NumPyRandomState, threads: Int, prefetch: Int = 2) {
        precondition(batchSize >= 1 && threads >= 1 && prefetch >= 1)
        let queue = BatchQueue(prefetch: prefetch)
        self.queue = queue
        let thread = Thread {
            BatchLoader.produce(dataset, batchSize: batchSize, threads: threads, from: startIndex, random: random, into: queue)
        }
        thread.name = "BatchLoader"
        thread.start()
    }

    /// Dropping the loader stops its producer (after the batch it is rendering).
    deinit { queue.stop() }

    /// The next batch, or nil after the last. A failure to read or render an item is thrown once,
    /// and ends the loader.
    package func next() throws -> DatasetBatch? { try queue.take() }

    /// Stops preparing batches (the one being rendered completes).
    package func stop() { queue.stop() }

    private static func produce(
        _ dataset: TrackingDataset, batchSize: Int, threads: Int, from startIndex: Int, random: NumPyRandomState, into queue: BatchQueue
    ) {
        var random = random
        var start = startIndex
        while start < dataset.count, queue.waitForRoom() {
            let result: Result<DatasetBatch, Error>
            do {
                let end = min(start + batchSize, dataset.count)
                var plans: [ItemPlan] = []
                for i in start..<end { plans.append(try dataset.plan(i, random: &random)) }
                result = .success(DatasetBatch(start: start, items: try render(plans, dataset, threads), randomAfter: random))
            } catch {
                result = .failure(error)
            }
            queue.put(result)
            start += batchSize
        }
        queue.finish()
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
