import ArgumentParser
import Foundation
import SiamRPN

/// `siamrpn demo`: track one target (or several, `--init` repeated) through a video, an image
/// folder or a webcam, headless, writing pysot-style results and an annotated video. With no flags it tracks the bundled
/// demo video with the bundled NanoTrackV3 model.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Track a target through a video or image folder; write boxes, scores, a summary and an annotated video.",
        discussion: """
            With no --config/--snapshot the bundled NanoTrackV3 model is used; with no --video_name, \
            the bundled bag.avi. Writes OUTPUT/boxes.txt (x,y,w,h per frame, 0-based pixels; frame 0 \
            is the init box) and OUTPUT/scores.txt (one line per frame, empty for frame 0) as it goes, \
            OUTPUT/summary.json at the end ("complete": false with the reason when the run stopped \
            early: a bad frame, Ctrl-C, SIGTERM) and, unless --no-video, OUTPUT/<sequence>.mp4 with \
            the box, score and frame number drawn, at the input's frame rate. Ground truth is looked \
            up as groundtruth_rect.txt or groundtruth.txt beside the frames (or one folder up), \
            <video>.txt beside a video, or --groundtruth; with it the run starts from its first box \
            (unless --init) and is scored (success AUC, precision). --init given several times tracks \
            several targets on one model (batched through the network for SiamRPN++): each target's \
            boxes.txt and scores.txt go to OUTPUT/target-<k>/ (k = 1, 2, ... in the order of the \
            boxes), the video shows every box in its own colour, and the ground truth scores target 1.
            """)

    @Option(help: "pysot (or NanoTrack) experiment config, config.yaml. Default: the bundled NanoTrackV3.")
    var config: String?
    @Option(help: "Model weights: .pth (zip or legacy) or .safetensors. Default: the bundled NanoTrackV3.")
    var snapshot: String?
    @Option(
        name: .customLong("video_name"),
        help:
            "A video file, a folder of .jpg/.png frames (or a sequence folder with img/ or color/), or a webcam number (0). Default: the bundled bag.avi."
    )
    var videoName: String?
    @Option(
        name: .customLong("init"),
        help:
            "The target on the first frame: x,y,w,h (0-based pixels, top-left corner); repeat for several targets. Default: the ground truth's first box."
    )
    var initBoxes: [String] = []
    @Option(help: "Ground-truth file (x,y,w,h or 8-number polygon rows). Default: found beside the input.")
    var groundtruth: String?
    @Option(help: "Output folder (created if missing).")
    var output: String = "out"
    @Flag(name: .customLong("no-video"), help: "Do not write the annotated video.")
    var noVideo = false
    @Flag(help: "Stop at damaged input (a truncated JPEG, a video shorter than its container says) instead of warning.")
    var strict = false
    @Option(help: "Threads for the network (default: 1 for NanoTrack, all cores for SiamRPN++; at most the core count).")
    var threads: Int?

    func run() throws {
        try reportingErrors {
            let requestedBoxes = try initBoxes.map(parseBox)
            let model = try loadTrackingModel(config: config, snapshot: snapshot)
            try applyThreads(threads, preferred: model.preferredThreads)
            let video = videoName ?? BundledDemo.video.path
            let source = try FrameSources.open(video, strict: strict)
            let groundTruthURL = groundtruth.map { URL(fileURLWithPath: $0) } ?? groundTruthFile(forSequence: URL(fileURLWithPath: video))
            let groundTruth = try groundTruthURL.map(readGroundTruth)

            var boxes: [Box]
            var scored = groundTruth != nil
            if let requestedBox = requestedBoxes.first {
                boxes = requestedBoxes
                let box = requestedBox
                if let first = groundTruth?.first, let file = groundTruthURL {
                    let overlap = box.iou(first.boundingBox)
                    if overlap < 0.5 {
                        printError(
                            String(
                                format: "warning: --init is not the target of %@ (IoU %.2f with its first box); the run is not scored against it",
                                file.path, overlap))
                        scored = false
                    }
                }
            } else if let first = groundTruth?.first {
                guard first.isFinite else { throw CLIError("the first box of \(groundTruthURL!.path) is not a number (NaN); give --init x,y,w,h") }
                // pysot's one-pass rule: get_axis_aligned_bbox, then [cx - (w - 1) / 2, cy - (h - 1) / 2, w, h].
                boxes = [first.pysotInitBox]
            } else {
                throw CLIError(
                    "--init x,y,w,h is needed: no ground truth was found for '\(video)' (groundtruth_rect.txt, groundtruth.txt or <video>.txt), or give --groundtruth"
                )
            }
            let size = source.frameSize
            for (k, box) in boxes.enumerated() {
                let which = boxes.count == 1 ? "" : "--init \(k + 1): "
                let trackedBox: Box
                do {
                    trackedBox = try TrackerError.checkInitialBox(box, imageWidth: size.width, imageHeight: size.height)
                } catch {
                    throw CLIError("\(which)\(error)")
                }
                if trackedBox != box {
                    printError(
                        "warning: \(which)the init box \(box) is larger than the \(size.width)x\(size.height) frame; tracking its part inside the frame, \(trackedBox)"
                    )
                }
                boxes[k] = trackedBox
            }

            let dir = URL(fileURLWithPath: output, isDirectory: true)
            let videoFile = noVideo ? nil : dir.appendingPathComponent("\(source.name).mp4")
            var inputs: [(role: String, url: URL)] = []
            if let folder = source as? ImageFolderSource {
                inputs += folder.files.map { ("input frame", $0) }
            } else if videoName != nil {
                inputs.append(("input video", URL(fileURLWithPath: video)))
            }
            if let groundTruthURL { inputs.append(("ground truth", groundTruthURL)) }
            if let config { inputs.append(("config", URL(fileURLWithPath: config))) }
            if let snapshot { inputs.append(("checkpoint", URL(fileURLWithPath: snapshot))) }
            let outputs =
                TrackingRun.resultFolders(output: dir, targets: boxes.count).flatMap { folder in
                    ["boxes.txt", "scores.txt"].map { folder.appendingPathComponent($0) }
                }
                + [dir.appendingPathComponent("summary.json")]
                + (videoFile.map { [$0, TrackingRun.partialName(of: $0)] } ?? [])
            try refuseOverwritingInputs(outputs: outputs, inputs: inputs)

            let existed = FileManager.default.fileExists(atPath: dir.path)
            try createDirectory(dir)
            // The previous run's video would sit beside this run's results (until this run's
            // replaces it, or for good with --no-video or when this run is killed).
            let stale = dir.appendingPathComponent("\(source.name).mp4")
            if FileManager.default.fileExists(atPath: stale.path) {
                try? FileManager.default.removeItem(at: stale)
                if noVideo { printError("note: removed the previous run's \(stale.path) (--no-video)") }
            }
            // Until the run ends, summary.json says it has not: a killed run (SIGKILL, power
            // loss) leaves no previous run's summary beside its boxes.
            try writeProvisionalSummary(sequence: source.name, to: dir)
            let interruption = Interruption()
            defer { interruption.uninstall() }
            let run = TrackingRun(
                tracker: try model.makeMultiTracker(), source: source, initBoxes: boxes, output: dir,
                videoFile: videoFile, interruption: interruption)
            let outcome: TrackingRun.Outcome
            do {
                outcome = try run.track()
            } catch {
                // Nothing was tracked: leave no empty output folder behind.
                if !existed { try? FileManager.default.removeItem(at: dir) }
                throw error
            }

            var evaluation: OnePassEvaluation?
            if scored, let groundTruth, outcome.stop == .complete {
                if groundTruth.count == outcome.frames {
                    evaluation = OnePassEvaluation(
                        groundTruth: groundTruth.map { b in
                            let r = b.boundingBox
                            return [r.x, r.y, r.width, r.height]
                        },
                        predictions: outcome.boxes[0].map { [$0.x, $0.y, $0.width, $0.height] })
                } else {
                    printError("warning: the ground truth has \(groundTruth.count) boxes for \(outcome.frames) frames; not scored")
                }
            }
            try writeSummary(outcome, model: model.name, groundTruth: groundTruthURL?.path, evaluation: evaluation, to: dir)
            let stage = String(
                format: "%.1f fps tracking, %.1f fps end to end%@",
                outcome.frames > 0 ? Double(outcome.frames) / max(outcome.trackingSeconds, 1e-9) : 0,
                Double(outcome.frames) / max(outcome.seconds, 1e-9), noVideo ? "" : " incl. the annotated video")
            if let reason = outcome.stop.reason {
                printError("error: stopped after \(outcome.frames) frames (\(stage)): \(reason); the frames tracked so far are in \(dir.path)")
                if case .interrupted(let signal) = outcome.stop { throw ExitCode(128 + signal) }
                throw ExitCode.failure
            }
            printError("tracked \(outcome.frames) frames in \(String(format: "%.1f", outcome.seconds)) s (\(stage)) -> \(dir.path)")
            if let evaluation {
                print(
                    String(
                        format: "%@: success AUC %.3f, precision@20px %.3f, normalised precision %.3f",
                        outcome.sequence, evaluation.auc, evaluation.precision, evaluation.normalizedPrecision))
            }
        }
    }
}

