import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// OPE success / precision / normalised precision equal pysot toolkit's on sequences with
/// missing predictions, bad ground truth and LaSOT absent flags (Tests/Fixtures/README.md section 10).
struct OnePassEvaluationTests {
    static func boxes(_ file: String) throws -> [[Double]] {
        let a = try NumPyArray(contentsOf: Fixtures.url("metrics/\(file)"))
        let v = a.doubles()
        return (0..<a.shape[0]).map { Array(v[4 * $0..<4 * $0 + 4]) }
    }

    static func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 }
    }

    @Test func curvesMatchPysotToolkitOnEverySequence() throws {
        let root = try Fixtures.json("metrics/metrics.json") as! [String: Any]
        let per = root["per_sequence"] as! [String: [String: Any]]
        var aucs: [Double] = []
        var precisions: [Double] = []
        var norms: [Double] = []
        for seq in root["sequences"] as! [[String: Any]] {
            let name = seq["name"] as! String
            var visible: [Bool]?
            if let absent = seq["absent"] as? String {
                visible = try NumPyArray(contentsOf: Fixtures.url("metrics/\(absent)")).doubles().map { $0 != 0 }
            }
            let e = OnePassEvaluation(
                groundTruth: try Self.boxes(seq["gt"] as! String),
                predictions: try Self.boxes(seq["pred"] as! String), visible: visible)
            let truth = per[name]!
            #expect(Self.close(e.successCurve, truth["success_curve"] as! [Double]), "\(name) success")
            #expect(Self.close(e.precisionCurve, truth["precision_curve"] as! [Double]), "\(name) precision")
            #expect(Self.close(e.normalizedPrecisionCurve, truth["norm_precision_curve"] as! [Double]), "\(name) normalised precision")
            aucs.append(e.auc)
            precisions.append(e.precision)
            norms.append(e.normalizedPrecision)
        }
        let overall = root["overall_mean_over_sequences"] as! [String: Double]
        #expect(abs(aucs.reduce(0, +) / 3 - overall["auc"]!) <= 1e-12)
        #expect(abs(precisions.reduce(0, +) / 3 - overall["precision_at_20px"]!) <= 1e-12)
        #expect(abs(norms.reduce(0, +) / 3 - overall["norm_precision_at_0.20"]!) <= 1e-12)
    }

    @Test func overlapRatioHasNoPlusOneAndIsClipped() {
        #expect(OnePassEvaluation.overlap([10, 10, 20, 20], [10, 10, 20, 20]) == 1)
        #expect(OnePassEvaluation.overlap([10, 10, 20, 20], [0, 0, 0, 0]) == 0)
        #expect(abs(OnePassEvaluation.overlap([0, 0, 10, 10], [-1, -1, 10, 10]) - 0.680672268907563) <= 1e-15)
    }
}
