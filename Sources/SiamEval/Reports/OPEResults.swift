// Mirrors pysot/toolkit/evaluation/ope_benchmark.py (what eval_success / eval_precision /
// eval_norm_precision return and show_result averages) and tools/eval.py (which datasets get
// normalised precision)
import Foundation
import SiamRPN

/// One-pass (OTB / UAV / NFS / LaSOT) results of several trackers on one dataset: the input of the
/// OPE table, JSON report and plots.
///
/// Curves are pysot's: success at IoU thresholds `0, 0.05, …, 1` (21 values), precision at 0…50 px
/// (51), normalised precision at `0, 0.01, …, 0.5` (51); all are fractions of frames in [0, 1].
/// Dataset-level numbers are pysot's means over videos (video-weighted, not frame-weighted).
public struct OPEResults: Sendable {
    /// One video's curves.
    public struct Video: Sendable, Equatable {
        public var name: String
        public var successCurve: [Double]
        public var precisionCurve: [Double]
        public var normalizedPrecisionCurve: [Double]

        public init(name: String, successCurve: [Double], precisionCurve: [Double], normalizedPrecisionCurve: [Double]) {
            self.name = name
            self.successCurve = successCurve
            self.precisionCurve = precisionCurve
            self.normalizedPrecisionCurve = normalizedPrecisionCurve
        }

        public init(name: String, _ evaluation: OnePassEvaluation) {
            self.init(
                name: name, successCurve: evaluation.successCurve, precisionCurve: evaluation.precisionCurve,
                normalizedPrecisionCurve: evaluation.normalizedPrecisionCurve)
        }

        /// `np.mean(success_curve)`: the area under the success curve (numpy's pairwise sum).
        public var auc: Double { numpyMean(successCurve) }
        /// Precision at 20 px.
        public var precision: Double { precisionCurve[20] }
        /// Normalised precision at 0.20.
        public var normalizedPrecision: Double { normalizedPrecisionCurve[20] }
        /// `np.mean(precision_curve)`: what pysot's video-level table prints in its "precision"
        /// column (the mean over 0…50 px, not the value at 20 px).
        public var meanPrecision: Double { numpyMean(precisionCurve) }
    }

    /// One tracker's videos, in the dataset's order.
    public struct Tracker: Sendable, Equatable {
        public var name: String
        public var videos: [Video]

        public init(name: String, videos: [Video]) {
            self.name = name
            self.videos = videos
        }

        /// `np.mean` of every video's success curve together (show_result's "Success" and its sort
        /// key; with equally long curves, the mean of the per-video AUCs).
        public var auc: Double { numpyMean(videos.flatMap(\.successCurve)) }
        /// `np.mean(curves, axis=0)`: the videos' success curves averaged point by point.
        public var successCurve: [Double] { meanAxis0(videos.map(\.successCurve)) }
        public var precisionCurve: [Double] { meanAxis0(videos.map(\.precisionCurve)) }
        public var normalizedPrecisionCurve: [Double] { meanAxis0(videos.map(\.normalizedPrecisionCurve)) }
        /// The mean precision curve at 20 px.
        public var precision: Double { precisionCurve.count > 20 ? precisionCurve[20] : .nan }
        /// The mean normalised precision curve at 0.20.
        public var normalizedPrecision: Double { normalizedPrecisionCurve.count > 20 ? normalizedPrecisionCurve[20] : .nan }

        /// The same tracker on the videos named in `names` only (an attribute's subset), order kept.
        public func restricted(to names: Set<String>) -> Tracker {
            Tracker(name: name, videos: videos.filter { names.contains($0.name) })
        }
    }

    /// The dataset's name as eval.py gets it (`OTB100`, `LaSOT`, `UAV123`, …); plot titles use it.
    public var dataset: String
    /// The trackers in evaluation order (pysot: the order its glob listed the result folders).
    public var trackers: [Tracker]
    /// Whether normalised precision is reported. pysot's eval.py computes it only for `LaSOT`; for
    /// the other datasets its table prints `0.000` in the "Norm Precision" column and no
    /// normalised-precision plot is drawn. The JSON report always holds the numbers.
    public var reportsNormalizedPrecision: Bool
    /// Per video, its attribute names (OTB's `attr`); empty when the dataset has none. Plots are
    /// drawn once for all videos and once per attribute.
    public var videoAttributes: [String: [String]]

    public init(dataset: String, trackers: [Tracker], reportsNormalizedPrecision: Bool? = nil, videoAttributes: [String: [String]] = [:]) {
        self.dataset = dataset
        self.trackers = trackers
        self.reportsNormalizedPrecision = reportsNormalizedPrecision ?? Self.reportsNormalizedPrecision(dataset: dataset)
        self.videoAttributes = videoAttributes
    }

    /// eval.py's rule: normalised precision for `LaSOT` only.
    public static func reportsNormalizedPrecision(dataset: String) -> Bool { dataset == "LaSOT" }

    /// The attributes present, sorted (plots come in this order).
    public var attributes: [String] { Set(videoAttributes.values.flatMap { $0 }).sorted() }

    /// The videos having `attribute`.
    public func videos(withAttribute attribute: String) -> Set<String> {
        Set(videoAttributes.filter { $0.value.contains(attribute) }.keys)
    }
}

/// `np.mean(rows, axis=0)` of equally long rows: added row by row (an axis-0 reduction is not
/// pairwise), divided by the row count.
func meanAxis0(_ rows: [[Double]]) -> [Double] {
    guard let n = rows.first?.count else { return [] }
    var sum = [Double](repeating: 0, count: n)
    for row in rows {
        for j in 0..<n { sum[j] += row[j] }
    }
    return sum.map { $0 / Double(rows.count) }
}