/// The regions of a ground-truth file; errors name the file.
func readGroundTruth(_ url: URL) throws -> [GroundTruthRegion] {
    let text: String
    do {
        text = try String(contentsOf: url, encoding: .utf8)
    } catch {
        throw CLIError("cannot read the ground truth '\(url.path)': \(describeFileError(error))")
    }
    return try parseGroundTruth(text, source: url.path)
}

/// Parses "x,y,w,h": four decimal numbers (no hex, no inf/nan) separated by commas.
func parseBox(_ text: String) throws -> Box {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    let values = parts.compactMap(parseDecimal)
    guard parts.count == 4, values.count == 4 else {
        throw CLIError("--init '\(text)' is not a box: expected four numbers x,y,w,h in decimal (0-based pixels), e.g. 315,138,113,118")
    }
    guard values[2] > 0, values[3] > 0 else {
        throw CLIError("--init '\(text)' has a non-positive width or height")
    }
    return Box(x: values[0], y: values[1], width: values[2], height: values[3])
}

/// A finite decimal number such as `-12`, `3.5`, `.5` or `1e3`; nil for anything else
/// (Swift's `Double("0x10")` would read hexadecimal, `Double("inf")` infinity).
func parseDecimal(_ text: String) -> Double? {
    var digits = 0
    var seenExponent = false
    var seenPoint = false
    for (i, c) in text.enumerated() {
        switch c {
        case "0"..."9": digits += 1
        case "+", "-": guard i == 0 || "eE".contains(Array(text)[i - 1]) else { return nil }
        case ".":
            guard !seenPoint && !seenExponent else { return nil }
            seenPoint = true
        case "e", "E":
            guard !seenExponent && digits > 0 else { return nil }
            seenExponent = true
        default: return nil
        }
    }
    guard digits > 0, let value = Double(text), value.isFinite else { return nil }
    return value
}

