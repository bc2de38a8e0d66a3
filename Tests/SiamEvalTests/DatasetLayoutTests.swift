import Foundation
import SiamEval
import Testing

/// Datasets without pysot's json are found from the benchmarks' own published layouts, and broken
/// ones are refused with the video and the file named.
struct DatasetLayoutTests {
    /// A temporary dataset folder; `files` maps relative paths to contents (frames can be empty:
    /// discovery does not decode them).
    static func folder(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("siamrpn-dataset-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    static func frames(_ dir: String, _ n: Int, start: Int = 1, digits: Int = 4) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (start..<(start + n)).map { (String(format: "\(dir)/%0\(digits)d.jpg", $0), "") })
    }

    @Test func datasetNamePicksTheProtocolAsPysotsFactory() throws {
        #expect(try BenchmarkKind(datasetName: "OTB15") == .otb)
        #expect(try BenchmarkKind(datasetName: "myOTBcut") == .otb)
        #expect(try BenchmarkKind(datasetName: "UAV123") == .uav)
        #expect(try BenchmarkKind(datasetName: "NFS30") == .nfs)
        #expect(try BenchmarkKind(datasetName: "LaSOT") == .lasot)
        #expect(try BenchmarkKind(datasetName: "GOT-10k") == .got10k)
        #expect(try BenchmarkKind(datasetName: "TrackingNet") == .trackingNet)
        #expect(try BenchmarkKind(datasetName: "VOT2018") == .vot("VOT2018"))
        #expect(try BenchmarkKind(datasetName: "VOT2018-LT") == .votLongTerm)
        #expect(try BenchmarkKind(datasetName: "VOT2018").evaluationProtocol == .vot)
        #expect(try BenchmarkKind(datasetName: "NFS240").evaluationProtocol == .onePass)
        for bad in ["lasot", "VOT2020", "GOT10k", "mine"] {
            #expect(throws: DatasetError.self) { try BenchmarkKind(datasetName: bad) }
        }
    }

    /// OTB: comma / tab / space delimiters and CRLF, two-target folders (an empty
    /// groundtruth_rect.1.txt is no target), frame-range sequences, videos sorted by byte order.
    @Test func otbLayoutReadsDelimitersTwoTargetFoldersAndFrameRanges() throws {
        var files = Self.frames("Basketball/img", 3).merging(Self.frames("Jogging/img", 2)) { a, _ in a }
        files.merge(Self.frames("Human4/img", 2)) { a, _ in a }
        files.merge(Self.frames("David/img", 771)) { a, _ in a }
        files["Basketball/groundtruth_rect.txt"] = "198,214,34,81\r\n197\t214\t34\t81\r\n195 214 34 81\r\n"
        files["Jogging/groundtruth_rect.1.txt"] = "111,98,25,101\n110,99,25,101\n"
        files["Jogging/groundtruth_rect.2.txt"] = "180,79,37,114\n181,79,37,114\n"
        files["Human4/groundtruth_rect.1.txt"] = ""
        files["Human4/groundtruth_rect.2.txt"] = "99,237,27,82\n99,236,27,82\n"
        files["David/groundtruth_rect.txt"] = String(repeating: "161,65,75,95\n", count: 471)
        files["notes/readme.txt"] = "not a video"
        let root = try Self.folder(files)
        let d = try BenchmarkDataset.load(name: "OTB15", root: root)
        #expect(d.videos.map(\.name) == ["Basketball", "David", "Human4-2", "Jogging-1", "Jogging-2"])
        #expect(d.videos[0].groundTruth == [[198, 214, 34, 81], [197, 214, 34, 81], [195, 214, 34, 81]])
        #expect(d.videos[1].frames.first?.lastPathComponent == "0300.jpg")
        #expect(d.videos[1].frames.last?.lastPathComponent == "0770.jpg")
        #expect(d.videos[3].directory == "Jogging")
        #expect(d.videos[4].groundTruth[0] == [180, 79, 37, 114])
        #expect(d.frameCount == 3 + 471 + 2 + 2 + 2)
    }

    @Test func groundTruthLineCountThatDoesNotMatchNamesVideoAndFile() throws {
        var files = Self.frames("Car/img", 5)
        files["Car/groundtruth_rect.txt"] = "1,2,3,4\n1,2,3,4\n"
        let root = try Self.folder(files)
        let error = #expect(throws: DatasetError.self) { try BenchmarkDataset.load(name: "OTB100", root: root) }
        #expect(error?.description.contains("video Car") == true)
        #expect(error?.description.contains("groundtruth_rect.txt has 2 boxes") == true)
        #expect(error?.description.contains("has 5 frames") == true)
    }

    @Test func badGroundTruthRowNamesVideoFileAndLine() throws {
        var files = Self.frames("Car/img", 2)
        files["Car/groundtruth_rect.txt"] = "1,2,3,4\n1,2,x,4\n"
        let root = try Self.folder(files)
        let error = #expect(throws: DatasetError.self) { try BenchmarkDataset.load(name: "OTB100", root: root) }
        #expect(error?.description.contains("video Car") == true)
        #expect(error?.description.contains("line 2") == true)
    }

    @Test func missingRootAndEmptyRootAreClearErrors() throws {
        let missing = #expect(throws: DatasetError.self) {
            try BenchmarkDataset.load(name: "OTB100", root: URL(fileURLWithPath: "/nonexistent/otb"))
        }
        #expect(missing?.description.contains("not a folder") == true)
        let empty = #expect(throws: DatasetError.self) { try BenchmarkDataset.load(name: "OTB100", root: try Self.folder(["x.txt": ""])) }
        #expect(empty?.description.contains("no OTB100 videos found") == true)
    }

