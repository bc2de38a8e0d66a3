// Mirrors the show_result methods of pysot/toolkit/evaluation/ope_benchmark.py, ar_benchmark.py,
// eao_benchmark.py and f1_benchmark.py (the text eval.py prints); this file holds what they share
import Foundation

/// pysot's result tables as `tools/eval.py` prints them, byte for byte: the same columns, widths,
/// Python `format` rounding, sort order (descending, stable, NaN where Python leaves it), top-20 cut
/// and video-level tables. Each function returns everything pysot's `print` calls write, every line
/// ending in `\n`. With `color`, values pysot highlights are wrapped in colorama's red
/// (`ESC[31m` … `ESC[0m`) as in a terminal; `color: false` gives the same text without the codes.
public enum ReportTable {
    static let red = "\u{1B}[31m"
    static let reset = "\u{1B}[0m"

    /// A cell followed by `|`, red when `highlight` (pysot colours the cell, not the bar).
    static func cell(_ text: String, highlight: Bool, color: Bool) -> String {
        highlight && color ? red + text + reset + "|" : text + "|"
    }

    /// pysot's tracker-name column: the longest name + 2, at least 12.
    static func nameWidth(_ names: [String]) -> Int {
        max((names.map { $0.unicodeScalars.count }.max() ?? 0) + 2, 12)
    }

    /// Lines joined as `print` writes them.
    static func printed(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }
}
