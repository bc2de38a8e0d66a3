import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// `MultiTracker`: T targets on one model give, per target, what a separate tracker gives (the
/// separate trackers are pysot's, checked against pysot's recorded runs in `TrackerStepTests`),
/// on the real bag frames (Tests/Fixtures/frames, README section 6) with the fixture weights.
///
/// Tolerance, batched against separate: boxes max(1e-3 px, 2e-6 |v|) and scores 1e-5 — the
/// tolerance of the separate trackers against pysot. The batch sums each output in the same order
/// as batch 1 except where a GEMM's width picks another sgemm path (plain loops below 10^6
/// multiply-adds, OpenBLAS above); measured: equal to the last bit on these runs.
struct MultiTrackerTests {
    /// The pysot init box of the fixture runs, and two other regions of the 480x360 frames.
    static func boxes(_ run: TrackerStepTests.Run) -> [Box] {
        [run.initBox, Box(x: 40, y: 50, width: 80, height: 70), Box(x: 300, y: 200, width: 60, height: 90)]
    }

    static let frames: [String: Int] = ["siamrpn_mobilev2_l234_dwxcorr": 8, "siamrpn_alex_dwxcorr": 8, "siamrpn_r50_l234_dwxcorr": 3]

    @Test(arguments: ["siamrpn_mobilev2_l234_dwxcorr", "siamrpn_alex_dwxcorr", "siamrpn_r50_l234_dwxcorr"])
    func threeBatchedTargetsTrackAsThreeSeparateTrackers(run name: String) throws {
        let run = try TrackerStepTests.Run(name)
        var config = try PysotConfig.load(contentsOf: Fixtures.url("configs/\(name).yaml"))
        config.track = run.track
        config.anchor = run.anchor
        let multi = try MultiTracker(model: run.model, config: config)
        #expect(multi.isBatched)
        let boxes = Self.boxes(run)
        let first = try TrackerStepTests.frame(0)
        try multi.initialize(image: first, boxes: boxes)
        let separate = boxes.map { _ in SiamRPNTracker(model: run.model, track: run.track, anchor: run.anchor) }
        for (t, box) in zip(separate, boxes) { try t.initialize(image: first, box: box) }
        var worstBox = 0.0
        var worstScore: Float = 0
        for f in 1...Self.frames[name]! {
            let image = try TrackerStepTests.frame(f)
            let results = try multi.update(image: image)
            #expect(results.count == 3)
            for (k, t) in separate.enumerated() {
                let r = try t.update(image: image)
                let a = [results[k].box.x, results[k].box.y, results[k].box.width, results[k].box.height]
                let b = [r.box.x, r.box.y, r.box.width, r.box.height]
                for (x, y) in zip(a, b) {
                    #expect(abs(x - y) <= max(1e-3, 2e-6 * abs(y)), "\(name) frame \(f) target \(k + 1): box \(a) vs \(b)")
                    worstBox = max(worstBox, abs(x - y))
                }
                #expect(abs(results[k].score - r.score) <= 1e-5, "\(name) frame \(f) target \(k + 1): score")
                #expect(results[k].isLost == r.isLost)
                worstScore = max(worstScore, abs(results[k].score - r.score))
            }
        }
        print("MultiTracker \(name): worst box difference \(worstBox) px, worst score difference \(worstScore)")
    }

    @Test func oneTargetIsBitIdenticalToTheSingleTracker() throws {
        let run = try TrackerStepTests.Run("siamrpn_alex_dwxcorr")
        var config = try PysotConfig.load(contentsOf: Fixtures.url("configs/siamrpn_alex_dwxcorr.yaml"))
        config.track = run.track
        config.anchor = run.anchor
        let multi = try MultiTracker(model: run.model, config: config)
        let single = SiamRPNTracker(model: run.model, track: run.track, anchor: run.anchor)
        try multi.initialize(image: TrackerStepTests.frame(0), boxes: [run.initBox])
        try single.initialize(image: TrackerStepTests.frame(0), box: run.initBox)
        for f in 1...5 {
            let image = try TrackerStepTests.frame(f)
            #expect(try multi.update(image: image) == [try single.update(image: image)])
        }
    }

    /// NanoTrack's search graph runs one image at a time: its targets run one by one, each
    /// exactly a separate NanoTracker.
    @Test func nanoTrackTargetsRunOneByOneAsSeparateTrackers() throws {
        let model = try TrackingModel.bundled()
        #expect(!model.network.searchGraph.supportsBatch)
        let multi = try model.makeMultiTracker()
        #expect(!multi.isBatched)
        let run = try TrackerStepTests.Run("siamrpn_alex_dwxcorr")
        let boxes = Self.boxes(run)
        let first = try TrackerStepTests.frame(0)
        try multi.initialize(image: first, boxes: boxes)
        let separate = try boxes.map { _ in try model.makeTracker() }
        for (t, box) in zip(separate, boxes) { try t.initialize(image: first, box: box) }
        for f in 1...3 {
            let image = try TrackerStepTests.frame(f)
            #expect(try multi.update(image: image) == (try separate.map { try $0.update(image: image) }))
        }
    }

    @Test func aBatchedPlanOfAGraphThatRunsOneImageAtATimeThrows() throws {
        let model = try TrackingModel.bundled()
        let kernels = model.network.templateGraph.outputValues.map { _ in [8, 8] }
        #expect(throws: PlanError.self) {
            try Plan(graph: model.network.searchGraph, inputSizes: [[255, 255]] + kernels, batch: 2)
        }
    }

    @Test func noBoxesAndABoxOutsideTheImageAreClearErrors() throws {
        let run = try TrackerStepTests.Run("siamrpn_alex_dwxcorr")
        let config = try PysotConfig.load(contentsOf: Fixtures.url("configs/siamrpn_alex_dwxcorr.yaml"))
        let multi = try MultiTracker(model: run.model, config: config)
        let image = try TrackerStepTests.frame(0)
        #expect(throws: TrackerError.noTargets) { try multi.initialize(image: image, boxes: []) }
        #expect(throws: TrackerError.notInitialized) { try multi.update(image: image) }
        let outside = Box(x: 600, y: 10, width: 20, height: 20)
        do {
            try multi.initialize(image: image, boxes: [run.initBox, outside])
            Issue.record("a box outside the image was accepted")
        } catch let error as TrackerError {
            guard case .target(let index, .invalidBox) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(index == 1)
            #expect(error.description.hasPrefix("target 2: init box"))
        }
        #expect(multi.count == 0)
    }
}
