// Mirrors the matplotlib output of pysot/toolkit/visualization/draw_*.py as SVG (no pysot file draws SVG)
import Foundation

/// Draws a `PlotFigure` as a standalone SVG 1.1 document (sans-serif text, the plot area clipped).
enum SVGRenderer {
    static func render(_ f: PlotFigure) -> String {
        var s = ""
        func n(_ v: Double) -> String {
            let r = (v * 100).rounded() / 100
            return r == r.rounded() ? String(Int(r)) : String(r)
        }
        func text(_ t: String, _ x: Double, _ y: Double, anchor: String = "middle", size: Int = 15, bold: Bool = false, rotate: Bool = false) {
            let lines = t.split(separator: "\n", omittingEmptySubsequences: false)
            let first = y - Double(lines.count - 1) * 9
            for (k, line) in lines.enumerated() {
                let ly = first + Double(k) * 18
                let transform = rotate ? " transform=\"rotate(-90 \(n(x)) \(n(ly)))\"" : ""
                s += "<text x=\"\(n(x))\" y=\"\(n(ly))\" text-anchor=\"\(anchor)\" dominant-baseline=\"central\" font-size=\"\(size)\""
                s += (bold ? " font-weight=\"bold\"" : "") + transform + ">" + escape(String(line)) + "</text>\n"
            }
        }
        let w = f.width
        let h = f.height
        let pl = PlotFigure.left
        let pt = PlotFigure.top
        let ps = PlotFigure.plotSize
        s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(n(w))\" height=\"\(n(h))\" viewBox=\"0 0 \(n(w)) \(n(h))\""
        s += " font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        s += "<title>\(escape(f.title))</title>\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(n(w))\" height=\"\(n(h))\" fill=\"#ffffff\"/>\n"
        s += "<defs><clipPath id=\"plot\"><rect x=\"\(n(pl))\" y=\"\(n(pt))\" width=\"\(n(ps))\" height=\"\(n(ps))\"/></clipPath></defs>\n"
        text(f.title, pl + ps / 2, pt / 2, size: 17, bold: true)
        if let band = f.band {
            let x0 = max(pl, f.px(band.low))
            let x1 = min(pl + ps, f.px(band.high))
            s += "<rect x=\"\(n(x0))\" y=\"\(n(pt))\" width=\"\(n(max(0, x1 - x0)))\" height=\"\(n(ps))\" fill=\"#e8e8e8\"/>\n"
            text(band.caption, (x0 + x1) / 2, pt + 14, size: 13)
        }
        if f.framed {
            for (k, t) in f.xTicks.enumerated() {
                let x = f.px(t)
                s += "<line x1=\"\(n(x))\" y1=\"\(n(pt))\" x2=\"\(n(x))\" y2=\"\(n(pt + ps))\" stroke=\"#cccccc\" stroke-width=\"1\"/>\n"
                s += "<line x1=\"\(n(x))\" y1=\"\(n(pt + ps))\" x2=\"\(n(x))\" y2=\"\(n(pt + ps + 6))\" stroke=\"#000000\" stroke-width=\"1\"/>\n"
                if k % f.xLabelStride == 0 { text(PlotFigure.tickText(t, f.xTickDecimals), x, pt + ps + 18) }
            }
            for t in f.yTicks {
                let y = f.py(t)
                s += "<line x1=\"\(n(pl))\" y1=\"\(n(y))\" x2=\"\(n(pl + ps))\" y2=\"\(n(y))\" stroke=\"#cccccc\" stroke-width=\"1\"/>\n"
                s += "<line x1=\"\(n(pl - 6))\" y1=\"\(n(y))\" x2=\"\(n(pl))\" y2=\"\(n(y))\" stroke=\"#000000\" stroke-width=\"1\"/>\n"
                text(PlotFigure.tickText(t, f.yTickDecimals), pl - 10, y, anchor: "end")
            }
            text(f.xLabel, pl + ps / 2, pt + ps + 48, size: 16)
            text(f.yLabel, pl - 66, pt + ps / 2, size: 16, rotate: true)
        }
        for l in f.labels { text(l.text, f.px(l.x), f.py(l.y), size: 14) }
        s += "<g clip-path=\"url(#plot)\">\n"
        for series in f.series { s += seriesSVG(series, f, n) }
        s += "</g>\n"
        if f.framed {
            s += "<rect x=\"\(n(pl))\" y=\"\(n(pt))\" width=\"\(n(ps))\" height=\"\(n(ps))\""
            s += " fill=\"none\" stroke=\"#000000\" stroke-width=\"1.2\"/>\n"
        }
        let legend = f.legendLayout()
        if let frame = legend.frame {
            s += "<rect x=\"\(n(frame.x))\" y=\"\(n(frame.y))\" width=\"\(n(frame.w))\" height=\"\(n(frame.h))\" rx=\"4\""
            s += " fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#bbbbbb\"/>\n"
        }
        for e in legend.entries {
            var sample = e.series
            sample.points = []
            s += lineSVG([(e.x, e.y), (e.x + 34, e.y)], sample, n)
            if let m = sample.marker { s += markerSVG(m, e.x + 17, e.y, sample, n) }
            text(e.series.label!, e.textX, e.y, anchor: "start")
        }
        s += "</svg>\n"
        return s
    }

    static func seriesSVG(_ series: PlotFigure.Series, _ f: PlotFigure, _ n: (Double) -> String) -> String {
        var s = ""
        if series.width > 0 { for piece in PlotFigure.pieces(series.points, f) { s += lineSVG(piece, series, n) } }
        if let m = series.marker {
            for (x, y) in series.markerPoints ?? series.points where !x.isNaN && !y.isNaN { s += markerSVG(m, f.px(x), f.py(y), series, n) }
        }
        return s
    }

    static func lineSVG(_ pts: [(Double, Double)], _ series: PlotFigure.Series, _ n: (Double) -> String) -> String {
        guard series.width > 0, pts.count > 1 else { return "" }
        let list = pts.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        var s = "<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(series.color.hex)\" stroke-width=\"\(n(series.width))\""
        s += " stroke-linejoin=\"round\" stroke-linecap=\"round\""
        if let p = series.dash.pattern { s += " stroke-dasharray=\"\(p.map(n).joined(separator: ","))\"" }
        return s + "/>\n"
    }

    static func markerSVG(_ m: PlotFigure.Marker, _ x: Double, _ y: Double, _ series: PlotFigure.Series, _ n: (Double) -> String) -> String {
        let r = series.markerRadius
        let edge = (series.markerEdge ?? series.color).hex
        let fill = series.color.hex
        switch m {
        case .circle, .point:
            let rr = m == .point ? r * 0.5 : r
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(rr))\" fill=\"\(fill)\" stroke=\"\(edge)\" stroke-width=\"1\"/>\n"
        case .cross:
            return "<path d=\"M\(n(x - r)),\(n(y - r))L\(n(x + r)),\(n(y + r))M\(n(x - r)),\(n(y + r))L\(n(x + r)),\(n(y - r))\""
                + " stroke=\"\(edge)\" stroke-width=\"2\"/>\n"
        default:
            let pts = m.polygon(radius: r)!.map { "\(n(x + $0.0)),\(n(y + $0.1))" }.joined(separator: " ")
            return "<polygon points=\"\(pts)\" fill=\"\(fill)\" stroke=\"\(edge)\" stroke-width=\"1\"/>\n"
        }
    }

    static func escape(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
