import Foundation
import SiamEval
import Testing

/// pysot's `<NAME>.json` dataset descriptions are read as its toolkit reads them (images resolved
/// against the dataset root), and written back in the same format.
struct PysotDatasetFileTests {
    /// A dataset root holding a copy of a fixture json (the frames are not needed to read it).
    static func root(with fixture: String, as name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("siamrpn-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: EvalFixtures.url(fixture), to: root.appendingPathComponent("\(name).json"))
        return root
    }

    @Test func votJsonGivesPysotsVideosFramesPolygonsAndTags() throws {
        let root = try Self.root(with: "protocol/VOT2018.json", as: "VOT2018")
        let d = try BenchmarkDataset.load(name: "VOT2018", root: root)
        let expected = try EvalFixtures.json("protocol/expected.json")["protocol"]!["sequences"]!
        #expect(d.videos.map(\.name) == ["otb_Crossing_fail", "vot_bag", "vot_ball1"])
        for v in d.videos {
            #expect(v.frames.count == Int(expected[v.name]!["frames"]!.double))
            #expect(v.groundTruth.allSatisfy { $0.count == 8 })
            #expect(v.tags.keys.sorted() == VOTSequence.attributeNames.sorted())
        }
        let bag = d.videos[1]
        #expect(bag.groundTruth[0] == [334.02, 128.36, 438.19, 188.78, 396.39, 260.83, 292.23, 200.41])
        #expect(bag.frames[0].path == root.appendingPathComponent("vot_bag/img/0001.jpg").path)
        #expect(d.videos[0].directory == "Crossing")
        #expect(d.source.hasSuffix("VOT2018.json"))
    }

    @Test func longTermJsonAcceptsPythonsBareNaN() throws {
        let root = try Self.root(with: "vot_lt/VOT2018-LT.json", as: "VOT2018-LT")
        let d = try BenchmarkDataset.load(name: "VOT2018-LT", root: root)
        let absent = d.videos.first { $0.name == "lt_absent_mid" }!
        #expect(absent.groundTruth[60].allSatisfy { $0.isNaN })
        #expect(absent.groundTruth[59].allSatisfy { $0.isFinite })
        #expect(absent.frames.count == 150)
    }

    @Test func writtenJsonReadsBackTheSameDataset() throws {
        let root = try Self.root(with: "protocol/OTBvot.json", as: "OTBvot")
        let d = try BenchmarkDataset.load(name: "OTBvot", root: root)
        let copy = root.appendingPathComponent("OTBcopy.json")
        try Data(PysotDatasetFile.encode(d).utf8).write(to: copy)
        let again = try BenchmarkDataset.load(name: "OTBcopy", root: root)
        #expect(again.videos == d.videos)
        #expect(PysotDatasetFile.encode(again) == PysotDatasetFile.encode(d))
    }

    @Test func jsonWithMoreImagesThanBoxesNamesTheVideo() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("siamrpn-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let text =
            #"{"Car": {"video_dir": "Car", "init_rect": [1, 2, 3, 4], "img_names": ["Car/img/0001.jpg", "Car/img/0002.jpg"], "#
            + #""gt_rect": [[1, 2, 3, 4]], "attr": []}}"#
        try Data(text.utf8).write(to: root.appendingPathComponent("OTB100.json"))
        let error = #expect(throws: DatasetError.self) { try BenchmarkDataset.load(name: "OTB100", root: root) }
        #expect(error?.description.contains("video 'Car'") == true)
        #expect(error?.description.contains("2 images in 'img_names' but 1 rows") == true)
        try Data("{\"Car\": [1, 2".utf8).write(to: root.appendingPathComponent("OTB100.json"))
        let corrupt = #expect(throws: DatasetError.self) { try BenchmarkDataset.load(name: "OTB100", root: root) }
        #expect(corrupt?.description.contains("is not a pysot dataset file") == true)
    }
}
