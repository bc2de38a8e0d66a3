import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// NanoTracker (V3) against NanoTrack's own runs (Tests/Fixtures/README.md sections 14-20):
/// init + 20 steps on `vot_ball1` (fast motion) and `uav_wakeboard7` (scale change).
///
/// Tolerances (section 16): crops and frames exact; boxes and states max(1e-3 px, 2e-6 |v|);
/// scores, penalties, window-weighted scores, lr 1e-5; network outputs 1e-4 of their range
/// against NanoTrack's float32; the argmax exact (every recorded margin exceeds 1e-4, so no
/// step may be skipped); the first 21 boxes of the full reference run within 0.01 px (section 17).
struct NanoTrackerTests {
    static let runs = ["v3_vot_ball1", "v3_uav_wakeboard7"]

    struct Run {
        let name: String
        let steps: [String: Any]
        init(_ name: String) throws {
            self.name = name
            steps = try NanoTrackFixtures.json("tracker/\(name)/steps.json")
        }
        var sequence: String { steps["sequence"] as! String }
        var initInfo: [String: Any] { steps["init"] as! [String: Any] }
        var initBox: Box {
            let b = initInfo["bbox"] as! [Double]
            return Box(x: b[0], y: b[1], width: b[2], height: b[3])
        }
        var stepList: [[String: Any]] { steps["steps"] as! [[String: Any]] }
        func frame(_ number: Int) throws -> Image { try NanoTrackFixtures.frame(sequence, number) }
        var config: NanoTrackConfig {
            let t = steps["effective_TRACK"] as! [String: Any]
            return NanoTrackConfig(
                penaltyK: t["PENALTY_K"] as! Double, windowInfluence: t["WINDOW_INFLUENCE"] as! Double,
                lr: t["LR"] as! Double, exemplarSize: t["EXEMPLAR_SIZE"] as! Int,
                instanceSize: t["INSTANCE_SIZE"] as! Int, outputSize: t["OUTPUT_SIZE"] as! Int,
                pointStride: steps["POINT_STRIDE"] as! Int, contextAmount: t["CONTEXT_AMOUNT"] as! Double)
        }
    }

