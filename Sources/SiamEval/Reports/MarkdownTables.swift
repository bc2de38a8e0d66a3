// Mirrors the show_result methods of pysot/toolkit/evaluation/ope_benchmark.py, ar_benchmark.py and
// f1_benchmark.py, as GitHub Markdown tables instead of pysot's ASCII boxes
import Foundation

extension ReportTable {
    /// The OPE table (and, with `showVideoLevel` and fewer than 10 trackers, the video table) as
    /// GitHub Markdown: the rows, order, cut and numbers of `ope(_:)`, every number with 3 decimals
    /// (Python's rounding), no colour.
    public static func markdown(ope results: OPEResults, showVideoLevel: Bool = false) -> String {
        guard !results.trackers.isEmpty else { return "" }
        var rows: [[String]] = topByAUC(results).map { t in
            [t.name, md(t.auc), md(results.reportsNormalizedPrecision ? t.normalizedPrecision : 0), md(t.precision)]
        }
        var out = markdownTable(["Tracker", "Success", "Norm Precision", "Precision"], rows)
        if showVideoLevel && results.trackers.count < 10 {
            let trackers = results.trackers
            rows = trackers.last!.videos.map { video in
                [video.name]
                    + trackers.flatMap { t -> [String] in
                        let v = t.videos.first { $0.name == video.name }
                        return [md(v?.auc ?? .nan), md(v?.meanPrecision ?? .nan)]
                    }
            }
            out += "\n" + markdownTable(["Video"] + trackers.flatMap { ["\($0.name) success", "\($0.name) precision"] }, rows)
        }
        return out
    }

    /// The VOT accuracy / robustness (/ EAO) table of `vot(_:)` as GitHub Markdown (lost number with
    /// 3 decimals here), and the video table under the same condition.
    public static func markdown(vot results: VOTResults, showVideoLevel: Bool = false) -> String {
        guard !results.trackers.isEmpty else { return "" }
        let withEAO = results.hasEAO
        let listed = withEAO ? Array(pythonSortedDescending(results.trackers, key: \.eao).prefix(20)) : results.trackers
        var rows: [[String]] = listed.map { t in
            let ar = t.accuracyRobustness
            return [t.name, md(ar.accuracy), md(ar.robustness), md(ar.lostNumber)] + (withEAO ? [md(t.eao)] : [])
        }
        var out = markdownTable(["Tracker", "Accuracy", "Robustness", "Lost Number"] + (withEAO ? ["EAO"] : []), rows)
        if showVideoLevel && results.trackers.count < 10 {
            let trackers = results.trackers
            rows = trackers.last!.accuracyRobustness.videos.map { video in
                [video.name]
                    + trackers.flatMap { t -> [String] in
                        let v = t.accuracyRobustness.videos.first { $0.name == video.name }
                        return [md(v?.accuracy ?? .nan), md(v?.lostNumber ?? .nan)]
                    }
            }
            out += "\n" + markdownTable(["Video"] + trackers.flatMap { ["\($0.name) Acc", "\($0.name) LN"] }, rows)
        }
        return out
    }

    /// The EAO-per-tag table of `eaoByTag(_:)` as GitHub Markdown.
    public static func markdown(eaoByTag results: VOTResults, topK: Int = 10) -> String {
        let trackers = results.trackers.filter { $0.eaoByTag != nil }
        let rows = pythonSortedDescending(trackers, key: \.eao).prefix(max(topK, 0)).map { t in
            [t.name] + VOTSequence.tagNames.map { md(t.eaoByTag?[$0] ?? .nan) }
        }
        return markdownTable(["Tracker"] + VOTSequence.tagNames, Array(rows))
    }

    /// The long-term table of `longTerm(_:)` as GitHub Markdown, and the video table under the same
    /// condition.
    public static func markdown(longTerm results: LongTermResults, showVideoLevel: Bool = false) -> String {
        guard !results.trackers.isEmpty else { return "" }
        var rows: [[String]] = topByF1(results).map { t in
            let b = t.best
            return [t.name, md(b.precision), md(b.recall), md(b.f1)]
        }
        var out = markdownTable(["Tracker", "Precision", "Recall", "F1"], rows)
        if showVideoLevel && results.trackers.count < 10 {
            let trackers = results.trackers
            rows = trackers.last!.f1.videos.map { video in
                [video.name]
                    + trackers.flatMap { t -> [String] in
                        guard let v = t.f1.videos.first(where: { $0.name == video.name }) else { return ["nan", "nan", "nan"] }
                        let k = v.bestIndex
                        return [md(v.precision[k]), md(v.recall[k]), md(v.f1[k])]
                    }
            }
            out += "\n" + markdownTable(["Video"] + trackers.flatMap { ["\($0.name) Precision", "\($0.name) Recall", "\($0.name) F1"] }, rows)
        }
        return out
    }

    static func md(_ x: Double) -> String { PythonFormat.fixed(x, 3) }

    /// A GitHub table: the first column left-aligned (names), the others right-aligned (numbers);
    /// `|` in a cell escaped.
    static func markdownTable(_ header: [String], _ rows: [[String]]) -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
        }
        let align = "|" + header.indices.map { $0 == 0 ? " :-- " : " --: " }.joined(separator: "|") + "|\n"
        return line(header) + align + rows.map(line).joined()
    }
}
