// Mirrors pysot toolkit/utils/statistics.py (overlap_ratio, success_overlap, success_error) and
// toolkit/evaluation/ope_benchmark.py (eval_success, eval_precision, eval_norm_precision)
import Foundation

/// One-pass evaluation (OTB / UAV / NFS / LaSOT protocol) of one sequence, exactly as pysot's
/// toolkit computes it.
///
/// Boxes are `[x, y, w, h]` (0-based, top-left corner); NaN is allowed (missing ground truth or
/// prediction). Rules that matter:
/// * success: IoU (no +1 on widths, clipped to [0, 1]) only where the ground truth has w > 0 and
///   h > 0; other frames count as IoU -1 but stay in the denominator; a frame succeeds when
///   IoU > threshold (strict), thresholds `0, 0.05, ..., 1`;
/// * precision: centre distance, centres `x + (w - 1) / 2`; frames whose ground-truth centre is
///   not > 0 in both coordinates count as distance -1, i.e. a success at every threshold;
///   success when distance <= threshold, thresholds 0...50 px; a NaN prediction never succeeds;
/// * normalised precision: both centres divided by the ground-truth (w, h) + 1e-16, thresholds
///   0, 0.01, ..., 0.5;
/// * LaSOT-style `visible` flags: invisible frames are dropped, the denominator stays the full
///   length.
public struct OnePassEvaluation: Sendable, Equatable {
    /// Success rate at IoU thresholds `0, 0.05, ..., 1` (21 values).
    public var successCurve: [Double]
    /// Precision at 0...50 px (51 values).
    public var precisionCurve: [Double]
    /// Normalised precision at 0, 0.01, ..., 0.5 (51 values).
    public var normalizedPrecisionCurve: [Double]

    /// Area under the success curve (its mean), pysot's "Success" / AUC.
    public var auc: Double { successCurve.reduce(0, +) / Double(successCurve.count) }
    /// Precision at 20 px.
    public var precision: Double { precisionCurve[20] }
    /// Normalised precision at 0.20.
    public var normalizedPrecision: Double { normalizedPrecisionCurve[20] }

    public static let successThresholds: [Double] = (0..<21).map { Double($0) * 0.05 }
    public static let precisionThresholds: [Double] = (0..<51).map { Double($0) }
    public static let normalizedThresholds: [Double] = (0..<51).map { Double($0) / 100 }

    /// Evaluates `predictions` against `groundTruth` (same length; each `[x, y, w, h]`).
    /// `visible`, when given, marks the frames to keep (LaSOT's absent flags inverted).
    public init(groundTruth: [[Double]], predictions: [[Double]], visible: [Bool]? = nil) {
        precondition(groundTruth.count == predictions.count, "ground truth and predictions differ in length")
        let n = Double(groundTruth.count)
        var gt = groundTruth
        var pred = predictions
        if let visible {
            precondition(visible.count == gt.count, "one visibility flag per frame")
            gt = zip(gt, visible).filter { $0.1 }.map { $0.0 }
            pred = zip(pred, visible).filter { $0.1 }.map { $0.0 }
        }
        let ious = zip(gt, pred).map { g, p in g[2] > 0 && g[3] > 0 ? Self.overlap(g, p) : -1 }
        successCurve = Self.successThresholds.map { t in Double(ious.filter { $0 > t }.count) / n }

        func center(_ b: [Double]) -> (Double, Double) { (b[0] + (b[2] - 1) / 2, b[1] + (b[3] - 1) / 2) }
        func curve(_ centers: [((Double, Double), (Double, Double))], _ thresholds: [Double]) -> [Double] {
            let distances = centers.map { g, p -> Double in
                guard g.0 > 0 && g.1 > 0 else { return -1 }
                return ((g.0 - p.0) * (g.0 - p.0) + (g.1 - p.1) * (g.1 - p.1)).squareRoot()
            }
            return thresholds.map { t in Double(distances.filter { $0 <= t }.count) / n }
        }
        precisionCurve = curve(zip(gt, pred).map { (center($0), center($1)) }, Self.precisionThresholds)
        normalizedPrecisionCurve = curve(
            zip(gt, pred).map { g, p in
                let gc = center(g)
                let pc = center(p)
                let sw = g[2] + 1e-16
                let sh = g[3] + 1e-16
                return ((gc.0 / sw, gc.1 / sh), (pc.0 / sw, pc.1 / sh))
            }, Self.normalizedThresholds)
    }

    /// pysot's `overlap_ratio` of two `[x, y, w, h]` boxes (NaN when the union is 0 or a value is NaN).
    public static func overlap(_ a: [Double], _ b: [Double]) -> Double {
        let left = max(a[0], b[0])
        let right = min(a[0] + a[2], b[0] + b[2])
        let top = max(a[1], b[1])
        let bottom = min(a[1] + a[3], b[1] + b[3])
        if [left, right, top, bottom].contains(where: \.isNaN) { return .nan }
        let intersect = max(0, right - left) * max(0, bottom - top)
        let union = a[2] * a[3] + b[2] * b[3] - intersect
        let iou = intersect / union
        return iou.isNaN ? .nan : max(min(1, iou), 0)
    }
}
