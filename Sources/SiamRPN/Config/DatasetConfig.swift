// Mirrors pysot/core/config.py: __C.DATASET (read by pysot/datasets/dataset.py)
import Yams

/// pysot's `cfg.DATASET`: training data sources and augmentation. Defaults are pysot's.
///
/// pysot declares this node `new_allowed`, so a config may add data sets (`DATASET.GOT10K:` with
/// `ROOT`, `ANNO`, `FRAME_RANGE`, `NUM_USE`) next to the four it declares; they land in `sources`.
/// An added data set named in `NAMES` must give all four keys (an error otherwise); an
/// incomplete one that `NAMES` does not use is skipped with a warning.
package struct DatasetConfig: Sendable, Equatable {
    /// `DATASET.TEMPLATE`: augmentation of the template crop.
    package var template = Augmentation(shift: 4, scale: 0.05, blur: 0.0, flip: 0.0, color: 1.0)
    /// `DATASET.SEARCH`: augmentation of the search crop.
    package var search = Augmentation(shift: 64, scale: 0.18, blur: 0.0, flip: 0.0, color: 1.0)
    /// `DATASET.NEG`, default 0.2: probability of a negative (different object) pair.
    package var neg: Double = 0.2
    /// `DATASET.GRAY`, default 0.0: probability of converting a pair to grayscale.
    package var gray: Double = 0.0
    /// `DATASET.NAMES`, default ["VID", "COCO", "DET", "YOUTUBEBB"]: the sources used, in order.
    package var names: [String] = ["VID", "COCO", "DET", "YOUTUBEBB"]
    /// `DATASET.<NAME>` for every declared or added data set, keyed by name.
    package var sources: [String: DatasetSource] = [
        "VID": DatasetSource(
            root: "training_dataset/vid/crop511", anno: "training_dataset/vid/train.json",
            frameRange: 100, numUse: 100000),
        "YOUTUBEBB": DatasetSource(
            root: "training_dataset/yt_bb/crop511",
            anno: "training_dataset/yt_bb/train.json", frameRange: 3, numUse: -1),
        "COCO": DatasetSource(
            root: "training_dataset/coco/crop511",
            anno: "training_dataset/coco/train2017.json", frameRange: 1, numUse: -1),
        "DET": DatasetSource(
            root: "training_dataset/det/crop511", anno: "training_dataset/det/train.json",
            frameRange: 1, numUse: -1)
    ]
    /// `DATASET.VIDEOS_PER_EPOCH`, default 600000.
    package var videosPerEpoch: Int = 600000

    /// pysot's defaults.
    package init() {}
}

/// pysot `DATASET.TEMPLATE` / `DATASET.SEARCH`: random augmentation of one crop.
package struct Augmentation: Sendable, Equatable {
    /// `SHIFT`: maximum random shift, pixels (an integer in pysot). Template 4, search 64.
    package var shift: Int
    /// `SCALE`: maximum relative scale change. Template 0.05, search 0.18.
    package var scale: Double
    /// `BLUR`: probability of a random blur. Default 0.0.
    package var blur: Double
    /// `FLIP`: probability of a horizontal flip. Default 0.0.
    package var flip: Double
    /// `COLOR`: probability of the PCA colour jitter. Default 1.0.
    package var color: Double

    package init(shift: Int, scale: Double, blur: Double, flip: Double, color: Double) {
        self.shift = shift
        self.scale = scale
        self.blur = blur
        self.flip = flip
        self.color = color
    }
}

/// pysot `DATASET.<NAME>`: one training data set.
package struct DatasetSource: Sendable, Equatable {
    /// `ROOT`: folder of the 511x511 crops.
    package var root: String
    /// `ANNO`: annotation JSON file.
    package var anno: String
    /// `FRAME_RANGE`: maximum frame distance between template and search, frames.
    package var frameRange: Int
    /// `NUM_USE`: videos used per epoch, repeating as needed; -1 = all, no repetition.
    package var numUse: Int

    package init(root: String, anno: String, frameRange: Int, numUse: Int) {
        self.root = root
        self.anno = anno
        self.frameRange = frameRange
        self.numUse = numUse
    }
}

extension Augmentation {
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        try reader.read("SHIFT", into: &shift)
        try reader.read("SCALE", into: &scale)
        try reader.read("BLUR", into: &blur)
        try reader.read("FLIP", into: &flip)
        try reader.read("COLOR", into: &color)
        reader.warnUnknownKeys()
    }
}

extension DatasetSource {
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        try reader.read("ROOT", into: &root)
        try reader.read("ANNO", into: &anno)
        try reader.read("FRAME_RANGE", into: &frameRange)
        try reader.read("NUM_USE", into: &numUse)
        reader.warnUnknownKeys()
    }

    /// Whether a mapping gives all four keys of a data set.
    static func isComplete(_ node: Node) -> Bool {
        guard case .mapping(let mapping) = node else { return false }
        let keys = Set(mapping.compactMap { $0.key.string })
        return ["ROOT", "ANNO", "FRAME_RANGE", "NUM_USE"].allSatisfy(keys.contains)
    }

    /// A data set pysot does not declare: it has no defaults, so all four keys must be given
    /// (pysot's dataset code reads each of them).
    static func added(_ reader: inout ConfigMappingReader) throws -> DatasetSource {
        for key in ["ROOT", "ANNO", "FRAME_RANGE", "NUM_USE"] where !reader.keys.contains(key) {
            throw ConfigError.missingKey(
                source: reader.context.source, keyPath: reader.keyPath(key),
                reason: "\(reader.path) is a data set pysot does not declare, so it has no defaults; "
                    + "give ROOT, ANNO, FRAME_RANGE and NUM_USE")
        }
        var source = DatasetSource(root: "", anno: "", frameRange: 0, numUse: 0)
        try source.merge(&reader)
        return source
    }
}

extension DatasetConfig {
    /// Overrides the defaults with the keys of a `DATASET:` mapping; a mapping under an
    /// undeclared name adds a data set (pysot's `new_allowed`).
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        if var section = try reader.section("TEMPLATE") { try template.merge(&section) }
        if var section = try reader.section("SEARCH") { try search.merge(&section) }
        try reader.read("NEG", into: &neg)
        try reader.read("GRAY", into: &gray)
        try reader.read("NAMES", into: &names)
        try reader.read("VIDEOS_PER_EPOCH", into: &videosPerEpoch)
        for name in reader.keys where !["TEMPLATE", "SEARCH", "NEG", "GRAY", "NAMES", "VIDEOS_PER_EPOCH"].contains(name) {
            if let existing = sources[name] {
                var source = existing
                if var section = try reader.section(name) { try source.merge(&section) }
                sources[name] = source
            } else if let node = reader.take(name), case .mapping = node,
                names.contains(name) || DatasetSource.isComplete(node)
            {
                var section = try ConfigMappingReader(node: node, path: reader.keyPath(name), context: reader.context)
                sources[name] = try DatasetSource.added(&section)
            } else if case .mapping? = reader.take(name) {
                reader.context.warn(
                    "unknown key \(reader.keyPath(name)) (ignored; not in DATASET.NAMES and not a complete "
                        + "data set with ROOT, ANNO, FRAME_RANGE and NUM_USE)", at: reader.mark(of: name))
            } else {
                // A new scalar: pysot's new_allowed node keeps it, but no pysot code reads it.
                reader.context.warn(
                    "unknown key \(reader.keyPath(name)) (ignored; pysot's config.py does not declare it "
                        + "and no pysot code reads it)", at: reader.mark(of: name))
            }
        }
        reader.warnUnknownKeys()
    }
}
