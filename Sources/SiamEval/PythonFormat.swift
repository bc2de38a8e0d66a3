// Mirrors no single pysot file: the Python `str.format` / `%` / `repr` semantics that pysot's show_result
// tables (toolkit/evaluation/*_benchmark.py), plot legends (toolkit/visualization/*.py) and the result
// files of tools/test.py (`','.join(str(v))`, toolkit/utils/region.pyx `vot_float2str`) rely on
import Foundation

/// Python's number and alignment formatting, as pysot's tables and result files use it.
///
/// * `fixed(x, 3)` is Python's `"{:.3f}".format(x)` (and `"%.3f" % x`): the exact binary value
///   rounded to 3 decimals, ties to even (the same as C's printf; 0.0625 gives "0.062", 2.675
///   gives "2.675" because its binary value is below 2.675); NaN is `nan` whatever its sign,
///   infinities `inf` / `-inf`, negative zero `-0.000`.
/// * `center(s, width)` is `"{:^width}"`: the padding split with the smaller half on the left; a
///   string already as wide or wider is left as it is (pysot's columns grow, the table breaks).
package enum PythonFormat {
    /// `"{:.<decimals>f}".format(x)`.
    package static func fixed(_ x: Double, _ decimals: Int) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        let format = "%.\(decimals)f"
        var buffer = [CChar](repeating: 0, count: 32)
        let needed = withVaList([x]) { vsnprintf(&buffer, buffer.count, format, $0) }
        if Int(needed) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(needed) + 1)
            _ = withVaList([x]) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Python's `repr(float)` (also numpy 1.24's `str(np.float64)`): the shortest digits that read
    /// back to the same double; positional when the decimal exponent is in -4..<16 (always with a
    /// fraction: `3.0`), otherwise scientific with at least two exponent digits (`1e-05`,
    /// `1.5e+16`); `nan`, `inf`, `-inf`.
    package static func repr(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        if v == 0 { return v.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the same shortest digits; only the layout differs.
        let (negative, digits, exponent) = shortestDigits(v)
        let sign = negative ? "-" : ""
        let n = digits.count
        if exponent >= -4 && exponent < 16 {
            if exponent >= n - 1 {
                return sign + digits + String(repeating: "0", count: exponent - n + 1) + ".0"
            } else if exponent >= 0 {
                let i = digits.index(digits.startIndex, offsetBy: exponent + 1)
                return sign + digits[..<i] + "." + digits[i...]
            } else {
                return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
            }
        }
        let mantissa = n == 1 ? digits : String(digits.prefix(1)) + "." + digits.dropFirst()
        let e = abs(exponent)
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + String(e)
    }

    /// A number in a json file: integral values as integers (as the benchmarks' own files hold
    /// them), others as `repr`.
    package static func jsonNumber(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return repr(v)
    }

    /// `vot_float2str("%.4f", v)`: the value is converted to C `float` first (float32), then printed
    /// with 4 decimals, so it can differ from `"%.4f" % v` in the last digit.
    package static func votFloat(_ v: Double) -> String {
        String(format: "%.4f", Double(Float(v)))
    }

    /// `"{:^<width>}".format(s)` (width in Unicode scalars, as Python counts code points).
    package static func center(_ s: String, _ width: Int) -> String {
        let pad = width - s.unicodeScalars.count
        guard pad > 0 else { return s }
        let left = pad / 2
        return String(repeating: " ", count: left) + s + String(repeating: " ", count: pad - left)
    }

    /// `"{:^<width>.<decimals>f}".format(x)`.
    package static func center(_ x: Double, _ width: Int, decimals: Int) -> String {
        center(fixed(x, decimals), width)
    }

    /// The sign, the significant digits (no leading or trailing zeros) and the decimal exponent of
    /// the first digit, from Swift's shortest round-trip description.
    static func shortestDigits(_ v: Double) -> (Bool, String, Int) {
        var text = "\(abs(v))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var all = whole + fraction
        var pointAfter = whole.count  // digits before the decimal point
        let leadingZeros = all.prefix { $0 == "0" }.count
        all.removeFirst(leadingZeros)
        pointAfter -= leadingZeros
        while all.last == "0" { all.removeLast() }
        return (v < 0, all.isEmpty ? "0" : all, exponent + pointAfter - 1)
    }
}

/// Python's `sorted(items, key=..., reverse=True)` on float keys, NaN included.
///
/// Python sorts with `<` only, so NaN keys (an EAO or F1 that is NaN) land where CPython's
/// algorithm happens to leave them; for the lists pysot sorts (fewer than 64 trackers, a single
/// run of CPython 3.11's timsort: `count_run`, then binary insertion) this reproduces that order
/// exactly: `reverse=True` reverses the list, sorts stably ascending, and reverses again, so
/// equal keys keep their original order. With 64 or more items the same insertion sort runs over
/// the whole list: identical to Python whenever no key is NaN (any stable sort is), possibly not
/// otherwise.
package func pythonSortedDescending<T>(_ items: [T], key: (T) -> Double) -> [T] {
    var a = Array(items.map { (key: key($0), item: $0) }.reversed())
    func less(_ x: Double, _ y: Double) -> Bool { x < y }
    let n = a.count
    if n >= 2 {
        // count_run: a strictly descending prefix is reversed in place, else a non-descending one kept.
        var run = 2
        if less(a[1].key, a[0].key) {
            while run < n && less(a[run].key, a[run - 1].key) { run += 1 }
            a[0..<run].reverse()
        } else {
            while run < n && !less(a[run].key, a[run - 1].key) { run += 1 }
        }
        // binarysort from the end of the run.
        for start in run..<max(run, n) {
            let pivot = a[start]
            var l = 0
            var r = start
            while l < r {
                let p = l + (r - l) / 2
                if less(pivot.key, a[p].key) { r = p } else { l = p + 1 }
            }
            a.remove(at: start)
            a.insert(pivot, at: l)
        }
    }
    return a.reversed().map(\.item)
}
