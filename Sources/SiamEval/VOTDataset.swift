// Mirrors pysot/toolkit/datasets/vot.py (VOTVideo / VOTLTVideo: tags, select_tag, load_tracker)
import Foundation

/// One video of a VOT short-term dataset as pysot's `VOTVideo` holds it.
///
/// `groundTruth`: one region per frame (8 values `x1,y1,…,x4,y4`, or 4 `x,y,w,h`), as `gt_rect` in
/// pysot's `VOT2018.json`. `width`/`height`: the image size (pysot reads it from the first frame).
/// Tags: `all` (1 on every frame), the five VOT attributes (per-frame 0/1 lists; `[]` = not
/// annotated), and pysot's `empty`, which is **not** per frame: one value per non-empty tag list
/// (`all` included), 1 where that tag is 0 on every frame (Tests/Fixtures/README.md section 22).
public struct VOTSequence: Sendable {
    public var name: String
    public var groundTruth: [[Double]]
    public var width: Int
    public var height: Int
    /// Per-frame tag lists by name: `all` and the attributes given at init.
    public private(set) var tags: [String: [Int]]
    /// pysot's `tags['empty']` (one entry per non-empty tag list, in `VOTSequence.tagNames` order).
    public let emptyTag: [Int]

    /// The per-frame attributes of pysot's VOT datasets, in its order.
    public static let attributeNames = ["camera_motion", "illum_change", "motion_change", "size_change", "occlusion"]
    /// `VOTDataset.tags`: every tag an EAO can be computed for.
    public static let tagNames = ["all"] + attributeNames + ["empty"]

    /// `attributes`: per-frame 0/1 lists keyed by `attributeNames` (a missing key = `[]`).
    public init(name: String, groundTruth: [[Double]], width: Int, height: Int, attributes: [String: [Int]] = [:]) {
        self.name = name
        self.groundTruth = groundTruth
        self.width = width
        self.height = height
        var tags = ["all": [Int](repeating: 1, count: groundTruth.count)]
        for a in Self.attributeNames { tags[a] = attributes[a] ?? [] }
        self.tags = tags
        // np.all(1 - np.array([v for v in tags.values() if len(v) > 0]), axis=1)
        emptyTag = (["all"] + Self.attributeNames).compactMap { name in
            let v = tags[name]!
            return v.isEmpty ? nil : (v.allSatisfy { $0 == 0 } ? 1 : 0)
        }
    }

    /// `select_tag(tag, start, end)`: `tags[tag][start:end]` (Python slice, clamped), but the whole
    /// `empty` list whatever the range.
    public func selectTag(_ tag: String, _ start: Int, _ end: Int) -> [Int] {
        if tag == "empty" { return emptyTag }
        guard let v = tags[tag] else { preconditionFailure("unknown VOT tag '\(tag)'") }
        let s = min(max(start, 0), v.count)
        let e = min(max(end, s), v.count)
        return Array(v[s..<e])
    }
}

/// One video of a VOT long-term dataset as pysot's `VOTLTVideo` holds it: `groundTruth` rows are
/// `[x, y, w, h]`, or `[0]` where the target is absent (pysot turns rows whose first value is NaN
/// into `[0]`; `init` does the same).
public struct VOTLongTermSequence: Sendable {
    public var name: String
    public var groundTruth: [[Double]]
    public var width: Int
    public var height: Int

    public init(name: String, groundTruth: [[Double]], width: Int, height: Int) {
        self.name = name
        self.groundTruth = groundTruth.map { ($0.first?.isNaN ?? false) ? [0] : $0 }
        self.width = width
        self.height = height
    }

    /// Frames where the target is present (frame 0 included): pysot's `N`.
    public var presentFrames: Int { groundTruth.filter { $0.count > 1 }.count }
}

/// A bad result or confidence file.
public struct ResultFileError: Error, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var text: String
    public var description: String { "\(path) line \(line): '\(text)' is not a list of numbers" }
}

/// pysot's result files, read as its `load_tracker` reads them.
public enum PysotResultFiles {
    /// One line per frame, `list(map(float, line.strip().split(',')))`: `[1]` (init), `[2]`
    /// (failure), `[0]` (skipped), 4 or 8 numbers (a box or a polygon).
    public static func parseTrajectory(_ text: String, path: String) throws -> [[Double]] {
        try lines(text).enumerated().map { i, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let values = fields.compactMap { pythonFloat($0) }
            guard values.count == fields.count else { throw ResultFileError(path: path, line: i + 1, text: String(line)) }
            return values
        }
    }

    /// The files pysot's `VOTVideo.load_tracker` uses for `video`: the names matching `*0*.txt` in
    /// `<trackerDirectory>/baseline/<video>/`, **sorted** (pysot takes glob's order, which is the file
    /// system's; these are the files it uses when glob is sorted), all of them when there are exactly 15,
    /// else only the first.
    public static func votBaselineFiles(trackerDirectory: URL, video: String) throws -> [URL] {
        let dir = trackerDirectory.appendingPathComponent("baseline").appendingPathComponent(video)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { name in
            guard !name.hasPrefix("."), name.hasSuffix(".txt") else { return false }
            return name.dropLast(4).contains("0")
        }.sorted()
        return (names.count == 15 ? names : Array(names.prefix(1))).map { dir.appendingPathComponent($0) }
    }

    /// Every repetition's trajectory of `video` (`votBaselineFiles`).
    public static func loadVOTBaseline(trackerDirectory: URL, video: String) throws -> [[[Double]]] {
        try votBaselineFiles(trackerDirectory: trackerDirectory, video: video).map { url in
            try parseTrajectory(String(decoding: try Data(contentsOf: url), as: UTF8.self), path: url.path)
        }
    }

    /// `VOTLTVideo.load_tracker`: `<trackerDirectory>/longterm/<video>/<video>_001.txt` and
    /// `<video>_001_confidence.value`, whose first line is dropped and replaced by NaN.
    public static func loadVOTLongTerm(trackerDirectory: URL, video: String) throws -> (trajectory: [[Double]], scores: [Double]) {
        let dir = trackerDirectory.appendingPathComponent("longterm").appendingPathComponent(video)
        let traj = dir.appendingPathComponent("\(video)_001.txt")
        let conf = dir.appendingPathComponent("\(video)_001_confidence.value")
        let trajectory = try parseTrajectory(String(decoding: try Data(contentsOf: traj), as: UTF8.self), path: traj.path)
        let confLines = lines(String(decoding: try Data(contentsOf: conf), as: UTF8.self))
        var scores: [Double] = [.nan]
        for (i, line) in confLines.enumerated().dropFirst() {
            guard let v = pythonFloat(line) else { throw ResultFileError(path: conf.path, line: i + 1, text: String(line)) }
            scores.append(v)
        }
        return (trajectory, scores)
    }

    /// Python's `readlines()`: lines split after each `\n`, no empty entry after a final newline.
    static func lines(_ text: String) -> [Substring] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    /// Python's `float(s)` on a field: surrounding whitespace allowed, `nan` / `inf` in any case.
    static func pythonFloat<S: StringProtocol>(_ s: S) -> Double? {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { return nil }
        switch t.lowercased() {
        case "nan", "+nan", "-nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(t)
        }
    }
}
