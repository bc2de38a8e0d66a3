import Foundation
import SiamEval
import Testing

/// `--shard I/N` and `--shard auto`: a deterministic, disjoint, frame-balanced split, and the
/// schedulers' environments (Slurm job arrays, Kubernetes Indexed Jobs).
struct ShardTests {
    static func videos(_ lengths: [Int]) -> [BenchmarkVideo] {
        lengths.enumerated().map { i, n in
            BenchmarkVideo(
                name: String(format: "v%02d", i), directory: "", frames: (0..<n).map { URL(fileURLWithPath: "/f\($0).jpg") },
                groundTruth: [[1, 1, 2, 2]])
        }
    }

    @Test func shardsAreDisjointCoverEveryVideoAndKeepNameOrder() {
        let all = Self.videos([600, 500, 351, 376, 271, 196, 157, 140, 127, 120, 105, 99, 81, 67, 597])
        for n in 1...6 {
            let parts = (0..<n).map { Shard(index: $0, count: n).select(all).map(\.name) }
            #expect(parts.flatMap { $0 }.sorted() == all.map(\.name))
            #expect(Set(parts.flatMap { $0 }).count == all.count)
            for p in parts { #expect(p == p.sorted()) }
        }
    }

    @Test func shardsAreBalancedByFrames() {
        let all = Self.videos([600, 500, 351, 376, 271, 196, 157, 140, 127, 120, 105, 99, 81, 67, 597])
        let total = all.reduce(0) { $0 + $1.frames.count }
        let loads = (0..<3).map { Shard(index: $0, count: 3).select(all).reduce(0) { $0 + $1.frames.count } }
        // Greedy longest-first: no part exceeds the ideal share by more than the longest video.
        for load in loads { #expect(load <= total / 3 + 600) }
        #expect(loads.max()! - loads.min()! <= 600)
        #expect(loads == (0..<3).map { Shard(index: $0, count: 3).select(all.reversed()).reduce(0) { $0 + $1.frames.count } })
    }

    @Test func parseTakesOneBasedIndexOfCount() throws {
        #expect(try Shard.parse("1/3") == Shard(index: 0, count: 3))
        #expect(try Shard.parse("3/3") == Shard(index: 2, count: 3))
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", ""] {
            #expect(throws: DatasetError.self) { try Shard.parse(bad) }
        }
    }

    @Test func autoReadsSlurmArrayTaskRelativeToItsMinimum() throws {
        let env = ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "4"]
        #expect(try Shard.fromEnvironment(env, shards: nil) == Shard(index: 2, count: 4))
        #expect(try Shard.fromEnvironment(env, shards: 4) == Shard(index: 2, count: 4))
        #expect(throws: DatasetError.self) { try Shard.fromEnvironment(env, shards: 3) }
        let stepped = ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "3"]
        #expect(try Shard.fromEnvironment(stepped, shards: nil) == Shard(index: 2, count: 3))
        #expect(throws: DatasetError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "1"], shards: nil) }
    }

    @Test func autoReadsKubernetesCompletionIndexWithShards() throws {
        #expect(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "0"], shards: 3) == Shard(index: 0, count: 3))
        #expect(throws: DatasetError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "0"], shards: nil) }
        #expect(throws: DatasetError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "3"], shards: 3) }
        #expect(throws: DatasetError.self) { try Shard.fromEnvironment([:], shards: 3) }
    }
}