    /// VOT: list.txt order and names, color/ or plain frame folders, polygons and rectangles,
    /// per-frame tag files (a missing one = all 0).
    @Test func votLayoutReadsListColorFoldersPolygonsAndTags() throws {
        var files = Self.frames("bag/color", 3, digits: 8).merging(Self.frames("ball1", 2, digits: 8)) { a, _ in a }
        files["list.txt"] = "bag\nball1\n"
        files["bag/groundtruth.txt"] = "334.02,128.36,438.19,188.78,396.39,260.83,292.23,200.41\n1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7,8\n"
        files["bag/occlusion.tag"] = "0\n1\n1\n"
        files["ball1/groundtruth.txt"] = "492,417,47,46\n490,417,47,46\n"
        let d = try BenchmarkDataset.load(name: "VOT2018", root: try Self.folder(files))
        #expect(d.videos.map(\.name) == ["bag", "ball1"])
        #expect(d.videos[0].frames.count == 3 && d.videos[0].frames[0].path.hasSuffix("bag/color/00000001.jpg"))
        #expect(d.videos[0].tags["occlusion"] == [0, 1, 1])
        #expect(d.videos[0].tags["camera_motion"] == [0, 0, 0])
        #expect(d.videos[1].groundTruth[0] == [492, 417, 47, 46])
    }

    /// VOT2018-LT: `nan` rows where the target is absent.
    @Test func votLongTermLayoutKeepsAbsentRowsAsNaN() throws {
        var files = Self.frames("car9/color", 3, digits: 8)
        files["car9/groundtruth.txt"] = "10,10,5,5\nnan,nan,nan,nan\n11,10,5,5\n"
        let d = try BenchmarkDataset.load(name: "VOT2018-LT", root: try Self.folder(files))
        #expect(d.videos[0].groundTruth[1].allSatisfy { $0.isNaN })
    }

