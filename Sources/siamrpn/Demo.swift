import ArgumentParser
import Foundation
import SiamRPN

/// `siamrpn demo`: track one target through a video, an image folder or a webcam, headless,
/// writing pysot-style results and an annotated video.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Track a target through a video or image folder; write boxes, scores, a summary and an annotated video.",
        discussion: """
            Writes OUTPUT/boxes.txt (x,y,w,h per frame, 0-based pixels; frame 0 is the init box), \
            OUTPUT/scores.txt (one line per frame, empty for frame 0), OUTPUT/summary.json and, \
            unless --no-video, OUTPUT/<video name>.mp4 with the box, score and frame number drawn.
            """)

    @Option(help: "pysot experiment config (config.yaml).")
    var config: String
    @Option(help: "Model weights: .pth (zip or legacy) or .safetensors.")
    var snapshot: String
    @Option(name: .customLong("video_name"), help: "A video file, a folder of .jpg/.png frames, or a webcam number (0).")
    var videoName: String
    @Option(name: .customLong("init"), help: "The target on the first frame: x,y,w,h (0-based pixels, top-left corner).")
    var initBox: String
    @Option(help: "Output folder (created if missing).")
    var output: String = "out"
    @Flag(name: .customLong("no-video"), help: "Do not write the annotated video.")
    var noVideo = false
    @Option(help: "Threads for the network (default: all cores).")
    var threads: Int?

    func run() throws {
        try reportingErrors {
            if let threads { try setThreads(threads) }
            let box = try parseBox(initBox)
            let (model, cfg) = try loadModelAndConfig(config: config, snapshot: snapshot)
            let tracker = try makeTracker(model: model, config: cfg)
            let source = try FrameSources.open(videoName)
            let dir = URL(fileURLWithPath: output, isDirectory: true)
            try createDirectory(dir)
            let run = try TrackingRun(tracker: tracker, source: source, initBox: box, output: dir,
                                      videoFile: noVideo ? nil : dir.appendingPathComponent("\(source.name).mp4"))
            let summary = try run.track()
            try writeSummary(summary, model: cfg.metaArc, config: config, snapshot: snapshot, to: dir)
            printError(String(format: "tracked %d frames in %.1f s (%.1f fps) -> %@", summary.frames, summary.seconds,
                              summary.fps, dir.path))
        }
    }
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

func writeSummary(_ s: TrackingRun.Summary, model: String, config: String, snapshot: String, to dir: URL) throws {
    let object: [String: Any] = [
        "sequence": s.sequence, "frames": s.frames, "seconds": s.seconds, "fps": s.fps,
        "model": model, "config": config, "snapshot": snapshot,
        "lost_frames": s.lostFrames, "video": s.videoFile ?? NSNull(),
    ]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: dir.appendingPathComponent("summary.json"), options: .atomic)
}
