// Mirrors pysot/toolkit/evaluation/ope_benchmark.py (OPEBenchmark.show_result)
import Foundation

extension ReportTable {
    /// `OPEBenchmark.show_result(success, precision, norm_precision, show_video_level)` as eval.py
    /// calls it.
    ///
    /// Trackers sorted by AUC (descending), top 20; columns Success (AUC), Norm Precision (the mean
    /// curve at 0.20, or `0.000` when `results.reportsNormalizedPrecision` is false, as pysot prints
    /// for every dataset but LaSOT), Precision (the mean curve at 20 px). With `showVideoLevel` and
    /// fewer than 10 trackers, a table per video follows: for every tracker (evaluation order) its
    /// success (AUC) and "precision" (pysot prints the mean of the whole 0…50 px curve here), red
    /// below 0.6.
    public static func ope(_ results: OPEResults, showVideoLevel: Bool = false, color: Bool = true) -> String {
        let trackers = results.trackers
        guard !trackers.isEmpty else { return "" }
        let width = nameWidth(trackers.map(\.name))
        let header =
            "|" + PythonFormat.center("Tracker name", width) + "|" + PythonFormat.center("Success", 9) + "|"
            + PythonFormat.center("Norm Precision", 16) + "|" + PythonFormat.center("Precision", 11) + "|"
        let bar = String(repeating: "-", count: header.unicodeScalars.count)
        var lines = [bar, header, bar]
        for t in topByAUC(results) {
            let norm = results.reportsNormalizedPrecision ? t.normalizedPrecision : 0
            lines.append(
                "|" + PythonFormat.center(t.name, width) + "|" + PythonFormat.center(t.auc, 9, decimals: 3) + "|"
                    + PythonFormat.center(norm, 16, decimals: 3) + "|" + PythonFormat.center(t.precision, 11, decimals: 3) + "|")
        }
        lines.append(bar)
        if showVideoLevel && trackers.count < 10 {
            lines.append("\n\n")
            var header1 = "|" + PythonFormat.center("Tracker name", 21) + "|"
            var header2 = "|" + PythonFormat.center("Video name", 21) + "|"
            for t in trackers {
                header1 += PythonFormat.center(t.name, 21) + "|"
                header2 += PythonFormat.center("success", 9) + "|" + PythonFormat.center("precision", 11) + "|"
            }
            let bar1 = String(repeating: "-", count: header1.unicodeScalars.count)
            lines += [bar1, header1, bar1, header2, bar1]
            for video in trackers.last!.videos {
                var row = "|" + PythonFormat.center(video.name, 21) + "|"
                for t in trackers {
                    let v = t.videos.first { $0.name == video.name }
                    let (success, precision) = (v?.auc ?? .nan, v?.meanPrecision ?? .nan)
                    row += cell(PythonFormat.center(success, 9, decimals: 3), highlight: success < 0.6, color: color)
                    row += cell(PythonFormat.center(precision, 11, decimals: 3), highlight: precision < 0.6, color: color)
                }
                lines.append(row)
            }
            lines.append(bar1)
        }
        return printed(lines)
    }

    /// The trackers show_result lists: by AUC descending (Python's stable sort), the first 20.
    static func topByAUC(_ results: OPEResults) -> [OPEResults.Tracker] {
        Array(pythonSortedDescending(results.trackers, key: \.auc).prefix(20))
    }
}
