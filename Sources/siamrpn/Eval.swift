// Mirrors pysot tools/eval.py (its flags and tables), plus JSON / Markdown output and plots
import ArgumentParser
import Foundation
import SiamEval
import SiamRPN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `siamrpn eval`: scores the result folders `siamrpn test` (or pysot's test.py) wrote, with the
/// benchmark's own measures, printed as pysot's eval.py prints them.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score trackers' result folders on a benchmark, as pysot's eval.py (tables, JSON, Markdown, plots).",
        discussion: """
            Reads TRACKER_PATH/DATASET/<tracker>/ for every tracker folder starting with TRACKER_PREFIX. \
            One-pass datasets: success AUC, precision at 20 px, normalised precision (printed for LaSOT, as \
            pysot); VOT2016-2019: accuracy, robustness, lost number and EAO; VOT2018-LT: precision, recall, F1. \
            Missing or short result files are errors naming the tracker, the video and the file.
            """)

    @Option(name: [.customLong("tracker_path"), .customShort("p")], help: "The results folder (siamrpn test --results).")
    var trackerPath: String = "results"
    @Option(name: [.customLong("dataset"), .customShort("d")], help: "Dataset name, as given to siamrpn test.")
    var dataset: String
    @Option(name: .customLong("dataset_root"), help: "The dataset folder. Default: testing_dataset/<dataset>, as pysot.")
    var datasetRoot: String?
    @Option(name: [.customLong("num"), .customShort("n")], help: "pysot's worker count; accepted for compatibility (scoring takes seconds).")
    var num: Int = 1
    @Option(name: [.customLong("tracker_prefix"), .customShort("t")], help: "Score only the tracker folders starting with this.")
    var trackerPrefix: String = ""
    @Flag(name: [.customLong("show_video_level"), .customShort("s")], help: "Also print the per-video table (as pysot).")
    var showVideoLevel = false
    @Option(help: "table (pysot's text), json or markdown.")
    var format: OutputFormat = .table
    @Option(help: "Also write pysot's plots (SVG and PNG) into this folder.")
    var plots: String?

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json, markdown
    }

    func run() throws {
        try reportingErrors {
            let root = URL(fileURLWithPath: datasetRoot ?? "testing_dataset/\(dataset)")
            let data = try BenchmarkDataset.load(name: dataset, root: root)
            let results = URL(fileURLWithPath: trackerPath)
            let trackers = try ResultScoring.trackers(results: results, dataset: dataset, prefix: trackerPrefix)
            // pysot highlights numbers in red on a terminal; a file or pipe gets plain text.
            let color = isatty(STDOUT_FILENO) == 1
            let text: String
            var written: [URL] = []
            let plotDir = plots.map { URL(fileURLWithPath: $0) }
            switch data.kind.evaluationProtocol {
            case .onePass:
                let polygons = data.videos.filter { v in v.groundTruth.contains { $0.count == 8 } }.count
                if polygons > 0 {
                    printError(
                        "note: \(polygons) videos have polygon ground truth; one-pass scores use their bounding rectangles "
                            + "(pysot's OPEBenchmark would read the first four polygon numbers as x,y,w,h)")
                }
                let r = try ResultScoring.onePass(data, results: results, trackers: trackers)
                text = render(
                    r, table: { ReportTable.ope($0, showVideoLevel: showVideoLevel, color: color) }, json: ReportJSON.ope,
                    markdown: { ReportTable.markdown(ope: $0, showVideoLevel: showVideoLevel) })
                if let plotDir { written = try PlotWriter.write(ope: r, to: plotDir) }
            case .vot:
                let r = try ResultScoring.vot(data, results: results, trackers: trackers)
                text = render(
                    r, table: { ReportTable.vot($0, showVideoLevel: showVideoLevel, color: color) }, json: ReportJSON.vot,
                    markdown: { ReportTable.markdown(vot: $0, showVideoLevel: showVideoLevel) })
                if let plotDir { written = try PlotWriter.write(vot: r, to: plotDir) }
            case .votLongTerm:
                let r = try ResultScoring.longTerm(data, results: results, trackers: trackers)
                text = render(
                    r, table: { ReportTable.longTerm($0, showVideoLevel: showVideoLevel, color: color) }, json: ReportJSON.longTerm,
                    markdown: { ReportTable.markdown(longTerm: $0, showVideoLevel: showVideoLevel) })
                if let plotDir { written = try PlotWriter.write(longTerm: r, to: plotDir) }
            }
            FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
            if !written.isEmpty { printError("plots: \(written.count) files in \(plotDir!.path)") }
        }
    }

    func render<R>(_ r: R, table: (R) -> String, json: (R) -> ReportJSON, markdown: (R) -> String) -> String {
        switch format {
        case .table: return table(r)
        case .json: return json(r).encoded()
        case .markdown: return markdown(r)
        }
    }
}
