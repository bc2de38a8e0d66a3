import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// pysot's `get_subwindow` crops, bit for bit (Tests/Fixtures/README.md section 4): padding with
/// the truncated channel average, round-half-up origin, OpenCV's fixed-point INTER_LINEAR.
struct ContextCropTests {
    static func frame(_ index: Int) throws -> Image {
        try Image.load(contentsOf: Fixtures.url(String(format: "frames/frame_%04d.png", index)))
    }

    static var cases: [[String: Any]] {
        get throws { (try Fixtures.json("crops/cases.json") as! [String: Any])["cases"] as! [[String: Any]] }
    }

    @Test(arguments: 0..<11)
    func cropMatchesPysotGetSubwindowBitForBit(caseIndex: Int) throws {
        let c = try Self.cases[caseIndex]
        let image = try Self.frame(c["frame_index"] as! Int)
        let pos = c["pos"] as! [Double]
        let modelSize = c["model_sz"] as! Int
        let crop = contextCrop(
            image, centerX: pos[0], centerY: pos[1], modelSize: modelSize,
            originalSize: c["original_sz"] as! Int, average: c["avg_chans"] as! [Double])
        let truth = try NumPyArray(contentsOf: Fixtures.url("crops/\(c["file"] as! String)"))
        #expect(truth.shape == [1, 3, modelSize, modelSize])
        let got = networkInput(fromBGR: crop, size: modelSize).values.map { UInt8($0) }
        let mismatches = zip(got, truth.data).filter { $0 != $1 }.count
        let note = c["note"] as? String ?? ""
        #expect(mismatches == 0, "case \(caseIndex) (\(note)): \(mismatches) of \(got.count) values differ")
    }

    @Test func channelMeansEqualThePysotTrackersAverage() throws {
        // The average pysot's tracker pads with (np.mean(frame, axis=(0, 1))), as recorded with the crops.
        let truth = try Self.cases[0]["avg_chans"] as! [Double]
        #expect(try Self.frame(0).channelMeans() == truth)
    }

    @Test func resizeOfExactHalfAveragesFourPixels() {
        // OpenCV switches an exact 2x downscale to INTER_AREA, (a+b+c+d+2)>>2; the fixed-point
        // linear rule must give the same.
        let src: [UInt8] = [10, 20, 30, 41, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 161]
        let out = resizeLinearLikeOpenCV(src, width: 4, height: 4, channels: 1, toWidth: 2, height: 2)
        let blocks: [[Int]] = [[10, 20, 50, 60], [30, 41, 70, 80], [90, 100, 130, 140], [110, 120, 150, 161]]
        let expected: [UInt8] = blocks.map { (b: [Int]) -> UInt8 in UInt8((b.reduce(0, +) + 2) >> 2) }
        #expect(out == expected)
    }
}
