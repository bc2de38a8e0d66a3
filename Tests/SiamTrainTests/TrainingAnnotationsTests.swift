import Foundation
import SiamRPN
import SiamTrain
import Testing

/// train.json and crop names as pysot's gen_json.py writes them and TrkDataset reads them (fixture section 4).
@Suite struct TrainingAnnotationsTests {
    @Test func pysotsTrainJsonIsReadAsSubDatasetReadsItAndPointsAtItsCrops() throws {
        let a = try TrainingAnnotations.read(TrainFixtures.url("par_crop/train.json"))
        #expect(a.videos.map(\.name) == ["a/otb_train_Dog"])
        let track = try #require(a.videos.first?.tracks.first)
        #expect(track.name == "00" && track.frames == [0, 49, 99])
        #expect(track.boxes[49] == [74, 108, 109, 135])
        let layout = CropLayout(root: URL(fileURLWithPath: "/data/crop511"))
        #expect(layout.url(video: "a/otb_train_Dog", track: "00", frame: 49).path == "/data/crop511/a/otb_train_Dog/000049.00.x.jpg")
        #expect(CropLayout.fileName(frame: 99, track: 0, kind: .exemplar) == "000099.00.z.jpg")
    }

    @Test func writtenTrainJsonIsByteIdenticalToGenJsons() throws {
        let info = try TrainFixtures.json("par_crop/par_crop.json")
        var boxes: [Int: [Double]] = [:]
        for f in info["frames"]?.arrayValue ?? [] { boxes[Int(f["vid_name"]!.stringValue!)!] = f["xml_bndbox_xmin_ymin_xmax_ymax"]!.doubles }
        let a = TrainingAnnotations(videos: [.init(name: "a/otb_train_Dog", tracks: [.init(name: "00", frames: boxes.keys.sorted(), boxes: boxes)])])
        let expected = try String(contentsOf: TrainFixtures.url("par_crop/train.json"), encoding: .utf8)
        #expect(a.jsonText() == expected)
    }

    @Test func zeroSizeBoxesAndEmptyTracksAreDroppedAsFilterZeroDoes() throws {
        let text = #"{"v": {"00": {"000001": [5, 5, 5, 9], "000002": [1, 2, 3, 4], "meta": 1}, "01": {"000003": [0, 0, 4, -1]}}, "w": {}}"#
        let a = try TrainingAnnotations.parse(Array(text.utf8), source: "test")
        #expect(a.videos.map(\.name) == ["v"])
        #expect(a.videos[0].tracks.map(\.name) == ["00"])
        #expect(a.videos[0].tracks[0].frames == [2])
        #expect(throws: TrainingDataError.self) { try TrainingAnnotations.parse(Array(#"{"v": {"00": {"49": [1, 2, 3, 4]}}}"#.utf8), source: "t") }
    }

    @Test func snippetsSplitAtGapsAndDropIsolatedFramesAsGenJsonDoes() {
        // np.split(ids, where(diff(ids) > 1) + 1), then len > 1.
        #expect(trackSnippets([0, 1, 2, 5, 7, 8, 12]) == [[0, 1, 2], [7, 8]])
        #expect(keptFrames([3]) == [])
    }
}
