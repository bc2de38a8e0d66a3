// Mirrors pysot/toolkit/visualization/draw_eao.py (draw_eao) and, for the expected-overlap curves,
// the curve eao_benchmark.py averages (pysot draws no such plot)
import Foundation

extension PlotFigure {
    /// draw_eao's polar plot: one closed polygon per tracker over the seven tags (Overall, Camera
    /// motion, Illumination change, Motion Change, Size change, Occlusion, Unassigned), each value
    /// divided by the best tracker's on that tag (so the best reaches the rim), tag axes at
    /// `k · 360° / 7` counter-clockwise from the right, captions `name\n(min,max)`, colour and marker
    /// by evaluation order, legend below in rows of 5, no grid. Deviation for readability: thin grey
    /// spokes mark the axes. A NaN value (a tag without frames) leaves a gap.
    static func eaoRadar(_ results: VOTResults) -> PlotFigure {
        let tags = VOTSequence.tagNames
        let captions = ["Overall", "Camera motion", "Illumination change", "Motion Change", "Size change", "Occlusion", "Unassigned"]
        let trackers = results.trackers.filter { $0.eaoByTag != nil }
        let values = trackers.map { t in tags.map { t.eaoByTag![$0] ?? .nan } }
        // np.max / np.min over trackers: NaN if any is NaN.
        let maxima = tags.indices.map { k in values.contains { $0[k].isNaN } ? .nan : values.map { $0[k] }.max() ?? .nan }
        let minima = tags.indices.map { k in values.contains { $0[k].isNaN } ? .nan : values.map { $0[k] }.min() ?? .nan }
        var f = PlotFigure(title: "EAO per attribute on \(results.dataset)")
        f.framed = false
        f.xRange = -1.75...1.75
        f.yRange = -1.75...1.75
        f.legend = .below
        let angles = (0..<8).map { Double($0) * 2 * .pi / 7 }
        for k in 0..<7 {
            f.series.append(Series(points: [(0, 0), (1.18 * cos(angles[k]), 1.18 * sin(angles[k]))], color: .grid, width: 1))
            let caption = captions[k] + "\n(" + PythonFormat.fixed(minima[k], 3) + "," + PythonFormat.fixed(maxima[k], 3) + ")"
            f.labels.append(Label(x: 1.5 * cos(angles[k]), y: 1.36 * sin(angles[k]), text: caption))
        }
        // A tracker keeps the colour of its EAO rank, as in the expected-overlap curve plot.
        let ranked = pythonSortedDescending(Array(trackers.indices), key: { trackers[$0].eao })
        let rank = Dictionary(uniqueKeysWithValues: ranked.enumerated().map { ($1, $0) })
        for (i, t) in trackers.enumerated() {
            let r = (values[i] + [values[i][0]]).enumerated().map { k, v in v / maxima[k % 7] }
            let points = zip(r, angles).map { v, a in (v * cos(a), v * sin(a)) }
            f.series.append(
                Series(points: points, color: .rank(rank[i]!), width: 1.5, marker: .rank(rank[i]!), markerRadius: 4, label: t.name))
        }
        return f
    }

    /// The expected-overlap curve of tag `all` per tracker (x = sequence length 1…N), ranked and
    /// labelled `[EAO] name` like the other plots, the averaging interval shaded.
    static func eaoCurves(_ results: VOTResults) -> PlotFigure {
        var f = PlotFigure(title: "Expected overlap curves on \(results.dataset)", xLabel: "Sequence length", yLabel: "Expected overlap")
        let trackers = pythonSortedDescending(results.trackers.filter { $0.eaoCurve != nil }, key: \.eao)
        let n = trackers.map { $0.eaoCurve!.count }.max() ?? 1
        for (rank, t) in trackers.enumerated() {
            let points = t.eaoCurve!.enumerated().map { (Double($0 + 1), Double($1)) }
            f.series.append(
                Series(points: points, color: .rank(rank), dash: .rank(rank), width: 2, label: "[\(PythonFormat.fixed(t.eao, 3))] \(t.name)"))
        }
        f.xRange = 1...Double(max(n, 2))
        f.yRange = 0...1.03
        let step = [10.0, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000].first { Double(n) / $0 <= 10 } ?? 10000
        f.xTicks = [1] + numpyArange(step, Double(n) + 0.5, step)
        f.xTickDecimals = 0
        f.yTicks = numpyArange(0, 1.01, 0.1)
        f.legend = .lowerLeft
        if let interval = results.interval {
            f.band = (Double(interval.low), Double(interval.high), "EAO interval [\(interval.low), \(interval.high)]")
        }
        return f
    }
}
