// Mirrors pysot/toolkit/evaluation/ar_benchmark.py and eao_benchmark.py (the results their
// show_result methods print) and tools/eval.py (AR with EAO for VOT2016-2019)
import Foundation

/// VOT short-term (reset protocol) results of several trackers on one dataset: the input of the
/// VOT table, JSON report and EAO plots.
public struct VOTResults: Sendable {
    /// One tracker: its accuracy / robustness and, when computed, its EAO per tag and curve.
    public struct Tracker: Sendable {
        public var name: String
        public var accuracyRobustness: AccuracyRobustness
        /// EAO per tag (`VOTSequence.tagNames`: `all`, the five attributes, `empty`); nil when
        /// EAO was not computed (pysot's `show_result(ar, None)`: no EAO column).
        public var eaoByTag: [String: Double]?
        /// The expected-overlap curve of tag `all` (float32, as pysot's), index = sequence length − 1.
        public var eaoCurve: [Float]?

        public init(name: String, accuracyRobustness: AccuracyRobustness, eaoByTag: [String: Double]? = nil, eaoCurve: [Float]? = nil) {
            self.name = name
            self.accuracyRobustness = accuracyRobustness
            self.eaoByTag = eaoByTag
            self.eaoCurve = eaoCurve
        }

        /// From the computed EAO (every tag it holds, averaged over `interval`).
        public init(name: String, accuracyRobustness: AccuracyRobustness, eao: ExpectedAverageOverlap, interval: ExpectedAverageOverlap.Interval) {
            self.init(
                name: name, accuracyRobustness: accuracyRobustness,
                eaoByTag: eao.curves.mapValues { ExpectedAverageOverlap.average($0, interval: interval) },
                eaoCurve: eao.curves["all"])
        }

        /// EAO of tag `all` (NaN when not computed).
        public var eao: Double { eaoByTag?["all"] ?? .nan }
    }

    /// `VOT2016` … `VOT2019` (titles; the EAO interval is the caller's).
    public var dataset: String
    /// The trackers in evaluation order (pysot: its glob's order).
    public var trackers: [Tracker]
    /// The interval EAO was averaged over, when known (the curve plot shades it).
    public var interval: ExpectedAverageOverlap.Interval?

    public init(dataset: String, trackers: [Tracker], interval: ExpectedAverageOverlap.Interval? = nil) {
        self.dataset = dataset
        self.trackers = trackers
        self.interval = interval ?? ExpectedAverageOverlap.Interval(datasetName: dataset)
    }

    /// Whether every tracker has EAO (pysot prints the EAO column and sorts by it only then).
    public var hasEAO: Bool { !trackers.isEmpty && trackers.allSatisfy { $0.eaoByTag != nil } }
}

extension AccuracyRobustness.Video {
    /// `np.mean(failures)`: failures averaged over repetitions (the video table's "LN").
    public var lostNumber: Double { numpyMean(failures.map(Double.init)) }
}
