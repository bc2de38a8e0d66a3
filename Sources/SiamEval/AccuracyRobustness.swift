// Mirrors pysot/toolkit/evaluation/ar_benchmark.py (AccuracyRobustnessBenchmark: eval, show_result)
import Foundation

/// pysot's VOT accuracy / robustness of one tracker on a dataset.
///
/// Per video and repetition (a trajectory read from `baseline/<video>/<video>_00N.txt`): failures =
/// the `[2]` lines; overlaps = `calculateAccuracy(burnin: 10, bounds: (W, H))` (every `1` line and the
/// 9 after it excluded; the constructor's burnin argument is ignored by pysot, 10 is hard-coded).
/// Per video, overlaps are NaN-averaged over repetitions frame by frame. Over the dataset
/// (`show_result`): accuracy = `np.nanmean` of all videos' frames concatenated (frame-weighted);
/// lost number = mean over repetitions of the failures summed over videos; robustness = mean over
/// repetitions of (summed failures / total frames) × 100.
///
/// Tolerances against pysot (Tests/Fixtures/README.md section 22): failure counts and per-frame
/// overlaps exact; accuracy, robustness, lost number relative 1e-12.
public struct AccuracyRobustness: Sendable {
    /// One video's result (`eval()`'s `overlaps[v]` and `failures[v]`).
    public struct Video: Sendable {
        public var name: String
        /// Each repetition's AR overlaps (NaN on excluded frames).
        public var overlapsPerRepetition: [[Double]]
        /// `np.nanmean(overlapsPerRepetition, axis=0)`.
        public var overlaps: [Double]
        /// The failure frames of each repetition.
        public var failureFrames: [[Int]]
        /// Failures per repetition.
        public var failures: [Int] { failureFrames.map(\.count) }
        /// `np.nanmean(overlaps)`: the video-level accuracy pysot's table prints.
        public var accuracy: Double { numpyNanMean(overlaps) }
    }

    public var videos: [Video]
    /// Frame-weighted accuracy over all videos.
    public var accuracy: Double
    /// Failures per 100 frames, averaged over repetitions.
    public var robustness: Double
    /// Failures summed over videos, averaged over repetitions.
    public var lostNumber: Double
    /// Total number of frames evaluated.
    public var length: Int

    /// One video: `trajectories` = its repetitions (`PysotResultFiles.loadVOTBaseline`).
    public static func evaluate(_ sequence: VOTSequence, trajectories: [[[Double]]]) -> Video {
        let bounds = (width: Double(sequence.width), height: Double(sequence.height))
        let per = trajectories.map { calculateAccuracy($0, sequence.groundTruth, burnin: 10, bounds: bounds) }
        return Video(
            name: sequence.name, overlapsPerRepetition: per, overlaps: numpyNanMeanAxis0(per),
            failureFrames: trajectories.map(calculateFailures))
    }

    /// The dataset, videos in pysot's order (sorted by name). Every video must have the same number
    /// of repetitions (pysot's `show_result` fails otherwise).
    public init(_ videos: [(sequence: VOTSequence, trajectories: [[[Double]]])]) throws {
        self.init(videos: videos.map { Self.evaluate($0.sequence, trajectories: $0.trajectories) })
        guard Set(self.videos.map(\.failureFrames.count)).count <= 1 else { throw RaggedRepetitionsError() }
    }

    /// From per-video results already computed.
    public init(videos: [Video]) {
        self.videos = videos
        let all = videos.flatMap(\.overlaps)
        let frames = all.count
        length = frames
        accuracy = numpyNanMean(all)
        let reps = videos.map(\.failureFrames.count).min() ?? 0
        let summed = (0..<reps).map { r in videos.reduce(0) { $0 + $1.failures[r] } }
        lostNumber = numpyMean(summed.map(Double.init))
        robustness = numpyMean(summed.map { Double($0) / Double(frames) }) * 100
    }
}

/// Videos with different repetition counts: pysot's `np.sum(failures, axis=0)` fails on them.
public struct RaggedRepetitionsError: Error, CustomStringConvertible {
    public var description: String { "videos have different numbers of repetitions; pysot's AR summary is undefined for them" }
}
