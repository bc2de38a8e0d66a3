// Mirrors pysot tools/test.py: the VOT supervised (reset) loop, the one-pass loop, and the result
// files each branch writes (OPE, GOT-10k, VOT baseline, VOT2018-LT longterm)
import Foundation
import SiamRPN

/// The result files of one video, as pysot's test.py writes them, before they are put on disk.
public struct VideoResult: Sendable {
    /// Paths relative to the tracker's result folder and their text. The last file is the one
    /// whose presence marks the video complete (`<video>.txt` or `<video>_001.txt`).
    public var files: [(path: String, text: String)]
    /// Seconds spent in `initialize` / `update` (image decoding excluded, as test.py's `toc`).
    public var seconds: Double
    /// Frames tracked (all frames of the video).
    public var frames: Int
    /// VOT reset protocol: how many times the target was lost.
    public var lost: Int?

    /// test.py's console line: `(  1) Video: bag          Time:   3.2s Speed: 120.5fps[ Lost: 0]`
    /// (VOT: `Time: {:4.1f}s`, others `{:5.1f}s`; speed = the last frame's index / seconds).
    public func consoleLine(index: Int, video: String) -> String {
        let speed = seconds > 0 ? Double(frames - 1) / seconds : 0
        let name = video.count >= 12 ? video : video + String(repeating: " ", count: 12 - video.count)
        let number = String(index)
        let idx = String(repeating: " ", count: max(0, 3 - number.count)) + number
        if let lost {
            return "(\(idx)) Video: \(name) Time: \(String(format: "%4.1f", seconds))s Speed: \(String(format: "%3.1f", speed))fps Lost: \(lost)"
        }
        return "(\(idx)) Video: \(name) Time: \(String(format: "%5.1f", seconds))s Speed: \(String(format: "%3.1f", speed))fps"
    }
}

/// Runs one video under its benchmark's protocol, exactly as pysot's test.py.
public enum ProtocolRun {
    /// The result file whose presence marks `video` complete, relative to the tracker folder.
    public static func completionFile(video: String, kind: BenchmarkKind) -> String {
        switch kind {
        case .vot: return "baseline/\(video)/\(video)_001.txt"
        case .votLongTerm: return "longterm/\(video)/\(video)_001.txt"
        case .got10k: return "\(video)/\(video)_001.txt"
        case .otb, .uav, .nfs, .lasot, .trackingNet: return "\(video).txt"
        }
    }

    /// Tracks `video` with `tracker`. `loadImage` reads a frame; `shouldStop` is polled between
    /// frames (an interrupted video throws `CancellationError`, nothing of it is kept).
    public static func run(
        _ video: BenchmarkVideo, kind: BenchmarkKind, tracker: any ObjectTracker,
        loadImage: (URL) throws -> Image, shouldStop: () -> Bool = { false }
    ) throws -> VideoResult {
        guard let first = video.initialRegion else {
            throw DatasetError("video \(video.name): the first ground-truth row is not 4 or 8 numbers")
        }
        guard first.isFinite else { throw DatasetError("video \(video.name): the first ground-truth box is not a number (NaN)") }
        if case .vot = kind { return try reset(video, tracker: tracker, loadImage: loadImage, shouldStop: shouldStop) }
        return try onePass(video, kind: kind, first: first, tracker: tracker, loadImage: loadImage, shouldStop: shouldStop)
    }

    static func onePass(
        _ video: BenchmarkVideo, kind: BenchmarkKind, first: GroundTruthRegion, tracker: any ObjectTracker,
        loadImage: (URL) throws -> Image, shouldStop: () -> Bool
    ) throws -> VideoResult {
        var boxes: [String] = []
        var scores: [String] = []
        var times: [String] = []
        var seconds = 0.0
        for (idx, frame) in video.frames.enumerated() {
            if shouldStop() { throw CancellationError() }
            let image = try loadImage(frame)
            let start = DispatchTime.now().uptimeNanoseconds
            if idx == 0 {
                let box = first.pysotInitBox
                try tracker.initialize(image: image, box: box)
                boxes.append(kind == .votLongTerm ? "1" : line(box))
                scores.append("")
            } else {
                let result = try tracker.update(image: image)
                boxes.append(line(result.box))
                scores.append(PythonFormat.fixed(Double(result.score), 6))
            }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            seconds += elapsed
            times.append(PythonFormat.fixed(elapsed, 6))
        }
        let n = video.name
        let files: [(String, String)]
        switch kind {
        case .votLongTerm:
            files = [
                ("longterm/\(n)/\(n)_001_confidence.value", text(scores)), ("longterm/\(n)/\(n)_time.txt", text(times)),
                ("longterm/\(n)/\(n)_001.txt", text(boxes))
            ]
        case .got10k:
            files = [("\(n)/\(n)_time.txt", text(times)), ("\(n)/\(n)_001.txt", text(boxes))]
        default:
            files = [("\(n).txt", text(boxes))]
        }
        return VideoResult(files: files, seconds: seconds, frames: video.frames.count, lost: nil)
    }

    /// The supervised protocol: `1` on (re-)initialisation, the box while `vot_overlap` with the
    /// ground truth (image bounds) is > 0, else `2` and re-initialisation 5 frames later, `0` for the
    /// frames in between. 4-number ground truth is first turned into test.py's polygon
    /// `[x, y, x, y+h-1, x+w-1, y+h-1, x+w-1, y]`; boxes are written with `vot_float2str("%.4f")`.
    static func reset(
        _ video: BenchmarkVideo, tracker: any ObjectTracker, loadImage: (URL) throws -> Image, shouldStop: () -> Bool
    ) throws -> VideoResult {
        var lines: [String] = []
        var frameCounter = 0
        var lost = 0
        var seconds = 0.0
        for (idx, frame) in video.frames.enumerated() {
            if shouldStop() { throw CancellationError() }
            if idx < frameCounter {
                lines.append("0")
                continue
            }
            var gt = video.groundTruth[idx]
            if gt.count == 4 {
                let (x, y, w, h) = (gt[0], gt[1], gt[2], gt[3])
                gt = [x, y, x, y + h - 1, x + w - 1, y + h - 1, x + w - 1, y]
            }
            let image = try loadImage(frame)
            let start = DispatchTime.now().uptimeNanoseconds
            if idx == frameCounter {
                try tracker.initialize(image: image, box: GroundTruthRegion.polygon(gt).pysotInitBox)
                lines.append("1")
            } else {
                let box = try tracker.update(image: image).box
                let values = [box.x, box.y, box.width, box.height]
                let overlap = votOverlap(values, gt, bounds: (Double(image.width), Double(image.height)))
                if overlap > 0 {
                    lines.append(values.map(PythonFormat.votFloat).joined(separator: ","))
                } else {
                    lines.append("2")
                    frameCounter = idx + 5
                    lost += 1
                }
            }
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let n = video.name
        return VideoResult(files: [("baseline/\(n)/\(n)_001.txt", text(lines))], seconds: seconds, frames: video.frames.count, lost: lost)
    }

    static func line(_ b: Box) -> String { [b.x, b.y, b.width, b.height].map(PythonFormat.repr).joined(separator: ",") }
    static func text(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }
}
