// Mirrors yacs 0.1.8 `_merge_a_into_b` + `_check_and_coerce_cfg_value_type`, as pysot's
// `cfg.merge_from_file` applies them, except that unknown keys warn instead of failing.
import Yams

/// Collects what one parse produces besides the values: the source name and the warnings.
final class ConfigParseContext {
    /// File path or `<yaml string>`, for messages.
    let source: String
    private var positionedWarnings: [(line: Int, column: Int, message: String)] = []

    /// Who declares the known keys, for the unknown-key warning ("pysot's config.py").
    let declaredBy: String

    init(source: String, declaredBy: String = "pysot's config.py") {
        self.source = source
        self.declaredBy = declaredBy
    }

    /// The warnings in file order (by the position of the key they are about).
    var warnings: [String] {
        positionedWarnings.enumerated()
            .sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
            .map(\.element.message)
    }

    /// Records a warning about the key at `mark` (1-based line and column; nil sorts last).
    func warn(_ message: String, at mark: Mark?) {
        positionedWarnings.append((mark?.line ?? Int.max, mark?.column ?? Int.max, message))
    }

    func warnUnknown(_ keyPath: String, at mark: Mark?) {
        warn("unknown key \(keyPath) (ignored; \(declaredBy) does not declare it)", at: mark)
    }
}

/// Reads one YAML mapping into a config section that already holds pysot's defaults.
///
/// Each `read` overrides the target only when the key is present and type-checks it like yacs:
/// the value must have the default's type, except that an integer is accepted where a float is
/// expected (yacs itself would reject `LR: 1`) and a list is accepted where pysot declares a
/// tuple. `warnUnknownKeys()` then reports the keys no `read` asked for.
struct ConfigMappingReader {
    /// Dotted path of this mapping ("" for the document root).
    let path: String
    let context: ConfigParseContext
    private var entries: [String: Node] = [:]
    private var order: [String] = []
    private var keyMarks: [String: Mark] = [:]
    private var consumed: Set<String> = []

    /// Fails with `wrongType` when `node` is not a mapping (yacs: a section replaced by a scalar).
    init(node: Node, path: String, context: ConfigParseContext) throws {
        self.path = path
        self.context = context
        guard case .mapping(let mapping) = node else {
            throw ConfigError.wrongType(
                source: context.source, keyPath: path.isEmpty ? "<document>" : path,
                line: node.mark?.line, expected: "a mapping of keys",
                found: ConfigMappingReader.describe(node))
        }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? String(describing: keyNode)
            if entries[key] == nil { order.append(key) }
            if let mark = keyNode.mark { keyMarks[key] = mark }
            entries[key] = value  // PyYAML: a repeated key, the last wins
        }
    }

    /// `PATH.key`.
    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The keys present in the YAML, in order.
    var keys: [String] { order }

    /// Where `key` appears in the file.
    func mark(of key: String) -> Mark? { keyMarks[key] }

    /// Marks `key` as known and returns its node, if present.
    mutating func take(_ key: String) -> Node? {
        consumed.insert(key)
        return entries[key]
    }

    /// Adds a warning for every key no `read`/`take` asked for.
    func warnUnknownKeys() {
        for key in order where !consumed.contains(key) {
            context.warnUnknown(keyPath(key), at: keyMarks[key])
        }
    }

    // MARK: typed reads

    /// A nested section, or nil when absent.
    mutating func section(_ key: String) throws -> ConfigMappingReader? {
        guard let node = take(key) else { return nil }
        return try ConfigMappingReader(node: node, path: keyPath(key), context: context)
    }

    mutating func read(_ key: String, into target: inout Double) throws {
        guard let (value, node) = takeValue(key) else { return }
        guard let d = value.doubleValue else {
            throw mismatch(key, node, value, expected: "a number (a float; an integer is accepted)")
        }
        target = d
    }

    mutating func read(_ key: String, into target: inout Int) throws {
        guard let (value, node) = takeValue(key) else { return }
        guard let i = value.intValue else { throw mismatch(key, node, value, expected: "an integer") }
        target = i
    }

    mutating func read(_ key: String, into target: inout Bool) throws {
        guard let (value, node) = takeValue(key) else { return }
        guard let b = value.boolValue else {
            throw mismatch(key, node, value, expected: "a boolean (true or false)")
        }
        target = b
    }

    mutating func read(_ key: String, into target: inout String) throws {
        guard let (value, node) = takeValue(key) else { return }
        guard let s = value.stringValue else { throw mismatch(key, node, value, expected: "a string") }
        target = s
    }

    mutating func read(_ key: String, into target: inout [Double]) throws {
        guard let (value, node) = takeValue(key) else { return }
        let numbers = value.listValue?.compactMap(\.doubleValue)
        guard let numbers, numbers.count == value.listValue?.count else {
            throw mismatch(key, node, value, expected: "a list of numbers")
        }
        target = numbers
    }

    mutating func read(_ key: String, into target: inout [String]) throws {
        guard let (value, node) = takeValue(key) else { return }
        let strings = value.listValue?.compactMap(\.stringValue)
        guard let strings, strings.count == value.listValue?.count else {
            throw mismatch(key, node, value, expected: "a list of strings")
        }
        target = strings
    }

    /// A free-form `new_allowed` node (`KWARGS`): any mapping, kept as decoded values.
    mutating func read(_ key: String, into target: inout [String: ConfigValue]) throws {
        guard let (value, node) = takeValue(key) else { return }
        guard case .map(let map) = value else {
            throw mismatch(key, node, value, expected: "a mapping of keyword arguments")
        }
        target = map
    }

    /// The decoded value of `key` (for callers with their own rules), marking it as known.
    mutating func value(_ key: String) -> (ConfigValue, Node)? { takeValue(key) }

    /// `wrongType` for `key`, naming what was found.
    func mismatch(_ key: String, _ node: Node, _ value: ConfigValue, expected: String) -> ConfigError {
        .wrongType(
            source: context.source, keyPath: keyPath(key), line: node.mark?.line,
            expected: expected, found: ConfigMappingReader.describe(value))
    }

    private mutating func takeValue(_ key: String) -> (ConfigValue, Node)? {
        guard let node = take(key) else { return nil }
        return (ConfigValue(yamlNode: node), node)
    }

    static func describe(_ value: ConfigValue) -> String {
        switch value {
        case .map: return "a mapping"
        case .null: return "an empty value (null)"
        default: return "\(value) (\(value.kindDescription))"
        }
    }

    static func describe(_ node: Node) -> String { describe(ConfigValue(yamlNode: node)) }
}
