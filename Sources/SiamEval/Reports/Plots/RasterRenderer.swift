// Mirrors the matplotlib output of pysot/toolkit/visualization/draw_*.py as a bitmap (for PNG)
import Foundation
import SiamRPN

/// Draws a `PlotFigure` into the package's `Image` (BGR8, white background): anti-aliased lines
/// (coverage from the distance to each segment, so a line `width` pixels wide has soft edges and
/// round joins), supersampled markers, and text in the package's 5×7 bitmap font at scale 2
/// (upper case only; the SVG has the real case).
enum RasterRenderer {
    /// Coverage in [0, 1] per pixel index, the maximum of the shapes added (so overlapping pieces
    /// of one line do not darken).
    struct Coverage {
        var width: Int
        var height: Int
        var clip: (x0: Double, y0: Double, x1: Double, y1: Double)
        var values: [Int: Double] = [:]

        mutating func add(_ x: Int, _ y: Int, _ c: Double) {
            guard c > 0, x >= 0, y >= 0, x < width, y < height else { return }
            let cx = Double(x) + 0.5
            let cy = Double(y) + 0.5
            guard cx >= clip.x0 && cx <= clip.x1 && cy >= clip.y0 && cy <= clip.y1 else { return }
            let i = y * width + x
            if c > values[i, default: 0] { values[i] = min(c, 1) }
        }

        mutating func segment(_ a: (Double, Double), _ b: (Double, Double), halfWidth hw: Double) {
            let x0 = Int((min(a.0, b.0) - hw - 1).rounded(.down))
            let x1 = Int((max(a.0, b.0) + hw + 1).rounded(.up))
            let y0 = Int((min(a.1, b.1) - hw - 1).rounded(.down))
            let y1 = Int((max(a.1, b.1) + hw + 1).rounded(.up))
            let dx = b.0 - a.0
            let dy = b.1 - a.1
            let len2 = dx * dx + dy * dy
            for y in max(0, y0)...max(0, min(height - 1, y1)) {
                for x in max(0, x0)...max(0, min(width - 1, x1)) {
                    let px = Double(x) + 0.5
                    let py = Double(y) + 0.5
                    let t = len2 > 0 ? max(0, min(1, ((px - a.0) * dx + (py - a.1) * dy) / len2)) : 0
                    let ex = a.0 + t * dx - px
                    let ey = a.1 + t * dy - py
                    add(x, y, hw + 0.5 - (ex * ex + ey * ey).squareRoot())
                }
            }
        }

        /// A polyline, dashed by `pattern` (on, off, … in pixels) if given.
        mutating func polyline(_ pts: [(Double, Double)], width: Double, pattern: [Double]?) {
            let hw = width / 2
            guard pts.count > 1 else { return }
            guard let pattern else {
                for k in 1..<pts.count { segment(pts[k - 1], pts[k], halfWidth: hw) }
                return
            }
            var phase = 0
            var left = pattern[0]
            for k in 1..<pts.count {
                var a = pts[k - 1]
                let b = pts[k]
                var remaining = ((b.0 - a.0) * (b.0 - a.0) + (b.1 - a.1) * (b.1 - a.1)).squareRoot()
                while remaining > 0 {
                    let step = min(left, remaining)
                    let t = step / remaining
                    let next = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
                    if phase % 2 == 0 { segment(a, next, halfWidth: hw) }
                    a = next
                    remaining -= step
                    left -= step
                    if left <= 1e-9 {
                        phase += 1
                        left = pattern[phase % pattern.count]
                    }
                }
            }
        }

        mutating func disc(_ cx: Double, _ cy: Double, radius r: Double) {
            for y in Int(cy - r - 1)...Int(cy + r + 1) {
                for x in Int(cx - r - 1)...Int(cx + r + 1) {
                    let d = ((Double(x) + 0.5 - cx) * (Double(x) + 0.5 - cx) + (Double(y) + 0.5 - cy) * (Double(y) + 0.5 - cy)).squareRoot()
                    add(x, y, r + 0.5 - d)
                }
            }
        }

        /// A filled polygon, 4×4 samples per pixel.
        mutating func polygon(_ pts: [(Double, Double)]) {
            let xs = pts.map(\.0)
            let ys = pts.map(\.1)
            func inside(_ px: Double, _ py: Double) -> Bool {
                var c = false
                var j = pts.count - 1
                for i in pts.indices {
                    let (xi, yi) = pts[i]
                    let (xj, yj) = pts[j]
                    if (yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi { c.toggle() }
                    j = i
                }
                return c
            }
            for y in Int(ys.min()! - 1)...Int(ys.max()! + 1) {
                for x in Int(xs.min()! - 1)...Int(xs.max()! + 1) {
                    var hits = 0
                    for sy in 0..<4 {
                        for sx in 0..<4 where inside(Double(x) + (Double(sx) + 0.5) / 4, Double(y) + (Double(sy) + 0.5) / 4) { hits += 1 }
                    }
                    add(x, y, Double(hits) / 16)
                }
            }
        }
    }

