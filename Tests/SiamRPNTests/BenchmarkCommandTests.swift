import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `siamrpn test` / `eval` / `dataset` as a user runs them: shards and a killed worker give the files
/// of one process, parallel jobs the same files, a rerun resumes, a broken video fails alone, and no
/// result file is ever visible under its final name before it is complete.
@Suite(.serialized)
struct BenchmarkCommandTests {
    /// An OTB-layout dataset of three real videos from Tests/Fixtures/sequences: Crossing (120
    /// frames), its first 30 frames, and vot_ball1's 21 frames with their first 21 boxes.
    static func dataset() throws -> URL {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sequences")
        let root = try SiamRPNBinary.temporaryFolder().appendingPathComponent("OTBmini")
        let fm = FileManager.default
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: root.appendingPathComponent("Crossing"), withDestinationURL: fixtures.appendingPathComponent("Crossing"))
        for (name, source, count) in [("Crossing30", "Crossing", 30), ("ball", "vot_ball1", 21)] {
            let img = root.appendingPathComponent("\(name)/img")
            try fm.createDirectory(at: img, withIntermediateDirectories: true)
            for i in 1...count {
                let file = String(format: "%04d.jpg", i)
                try fm.createSymbolicLink(
                    at: img.appendingPathComponent(file), withDestinationURL: fixtures.appendingPathComponent("\(source)/img/\(file)"))
            }
            let gt = try String(contentsOf: fixtures.appendingPathComponent("\(source)/groundtruth_rect.txt"), encoding: .utf8)
                .split(whereSeparator: \.isNewline).prefix(count).map { $0 + "\n" }.joined()
            try Data(gt.utf8).write(to: root.appendingPathComponent("\(name)/groundtruth_rect.txt"))
        }
        return root
    }

    static func test(_ root: URL, results: URL, _ extra: [String] = []) throws -> SiamRPNBinary.Output {
        try SiamRPNBinary.run(["test", "--dataset", "OTBmini", "--dataset_root", root.path, "--results", results.path] + extra)
    }

    /// Every file under `dir` (relative path -> bytes), hidden files included.
    static func files(_ dir: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return out }
        for case let url as URL in e {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue {
                out[String(url.path.dropFirst(dir.path.count))] = try? Data(contentsOf: url)
            }
        }
        return out
    }

    @Test func threeShardsAKilledWorkerAndARerunGiveTheFilesOfOneProcess() throws {
        let root = try Self.dataset()
        let single = try SiamRPNBinary.temporaryFolder()
        let one = try Self.test(root, results: single, ["--threads", "1"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("Video: Crossing "))
        let reference = Self.files(single)
        #expect(
            reference.keys.sorted() == ["/OTBmini/NanoTrackV3/Crossing.txt", "/OTBmini/NanoTrackV3/Crossing30.txt", "/OTBmini/NanoTrackV3/ball.txt"])

        // Frames 120 / 30 / 21: shard 1/3 is Crossing alone, 2/3 Crossing30, 3/3 ball.
        let sharded = try SiamRPNBinary.temporaryFolder()
        let victim = Process()
        victim.executableURL = SiamRPNBinary.url
        victim.arguments = [
            "test", "--dataset", "OTBmini", "--dataset_root", root.path, "--results", sharded.path, "--shard", "1/3", "--threads", "1"
        ]
        victim.standardOutput = FileHandle.nullDevice
        victim.standardError = FileHandle.nullDevice
        try victim.run()
        let others = try (2...3).map { i in try Self.test(root, results: sharded, ["--shard", "\(i)/3", "--threads", "1"]) }
        for o in others { #expect(o.status == 0, "\(o.stderr)") }
        // Kill the Crossing worker while it tracks (it needs over a second for 120 frames).
        let crossing = sharded.appendingPathComponent("OTBmini/NanoTrackV3/Crossing.txt")
        usleep(300_000)
        let stillRunning = victim.isRunning
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        if stillRunning {
            #expect(victim.terminationReason == .uncaughtSignal)
            #expect(!FileManager.default.fileExists(atPath: crossing.path), "a killed video leaves no file under its final name")
        }
        let rerun = try Self.test(root, results: sharded, ["--shard", "1/3", "--threads", "1"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let shardFiles = Self.files(sharded).filter { !$0.key.contains("/.") }
        #expect(shardFiles == reference, "byte-identical result files")

        let evalOne = try SiamRPNBinary.run(["eval", "-p", single.path, "-d", "OTBmini", "--dataset_root", root.path, "--format", "json"])
        let evalShards = try SiamRPNBinary.run(["eval", "-p", sharded.path, "-d", "OTBmini", "--dataset_root", root.path, "--format", "json"])
        #expect(evalOne.status == 0 && evalShards.status == 0)
        #expect(evalOne.stdout == evalShards.stdout)
        #expect(evalOne.stdout.contains("\"success_auc\""))
    }

    @Test func twoJobsWriteTheFilesOfOneJobAndARerunSkipsThem() throws {
        let root = try Self.dataset()
        let a = try SiamRPNBinary.temporaryFolder()
        let b = try SiamRPNBinary.temporaryFolder()
        #expect(try Self.test(root, results: a, ["--jobs", "1", "--threads", "1"]).status == 0)
        let two = try Self.test(root, results: b, ["--jobs", "2"])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(Self.files(a) == Self.files(b))
        let again = try Self.test(root, results: b, ["--jobs", "2"])
        #expect(again.status == 0)
        #expect(again.stderr.contains("3 of 3 videos already complete"))
        #expect(!again.stdout.contains("Video:"))
        #expect(Self.files(a) == Self.files(b))
    }

    @Test func aBrokenFrameFailsOnlyItsVideoAndTheExitStatusSaysSo() throws {
        let root = try Self.dataset()
        // Replace one frame of `ball` by a file that is not an image.
        let frame = root.appendingPathComponent("ball/img/0010.jpg")
        try FileManager.default.removeItem(at: frame)
        try Data("not a jpeg".utf8).write(to: frame)
        let results = try SiamRPNBinary.temporaryFolder()
        let r = try Self.test(root, results: results)
        #expect(r.status == 3)
        #expect(r.stderr.contains("missing: ball (failed:"))
        #expect(r.stderr.contains("0010.jpg"))
        let dir = results.appendingPathComponent("OTBmini/NanoTrackV3")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Crossing.txt").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Crossing30.txt").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("ball.txt").path))
        let score = try SiamRPNBinary.run(["eval", "-p", results.path, "-d", "OTBmini", "--dataset_root", root.path])
        #expect(score.status == 1)
        #expect(score.stderr.contains("tracker NanoTrackV3: no result file for 1 of 3 videos"))
        #expect(score.stderr.contains("ball"))
    }

    @Test func noResultFileIsVisibleUnderItsFinalNameBeforeItIsComplete() throws {
        let root = try Self.dataset()
        let results = try SiamRPNBinary.temporaryFolder()
        let dir = results.appendingPathComponent("OTBmini/NanoTrackV3")
        let process = Process()
        process.executableURL = SiamRPNBinary.url
        process.arguments = ["test", "--dataset", "OTBmini", "--dataset_root", root.path, "--results", results.path, "--threads", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let expected = ["Crossing.txt": 120, "Crossing30.txt": 30, "ball.txt": 21]
        var looks = 0
        while process.isRunning {
            for (name, lines) in expected {
                if let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) {
                    #expect(text.split(separator: "\n").count == lines, "\(name) seen incomplete")
                }
            }
            looks += 1
            usleep(2_000)
        }
        #expect(process.terminationStatus == 0)
        #expect(looks > 10)
        for (name, lines) in expected {
            #expect((try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)).split(separator: "\n").count == lines)
        }
    }

    @Test func badArgumentsAreOneLineErrors() throws {
        let root = try Self.dataset()
        let results = try SiamRPNBinary.temporaryFolder()
        let cases: [([String], String)] = [
            (["test", "--dataset", "Mine", "--dataset_root", root.path], "unknown dataset name 'Mine'"),
            (["test", "--dataset", "OTBmini", "--dataset_root", "/nonexistent"], "is not a folder"),
            (["test", "--dataset", "OTBmini", "--dataset_root", root.path, "--shard", "0/3"], "expected I/N with 1 <= I <= N"),
            (["test", "--dataset", "OTBmini", "--dataset_root", root.path, "--shard", "auto"], "neither a Slurm array task"),
            (["test", "--dataset", "OTBmini", "--dataset_root", root.path, "--video", "nope"], "has no video 'nope'"),
            (["eval", "-p", results.path, "-d", "OTBmini", "--dataset_root", root.path], "no results for OTBmini")
        ]
        for (arguments, message) in cases {
            let r = try SiamRPNBinary.run(arguments + ["--results", results.path].filter { _ in arguments[0] == "test" })
            #expect(r.status == 1, "\(arguments)")
            #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
    }

    @Test func datasetCommandListsVideosAndWritesPysotsJson() throws {
        let root = try Self.dataset()
        let json = root.deletingLastPathComponent().appendingPathComponent("OTBmini.json")
        let r = try SiamRPNBinary.run(["dataset", "--dataset", "OTBmini", "--dataset_root", root.path, "--videos", "--write-json", json.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("OTBmini: 3 videos, 171 frames, ope protocol"))
        #expect(r.stdout.contains("  Crossing30: 30 frames"))
        let text = try String(contentsOf: json, encoding: .utf8)
        #expect(
            text.hasPrefix(
                "{\"Crossing\": {\"video_dir\": \"Crossing\", \"init_rect\": [205, 151, 17, 50], \"img_names\": [\"Crossing/img/0001.jpg\""))
        try FileManager.default.removeItem(at: root.appendingPathComponent("ball/img/0021.jpg"))
        let broken = try SiamRPNBinary.run(["dataset", "--dataset", "OTBmini", "--dataset_root", root.path])
        #expect(broken.status != 0)
        #expect((broken.stdout + broken.stderr).contains("ball"))
    }

    /// A 2 x 2 grid over 3 videos: two shards give the folders of one process, and the ranking lists
    /// the four settings, best success first.
    @Test func hpSearchShardsGiveOneProcessesFoldersAndRankTheSettings() throws {
        let root = try Self.dataset()
        let grid = ["--penalty_k", "0.1,0.3,0.1", "--window_influence", "0.4", "--lr", "0.3,0.5,0.1"]
        func search(_ results: URL, _ extra: [String]) throws -> SiamRPNBinary.Output {
            try SiamRPNBinary.run(["hp-search", "--dataset", "OTBmini", "--dataset_root", root.path, "--results", results.path] + grid + extra)
        }
        let single = try SiamRPNBinary.temporaryFolder()
        let one = try search(single, [])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("4 of 4 settings complete; ranked by Success"))
        #expect(one.stdout.contains("NanoTrackV3_r255_pk-0.100_wi-0.400_lr-0.300"))
        #expect(one.stdout.contains("best: TRACK.PENALTY_K "))
        let sharded = try SiamRPNBinary.temporaryFolder()
        let first = try search(sharded, ["--shard", "1/2"])
        #expect(first.status == 0)
        #expect(first.stdout.contains("of 4 settings complete") || first.stdout.contains("no setting is complete yet"))
        let second = try search(sharded, ["--shard", "2/2", "--jobs", "2"])
        #expect(second.status == 0)
        #expect(Self.files(sharded) == Self.files(single))
        let ranks = one.stdout.split(separator: "\n").filter { $0.hasPrefix("1 | ") || $0.hasPrefix("4 | ") }
        #expect(ranks.count == 2)
        let refused = try SiamRPNBinary.run(["hp-search", "--dataset", "OTBmini", "--dataset_root", root.path, "--search_region", "287"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("NanoTrack's head is built for a 255 px search region"))
    }

    /// `--vis` writes each video's annotated frames as a video beside the results (never under its
    /// final name before it is complete) and changes nothing in the result files.
    @Test func visWritesAnAnnotatedVideoPerVideoAndTheSameResults() throws {
        let root = try Self.dataset()
        let plain = try SiamRPNBinary.temporaryFolder()
        let drawn = try SiamRPNBinary.temporaryFolder()
        #expect(try Self.test(root, results: plain, ["--video", "ball"]).status == 0)
        let r = try Self.test(root, results: drawn, ["--video", "ball", "--vis"])
        #expect(r.status == 0, "\(r.stderr)")
        let vis = drawn.appendingPathComponent("OTBmini/NanoTrackV3/vis")
        #expect(try FileManager.default.contentsOfDirectory(atPath: vis.path) == ["ball.mp4"])
        // Decoding the video with `demo` shows it holds one frame per tracked frame.
        let probe = try SiamRPNBinary.run([
            "demo", "--video_name", vis.appendingPathComponent("ball.mp4").path, "--init", "10,10,20,20",
            "--output", drawn.appendingPathComponent("probe").path, "--no-video"
        ])
        #expect(probe.status == 0, "the --vis video decodes: \(probe.stderr)")
        let boxes = try String(contentsOf: drawn.appendingPathComponent("probe/boxes.txt"), encoding: .utf8)
        #expect(boxes.split(separator: "\n").count == 21, "one video frame per tracked frame")
        #expect(Self.files(plain)["/OTBmini/NanoTrackV3/ball.txt"] == Self.files(drawn)["/OTBmini/NanoTrackV3/ball.txt"])
    }

    /// SIGTERM (what `scancel` and Kubernetes send first) stops the run between frames: exit 143,
    /// the interrupted videos named, nothing of them under a final name; a rerun completes.
    @Test func sigtermStopsBetweenFramesAndARerunCompletes() throws {
        let root = try Self.dataset()
        let results = try SiamRPNBinary.temporaryFolder()
        let process = Process()
        process.executableURL = SiamRPNBinary.url
        process.arguments = ["test", "--dataset", "OTBmini", "--dataset_root", root.path, "--results", results.path, "--threads", "1"]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        usleep(400_000)
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGTERM)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let dir = results.appendingPathComponent("OTBmini/NanoTrackV3")
        if wasRunning && process.terminationStatus != 0 {
            #expect(process.terminationStatus == 143)
            #expect(stderr.contains("stopped by SIGTERM"))
            #expect(stderr.contains("(interrupted; a rerun tracks them)"))
            let left = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            #expect(!left.contains { $0.hasSuffix(".partial") }, "no partial file is left behind: \(left)")
        }
        let rerun = try Self.test(root, results: results)
        #expect(rerun.status == 0)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["Crossing.txt", "Crossing30.txt", "ball.txt"])
    }
}
