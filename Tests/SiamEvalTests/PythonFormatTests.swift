import Foundation
import SiamEval
import Testing

/// Result-file numbers are written exactly as pysot's Python writes them
/// (Tests/Fixtures/README.md section 24).
struct PythonFormatTests {
    /// `repr(float)` for values whose Python output is known (CPython's float_repr rules: positional
    /// for decimal exponents -4..15, else scientific with two exponent digits).
    @Test func reprMatchesPythonOnKnownValues() {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (1, "1.0"), (-2.5, "-2.5"), (0, "0.0"), (-0.0, "-0.0"), (1e-4, "0.0001"), (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"), (123456789.123, "123456789.123"), (1e15, "1000000000000000.0"), (9.5e15, "9500000000000000.0"),
            (1e16, "1e+16"), (1.2345678901234568e17, "1.2345678901234568e+17"), (1e100, "1e+100"), (Double.leastNonzeroMagnitude, "5e-324"),
            (205.5, "205.5"), (0.30000000000000004, "0.30000000000000004"), (.nan, "nan"), (.infinity, "inf"), (-.infinity, "-inf")
        ]
        for (value, python) in cases { #expect(PythonFormat.repr(value) == python, "repr(\(value))") }
    }

    /// Every line pysot's test.py wrote in the OPE and VOT2018-LT result files (`','.join(str(v))`
    /// of float64 boxes) is reproduced by formatting the numbers it holds.
    @Test func reprRewritesPysotResultLinesByteForByte() throws {
        var checked = 0
        for file in [
            "results/OTBvot/NanoTrackV3/vot_bag.txt", "results/OTBvot/NanoTrackV3/otb_Crossing_fail.txt",
            "results/VOT2018-LT/NanoTrackV3/longterm/Crossing/Crossing_001.txt"
        ] {
            let text = try String(contentsOf: EvalFixtures.url("protocol/\(file)"), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains(",") {
                let values = line.split(separator: ",").map { Double($0)! }
                #expect(values.map(PythonFormat.repr).joined(separator: ",") == line, "\(file): \(line)")
                checked += 1
            }
        }
        #expect(checked == 196 + 120 + 119)
    }

    /// `vot_float2str("%.4f", v)` converts to float32 first: until the first failure a VOT
    /// reset-protocol file is the OPE file of the same run in that form (fixture README section 4),
    /// including the values where float32 and float64 `%.4f` differ.
    @Test func votFloatIsFloat32FourDecimalsLikePysot() throws {
        var differing = 0
        for video in ["vot_bag", "vot_ball1", "otb_Crossing_fail"] {
            let ope = try String(contentsOf: EvalFixtures.url("protocol/results/OTBvot/NanoTrackV3/\(video).txt"), encoding: .utf8)
                .split(separator: "\n")
            let vot = try String(
                contentsOf: EvalFixtures.url("protocol/results/VOT2018/NanoTrackV3/baseline/\(video)/\(video)_001.txt"), encoding: .utf8
            ).split(separator: "\n")
            for (o, v) in zip(ope, vot).dropFirst() {
                if v == "2" { break }
                let values = o.split(separator: ",").map { Double($0)! }
                #expect(values.map(PythonFormat.votFloat).joined(separator: ",") == v, "\(video): \(o)")
                differing += values.filter { PythonFormat.votFloat($0) != String(format: "%.4f", $0) }.count
            }
        }
        #expect(differing > 0, "the fixture has values whose float32 and float64 %.4f differ (38 of 1612)")
    }
}
