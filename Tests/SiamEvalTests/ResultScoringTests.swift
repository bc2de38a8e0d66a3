import Foundation
import SiamEval
import SiamNN
import Testing

@testable import SiamRPN

/// `siamrpn eval`'s scoring path — dataset description + pysot's result folders on disk, read as
/// the toolkit reads them — gives pysot's numbers on every fixture: `metrics/` (one-pass, with NaN
/// predictions, zero-size ground truth and LaSOT-style absent frames) and `eval/` (VOT AR/EAO,
/// VOT-LT F1, the real reset-protocol run), to 1e-9 (curves 1e-12).
struct ResultScoringTests {
    static func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool { (a.isNaN && b.isNaN) || abs(a - b) <= tolerance }

    @Test(arguments: [("vot_st", "TrkA"), ("vot_st", "TrkB"), ("vot_st_reps", "TrkR15"), ("protocol", "NanoTrackV3")])
    func votResultFoldersGivePysotsAccuracyRobustnessAndEAO(folder: String, tracker: String) throws {
        let root = EvalFixtures.url(folder)
        let dataset = try BenchmarkDataset.load(name: "VOT2018", root: root)
        let r = try ResultScoring.vot(dataset, results: root.appendingPathComponent("results"), trackers: [tracker])
        let truth = try EvalFixtures.json("\(folder)/expected.json")["trackers"]![tracker]!
        let t = r.trackers[0]
        #expect(Self.close(t.accuracyRobustness.accuracy, truth["accuracy"]!.double, 1e-12))
        #expect(Self.close(t.accuracyRobustness.robustness, truth["robustness"]!.double, 1e-12))
        #expect(Self.close(t.accuracyRobustness.lostNumber, truth["lost_number"]!.double, 1e-12))
        for tag in VOTSequence.tagNames {
            #expect(Self.close(t.eaoByTag![tag]!, truth["eao"]!["VOT2018"]![tag]!.double, 1e-9), "EAO \(tag)")
        }
        #expect(Self.close(t.eao, truth["eao_default_call_all"]!.double, 1e-9))
    }

    @Test(arguments: [("vot_lt", "LtA", "expected.json"), ("protocol", "NanoTrackV3", "expected_lt.json")])
    func longTermResultFoldersGivePysotsF1(folder: String, tracker: String, expected: String) throws {
        let root = EvalFixtures.url(folder)
        let dataset = try BenchmarkDataset.load(name: "VOT2018-LT", root: root)
        let r = try ResultScoring.longTerm(dataset, results: root.appendingPathComponent("results"), trackers: [tracker])
        let truth = try EvalFixtures.json("\(folder)/\(expected)")["trackers"]![tracker]!["overall"]!
        let best = r.trackers[0].best
        #expect(Self.close(best.precision, truth["precision"]!.double, 1e-12))
        #expect(Self.close(best.recall, truth["recall"]!.double, 1e-12))
        #expect(Self.close(best.f1, truth["f1"]!.double, 1e-12))
        #expect(best.threshold == truth["threshold"]!.double)
    }

