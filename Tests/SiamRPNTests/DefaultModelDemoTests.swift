import Foundation
import Testing

@testable import SiamRPN

/// `siamrpn demo` with the bundled NanoTrackV3 on real JPEG frames reproduces the original
/// NanoTrack's one-pass run (`nanotrack/reference_results/NanoTrackV3`, Tests/Fixtures/README.md
/// section 17): IoU >= 0.99 with the reference box on >= 99% of frames, and the same success AUC
/// against the ground truth within 0.002.
struct DefaultModelDemoTests {
    @Test func bundledModelReproducesTheOriginalNanoTrackRunOnVOTBall1() throws {
        // An OTB-layout sequence: NAME/img/0001.jpg... and NAME/groundtruth_rect.txt.
        let work = try SiamRPNBinary.temporaryFolder()
        let sequence = work.appendingPathComponent("vot_ball1")
        let img = sequence.appendingPathComponent("img")
        try FileManager.default.createDirectory(at: img, withIntermediateDirectories: true)
        let frames = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("sequences/vot_ball1/img").path)
            .filter { $0.hasSuffix(".jpg") }.sorted()
        for f in frames {
            try FileManager.default.copyItem(at: Fixtures.url("sequences/vot_ball1/img/\(f)"), to: img.appendingPathComponent(f))
        }
        let gtText = try String(contentsOf: Fixtures.url("sequences/vot_ball1/groundtruth_rect.txt"), encoding: .utf8)
        let groundTruth = Array(try parseBoxes(gtText, source: "gt").prefix(frames.count))
        try groundTruth.map { "\($0.x),\($0.y),\($0.width),\($0.height)" }.joined(separator: "\n")
            .write(to: sequence.appendingPathComponent("groundtruth_rect.txt"), atomically: true, encoding: .utf8)

        let output = work.appendingPathComponent("out")
        let r = try SiamRPNBinary.run(["demo", "--video_name", img.path, "--output", output.path, "--no-video"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("success AUC"))

        let ours = try parseBoxes(String(contentsOf: output.appendingPathComponent("boxes.txt"), encoding: .utf8), source: "ours")
        let reference = Array(
            try parseBoxes(
                String(
                    contentsOf: Fixtures.url("nanotrack/reference_results/NanoTrackV3/vot_ball1.txt"),
                    encoding: .utf8), source: "reference"
            ).prefix(frames.count))
        #expect(ours.count == frames.count)
        #expect(ours.first == reference.first, "init box: ground truth + 0.5 as NanoTrack's test.py")
        let agreeing = zip(ours, reference).filter { $0.iou($1) >= 0.99 }.count
        #expect(Double(agreeing) >= 0.99 * Double(frames.count), "\(agreeing) of \(frames.count) frames agree with IoU >= 0.99")

        func auc(_ boxes: [Box]) -> Double {
            OnePassEvaluation(
                groundTruth: groundTruth.map { [$0.x, $0.y, $0.width, $0.height] },
                predictions: boxes.map { [$0.x, $0.y, $0.width, $0.height] }
            ).auc
        }
        #expect(abs(auc(ours) - auc(reference)) <= 0.002, "AUC \(auc(ours)) vs the original's \(auc(reference))")
    }
}
