import Foundation
import SiamEval
import SiamNN
import Testing

@testable import SiamRPN

/// VOT short-term accuracy, robustness, lost number and EAO (per tag, VOT2016/2018/2019 intervals)
/// computed from pysot's result-file layout equal pysot's toolkit on its fixtures
/// (Tests/Fixtures/README.md section 22): synthetic `vot_st` (TrkA 1 repetition, TrkB 3 files of which
/// pysot uses 1), `vot_st_reps` (15 repetitions, which pysot averages) and NanoTrackV3's reset-protocol
/// run `protocol`.
struct VOTShortTermTests {
    /// (folder, tracker) pairs with pysot's numbers.
    static let runs: [(folder: String, tracker: String)] = [
        ("vot_st", "TrkA"), ("vot_st", "TrkB"), ("vot_st_reps", "TrkR15"), ("protocol", "NanoTrackV3")
    ]

    struct Run {
        var folder: String
        var tracker: String
        var videos: [(sequence: VOTSequence, trajectories: [[[Double]]])]
        var files: [String: [URL]]
        var expected: JSONValue
        var truth: JSONValue { expected["trackers"]![tracker]! }

        init(_ folder: String, _ tracker: String) throws {
            self.folder = folder
            self.tracker = tracker
            expected = try EvalFixtures.json("\(folder)/expected.json")
            let dir = EvalFixtures.url("\(folder)/results/VOT2018/\(tracker)")
            var files: [String: [URL]] = [:]
            videos = try EvalFixtures.votDataset("\(folder)/VOT2018.json").map { s in
                files[s.name] = try PysotResultFiles.votBaselineFiles(trackerDirectory: dir, video: s.name)
                return (s, try PysotResultFiles.loadVOTBaseline(trackerDirectory: dir, video: s.name))
            }
            self.files = files
        }

        func array(_ path: String) throws -> NumPyArray { try EvalFixtures.npy("\(folder)/\(path)") }
    }

    @Test(arguments: runs.map { "\($0.folder)/\($0.tracker)" })
    func datasetAndResultFilesAreReadAsPysotReadsThem(_ run: String) throws {
        let parts = run.split(separator: "/").map(String.init)
        let r = try Run(parts[0], parts[1])
        let videos = r.expected["videos"]!
        guard case .object(let members) = videos else {
            Issue.record("videos")
            return
        }
        #expect(r.videos.map(\.sequence.name) == members.map(\.name).sorted())
        for (s, trajectories) in r.videos {
            let v = videos[s.name]!
            #expect(s.groundTruth.count == Int(v["frames"]!.double), "\(s.name) frames")
            #expect(s.width == Int(v["width"]!.double) && s.height == Int(v["height"]!.double), "\(s.name) image size")
            #expect(s.emptyTag == v["empty_tag"]!.ints, "\(s.name) tags['empty']")
            let used = r.truth["files_used"]![s.name]!.array!.map { $0.string! }
            let ours = r.files[s.name]!.map { $0.path.replacingOccurrences(of: EvalFixtures.url(r.folder).path + "/", with: "") }
            #expect(ours == used, "\(s.name) files")
            #expect(trajectories.count == Int(r.truth["per_video"]![s.name]!["repetitions_used"]!.double))
            #expect(trajectories.allSatisfy { $0.count == s.groundTruth.count }, "\(s.name): one line per frame")
        }
    }

