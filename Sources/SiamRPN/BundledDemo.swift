import Foundation

/// The demo input shipped with the package: pysot's `demo/bag.avi` (Apache-2.0; XVID,
/// 480x360, 25 fps, 196 frames) — VOT's `bag` sequence — with its VOT ground truth.
public enum BundledDemo {
    /// `bag.avi` among the package resources.
    public static var video: URL { resource("bag.avi") }

    /// `bag.txt` beside `bag.avi`: the ground truth, found by `groundTruthFile(forSequence:)`.
    public static var groundTruthFile: URL { resource("bag.txt") }

    /// Ground truth per frame as axis-aligned `[x, y, w, h]` (the bounding rectangles of VOT's
    /// rotated polygons, 0-based, as OTB-style evaluation uses them).
    public static func groundTruth() throws -> [Box] {
        let text = try String(contentsOf: groundTruthFile, encoding: .utf8)
        return try parseBoxes(text, source: "bag.txt")
    }

    /// The init box pysot-family tools use for an OTB-style one-pass run: ground-truth row 1
    /// through `get_axis_aligned_bbox` and back, i.e. `[x + 0.5, y + 0.5, w, h]`.
    public static func initBox() throws -> Box {
        let first = try groundTruth()[0]
        return Box(x: first.x + 0.5, y: first.y + 0.5, width: first.width, height: first.height)
    }

    static func resource(_ name: String) -> URL {
        Bundle.module.bundleURL.appendingPathComponent("demo").appendingPathComponent(name)
    }
}
