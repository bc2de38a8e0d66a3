import Foundation
import SiamEval
import SiamNN

@testable import SiamRPN

/// Locates pysot's evaluation-toolkit fixtures in `Tests/Fixtures/eval/` (Tests/Fixtures/README.md
/// section 22: what every file holds, how it was made, the tolerances) and reads them.
enum EvalFixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/eval")

    /// `Tests/Fixtures/eval/<path>`.
    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// A JSON file, parsed with the package's own reader (correctly rounded numbers; Foundation's
    /// `JSONSerialization` on Linux can be one ulp off). Python's bare `NaN` tokens (pysot's VOT-LT
    /// dataset file has them) are read as `null`.
    static func json(_ path: String) throws -> JSONValue {
        var bytes = [UInt8](try Data(contentsOf: url(path)))
        let nan = Array("NaN".utf8)
        let null = Array("nul".utf8) + [UInt8(ascii: "l")]
        var i = 0
        var inString = false
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                if c == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if i + 3 <= bytes.count, Array(bytes[i..<i + 3]) == nan {
                bytes.replaceSubrange(i..<i + 3, with: null)
                i += 4
                continue
            }
            i += 1
        }
        return try JSONValue.parse(bytes, 0..<bytes.count, maxDepth: 512)
    }

    static func npy(_ path: String) throws -> NumPyArray { try NumPyArray(contentsOf: url(path)) }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

extension JSONValue {
    /// A number; `null` (Python's `NaN` token) and the strings `"nan"`, `"inf"`, `"-inf"` as
    /// non-finite values (the fixtures' convention).
    var double: Double {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        case .null: return .nan
        case .string("nan"): return .nan
        case .string("inf"): return .infinity
        case .string("-inf"): return -.infinity
        default: preconditionFailure("not a number: \(self)")
        }
    }

    var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var doubles: [Double] { (array ?? []).map(\.double) }
    var ints: [Int] { (array ?? []).map { Int($0.double) } }
}

/// Same value, NaN equal to NaN (exact comparisons).
func sameValue(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }

/// |a − t| ≤ tol·|t|, NaN only where the truth is NaN.
func relativelyClose(_ a: Double, _ t: Double, _ tol: Double) -> Bool {
    if t.isNaN || a.isNaN { return t.isNaN && a.isNaN }
    if t.isInfinite || a.isInfinite { return a == t }
    return abs(a - t) <= tol * abs(t)
}

/// Largest relative error |a − t| / |t| over finite pairs (for the report in failure messages).
func worstRelative(_ a: [Double], _ t: [Double]) -> Double {
    zip(a, t).map { x, y in x == y || (x.isNaN && y.isNaN) ? 0 : abs(x - y) / abs(y) }.max() ?? 0
}
