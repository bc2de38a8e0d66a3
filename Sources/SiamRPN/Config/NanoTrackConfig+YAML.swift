// Mirrors NanoTrack nanotrack/core/config.py (the keys it declares) read the way pysot's configs
// are (yacs `merge_from_file`, see ConfigMappingReader)
import Yams

extension NanoTrackConfig {
    /// Reads a NanoTrack `config.yaml` (its `models/config/configv3.yaml` layout) with the typed
    /// reader pysot's configs use: `TRACK` (TYPE, WINDOW_INFLUENCE, PENALTY_K, LR, EXEMPLAR_SIZE,
    /// INSTANCE_SIZE, BASE_SIZE, CONTEXT_AMOUNT, OUTPUT_SIZE) and `POINT.STRIDE` set the tracker;
    /// absent keys keep V3's values. `META_ARC`, `CUDA`, `BACKBONE` are checked; the training
    /// sections NanoTrack declares (`TRAIN`, `DATASET`, `MASK`, `ADJUST`, `BAN`) are accepted as
    /// they are. Keys NanoTrack does not declare are returned as warnings (with their line).
    /// Only the V3 backbone (`mobilenetv3_small_v3`) is supported.
    ///
    /// - Throws: `ConfigError` naming the key and line of a value of the wrong type or range.
    public static func read(yaml: String, source: String) throws -> (config: NanoTrackConfig, warnings: [String]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, .basic)
        } catch {
            throw ConfigError.invalidYAML(source: source, detail: "invalid YAML: \(error)")
        }
        var config = NanoTrackConfig()
        guard let root else { return (config, []) }
        let context = ConfigParseContext(source: source, declaredBy: "NanoTrack's config.py")
        var reader = try ConfigMappingReader(node: root, path: "", context: context)
        var metaArc = "nanotrack"
        var cuda = true
        try reader.read("META_ARC", into: &metaArc)
        try reader.read("CUDA", into: &cuda)
        for trainerSection in ["TRAIN", "DATASET", "MASK", "ADJUST", "BAN"] { _ = reader.take(trainerSection) }
        if var section = try reader.section("BACKBONE") {
            // NanoTrack's config.py declares the same BACKBONE keys as pysot's.
            var backbone = BackboneConfig()
            backbone.type = "mobilenetv3_small_v3"
            try backbone.merge(&section)
            let type = backbone.type
            guard type == "mobilenetv3_small_v3" else {
                throw ConfigError.unsupported(
                    source: source, keyPath: "BACKBONE.TYPE",
                    detail: "NanoTrack backbone '\(type)' is not supported; only NanoTrackV3's 'mobilenetv3_small_v3' is")
            }
        }
        if var point = try reader.section("POINT") {
            try point.read("STRIDE", into: &config.pointStride)
            try positive(config.pointStride, "POINT.STRIDE", source)
            point.warnUnknownKeys()
        }
        if var track = try reader.section("TRACK") {
            var type = "NanoTracker"
            var baseSize = 8
            try track.read("TYPE", into: &type)
            guard type == "NanoTracker" else {
                throw ConfigError.invalidValue(source: source, keyPath: "TRACK.TYPE", found: "'\(type)'", expected: "'NanoTracker'")
            }
            try track.read("PENALTY_K", into: &config.penaltyK)
            try track.read("WINDOW_INFLUENCE", into: &config.windowInfluence)
            try track.read("LR", into: &config.lr)
            try track.read("EXEMPLAR_SIZE", into: &config.exemplarSize)
            try track.read("INSTANCE_SIZE", into: &config.instanceSize)
            try track.read("BASE_SIZE", into: &baseSize)  // declared by NanoTrack, unused by its tracker
            try track.read("OUTPUT_SIZE", into: &config.outputSize)
            try track.read("CONTEXT_AMOUNT", into: &config.contextAmount)
            try positive(config.exemplarSize, "TRACK.EXEMPLAR_SIZE", source)
            try positive(config.instanceSize, "TRACK.INSTANCE_SIZE", source)
            try positive(config.outputSize, "TRACK.OUTPUT_SIZE", source)
            track.warnUnknownKeys()
        }
        reader.warnUnknownKeys()
        return (config, context.warnings)
    }

    /// `read(yaml:source:)` without its warnings.
    public init(yaml: String, source: String) throws {
        self = try Self.read(yaml: yaml, source: source).config
    }

    private static func positive(_ value: Int, _ keyPath: String, _ source: String) throws {
        guard value > 0 else {
            throw ConfigError.invalidValue(source: source, keyPath: keyPath, found: "\(value)", expected: "a positive integer")
        }
    }

    /// Whether `yaml` is a NanoTrack config (`META_ARC: nanotrack` or a `mobilenetv3_small*`
    /// backbone) rather than a pysot one.
    package static func describes(_ yaml: String) -> Bool {
        guard let root = try? Yams.load(yaml: yaml) as? [String: Any] else { return false }
        if let arc = root["META_ARC"] as? String, arc.lowercased() == "nanotrack" { return true }
        if let type = (root["BACKBONE"] as? [String: Any])?["TYPE"] as? String, type.hasPrefix("mobilenetv3_small") { return true }
        return false
    }
}
