import Foundation
import SiamNN

@testable import SiamRPN

/// Shared NanoTrack fixtures: the V3 checkpoint (loaded once), models built from it, and
/// comparisons with the checksum objects of Tests/Fixtures/README.md section 0 (files under
/// `Fixtures/nanotrack/`: `models/nanotrack_v3`, `points`, `tracker/v3_*`, two reference
/// results, sections 14-17; frames under `Fixtures/sequences/<name>/img/`, section 18).
enum NanoTrackFixtures {
    static let weights: StateDict = try! StateDict.load(contentsOf: Fixtures.url("weights/nanotrackv3.pth"))
    static let model: NanoTrackModel = try! NanoTrackModel(weights: weights)
    /// The inspection form: every module output the fixtures record is a value.
    static let unfusedModel: NanoTrackModel = try! NanoTrackModel(weights: weights, fused: false)

    /// The JSON file as Foundation-style values (`[String: Any]`, `[Any]`, `Int`, `Double`,
    /// `String`, `Bool`), parsed with the package's strict parser: numbers are read with
    /// `Double(String)` (correctly rounded), while `JSONSerialization` on Linux can be one ulp off
    /// (e.g. `106.59444010416667` reads as `106.5944401041667`), which breaks exact comparisons.
    static func json(_ path: String) throws -> [String: Any] {
        let bytes = [UInt8](try Fixtures.data("nanotrack/" + path))
        return foundationValue(try JSONValue.parse(bytes, 0..<bytes.count, maxDepth: 32)) as! [String: Any]
    }

    static func foundationValue(_ v: JSONValue) -> Any {
        switch v {
        case .null: return NSNull()
        case .bool(let b): return b
        case .integer(let i): return i
        case .number(let d): return d
        case .string(let s): return s
        case .array(let a): return a.map(foundationValue)
        case .object(let members): return Dictionary(uniqueKeysWithValues: members.map { ($0.name, foundationValue($0.value)) })
        }
    }

    /// A JSON number (integer or not) as Double.
    static func double(_ any: Any?) -> Double {
        if let i = any as? Int { return Double(i) }
        return any as! Double
    }

    static func npy(_ path: String) throws -> NumPyArray {
        try NumPyArray(contentsOf: Fixtures.url("nanotrack/" + path))
    }

    /// Frame `number` (1-based, as the file names) of a copied sequence.
    static func frame(_ sequence: String, _ number: Int) throws -> Image {
        try Image.load(contentsOf: Fixtures.url(String(format: "sequences/%@/img/%04d.jpg", sequence, number)))
    }

    /// A fixture checksum object (`shape`, `sum`, `sum_sq`, `min`, `max`, `samples` at `sample_idx`).
    struct Checksum {
        let shape: [Int]
        let sum: Double, sumSq: Double, min: Double, max: Double
        let sampleIndex: [Int], samples: [Double]

        init(_ any: Any?) {
            let d = any as! [String: Any]
            shape = d["shape"] as! [Int]
            sum = NanoTrackFixtures.double(d["sum"])
            sumSq = NanoTrackFixtures.double(d["sum_sq"])
            min = d["min"].map { NanoTrackFixtures.double($0) } ?? .nan
            max = d["max"].map { NanoTrackFixtures.double($0) } ?? .nan
            sampleIndex = d["sample_idx"] as! [Int]
            samples = (d["samples"] as! [Any]).map { NanoTrackFixtures.double($0) }
        }

        var maxAbs: Double { Swift.max(abs(min), abs(max)) }

        /// Problems comparing `values` (C order) with this checksum at the tolerance of
        /// Tests/Fixtures/README.md section 14:
        /// samples, min and max within `relative * max|t|`; sum and sum of squares relative
        /// `relative` (the sum against `max(|sum|, 1e-2 sqrt(n sum_sq))`, as sums cancel).
        func mismatches(_ values: UnsafeBufferPointer<Float>, relative: Double = 1e-4) -> (problems: [String], worstSample: Double) {
            var problems: [String] = []
            guard values.count == shape.reduce(1, *) else { return (["\(values.count) values, expected shape \(shape)"], .infinity) }
            let tol = relative * maxAbs
            var worst = 0.0
            for (i, t) in zip(sampleIndex, samples) {
                let err = abs(Double(values[i]) - t)
                worst = Swift.max(worst, err)
                if err > tol { problems.append("[\(i)] = \(values[i]), reference \(t)") }
            }
            var s = 0.0
            var s2 = 0.0
            var lo = Double.infinity
            var hi = -Double.infinity
            for v in values {
                let d = Double(v)
                s += d
                s2 += d * d
                lo = Swift.min(lo, d)
                hi = Swift.max(hi, d)
            }
            let n = Double(values.count)
            if abs(s - sum) > relative * Swift.max(abs(sum), 1e-2 * (n * sumSq).squareRoot()) { problems.append("sum \(s), reference \(sum)") }
            if abs(s2 - sumSq) > relative * sumSq { problems.append("sum_sq \(s2), reference \(sumSq)") }
            if !min.isNaN && abs(lo - min) > tol { problems.append("min \(lo), reference \(min)") }
            if !max.isNaN && abs(hi - max) > tol { problems.append("max \(hi), reference \(max)") }
            return (problems, worst / Swift.max(maxAbs, .leastNormalMagnitude))
        }

        /// Exact comparison of integer data (crops, frames).
        func matchesExactly(_ values: [Double]) -> Bool {
            guard values.count == shape.reduce(1, *) else { return false }
            return values.reduce(0, +) == sum && values.reduce(0) { $0 + $1 * $1 } == sumSq
                && zip(sampleIndex, samples).allSatisfy { values[$0] == $1 }
        }
    }
}
