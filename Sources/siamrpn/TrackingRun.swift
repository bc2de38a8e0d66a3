import Foundation
import SiamRPN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tracks one or more targets (a `MultiTracker`) through a frame source, writing pysot-style
/// results as it goes: `boxes.txt` (`x,y,w,h` per frame, frame 0 = the init box) and `scores.txt`
/// (empty line for frame 0) — in the output folder for one target, in `target-<k>/` (k from 1,
/// the order of the boxes) for several — get one line per frame, written through to the file
/// before the next frame is read,
/// and the annotated video is encoded under a temporary name and renamed when it is finished.
/// Whatever ends the run — the last frame, a bad frame, a failed write, SIGINT or SIGTERM — the
/// frames tracked so far are on disk and the `Outcome` says why it stopped. Progress goes to
/// stderr at most twice a second.
final class TrackingRun {
    /// Why a run stopped.
    enum Stop: Equatable {
        case complete
        case failed(String)
        case interrupted(signal: Int32)

        var reason: String? {
            switch self {
            case .complete: return nil
            case .failed(let message): return message
            case .interrupted(let signal): return "interrupted by \(Interruption.name(signal))"
            }
        }
    }

    struct Outcome {
        var sequence: String
        /// Frames with a result (the init frame included).
        var frames: Int
        /// Wall time of the whole run: decoding, tracking, drawing, encoding, writing.
        var seconds: Double
        /// Decoding and tracking only.
        var trackingSeconds: Double
        /// Per target.
        var lostFrames: [Int]
        /// The annotated video's file name, when one was finished.
        var videoFile: String?
        /// Per target, per frame.
        var boxes: [[Box]]
        var stop: Stop
        var warnings: Int
    }

    let tracker: MultiTracker
    let source: any FrameSource
    let initBoxes: [Box]
    let output: URL
    let videoFile: URL?
    let interruption: Interruption

    init(
        tracker: MultiTracker, source: any FrameSource, initBoxes: [Box], output: URL, videoFile: URL?,
        interruption: Interruption
    ) {
        precondition(!initBoxes.isEmpty, "a run tracks at least one target")
        self.tracker = tracker
        self.source = source
        self.initBoxes = initBoxes
        self.output = output
        self.videoFile = videoFile
        self.interruption = interruption
    }

    /// The folders of the targets' result files: `output` for one target, `output/target-<k>` for several.
    static func resultFolders(output: URL, targets: Int) -> [URL] {
        targets == 1 ? [output] : (1...targets).map { output.appendingPathComponent("target-\($0)", isDirectory: true) }
    }

    /// The temporary name the video is encoded under: hidden, same folder and extension.
    static func partialName(of video: URL) -> URL {
        video.deletingLastPathComponent().appendingPathComponent(".\(video.deletingPathExtension().lastPathComponent).partial.\(video.pathExtension)")
    }

    /// Runs to the end of the source or the first problem. Throws only when nothing could be
    /// tracked (no first frame, the tracker refuses the init box, the result files cannot be
    /// created); after that every problem ends the run with `Stop.failed`.
    func track() throws -> Outcome {
        let start = Date()
        guard let first = try source.next() else { throw CLIError("'\(source.name)' has no frames") }
        var trackingSeconds = Date().timeIntervalSince(start)
        try tracker.initialize(image: first, boxes: initBoxes)
        trackingSeconds = Date().timeIntervalSince(start)
        var warnings = report(source.takeWarnings())

        let folders = Self.resultFolders(output: output, targets: initBoxes.count)
        for folder in folders where folder != output { try createDirectory(folder) }
        let results = try folders.map { try ResultFiles(folder: $0) }
        var boxes = initBoxes.map { [$0] }
        var lost = [Int](repeating: 0, count: initBoxes.count)
        var stop = Stop.complete
        var writer: VideoWriter?
        let partial = videoFile.map(Self.partialName)
        do {
            for (r, box) in zip(results, initBoxes) { try r.append(box: box, score: nil) }
            if let partial {
                writer = try VideoWriter(url: partial, frameSize: first.size, fps: source.frameRate ?? 25)
                try writer?.write(annotated(first, results: initBoxes.map { TrackResult(box: $0, score: 0, isLost: false) }, index: 0, scored: false))
            }
            var lastReport = Date.distantPast
            var index = 0
            while true {
                if let signal = interruption.receivedSignal {
                    stop = .interrupted(signal: signal)
                    break
                }
                let t0 = Date()
                guard let frame = try source.next() else { break }
                index += 1
                let frameResults = try tracker.update(image: frame)
                trackingSeconds += Date().timeIntervalSince(t0)
                warnings += report(source.takeWarnings())
                for (k, result) in frameResults.enumerated() {
                    boxes[k].append(result.box)
                    if result.isLost { lost[k] += 1 }
                    try results[k].append(box: result.box, score: result.score)
                }
                try writer?.write(annotated(frame, results: frameResults, index: index, scored: true))
                let now = Date()
                if now.timeIntervalSince(lastReport) >= 0.5 {
                    lastReport = now
                    reportProgress(done: index + 1, total: source.frameCount, elapsed: now.timeIntervalSince(start))
                }
            }
        } catch {
            // A decoder stopped by the same Ctrl-C reports an error; the signal is the reason.
            if let signal = interruption.receivedSignal { stop = .interrupted(signal: signal) } else { stop = .failed("\(error)") }
        }
        warnings += report(source.takeWarnings())
        for r in results { r.close() }
        let video = finishVideo(writer, partial: partial)
        return Outcome(
            sequence: source.name, frames: boxes[0].count, seconds: Date().timeIntervalSince(start),
            trackingSeconds: trackingSeconds, lostFrames: lost, videoFile: video, boxes: boxes,
            stop: stop, warnings: warnings)
    }

