// The processes of a data-parallel training job (the role of torch.distributed's process group in pysot/utils/distributed.py)
import CMPIShim
import Foundation
import SiamNN

/// The processes that train one model together, each on its slice of every global batch: one
/// process alone (`single`), or the processes of an MPI job (`mpirun -np N`, `srun --mpi=pmix`),
/// Open MPI loaded at run time (CMPIShim; no MPI is needed to build or to run alone).
///
/// Collectives (`allReduceSum`, `broadcast`, `barrier`) must be called by every process in the
/// same order with buffers of the same size; on `single` they do nothing. A process that fails
/// while the others may be waiting in a collective must `abort`, or the job hangs.
package final class ProcessGroup: CrossProcessSum {
    /// This process's index, `0..<size`.
    package let rank: Int
    /// The number of processes.
    package let size: Int
    private let usesMPI: Bool

    private init(rank: Int, size: Int, usesMPI: Bool) {
        self.rank = rank
        self.size = size
        self.usesMPI = usesMPI
    }

    /// One process, no MPI.
    package static let single = ProcessGroup(rank: 0, size: 1, usesMPI: false)

    /// Rank 0: the process that writes a job's outputs (logs, snapshots, files).
    package var isRoot: Bool { rank == 0 }

    /// `single` unless this process was started by an MPI launcher; then MPI_COMM_WORLD.
    package static func fromEnvironment() throws -> ProcessGroup {
        try fromEnvironment(ProcessInfo.processInfo.environment)
    }

    /// The shared library loaded under a launcher: Open MPI 3.0 to 5.x's ABI.
    #if canImport(Darwin)
        package static let library = "libmpi.40.dylib"
    #else
        package static let library = "libmpi.so.40"
    #endif

    /// `fromEnvironment()` on a given environment and library (for tests). A launcher is recognised
    /// by the variables Open MPI's `mpirun` (`OMPI_COMM_WORLD_SIZE`) and PMIx (`PMIX_RANK`, set by
    /// `mpirun` and by `srun --mpi=pmix`) give each process. `srun` with several tasks but without
    /// PMIx (`SLURM_STEP_NUM_TASKS` > 1) is refused: its processes would each train alone.
    package static func fromEnvironment(_ environment: [String: String], library: String = library) throws -> ProcessGroup {
        let launcher = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK"].first { environment[$0] != nil }
        guard let launcher else {
            if let tasks = environment["SLURM_STEP_NUM_TASKS"].flatMap(Int.init), tasks > 1 {
                throw ProcessGroupError(
                    "started by srun as one of \(tasks) tasks without PMIx, so the tasks cannot train together; "
                        + "use srun --mpi=pmix (or MpiDefault=pmix in slurm.conf), or mpirun")
            }
            return single
        }
        let launchedBy = "\(launcher)=\(environment[launcher]!)"
        var message = [CChar](repeating: 0, count: 1024)
        guard siam_mpi_load(library, &message, message.count) == 0 else {
            throw ProcessGroupError(
                "started by an MPI launcher (\(launchedBy)) but Open MPI's \(library) cannot be loaded: "
                    + "\(text(message)); install Open MPI (Debian: apt-get install openmpi-bin) or run without mpirun / srun")
        }
        var rank: Int32 = 0
        var size: Int32 = 0
        guard siam_mpi_init(&rank, &size, &message, message.count) == 0 else {
            throw ProcessGroupError("MPI could not start (\(launchedBy)): \(text(message))")
        }
        return ProcessGroup(rank: Int(rank), size: Int(size), usesMPI: true)
    }

    /// How many of the job's processes share this machine, as the launcher says
    /// (`OMPI_COMM_WORLD_LOCAL_SIZE` from mpirun, else the first count of Slurm's
    /// `SLURM_STEP_TASKS_PER_NODE`, e.g. `2(x3)`), 1 when it says nothing: to share the cores.
    package static func processesOnThisMachine(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let n = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init), n >= 1 { return n }
        if let tasks = environment["SLURM_STEP_TASKS_PER_NODE"], let n = Int(tasks.prefix { $0.isNumber }), n >= 1 { return n }
        return 1
    }

    /// Replaces each element by its sum over the processes (MPI_Allreduce, MPI_SUM, in place).
    package func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard usesMPI, let base = buffer.baseAddress else { return }
        check(siam_mpi_allreduce_sum_float(base, buffer.count), "MPI_Allreduce")
    }

    package func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {
        guard usesMPI, let base = buffer.baseAddress else { return }
        check(siam_mpi_allreduce_sum_double(base, buffer.count), "MPI_Allreduce")
    }

    /// Copies `root`'s buffer into every other process's (MPI_Bcast).
    package func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) {
        precondition((0..<size).contains(root), "broadcast root \(root) of \(size) processes")
        guard usesMPI, let base = buffer.baseAddress else { return }
        check(siam_mpi_broadcast_float(base, buffer.count, Int32(root)), "MPI_Bcast")
    }

    /// Returns once every process has called it (MPI_Barrier).
    package func barrier() {
        guard usesMPI else { return }
        check(siam_mpi_barrier(), "MPI_Barrier")
    }

    /// Ends every process of the job with `code` (MPI_Abort); alone, exits with `code`.
    package func abort(_ code: Int32) -> Never {
        if usesMPI { siam_mpi_abort(code) }
        exit(code)
    }

    /// The lowest rank whose `failed` is true, or nil when none is: the processes agree on an
    /// outcome before going on (one all-reduce of `size` values).
    package func firstFailure(_ failed: Bool) -> Int? {
        guard size > 1 else { return failed ? 0 : nil }
        var flags = [Double](repeating: 0, count: size)
        flags[rank] = failed ? 1 : 0
        flags.withUnsafeMutableBufferPointer { allReduceSum($0) }
        return flags.firstIndex { $0 != 0 }
    }

    /// Open MPI's default error handler (MPI_ERRORS_ARE_FATAL) ends the job on a failed
    /// collective, so a returned error code means MPI itself is broken.
    private func check(_ code: Int32, _ call: String) {
        precondition(code == 0, "\(call) failed with MPI error \(code) on rank \(rank) of \(size)")
    }
}

/// A NUL-terminated C string in a buffer.
private func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Why the processes of a job cannot work together.
package struct ProcessGroupError: Error, CustomStringConvertible, Equatable {
    package let description: String
    package init(_ description: String) { self.description = description }
}
