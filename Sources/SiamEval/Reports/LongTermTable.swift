// Mirrors pysot/toolkit/evaluation/f1_benchmark.py (F1Benchmark.show_result)
import Foundation

extension ReportTable {
    /// `F1Benchmark.show_result(f1, show_video_level)` as eval.py calls it.
    ///
    /// Trackers sorted by their max F1 (descending), top 20, with precision and recall at that
    /// threshold. With `showVideoLevel` and fewer than 10 trackers, a table per video: per tracker
    /// (evaluation order) precision, recall and F1 at that video's own argmax of F1 (numpy's argmax:
    /// the first NaN if any), each red below 0.5 (NaN is never red).
    public static func longTerm(_ results: LongTermResults, showVideoLevel: Bool = false, color: Bool = true) -> String {
        let trackers = results.trackers
        guard !trackers.isEmpty else { return "" }
        let width = nameWidth(trackers.map(\.name))
        let header =
            "|" + PythonFormat.center("Tracker Name", width) + "|" + PythonFormat.center("Precision", 11) + "|"
            + PythonFormat.center("Recall", 8) + "|" + PythonFormat.center("F1", 7) + "|"
        let bar = String(repeating: "-", count: header.unicodeScalars.count)
        var lines = [bar, header, bar]
        for t in topByF1(results) {
            let b = t.best
            lines.append(
                "|" + PythonFormat.center(t.name, width) + "|" + PythonFormat.center(b.precision, 11, decimals: 3) + "|"
                    + PythonFormat.center(b.recall, 8, decimals: 3) + "|" + PythonFormat.center(b.f1, 7, decimals: 3) + "|")
        }
        lines.append(bar)
        if showVideoLevel && trackers.count < 10 {
            lines.append("\n\n")
            var header1 = "|" + PythonFormat.center("Tracker name", 14) + "|"
            var header2 = "|" + PythonFormat.center("Video name", 14) + "|"
            for t in trackers {
                header1 += PythonFormat.center(t.name, 28) + "|"
                header2 += PythonFormat.center("Precision", 11) + "|" + PythonFormat.center("Recall", 8) + "|" + PythonFormat.center("F1", 7) + "|"
            }
            let bar1 = String(repeating: "-", count: header1.unicodeScalars.count)
            lines += [bar1, header1, bar1, header2, bar1]
            for video in trackers.last!.f1.videos {
                var row = "|" + PythonFormat.center(video.name, 14) + "|"
                for t in trackers {
                    let v = t.f1.videos.first { $0.name == video.name }
                    let (p, r, f) = v.map { v in (v.precision[v.bestIndex], v.recall[v.bestIndex], v.f1[v.bestIndex]) } ?? (.nan, .nan, .nan)
                    row += cell(PythonFormat.center(p, 11, decimals: 3), highlight: p < 0.5, color: color)
                    row += cell(PythonFormat.center(r, 8, decimals: 3), highlight: r < 0.5, color: color)
                    row += cell(PythonFormat.center(f, 7, decimals: 3), highlight: f < 0.5, color: color)
                }
                lines.append(row)
            }
            lines.append(bar1)
        }
        return printed(lines)
    }

    /// The trackers show_result lists: by max F1 descending (Python's order for NaN), the first 20.
    static func topByF1(_ results: LongTermResults) -> [LongTermResults.Tracker] {
        Array(pythonSortedDescending(results.trackers, key: \.best.f1).prefix(20))
    }
}
