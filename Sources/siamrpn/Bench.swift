import ArgumentParser
import Foundation
import SiamNN
import SiamRPN

/// `siamrpn bench`: the speed of a model on this machine, per stage, on real frames.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a model's tracking speed on the bundled video: per stage, MACs, GFLOP/s, the SGEMM peak, allocations.",
        discussion: """
            Tracks the bundled bag.avi (frames decoded beforehand) from its first ground-truth box. \
            Without --snapshot the config's network runs with deterministic weights (the work does \
            not depend on the values); without --config, the bundled NanoTrackV3. Times are medians, \
            minima and maxima over --frames steps after 3 warm-up steps. With --targets T > 1, a \
            step is one MultiTracker update of T targets (batched through the network where it can \
            be), and the same run times T separate trackers, each stepping every frame, for the ratio.
            """)

    @Option(help: "pysot (or NanoTrack) experiment config, config.yaml. Default: the bundled NanoTrackV3.")
    var config: String?
    @Option(help: "Model weights (.pth or .safetensors). Default: deterministic weights (with --config) or the bundled NanoTrackV3.")
    var snapshot: String?
    @Option(help: "Threads for the network (default: the model's best, all cores for SiamRPN++).")
    var threads: Int?
    @Option(help: "Timed frames after the warm-up.")
    var frames: Int = 30
    @Option(help: "Targets per frame: one MultiTracker of T targets, against T separate trackers in the same run.")
    var targets: Int = 1
    @Option(help: "table or json (one object).")
    var format: String = "table"
    @Option(help: "How 3x3 stride-1 convolutions run: winograd (the default) or direct (im2col + sgemm, the reference).")
    var convolutions: String = "winograd"

    static let warmUpFrames = 3

    func run() throws {
        try reportingErrors {
            guard format == "table" || format == "json" else { throw CLIError("--format \(format): use table or json") }
            guard frames >= 1 else { throw CLIError("--frames \(frames): at least 1 timed frame is needed") }
            guard targets >= 1 else { throw CLIError("--targets \(targets): at least 1 target is needed") }
            guard let algorithm = ConvolutionAlgorithm(rawValue: convolutions) else {
                throw CLIError("--convolutions \(convolutions): use winograd or direct")
            }
            let model: TrackingModel
            switch (config, snapshot) {
            case (let config?, nil):
                model = try TrackingModel.load(config: URL(fileURLWithPath: config), deterministicWeightsSeed: 1, convolutions: algorithm)
                for warning in model.warnings { printError("warning: \(config): \(warning)") }
            default:
                model = try loadTrackingModel(config: config, snapshot: snapshot, convolutions: algorithm)
            }
            try applyThreads(threads, preferred: model.preferredThreads)
            var report = try BenchRun(model: model, frames: frames, targets: targets).measure()
            report.convolutions = algorithm
            print(format == "json" ? report.json : report.table)
        }
    }
}
