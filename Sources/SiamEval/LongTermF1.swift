// Mirrors pysot/toolkit/evaluation/f1_benchmark.py (F1Benchmark: eval, show_result) on VOTLTVideo data
import Foundation

/// pysot's VOT long-term precision / recall / F1 of one tracker.
///
/// Thresholds (`determineThresholds` over the confidences of all videos, NaN dropped) are used in
/// descending order (+inf … −inf). Per video: overlaps = `votOverlap(bounds: (W, H))` per frame (no
/// burn-in; the `1` line and absent frames count 0), `calculatePrecisionRecall`. Overall: precision and
/// recall averaged over videos per threshold (video-weighted), F1 from those means, best = `np.argmax`
/// (the first NaN if any: a video whose most confident frames have overlap 0 gets a NaN "max F1").
///
/// Tolerances against pysot (Tests/Fixtures/README.md section 22): thresholds, indices, NaN positions
/// exact; curves relative 1e-12.
public struct LongTermF1: Sendable {
    public struct Video: Sendable {
        public var name: String
        public var overlaps: [Double]
        /// The confidences as pysot holds them (NaN first).
        public var scores: [Double]
        public var precision: [Double]
        public var recall: [Double]
        public var f1: [Double] { f1Curve(precision: precision, recall: recall) }
        /// `np.argmax` of `f1` (what the video-level table prints).
        public var bestIndex: Int { numpyArgmax(f1) }
    }

    /// Descending: +inf first, −inf last.
    public var thresholds: [Double]
    public var videos: [Video]
    public var precision: [Double]
    public var recall: [Double]
    public var f1: [Double] { f1Curve(precision: precision, recall: recall) }
    public var bestIndex: Int { numpyArgmax(f1) }
    public var maxF1: Double { f1[bestIndex] }

    /// `videos` in pysot's order (sorted by name), each with its trajectory and confidences
    /// (`PysotResultFiles.loadVOTLongTerm`).
    public init(_ videos: [(sequence: VOTLongTermSequence, trajectory: [[Double]], scores: [Double])]) throws {
        let thresholds = Array(try determineThresholds(videos.flatMap(\.scores)).reversed())
        self.thresholds = thresholds
        let results = videos.map { v in
            let bounds = (width: Double(v.sequence.width), height: Double(v.sequence.height))
            let n = min(v.trajectory.count, v.sequence.groundTruth.count)
            let overlaps = (0..<n).map { votOverlap(v.trajectory[$0], v.sequence.groundTruth[$0], bounds: bounds) }
            let (p, r) = calculatePrecisionRecall(
                overlaps: overlaps, scores: Array(v.scores.prefix(n)),
                thresholds: thresholds, presentFrames: v.sequence.presentFrames)
            return Video(name: v.sequence.name, overlaps: overlaps, scores: v.scores, precision: p, recall: r)
        }
        self.videos = results
        // np.mean(list of per-video curves, axis=0): added video by video, divided by the count.
        let count = Double(results.count)
        precision = thresholds.indices.map { i in results.reduce(0) { $0 + $1.precision[i] } / count }
        recall = thresholds.indices.map { i in results.reduce(0) { $0 + $1.recall[i] } / count }
    }
}