/// `summary.json` of a run that has started and not ended.
func writeProvisionalSummary(sequence: String, to dir: URL) throws {
    try writeJSON(
        ["sequence": sequence, "complete": false, "stop_reason": "the run has not finished: it is still going or was killed"],
        to: dir.appendingPathComponent("summary.json"))
}

func writeSummary(_ o: TrackingRun.Outcome, model: String, groundTruth: String?, evaluation: OnePassEvaluation?, to dir: URL) throws {
    var object: [String: Any] = [
        "sequence": o.sequence, "frames": o.frames, "complete": o.stop == .complete,
        "stop_reason": o.stop.reason ?? NSNull(), "last_frame": o.frames - 1,
        "seconds": o.seconds, "fps": o.seconds > 0 ? Double(o.frames) / o.seconds : 0,
        "tracking_seconds": o.trackingSeconds, "tracking_fps": o.trackingSeconds > 0 ? Double(o.frames) / o.trackingSeconds : 0,
        "model": model, "video": o.videoFile ?? NSNull(), "warnings": o.warnings,
        "groundtruth": groundTruth ?? NSNull(), "scored": evaluation != nil
    ]
    if o.lostFrames.count == 1 {
        object["lost_frames"] = o.lostFrames[0]
    } else {
        // Several targets: per target, in the order of the --init boxes (results in target-<k>/).
        object["targets"] = o.lostFrames.count
        object["lost_frames"] = o.lostFrames
    }
    if let e = evaluation {
        object["success_auc"] = e.auc
        object["precision_20px"] = e.precision
        object["normalized_precision_0.20"] = e.normalizedPrecision
    }
    try writeJSON(object, to: dir.appendingPathComponent("summary.json"))
}

/// Writes `object` as sorted, indented JSON under a temporary name, then renames it over `url`.
func writeJSON(_ object: [String: Any], to url: URL) throws {
    do {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: url, options: .atomic)
    } catch {
        throw CLIError("cannot write '\(url.path)': \(describeFileError(error))")
    }
}
