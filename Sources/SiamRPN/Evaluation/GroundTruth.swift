// Mirrors pysot/utils/bbox.py: get_axis_aligned_bbox, and tools/test.py's one-pass initialisation
import Foundation

/// One ground-truth row: an axis-aligned rectangle `x,y,w,h` (OTB, UAV123, LaSOT, GOT-10k) or a
/// VOT polygon `x1,y1,...,x4,y4`.
public enum GroundTruthRegion: Sendable, Equatable {
    case rectangle(Box)
    case polygon([Double])

    /// The region as a box for one-pass scoring: the rectangle itself, or the polygon's bounding
    /// rectangle (`min`/`max` of its vertices, no +1), as OTB-style evaluation of VOT data uses.
    public var boundingBox: Box {
        switch self {
        case .rectangle(let box):
            return box
        case .polygon(let p):
            let xs = stride(from: 0, to: p.count, by: 2).map { p[$0] }
            let ys = stride(from: 1, to: p.count, by: 2).map { p[$0] }
            let x0 = xs.min()!
            let y0 = ys.min()!
            return Box(x: x0, y: y0, width: xs.max()! - x0, height: ys.max()! - y0)
        }
    }

    /// pysot's `get_axis_aligned_bbox`: centre and size. A rectangle gives its centre
    /// `(x + w/2, y + h/2)` and size; a polygon the mean of its vertices and its bounding
    /// rectangle scaled to the polygon's area (`s = sqrt(A1 / A2)`, A1 = product of the first two
    /// edge lengths, A2 = the bounding rectangle's area), plus 1: `w = s (x2 - x1) + 1`.
    public var axisAligned: (centerX: Double, centerY: Double, width: Double, height: Double) {
        switch self {
        case .rectangle(let b):
            return (b.x + b.width / 2, b.y + b.height / 2, b.width, b.height)
        case .polygon(let p):
            let xs = stride(from: 0, to: 8, by: 2).map { p[$0] }
            let ys = stride(from: 1, to: 8, by: 2).map { p[$0] }
            let cx = xs.reduce(0, +) / 4
            let cy = ys.reduce(0, +) / 4
            let x1 = xs.min()!
            let x2 = xs.max()!
            let y1 = ys.min()!
            let y2 = ys.max()!
            func distance(_ i: Int, _ j: Int) -> Double {
                ((p[2 * i] - p[2 * j]) * (p[2 * i] - p[2 * j]) + (p[2 * i + 1] - p[2 * j + 1]) * (p[2 * i + 1] - p[2 * j + 1])).squareRoot()
            }
            let a1 = distance(0, 1) * distance(1, 2)
            let a2 = (x2 - x1) * (y2 - y1)
            let s = (a1 / a2).squareRoot()
            return (cx, cy, s * (x2 - x1) + 1, s * (y2 - y1) + 1)
        }
    }

    /// The box pysot's `tools/test.py` initialises a one-pass run with:
    /// `[cx - (w - 1) / 2, cy - (h - 1) / 2, w, h]` of `axisAligned` (for a rectangle,
    /// `[x + 0.5, y + 0.5, w, h]`).
    public var pysotInitBox: Box {
        let (cx, cy, w, h) = axisAligned
        return Box(x: cx - (w - 1) / 2, y: cy - (h - 1) / 2, width: w, height: h)
    }

    /// Whether every number is finite (UAV123 marks frames without the target with NaN).
    public var isFinite: Bool {
        switch self {
        case .rectangle(let b): return b.x.isFinite && b.y.isFinite && b.width.isFinite && b.height.isFinite
        case .polygon(let p): return p.allSatisfy(\.isFinite)
        }
    }
}

/// Parses a ground-truth file's text: one region per line, 4 numbers (rectangle) or 8
/// (polygon) separated by commas, tabs or spaces (OTB files use all three; CRLF allowed; empty
/// lines skipped). Throws `BoxFileError` naming the line of a bad row.
public func parseGroundTruth(_ text: String, source: String) throws -> [GroundTruthRegion] {
    try numberRows(text, source: source, counts: [4, 8], expected: "4 numbers x,y,w,h or 8 (a polygon)").map { v in
        v.count == 4 ? .rectangle(Box(x: v[0], y: v[1], width: v[2], height: v[3])) : .polygon(v)
    }
}

/// Parses ground-truth or result text of boxes: one `x,y,w,h` per line, separated as
/// `parseGroundTruth` allows. Throws `BoxFileError` naming the line of a bad row.
public func parseBoxes(_ text: String, source: String) throws -> [Box] {
    try numberRows(text, source: source, counts: [4], expected: "four numbers x,y,w,h").map { v in
        Box(x: v[0], y: v[1], width: v[2], height: v[3])
    }
}

/// The numbers of each non-empty line, which must hold one of `counts` of them.
private func numberRows(_ text: String, source: String, counts: Set<Int>, expected: String) throws -> [[Double]] {
    var rows: [[Double]] = []
    for (i, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
        let fields = line.split(whereSeparator: { $0 == "," || $0 == "\t" || $0 == " " || $0 == "\r" })
        if fields.isEmpty { continue }
        let values = fields.compactMap { Double($0) }
        guard counts.contains(fields.count), values.count == fields.count else {
            throw BoxFileError(source: source, line: i + 1, text: String(line), expected: expected)
        }
        rows.append(values)
    }
    return rows
}

/// A line of a box file that is not what it should hold.
public struct BoxFileError: Error, CustomStringConvertible {
    public var source: String
    public var line: Int
    public var text: String
    public var expected = "four numbers x,y,w,h"
    public var description: String { "\(source) line \(line): '\(text)' is not \(expected)" }
}

/// Where a sequence's ground truth is, by the benchmarks' own layouts: for a frame folder,
/// `groundtruth_rect.txt` (OTB) or `groundtruth.txt` (LaSOT, GOT-10k, VOT) in the folder or its
/// parent (`NAME/img/`, `NAME/color/`); for a video file `NAME.ext`, `NAME.txt`,
/// `groundtruth_rect.txt` or `groundtruth.txt` beside it. Nil when none exists.
public func groundTruthFile(forSequence path: URL) -> URL? {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: path.path, isDirectory: &isDirectory) else { return nil }
    let names = ["groundtruth_rect.txt", "groundtruth.txt"]
    let candidates: [URL]
    if isDirectory.boolValue {
        candidates = [path, path.deletingLastPathComponent()].flatMap { dir in names.map { dir.appendingPathComponent($0) } }
    } else {
        let dir = path.deletingLastPathComponent()
        candidates = [path.deletingPathExtension().appendingPathExtension("txt")] + names.map { dir.appendingPathComponent($0) }
    }
    return candidates.first { candidate in
        var isDir: ObjCBool = false
        return candidate != path && fm.fileExists(atPath: candidate.path, isDirectory: &isDir) && !isDir.boolValue
    }
}