    static func render(_ f: PlotFigure) -> Image {
        let w = Int(f.width.rounded())
        let h = Int(f.height.rounded())
        var image = Image(width: w, height: h, color: .white)
        let whole = (x0: 0.0, y0: 0.0, x1: Double(w), y1: Double(h))
        let pl = PlotFigure.left
        let pt = PlotFigure.top
        let ps = PlotFigure.plotSize
        let plotClip = (x0: pl - 1, y0: pt - 1, x1: pl + ps + 1, y1: pt + ps + 1)
        func canvas(_ clip: (x0: Double, y0: Double, x1: Double, y1: Double) = whole) -> Coverage { Coverage(width: w, height: h, clip: clip) }

        if let band = f.band {
            let x0 = Int(max(pl, f.px(band.low)).rounded())
            let x1 = Int(min(pl + ps, f.px(band.high)).rounded())
            image.fillRectangle(x0: x0, y0: Int(pt), x1: x1, y1: Int(pt + ps), color: gray(0.91))
            text(&image, band.caption, Double(x0 + x1) / 2, pt + 14, color: .black)
        }
        if f.framed {
            var grid = canvas()
            var ticks = canvas()
            for (k, t) in f.xTicks.enumerated() {
                let x = f.px(t)
                grid.segment((x, pt), (x, pt + ps), halfWidth: 0.5)
                ticks.segment((x, pt + ps), (x, pt + ps + 6), halfWidth: 0.6)
                if k % f.xLabelStride == 0 { text(&image, PlotFigure.tickText(t, f.xTickDecimals), x, pt + ps + 18, color: .black) }
            }
            for t in f.yTicks {
                let y = f.py(t)
                grid.segment((pl, y), (pl + ps, y), halfWidth: 0.5)
                ticks.segment((pl - 6, y), (pl, y), halfWidth: 0.6)
                text(&image, PlotFigure.tickText(t, f.yTickDecimals), pl - 10, y, color: .black, anchor: .end)
            }
            blend(&image, grid, PlotColor.grid)
            blend(&image, ticks, .black)
            text(&image, f.xLabel, pl + ps / 2, pt + ps + 48, color: .black)
            verticalText(&image, f.yLabel, pl - 66, pt + ps / 2)
        }
        for l in f.labels { text(&image, l.text, f.px(l.x), f.py(l.y), color: .black) }
        for series in f.series { draw(&image, series, f, clip: f.framed ? plotClip : whole) }
        if f.framed {
            var frame = canvas()
            frame.polyline([(pl, pt), (pl + ps, pt), (pl + ps, pt + ps), (pl, pt + ps), (pl, pt)], width: 1.2, pattern: nil)
            blend(&image, frame, .black)
        }
        let legend = f.legendLayout()
        if let fr = legend.frame {
            image.fillRectangle(x0: Int(fr.x), y0: Int(fr.y), x1: Int(fr.x + fr.w), y1: Int(fr.y + fr.h), color: .white)
            var border = canvas()
            border.polyline(
                [(fr.x, fr.y), (fr.x + fr.w, fr.y), (fr.x + fr.w, fr.y + fr.h), (fr.x, fr.y + fr.h), (fr.x, fr.y)], width: 1, pattern: nil)
            blend(&image, border, PlotColor(0.73, 0.73, 0.73))
        }
        for e in legend.entries {
            var sample = e.series
            sample.points = [(Double.nan, Double.nan)]
            var line = canvas()
            if sample.width > 0 { line.polyline([(e.x, e.y), (e.x + 34, e.y)], width: sample.width, pattern: sample.dash.pattern) }
            blend(&image, line, sample.color)
            if let m = sample.marker { marker(&image, m, e.x + 17, e.y, sample, clip: whole) }
            text(&image, e.series.label!, e.textX, e.y, color: .black, anchor: .start)
        }
        titleText(&image, f.title, pl + ps / 2, pt / 2, maxWidth: 2 * (Double(w) - (pl + ps / 2)) - 16)
        return image
    }

