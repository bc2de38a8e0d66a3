// Mirrors the free-form values yacs keeps in pysot's `new_allowed` nodes (`*.KWARGS`).

/// One value of a free-form pysot config node, such as `BACKBONE.KWARGS` or `TRAIN.LR.KWARGS`.
///
/// pysot passes these straight to a Python constructor (`get_backbone(TYPE, **KWARGS)`), so they
/// have no declared type; `PysotConfig.modelSpec()` interprets the ones it knows. Scalars are
/// decoded the way pysot sees them after PyYAML (YAML 1.1) and yacs (`ast.literal_eval` of
/// strings): `1e-4` is `.double(0.0001)`, `'8'` is `.int(8)`, `yes` is `.bool(true)`.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case list([ConfigValue])
    /// A nested mapping (key order is not kept).
    case map([String: ConfigValue])
    /// YAML `~` / `null` / an empty value (Python `None`).
    case null

    /// The value as a Double when it is a number (`.int` or `.double`), else nil.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The value as an Int when it is `.int`, else nil (a `.double` is never truncated).
    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The value when it is `.bool`, else nil.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value when it is `.string`, else nil.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements when it is `.list`, else nil.
    public var listValue: [ConfigValue]? {
        if case .list(let l) = self { return l }
        return nil
    }

    /// Python-like rendering, as pysot would print it: `0.5`, `[256, 256]`, `'AdjustAllLayer'`.
    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "True" : "False"
        case .string(let s): return "'\(s)'"
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m):
            return "{" + m.keys.sorted().map { "\($0): \(m[$0]!.description)" }.joined(separator: ", ") + "}"
        case .null: return "None"
        }
    }

    /// What kind of value this is, for error messages ("a string", "a list").
    public var kindDescription: String {
        switch self {
        case .int: return "an integer"
        case .double: return "a float"
        case .bool: return "a boolean"
        case .string: return "a string"
        case .list: return "a list"
        case .map: return "a mapping"
        case .null: return "null"
        }
    }
}
