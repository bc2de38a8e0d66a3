import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// pysot's tracker runs on the bag frames (Tests/Fixtures/README.md section 6): every step from
/// the recorded state (so a near-tie cannot cascade), the frame-1 score arrays, and whole
/// trajectories from the init box.
///
/// Tolerances: boxes and state max(1e-3 px, 2e-6 |v|); scores, penalties, window-weighted
/// scores 1e-5; crops exact; the argmax exact unless pysot's own runner-up is within 1e-4.
struct TrackerStepTests {
    static let runs = ["siamrpn_r50_l234_dwxcorr", "siamrpn_mobilev2_l234_dwxcorr", "siamrpn_alex_dwxcorr", "lt_r50_weights"]

    /// The recorded run, its model and its tracker configuration.
    struct Run {
        let steps: [String: Any]
        let model: SiamRPNModel
        let track: TrackConfig
        let anchor: AnchorConfig

        init(_ name: String) throws {
            steps = try Fixtures.json("tracker/\(name)/steps.json") as! [String: Any]
            let modelName = steps["model"] as! String
            let config = try PysotConfig.load(contentsOf: Fixtures.url("configs/\(modelName).yaml"))
            model = try SiamRPNModel(spec: config.modelSpec(), weights: DeterministicWeights.stateDict(modelName))
            let t = steps["effective_TRACK"] as! [String: Any]
            track = TrackConfig(
                type: TrackerType(rawValue: t["TYPE"] as! String)!, penaltyK: t["PENALTY_K"] as! Double,
                windowInfluence: t["WINDOW_INFLUENCE"] as! Double, lr: t["LR"] as! Double,
                exemplarSize: t["EXEMPLAR_SIZE"] as! Int, instanceSize: t["INSTANCE_SIZE"] as! Int,
                baseSize: t["BASE_SIZE"] as! Int, contextAmount: t["CONTEXT_AMOUNT"] as! Double,
                lostInstanceSize: t["LOST_INSTANCE_SIZE"] as! Int, confidenceLow: t["CONFIDENCE_LOW"] as! Double,
                confidenceHigh: t["CONFIDENCE_HIGH"] as! Double)
            anchor = config.anchor
        }

        var isLongTerm: Bool { track.type == .siamRPNLongTerm }
        var initBox: Box {
            let b = (steps["init"] as! [String: Any])["bbox"] as! [Double]
            return Box(x: b[0], y: b[1], width: b[2], height: b[3])
        }
        var stepList: [[String: Any]] { steps["steps"] as! [[String: Any]] }
    }

    static func frame(_ i: Int) throws -> Image {
        try Image.load(contentsOf: Fixtures.url(String(format: "frames/frame_%04d.png", i)))
    }

