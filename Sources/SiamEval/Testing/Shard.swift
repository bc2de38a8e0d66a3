// The work split of `siamrpn test --shard`: Slurm job arrays (SLURM_ARRAY_TASK_*) and Kubernetes
// Indexed Jobs (JOB_COMPLETION_INDEX), as those schedulers document their environment
import Foundation

/// One part of a dataset's videos: part `index` (0-based) of `count`.
///
/// The split is deterministic and disjoint, and balanced by frame count: videos are taken longest
/// first (ties by name) and each goes to the part with the fewest frames so far (ties: the lower
/// part), so every process computes the same assignment from the dataset alone.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "shard \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// `--shard I/N` with I counted from 1 (`1/3`, `2/3`, `3/3`).
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
            throw DatasetError("--shard \(text): expected I/N with 1 <= I <= N (e.g. 2/4), or auto")
        }
        return Shard(index: i - 1, count: n)
    }

    /// `--shard auto`: a Slurm array task (`SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN`,
    /// divided by `SLURM_ARRAY_TASK_STEP`, of `SLURM_ARRAY_TASK_COUNT`) or a Kubernetes Indexed
    /// Job's `JOB_COMPLETION_INDEX` (0-based) of `shards` (`--shards N`, which Kubernetes does
    /// not pass in the environment). With Slurm, `shards`, when given, must agree.
    public static func fromEnvironment(_ env: [String: String], shards: Int?) throws -> Shard {
        func int(_ key: String) throws -> Int? {
            guard let text = env[key] else { return nil }
            guard let v = Int(text.trimmingCharacters(in: .whitespaces)) else { throw DatasetError("\(key)=\(text) is not a number") }
            return v
        }
        if let id = try int("SLURM_ARRAY_TASK_ID") {
            guard let count = try int("SLURM_ARRAY_TASK_COUNT") else {
                throw DatasetError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")
            }
            let minimum = try int("SLURM_ARRAY_TASK_MIN") ?? 0
            let step = max(1, try int("SLURM_ARRAY_TASK_STEP") ?? 1)
            let index = (id - minimum) / step
            if let shards, shards != count {
                throw DatasetError("--shards \(shards) but the Slurm array has \(count) tasks (SLURM_ARRAY_TASK_COUNT)")
            }
            guard count >= 1, (0..<count).contains(index), (id - minimum) % step == 0 else {
                throw DatasetError("Slurm array task \(id) (min \(minimum), step \(step)) is not one of its \(count) tasks")
            }
            return Shard(index: index, count: count)
        }
        if let index = try int("JOB_COMPLETION_INDEX") {
            guard let shards else { throw DatasetError("JOB_COMPLETION_INDEX is set: give --shards N (the Job's completions)") }
            guard shards >= 1, (0..<shards).contains(index) else {
                throw DatasetError("JOB_COMPLETION_INDEX=\(index) is not below --shards \(shards)")
            }
            return Shard(index: index, count: shards)
        }
        throw DatasetError(
            "--shard auto: neither a Slurm array task (SLURM_ARRAY_TASK_ID) nor a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) is in the environment"
        )
    }

    /// The videos of this part, in the dataset's (name) order.
    public func select(_ videos: [BenchmarkVideo]) -> [BenchmarkVideo] {
        select(videos, frames: { $0.frames.count }, name: \.name)
    }

    /// The items of this part (units of work weighed by `frames`, told apart by `name`), in their
    /// given order.
    public func select<T>(_ items: [T], frames: (T) -> Int, name: (T) -> String) -> [T] {
        let order = items.indices.sorted { a, b in
            let (fa, fb) = (frames(items[a]), frames(items[b]))
            return fa != fb ? fa > fb : name(items[a]).utf8.lexicographicallyPrecedes(name(items[b]).utf8)
        }
        var load = [Int](repeating: 0, count: count)
        var mine = Set<Int>()
        for i in order {
            let part = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            load[part] += frames(items[i])
            if part == index { mine.insert(i) }
        }
        return items.indices.filter(mine.contains).map { items[$0] }
    }

    /// `2/3` (1-based, as `--shard` takes it).
    public var description: String { "\(index + 1)/\(count)" }
}
