// Mirrors pysot tools/test.py (its flags, result layout and console lines), plus sharding and parallel jobs
import ArgumentParser
import Foundation
import SiamEval
import SiamNN
import SiamRPN

/// `siamrpn test`: runs a tracker over a benchmark under its protocol (one-pass, VOT reset,
/// VOT long-term) and writes pysot's result files, resumably, optionally one shard of the videos.
struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Track every video of a benchmark under its protocol; write pysot's result files.",
        discussion: """
            The dataset name picks the protocol as pysot does (a name containing OTB, UAV or NFS: one-pass on \
            that layout; LaSOT, GOT-10k, TrackingNet: one-pass; VOT2016/2017/2018/2019: the reset protocol; \
            VOT2018-LT: long-term). Videos come from DATASET_ROOT/NAME.json (pysot's description) or, \
            without it, from the benchmark's own folder layout (`siamrpn dataset` shows what is found). \
            Results go to RESULTS/NAME/TRACKER/ in pysot's layout; each video's files appear only when \
            the video is complete, and a rerun skips complete videos. Exit status: 0 when every video \
            (of the shard) is complete, 3 when some failed or were interrupted (listed), 1 for bad input, \
            128 + signal when stopped by SIGINT/SIGTERM.
            """)

    @OptionGroup var data: DatasetOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var work: ShardOptions
    @Option(help: "Track only this video.")
    var video: String?
    @Option(help: "Results folder.")
    var results: String = "results"
    @Option(name: .customLong("tracker_name"), help: "Result subfolder. Default: the snapshot's file name up to its first '.', as pysot.")
    var trackerName: String?
    @Option(help: "Threads for the network when --jobs is 1 (default: the model's preference).")
    var threads: Int?
    @Flag(help: "Fail a video at damaged frames (a truncated JPEG) instead of warning.")
    var strict = false
    @Flag(help: "Also write each video's frames with the ground truth (green) and the tracker's box (yellow) to TRACKER/vis/<video>.mp4.")
    var vis = false

    func run() throws {
        try reportingErrors {
            let part = try work.resolve()
            let jobs = work.jobs
            let data = try self.data.load().selecting(video)
            let videos = part?.select(data.videos) ?? data.videos

            let model = try self.model.load()
            if jobs > 1 {
                if threads != nil { printError("warning: --threads is ignored with --jobs \(jobs) (one thread per job)") }
                ComputeThreads.set(1)
            } else {
                try applyThreads(threads, preferred: model.preferredThreads)
            }
            let name = trackerName ?? self.model.modelName
            guard !name.isEmpty, !name.contains("/") else { throw CLIError("--tracker_name '\(name)': must be a non-empty file name") }
            let trackerDirectory = URL(fileURLWithPath: results).appendingPathComponent(data.name).appendingPathComponent(name)

            printError(
                "\(data.name): \(videos.count) of \(data.videos.count) videos (\(videos.reduce(0) { $0 + $1.frames.count }) frames)"
                    + (part.map { ", shard \($0)" } ?? "") + ", \(data.kind.evaluationProtocol.rawValue) protocol, from \(data.source); "
                    + "tracker \(name), \(jobs) job\(jobs == 1 ? "" : "s") -> \(trackerDirectory.path)")
            let interruption = Interruption()
            defer { interruption.uninstall() }
            let strict = self.strict
            let run = BenchmarkRun(
                dataset: data, jobs: jobs,
                makeTracker: { try $0.map(model.makeTracker(hyperparameters:)) ?? model.makeTracker() },
                loadImage: { url in
                    let (image, warning) = try Image.loadReportingWarning(contentsOf: url, strict: strict)
                    if let warning { printError("warning: \(url.path): \(warning)") }
                    return image
                },
                shouldStop: { interruption.receivedSignal != nil },
                output: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) },
                progress: { printError($0) })
            run.writesVisualization = vis
            let summary = run.run(videos, trackerDirectory: trackerDirectory)
            if case .vot = data.kind { FileHandle.standardOutput.write(Data("\(name) total lost: \(summary.lost)\n".utf8)) }

            let complete = summary.tracked.count + summary.skipped.count
            var report =
                "done: \(complete) of \(videos.count) videos complete (\(summary.tracked.count) tracked now, \(summary.skipped.count) already)"
            if summary.seconds > 0 {
                report += String(
                    format: ", %d frames in %.1f s of tracking, %.1f fps", summary.frames, summary.seconds, Double(summary.frames) / summary.seconds)
            }
            printError(report + "; results in \(trackerDirectory.path)")
            for f in summary.failed { printError("missing: \(f.video) (failed: \(f.reason))") }
            if !summary.interrupted.isEmpty {
                printError("missing: \(summary.interrupted.joined(separator: ", ")) (interrupted; a rerun tracks them)")
            }
            if let signal = interruption.receivedSignal {
                printError("stopped by \(Interruption.name(signal))")
                throw ExitCode(128 + signal)
            }
            if !summary.isComplete { throw ExitCode(3) }
        }
    }
}
