// Mirrors pysot's `cfg.merge_from_file(args.config)` (yacs 0.1.8 load_cfg + merge).
import Foundation
import Yams

extension PysotConfig {
    /// Reads a pysot `config.yaml` file and merges it over pysot's defaults.
    ///
    /// - Throws: `ConfigError.unreadableFile` when the file cannot be read, and everything
    ///   `init(yaml:source:)` throws; messages name the file's path.
    public static func load(contentsOf url: URL) throws -> PysotConfig {
        let text: String
        do {
            let data = try Data(contentsOf: url)
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigError.unreadableFile(path: url.path, reason: "the file is not UTF-8 text")
            }
            text = decoded
        } catch let error as ConfigError {
            throw error
        } catch {
            let reason =
                FileManager.default.fileExists(atPath: url.path)
                ? describeFileError(error) : "no such file"
            throw ConfigError.unreadableFile(path: url.path, reason: reason)
        }
        return try PysotConfig(yaml: text, source: url.path)
    }

    /// Parses the text of a pysot `config.yaml` and merges it over pysot's defaults.
    ///
    /// Keys pysot declares must hold the default's type (yacs' rule), except that an integer is
    /// accepted for a float (`LR: 1`); keys it does not declare are skipped with a line in
    /// `warnings`. An empty text gives the defaults.
    ///
    /// - Parameters:
    ///   - yaml: the config file's text.
    ///   - source: the name used in `source` and in error messages.
    /// - Throws: `ConfigError.invalidYAML` (syntax, or a top level that is not a mapping),
    ///   `.wrongType` (a known key with a value of another type), `.invalidValue` (unknown
    ///   `TRACK.TYPE`), `.missingKey` (an added `DATASET` entry without all four fields).
    public init(yaml: String, source: String = "<yaml string>") throws {
        self.init()
        self.source = source
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, .basic)
        } catch {
            throw ConfigError.invalidYAML(source: source, detail: "invalid YAML: \(error)")
        }
        guard let root else { return }
        if case .scalar(let scalar) = root, ConfigValue.resolvingPlainScalar(scalar.string) == .null {
            return  // a document holding only `~`
        }
        guard case .mapping = root else {
            throw ConfigError.invalidYAML(
                source: source,
                detail: "the top level must be a mapping of sections (META_ARC, BACKBONE, TRACK...), "
                    + "found \(ConfigMappingReader.describe(root))")
        }
        let context = ConfigParseContext(source: source)
        var reader = try ConfigMappingReader(node: root, path: "", context: context)
        try reader.read("META_ARC", into: &metaArc)
        try reader.read("CUDA", into: &cuda)
        if var section = try reader.section("TRAIN") { try train.merge(&section) }
        if var section = try reader.section("DATASET") { try dataset.merge(&section) }
        if var section = try reader.section("BACKBONE") { try backbone.merge(&section) }
        if var section = try reader.section("ADJUST") { try adjust.merge(&section) }
        if var section = try reader.section("RPN") { try rpn.merge(&section) }
        if var section = try reader.section("MASK") { try mask.merge(&section) }
        if var section = try reader.section("REFINE") { try refine.merge(&section) }
        if var section = try reader.section("ANCHOR") { try anchor.merge(&section) }
        if var section = try reader.section("TRACK") { try track.merge(&section) }
        reader.warnUnknownKeys()
        warnings = context.warnings
    }
}
