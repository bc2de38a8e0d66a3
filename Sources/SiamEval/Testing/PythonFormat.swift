// Mirrors how pysot's tools/test.py writes numbers: Python's float repr (`','.join(str(v))`),
// toolkit/utils/region.pyx `vot_float2str("%.4f", v)` (C float, then printf) and `"{:.6f}"`
import Foundation

/// Number formatting exactly as pysot's Python writes result files.
public enum PythonFormat {
    /// Python's `repr(float)` (also numpy 1.24's `str(np.float64)`): the shortest digits that read
    /// back to the same double; positional when the decimal exponent is in -4..<16 (always with a
    /// fraction: `3.0`), otherwise scientific with at least two exponent digits (`1e-05`,
    /// `1.5e+16`); `nan`, `inf`, `-inf`.
    public static func repr(_ v: Double) -> String {
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
    public static func jsonNumber(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return repr(v)
    }

    /// `vot_float2str("%.4f", v)`: the value is converted to C `float` first (float32), then printed
    /// with 4 decimals, so it can differ from `"%.4f" % v` in the last digit.
    public static func votFloat(_ v: Double) -> String {
        String(format: "%.4f", Double(Float(v)))
    }

    /// Python's `"{:.Nf}".format(v)` (the same correctly rounded digits as C's printf).
    public static func fixed(_ v: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", v)
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