    /// LaSOT: class folders, absent = full occlusion or out of view, the testing-set list.
    @Test func lasotLayoutReadsClassFoldersVisibilityAndTestingSet() throws {
        var files = Self.frames("airplane/airplane-1/img", 4, digits: 8).merging(Self.frames("airplane/airplane-2/img", 2, digits: 8)) {
            a, _ in a
        }
        files["airplane/airplane-1/groundtruth.txt"] = "1,2,3,4\n1,2,3,4\n0,0,0,0\n1,2,3,4\n"
        files["airplane/airplane-1/full_occlusion.txt"] = "0,0,1,0"
        files["airplane/airplane-1/out_of_view.txt"] = "0,1,0,0"
        files["airplane/airplane-2/groundtruth.txt"] = "1,2,3,4\n1,2,3,4\n"
        files["testing_set.txt"] = "airplane-1\n"
        let d = try BenchmarkDataset.load(name: "LaSOT", root: try Self.folder(files))
        #expect(d.videos.map(\.name) == ["airplane-1"])
        #expect(d.videos[0].visible == [true, false, false, true])
        #expect(d.videos[0].directory == "airplane/airplane-1")
    }

    /// GOT-10k: a split folder (the test split has only the first box); the folder of splits is
    /// refused with a hint. TrackingNet: frames sorted by number (`10.jpg` after `9.jpg`).
    @Test func got10kSplitsAndTrackingNetNumericFrameOrder() throws {
        var files = Self.frames("test/GOT-10k_Test_000001", 3, digits: 8)
        files["test/GOT-10k_Test_000001/groundtruth.txt"] = "1,2,3,4\n"
        files["test/list.txt"] = "GOT-10k_Test_000001\n"
        let root = try Self.folder(files)
        let d = try BenchmarkDataset.load(name: "GOT-10k", root: root.appendingPathComponent("test"))
        #expect(d.videos.count == 1 && d.videos[0].frames.count == 3 && d.videos[0].groundTruth.count == 1)
        let error = #expect(throws: DatasetError.self) { try BenchmarkDataset.load(name: "GOT-10k", root: root) }
        #expect(error?.description.contains("give the split folder") == true)

        var net = Dictionary(uniqueKeysWithValues: (0..<12).map { ("frames/vid/\($0).jpg", "") })
        net["anno/vid.txt"] = "1,2,3,4\n"
        let t = try BenchmarkDataset.load(name: "TrackingNet", root: try Self.folder(net))
        #expect(t.videos[0].frames.map(\.lastPathComponent) == (0..<12).map { "\($0).jpg" })
    }

    /// NFS: `<video>/30/<video>/` frames with 240-fps annotations (every 8th kept for NFS30),
    /// rows `id xmin ymin xmax ymax ...` turned into x, y, w, h.
    @Test func nfsLayoutSubsamplesTheTwoHundredFortyFpsAnnotation() throws {
        var files = Self.frames("bee/30/bee", 3, start: 1, digits: 5)
        files["bee/30/bee.txt"] = (0..<24).map { "1 \(10 + $0) 20 \(30 + $0) 50 \($0) 0 0 0 \"bee\"\n" }.joined()
        let d = try BenchmarkDataset.load(name: "NFS30", root: try Self.folder(files))
        #expect(d.videos[0].groundTruth == [[10, 20, 20, 30], [18, 20, 20, 30], [26, 20, 20, 30]])
    }

    /// The 15 real sequences of the shared set, an OTB-layout collection with no json: every folder is
    /// found, with the frame counts of their MANIFEST (3,787 frames).
    @Test(.enabled(if: DatasetLayoutTests.sharedSequences != nil, "needs the shared sequences (../shared/sequences)"))
    func sharedSequencesAreFoundAsAnOTBLayoutDataset() throws {
        let d = try BenchmarkDataset.load(name: "OTB15", root: try #require(Self.sharedSequences))
        #expect(d.videos.count == 15)
        #expect(d.frameCount == 3787)
        #expect(d.videos.first { $0.name == "Woman" }?.frames.count == 597)
    }

    static let sharedSequences: URL? = {
        let env = ProcessInfo.processInfo.environment["SIAMRPN_SHARED"].map { URL(fileURLWithPath: $0) }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = (env ?? repo.deletingLastPathComponent().appendingPathComponent("shared")).appendingPathComponent("sequences")
        return FileManager.default.fileExists(atPath: dir.appendingPathComponent("Woman").path) ? dir : nil
    }()
}
