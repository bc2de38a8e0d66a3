// Mirrors pysot/toolkit/visualization/draw_utils.py (COLOR, LINE_STYLE, MARKER_STYLE) and the
// matplotlib figure elements the draw_*.py files use; rendered by SVGRenderer and RasterRenderer
import Foundation

/// An RGB colour, components in [0, 1].
struct PlotColor: Sendable, Equatable {
    var r: Double
    var g: Double
    var b: Double

    init(_ r: Double, _ g: Double, _ b: Double) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// `#rrggbb`.
    var hex: String {
        func c(_ v: Double) -> String {
            let h = String(Int((max(0, min(1, v)) * 255).rounded()), radix: 16)
            return h.count == 1 ? "0" + h : h
        }
        return "#" + c(r) + c(g) + c(b)
    }

    /// pysot's `COLOR` by rank, with its two colours that vanish on white made darker: green
    /// (0, 1, 0) → (0, 0.7, 0) and yellow (1, 1, 0) → (0.8, 0.65, 0). Ranks past 11 wrap around
    /// (pysot fails there).
    static let palette: [PlotColor] = [
        PlotColor(1, 0, 0), PlotColor(0, 0.7, 0), PlotColor(1, 0, 1), PlotColor(0.8, 0.65, 0), PlotColor(0, 162 / 255, 232 / 255),
        PlotColor(0.5, 0.5, 0.5), PlotColor(0, 0, 1), PlotColor(0, 0.8, 0.8), PlotColor(136 / 255, 0, 21 / 255),
        PlotColor(1, 127 / 255, 39 / 255), PlotColor(0, 0, 0)
    ]

    static func rank(_ i: Int) -> PlotColor { palette[i % palette.count] }
    static let black = PlotColor(0, 0, 0)
    static let grid = PlotColor(0.8, 0.8, 0.8)
}

/// A figure described once and drawn by both renderers (so the SVG and the PNG agree).
struct PlotFigure {
    enum Dash: Equatable {
        case solid
        case dashed
        case dotted

        /// pysot's `LINE_STYLE` by rank: `-`, `--`, `:`, repeating.
        static func rank(_ i: Int) -> Dash { [.solid, .dashed, .dotted][i % 3] }

        /// On / off lengths in pixels.
        var pattern: [Double]? {
            switch self {
            case .solid: return nil
            case .dashed: return [9, 5]
            case .dotted: return [2.5, 4]
            }
        }
    }

    /// pysot's `MARKER_STYLE` shapes.
    enum Marker: Equatable {
        case circle
        case triangleDown
        case triangleLeft
        case star
        case diamond
        case cross
        case point

        /// `o v < * D x . x < .` by rank.
        static func rank(_ i: Int) -> Marker {
            [.circle, .triangleDown, .triangleLeft, .star, .diamond, .cross, .point, .cross, .triangleLeft, .point][i % 10]
        }

        /// The outline (pixel offsets from the centre, y down) of the filled shapes; nil for circle,
        /// point and cross.
        func polygon(radius r: Double) -> [(Double, Double)]? {
            switch self {
            case .triangleDown: return [(-r, -r * 0.8), (r, -r * 0.8), (0, r)]
            case .triangleLeft: return [(r * 0.8, -r), (r * 0.8, r), (-r, 0)]
            case .diamond: return [(0, -r), (r * 0.75, 0), (0, r), (-r * 0.75, 0)]
            case .star:
                return (0..<10).map { k in
                    let a = -Double.pi / 2 + Double(k) * .pi / 5
                    let rr = k % 2 == 0 ? r * 1.15 : r * 0.5
                    return (rr * cos(a), rr * sin(a))
                }
            default: return nil
            }
        }
    }

    struct Series {
        /// Data coordinates; a NaN coordinate breaks the line.
        var points: [(Double, Double)]
        var color: PlotColor
        var dash: Dash = .solid
        /// Line width in pixels (0: no line).
        var width: Double = 2
        var marker: Marker?
        /// Where markers go (default: every point).
        var markerPoints: [(Double, Double)]?
        /// Marker edge colour (default: the line's); the fill is always `color`.
        var markerEdge: PlotColor?
        var markerRadius: Double = 4.5
        var label: String?
    }

    /// Text at a data position, centred (lines split at `\n`).
    struct Label {
        var x: Double
        var y: Double
        var text: String
    }

    enum LegendPlacement {
        case lowerLeft
        case lowerRight
        /// Centred under the plot, up to 5 entries a row, no frame (draw_eao's).
        case below
    }

