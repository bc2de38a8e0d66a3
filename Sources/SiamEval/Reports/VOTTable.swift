// Mirrors pysot/toolkit/evaluation/ar_benchmark.py (AccuracyRobustnessBenchmark.show_result) and
// eao_benchmark.py (EAOBenchmark.show_result with several tags)
import Foundation

extension ReportTable {
    /// `AccuracyRobustnessBenchmark.show_result(ar, eao, show_video_level)` as eval.py calls it.
    ///
    /// With EAO (every tracker has it): trackers sorted by EAO `all` (descending, Python's order for
    /// NaN), top 20, columns Accuracy, Robustness (failures per 100 frames), Lost Number (1 decimal),
    /// EAO. Without: evaluation order, no EAO column, no cut. With `showVideoLevel` and fewer than
    /// 10 trackers, a table per video: per tracker (evaluation order) accuracy (red below 0.5) and
    /// lost number averaged over repetitions (red above 0, 3 decimals).
    public static func vot(_ results: VOTResults, showVideoLevel: Bool = false, color: Bool = true) -> String {
        let trackers = results.trackers
        guard !trackers.isEmpty else { return "" }
        let withEAO = results.hasEAO
        let width = nameWidth(trackers.map(\.name))
        var header =
            "|" + PythonFormat.center("Tracker Name", width) + "|" + PythonFormat.center("Accuracy", 10) + "|"
            + PythonFormat.center("Robustness", 12) + "|" + PythonFormat.center("Lost Number", 13) + "|"
        if withEAO { header += PythonFormat.center("EAO", 7) + "|" }
        let bar = String(repeating: "-", count: header.unicodeScalars.count)
        var lines = [bar, header, bar]
        let listed = withEAO ? Array(pythonSortedDescending(trackers, key: \.eao).prefix(20)) : trackers
        for t in listed {
            let ar = t.accuracyRobustness
            var row =
                "|" + PythonFormat.center(t.name, width) + "|" + PythonFormat.center(ar.accuracy, 10, decimals: 3) + "|"
                + PythonFormat.center(ar.robustness, 12, decimals: 3) + "|" + PythonFormat.center(ar.lostNumber, 13, decimals: 1) + "|"
            if withEAO { row += PythonFormat.center(t.eao, 7, decimals: 3) + "|" }
            lines.append(row)
        }
        lines.append(bar)
        if showVideoLevel && trackers.count < 10 {
            lines.append("\n\n")
            var header1 = "|" + PythonFormat.center("Tracker name", 14) + "|"
            var header2 = "|" + PythonFormat.center("Video name", 14) + "|"
            for t in trackers {
                header1 += PythonFormat.center(t.name, 17) + "|"
                header2 += PythonFormat.center("Acc", 8) + "|" + PythonFormat.center("LN", 8) + "|"
            }
            let bar1 = String(repeating: "-", count: header1.unicodeScalars.count)
            lines += [bar1, header1, bar1, header2, bar1]
            for video in trackers.last!.accuracyRobustness.videos {
                var row = "|" + PythonFormat.center(video.name, 14) + "|"
                for t in trackers {
                    let v = t.accuracyRobustness.videos.first { $0.name == video.name }
                    let (accuracy, lost) = (v?.accuracy ?? .nan, v?.lostNumber ?? .nan)
                    row += cell(PythonFormat.center(accuracy, 8, decimals: 3), highlight: accuracy < 0.5, color: color)
                    row += cell(PythonFormat.center(lost, 8, decimals: 3), highlight: lost > 0, color: color)
                }
                lines.append(row)
            }
            lines.append(bar1)
        }
        return printed(lines)
    }

    /// `EAOBenchmark.show_result(eao, topk)` with pysot's seven tags (`VOTSequence.tagNames`): the
    /// EAO of every tag, trackers sorted by EAO `all`, the first `topk` (pysot's default 10). The
    /// name column is 20 wide whatever the names (pysot's fixed width). eval.py does not print it;
    /// `siamrpn eval` may. Trackers without EAO are left out.
    public static func eaoByTag(_ results: VOTResults, topK: Int = 10) -> String {
        let tags = VOTSequence.tagNames
        let widths = [7, 15, 14, 15, 13, 11, 7]
        var header = "|" + PythonFormat.center("Tracker Name", 20) + "|"
        for (tag, w) in zip(tags, widths) { header += PythonFormat.center(tag, w) + "|" }
        let bar = String(repeating: "-", count: header.unicodeScalars.count)
        var lines = [bar, header, bar]
        let trackers = results.trackers.filter { $0.eaoByTag != nil }
        for t in pythonSortedDescending(trackers, key: \.eao).prefix(max(topK, 0)) {
            var row = "|" + PythonFormat.center(t.name, 20) + "|"
            for (tag, w) in zip(tags, widths) { row += PythonFormat.center(t.eaoByTag?[tag] ?? .nan, w, decimals: 3) + "|" }
            lines.append(row)
        }
        lines.append(bar)
        return printed(lines)
    }
}