    static func draw(_ image: inout Image, _ series: PlotFigure.Series, _ f: PlotFigure, clip: (x0: Double, y0: Double, x1: Double, y1: Double)) {
        if series.width > 0 {
            var c = Coverage(width: image.width, height: image.height, clip: clip)
            for piece in PlotFigure.pieces(series.points, f) { c.polyline(piece, width: series.width, pattern: series.dash.pattern) }
            blend(&image, c, series.color)
        }
        if let m = series.marker {
            for (x, y) in series.markerPoints ?? series.points where !x.isNaN && !y.isNaN { marker(&image, m, f.px(x), f.py(y), series, clip: clip) }
        }
    }

    static func marker(
        _ image: inout Image, _ m: PlotFigure.Marker, _ x: Double, _ y: Double, _ series: PlotFigure.Series,
        clip: (x0: Double, y0: Double, x1: Double, y1: Double)
    ) {
        let r = series.markerRadius
        var edge = Coverage(width: image.width, height: image.height, clip: clip)
        var fill = Coverage(width: image.width, height: image.height, clip: clip)
        switch m {
        case .circle, .point:
            let rr = m == .point ? r * 0.5 : r
            edge.disc(x, y, radius: rr + 0.5)
            fill.disc(x, y, radius: rr - 0.7)
        case .cross:
            edge.segment((x - r, y - r), (x + r, y + r), halfWidth: 1)
            edge.segment((x - r, y + r), (x + r, y - r), halfWidth: 1)
        default:
            let outline = m.polygon(radius: r)!
            edge.polygon(outline.map { (x + $0.0 * 1.15, y + $0.1 * 1.15) })
            fill.polygon(outline.map { (x + $0.0 * 0.85, y + $0.1 * 0.85) })
        }
        blend(&image, edge, series.markerEdge ?? series.color)
        blend(&image, fill, series.color)
    }

    static func gray(_ v: Double) -> Image.Color {
        let c = UInt8((v * 255).rounded())
        return Image.Color(b: c, g: c, r: c)
    }

    static func blend(_ image: inout Image, _ c: Coverage, _ color: PlotColor) {
        let rgb = [color.b, color.g, color.r].map { $0 * 255 }
        image.withUnsafeMutablePixels { p in
            for (i, a) in c.values {
                for k in 0..<3 {
                    let old = Double(p[i * 3 + k])
                    p[i * 3 + k] = UInt8((old + (rgb[k] - old) * a).rounded())
                }
            }
        }
    }

    enum Anchor {
        case start
        case middle
        case end
    }

    /// Text centred vertically on `y`; each `\n` line placed by `anchor` on `x`.
    static func text(_ image: inout Image, _ t: String, _ x: Double, _ y: Double, color: Image.Color, anchor: Anchor = .middle, bold: Bool = false) {
        let lines = t.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = y - Double(lines.count - 1) * 9
        for (k, line) in lines.enumerated() {
            let size = Image.textSize(line, scale: 2)
            let ly = first + Double(k) * 18
            let left: Double
            switch anchor {
            case .start: left = x
            case .middle: left = x - Double(size.width) / 2
            case .end: left = x - Double(size.width)
            }
            let ix = Int(left.rounded())
            let iy = Int((ly - Double(size.height) / 2).rounded())
            image.drawText(line, x: ix, y: iy, color: color, scale: 2)
            if bold { image.drawText(line, x: ix + 1, y: iy, color: color, scale: 2) }
        }
    }

    /// The title in bold, wrapped at spaces to `maxWidth`.
    static func titleText(_ image: inout Image, _ t: String, _ x: Double, _ y: Double, maxWidth: Double) {
        var lines: [String] = []
        for word in t.split(separator: " ").map(String.init) {
            if let last = lines.last, Double((last.count + 1 + word.count) * 12) <= maxWidth {
                lines[lines.count - 1] = last + " " + word
            } else {
                lines.append(word)
            }
        }
        text(&image, lines.joined(separator: "\n"), x, y, color: .black, bold: true)
    }

    /// Text turned 90° counter-clockwise (the y-axis label), centred on `(x, y)`.
    static func verticalText(_ image: inout Image, _ t: String, _ x: Double, _ y: Double) {
        guard !t.isEmpty else { return }
        let size = Image.textSize(t, scale: 2)
        var strip = Image(width: size.width, height: size.height, color: .white)
        strip.drawText(t, x: 0, y: 0, color: .black, scale: 2)
        let x0 = Int((x - Double(size.height) / 2).rounded())
        let y0 = Int((y - Double(size.width) / 2).rounded())
        for ty in 0..<size.height {
            for tx in 0..<size.width where strip[tx, ty] != .white {
                let tx2 = x0 + ty
                let ty2 = y0 + (size.width - 1 - tx)
                if image.contains(x: tx2, y: ty2) { image[tx2, ty2] = strip[tx, ty] }
            }
        }
    }
}
