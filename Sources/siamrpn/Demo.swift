import ArgumentParser
import Foundation
import SiamRPN

/// `siamrpn demo`: track one target through a video, an image folder or a webcam, headless,
/// writing pysot-style results and an annotated video. With no flags it tracks the bundled
/// demo video with the bundled NanoTrackV3 model.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Track a target through a video or image folder; write boxes, scores, a summary and an annotated video.",
        discussion: """
            With no --config/--snapshot the bundled NanoTrackV3 model is used; with no --video_name, \
            the bundled bag.avi and its ground-truth first box. Writes OUTPUT/boxes.txt (x,y,w,h per \
            frame, 0-based pixels; frame 0 is the init box), OUTPUT/scores.txt (one line per frame, \
            empty for frame 0), OUTPUT/summary.json and, unless --no-video, OUTPUT/<video name>.mp4 \
            with the box, score and frame number drawn. When ground truth is known (the bundled video, \
            or a folder with groundtruth_rect.txt beside its frames) it prints success AUC and precision.
            """)

    @Option(help: "pysot (or NanoTrack) experiment config, config.yaml. Default: the bundled NanoTrackV3.")
    var config: String?
    @Option(help: "Model weights: .pth (zip or legacy) or .safetensors. Default: the bundled NanoTrackV3.")
    var snapshot: String?
    @Option(name: .customLong("video_name"), help: "A video file, a folder of .jpg/.png frames, or a webcam number (0). Default: the bundled bag.avi.")
    var videoName: String?
    @Option(name: .customLong("init"), help: "The target on the first frame: x,y,w,h (0-based pixels, top-left corner). Default: from the ground truth, when there is one.")
    var initBox: String?
    @Option(help: "Output folder (created if missing).")
    var output: String = "out"
    @Flag(name: .customLong("no-video"), help: "Do not write the annotated video.")
    var noVideo = false
    @Option(help: "Threads for the network (default: 1 for NanoTrack, all cores for SiamRPN++).")
    var threads: Int?

    func run() throws {
        try reportingErrors {
            let model = try loadTrackingModel()
            if let threads {
                try setThreads(threads)
            } else if case .nanoTrack = model {
                // NanoTrack's layers are too small to gain from a second thread (measured: 9.4 ms
                // per step on one thread, 12.6 ms on two); SiamRPN++ networks use all cores.
                try setThreads(1)
            }
            let video = videoName ?? BundledDemo.video.path
            let groundTruth = try videoName == nil ? BundledDemo.groundTruth() : groundTruthBeside(video)
            let box: Box
            if let initBox {
                box = try parseBox(initBox)
            } else if let first = groundTruth?.first {
                // pysot's OPE rule: get_axis_aligned_bbox and back gives [x + 0.5, y + 0.5, w, h].
                box = Box(x: first.x + 0.5, y: first.y + 0.5, width: first.width, height: first.height)
            } else {
                throw CLIError("--init x,y,w,h is needed: '\(video)' has no ground truth to start from")
            }
            let tracker = try model.makeTracker()
            let source = try FrameSources.open(video)
            let dir = URL(fileURLWithPath: output, isDirectory: true)
            try createDirectory(dir)
            let run = try TrackingRun(tracker: tracker, source: source, initBox: box, output: dir,
                                      videoFile: noVideo ? nil : dir.appendingPathComponent("\(source.name).mp4"))
            let summary = try run.track()
            var evaluation: OnePassEvaluation?
            if let groundTruth, groundTruth.count == summary.frames {
                evaluation = OnePassEvaluation(groundTruth: groundTruth.map { [$0.x, $0.y, $0.width, $0.height] },
                                               predictions: summary.boxes.map { [$0.x, $0.y, $0.width, $0.height] })
            } else if let groundTruth {
                printError("warning: the ground truth has \(groundTruth.count) boxes for \(summary.frames) frames; not evaluated")
            }
            try writeSummary(summary, model: model.name, config: config, snapshot: snapshot, evaluation: evaluation, to: dir)
            printError(String(format: "tracked %d frames in %.1f s (%.1f fps) -> %@", summary.frames, summary.seconds,
                              summary.fps, dir.path))
            if let evaluation {
                print(String(format: "%@: success AUC %.3f, precision@20px %.3f, normalised precision %.3f",
                             summary.sequence, evaluation.auc, evaluation.precision, evaluation.normalizedPrecision))
            }
        }
    }

    private func loadTrackingModel() throws -> TrackingModel {
        switch (config, snapshot) {
        case (nil, nil):
            return try TrackingModel.bundled()
        case (let config?, let snapshot?):
            let (model, warnings) = try TrackingModel.load(config: URL(fileURLWithPath: config), snapshot: URL(fileURLWithPath: snapshot))
            for warning in warnings { printError("warning: \(config): \(warning)") }
            return model
        default:
            throw CLIError("--config and --snapshot go together: give both (a pysot model) or neither (the bundled NanoTrackV3)")
        }
    }
}

/// The OTB-layout ground truth of a frame folder: `groundtruth_rect.txt` in the folder or in
/// its parent (`NAME/img/` + `NAME/groundtruth_rect.txt`); nil for videos and other folders.
func groundTruthBeside(_ path: String) throws -> [Box]? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
    let folder = URL(fileURLWithPath: path, isDirectory: true)
    for candidate in [folder, folder.deletingLastPathComponent()] {
        let file = candidate.appendingPathComponent("groundtruth_rect.txt")
        if FileManager.default.fileExists(atPath: file.path) {
            return try parseBoxes(try String(contentsOf: file, encoding: .utf8), source: file.path)
        }
    }
    return nil
}

/// Parses "x,y,w,h" (numbers separated by commas, optional spaces).
func parseBox(_ text: String) throws -> Box {
    let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let values = parts.compactMap(Double.init)
    guard parts.count == 4, values.count == 4, values.allSatisfy(\.isFinite) else {
        throw CLIError("--init '\(text)' is not a box: expected four numbers x,y,w,h (0-based pixels), e.g. 315,138,113,118")
    }
    guard values[2] > 0, values[3] > 0 else {
        throw CLIError("--init '\(text)' has a non-positive width or height")
    }
    return Box(x: values[0], y: values[1], width: values[2], height: values[3])
}

func createDirectory(_ dir: URL) throws {
    do {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    } catch {
        throw CLIError("cannot create the output folder '\(dir.path)': \(error.localizedDescription)")
    }
}

func writeSummary(_ s: TrackingRun.Summary, model: String, config: String?, snapshot: String?,
                  evaluation: OnePassEvaluation?, to dir: URL) throws {
    var object: [String: Any] = [
        "sequence": s.sequence, "frames": s.frames, "seconds": s.seconds, "fps": s.fps,
        "model": model, "config": config ?? "bundled", "snapshot": snapshot ?? "bundled",
        "lost_frames": s.lostFrames, "video": s.videoFile ?? NSNull(),
    ]
    if let e = evaluation {
        object["success_auc"] = e.auc
        object["precision_20px"] = e.precision
        object["normalized_precision_0.20"] = e.normalizedPrecision
    }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: dir.appendingPathComponent("summary.json"), options: .atomic)
}
