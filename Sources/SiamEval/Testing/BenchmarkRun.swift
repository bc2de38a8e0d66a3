// Mirrors pysot tools/test.py's loop over a dataset's videos, made crash-safe, resumable and parallel
import Foundation
import SiamRPN

/// Tracks a dataset's videos into pysot's result layout, `<tracker folder>/<file of
/// ProtocolRun.completionFile>`, one unit of work (a video, with a tracker folder and optionally
/// other hyperparameters) at a time per job.
///
/// Crash safety: a video's files are written under hidden `.<name>.partial` names in their final
/// folder and renamed when the whole video is done, its completion file last, so a result file
/// never exists under its final name unless it is complete. A video whose completion file already
/// exists is skipped (a rerun resumes). A video that fails (an unreadable frame, a box the tracker
/// refuses) is reported and the others go on.
public final class BenchmarkRun: @unchecked Sendable {
    public struct Failure: Sendable {
        public var video: String
        public var reason: String
    }

    /// What happened to the videos of one run.
    public struct Summary: Sendable {
        /// Tracked now (in completion order).
        public var tracked: [String] = []
        /// Already complete before the run.
        public var skipped: [String] = []
        public var failed: [Failure] = []
        /// Not done because the run was interrupted.
        public var interrupted: [String] = []
        /// VOT: losses summed over the videos tracked now.
        public var lost = 0
        public var frames = 0
        public var seconds = 0.0
        public var isComplete: Bool { failed.isEmpty && interrupted.isEmpty }
    }

    /// One video tracked into one tracker folder (`<results>/<dataset>/<tracker>`), with the model's
    /// own hyperparameters (nil) or others (`hp-search`).
    public struct Unit: Sendable {
        public var video: BenchmarkVideo
        public var trackerDirectory: URL
        public var hyperparameters: TrackHyperparameters?
        /// How the unit is named in messages: the video, or `<tracker>/<video>` when several trackers run.
        public var label: String

        public init(video: BenchmarkVideo, trackerDirectory: URL, hyperparameters: TrackHyperparameters? = nil, label: String? = nil) {
            self.video = video
            self.trackerDirectory = trackerDirectory
            self.hyperparameters = hyperparameters
            self.label = label ?? video.name
        }

        /// Whether the video's completion file exists in the tracker folder.
        public func isComplete(kind: BenchmarkKind) -> Bool {
            FileManager.default.fileExists(
                atPath: trackerDirectory.appendingPathComponent(ProtocolRun.completionFile(video: video.name, kind: kind)).path)
        }
    }

    public let dataset: BenchmarkDataset
    public let jobs: Int
    let makeTracker: @Sendable (TrackHyperparameters?) throws -> any ObjectTracker
    let loadImage: @Sendable (URL) throws -> Image
    let shouldStop: @Sendable () -> Bool
    let output: @Sendable (String) -> Void
    let progress: @Sendable (String) -> Void

    // Shared by the jobs, under `lock`.
    private let lock = NSLock()
    private var summary = Summary()
    private var pending: [Unit] = []
    private var next = 0
    private var framesDone = 0

    /// `output` gets test.py's per-video lines; `progress` the overall progress and ETA lines;
    /// `makeTracker(nil)` makes a tracker with the model's hyperparameters.
    public init(
        dataset: BenchmarkDataset, jobs: Int,
        makeTracker: @escaping @Sendable (TrackHyperparameters?) throws -> any ObjectTracker,
        loadImage: @escaping @Sendable (URL) throws -> Image = { try Image.load(contentsOf: $0) },
        shouldStop: @escaping @Sendable () -> Bool = { false },
        output: @escaping @Sendable (String) -> Void, progress: @escaping @Sendable (String) -> Void
    ) {
        self.dataset = dataset
        self.jobs = max(1, jobs)
        self.makeTracker = makeTracker
        self.loadImage = loadImage
        self.shouldStop = shouldStop
        self.output = output
        self.progress = progress
    }

    /// Tracks `videos` (a subset of the dataset, e.g. a shard) into one tracker folder.
    public func run(_ videos: [BenchmarkVideo], trackerDirectory: URL) -> Summary {
        run(videos.map { Unit(video: $0, trackerDirectory: trackerDirectory) })
    }

