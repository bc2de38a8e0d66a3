import Foundation
import SiamNN
import Testing

@testable import SiamRPN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `siamrpn demo` never loses a user's data and never crashes on bad input: each case runs the
/// built binary and checks the message, the exit status and the files left on disk.
@Suite(.serialized)
struct DemoRobustnessTests {
    /// `<tmp>/vot_ball1/img/0001...00NN.jpg` + `vot_ball1/groundtruth_rect.txt`: the first `count`
    /// frames of the copied VOT ball1 sequence (1280x720 JPEG) in the OTB layout.
    static func ball1(count: Int = 12) throws -> URL {
        let sequence = try SiamRPNBinary.temporaryFolder().appendingPathComponent("vot_ball1")
        let img = sequence.appendingPathComponent("img")
        try FileManager.default.createDirectory(at: img, withIntermediateDirectories: true)
        for i in 1...count {
            let name = String(format: "%04d.jpg", i)
            try FileManager.default.copyItem(at: Fixtures.url("sequences/vot_ball1/img/\(name)"), to: img.appendingPathComponent(name))
        }
        let gt =
            try String(contentsOf: Fixtures.url("sequences/vot_ball1/groundtruth_rect.txt"), encoding: .utf8)
            .split(separator: "\n").prefix(count).joined(separator: "\n") + "\n"
        try gt.write(to: sequence.appendingPathComponent("groundtruth_rect.txt"), atomically: true, encoding: .utf8)
        return sequence
    }

    static func lines(_ url: URL) throws -> [Substring] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    static func summary(_ dir: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as! [String: Any]
    }

    static func frameCount(_ video: URL) throws -> Int {
        let source = try FFmpegFrameSource(video: video)
        var n = 0
        while try source.next() != nil { n += 1 }
        return n
    }

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    /// Encodes an image folder as a video (x264) at `fps`.
    static func video(from img: URL, to url: URL, fps: Int = 25) throws {
        try FrameSourceTests.runFFmpeg([
            "-framerate", "\(fps)", "-i", img.appendingPathComponent("%04d.jpg").path,
            "-c:v", "libx264", "-pix_fmt", "yuv420p", url.path
        ])
    }

    // MARK: 1. inputs are never overwritten