    var title: String
    var xLabel = ""
    var yLabel = ""
    var xRange: ClosedRange<Double> = 0...1
    var yRange: ClosedRange<Double> = 0...1
    var xTicks: [Double] = []
    var yTicks: [Double] = []
    var xTickDecimals = 1
    var yTickDecimals = 1
    /// Axes frame, ticks and grid (false for the polar EAO plot).
    var framed = true
    var series: [Series] = []
    var labels: [Label] = []
    /// A shaded x interval (the EAO interval) with its caption.
    var band: (low: Double, high: Double, caption: String)?
    var legend: LegendPlacement = .lowerLeft

    // Layout in pixels, shared by both renderers: a square plot area.
    static let plotSize = 560.0
    static let left = 100.0
    static let top = 56.0
    static let rightMargin = 40.0
    static let bottomMargin = 76.0
    /// Text metrics of the PNG's bitmap font at scale 2 (the SVG uses the same boxes).
    static let charWidth = 12.0
    static let lineHeight = 16.0

    var legendEntries: [Series] { series.filter { $0.label != nil } }
    var legendRows: Int { legend == .below ? (legendEntries.count + 4) / 5 : legendEntries.count }
    var width: Double { Self.left + Self.plotSize + Self.rightMargin }
    var height: Double { Self.top + Self.plotSize + Self.bottomMargin + (legend == .below ? Double(legendRows) * 24 + 8 : 0) }

    /// Data → pixel (y down).
    func px(_ x: Double) -> Double { Self.left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * Self.plotSize }
    func py(_ y: Double) -> Double {
        Self.top + Self.plotSize - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * Self.plotSize
    }

    /// Legend entries with their boxes: (sample line start x, y centre, text x) per entry, and
    /// the frame (nil for `.below`).
    func legendLayout() -> (entries: [(series: Series, x: Double, y: Double, textX: Double)], frame: (x: Double, y: Double, w: Double, h: Double)?) {
        let entries = legendEntries
        guard !entries.isEmpty else { return ([], nil) }
        let sample = 34.0
        let rowHeight = 22.0
        if legend == .below {
            let columnWidth = (entries.map { Double($0.label!.count) * Self.charWidth }.max() ?? 0) + sample + 24
            let perRow = min(5, entries.count)
            let rowWidth = Double(perRow) * columnWidth
            let x0 = Self.left + Self.plotSize / 2 - rowWidth / 2
            let y0 = Self.top + Self.plotSize + 52
            let placed = entries.enumerated().map { k, s in
                let x = x0 + Double(k % 5) * columnWidth
                return (s, x, y0 + Double(k / 5) * 24, x + sample + 6)
            }
            return (placed, nil)
        }
        let textWidth = entries.map { Double($0.label!.count) * Self.charWidth }.max() ?? 0
        let w = 10 + sample + 6 + textWidth + 10
        let h = Double(entries.count) * rowHeight + 10
        let x = legend == .lowerLeft ? Self.left + 10 : Self.left + Self.plotSize - 10 - w
        let y = Self.top + Self.plotSize - 10 - h
        let placed = entries.enumerated().map { k, s in (s, x + 10, y + 5 + rowHeight * (Double(k) + 0.5), x + 10 + sample + 6) }
        return (placed, (x, y, w, h))
    }

    /// The polyline pieces between NaN points, in pixels.
    static func pieces(_ points: [(Double, Double)], _ f: PlotFigure) -> [[(Double, Double)]] {
        var out: [[(Double, Double)]] = [[]]
        for (x, y) in points {
            if x.isNaN || y.isNaN {
                if !out.last!.isEmpty { out.append([]) }
            } else {
                out[out.count - 1].append((f.px(x), f.py(y)))
            }
        }
        return out.filter { !$0.isEmpty }
    }

    /// Every how many x ticks a label is written (1 unless the labels would touch).
    var xLabelStride: Int {
        guard xTicks.count > 1 else { return 1 }
        let widest = xTicks.map { Double(Self.tickText($0, xTickDecimals).count) * Self.charWidth }.max() ?? 0
        let spacing = abs(px(xTicks[1]) - px(xTicks[0]))
        return max(1, Int(((widest + 14) / spacing).rounded(.up)))
    }

    static func tickText(_ v: Double, _ decimals: Int) -> String { PythonFormat.fixed(abs(v) < 1e-12 ? 0 : v, decimals) }
}

/// `np.arange(start, stop, step)`: `ceil((stop − start) / step)` values `start + i · step`.
func numpyArange(_ start: Double, _ stop: Double, _ step: Double) -> [Double] {
    let n = Int(((stop - start) / step).rounded(.up))
    return n > 0 ? (0..<n).map { start + Double($0) * step } : []
}