    /// Tracks `units`, `jobs` at a time.
    public func run(_ units: [Unit]) -> Summary {
        let position = Dictionary(uniqueKeysWithValues: dataset.videos.enumerated().map { ($1.name, $0 + 1) })
        summary = Summary()
        pending = []
        next = 0
        framesDone = 0
        for u in units {
            if u.isComplete(kind: dataset.kind) { summary.skipped.append(u.label) } else { pending.append(u) }
        }
        if !summary.skipped.isEmpty {
            progress("\(summary.skipped.count) of \(units.count) videos already complete; skipped")
        }
        let totalFrames = pending.reduce(0) { $0 + $1.video.frames.count }
        let started = DispatchTime.now().uptimeNanoseconds
        let workers = min(jobs, max(1, pending.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            // A job keeps its tracker while the hyperparameters stay the same.
            var tracker: (any ObjectTracker)?
            var trackerSetting: TrackHyperparameters?
            while true {
                lock.lock()
                let stop = shouldStop()
                guard next < pending.count, !stop else {
                    if stop { summary.interrupted += pending[next...].map(\.label) }
                    next = pending.count
                    lock.unlock()
                    return
                }
                let unit = pending[next]
                let video = unit.video
                next += 1
                lock.unlock()
                do {
                    if tracker == nil || trackerSetting != unit.hyperparameters {
                        tracker = try makeTracker(unit.hyperparameters)
                        trackerSetting = unit.hyperparameters
                    }
                    let result = try ProtocolRun.run(video, kind: dataset.kind, tracker: tracker!, loadImage: loadImage, shouldStop: shouldStop)
                    try write(result, into: unit.trackerDirectory)
                    lock.lock()
                    summary.tracked.append(unit.label)
                    summary.lost += result.lost ?? 0
                    summary.frames += result.frames
                    summary.seconds += result.seconds
                    framesDone += video.frames.count
                    let done = framesDone
                    lock.unlock()
                    let prefix = unit.label == video.name ? "" : "[\(unit.label.dropLast(video.name.count + 1))] "
                    output(prefix + result.consoleLine(index: position[video.name] ?? 0, video: video.name))
                    reportProgress(done: done, total: totalFrames, started: started)
                } catch is CancellationError {
                    lock.lock()
                    summary.interrupted.append(unit.label)
                    lock.unlock()
                } catch {
                    lock.lock()
                    summary.failed.append(Failure(video: unit.label, reason: "\(error)"))
                    framesDone += video.frames.count
                    lock.unlock()
                    progress("error: video \(unit.label) failed: \(error); going on with the others")
                }
            }
        }
        return summary
    }

    private func reportProgress(done: Int, total: Int, started: UInt64) {
        lock.lock()
        let videosDone = summary.tracked.count + summary.failed.count
        let videosTotal = pending.count
        lock.unlock()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let fps = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = fps > 0 ? Double(total - done) / fps : 0
        let percent = total > 0 ? 100 * done / total : 100
        progress(
            "progress: \(done)/\(total) frames (\(percent)%), \(videosDone)/\(videosTotal) videos, \(String(format: "%.1f", fps)) fps, ETA \(Self.duration(remaining))"
        )
    }

    /// `1h02m`, `3m05s`, `42s`.
    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60) }
        if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return "\(t)s"
    }

    /// Writes every file under its partial name, then renames them, the completion file last.
    func write(_ result: VideoResult, into trackerDirectory: URL) throws {
        let fm = FileManager.default
        var staged: [(URL, URL)] = []
        for (path, text) in result.files {
            let final = trackerDirectory.appendingPathComponent(path)
            let folder = final.deletingLastPathComponent()
            do {
                try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw DatasetError("cannot create the result folder \(folder.path): \(error.localizedDescription)")
            }
            let partial = folder.appendingPathComponent(".\(final.lastPathComponent).partial")
            do {
                try Data(text.utf8).write(to: partial)
            } catch {
                throw DatasetError("cannot write \(partial.path): \(error.localizedDescription)")
            }
            staged.append((partial, final))
        }
        for (partial, final) in staged {
            guard rename(partial.path, final.path) == 0 else {
                throw DatasetError("cannot rename \(partial.path) to \(final.lastPathComponent): \(String(cString: strerror(errno)))")
            }
        }
    }
}
