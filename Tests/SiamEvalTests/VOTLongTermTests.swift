import Foundation
import SiamEval
import SiamNN
import Testing

@testable import SiamRPN

/// VOT long-term precision / recall / F1 curves and max F1 computed from pysot's `longterm/` result
/// and confidence files equal pysot's F1Benchmark (Tests/Fixtures/README.md section 22): the synthetic
/// `vot_lt` (absent frames, confident absent-target frames giving a NaN "max F1", tied and zero
/// confidences) and NanoTrackV3's VOT2018-LT run in `protocol`.
struct VOTLongTermTests {
    static let runs = ["vot_lt/LtA", "protocol/NanoTrackV3"]

    struct Run {
        var folder: String
        var tracker: String
        var expected: JSONValue
        var sequences: [VOTLongTermSequence]
        var f1: LongTermF1
        var truth: JSONValue { expected["trackers"]![tracker]! }
        var arraysFolder: String { folder == "protocol" ? "arrays_lt" : "arrays" }

        init(_ run: String) throws {
            let parts = run.split(separator: "/").map(String.init)
            folder = parts[0]
            tracker = parts[1]
            expected = try EvalFixtures.json(folder == "protocol" ? "protocol/expected_lt.json" : "\(folder)/expected.json")
            sequences = try EvalFixtures.votLongTermDataset("\(folder)/VOT2018-LT.json")
            let dir = EvalFixtures.url("\(folder)/results/VOT2018-LT/\(tracker)")
            f1 = try LongTermF1(
                try sequences.map { s in
                    let (trajectory, scores) = try PysotResultFiles.loadVOTLongTerm(trackerDirectory: dir, video: s.name)
                    return (s, trajectory, scores)
                })
        }

        func array(_ name: String) throws -> [Double] {
            try EvalFixtures.npy("\(folder)/\(arraysFolder)/\(tracker)/\(name).npy").doubles()
        }
    }

    static func curvesClose(_ a: [Double], _ t: [Double]) -> Bool {
        a.count == t.count && zip(a, t).allSatisfy { relativelyClose($0, $1, 1e-12) }
    }

    @Test(arguments: runs)
    func thresholdsAreExactlyPysots(_ run: String) throws {
        let r = try Run(run)
        let truth = try r.array("thresholds")
        #expect(truth.count == Int(r.truth["thresholds_count"]!.double))
        #expect(r.f1.thresholds == truth, "thresholds")
        #expect(r.f1.thresholds.first == .infinity && r.f1.thresholds.last == -.infinity)
        let nonNaN = r.f1.videos.reduce(0) { $0 + $1.scores.filter { !$0.isNaN }.count }
        #expect(nonNaN == Int(r.truth["scores_count_non_nan"]!.double))
    }

    @Test(arguments: runs)
    func perVideoOverlapsScoresAndCurvesMatchPysot(_ run: String) throws {
        let r = try Run(run)
        for (s, v) in zip(r.sequences, r.f1.videos) {
            let pv = r.truth["per_video"]![v.name]!
            #expect(s.presentFrames == Int(r.expected["videos"]![v.name]!["N_present"]!.double), "\(v.name) N")
            let overlaps = try r.array("\(v.name).overlaps")
            let scores = try r.array("\(v.name).scores")
            #expect(v.overlaps.count == overlaps.count && zip(v.overlaps, overlaps).allSatisfy(sameValue), "\(v.name) overlaps (exact)")
            #expect(v.scores.count == scores.count && zip(v.scores, scores).allSatisfy(sameValue), "\(v.name) scores (exact)")
            let p = try r.array("\(v.name).precision")
            let rc = try r.array("\(v.name).recall")
            let f = try r.array("\(v.name).f1")
            #expect(Self.curvesClose(v.precision, p), "\(v.name) precision: worst \(worstRelative(v.precision, p))")
            #expect(Self.curvesClose(v.recall, rc), "\(v.name) recall: worst \(worstRelative(v.recall, rc))")
            #expect(Self.curvesClose(v.f1, f), "\(v.name) F1: worst \(worstRelative(v.f1, f))")
            #expect(v.f1.filter(\.isNaN).count == Int(pv["f1_nan_count"]!.double), "\(v.name) NaN count")
            // The video-level table: np.argmax, which stops at the first NaN.
            #expect(v.bestIndex == Int(pv["max_idx"]!.double), "\(v.name) argmax")
            #expect(sameValue(r.f1.thresholds[v.bestIndex], pv["threshold"]!.double), "\(v.name) threshold")
            #expect(relativelyClose(v.precision[v.bestIndex], pv["precision"]!.double, 1e-12), "\(v.name) precision at max")
            #expect(relativelyClose(v.recall[v.bestIndex], pv["recall"]!.double, 1e-12), "\(v.name) recall at max")
            #expect(relativelyClose(v.f1[v.bestIndex], pv["f1"]!.double, 1e-12), "\(v.name) max F1")
            let nanmax = v.f1.filter { !$0.isNaN }.max()!
            #expect(relativelyClose(nanmax, pv["nanmax_f1"]!.double, 1e-12), "\(v.name) nanmax F1")
        }
    }

    @Test(arguments: runs)
    func overallCurvesAndMaxF1MatchPysot(_ run: String) throws {
        let r = try Run(run)
        let p = try r.array("overall_precision")
        let rc = try r.array("overall_recall")
        let f = try r.array("overall_f1")
        #expect(Self.curvesClose(r.f1.precision, p), "overall precision: worst \(worstRelative(r.f1.precision, p))")
        #expect(Self.curvesClose(r.f1.recall, rc), "overall recall: worst \(worstRelative(r.f1.recall, rc))")
        #expect(Self.curvesClose(r.f1.f1, f), "overall F1: worst \(worstRelative(r.f1.f1, f))")
        let o = r.truth["overall"]!
        #expect(r.f1.bestIndex == Int(o["max_idx"]!.double))
        #expect(sameValue(r.f1.thresholds[r.f1.bestIndex], o["threshold"]!.double))
        #expect(relativelyClose(r.f1.precision[r.f1.bestIndex], o["precision"]!.double, 1e-12))
        #expect(relativelyClose(r.f1.recall[r.f1.bestIndex], o["recall"]!.double, 1e-12))
        #expect(relativelyClose(r.f1.maxF1, o["f1"]!.double, 1e-12), "max F1 \(r.f1.maxF1)")
    }

    @Test func fewerThan98ScoresCannotMakeThresholds() {
        #expect(throws: ThresholdError.self) { try determineThresholds([Double](repeating: 0.5, count: 97) + [.nan]) }
        #expect(throws: Never.self) { try determineThresholds((0..<98).map { Double($0) / 98 }) }
    }
}
