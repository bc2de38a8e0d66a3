// Mirrors pysot/toolkit/utils/statistics.py (calculate_failures, calculate_accuracy, calculate_expected_overlap, determine_thresholds, calculate_f1)
import Foundation

/// `calculate_failures`: the frame indices (0-based) of the `[2]` lines.
public func calculateFailures(_ trajectory: [[Double]]) -> [Int] {
    trajectory.indices.filter { trajectory[$0].count == 1 && trajectory[$0][0] == 2 }
}

/// `calculate_accuracy(pred, gt, burnin, bound=bounds)[1]`: the per-frame `votOverlap` on the first
/// `min(len(pred), len(gt))` frames, after every `[1]` line and the `burnin − 1` lines after it
/// became `[0]` (so they give NaN, as `[0]`/`[1]`/`[2]` lines do). pysot's AR passes burnin 10 and
/// the image size, its EAO burnin 0 and `(W − 1, H − 1)`.
public func calculateAccuracy(
    _ trajectory: [[Double]], _ groundTruth: [[Double]], burnin: Int = 0,
    bounds: (width: Double, height: Double)?
) -> [Double] {
    var pred = trajectory
    if burnin > 0 {
        for i in trajectory.indices where trajectory[i].count == 1 && trajectory[i][0] == 1 {
            for j in 0..<burnin where i + j < pred.count { pred[i + j] = [0] }
        }
    }
    let n = min(pred.count, groundTruth.count)
    return (0..<n).map { votOverlap(pred[$0], groundTruth[$0], bounds: bounds) }
}

/// `calculate_expected_overlap(fragments, fweights)`: the expected-overlap curve, a **float32** array
/// of the fragments' width. `e[0] = 1`; for i ≥ 1, over the rows whose column i is not NaN,
/// `Σ w · mean(row[1...i]) / Σ w` (numpy's pairwise sums; `0/0` → NaN); 0 where no row reaches i.
public func calculateExpectedOverlap(fragments: [[Double]], weights: [Double]) -> [Float] {
    guard let maxLen = fragments.first?.count, maxLen > 0 else { return [] }
    var e = [Float](repeating: 0, count: maxLen)
    e[0] = 1
    for i in 1..<maxLen {
        let rows = fragments.indices.filter { !fragments[$0][i].isNaN }
        if rows.isEmpty { continue }
        let weighted = rows.map { r in numpySum(fragments[r], 1..<(i + 1)) / Double(i) * weights[r] }
        e[i] = Float(numpySum(weighted) / numpySum(rows.map { weights[$0] }))
    }
    return e
}

/// `determine_thresholds(scores)`: the non-NaN scores sorted, `delta = floor(len / 98)`, the 98 scores
/// at `floor(linspace(delta − 1, len − delta, 98) + 0.5)`, between −inf (first) and +inf (last).
/// pysot's F1 uses them reversed. Throws (pysot: IndexError) with fewer than 98 non-NaN scores.
public func determineThresholds(_ scores: [Double], resolution: Int = 100) throws -> [Double] {
    let sorted = scores.filter { !$0.isNaN }.sorted()
    let inner = resolution - 2
    let delta = (Double(sorted.count) / Double(inner)).rounded(.down)
    let start = delta - 1
    let stop = Double(sorted.count) - delta
    // np.linspace: start + k * step, the last value set to stop exactly.
    let step = (stop - start) / Double(inner - 1)
    var thresholds = [-Double.infinity]
    for k in 0..<inner {
        let v = k == inner - 1 ? stop : Double(k) * step + start
        let idx = Int(Int32(truncatingIfNeeded: Int((v + 0.5).rounded(.down))))
        guard idx >= 0, idx < sorted.count else { throw ThresholdError(count: sorted.count, index: idx) }
        thresholds.append(sorted[idx])
    }
    thresholds.append(.infinity)
    return thresholds
}

/// Too few scores for `determineThresholds` (pysot raises IndexError).
public struct ThresholdError: Error, CustomStringConvertible {
    public var count: Int
    public var index: Int
    public var description: String { "\(count) non-NaN confidence scores: too few for 98 thresholds (index \(index))" }
}

/// `calculate_f1(overlaps, score, bound, thresholds, N)`: per threshold, the frames selected
/// (`score > 0` at −inf, else `score >= th`; NaN overlaps and scores count as 0); none selected →
/// precision 1, recall 0; else precision = mean overlap of the selected frames, recall = their sum / N.
public func calculatePrecisionRecall(overlaps: [Double], scores: [Double], thresholds: [Double], presentFrames: Int)
    -> (precision: [Double], recall: [Double])
{
    precondition(overlaps.count == scores.count, "one score per overlap")
    let o = overlaps.map { $0.isNaN ? 0 : $0 }
    let s = scores.map { $0.isNaN ? 0 : $0 }
    var precision: [Double] = []
    var recall: [Double] = []
    for th in thresholds {
        let selected = o.indices.filter { th == -.infinity ? s[$0] > 0 : s[$0] >= th }.map { o[$0] }
        if selected.isEmpty {
            precision.append(1)
            recall.append(0)
        } else {
            precision.append(numpyMean(selected))
            recall.append(numpySum(selected) / Double(presentFrames))
        }
    }
    return (precision, recall)
}

/// `2 * p * r / (p + r)` element-wise (NaN where both are 0).
public func f1Curve(precision: [Double], recall: [Double]) -> [Double] {
    zip(precision, recall).map { 2 * $0 * $1 / ($0 + $1) }
}

/// `np.argmax`: the first maximum, or the first NaN if there is one (numpy treats NaN as the largest).
public func numpyArgmax(_ v: [Double]) -> Int {
    if let nan = v.firstIndex(where: \.isNaN) { return nan }
    var best = 0
    for i in v.indices where v[i] > v[best] { best = i }
    return best
}
