// Mirrors pysot/toolkit/visualization/draw_f1.py (draw_f1)
import Foundation

extension PlotFigure {
    /// draw_f1's precision / recall plot: iso-F1 contours at 0.1…0.9 (thin, pale green: pysot's
    /// (0, 1, 0) would be confused with the second tracker), per tracker its mean precision against
    /// mean recall over the thresholds (the last, −inf, dropped as pysot does), ranked by max F1,
    /// colour by rank, a black-edged dot in the tracker's colour at the max-F1 point, legend
    /// `[0.749] name` lower right, axes [0, 1] with ticks every 0.1, grid, square.
    static func f1(_ results: LongTermResults) -> PlotFigure {
        var f = PlotFigure(title: "\(results.dataset) Precision vs Recall", xLabel: "Recall", yLabel: "Precision")
        f.xTicks = numpyArange(0, 1.1, 0.1)
        f.yTicks = numpyArange(0, 1.1, 0.1)
        f.legend = .lowerRight
        let contour = PlotColor(0.55, 0.85, 0.55)
        for level in numpyArange(0.1, 1, 0.1) {
            let recall = numpyArange(level, 1 + 0.01, 0.01)
            let precision = recall.map { level * $0 / (2 * $0 - level) }
            f.series.append(Series(points: Array(zip(recall, precision)), color: contour, width: 1))
            f.series.append(Series(points: Array(zip(precision, recall)), color: contour, width: 1))
        }
        for (rank, t) in pythonSortedDescending(results.trackers, key: \.best.f1).enumerated() {
            let recall = Array(t.f1.recall.dropLast())
            let precision = Array(t.f1.precision.dropLast())
            let k = t.f1.bestIndex
            f.series.append(
                Series(
                    points: Array(zip(recall, precision)), color: .rank(rank), width: 1.5, marker: k < recall.count ? .circle : nil,
                    markerPoints: k < recall.count ? [(recall[k], precision[k])] : [], markerEdge: .black, markerRadius: 5,
                    label: "[\(PythonFormat.fixed(t.best.f1, 3))] \(t.name)"))
        }
        return f
    }
}
