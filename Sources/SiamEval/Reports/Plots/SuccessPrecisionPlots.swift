// Mirrors pysot/toolkit/visualization/draw_success_precision.py (draw_success_precision)
import Foundation

extension PlotFigure {
    /// pysot's success, precision and (LaSOT) normalised-precision plots for the videos in
    /// `videos` (nil: all) — `attribute` nil for pysot's `ALL`.
    ///
    /// As pysot draws them: trackers ranked by the plotted score (success: AUC = mean of the
    /// curves; precision: the mean curve at 20 px; normalised: at 0.20), colour and line style by
    /// rank (`-`, `--`, `:`), width 2, legend `[0.681] name` (lower left for success, lower right
    /// for the others); axes fitted tightly to the curves with 0.03 added above, x ticks every 0.1,
    /// 5 px or 0.05, y ticks every 0.1 from the lowest value; square plot area.
    static func onePass(_ results: OPEResults, attribute: String?) -> [(kind: String, figure: PlotFigure)] {
        let names = attribute.map { results.videos(withAttribute: $0) }
        let trackers = results.trackers.map { t in names.map { t.restricted(to: $0) } ?? t }
        let scope = attribute.map { "OPE on \(results.dataset) - \($0)" } ?? "OPE on \(results.dataset)"
        var out: [(String, PlotFigure)] = []
        out.append(
            (
                "success_plot",
                curves(
                    trackers, title: "Success plots of \(scope)", xLabel: "Overlap threshold", yLabel: "Success rate",
                    thresholds: OnePassThresholds.success, xStep: 0.1, xDecimals: 1, legend: .lowerLeft, score: \.auc, curve: \.successCurve)
            ))
        out.append(
            (
                "precision_plot",
                curves(
                    trackers, title: "Precision plots of \(scope)", xLabel: "Location error threshold", yLabel: "Precision",
                    thresholds: OnePassThresholds.precision, xStep: 5, xDecimals: 0, legend: .lowerRight, score: \.precision,
                    curve: \.precisionCurve)
            ))
        if results.reportsNormalizedPrecision {
            out.append(
                (
                    "norm_precision_plot",
                    curves(
                        trackers, title: "Normalized Precision plots of \(scope)", xLabel: "Location error threshold", yLabel: "Precision",
                        thresholds: OnePassThresholds.normalized, xStep: 0.05, xDecimals: 2, legend: .lowerRight, score: \.normalizedPrecision,
                        curve: \.normalizedPrecisionCurve)
                ))
        }
        return out
    }

    static func curves(
        _ trackers: [OPEResults.Tracker], title: String, xLabel: String, yLabel: String, thresholds: [Double], xStep: Double,
        xDecimals: Int, legend: LegendPlacement, score: (OPEResults.Tracker) -> Double, curve: (OPEResults.Tracker) -> [Double]
    ) -> PlotFigure {
        var f = PlotFigure(title: title, xLabel: xLabel, yLabel: yLabel)
        let ranked = pythonSortedDescending(trackers, key: score)
        for (rank, t) in ranked.enumerated() {
            let c = curve(t)
            f.series.append(
                Series(
                    points: Array(zip(thresholds, c)), color: .rank(rank), dash: .rank(rank), width: 2,
                    label: "[\(PythonFormat.fixed(score(t), 3))] \(t.name)"))
        }
        let ys = ranked.flatMap(curve).filter { !$0.isNaN }
        let ymin = ys.min() ?? 0
        let ymax = (ys.max() ?? 1) + 0.03
        f.xRange = thresholds.first!...thresholds.last!
        f.yRange = ymin...(ymax > ymin ? ymax : ymin + 1)
        f.xTicks = numpyArange(thresholds.first!, thresholds.last! + 0.01, xStep)
        f.yTicks = numpyArange(ymin, ymax, 0.1)
        f.xTickDecimals = xDecimals
        f.yTickDecimals = ymin == (ymin * 10).rounded() / 10 ? 1 : 2
        f.legend = legend
        return f
    }
}

/// The thresholds the one-pass curves are sampled at.
enum OnePassThresholds {
    static let success = (0..<21).map { Double($0) * 0.05 }
    static let precision = (0..<51).map { Double($0) }
    static let normalized = (0..<51).map { Double($0) / 100 }
}