    static func close(_ a: Double, _ b: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(a - b) <= max(1e-3, 2e-6 * abs(b)), "\(what): \(a) vs pysot \(b)", sourceLocation: sourceLocation)
    }

    static func state(_ d: Any?) -> [Double] {
        let s = d as! [String: Any]
        return (s["center_pos"] as! [Double]) + (s["size"] as! [Double])
    }

    @Test(arguments: runs)
    func initialisationMatchesPysot(run name: String) throws {
        let run = try Run(name)
        let core = SiameseSearch(model: run.model, track: run.track, anchor: run.anchor)
        try core.initialize(image: Self.frame(0), box: run.initBox)
        let initInfo = run.steps["init"] as! [String: Any]
        #expect([core.centerX, core.centerY, core.width, core.height] == Self.state(initInfo["state_after"]))
        #expect(core.channelAverage == initInfo["channel_average"] as! [Double])
    }

    /// Per run, the near ties of `everyStepMatchesPysotFromTheRecordedState` (Tests/Fixtures/README.md
    /// section 20): `accepted`, the frames where pysot's runner-up is within 1e-4 of its best, so
    /// either index is accepted; `skipped`, the frames among them where ours is the runner-up and
    /// the rest of the step (score, box and state of another anchor) is not compared. Today ours
    /// is pysot's choice at every near tie. Exact: a change that creates a new tie fails.
    static let expectedNearTies: [String: (accepted: [Int], skipped: [Int])] = [
        "siamrpn_r50_l234_dwxcorr": ([13, 14, 15, 17], []),
        "siamrpn_mobilev2_l234_dwxcorr": ([], []),
        "siamrpn_alex_dwxcorr": ([2, 4], []),
        "lt_r50_weights": ([11, 12], [])
    ]

    @Test(arguments: runs)
    func everyStepMatchesPysotFromTheRecordedState(run name: String) throws {
        let run = try Run(name)
        var nearTies: [Int] = []
        var nearTieSkips: [Int] = []
        let core = SiameseSearch(model: run.model, track: run.track, anchor: run.anchor)
        try core.initialize(image: Self.frame(0), box: run.initBox)
        let short = SiamRPNTracker(model: run.model, track: run.track, anchor: run.anchor)
        let long = SiamRPNLTTracker(model: run.model, track: run.track, anchor: run.anchor)
        for step in run.stepList {
            let f = step["frame_index"] as! Int
            let before = Self.state(step["state_before"])
            (core.centerX, core.centerY, core.width, core.height) = (before[0], before[1], before[2], before[3])
            let lost = run.isLongTerm && (step["longterm_state_before"] as! Bool)
            let instance = lost ? run.track.lostInstanceSize : run.track.instanceSize
            #expect(instance == step["instance_size"] as! Int, "frame \(f) instance size")
            let s = try core.search(
                image: Self.frame(f), instanceSize: instance,
                windowInfluence: lost ? 0.001 : run.track.windowInfluence)
            #expect(s.scoreSize == step["score_size"] as! Int)
            #expect(
                s.region.sZ == step["s_z"] as! Double && s.region.scaleZ == step["scale_z"] as! Double && s.region.sX == step["s_x"] as! Double,
                "frame \(f) crop geometry")
            #expect(s.region.cropSize == step["s_x_rounded"] as! Int)

            // The crop: integer checksum of pysot's uint8 search crop, exact.
            let crop = contextCrop(
                try Self.frame(f), centerX: before[0], centerY: before[1], modelSize: instance,
                originalSize: s.region.cropSize, average: core.channelAverage)
            let cropCHW = networkInput(fromBGR: crop, size: instance).values
            let ck = step["search_crop_checksum"] as! [String: Any]
            #expect(cropCHW.reduce(0.0) { $0 + Double($1) } == ck["sum"] as! Double, "frame \(f) crop sum")
            #expect(cropCHW.reduce(0.0) { $0 + Double($1) * Double($1) } == ck["sum_sq"] as! Double, "frame \(f) crop sum_sq")
            for (i, v) in zip(ck["sample_idx"] as! [Int], ck["samples"] as! [Double]) {
                #expect(Double(cropCHW[i]) == v)
            }

            // Raw outputs: pysot's float32 at the sampled positions (float32 vs float32: 1e-4 of the range).
            for (tensor, key) in [(s.cls, "cls_checksum"), (s.loc, "loc_checksum")] {
                let c = step[key] as! [String: Any]
                let range = max(abs(c["min"] as! Double), abs(c["max"] as! Double))
                for (i, v) in zip(c["sample_idx"] as! [Int], c["samples"] as! [Double]) {
                    #expect(abs(Double(tensor.values[i]) - v) <= 1e-4 * range, "frame \(f) \(key)[\(i)]")
                }
            }

            let margin = step["pscore_margin"] as! Double
            let pysotBest = step["best_idx"] as! Int
            if margin > 1e-4 {
                #expect(s.best == pysotBest, "frame \(f) best index \(s.best) vs pysot \(pysotBest) (margin \(margin))")
            } else {
                nearTies.append(f)
                #expect([pysotBest, step["pscore_second_idx"] as! Int].contains(s.best), "frame \(f) near-tie best index")
            }
            guard s.best == pysotBest else {
                nearTieSkips.append(f)
                continue
            }
            #expect(abs(Double(s.bestScore) - (step["best_score"] as! Double)) <= 1e-5, "frame \(f) best score")
            #expect(abs(Double(s.penalty[s.best]) - (step["penalty_best"] as! Double)) <= 1e-5, "frame \(f) penalty")
            #expect(abs(s.pscore[s.best] - (step["pscore_best"] as! Double)) <= 1e-5, "frame \(f) pscore")
            #expect(abs(s.lr - (step["lr"] as! Double)) <= 1e-5, "frame \(f) lr")
            for (k, v) in (step["pred_bbox_best_crop"] as! [Double]).enumerated() {
                Self.close(Double(s.boxes[4 * s.best + k]), v, "frame \(f) pred box[\(k)]")
            }
            for (k, v) in (step["pred_bbox_best_image_delta"] as! [Double]).enumerated() {
                Self.close(Double(s.delta[k]), v, "frame \(f) delta[\(k)]")
            }

            // The update: what track() returns and the state it leaves.
            let result: TrackResult
            let after: [Double]
            if run.isLongTerm {
                (long.core.centerX, long.core.centerY, long.core.width, long.core.height) = (before[0], before[1], before[2], before[3])
                long.core.imageSize = core.imageSize
                long.isLost = lost
                result = long.apply(s)
                after = [long.core.centerX, long.core.centerY, long.core.width, long.core.height]
                #expect(long.isLost == step["longterm_state_after"] as! Bool, "frame \(f) lost state")
            } else {
                (short.core.centerX, short.core.centerY, short.core.width, short.core.height) = (before[0], before[1], before[2], before[3])
                short.core.imageSize = core.imageSize
                result = short.apply(s)
                after = [short.core.centerX, short.core.centerY, short.core.width, short.core.height]
            }
            let returned = step["returned_bbox"] as! [Double]
            for (k, v) in [result.box.x, result.box.y, result.box.width, result.box.height].enumerated() {
                Self.close(v, returned[k], "frame \(f) returned box[\(k)]")
            }
            for (k, v) in after.enumerated() { Self.close(v, Self.state(step["state_after"])[k], "frame \(f) state[\(k)]") }
            #expect(abs(Double(result.score) - (step["returned_best_score"] as! Double)) <= 1e-5)
        }
        print("TrackerStepTests \(name): near ties at frames \(nearTies), steps skipped at frames \(nearTieSkips)")
        let expected = try #require(Self.expectedNearTies[name])
        #expect(
            nearTies.count == expected.accepted.count && nearTies == expected.accepted,
            "\(name): \(nearTies.count) near ties at frames \(nearTies), expected \(expected.accepted)")
        #expect(
            nearTieSkips.count == expected.skipped.count && nearTieSkips == expected.skipped,
            "\(name): \(nearTieSkips.count) near-tie steps skipped at frames \(nearTieSkips), expected \(expected.skipped)")
    }

    @Test(arguments: runs)
    func frameOneScoreArraysMatchPysot(run name: String) throws {
        let run = try Run(name)
        let core = SiameseSearch(model: run.model, track: run.track, anchor: run.anchor)
        try core.initialize(image: Self.frame(0), box: run.initBox)
        let s = try core.search(
            image: Self.frame(1), instanceSize: run.track.instanceSize,
            windowInfluence: run.track.windowInfluence)
        func load(_ file: String) throws -> [Double] {
            try NumPyArray(contentsOf: Fixtures.url("tracker/\(name)/\(file)")).doubles()
        }
        let crop = try NumPyArray(contentsOf: Fixtures.url("tracker/\(name)/frame1_x_crop.npy"))
        let ours = contextCrop(
            try Self.frame(1), centerX: core.centerX, centerY: core.centerY, modelSize: run.track.instanceSize,
            originalSize: s.region.cropSize, average: core.channelAverage)
        #expect(networkInput(fromBGR: ours, size: run.track.instanceSize).values.map { UInt8($0) } == crop.data)
        func worst(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? .infinity }
        #expect(worst(s.score.map(Double.init), try load("frame1_score.npy")) <= 1e-5)
        #expect(worst(s.penalty.map(Double.init), try load("frame1_penalty.npy")) <= 1e-5)
        #expect(worst(s.pscore, try load("frame1_pscore.npy")) <= 1e-5)
        // frame1_pred_bbox is (4, N): coordinate-major.
        let pred = try load("frame1_pred_bbox.npy")
        let n = s.score.count
        var outside = 0
        var worstBox = 0.0
        for k in 0..<4 {
            for i in 0..<n {
                let v = pred[k * n + i]
                let err = abs(Double(s.boxes[4 * i + k]) - v)
                worstBox = max(worstBox, err)
                if err > max(1e-3, 2e-6 * abs(v)) { outside += 1 }
            }
        }
        #expect(outside == 0, "decoded boxes: \(outside) values outside max(1e-3 px, 2e-6|v|), worst \(worstBox) px")
    }

    @Test(arguments: runs)
    func wholeTrajectoryFromTheInitBoxMatchesPysot(run name: String) throws {
        let run = try Run(name)
        let short = SiamRPNTracker(model: run.model, track: run.track, anchor: run.anchor)
        let long = SiamRPNLTTracker(model: run.model, track: run.track, anchor: run.anchor)
        if run.isLongTerm {
            try long.initialize(image: Self.frame(0), box: run.initBox)
        } else {
            try short.initialize(image: Self.frame(0), box: run.initBox)
        }
        for step in run.stepList {
            let f = step["frame_index"] as! Int
            let r = run.isLongTerm ? try long.update(image: Self.frame(f)) : try short.update(image: Self.frame(f))
            let returned = step["returned_bbox"] as! [Double]
            for (k, v) in [r.box.x, r.box.y, r.box.width, r.box.height].enumerated() {
                Self.close(v, returned[k], "frame \(f) box[\(k)]")
            }
            if run.isLongTerm { #expect(long.isLost == step["longterm_state_after"] as! Bool, "frame \(f) lost") }
        }
    }
}
