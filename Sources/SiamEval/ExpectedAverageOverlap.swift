// Mirrors pysot/toolkit/evaluation/eao_benchmark.py (EAOBenchmark: _calculate_eao)
import Foundation

/// pysot's expected average overlap (VOT reset protocol, skipping 5).
///
/// Per trajectory (each repetition its own): overlaps = `calculateAccuracy(burnin: 0, bounds:
/// (W − 1, H − 1))`, failures `f`. Fragments start at `[0] + [f + 5 where f + 5 <= n]` (failures in the
/// last 5 frames are dropped). Non-last fragment: `overlaps[p_i ... p_{i+1}]` (inclusive), NaN → 0,
/// zero-extended to the longest trajectory; weight `sum(tag[p_i ... p_{i+1}]) / (p_{i+1} − p_i + 1)`.
/// Last: `overlaps[p_last...]`, NaN → 0, the rest of the row NaN; weight `sum(tag[p_last..<n]) / (n − p_last + 1e-16)`.
/// No failure: the overlaps as they are (frame 0 stays NaN); weight `sum(tag[0..<n]) / n`. Weights are
/// scaled by `1 / (reps + 1e-10)` of the last video (a constant). The curve is
/// `calculateExpectedOverlap`; EAO = mean of its non-NaN entries in `[low − 1, high − 1]`, cut at the
/// curve's end (NaN if none).
///
/// Tolerances against pysot (Tests/Fixtures/README.md section 22): curves 1 float32 ulp, EAO absolute 1e-9.
public struct ExpectedAverageOverlap: Sendable {
    /// The frame interval pysot picks from the dataset name.
    public struct Interval: Sendable, Equatable {
        public var low: Int
        public var high: Int
        public static let vot2016 = Interval(low: 108, high: 371)
        public static let vot2018 = Interval(low: 100, high: 356)
        public static let vot2019 = Interval(low: 46, high: 291)

        /// `VOT2016`, `VOT2017`/`VOT2018`, `VOT2019`; nil for any other name (pysot: AttributeError).
        public init?(datasetName: String) {
            switch datasetName {
            case "VOT2016": self = .vot2016
            case "VOT2017", "VOT2018": self = .vot2018
            case "VOT2019": self = .vot2019
            default: return nil
            }
        }

        public init(low: Int, high: Int) {
            self.low = low
            self.high = high
        }
    }

    public static let skipping = 5

    /// The fragment matrix (rows in video / repetition / fragment order, then the unused all-NaN rows
    /// of dropped failures, as pysot allocates one row per failure + 1).
    public var fragments: [[Double]]
    /// Fragment weights per tag (NaN for the unused rows).
    public var weights: [String: [Double]]
    /// Expected-overlap curve per tag (float32, as pysot's).
    public var curves: [String: [Float]]

    /// Builds the fragments and curves of `tags` for a dataset (videos in pysot's order).
    public init(_ videos: [(sequence: VOTSequence, trajectories: [[[Double]]])], tags: [String] = ["all"]) {
        var items: [(sequence: VOTSequence, gtLength: Int, overlaps: [Double], failures: [Int])] = []
        for (sequence, trajectories) in videos {
            let bounds = (width: Double(sequence.width - 1), height: Double(sequence.height - 1))
            for t in trajectories {
                items.append(
                    (
                        sequence, sequence.groundTruth.count,
                        calculateAccuracy(t, sequence.groundTruth, bounds: bounds), calculateFailures(t)
                    ))
            }
        }
        let fragmentCount = items.reduce(0) { $0 + $1.failures.count + 1 }
        let maxLen = items.map(\.overlaps.count).max() ?? 0
        let seqWeight = 1 / (Double(videos.last?.trajectories.count ?? 0) + 1e-10)

        var fragments = [[Double]](repeating: [Double](repeating: .nan, count: maxLen), count: fragmentCount)
        var weights: [String: [Double]] = [:]
        var first = true
        for tag in tags {
            var w = [Double](repeating: .nan, count: fragmentCount)
            var row = 0
            for item in items {
                let o = item.overlaps
                let n = o.count
                if !item.failures.isEmpty {
                    let points = [0] + item.failures.map { $0 + Self.skipping }.filter { $0 <= n }
                    for i in points.indices {
                        let isLast = i == points.count - 1
                        let piece = isLast ? Array(o[points[i]...]) : Array(o[points[i]..<min(points[i + 1] + 1, n)])
                        if first {
                            if !isLast { fragments[row] = [Double](repeating: 0, count: maxLen) }
                            for (k, v) in piece.enumerated() { fragments[row][k] = v.isNaN ? 0 : Double(Float(v)) }
                        }
                        if !isLast {
                            let tagValue = item.sequence.selectTag(tag, points[i], points[i + 1] + 1)
                            w[row] = seqWeight * (Double(tagValue.reduce(0, +)) / Double(points[i + 1] - points[i] + 1))
                        } else {
                            let tagValue = item.sequence.selectTag(tag, points[i], n)
                            w[row] = seqWeight * (Double(tagValue.reduce(0, +)) / (Double(item.gtLength - points[i]) + 1e-16))
                        }
                        row += 1
                    }
                } else {
                    let maxIdx = min(n, maxLen)
                    if first { for k in 0..<maxIdx { fragments[row][k] = o[k] } }
                    let tagValue = item.sequence.selectTag(tag, 0, maxIdx)
                    w[row] = seqWeight * (Double(tagValue.reduce(0, +)) / Double(maxIdx))
                    row += 1
                }
            }
            weights[tag] = w
            first = false
        }
        self.fragments = fragments
        self.weights = weights
        curves = weights.mapValues { calculateExpectedOverlap(fragments: fragments, weights: $0) }
    }

    /// EAO of `tag` over `interval`.
    public func eao(_ tag: String = "all", interval: Interval) -> Double {
        guard let curve = curves[tag] else { preconditionFailure("EAO of tag '\(tag)' was not computed") }
        return Self.average(curve, interval: interval)
    }

    /// `np.sum(e[valid] * weight[valid]) / np.sum(weight[valid])`, weight 1 on `[low − 1, high − 1]`.
    public static func average(_ curve: [Float], interval: Interval) -> Double {
        var products: [Double] = []
        var weights: [Double] = []
        for (i, e) in curve.enumerated() where !e.isNaN {
            let w: Double = (interval.low - 1...interval.high - 1).contains(i) ? 1 : 0
            products.append(Double(e) * w)
            weights.append(w)
        }
        return numpySum(products) / numpySum(weights)
    }
}
