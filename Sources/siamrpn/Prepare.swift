// Mirrors pysot's training_dataset/*/par_crop.py + gen_json.py for benchmark layouts (OTB, GOT-10k, LaSOT, VOT)
import ArgumentParser
import Foundation
import SiamEval
import SiamRPN
import SiamTrain

/// `siamrpn prepare`: pysot's training layout (`crop511/` + `train.json`) from a benchmark folder,
/// read as `siamrpn test` reads it (SiamEval's `DatasetLayout`, or the folder's pysot json).
struct Prepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Crop a benchmark's frames into pysot's training layout (crop511/ and train.json); resumable.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case otb, got10k, lasot, vot
    }

    @Option(help: "The dataset's layout: otb, got10k (a split folder), lasot or vot.")
    var format: Format
    @Option(name: .customLong("dataset_root"), help: "The dataset folder.")
    var datasetRoot: String
    @Option(help: "Output folder: crop511/<video>/<frame>.00.{x,z}.jpg and train.json are written there.")
    var output: String
    @Option(help: "Videos cropped at once (one thread each).")
    var jobs: Int = 1

    func run() throws {
        try reportingErrors {
            guard jobs >= 1 else { throw CLIError("--jobs \(jobs): the job count must be at least 1") }
            let name: String
            switch format {
            case .otb: name = "OTB100"
            case .got10k: name = "GOT-10k"
            case .lasot: name = "LaSOT"
            case .vot: name = "VOT2018"
            }
            let root = URL(fileURLWithPath: datasetRoot)
            let data = try BenchmarkDataset.load(name: name, root: root)
            let videos = try data.videos.map { try Self.preparationVideo($0, format: format, root: root) }
            let frames = videos.reduce(0) { $0 + $1.keptFrames.count }
            print("\(data.videos.count) videos, \(frames) annotated frames from \(data.source)")
            let preparation = DatasetPreparation(output: URL(fileURLWithPath: output), jobs: jobs)
            let report = try preparation.run(videos) { done, total, video, written, skipped in
                print("[\(done)/\(total)] \(video): \(written) cropped, \(skipped) already there")
            }
            print("\(report.framesWritten) frames cropped, \(report.framesSkipped) already there; wrote \(preparation.annotationFile.path)")
            if !report.failures.isEmpty {
                for f in report.failures { printError("error: \(f)") }
                throw CLIError("\(report.failures.count) videos failed (train.json lists the others); rerun to retry them")
            }
        }
    }

    /// A benchmark video's boxes as corners in 0-based pixels: OTB and LaSOT rows are 1-based
    /// (`[x-1, y-1, x-1+w, y-1+h]`, as the fixtures convert OTB), GOT-10k and VOT rows 0-based;
    /// a VOT polygon becomes its bounding rectangle. No box where a row is NaN, LaSOT marks the
    /// target absent (full occlusion, out of view) or GOT-10k's `absence.label` says 1.
    static func preparationVideo(_ video: BenchmarkVideo, format: Format, root: URL) throws -> PreparationVideo {
        if video.groundTruth.count != video.frames.count {
            throw CLIError("video \(video.name): \(video.groundTruth.count) ground-truth rows for \(video.frames.count) frames (a test split?)")
        }
        let offset = format == .otb || format == .lasot ? 1.0 : 0.0
        var absent = [Bool](repeating: false, count: video.frames.count)
        if let visible = video.visible { absent = visible.map { !$0 } }
        let absence = root.appendingPathComponent(video.directory).appendingPathComponent("absence.label")
        if format == .got10k, let text = try? String(contentsOf: absence, encoding: .utf8) {
            let flags = text.split(whereSeparator: \.isNewline)
            for (i, f) in flags.enumerated() where i < absent.count && f.trimmingCharacters(in: .whitespaces) == "1" { absent[i] = true }
        }
        let boxes = video.groundTruth.enumerated().map { i, row -> Corner? in
            guard !absent[i], row.allSatisfy(\.isFinite) else { return nil }
            if row.count == 8 {
                let xs = stride(from: 0, to: 8, by: 2).map { row[$0] }
                let ys = stride(from: 1, to: 8, by: 2).map { row[$0] }
                return Corner(xs.min()!, ys.min()!, xs.max()!, ys.max()!)
            }
            guard row.count == 4 else { return nil }
            return Corner(row[0] - offset, row[1] - offset, row[0] - offset + row[2], row[1] - offset + row[3])
        }
        return PreparationVideo(name: video.name, frames: video.frames, boxes: boxes)
    }
}