    /// Completes the video and gives it its final name; a video ffmpeg could not complete is
    /// removed (said on stderr) rather than left unplayable.
    private func finishVideo(_ writer: VideoWriter?, partial: URL?) -> String? {
        guard let writer, let partial, let videoFile else { return nil }
        do {
            try writer.finish()
            guard rename(partial.path, videoFile.path) == 0 else {
                throw CLIError("cannot rename \(partial.path) to \(videoFile.lastPathComponent): \(String(cString: strerror(errno)))")
            }
            return videoFile.lastPathComponent
        } catch {
            try? FileManager.default.removeItem(at: partial)
            printError("warning: the annotated video could not be completed and was removed: \(error)")
            return nil
        }
    }

    private func report(_ messages: [String]) -> Int {
        for message in messages { printError("warning: \(message)") }
        return messages.count
    }

    private func reportProgress(done: Int, total: Int?, elapsed: Double) {
        let fps = elapsed > 0 ? Double(done) / elapsed : 0
        if let total, total > 0, fps > 0 {
            let eta = Double(max(total - done, 0)) / fps
            printError(String(format: "frame %d/%d  %.1f fps  ETA %.0f s", done, total, fps, eta))
        } else {
            printError(String(format: "frame %d  %.1f fps", done, fps))
        }
    }

    /// Box colours of several targets, in order (then again from the first).
    static let targetColors: [Image.Color] = [
        .green, .yellow, Image.Color(b: 255, g: 255, r: 0), Image.Color(b: 255, g: 0, r: 255), Image.Color(b: 0, g: 128, r: 255),
        .blue, .white, Image.Color(b: 128, g: 0, r: 128)
    ]

    /// The frame with its targets' boxes: one target green (red when lost) with the frame number
    /// and score; several in `targetColors`, each numbered at its corner ("lost" added when lost).
    private func annotated(_ frame: Image, results: [TrackResult], index: Int, scored: Bool) -> Image {
        var image = frame
        for (k, result) in results.enumerated() {
            let box = result.box
            let color = results.count == 1 ? (result.isLost ? .red : .green) : Self.targetColors[k % Self.targetColors.count]
            image.drawRectangle(
                x: Int(box.x.rounded()), y: Int(box.y.rounded()), width: Int(box.width.rounded()),
                height: Int(box.height.rounded()), color: color, thickness: 3)
            if results.count > 1 {
                image.drawText(
                    "\(k + 1)" + (result.isLost ? " lost" : ""), x: max(0, Int(box.x.rounded())), y: max(0, Int(box.y.rounded()) - 18),
                    color: color, scale: 2, background: .black)
            }
        }
        var label = "#\(index)"
        if results.count == 1 {
            if scored { label += String(format: " score %.3f", results[0].score) }
            if results[0].isLost { label += " lost" }
        }
        image.drawText(label, x: 6, y: 6, color: .white, scale: 2, background: .black)
        return image
    }
}

/// `boxes.txt` and `scores.txt`, created empty and appended one line per frame; each line is
/// handed to the operating system before the next frame (no buffering in the process), so a
/// killed run keeps every frame it finished.
final class ResultFiles {
    private let boxes: FileHandle
    private let scores: FileHandle
    let folder: URL

    init(folder: URL) throws {
        self.folder = folder
        boxes = try Self.create(folder.appendingPathComponent("boxes.txt"))
        scores = try Self.create(folder.appendingPathComponent("scores.txt"))
    }

    private static func create(_ url: URL) throws -> FileHandle {
        // open(2) rather than FileManager.createFile, which would replace a symbolic link.
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot create '\(url.path)': \(String(cString: strerror(errno)))") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    func append(box b: Box, score: Float?) throws {
        do {
            try boxes.write(contentsOf: Data(([b.x, b.y, b.width, b.height].map(formatNumber).joined(separator: ",") + "\n").utf8))
            try scores.write(contentsOf: Data(((score.map { "\($0)" } ?? "") + "\n").utf8))
        } catch {
            throw CLIError("cannot write results to '\(folder.path)': \(describeFileError(error))")
        }
    }

    func close() {
        try? boxes.close()
        try? scores.close()
    }
}

/// A number as pysot's result files print it: integers without a fraction (the init box),
/// others in the shortest form that reads back exactly (Python's repr).
func formatNumber(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
    return "\(v)"
}
