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

/// Parses ground-truth or result text: one box per line, four numbers separated by commas, tabs
/// or spaces (OTB files use all three; CRLF allowed). Throws naming the line of a bad row.
public func parseBoxes(_ text: String, source: String) throws -> [Box] {
    var boxes: [Box] = []
    for (i, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
        let fields = line.split(whereSeparator: { $0 == "," || $0 == "\t" || $0 == " " || $0 == "\r" })
        if fields.isEmpty { continue }
        let values = fields.compactMap { Double($0) }
        guard fields.count == 4, values.count == 4 else {
            throw BoxFileError(source: source, line: i + 1, text: String(line))
        }
        boxes.append(Box(x: values[0], y: values[1], width: values[2], height: values[3]))
    }
    return boxes
}

/// A line of a box file that is not what it should hold.
public struct BoxFileError: Error, CustomStringConvertible {
    public var source: String
    public var line: Int
    public var text: String
    public var expected = "four numbers x,y,w,h"
    public var description: String { "\(source) line \(line): '\(text)' is not \(expected)" }
}
