// The flags `test` and `hp-search` share (pysot's tools/test.py and hp_search.py spell them so)
import ArgumentParser
import Foundation
import SiamEval
import SiamNN
import SiamRPN

/// `--dataset NAME [--dataset_root DIR]`.
struct DatasetOptions: ParsableArguments {
    @Option(help: "Dataset name (OTB100, UAV123, NFS30, LaSOT, GOT-10k, TrackingNet, VOT2018, VOT2018-LT, ...).")
    var dataset: String
    @Option(name: .customLong("dataset_root"), help: "The dataset folder. Default: testing_dataset/<dataset>, as pysot.")
    var datasetRoot: String?

    /// The dataset, its notes printed on stderr.
    func load() throws -> BenchmarkDataset {
        let data = try BenchmarkDataset.load(name: dataset, root: URL(fileURLWithPath: datasetRoot ?? "testing_dataset/\(dataset)"))
        for note in data.notes { printError("note: \(note)") }
        return data
    }
}

/// `--config C --snapshot W` (both or neither: the bundled NanoTrackV3) `[--convolutions winograd|direct]`.
struct ModelOptions: ParsableArguments {
    @Option(help: "pysot (or NanoTrack) config.yaml. Default: the bundled NanoTrackV3.")
    var config: String?
    @Option(help: "Model weights (.pth or .safetensors). Default: the bundled NanoTrackV3.")
    var snapshot: String?
    @Option(
        help:
            "How 3x3 stride-1 convolutions run: winograd (the default, faster) or direct (im2col + sgemm, the reference; float32 sums in pysot's order)."
    )
    var convolutions: String = "winograd"

    func load() throws -> TrackingModel {
        guard let algorithm = ConvolutionAlgorithm(rawValue: convolutions) else {
            throw CLIError("--convolutions \(convolutions): use winograd or direct")
        }
        return try loadTrackingModel(config: config, snapshot: snapshot, convolutions: algorithm)
    }

    /// pysot's model name: the snapshot's file name up to its first '.' (`NanoTrackV3` when bundled).
    var modelName: String {
        snapshot.map { URL(fileURLWithPath: $0).lastPathComponent.split(separator: ".").first.map(String.init) ?? "" } ?? "NanoTrackV3"
    }
}

/// `--shard I/N | auto [--shards N] [--jobs N]`.
struct ShardOptions: ParsableArguments {
    @Option(help: "Run part I of N of the work (I/N, 1-based; balanced by frames), or 'auto' (Slurm array / Kubernetes Indexed Job).")
    var shard: String?
    @Option(help: "With --shard auto in a Kubernetes Indexed Job: the number of parts (the Job's completions).")
    var shards: Int?
    @Option(help: "Videos tracked at once, one thread each (default 1).")
    var jobs: Int = 1

    /// The part to run (nil: all of it).
    func resolve() throws -> Shard? {
        guard jobs >= 1 else { throw CLIError("--jobs \(jobs): must be at least 1") }
        if shards != nil && shard != "auto" { throw CLIError("--shards goes with --shard auto") }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if jobs > cores { printError("warning: --jobs \(jobs) is more than the \(cores) cores of this machine; the jobs will share them") }
        switch shard {
        case nil: return nil
        case "auto": return try Shard.fromEnvironment(ProcessInfo.processInfo.environment, shards: shards)
        case let text?: return try Shard.parse(text)
        }
    }
}
