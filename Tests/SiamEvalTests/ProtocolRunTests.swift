import Foundation
import SiamEval
import Testing

@testable import SiamRPN

/// The bundled NanoTrackV3 under pysot's test.py protocols reproduces the original NanoTrackV3 run by
/// pysot's own test.py (Tests/Fixtures/README.md sections 22 and 24, `protocol/`), on the Crossing frames in
/// Tests/Fixtures/sequences: the VOT reset protocol with induced failures (`otb_Crossing_fail`:
/// failures at frames 40, 48, 117), the plain one-pass run and the VOT2018-LT branch.
struct ProtocolRunTests {
    /// A dataset root with the fixture's json and the Crossing frames (as `Crossing/`).
    static func dataset(_ fixture: String, _ name: String, video: String) throws -> BenchmarkDataset {
        let root = try PysotDatasetFileTests.root(with: "protocol/\(fixture)", as: name)
        let frames = EvalFixtures.root.deletingLastPathComponent().appendingPathComponent("sequences/Crossing")
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("Crossing"), withDestinationURL: frames)
        return try BenchmarkDataset.load(name: name, root: root).selecting(video)
    }

    static func run(_ d: BenchmarkDataset) throws -> VideoResult {
        let model = try TrackingModel.bundled()
        return try ProtocolRun.run(d.videos[0], kind: d.kind, tracker: try model.makeTracker(), loadImage: { try Image.load(contentsOf: $0) })
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    static func reference(_ path: String) throws -> [String] {
        lines(try String(contentsOf: EvalFixtures.url("protocol/results/\(path)"), encoding: .utf8))
    }

    /// IoU of two `x,y,w,h` lines.
    static func iou(_ a: String, _ b: String) -> Double {
        let p = a.split(separator: ",").map { Double($0)! }
        let q = b.split(separator: ",").map { Double($0)! }
        return Box(x: p[0], y: p[1], width: p[2], height: p[3]).iou(Box(x: q[0], y: q[1], width: q[2], height: q[3]))
    }

    @Test func resetProtocolGivesPysotsCodesOnEveryLineAndItsBoxes() throws {
        let result = try Self.run(try Self.dataset("VOT2018.json", "VOT2018", video: "otb_Crossing_fail"))
        #expect(result.files.map(\.path) == ["baseline/otb_Crossing_fail/otb_Crossing_fail_001.txt"])
        let ours = Self.lines(result.files[0].text)
        let pysot = try Self.reference("VOT2018/NanoTrackV3/baseline/otb_Crossing_fail/otb_Crossing_fail_001.txt")
        #expect(ours.count == pysot.count)
        for (i, (o, p)) in zip(ours, pysot).enumerated() {
            if p.contains(",") {
                #expect(Self.iou(o, p) >= 0.99, "frame \(i): \(o) vs pysot \(p)")
                #expect(o.split(separator: ",").allSatisfy { $0.split(separator: ".").last?.count == 4 }, "frame \(i): %.4f values")
            } else {
                #expect(o == p, "frame \(i): code")
            }
        }
        #expect(result.lost == 3)
        #expect(ours.enumerated().filter { $0.element == "1" }.map(\.offset) == [0, 45, 53])
        #expect(ours.suffix(3) == ["2", "0", "0"])
        #expect(result.consoleLine(index: 1, video: "otb_Crossing_fail").hasPrefix("(  1) Video: otb_Crossing_fail Time: "))
        #expect(result.consoleLine(index: 1, video: "otb_Crossing_fail").hasSuffix("fps Lost: 3"))
    }

    @Test func onePassRunMatchesPysotsOPEFile() throws {
        let result = try Self.run(try Self.dataset("OTBvot.json", "OTBvot", video: "otb_Crossing_fail"))
        #expect(result.files.map(\.path) == ["otb_Crossing_fail.txt"])
        let ours = Self.lines(result.files[0].text)
        let pysot = try Self.reference("OTBvot/NanoTrackV3/otb_Crossing_fail.txt")
        #expect(ours.count == 120)
        #expect(ours[0] == pysot[0], "the init line: get_axis_aligned_bbox of the polygon, written with repr")
        for (i, (o, p)) in zip(ours, pysot).enumerated() { #expect(Self.iou(o, p) >= 0.99, "frame \(i)") }
    }

    @Test func longTermRunWritesPysotsThreeFiles() throws {
        let result = try Self.run(try Self.dataset("VOT2018-LT.json", "VOT2018-LT", video: "Crossing"))
        #expect(
            result.files.map(\.path) == [
                "longterm/Crossing/Crossing_001_confidence.value", "longterm/Crossing/Crossing_time.txt", "longterm/Crossing/Crossing_001.txt"
            ])
        let boxes = Self.lines(result.files[2].text)
        let pysot = try Self.reference("VOT2018-LT/NanoTrackV3/longterm/Crossing/Crossing_001.txt")
        #expect(boxes[0] == "1" && pysot[0] == "1")
        for i in 1..<boxes.count { #expect(Self.iou(boxes[i], pysot[i]) >= 0.99, "frame \(i)") }
        let confidence = Self.lines(result.files[0].text)
        let pysotConfidence = try Self.reference("VOT2018-LT/NanoTrackV3/longterm/Crossing/Crossing_001_confidence.value")
        #expect(confidence.count == 120 && confidence[0] == "" && pysotConfidence[0] == "")
        for i in 1..<120 {
            #expect(abs(Double(confidence[i])! - Double(pysotConfidence[i])!) <= 2e-6, "frame \(i)")
            #expect(confidence[i].split(separator: ".").last?.count == 6)
        }
        #expect(Self.lines(result.files[1].text).count == 120)
    }
}
