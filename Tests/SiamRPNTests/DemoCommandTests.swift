import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// `siamrpn demo` end to end on pysot's frames: the boxes it writes are pysot's whole
/// trajectories (Tests/Fixtures/README.md section 6; boxes within max(1e-3 px, 2e-6 |v|)), for the three
/// short-term models and the long-term tracker, and the annotated video has every frame.
struct DemoCommandTests {
    /// A folder holding frames 0..<count of the bag sequence.
    static func frameFolder(count: Int) throws -> URL {
        let dir = try SiamRPNBinary.temporaryFolder().appendingPathComponent("bag")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for i in 0..<count {
            let name = String(format: "frame_%04d.png", i)
            try FileManager.default.copyItem(at: Fixtures.url("frames/\(name)"), to: dir.appendingPathComponent(name))
        }
        return dir
    }

    /// The run's config as a YAML file: the model's config with the run's effective TRACK section.
    static func config(for run: TrackerStepTests.Run, modelName: String, in dir: URL) throws -> URL {
        var yaml = try String(contentsOf: Fixtures.url("configs/\(modelName).yaml"), encoding: .utf8)
        if let range = yaml.range(of: "\nTRACK:") { yaml = String(yaml[..<range.lowerBound]) }
        let t = run.track
        yaml += """

            TRACK:
                TYPE: '\(t.type.rawValue)'
                PENALTY_K: \(t.penaltyK)
                WINDOW_INFLUENCE: \(t.windowInfluence)
                LR: \(t.lr)
                EXEMPLAR_SIZE: \(t.exemplarSize)
                INSTANCE_SIZE: \(t.instanceSize)
                BASE_SIZE: \(t.baseSize)
                CONTEXT_AMOUNT: \(t.contextAmount)
                LOST_INSTANCE_SIZE: \(t.lostInstanceSize)
                CONFIDENCE_LOW: \(t.confidenceLow)
                CONFIDENCE_HIGH: \(t.confidenceHigh)

            """
        let url = dir.appendingPathComponent("config.yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Runs: (tracker fixture, frames to track). The long-term run stops after frame 11, which
    /// already covers normal -> lost (frame 5) -> recovered (6) -> normal (7) -> lost (8...) and
    /// four 831-pixel searches; `TrackerStepTests` checks all 23 of its steps.
    @Test(arguments: [
        ("siamrpn_alex_dwxcorr", 24), ("siamrpn_mobilev2_l234_dwxcorr", 24),
        ("siamrpn_r50_l234_dwxcorr", 24), ("lt_r50_weights", 12)
    ])
    func demoWritesPysotsTrajectory(run name: String, frames: Int) throws {
        let run = try TrackerStepTests.Run(name)
        let modelName = run.steps["model"] as! String
        let folder = try Self.frameFolder(count: frames)
        let work = folder.deletingLastPathComponent()
        let weights = work.appendingPathComponent("weights.safetensors")
        try Safetensors.write(DeterministicWeights.stateDict(modelName), to: weights)
        let output = work.appendingPathComponent("out")
        let b = run.initBox
        let r = try SiamRPNBinary.run([
            "demo", "--config", Self.config(for: run, modelName: modelName, in: work).path, "--snapshot", weights.path,
            "--video_name", folder.path, "--init", "\(Int(b.x)),\(Int(b.y)),\(Int(b.width)),\(Int(b.height))",
            "--output", output.path
        ])
        #expect(r.status == 0, "\(r.stderr)")

        let lines = try String(contentsOf: output.appendingPathComponent("boxes.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").map { Double($0)! } }
        #expect(lines.count == frames)
        #expect(lines.first == [b.x, b.y, b.width, b.height])
        for step in run.stepList where (step["frame_index"] as! Int) < frames {
            let f = step["frame_index"] as! Int
            for (k, v) in (step["returned_bbox"] as! [Double]).enumerated() {
                #expect(abs(lines[f][k] - v) <= max(1e-3, 2e-6 * abs(v)), "\(name) frame \(f) box[\(k)] \(lines[f][k]) vs pysot \(v)")
            }
        }
        let scores = try String(contentsOf: output.appendingPathComponent("scores.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        #expect(scores.first == "" && scores.count == frames + 1)
        for step in run.stepList where (step["frame_index"] as! Int) < frames {
            let f = step["frame_index"] as! Int
            #expect(abs(Double(scores[f])! - (step["returned_best_score"] as! Double)) <= 1e-5, "\(name) frame \(f) score")
        }

        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["frames"] as? Int == frames)
        #expect(summary["sequence"] as? String == "bag")
        // The annotated video holds every frame at the input size.
        let video = try FFmpegFrameSource(video: output.appendingPathComponent("bag.mp4"))
        #expect(video.frameSize == ImageSize(width: 480, height: 360))
        var count = 0
        while try video.next() != nil { count += 1 }
        #expect(count == frames)
    }

    /// `--init` three times: one model, three targets (batched), each target's files in
    /// `target-<k>/`. Target 1 is pysot's recorded run (its trajectory, as above); targets 2 and 3
    /// are what separate trackers give for their boxes (`MultiTrackerTests`' tolerance).
    @Test func demoTracksSeveralInitBoxesIntoOneFolderPerTarget() throws {
        let name = "siamrpn_mobilev2_l234_dwxcorr"
        let frames = 8
        let run = try TrackerStepTests.Run(name)
        let folder = try Self.frameFolder(count: frames)
        let work = folder.deletingLastPathComponent()
        let weights = work.appendingPathComponent("weights.safetensors")
        try Safetensors.write(DeterministicWeights.stateDict(name), to: weights)
        let output = work.appendingPathComponent("out")
        let boxes = MultiTrackerTests.boxes(run)
        let r = try SiamRPNBinary.run(
            ["demo", "--config", Self.config(for: run, modelName: name, in: work).path, "--snapshot", weights.path, "--video_name", folder.path]
                + boxes.flatMap { b in ["--init", "\(b.x),\(b.y),\(b.width),\(b.height)"] }
                + ["--output", output.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("boxes.txt").path))

        func lines(_ k: Int, _ file: String) throws -> [Substring] {
            try String(contentsOf: output.appendingPathComponent("target-\(k)/\(file)"), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
        }
        let written = try (1...3).map { k in try lines(k, "boxes.txt").filter { !$0.isEmpty }.map { $0.split(separator: ",").map { Double($0)! } } }
        for (k, b) in boxes.enumerated() {
            #expect(written[k].count == frames && written[k].first == [b.x, b.y, b.width, b.height])
            #expect(try lines(k + 1, "scores.txt").count == frames + 1)
        }
        for step in run.stepList where (step["frame_index"] as! Int) < frames {
            let f = step["frame_index"] as! Int
            for (i, v) in (step["returned_bbox"] as! [Double]).enumerated() {
                #expect(abs(written[0][f][i] - v) <= max(1e-3, 2e-6 * abs(v)), "target 1 frame \(f) box[\(i)] vs pysot \(v)")
            }
        }
        for k in 1...2 {
            let tracker = SiamRPNTracker(model: run.model, track: run.track, anchor: run.anchor)
            try tracker.initialize(image: TrackerStepTests.frame(0), box: boxes[k])
            for f in 1..<frames {
                let b = try tracker.update(image: TrackerStepTests.frame(f)).box
                for (i, v) in [b.x, b.y, b.width, b.height].enumerated() {
                    #expect(abs(written[k][f][i] - v) <= max(1e-3, 2e-6 * abs(v)), "target \(k + 1) frame \(f) box[\(i)]")
                }
            }
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["targets"] as? Int == 3 && (summary["lost_frames"] as? [Int])?.count == 3)
        let video = try FFmpegFrameSource(video: output.appendingPathComponent("bag.mp4"))
        var count = 0
        while try video.next() != nil { count += 1 }
        #expect(count == frames)
    }

    @Test func anInitBoxOutsideTheFrameAmongSeveralIsOneClearError() throws {
        let folder = try Self.frameFolder(count: 2)
        let output = folder.deletingLastPathComponent().appendingPathComponent("out")
        let r = try SiamRPNBinary.run([
            "demo", "--video_name", folder.path, "--init", "10,10,50,50", "--init", "600,10,20,20", "--output", output.path, "--no-video"
        ])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: --init 2: init box") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
