// The loss curves of a training run (what pysot leaves to TensorBoard), drawn like the benchmark plots
import Foundation

extension PlotFigure {
    /// Loss against iteration: one line per named curve (pysot's `cls_loss`, `loc_loss`,
    /// `total_loss`, each a moving average), colours by rank, x from 0 to the last iteration, y
    /// from 0 to the largest value rounded up to a tick, legend lower left.
    static func lossCurves(_ curves: [(name: String, points: [(iteration: Double, loss: Double)])], title: String) -> PlotFigure {
        var f = PlotFigure(title: title, xLabel: "Iteration", yLabel: "Loss")
        let xs = curves.flatMap { $0.points.map(\.iteration) }.filter(\.isFinite)
        let ys = curves.flatMap { $0.points.map(\.loss) }.filter(\.isFinite)
        let xMax = max(1, xs.max() ?? 1)
        let yTop = max(1e-6, ys.max() ?? 1)
        func niceStep(_ range: Double) -> Double {
            let raw = range / 5
            let magnitude = pow(10, (log10(raw)).rounded(.down))
            return [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        }
        let xStep = niceStep(xMax)
        let yStep = niceStep(yTop)
        f.xRange = 0...(xStep * (xMax / xStep).rounded(.up))
        f.yRange = 0...(yStep * (yTop / yStep).rounded(.up))
        f.xTicks = stride(from: 0, through: f.xRange.upperBound + xStep / 2, by: xStep).map { $0 }
        f.yTicks = stride(from: 0, through: f.yRange.upperBound + yStep / 2, by: yStep).map { $0 }
        f.xTickDecimals = xStep >= 1 ? 0 : 2
        f.yTickDecimals = yStep >= 1 ? 0 : (yStep >= 0.1 ? 1 : 2)
        f.legend = .lowerLeft
        for (rank, curve) in curves.enumerated() {
            f.series.append(Series(points: curve.points.map { ($0.iteration, $0.loss) }, color: .rank(rank), width: 1.5, label: curve.name))
        }
        return f
    }
}

extension PlotWriter {
    /// `loss.svg` and `loss.png` in `directory`: the curves against iteration.
    @discardableResult
    public static func write(lossCurves curves: [(name: String, points: [(iteration: Double, loss: Double)])], title: String, to directory: URL)
        throws -> [URL]
    {
        try write([("loss", PlotFigure.lossCurves(curves, title: title))], to: directory)
    }
}
