// Mirrors pysot/toolkit/evaluation/f1_benchmark.py (the results show_result prints)
import Foundation

/// VOT long-term results of several trackers on one dataset: the input of the F1 table, JSON report
/// and precision / recall plot.
public struct LongTermResults: Sendable {
    public struct Tracker: Sendable {
        public var name: String
        public var f1: LongTermF1

        public init(name: String, f1: LongTermF1) {
            self.name = name
            self.f1 = f1
        }

        /// Precision, recall and F1 at the overall argmax of F1 (pysot's table row).
        public var best: (precision: Double, recall: Double, f1: Double, threshold: Double) {
            let i = f1.bestIndex
            return (f1.precision[i], f1.recall[i], f1.f1[i], f1.thresholds[i])
        }
    }

    /// `VOT2018-LT` (titles).
    public var dataset: String
    /// The trackers in evaluation order (pysot: its glob's order).
    public var trackers: [Tracker]

    public init(dataset: String, trackers: [Tracker]) {
        self.dataset = dataset
        self.trackers = trackers
    }
}
