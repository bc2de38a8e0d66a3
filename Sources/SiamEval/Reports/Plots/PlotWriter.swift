// Mirrors pysot/toolkit/visualization/draw_success_precision.py, draw_eao.py and draw_f1.py (which
// show the figures; this writes them to files)
import Foundation
import SiamRPN

/// Writes pysot's plots of a result set as SVG and PNG files, side by side.
///
/// File names (each as `.svg` and `.png`): OPE `success_plot`, `precision_plot`,
/// `norm_precision_plot` (LaSOT only, as pysot), then the same with `_<attribute>` for every
/// attribute (`OPEResults.videoAttributes`; characters other than letters, digits, `-` and `_`
/// become `_`); VOT `eao` (draw_eao's polar plot, when EAO was computed) and `eao_curve`; VOT-LT
/// `f1`. Sizes in pixels: 700 × 692 (the polar plot taller by its legend rows); the PNG is drawn with the
/// package's own anti-aliased raster and bitmap font, the SVG with real text.
public enum PlotWriter {
    /// The OPE plots; returns the files written, in order.
    @discardableResult
    public static func write(ope results: OPEResults, to directory: URL) throws -> [URL] {
        var figures = PlotFigure.onePass(results, attribute: nil)
        for attribute in results.attributes {
            figures += PlotFigure.onePass(results, attribute: attribute).map { ($0.kind + "_" + fileSafe(attribute), $0.figure) }
        }
        return try write(figures, to: directory)
    }

    /// The VOT plots: `eao` (if every tracker has EAO per tag) and `eao_curve`.
    @discardableResult
    public static func write(vot results: VOTResults, to directory: URL) throws -> [URL] {
        var figures: [(kind: String, figure: PlotFigure)] = []
        if results.hasEAO { figures.append(("eao", PlotFigure.eaoRadar(results))) }
        if results.trackers.contains(where: { $0.eaoCurve != nil }) { figures.append(("eao_curve", PlotFigure.eaoCurves(results))) }
        return try write(figures, to: directory)
    }

    /// The VOT-LT plot `f1`.
    @discardableResult
    public static func write(longTerm results: LongTermResults, to directory: URL) throws -> [URL] {
        try write([("f1", PlotFigure.f1(results))], to: directory)
    }

    static func write(_ figures: [(kind: String, figure: PlotFigure)], to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var urls: [URL] = []
        for (kind, figure) in figures {
            let svg = directory.appendingPathComponent(kind + ".svg")
            try Data(SVGRenderer.render(figure).utf8).write(to: svg, options: .atomic)
            let png = directory.appendingPathComponent(kind + ".png")
            try RasterRenderer.render(figure).pngData().write(to: png, options: .atomic)
            urls += [svg, png]
        }
        return urls
    }

    static func fileSafe(_ s: String) -> String {
        String(s.unicodeScalars.map { c in CharacterSet.alphanumerics.contains(c) && c.isASCII || c == "-" || c == "_" ? Character(c) : "_" })
    }
}
