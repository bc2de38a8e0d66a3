// Mirrors pysot tools/test.py's --vis drawing (ground truth in green, the tracker's box in yellow, the
// frame number and, for VOT, the lost count), written to a video file instead of a window
import Foundation
import SiamRPN

/// Draws a video's tracked frames as pysot's `--vis` does and encodes them (ffmpeg) to
/// `<folder>/<video>.mp4`, under a hidden partial name until `finish()`.
public final class TrackingVisualization {
    let final: URL
    let partial: URL
    let fps: Double
    let showsLost: Bool
    private var writer: VideoWriter?

    public init(folder: URL, video: String, fps: Double = 25, showsLost: Bool) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DatasetError("cannot create the --vis folder \(folder.path): \(error.localizedDescription)")
        }
        final = folder.appendingPathComponent("\(video).mp4")
        partial = folder.appendingPathComponent(".\(video).partial.mp4")
        self.fps = fps
        self.showsLost = showsLost
    }

    /// Draws and appends one frame. Ground truth: its bounding rectangle (polygons are drawn by
    /// their axis-aligned bounds).
    public func add(_ frame: TrackedFrame) throws {
        if writer == nil { writer = try VideoWriter(url: partial, frameSize: frame.image.size, fps: fps) }
        var image = frame.image
        let gt = frame.groundTruth
        if gt.allSatisfy(\.isFinite), gt.count == 4 || gt.count == 8 {
            let b = gt.count == 8 ? GroundTruthRegion.polygon(gt).boundingBox : Box(x: gt[0], y: gt[1], width: gt[2], height: gt[3])
            image.drawRectangle(
                x: Int(b.x), y: Int(b.y), width: Int(b.width), height: Int(b.height), color: Image.Color(b: 0, g: 255, r: 0), thickness: 3)
        }
        if let b = frame.box {
            image.drawRectangle(
                x: Int(b.x), y: Int(b.y), width: Int(b.width), height: Int(b.height), color: Image.Color(b: 0, g: 255, r: 255), thickness: 3)
        }
        image.drawText(String(frame.index), x: 20, y: 20, color: Image.Color(b: 0, g: 255, r: 255), scale: 3, background: .black)
        if showsLost {
            image.drawText(String(frame.lost), x: 20, y: 60, color: Image.Color(b: 0, g: 0, r: 255), scale: 3, background: .black)
        }
        try writer!.write(image)
    }

    /// Ends the video and gives it its final name.
    public func finish() throws {
        guard let writer else { return }
        try writer.finish()
        guard rename(partial.path, final.path) == 0 else {
            throw DatasetError("cannot rename \(partial.path) to \(final.lastPathComponent): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the partial video of a failed or interrupted run.
    public func discard() {
        if let writer { try? writer.finish() }
        try? FileManager.default.removeItem(at: partial)
    }
}
