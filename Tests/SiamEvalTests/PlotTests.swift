import Foundation
import SiamEval
import Testing

@testable import SiamRPN

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The plot files: every SVG is well-formed XML, every PNG decodes with the package's own decoder
/// at the documented size, legends carry pysot's `[score] name` labels in pysot's rank order,
/// computed from the fixture curves. (`PLOT_OUTPUT=<dir>` keeps the files there for looking at.)
struct PlotTests {
    static func directory(_ name: String) -> URL {
        if let keep = ProcessInfo.processInfo.environment["PLOT_OUTPUT"] { return URL(fileURLWithPath: keep).appendingPathComponent(name) }
        return FileManager.default.temporaryDirectory.appendingPathComponent("siameval-plots-\(UUID().uuidString)/\(name)")
    }

    /// The `<text>` contents of an SVG, in document order; nil when it is not well-formed XML.
    final class TextCollector: NSObject, XMLParserDelegate {
        var texts: [String] = []
        var inText = false
        var root: String?
        func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if root == nil { root = e }
            if e == "text" {
                inText = true
                texts.append("")
            }
        }
        func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) { if e == "text" { inText = false } }
        func parser(_ p: XMLParser, foundCharacters s: String) { if inText { texts[texts.count - 1] += s } }
    }

    static func svgTexts(_ url: URL) throws -> [String]? {
        let parser = XMLParser(data: try Data(contentsOf: url))
        let collector = TextCollector()
        parser.delegate = collector
        guard parser.parse(), collector.root == "svg" else { return nil }
        return collector.texts
    }

    static func checkFiles(_ urls: [URL], expectedNames: [String]) throws {
        #expect(urls.map(\.lastPathComponent) == expectedNames.flatMap { [$0 + ".svg", $0 + ".png"] })
        for url in urls {
            if url.pathExtension == "png" {
                let data = try Data(contentsOf: url)
                #expect(Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(url.lastPathComponent) signature")
                let image = try Image.decode(data)
                #expect(image.width == 700 && image.height >= 692, "\(url.lastPathComponent) \(image.size)")
                // Not blank: coloured (non-grey) ink exists.
                let coloured = stride(from: 0, to: image.pixels.count, by: 3).contains { i in
                    let p = image.pixels[i..<i + 3]
                    return p.max()! - p.min()! > 100
                }
                #expect(coloured, "\(url.lastPathComponent) has coloured curves")
            } else {
                #expect(try svgTexts(url) != nil, "\(url.lastPathComponent) is well-formed SVG")
            }
        }
    }

    @Test func opePlotsCarryPysotsLegendLabelsPerAttribute() throws {
        var results = try ReportTableTests.opeResults(dataset: "LaSOT")
        results.videoAttributes = ["Dog": ["Deformation"], "Girl": ["Occlusion", "Deformation"], "Woman": ["Occlusion"]]
        let dir = Self.directory("ope")
        let urls = try PlotWriter.write(ope: results, to: dir)
        let kinds = ["success_plot", "precision_plot", "norm_precision_plot"]
        try Self.checkFiles(urls, expectedNames: kinds + kinds.map { $0 + "_Deformation" } + kinds.map { $0 + "_Occlusion" })
        // AUC 0.692 / 0.681 / 0.645 and P@20 0.985 / 0.975 / 0.952 (the fixture's overall numbers).
        let success = try Self.svgTexts(dir.appendingPathComponent("success_plot.svg"))!
        #expect(success.contains("Success plots of OPE on LaSOT"))
        #expect(success.filter { $0.hasPrefix("[") } == ["[0.692] NanoTrackV2", "[0.681] NanoTrackV3", "[0.645] NanoTrackV1"])
        let precision = try Self.svgTexts(dir.appendingPathComponent("precision_plot.svg"))!
        #expect(precision.filter { $0.hasPrefix("[") } == ["[0.985] NanoTrackV3", "[0.975] NanoTrackV2", "[0.952] NanoTrackV1"])
        let truth = try EvalFixtures.json("ope/metrics.json")
        let norm = try Self.svgTexts(dir.appendingPathComponent("norm_precision_plot.svg"))!.filter { $0.hasPrefix("[") }
        #expect(norm.first == "[\(PythonFormat.fixed(truth["NanoTrackV2"]!["overall"]!["norm_precision_at_0.20"]!.double, 3))] NanoTrackV2")
        // The attribute subset: Girl + Woman only.
        let occlusion = try Self.svgTexts(dir.appendingPathComponent("success_plot_Occlusion.svg"))!
        #expect(occlusion.contains("Success plots of OPE on LaSOT - Occlusion"))
        let subset = results.trackers.map { $0.restricted(to: ["Girl", "Woman"]) }
        let expected = subset.sorted { $0.auc > $1.auc }.map { "[\(PythonFormat.fixed($0.auc, 3))] \($0.name)" }
        #expect(occlusion.filter { $0.hasPrefix("[") } == expected)
        // OTB: no normalised-precision plot (eval.py computes none).
        results.reportsNormalizedPrecision = false
        results.videoAttributes = [:]
        try Self.checkFiles(try PlotWriter.write(ope: results, to: Self.directory("otb")), expectedNames: ["success_plot", "precision_plot"])
    }

    @Test func votPlotsShowTheEAOPerTagAndTheExpectedOverlapCurves() throws {
        let results = try ReportTableTests.votResults("vot_st", ["TrkA", "TrkB"])
        let dir = Self.directory("vot")
        try Self.checkFiles(try PlotWriter.write(vot: results, to: dir), expectedNames: ["eao", "eao_curve"])
        let radar = try Self.svgTexts(dir.appendingPathComponent("eao.svg"))!
        // Captions "Overall\n(min,max)" as two text lines: EAO all of TrkA 0.331, TrkB 0.396.
        #expect(radar.contains("Overall") && radar.contains("(0.331,0.396)") && radar.contains("(nan,nan)"))
        #expect(radar.contains("TrkA") && radar.contains("TrkB"))
        let curves = try Self.svgTexts(dir.appendingPathComponent("eao_curve.svg"))!
        #expect(curves.filter { $0.hasPrefix("[") } == ["[0.396] TrkB", "[0.331] TrkA"])
        #expect(curves.contains("EAO interval [100, 356]"))
    }

    @Test func f1PlotRanksTrackersByMaxF1() throws {
        let lt = try ReportTableTests.longTermResults("vot_lt/LtA")
        let nano = try ReportTableTests.longTermResults("protocol/NanoTrackV3")
        let results = LongTermResults(dataset: "VOT2018-LT", trackers: lt.trackers + nano.trackers)
        let dir = Self.directory("lt")
        try Self.checkFiles(try PlotWriter.write(longTerm: results, to: dir), expectedNames: ["f1"])
        let texts = try Self.svgTexts(dir.appendingPathComponent("f1.svg"))!
        #expect(texts.contains("VOT2018-LT Precision vs Recall"))
        #expect(texts.filter { $0.hasPrefix("[") } == ["[0.779] NanoTrackV3", "[0.749] LtA"])
    }

    @Test func plotsAreDeterministic() throws {
        let results = try ReportTableTests.longTermResults("vot_lt/LtA")
        let a = try PlotWriter.write(longTerm: results, to: Self.directory("a"))
        let b = try PlotWriter.write(longTerm: results, to: Self.directory("b"))
        for (x, y) in zip(a, b) { #expect(try Data(contentsOf: x) == Data(contentsOf: y), "\(x.lastPathComponent)") }
    }
}
