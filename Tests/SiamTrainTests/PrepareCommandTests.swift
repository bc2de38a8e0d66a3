import Foundation
import SiamRPN
import SiamTrain
import Testing

/// `siamrpn prepare` on an OTB-layout folder holding Dog frames 1, 50, 100 as its frames 1-3
/// (fixture section 4: the same frames, boxes and crops as pysot's VID scripts made).
@Suite struct PrepareCommandTests {
    static func binary() -> URL {
        var dir = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("siamrpn")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("siamrpn")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = binary()
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func prepareWritesPysotsCropsAndTrainJsonAndResumes() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("siamtrain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let img = tmp.appendingPathComponent("data/Dog/img")
        try FileManager.default.createDirectory(at: img, withIntermediateDirectories: true)
        let info = try TrainFixtures.json("par_crop/par_crop.json")
        let frames = try #require(info["frames"]?.arrayValue)
        var gt = ""
        for (i, f) in frames.enumerated() {
            try FileManager.default.copyItem(
                at: TrainFixtures.dogFrame(f["otb_frame"]!.int), to: img.appendingPathComponent(String(format: "%04d.jpg", i + 1)))
            gt += f["gt_row_xywh_1based"]!.doubles.map { String(Int($0)) }.joined(separator: "\t") + "\r\n"
        }
        try gt.write(to: tmp.appendingPathComponent("data/Dog/groundtruth_rect.txt"), atomically: true, encoding: .utf8)
        let out = tmp.appendingPathComponent("out")
        let args = ["prepare", "--format", "otb", "--dataset_root", tmp.appendingPathComponent("data").path, "--output", out.path]
        let first = try Self.run(args + ["--jobs", "2"])
        #expect(first.status == 0, "\(first.stdout)")
        #expect(first.stdout.contains("3 frames cropped, 0 already there"))

        // train.json: the OTB rows converted as the fixture's XML boxes, frames named by index.
        let a = try TrainingAnnotations.read(out.appendingPathComponent("train.json"))
        let track = try #require(a.videos.first?.tracks.first)
        #expect(a.videos.map(\.name) == ["Dog"] && track.name == "00" && track.frames == [0, 1, 2])
        #expect(track.frames.map { track.boxes[$0]! } == frames.map { $0["xml_bndbox_xmin_ymin_xmax_ymax"]!.doubles })

        // The crop files: byte-identical to the JPEGs pysot's par_crop.py wrote with cv2.imwrite
        // (quality 95, 4:2:0, accurate DCT), so training reads the very same pixels.
        for (i, f) in frames.enumerated() {
            for kind in ["x", "z"] {
                let bytes = [UInt8](try Data(contentsOf: out.appendingPathComponent("crop511/Dog/00000\(i).00.\(kind).jpg")))
                let expected = f["jpeg_written_by_par_crop"]![kind]!["sha256"]!.stringValue!
                #expect(SHA256.hex(bytes) == expected, "frame \(i) \(kind): \(bytes.count) bytes")
            }
        }

        // Resumed: nothing to do; a missing crop is made again.
        let second = try Self.run(args)
        #expect(second.status == 0 && second.stdout.contains("0 frames cropped, 3 already there"), "\(second.stdout)")
        try FileManager.default.removeItem(at: out.appendingPathComponent("crop511/Dog/000001.00.x.jpg"))
        let third = try Self.run(args)
        #expect(third.status == 0 && third.stdout.contains("1 frames cropped, 2 already there"), "\(third.stdout)")
    }
}