    /// pysot's OPEBenchmark on the metrics fixtures: the arrays become a LaSOT json (its `absent`
    /// list) and result files written as pysot writes them, then scored from disk.
    @Test func onePassResultFilesGivePysotsCurvesWithNaNZeroSizeAndAbsentFrames() throws {
        let fixtures = EvalFixtures.root.deletingLastPathComponent().appendingPathComponent("metrics")
        let truth = try EvalFixtures.json("../metrics/metrics.json")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("siamrpn-ope-\(UUID().uuidString)")
        let trackerDir = root.appendingPathComponent("results/LaSOT/Trk")
        try FileManager.default.createDirectory(at: trackerDir, withIntermediateDirectories: true)
        func rows(_ file: String) throws -> [[Double]] {
            let a = try NumPyArray(contentsOf: fixtures.appendingPathComponent(file))
            let v = a.doubles()
            return stride(from: 0, to: v.count, by: 4).map { Array(v[$0..<($0 + 4)]) }
        }
        var videos: [BenchmarkVideo] = []
        for s in truth["sequences"]!.array! {
            let name = s["name"]!.string!
            let gt = try rows(s["gt"]!.string!)
            let pred = try rows(s["pred"]!.string!)
            var visible = [Bool](repeating: true, count: gt.count)
            if let absent = s["absent"]?.string {
                visible = try NumPyArray(contentsOf: fixtures.appendingPathComponent(absent)).doubles().map { $0 != 0 }
            }
            let text = pred.map { $0.map(PythonFormat.repr).joined(separator: ",") + "\n" }.joined()
            try Data(text.utf8).write(to: trackerDir.appendingPathComponent("\(name).txt"))
            let frames = (1...gt.count).map { root.appendingPathComponent(String(format: "\(name)/img/%08d.jpg", $0)) }
            videos.append(BenchmarkVideo(name: name, directory: name, frames: frames, groundTruth: gt, visible: visible))
        }
        let dataset = BenchmarkDataset(name: "LaSOT", kind: .lasot, root: root, videos: videos, source: "test")
        try Data(PysotDatasetFile.encode(dataset).utf8).write(to: root.appendingPathComponent("LaSOT.json"))
        let loaded = try BenchmarkDataset.load(name: "LaSOT", root: root)
        let r = try ResultScoring.onePass(loaded, results: root.appendingPathComponent("results"), trackers: ["Trk"])
        for v in r.trackers[0].videos {
            let t = truth["per_sequence"]![v.name]!
            for (ours, key) in [
                (v.successCurve, "success_curve"), (v.precisionCurve, "precision_curve"), (v.normalizedPrecisionCurve, "norm_precision_curve")
            ] {
                let theirs = t[key]!.doubles
                #expect(ours.count == theirs.count)
                for (a, b) in zip(ours, theirs) { #expect(Self.close(a, b, 1e-12), "\(v.name) \(key)") }
            }
            #expect(Self.close(v.auc, t["auc"]!.double, 1e-12))
        }
        let overall = truth["overall_mean_over_sequences"]!
        #expect(Self.close(r.trackers[0].auc, overall["auc"]!.double, 1e-12))
        #expect(Self.close(r.trackers[0].precision, overall["precision_at_20px"]!.double, 1e-12))
    }

    @Test func missingResultFilesNameTheTrackerAndTheVideos() throws {
        let root = EvalFixtures.url("vot_st")
        let dataset = try BenchmarkDataset.load(name: "VOT2018", root: root)
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("siamrpn-none-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty.appendingPathComponent("VOT2018/Nobody"), withIntermediateDirectories: true)
        let error = #expect(throws: DatasetError.self) { try ResultScoring.vot(dataset, results: empty, trackers: ["Nobody"]) }
        #expect(error?.description.contains("tracker Nobody, video axis_mid") == true)
        #expect(throws: DatasetError.self) { try ResultScoring.trackers(results: empty, dataset: "VOT2018", prefix: "Trk") }
        #expect(try ResultScoring.trackers(results: empty, dataset: "VOT2018") == ["Nobody"])
    }

    /// NanoTrack's own reference runs of NanoTrackV3 on the 15 real sequences (pysot result files,
    /// `eval/otb15/`), scored from disk through the dataset json `siamrpn dataset` wrote for those
    /// sequences, give NanoTrack's evaluation of them (`eval/ope/metrics.json`, cross-checked there
    /// against pysot's OPEBenchmark): every curve of every sequence to 1e-12, AUC 0.681, P@20 0.985.
    @Test func nanoTracksFifteenReferenceRunsScoreAsItsOwnEvaluation() throws {
        let root = EvalFixtures.url("otb15")
        let dataset = try BenchmarkDataset.load(name: "OTB15", root: root)
        #expect(dataset.videos.count == 15 && dataset.frameCount == 3787)
        let r = try ResultScoring.onePass(dataset, results: root.appendingPathComponent("results"), trackers: ["NanoTrackV3"])
        let truth = try EvalFixtures.json("ope/metrics.json")["NanoTrackV3"]!
        for v in r.trackers[0].videos {
            let t = truth["per_sequence"]![v.name]!
            for (ours, key) in [
                (v.successCurve, "success_curve"), (v.precisionCurve, "precision_curve"), (v.normalizedPrecisionCurve, "norm_precision_curve")
            ] {
                for (a, b) in zip(ours, t[key]!.doubles) { #expect(Self.close(a, b, 1e-12), "\(v.name) \(key)") }
            }
        }
        #expect(Self.close(r.trackers[0].auc, truth["overall"]!["auc"]!.double, 1e-12))
        #expect(Self.close(r.trackers[0].precision, truth["overall"]!["precision_at_20px"]!.double, 1e-12))
        #expect(Self.close(r.trackers[0].normalizedPrecision, truth["overall"]!["norm_precision_at_0.20"]!.double, 1e-12))
    }
}
