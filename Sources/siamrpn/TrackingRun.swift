import Foundation
import SiamRPN

/// Tracks one target through a frame source, writing pysot-style result files as it goes:
/// `boxes.txt` (`x,y,w,h` per frame, frame 0 = the init box) and `scores.txt` (empty line for
/// frame 0), plus an optional annotated video. Progress goes to stderr at most twice a second.
final class TrackingRun {
    struct Summary {
        var sequence: String
        var frames: Int
        var seconds: Double
        var fps: Double { seconds > 0 ? Double(frames) / seconds : 0 }
        var lostFrames: Int
        var videoFile: String?
        var boxes: [Box]
    }

    let tracker: any ObjectTracker
    let source: any FrameSource
    let initBox: Box
    let output: URL
    let videoFile: URL?

    init(tracker: any ObjectTracker, source: any FrameSource, initBox: Box, output: URL, videoFile: URL?) throws {
        self.tracker = tracker
        self.source = source
        self.initBox = initBox
        self.output = output
        self.videoFile = videoFile
    }

    func track() throws -> Summary {
        guard let first = try source.next() else {
            throw CLIError("'\(source.name)' has no frames")
        }
        let writer = try videoFile.map { try VideoWriter(url: $0, frameSize: first.size) }
        var boxes = [initBox]
        var scores: [Float?] = [nil]
        var lost = 0
        let start = Date()
        var lastReport = Date.distantPast
        try tracker.initialize(image: first, box: initBox)
        if let writer { try writer.write(annotated(first, box: initBox, index: 0, score: nil, lost: false)) }
        var index = 0
        while let frame = try source.next() {
            index += 1
            let result = try tracker.update(image: frame)
            boxes.append(result.box)
            scores.append(result.score)
            if result.isLost { lost += 1 }
            if let writer { try writer.write(annotated(frame, box: result.box, index: index, score: result.score, lost: result.isLost)) }
            let now = Date()
            if now.timeIntervalSince(lastReport) >= 0.5 {
                lastReport = now
                reportProgress(done: index + 1, total: source.frameCount, elapsed: now.timeIntervalSince(start))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        try writer?.finish()
        try writeResults(boxes: boxes, scores: scores)
        return Summary(sequence: source.name, frames: boxes.count, seconds: seconds, lostFrames: lost,
                       videoFile: videoFile?.lastPathComponent, boxes: boxes)
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

    private func annotated(_ frame: Image, box: Box, index: Int, score: Float?, lost: Bool) -> Image {
        var image = frame
        let color: Image.Color = lost ? .red : .green
        image.drawRectangle(x: Int(box.x.rounded()), y: Int(box.y.rounded()), width: Int(box.width.rounded()),
                            height: Int(box.height.rounded()), color: color, thickness: 3)
        var label = "#\(index)"
        if let score { label += String(format: " score %.3f", score) }
        if lost { label += " lost" }
        image.drawText(label, x: 6, y: 6, color: .white, scale: 2, background: .black)
        return image
    }

    private func writeResults(boxes: [Box], scores: [Float?]) throws {
        let boxText = boxes.map { b in [b.x, b.y, b.width, b.height].map(formatNumber).joined(separator: ",") }
            .joined(separator: "\n") + "\n"
        let scoreText = scores.map { $0.map { "\($0)" } ?? "" }.joined(separator: "\n") + "\n"
        do {
            try boxText.write(to: output.appendingPathComponent("boxes.txt"), atomically: true, encoding: .utf8)
            try scoreText.write(to: output.appendingPathComponent("scores.txt"), atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("cannot write results to '\(output.path)': \(error.localizedDescription)")
        }
    }
}

/// A number as pysot's result files print it: integers without a fraction (the init box),
/// others in the shortest form that reads back exactly (Python's repr).
func formatNumber(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
    return "\(v)"
}