    @Test(arguments: runs.map { "\($0.folder)/\($0.tracker)" })
    func failuresAndPerFrameOverlapsMatchPysotExactly(_ run: String) throws {
        let parts = run.split(separator: "/").map(String.init)
        let r = try Run(parts[0], parts[1])
        for (s, trajectories) in r.videos {
            let pv = r.truth["per_video"]![s.name]!
            let ar = AccuracyRobustness.evaluate(s, trajectories: trajectories)
            #expect(ar.failureFrames == pv["failure_frames"]!.array!.map(\.ints), "\(s.name) failure frames")
            #expect(ar.failures == pv["failures"]!.ints, "\(s.name) failures")
            // AR overlaps (burn-in 10, bounds W, H): exact, NaN positions included.
            let mean = try r.array(pv["arrays"]!["ar_overlaps_mean"]!.string!).doubles()
            #expect(
                mean.count == ar.overlaps.count && zip(ar.overlaps, mean).allSatisfy(sameValue),
                "\(s.name) AR overlaps: worst relative error \(worstRelative(ar.overlaps, mean))")
            if let perRep = pv["arrays"]!["ar_overlaps_per_rep"]?.string {
                let t = try r.array(perRep)
                #expect(t.shape == [trajectories.count, s.groundTruth.count])
                #expect(zip(ar.overlapsPerRepetition.flatMap { $0 }, t.doubles()).allSatisfy(sameValue), "\(s.name) AR overlaps per repetition")
            }
            // EAO overlaps (no burn-in, bounds W - 1, H - 1): exact.
            let eao = try r.array(pv["arrays"]!["eao_overlaps_per_rep"]!.string!)
            #expect(eao.shape == [trajectories.count, s.groundTruth.count])
            let ours = trajectories.flatMap {
                calculateAccuracy($0, s.groundTruth, bounds: (Double(s.width - 1), Double(s.height - 1)))
            }
            #expect(ours.count == eao.count && zip(ours, eao.doubles()).allSatisfy(sameValue), "\(s.name) EAO overlaps")
        }
    }

    @Test(arguments: runs.map { "\($0.folder)/\($0.tracker)" })
    func accuracyRobustnessAndLostNumberMatchPysotWithin1e12(_ run: String) throws {
        let parts = run.split(separator: "/").map(String.init)
        let r = try Run(parts[0], parts[1])
        let ar = try AccuracyRobustness(r.videos)
        let t = r.truth
        #expect(ar.length == Int(t["length"]!.double))
        #expect(relativelyClose(ar.accuracy, t["accuracy"]!.double, 1e-12), "accuracy \(ar.accuracy) vs \(t["accuracy"]!.double)")
        #expect(relativelyClose(ar.robustness, t["robustness"]!.double, 1e-12), "robustness \(ar.robustness) vs \(t["robustness"]!.double)")
        #expect(relativelyClose(ar.lostNumber, t["lost_number"]!.double, 1e-12), "lost number \(ar.lostNumber) vs \(t["lost_number"]!.double)")
        for v in ar.videos {
            let pv = t["per_video"]![v.name]!
            #expect(relativelyClose(v.accuracy, pv["accuracy"]!.double, 1e-12), "\(v.name) accuracy \(v.accuracy)")
            let lost = Double(v.failures.reduce(0, +)) / Double(v.failures.count)
            #expect(relativelyClose(lost, pv["lost_number_mean"]!.double, 1e-12), "\(v.name) lost number")
        }
    }

    @Test(arguments: runs.map { "\($0.folder)/\($0.tracker)" })
    func eaoFragmentsCurvesAndValuesMatchPysot(_ run: String) throws {
        let parts = run.split(separator: "/").map(String.init)
        let r = try Run(parts[0], parts[1])
        let t = r.truth
        let eao = ExpectedAverageOverlap(r.videos, tags: VOTSequence.tagNames)

        // The fragment matrix: which entries are set per row, and the 'all' weights.
        let arrays = t["eao_arrays"]!
        let validLengths = eao.fragments.map { row in row.filter { !$0.isNaN }.count }
        #expect(validLengths == arrays["fragment_rows_valid_length"]!.ints, "fragment rows")
        let weights = eao.weights["all"]!
        let truthWeights = arrays["fragment_weights_all"]!.doubles
        #expect(weights.count == truthWeights.count && zip(weights, truthWeights).allSatisfy(sameValue), "fragment weights \(weights)")

        // Curves: float32, at most 1 float32 ulp from pysot's.
        let curves = try r.array(arrays["curves"]!.string!)
        let order = arrays["curves_tag_order"]!.array!.map { $0.string! }
        #expect(curves.shape == [order.count, eao.fragments.first!.count])
        let truthCurves = curves.floats()
        var worstUlps: Float = 0
        for (k, tag) in order.enumerated() {
            let ours = eao.curves[tag]!
            let truth = Array(truthCurves[k * ours.count..<(k + 1) * ours.count])
            for (a, b) in zip(ours, truth) {
                if a.isNaN || b.isNaN {
                    #expect(a.isNaN && b.isNaN, "\(tag) curve NaN position")
                    continue
                }
                worstUlps = max(worstUlps, abs(a - b) / b.ulp)
            }
        }
        #expect(worstUlps <= 1, "EAO curves: \(worstUlps) float32 ulps")

        // EAO per tag (VOT2018) and for the other years' intervals: absolute 1e-9, NaN where pysot's is.
        func check(_ ours: Double, _ truth: Double, _ what: String) {
            if truth.isNaN {
                #expect(ours.isNaN, "\(what): \(ours), pysot NaN")
            } else {
                #expect(abs(ours - truth) <= 1e-9, "\(what): \(ours) vs \(truth)")
            }
        }
        for tag in VOTSequence.tagNames { check(eao.eao(tag, interval: .vot2018), t["eao"]!["VOT2018"]![tag]!.double, "VOT2018 \(tag)") }
        check(eao.eao(interval: .vot2016), t["eao"]!["VOT2016"]!["all"]!.double, "VOT2016 all")
        check(eao.eao(interval: .vot2019), t["eao"]!["VOT2019"]!["all"]!.double, "VOT2019 all")
        // tools/eval.py's call: tags = ['all'] only.
        check(ExpectedAverageOverlap(r.videos).eao(interval: .vot2018), t["eao_default_call_all"]!.double, "default call")
    }

    @Test func eaoIntervalsAreThoseOfPysotsDatasetNames() {
        #expect(ExpectedAverageOverlap.Interval(datasetName: "VOT2018") == .init(low: 100, high: 356))
        #expect(ExpectedAverageOverlap.Interval(datasetName: "VOT2017") == .init(low: 100, high: 356))
        #expect(ExpectedAverageOverlap.Interval(datasetName: "VOT2016") == .init(low: 108, high: 371))
        #expect(ExpectedAverageOverlap.Interval(datasetName: "VOT2019") == .init(low: 46, high: 291))
        #expect(ExpectedAverageOverlap.Interval(datasetName: "VOT2018-LT") == nil)
    }
}