    static func close(_ a: Double, _ b: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(a - b) <= max(1e-3, 2e-6 * abs(b)), "\(what): \(a) vs NanoTrack \(b)", sourceLocation: sourceLocation)
    }

    static func state(_ d: Any?) -> [Double] {
        let s = d as! [String: Any]
        return (s["center_pos"] as! [Double]) + (s["size"] as! [Double])
    }

    static func chw(_ pixels: [UInt8], size: Int) -> [Double] {
        networkInput(fromBGR: pixels, size: size).values.map(Double.init)
    }

    @Test func v3ConfigurationIsTheDefault() throws {
        #expect(try Run("v3_vot_ball1").config == NanoTrackConfig())
        #expect(
            NanoTrackConfig.v3
                == NanoTrackConfig(
                    penaltyK: 0.138, windowInfluence: 0.455, lr: 0.348, exemplarSize: 127,
                    instanceSize: 255, outputSize: 15, pointStride: 16, contextAmount: 0.5))
    }

    @Test(arguments: [15, 16])
    func pointsAndWindowEqualNanoTrackExactly(size: Int) throws {
        let points = try NanoTrackFixtures.npy("points/points_s\(size).npy")
        #expect(points.shape == [size * size, 2])
        #expect(NanoTracker.points(stride: 16, size: size) == points.floats())
        #expect(cosineWindow(scoreSize: size, anchorCount: 1) == (try NanoTrackFixtures.npy("points/window_s\(size).npy")).doubles())
    }

    @Test(arguments: runs)
    func framesDecodeToNanoTracksPixels(run name: String) throws {
        let run = try Run(name)
        var frames = [(run.initInfo["frame"] as! Int, run.initInfo["frame_checksum"])]
        frames += run.stepList.map { ($0["frame"] as! Int, $0["frame_checksum"]) }
        #expect(frames.count == 21)
        for (number, checksum) in frames {
            let image = try run.frame(number)
            let c = NanoTrackFixtures.Checksum(checksum)
            #expect(c.shape == [image.height, image.width, 3])
            #expect(c.matchesExactly(image.pixels.map(Double.init)), "\(run.sequence) frame \(number)")
            #expect(SHA256.hex(image.pixels) == (checksum as! [String: Any])["sha256_of_bgr_bytes"] as! String)
        }
    }

    @Test(arguments: runs)
    func initialisationMatchesNanoTrack(run name: String) throws {
        let run = try Run(name)
        let tracker = NanoTracker(model: NanoTrackFixtures.model, config: run.config)
        let image = try run.frame(run.initInfo["frame"] as! Int)
        try tracker.initialize(image: image, box: run.initBox)
        #expect([tracker.centerX, tracker.centerY, tracker.width, tracker.height] == Self.state(run.initInfo["state_after"]))
        #expect(tracker.channelAverage == run.initInfo["channel_average"] as! [Double])
        // The template crop, exactly, and the template features (zf) at section 14's checksum tolerance.
        let args = run.initInfo["template_crop"] as! [String: Any]
        let crop = contextCrop(
            image, centerX: tracker.centerX, centerY: tracker.centerY, modelSize: 127,
            originalSize: args["original_sz"] as! Int, average: tracker.channelAverage)
        #expect(args["original_sz"] as! Int == run.initInfo["s_z_rounded"] as! Int)
        #expect(NanoTrackFixtures.Checksum(run.initInfo["template_crop_checksum"]).matchesExactly(Self.chw(crop, size: 127)))
        #expect(Self.chw(crop, size: 127) == (try NanoTrackFixtures.npy("tracker/\(name)/z_crop.npy")).doubles())
        let model = NanoTrackFixtures.model
        let tws = Workspace(plan: try Plan(graph: model.templateGraph, inputSizes: [[127, 127]], keepingAll: true))
        let features = model.templateFeatures(networkInput(fromBGR: crop, size: 127), workspace: tws)
        let zf = try #require(model.templateGraph.value(named: "template.backbone.features.9"))
        let (problems, _) = tws.withValueBuffer(zf) { NanoTrackFixtures.Checksum(run.initInfo["zf_checksum"]).mismatches($0) }
        #expect(problems.isEmpty, "zf: \(problems)")
        #expect(features.kernels.map(\.values) == tracker.template!.kernels.map(\.values))
    }

    @Test(arguments: runs)
    func everyStepMatchesNanoTrackFromTheRecordedState(run name: String) throws {
        let run = try Run(name)
        let tracker = NanoTracker(model: NanoTrackFixtures.model, config: run.config)
        try tracker.initialize(image: try run.frame(run.initInfo["frame"] as! Int), box: run.initBox)
        // Steps whose remaining checks are skipped because our argmax differs from NanoTrack's:
        // none may be (every recorded margin exceeds 1e-4, so there is no near tie to accept;
        // Tests/Fixtures/README.md section 20).
        var skipped: [Int] = []
        for step in run.stepList {
            let f = step["frame"] as! Int
            let before = Self.state(step["state_before"])
            (tracker.centerX, tracker.centerY, tracker.width, tracker.height) = (before[0], before[1], before[2], before[3])
            let image = try run.frame(f)
            let s = try tracker.search(image: image)
            #expect(step["score_size"] as! Int == 15 && step["instance_size"] as! Int == 255)
            #expect(
                s.region.sZ == step["s_z"] as! Double && s.region.scaleZ == step["scale_z"] as! Double && s.region.sX == step["s_x"] as! Double,
                "frame \(f) crop geometry")
            #expect(s.region.cropSize == step["s_x_rounded"] as! Int)

            let crop = contextCrop(
                image, centerX: before[0], centerY: before[1], modelSize: 255, originalSize: s.region.cropSize,
                average: tracker.channelAverage)
            #expect(NanoTrackFixtures.Checksum(step["search_crop_checksum"]).matchesExactly(Self.chw(crop, size: 255)), "frame \(f) crop")

            let (cls, loc) = try #require(tracker.networkOutputs())
            for (tensor, key) in [(cls, "cls_checksum"), (loc, "loc_checksum")] {
                let c = NanoTrackFixtures.Checksum(step[key])
                #expect(tensor.shape == c.shape)
                let (problems, _) = tensor.values.withUnsafeBufferPointer { c.mismatches($0) }
                #expect(problems.isEmpty, "frame \(f) \(key): \(problems)")
            }

            let best = s.choice.best
            #expect(step["pscore_margin"] as! Double > 1e-4)
            #expect(best == step["best_idx"] as! Int, "frame \(f) best index")
            guard best == step["best_idx"] as! Int else {
                skipped.append(f)
                continue
            }
            #expect([best / 15, best % 15] == step["best_idx_row_col"] as! [Int])
            #expect([Double(tracker.points[2 * best]), Double(tracker.points[2 * best + 1])] == step["best_point_crop_px"] as! [Double])
            #expect(abs(Double(tracker.score[best]) - (step["best_score"] as! Double)) <= 1e-5, "frame \(f) best score")
            #expect(abs(Double(tracker.penalty[best]) - (step["penalty_best"] as! Double)) <= 1e-5, "frame \(f) penalty")
            #expect(tracker.window[best] == step["window_best"] as! Double, "frame \(f) window")
            #expect(abs(tracker.pscore[best] - (step["pscore_best"] as! Double)) <= 1e-5, "frame \(f) pscore")
            #expect(abs(s.choice.lr - (step["lr"] as! Double)) <= 1e-5, "frame \(f) lr")
            let second = tracker.pscore.enumerated().filter { $0.offset != best }.max { $0.element < $1.element }!
            #expect(second.offset == step["pscore_second_idx"] as! Int, "frame \(f) runner-up")
            for (k, v) in (step["pred_bbox_best_crop"] as! [Double]).enumerated() {
                Self.close(Double(tracker.boxes[4 * best + k]), v, "frame \(f) pred box[\(k)]")
            }
            for (k, v) in (step["pred_bbox_best_image_delta"] as! [Double]).enumerated() {
                Self.close(Double(s.choice.delta[k]), v, "frame \(f) delta[\(k)]")
            }

            let result = tracker.apply(s)
            let returned = step["returned_bbox"] as! [Double]
            for (k, v) in [result.box.x, result.box.y, result.box.width, result.box.height].enumerated() {
                Self.close(v, returned[k], "frame \(f) returned box[\(k)]")
            }
            let after = Self.state(step["state_after"])
            for (k, v) in [tracker.centerX, tracker.centerY, tracker.width, tracker.height].enumerated() {
                Self.close(v, after[k], "frame \(f) state[\(k)]")
            }
            #expect(abs(Double(result.score) - (step["returned_best_score"] as! Double)) <= 1e-5)
            #expect(!result.isLost)
        }
        #expect(skipped.count == 0, "\(name): steps skipped at frames \(skipped)")
    }

    @Test(arguments: runs)
    func stepOneScoreArraysMatchNanoTrack(run name: String) throws {
        let run = try Run(name)
        let tracker = NanoTracker(model: NanoTrackFixtures.model, config: run.config)
        try tracker.initialize(image: try run.frame(run.initInfo["frame"] as! Int), box: run.initBox)
        let step = run.stepList[0]
        let image = try run.frame(step["frame"] as! Int)
        let s = try tracker.search(image: image)
        func load(_ file: String) throws -> [Double] { try NanoTrackFixtures.npy("tracker/\(name)/\(file)").doubles() }
        func worst(_ a: [Double], _ b: [Double]) -> Double {
            precondition(a.count == b.count)
            return zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        }
        let crop = contextCrop(
            image, centerX: tracker.centerX, centerY: tracker.centerY, modelSize: 255,
            originalSize: s.region.cropSize, average: tracker.channelAverage)
        #expect(Self.chw(crop, size: 255) == (try load("step1_x_crop.npy")))
        let (cls, loc) = try #require(tracker.networkOutputs())
        let clsRef = try load("step1_cls.npy")
        let locRef = try load("step1_loc.npy")
        #expect(worst(cls.values.map(Double.init), clsRef) <= 1e-4 * clsRef.map(abs).max()!)
        #expect(zip(loc.values, locRef).map { abs(Double($0) - $1) / $1 }.max()! <= 1e-4)
        let scoreError = worst(tracker.score.map(Double.init), try load("step1_score.npy"))
        let penaltyError = worst(tracker.penalty.map(Double.init), try load("step1_penalty.npy"))
        let pscoreError = worst(tracker.pscore, try load("step1_pscore.npy"))
        #expect(scoreError <= 1e-5 && penaltyError <= 1e-5 && pscoreError <= 1e-5)
        // step1_pred_bbox is (4, S*S): coordinate-major.
        let pred = try load("step1_pred_bbox.npy")
        let n = tracker.score.count
        var boxError = 0.0
        for k in 0..<4 {
            for i in 0..<n { boxError = max(boxError, abs(Double(tracker.boxes[4 * i + k]) - pred[k * n + i])) }
        }
        #expect(boxError <= 1e-3, "decoded boxes: worst difference \(boxError) crop px")
        print("NanoTracker \(name) step 1: score \(scoreError), penalty \(penaltyError), pscore \(pscoreError), boxes \(boxError) px")
    }

    /// Reads a pysot result file (`x,y,w,h` per line).
    static func referenceBoxes(_ sequence: String, from url: URL) throws -> [[Double]] {
        try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).map {
            $0.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces))! }
        }
    }

    @Test(arguments: runs)
    func wholeTrajectoryFromTheInitBoxMatchesNanoTrack(run name: String) throws {
        let run = try Run(name)
        let tracker: any ObjectTracker = NanoTracker(model: NanoTrackFixtures.model, config: run.config)
        try tracker.initialize(image: try run.frame(run.initInfo["frame"] as! Int), box: run.initBox)
        var worst = 0.0
        var boxes = [[run.initBox.x, run.initBox.y, run.initBox.width, run.initBox.height]]
        for step in run.stepList {
            let f = step["frame"] as! Int
            let r = try tracker.update(image: try run.frame(f))
            let returned = step["returned_bbox"] as! [Double]
            let box = [r.box.x, r.box.y, r.box.width, r.box.height]
            for (k, v) in box.enumerated() {
                Self.close(v, returned[k], "frame \(f) box[\(k)]")
                worst = max(worst, abs(v - returned[k]))
            }
            boxes.append(box)
        }
        print("NanoTracker \(name): 20-step trajectory, worst box difference \(worst) px")
        // The vot_ball1 run starts on frame 1 as the full reference run does: same boxes.
        if run.initInfo["frame"] as! Int == 1 {
            let reference = try Self.referenceBoxes(run.sequence, from: Fixtures.url("nanotrack/reference_results/NanoTrackV3/\(run.sequence).txt"))
            for (i, box) in boxes.enumerated() {
                for k in 0..<4 { #expect(abs(box[k] - reference[i][k]) <= 0.01, "reference run line \(i + 1)") }
            }
        }
    }

    /// Where the shared set's sequences are (`<repo>/../shared/sequences`, or `$SIAMRPN_SHARED/sequences`);
    /// full-sequence checks run only when they are there.
    static let sharedSequences: URL? = {
        let env = ProcessInfo.processInfo.environment["SIAMRPN_SHARED"].map { URL(fileURLWithPath: $0) }
        let sibling = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared")
        let url = (env ?? sibling).appendingPathComponent("sequences")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("vot_ball1/img/0001.jpg").path) ? url : nil
    }()

    /// How close the search crop of a state is to a rounding boundary, in pixels: the crop origin
    /// `floor(c - (round(s_x) + 1) / 2 + 0.5)` on either axis, or `round(s_x)` itself. Within
    /// float32 noise of a boundary the original and a port may legitimately crop one pixel apart.
    static func cropRoundingMargin(
        centerX: Double, centerY: Double, width: Double, height: Double,
        config: NanoTrackConfig = .v3
    ) -> Double {
        let context = config.contextAmount * (width + height)
        let sX = ((width + context) * (height + context)).squareRoot() * Double(config.instanceSize) / Double(config.exemplarSize)
        let side = sX.rounded(.toNearestOrEven)
        func distanceToInteger(_ v: Double) -> Double { abs(v - v.rounded()) }
        return min(
            abs(abs(sX - sX.rounded(.down)) - 0.5),
            distanceToInteger(centerX - (side + 1) / 2 + 0.5), distanceToInteger(centerY - (side + 1) / 2 + 0.5))
    }

    /// Per sequence, the frames before which the full run meets a crop rounding tie and continues
    /// from NanoTrack's state. Exact: a change that creates a new tie (or loses this one) fails
    /// (Tests/Fixtures/README.md section 20).
    static let expectedCropRoundingTies: [String: [Int]] = ["vot_ball1": [25], "uav_wakeboard7": []]

    /// Whole sequences (initialised on frame 1 with `groundtruth_rect.txt` row 1 + 0.5, never
    /// re-initialised) against NanoTrack's reference result files, frame by frame within 0.01 px
    /// (Tests/Fixtures/README.md section 17). Where NanoTrack's own state lies within 1e-3 px of a
    /// crop rounding boundary (a tie float32 noise may break either way), the tracker continues
    /// from NanoTrack's state; those frames are counted and must be exactly
    /// `expectedCropRoundingTies`. Needs the whole sequences, which only the shared set has:
    /// without it the test is reported as skipped.
    @Test(
        .enabled(if: sharedSequences != nil, "needs the shared sequences (../shared/sequences)"),
        arguments: ["vot_ball1", "uav_wakeboard7"])
    func fullSequenceMatchesNanoTracksReferenceRun(sequence: String) throws {
        let root = try #require(Self.sharedSequences).appendingPathComponent(sequence)
        let reference = try Self.referenceBoxes(sequence, from: Fixtures.url("nanotrack/reference_results/NanoTrackV3/\(sequence).txt"))
        let first = reference[0]
        let tracker = NanoTracker(model: NanoTrackFixtures.model)
        func frame(_ i: Int) throws -> Image {
            try Image.load(contentsOf: root.appendingPathComponent(String(format: "img/%04d.jpg", i)))
        }
        try tracker.initialize(image: try frame(1), box: Box(x: first[0], y: first[1], width: first[2], height: first[3]))
        var worst = 0.0
        var ties: [Int] = []
        for i in 2...reference.count {
            // NanoTrack's state before frame i (after frame 2 the state carries float noise;
            // before it, it is the exact init state).
            let b = reference[i - 2]
            let state = [b[0] + b[2] / 2, b[1] + b[3] / 2, b[2], b[3]]
            if i > 2 && Self.cropRoundingMargin(centerX: state[0], centerY: state[1], width: state[2], height: state[3]) < 1e-3 {
                (tracker.centerX, tracker.centerY, tracker.width, tracker.height) = (state[0], state[1], state[2], state[3])
                ties.append(i)
            }
            let r = try tracker.update(image: try frame(i))
            let box = [r.box.x, r.box.y, r.box.width, r.box.height]
            let error = zip(box, reference[i - 1]).map { abs($0 - $1) }.max()!
            #expect(error <= 0.01, "\(sequence) frame \(i): \(box) vs \(reference[i - 1])")
            worst = max(worst, error)
        }
        let expectedTies = try #require(Self.expectedCropRoundingTies[sequence])
        #expect(ties.count == expectedTies.count, "\(sequence): \(ties.count) crop rounding ties, expected \(expectedTies.count)")
        #expect(ties == expectedTies, "\(sequence): crop rounding ties at frames \(ties), expected \(expectedTies)")
        print(
            "NanoTracker \(sequence): \(reference.count) frames, worst box difference \(worst) px; continued from NanoTrack's state at crop rounding ties before frames \(ties)"
        )
    }

    @Test func misuseThrowsClearErrors() throws {
        let tracker = NanoTracker(model: NanoTrackFixtures.model)
        let image = try NanoTrackFixtures.frame("vot_ball1", 1)
        #expect(throws: TrackerError.notInitialized) { try tracker.update(image: image) }
        #expect(throws: TrackerError.self) { try tracker.initialize(image: image, box: Box(x: 10, y: 10, width: 0, height: 5)) }
        #expect(throws: TrackerError.self) { try tracker.initialize(image: image, box: Box(x: 5000, y: 10, width: 20, height: 20)) }
        #expect(throws: TrackerError.self) { try tracker.initialize(image: image, box: Box(x: 10, y: 10, width: 0.1, height: 0.1)) }
        try tracker.initialize(image: image, box: Box(x: 492.5, y: 417.5, width: 47, height: 46))
        let small = Image(width: 640, height: 360, pixels: [UInt8](repeating: 0, count: 640 * 360 * 3))
        #expect(throws: TrackerError.self) { try tracker.update(image: small) }
        let wrongSize = NanoTracker(model: NanoTrackFixtures.model, config: NanoTrackConfig(outputSize: 16))
        #expect(throws: TrackerError.self) { try wrongSize.initialize(image: image, box: Box(x: 492.5, y: 417.5, width: 47, height: 46)) }
    }

    @Test func lostIsReportedBelowTheThresholdWithoutChangingTheTrack() throws {
        let image1 = try NanoTrackFixtures.frame("vot_ball1", 1)
        let image2 = try NanoTrackFixtures.frame("vot_ball1", 2)
        let box = Box(x: 492.5, y: 417.5, width: 47, height: 46)
        let normal = NanoTracker(model: NanoTrackFixtures.model)
        let strict = NanoTracker(model: NanoTrackFixtures.model, lostThreshold: 0.999)
        try normal.initialize(image: image1, box: box)
        try strict.initialize(image: image1, box: box)
        let a = try normal.update(image: image2)
        let b = try strict.update(image: image2)
        #expect(!a.isLost && b.isLost)
        #expect(a.box == b.box && a.score == b.score)
        #expect(normal.lostThreshold == 0.5)
    }
}
