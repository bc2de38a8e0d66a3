import Foundation
import SiamNN
import Testing

@testable import SiamTrain

/// `ProcessGroup.fromEnvironment` without an MPI job (no MPI is loaded) and its errors, and the
/// slicing of a global batch over processes (`TrainingBatch.shard`).
@Suite struct ProcessGroupTests {
    @Test func withoutALauncherTheGroupIsThisProcessAlone() throws {
        let group = try ProcessGroup.fromEnvironment(["PATH": "/usr/bin", "SLURM_STEP_NUM_TASKS": "1"])
        #expect(group.rank == 0 && group.size == 1 && group.isRoot)
        var values: [Float] = [1, 2, 3]
        values.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
        values.withUnsafeMutableBufferPointer { group.broadcast($0, root: 0) }
        group.barrier()
        #expect(values == [1, 2, 3])
        #expect(group.firstFailure(false) == nil && group.firstFailure(true) == 0)
    }

    @Test func aLauncherWithoutLoadableOpenMPIIsAnErrorSayingWhatToInstall() {
        #expect {
            try ProcessGroup.fromEnvironment(["OMPI_COMM_WORLD_SIZE": "2"], library: "libsiam-no-such-mpi.so.40")
        } throws: { error in
            let text = "\(error)"
            return text.contains("OMPI_COMM_WORLD_SIZE=2") && text.contains("libsiam-no-such-mpi.so.40 cannot be loaded")
                && text.contains("apt-get install openmpi-bin")
        }
        #expect(throws: ProcessGroupError.self) {
            try ProcessGroup.fromEnvironment(["PMIX_RANK": "0"], library: "libsiam-no-such-mpi.so.40")
        }
    }

    @Test func srunWithSeveralTasksButNoPMIxIsRefused() {
        #expect {
            try ProcessGroup.fromEnvironment(["SLURM_STEP_NUM_TASKS": "4", "SLURM_PROCID": "1"])
        } throws: { "\($0)".contains("srun --mpi=pmix") }
    }

    @Test func theProcessesOnAMachineComeFromTheLauncher() {
        #expect(ProcessGroup.processesOnThisMachine(["OMPI_COMM_WORLD_LOCAL_SIZE": "3"]) == 3)
        #expect(ProcessGroup.processesOnThisMachine(["SLURM_STEP_TASKS_PER_NODE": "4(x2)"]) == 4)
        #expect(ProcessGroup.processesOnThisMachine([:]) == 1)
    }

    /// 5 samples over 2 and 3 processes: contiguous ranges 0..<2, 2..<5 and 0..<1, 1..<3, 3..<5,
    /// every file cut at the same samples.
    @Test func aBatchIsCutIntoContiguousSlicesOfNearlyEqualSize() throws {
        let global = try Self.numberedBatch(samples: 5)
        for (size, ranges) in [(2, [0..<2, 2..<5]), (3, [0..<1, 1..<3, 3..<5])] {
            for (rank, range) in ranges.enumerated() {
                let local = try global.shard(rank: rank, of: size)
                let samples = range.map(Float.init)
                #expect(local.template.shape == [range.count, 3, 2, 2] && local.search.shape == [range.count, 3, 4, 4])
                #expect(local.template.values == samples.flatMap { [Float](repeating: $0, count: 12) })
                #expect(local.search.values == samples.flatMap { [Float](repeating: $0, count: 48) })
                #expect(local.labelCls == range.flatMap { [Int](repeating: $0 % 2, count: 2) })
                #expect(local.labelLoc == samples.flatMap { [Float](repeating: $0, count: 8) })
                #expect(local.labelLocWeight == samples.flatMap { [Float](repeating: -$0, count: 2) })
                #expect(local.labelShape == [range.count, 2, 1, 1])
            }
        }
        #expect(throws: TrainingBatchError.self) { try global.shard(rank: 0, of: 6) }
    }

    /// A batch whose every value is its sample's index (labels: index mod 2, weights: -index).
    static func numberedBatch(samples n: Int) throws -> TrainingBatch {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ shape: [Int], _ value: (Int) -> Float) throws {
            let per = shape.dropFirst().reduce(1, *)
            let values = (0..<n).flatMap { s in [Float](repeating: value(s), count: per) }
            try NumPyArray(Tensor(shape: shape, values: values)).write(to: dir.appendingPathComponent(name))
        }
        try write("template.npy", [n, 3, 2, 2]) { Float($0) }
        try write("search.npy", [n, 3, 4, 4]) { Float($0) }
        try write("label_cls.npy", [n, 2, 1, 1]) { Float($0 % 2) }
        try write("label_loc.npy", [n, 4, 2, 1, 1]) { Float($0) }
        try write("label_loc_weight.npy", [n, 2, 1, 1]) { -Float($0) }
        return try TrainingBatch(directory: dir)
    }
}
