/// Why a pysot `config.yaml` (or a NanoTrack one) could not be loaded or turned into a
/// `ModelSpec`.
///
/// Every message names the source (the file path, or `<yaml string>`), the key path
/// (`TRACK.LR`, `BACKBONE.KWARGS.used_layers`) and what was expected. Unknown keys are never
/// errors: in a pysot config they become `PysotConfig.warnings`; a NanoTrack config's other
/// keys are ignored.
public enum ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be read (missing, unreadable, not UTF-8).
    case unreadableFile(path: String, reason: String)
    /// The text is not valid YAML (for a pysot config `detail` starts "invalid YAML", then Yams'
    /// line:column and problem; for a NanoTrack config it is Yams' message alone), or the top
    /// level of a pysot config is not a mapping.
    case invalidYAML(source: String, detail: String)
    /// A key pysot declares holds a value of another type (yacs' "Type mismatch").
    /// `line` is 1-based when known.
    case wrongType(source: String, keyPath: String, line: Int?, expected: String, found: String)
    /// A value that has no default is missing (a constructor argument without a default, a field
    /// of a new `DATASET` entry).
    case missingKey(source: String, keyPath: String, reason: String)
    /// A value outside the accepted set, e.g. an unknown `BACKBONE.TYPE` or a negative width.
    case invalidValue(source: String, keyPath: String, found: String, expected: String)
    /// `KWARGS` names an argument the chosen constructor does not take (Python would raise
    /// `TypeError: unexpected keyword argument`). `keyPath` ends with the argument's name.
    case unknownArgument(source: String, keyPath: String, constructor: String, accepted: [String])
    /// Two parts of the config disagree (channel counts, level counts, anchor counts).
    case inconsistent(source: String, keyPath: String, detail: String)
    /// Valid for pysot or NanoTrack but not implemented by this package (SiamMask heads,
    /// NanoTrack backbones other than V3's `mobilenetv3_small_v3`).
    case unsupported(source: String, keyPath: String, detail: String)

    /// The file path or `<yaml string>` the error is about.
    public var source: String {
        switch self {
        case .unreadableFile(let path, _): return path
        case .invalidYAML(let source, _),
            .wrongType(let source, _, _, _, _),
            .missingKey(let source, _, _),
            .invalidValue(let source, _, _, _),
            .unknownArgument(let source, _, _, _),
            .inconsistent(let source, _, _),
            .unsupported(let source, _, _):
            return source
        }
    }

    /// The dotted key path the error is about (nil for file and syntax errors).
    public var keyPath: String? {
        switch self {
        case .unreadableFile, .invalidYAML: return nil
        case .wrongType(_, let keyPath, _, _, _),
            .missingKey(_, let keyPath, _),
            .invalidValue(_, let keyPath, _, _),
            .unknownArgument(_, let keyPath, _, _),
            .inconsistent(_, let keyPath, _),
            .unsupported(_, let keyPath, _):
            return keyPath
        }
    }

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read config file \(path): \(reason)"
        case .invalidYAML(let source, let detail):
            return "\(source): \(detail)"
        case .wrongType(let source, let keyPath, let line, let expected, let found):
            let at = line.map { " (line \($0))" } ?? ""
            return "\(source): \(keyPath)\(at): expected \(expected), found \(found)"
        case .missingKey(let source, let keyPath, let reason):
            return "\(source): \(keyPath) is missing: \(reason)"
        case .invalidValue(let source, let keyPath, let found, let expected):
            return "\(source): \(keyPath): \(found) is not valid; expected \(expected)"
        case .unknownArgument(let source, let keyPath, let constructor, let accepted):
            let name = keyPath.split(separator: ".").last.map(String.init) ?? keyPath
            return "\(source): \(keyPath): \(constructor) takes no argument '\(name)' "
                + "(it accepts: \(accepted.joined(separator: ", ")))"
        case .inconsistent(let source, let keyPath, let detail):
            return "\(source): \(keyPath): \(detail)"
        case .unsupported(let source, let keyPath, let detail):
            return "\(source): \(keyPath): \(detail)"
        }
    }
}