    @Test func anOutputThatIsTheInputVideoIsRefusedAndTheVideoIsUntouched() throws {
        let dir = try SiamRPNBinary.temporaryFolder()
        let input = dir.appendingPathComponent("bag.avi")
        try FileManager.default.copyItem(at: BundledDemo.video, to: input)
        let before = try Data(contentsOf: input)
        // The annotated video of sequence "bag" is bag.mp4; name the input so that they collide.
        let clash = dir.appendingPathComponent("bag.mp4")
        try FileManager.default.moveItem(at: input, to: clash)
        let r = try SiamRPNBinary.run(["demo", "--video_name", clash.path, "--init", "315,138,113,118", "--output", dir.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("is the input video being read"), "\(r.stderr)")
        #expect(try Data(contentsOf: clash) == before)
        #expect(!Self.exists(dir.appendingPathComponent("boxes.txt")))

        let sequence = try Self.ball1()
        let gt = sequence.appendingPathComponent("groundtruth_rect.txt")
        let g = try SiamRPNBinary.run([
            "demo", "--video_name", sequence.path, "--groundtruth", gt.path, "--output", sequence.path,
            "--no-video"
        ])
        #expect(g.status == 0, "groundtruth_rect.txt is not an output name: \(g.stderr)")
        // A ground truth named like an output (boxes.txt) in the output folder is refused.
        let renamed = sequence.appendingPathComponent("boxes.txt")
        try? FileManager.default.removeItem(at: renamed)
        try FileManager.default.copyItem(at: gt, to: renamed)
        let h = try SiamRPNBinary.run([
            "demo", "--video_name", sequence.path, "--groundtruth", renamed.path,
            "--output", sequence.path, "--no-video"
        ])
        #expect(h.status == 1 && h.stderr.contains("is the ground truth being read"), "\(h.stderr)")
    }

    @Test func convertRefusesItsOwnInputAndExistingFilesButCreatesFolders() throws {
        let dir = try SiamRPNBinary.temporaryFolder()
        let pth = dir.appendingPathComponent("small.pth")
        try FileManager.default.copyItem(at: Fixtures.url("checkpoints/small_zip.pth"), to: pth)
        let own = try SiamRPNBinary.run(["convert", pth.path, pth.path, "--force"])
        #expect(own.status == 1 && own.stderr.contains("is the input checkpoint"), "\(own.stderr)")
        #expect(try Data(contentsOf: pth) == Data(contentsOf: Fixtures.url("checkpoints/small_zip.pth")))
        let nested = dir.appendingPathComponent("a/b/small.safetensors")
        let first = try SiamRPNBinary.run(["convert", pth.path, nested.path])
        #expect(first.status == 0 && Self.exists(nested), "\(first.stderr)")
        let again = try SiamRPNBinary.run(["convert", pth.path, nested.path])
        #expect(again.status == 1 && again.stderr.contains("pass --force"), "\(again.stderr)")
        let forced = try SiamRPNBinary.run(["convert", pth.path, nested.path, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
    }

    // MARK: 2. every box is tracked or refused in one sentence

    @Test func aBoxFarLargerThanTheFrameIsClippedToTheFrameAndSaidSo() throws {
        let sequence = try Self.ball1(count: 6)
        let out = sequence.deletingLastPathComponent().appendingPathComponent("out")
        let r = try SiamRPNBinary.run([
            "demo", "--video_name", sequence.path, "--init", "1200,700,1e6,1e6", "--no-video",
            "--output", out.path
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("is larger than the 1280x720 frame; tracking its part inside the frame, 1200.0,700.0,80.0,20.0"), "\(r.stderr)")
        let boxes = try Self.lines(out.appendingPathComponent("boxes.txt"))
        #expect(boxes.count == 6 && boxes.first == "1200,700,80,20")
        for (text, mention) in [
            ("1,2,1e-7,1e-7", "too small"), ("5000,10,20,20", "outside the image"), ("1,2,inf,3", "decimal"),
            ("0x10,1,2,3", "decimal"), ("1,2,0,3", "non-positive")
        ] {
            let bad = out.appendingPathComponent("bad")
            let b = try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--init", text, "--no-video", "--output", bad.path])
            let last = b.stderr.split(separator: "\n").last ?? ""
            #expect(b.status == 1 && last.hasPrefix("error: ") && last.contains(mention), "\(text): \(b.stderr)")
            #expect(!Self.exists(bad), "\(text): a refused box leaves no output folder")
        }
    }

    // MARK: 3. a run that stops keeps what it tracked

    @Test(arguments: ["random bytes", "empty file", "another size"])
    func aBadFrameStopsTheRunWithEveryTrackedFrameOnDisk(damage: String) throws {
        let sequence = try Self.ball1()
        let frame = sequence.appendingPathComponent("img/0008.jpg")
        switch damage {
        case "random bytes": try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }).write(to: frame)
        case "empty file": try Data().write(to: frame)
        default: try Fixtures.data("frames/frame_0000.png").write(to: frame)  // 480x360
        }
        let out = sequence.deletingLastPathComponent().appendingPathComponent("out")
        let r = try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--output", out.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("stopped after 7 frames") && r.stderr.contains("0008.jpg"), "\(r.stderr)")
        #expect(try Self.lines(out.appendingPathComponent("boxes.txt")).count == 7)
        #expect(try Self.lines(out.appendingPathComponent("scores.txt")).count == 7)
        let s = try Self.summary(out)
        #expect(s["complete"] as? Bool == false && s["last_frame"] as? Int == 6 && s["frames"] as? Int == 7)
        #expect((s["stop_reason"] as? String)?.contains("0008.jpg") == true)
        #expect(try Self.frameCount(out.appendingPathComponent("vot_ball1.mp4")) == 7, "the video is finished and playable")
        #expect(!Self.exists(out.appendingPathComponent(".vot_ball1.partial.mp4")))
    }

    /// `siamrpn demo --output OUT --threads 1` on the bundled video (196 frames), started in
    /// the background.
    static func startBundledDemo(output: URL) throws -> Process {
        let process = Process()
        process.executableURL = SiamRPNBinary.url
        process.arguments = ["demo", "--output", output.path, "--threads", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Polls `file` (for at most a minute) until its line count satisfies `condition`.
    static func wait(for file: URL, toHaveLines condition: (Int) -> Bool) {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !condition((try? lines(file))?.count ?? 0) { usleep(5_000) }
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalStopsTheRunCleanly(signal number: Int32) throws {
        let out = try SiamRPNBinary.temporaryFolder().appendingPathComponent("out")
        let process = try Self.startBundledDemo(output: out)
        let boxes = out.appendingPathComponent("boxes.txt")
        Self.wait(for: boxes, toHaveLines: { $0 >= 10 })
        kill(process.processIdentifier, number)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + number)
        let s = try Self.summary(out)
        let frames = try #require(s["frames"] as? Int)
        #expect(s["complete"] as? Bool == false && frames >= 10 && frames < 196)
        #expect(s["stop_reason"] as? String == "interrupted by \(number == SIGINT ? "SIGINT" : "SIGTERM")")
        #expect(try Self.lines(boxes).count == frames)
        #expect(try Self.frameCount(out.appendingPathComponent("bag.mp4")) == frames)
    }

    @Test func aKilledRunLeavesWholeLinesAndSaysItDidNotFinishAndARerunCompletes() throws {
        let out = try SiamRPNBinary.temporaryFolder().appendingPathComponent("out")
        #expect(try SiamRPNBinary.run(["demo", "--output", out.path, "--threads", "1"]).status == 0)
        let process = try Self.startBundledDemo(output: out)
        let boxes = out.appendingPathComponent("boxes.txt")
        // The first run's boxes.txt has 196 lines until the second run truncates it.
        Self.wait(for: boxes, toHaveLines: { $0 < 196 })
        Self.wait(for: boxes, toHaveLines: { $0 >= 10 })
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let lines = try Self.lines(boxes)
        let scores = try Self.lines(out.appendingPathComponent("scores.txt"))
        #expect(lines.count >= 10 && lines.count < 196)
        #expect(lines.allSatisfy { $0.split(separator: ",").count == 4 }, "no half-written line")
        // Each frame's box line is written before its score line.
        #expect(scores.count == lines.count || scores.count == lines.count - 1)
        let s = try Self.summary(out)
        #expect(s["complete"] as? Bool == false && (s["stop_reason"] as? String)?.contains("has not finished") == true)
        #expect(!Self.exists(out.appendingPathComponent("bag.mp4")), "no video of the previous run beside this run's boxes")

        let rerun = try SiamRPNBinary.run(["demo", "--output", out.path, "--threads", "1"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try Self.lines(boxes).count == 196 && Self.summary(out)["complete"] as? Bool == true)
        #expect(try Self.frameCount(out.appendingPathComponent("bag.mp4")) == 196)
        #expect(!Self.exists(out.appendingPathComponent(".bag.partial.mp4")), "the killed run's partial video is gone")
    }

    #if os(Linux)
        @Test func aFullDiskEndsTheRunWithTheSystemsReason() throws {
            let out = try SiamRPNBinary.temporaryFolder()
            try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("boxes.txt").path, withDestinationPath: "/dev/full")
            let r = try SiamRPNBinary.run(["demo", "--output", out.path, "--no-video"])
            #expect(r.status == 1)
            #expect(r.stderr.contains("No space left on device"), "\(r.stderr)")
            let s = try Self.summary(out)
            #expect(s["complete"] as? Bool == false)
        }
    #endif

    // MARK: 4. the bundled model everywhere

    @Test func forwardRunsTheBundledModelAsNanoTrackDoes() throws {
        let out = try SiamRPNBinary.temporaryFolder()
        let m = "nanotrack/models/nanotrack_v3"
        let r = try SiamRPNBinary.run([
            "forward", "--template", Fixtures.url("\(m)/z.npy").path, "--search", Fixtures.url("\(m)/x.npy").path,
            "--output", out.path
        ])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["cls", "loc"] {
            let v = try CommandLineTests.violations(out.appendingPathComponent("\(name).npy"), truth: Fixtures.url("\(m)/\(name)_f64.npy"))
            #expect(v.count == 0, "\(name): \(v.count) values outside 1e-4 + 1e-4|t| (max abs error \(v.worst))")
        }
    }

    @Test func theLibraryExampleReproducesTheOriginalNanoTrackRun() throws {
        let sequence = try Self.ball1(count: 21)
        let r = try SiamRPNBinary.run([sequence.appendingPathComponent("img").path, "492.5,417.5,47,46"], executable: "TrackVideo")
        #expect(r.status == 0, "\(r.stderr)")
        let ours = try parseBoxes(r.stdout, source: "TrackVideo")
        let reference = Array(
            try parseBoxes(
                String(
                    contentsOf: Fixtures.url("nanotrack/reference_results/NanoTrackV3/vot_ball1.txt"),
                    encoding: .utf8), source: "reference"
            ).prefix(21))
        #expect(ours.count == 21)
        let agreeing = zip(ours, reference).filter { $0.iou($1) >= 0.99 }.count
        #expect(agreeing >= 21, "\(agreeing) of 21 frames at IoU >= 0.99 with NanoTrack's own run")
    }

    @Test(arguments: ["corr_pw_cls", "corr_pw"])
    func nanoTrackV1AndV2CheckpointsAreRefusedNamingTheVersionThatRuns(module: String) throws {
        let dir = try SiamRPNBinary.temporaryFolder()
        let weights = dir.appendingPathComponent("old.safetensors")
        let tensor = Tensor(shape: [1], values: [0])
        try Safetensors.write(
            StateDict([
                .init(name: "backbone.features.0.0.weight", dtype: .float32, tensor: tensor),
                .init(name: "ban_head.\(module).weight", dtype: .float32, tensor: tensor)
            ]), to: weights)
        let r = try SiamRPNBinary.run([
            "demo", "--config", TrackingModel.bundledConfig.path, "--snapshot", weights.path, "--no-video",
            "--output", dir.appendingPathComponent("out").path
        ])
        #expect(r.status == 1)
        #expect(r.stderr.contains("NanoTrack v\(module == "corr_pw" ? 1 : 2) checkpoint; only NanoTrackV3 checkpoints run"), "\(r.stderr)")
    }

    // MARK: 5, 6. sequence names and ground truth

    @Test func aSequenceFolderIsAcceptedAndNamedAfterTheSequence() throws {
        let sequence = try Self.ball1(count: 6)
        let out = sequence.deletingLastPathComponent().appendingPathComponent("out")
        for input in [sequence, sequence.appendingPathComponent("img")] {
            let r = try SiamRPNBinary.run(["demo", "--video_name", input.path, "--output", out.path])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.hasPrefix("vot_ball1: success AUC"), "\(r.stdout)")
            #expect(try Self.summary(out)["sequence"] as? String == "vot_ball1")
            #expect(Self.exists(out.appendingPathComponent("vot_ball1.mp4")))
        }
    }

    @Test func groundTruthIsFoundInEachBenchmarkLayout() throws {
        let sequence = try Self.ball1(count: 6)
        let work = sequence.deletingLastPathComponent()
        let rect = try parseBoxes(String(contentsOf: sequence.appendingPathComponent("groundtruth_rect.txt"), encoding: .utf8), source: "gt")
        let out = work.appendingPathComponent("out")
        func firstLine() throws -> Substring { try Self.lines(out.appendingPathComponent("boxes.txt"))[0] }

        // A video file with NAME.txt beside it, and the bundled video given by its path.
        let clip = work.appendingPathComponent("clip.mkv")
        try Self.video(from: sequence.appendingPathComponent("img"), to: clip)
        try FileManager.default.copyItem(at: sequence.appendingPathComponent("groundtruth_rect.txt"), to: work.appendingPathComponent("clip.txt"))
        var r = try SiamRPNBinary.run(["demo", "--video_name", clip.path, "--output", out.path, "--no-video"])
        #expect(r.status == 0 && r.stdout.hasPrefix("clip: success AUC"), "\(r.stderr)")
        #expect(try firstLine() == "492.5,417.5,47,46", "pysot's one-pass init: the first box + 0.5")
        r = try SiamRPNBinary.run(["demo", "--video_name", BundledDemo.video.path, "--output", out.path, "--no-video"])
        #expect(r.status == 0 && r.stdout.hasPrefix("bag: success AUC 0.774"), "\(r.stdout) \(r.stderr)")

        // LaSOT / GOT-10k / VOT: groundtruth.txt, here as VOT polygons (corners of the rectangles).
        try FileManager.default.removeItem(at: sequence.appendingPathComponent("groundtruth_rect.txt"))
        let polygons = rect.map { b in
            [b.x, b.y + b.height, b.x, b.y, b.x + b.width, b.y, b.x + b.width, b.y + b.height].map { "\($0)" }.joined(separator: ",")
        }.joined(separator: "\n")
        try polygons.write(to: sequence.appendingPathComponent("groundtruth.txt"), atomically: true, encoding: .utf8)
        r = try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--output", out.path, "--no-video"])
        #expect(r.status == 0 && r.stdout.hasPrefix("vot_ball1: success AUC"), "\(r.stderr)")
        // get_axis_aligned_bbox of an axis-aligned polygon: the rectangle's centre, size + 1, so
        // [cx - (w' - 1) / 2, ...] = [x, y, w + 1, h + 1].
        #expect(try firstLine() == "492,417,48,47")

        // --groundtruth names the file explicitly.
        let elsewhere = work.appendingPathComponent("truth.csv")
        try FileManager.default.moveItem(at: sequence.appendingPathComponent("groundtruth.txt"), to: elsewhere)
        r = try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--output", out.path, "--no-video"])
        #expect(r.status == 1 && r.stderr.contains("--init x,y,w,h is needed: no ground truth was found"), "\(r.stderr)")
        r = try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--groundtruth", elsewhere.path, "--output", out.path, "--no-video"])
        #expect(r.status == 0 && r.stdout.hasPrefix("vot_ball1: success AUC"), "\(r.stderr)")
    }

    @Test func anInitBoxOnAnotherTargetIsNotScoredAgainstTheGroundTruth() throws {
        let sequence = try Self.ball1(count: 6)
        let out = sequence.deletingLastPathComponent().appendingPathComponent("out")
        let r = try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--init", "100,100,60,60", "--output", out.path, "--no-video"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("--init is not the target of") && r.stderr.contains("not scored"), "\(r.stderr)")
        #expect(!r.stdout.contains("success AUC"))
        #expect(try Self.summary(out)["scored"] as? Bool == false)
    }

    // MARK: 7. the first error names the real problem

    @Test func aMissingEmptyOrImagelessInputSaysSo() throws {
        let dir = try SiamRPNBinary.temporaryFolder()
        let empty = dir.appendingPathComponent("empty")
        let text = dir.appendingPathComponent("text")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: text, withIntermediateDirectories: true)
        try "hello".write(to: text.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        for (input, message) in [
            (dir.appendingPathComponent("missing").path, "no such video file or image folder"),
            (empty.path, "contains no images"), (text.path, "contains no images")
        ] {
            let out = dir.appendingPathComponent("out")
            let r = try SiamRPNBinary.run(["demo", "--video_name", input, "--output", out.path])
            #expect(
                r.status == 1
                    && r.stderr
                        == "error: \(message == "no such video file or image folder" ? "\(message): \(input)" : "folder \(input) \(message) (files ending in .jpg, .jpeg or .png)")\n",
                "\(input): \(r.stderr)")
            #expect(!Self.exists(out))
        }
    }

    // MARK: 8. damaged input is reported

    @Test func aTruncatedJPEGIsAWarningOrWithStrictAnError() throws {
        let sequence = try Self.ball1(count: 6)
        let frame = sequence.appendingPathComponent("img/0004.jpg")
        try Data(try Data(contentsOf: frame).prefix(20_000)).write(to: frame)
        let out = sequence.deletingLastPathComponent().appendingPathComponent("out")
        let r = try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--output", out.path, "--no-video"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("warning: frame 3 (") && r.stderr.contains("0004.jpg) is damaged and decoded only partly"), "\(r.stderr)")
        #expect(try Self.summary(out)["warnings"] as? Int == 1)
        let s = try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--output", out.path, "--no-video", "--strict"])
        #expect(s.status == 1 && s.stderr.contains("stopped after 3 frames") && s.stderr.contains("truncated or corrupt JPEG"), "\(s.stderr)")
    }

    @Test func aTruncatedVideoSaysHowManyFramesWereRead() throws {
        // bag.avi's 196 frames remuxed into Matroska (which records its duration up front), cut in half.
        let work = try SiamRPNBinary.temporaryFolder()
        let clip = work.appendingPathComponent("clip.mkv")
        try FrameSourceTests.runFFmpeg(["-i", BundledDemo.video.path, "-c", "copy", clip.path])
        let bytes = try Data(contentsOf: clip)
        try Data(bytes.prefix(bytes.count / 2)).write(to: clip)
        let out = work.appendingPathComponent("out")
        let r = try SiamRPNBinary.run(["demo", "--video_name", clip.path, "--init", "315,138,113,118", "--output", out.path, "--no-video"])
        #expect(r.status == 0, "\(r.stderr)")
        let frames = try Self.lines(out.appendingPathComponent("boxes.txt")).count
        #expect(frames > 50 && frames < 196)
        #expect(r.stderr.contains("ended after \(frames) of the 196 frames its container declares"), "\(r.stderr)")
        let s = try SiamRPNBinary.run(["demo", "--video_name", clip.path, "--init", "315,138,113,118", "--output", out.path, "--no-video", "--strict"]
        )
        #expect(s.status == 1 && s.stderr.contains("ended after \(frames) of the 196 frames"), "\(s.stderr)")
    }

    // MARK: 9. the smaller ones

    @Test func theAnnotatedVideoKeepsTheInputFrameRate() throws {
        let sequence = try Self.ball1(count: 8)
        let work = sequence.deletingLastPathComponent()
        let clip = work.appendingPathComponent("fast.mp4")
        try Self.video(from: sequence.appendingPathComponent("img"), to: clip, fps: 60)
        let out = work.appendingPathComponent("out")
        let r = try SiamRPNBinary.run(["demo", "--video_name", clip.path, "--init", "492,417,47,46", "--output", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FFmpegFrameSource(video: out.appendingPathComponent("fast.mp4")).frameRate == 60)
        let s = try Self.summary(out)
        #expect(s["tracking_fps"] is Double && s["fps"] is Double && s["complete"] as? Bool == true)
        #expect(r.stderr.contains("fps tracking") && r.stderr.contains("fps end to end incl. the annotated video"))
    }

    @Test func aNoVideoRerunRemovesThePreviousRunsVideo() throws {
        let sequence = try Self.ball1(count: 4)
        let out = sequence.deletingLastPathComponent().appendingPathComponent("out")
        #expect(try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--output", out.path]).status == 0)
        #expect(Self.exists(out.appendingPathComponent("vot_ball1.mp4")))
        let r = try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--output", out.path, "--no-video"])
        #expect(r.status == 0 && r.stderr.contains("removed the previous run's"), "\(r.stderr)")
        #expect(!Self.exists(out.appendingPathComponent("vot_ball1.mp4")))
    }

    @Test func threadsAreCappedAtTheCoreCountAndTheVersionIsPrinted() throws {
        let sequence = try Self.ball1(count: 3)
        let out = sequence.deletingLastPathComponent().appendingPathComponent("out")
        let r = try SiamRPNBinary.run(["demo", "--video_name", sequence.path, "--output", out.path, "--no-video", "--threads", "1000"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("warning: --threads 1000 is more than the \(ProcessInfo.processInfo.activeProcessorCount) cores"), "\(r.stderr)")
        let v = try SiamRPNBinary.run(["--version"])
        #expect(v.status == 0 && v.stdout.hasPrefix("siamrpn "))
    }

    @Test func fileSystemErrorsAreWordsNotFoundationCodes() throws {
        let dir = try SiamRPNBinary.temporaryFolder()
        let file = dir.appendingPathComponent("plain-file")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        let r = try SiamRPNBinary.run(["demo", "--output", file.appendingPathComponent("sub").path, "--no-video"])
        #expect(r.status == 1 && r.stderr.contains("cannot create the folder") && r.stderr.contains("Not a directory"), "\(r.stderr)")
        let c = try SiamRPNBinary.run(["convert", Fixtures.url("checkpoints/small_zip.pth").path, file.appendingPathComponent("x.safetensors").path])
        #expect(c.status == 1 && !c.stderr.contains("NSCocoaErrorDomain") && !c.stderr.contains("error 5"), "\(c.stderr)")
    }
}
