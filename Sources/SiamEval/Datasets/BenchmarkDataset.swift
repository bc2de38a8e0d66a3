// Mirrors pysot toolkit/datasets/dataset.py and video.py (Dataset, Video: name, frames, gt_traj, attr),
// plus the per-family extras of vot.py (tags) and lasot.py (absent)
import Foundation
import SiamRPN

/// One video of a benchmark, as pysot's `Video` holds it.
///
/// `groundTruth` has one row per frame exactly as the benchmark stores it: 4 numbers `x,y,w,h`
/// (OTB-style files are 1-based, kept as written), 8 numbers (a VOT polygon), NaNs where a
/// long-term or UAV target is absent. Some benchmarks publish only the first frame's box (GOT-10k
/// and TrackingNet test splits): then `groundTruth` has one row.
public struct BenchmarkVideo: Sendable, Equatable {
    public var name: String
    /// pysot's `video_dir` (relative to the dataset root).
    public var directory: String
    /// Every frame's image, in tracking order.
    public var frames: [URL]
    public var groundTruth: [[Double]]
    /// OTB / UAV / NFS / LaSOT attribute names of the whole video (`attr`), e.g. `["SV", "OCC"]`.
    public var attributes: [String]
    /// VOT per-frame tags by name (`camera_motion`, ...; `[]` = not annotated).
    public var tags: [String: [Int]]
    /// LaSOT: whether the target is visible on each frame (pysot's `absent` list, whose 1 means
    /// *visible*: its OPE keeps the frames where it is 1). Nil for other families.
    public var visible: [Bool]?
    /// The image size a pysot json records (`width`, `height`; pysot itself reads the first frame).
    /// Used only when the first frame cannot be read, for the VOT overlap's bounds.
    public var recordedSize: Size?

    public struct Size: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }
    }

    public init(
        name: String, directory: String, frames: [URL], groundTruth: [[Double]], attributes: [String] = [],
        tags: [String: [Int]] = [:], visible: [Bool]? = nil, recordedSize: Size? = nil
    ) {
        self.name = name
        self.directory = directory
        self.frames = frames
        self.groundTruth = groundTruth
        self.attributes = attributes
        self.tags = tags
        self.visible = visible
        self.recordedSize = recordedSize
    }

    /// The region tracking starts from: the first ground-truth row.
    public var initialRegion: GroundTruthRegion? {
        guard let first = groundTruth.first else { return nil }
        switch first.count {
        case 4: return .rectangle(Box(x: first[0], y: first[1], width: first[2], height: first[3]))
        case 8: return .polygon(first)
        default: return nil
        }
    }
}

/// A benchmark's videos, sorted by name as pysot iterates them (byte order of the names).
public struct BenchmarkDataset: Sendable {
    /// The `--dataset` name (`OTB100`, `VOT2018`, ...).
    public var name: String
    public var kind: BenchmarkKind
    public var root: URL
    public var videos: [BenchmarkVideo]
    /// Where the description came from: `"<root>/<name>.json"` or the layout found.
    public var source: String
    /// Things worth knowing that did not stop the reading (a tag file shorter than the video, an
    /// NFS annotation trimmed to the frame count, ...), each naming the video and the file.
    public var notes: [String]

    public init(name: String, kind: BenchmarkKind, root: URL, videos: [BenchmarkVideo], source: String, notes: [String] = []) {
        self.name = name
        self.kind = kind
        self.root = root
        self.videos = videos.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        self.source = source
        self.notes = notes
    }

    public var frameCount: Int { videos.reduce(0) { $0 + $1.frames.count } }

    /// Reads `<root>/<name>.json` when it exists (pysot's description; image paths resolve against
    /// the root), otherwise discovers the videos from the family's published layout
    /// (`DatasetLayout`). Throws `DatasetError` naming the video and file of any problem.
    public static func load(name: String, root: URL) throws -> BenchmarkDataset {
        let kind = try BenchmarkKind(datasetName: name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError("the dataset root '\(root.path)' is not a folder")
        }
        let json = root.appendingPathComponent("\(name).json")
        if FileManager.default.fileExists(atPath: json.path) {
            return try PysotDatasetFile.read(json, name: name, kind: kind, root: root)
        }
        return try DatasetLayout.discover(name: name, kind: kind, root: root)
    }

    /// The videos named in `only` (pysot's `--video`); throws naming a video that does not exist.
    public func selecting(_ only: String?) throws -> BenchmarkDataset {
        guard let only else { return self }
        guard videos.contains(where: { $0.name == only }) else {
            throw DatasetError("dataset \(name) has no video '\(only)' (\(videos.count) videos in \(root.path))")
        }
        var d = self
        d.videos = videos.filter { $0.name == only }
        return d
    }
}
