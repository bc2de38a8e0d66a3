import SiamNN

/// A value of a training snapshot outside its state dict (e.g. the `optimizer` entry torch's
/// `optimizer.state_dict()` pickles), as plain data: Python's numbers, strings, containers and
/// tensors (values as Float, exact for float32 storages); numpy float / integer scalars become
/// `.float`. Dict keys are strings or integers, as
/// torch writes them (`state` is keyed by parameter index).
package indirect enum CheckpointValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([CheckpointValue])
    case dict([(key: CheckpointValue, value: CheckpointValue)])
    case tensor(Tensor)
    /// Anything else (a numpy scalar, a big integer, a global), summarised.
    case other(String)

    package static func == (a: CheckpointValue, b: CheckpointValue) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.dict(let x), .dict(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.tensor(let x), .tensor(let y)): return x.shape == y.shape && x.values == y.values
        case (.other(let x), .other(let y)): return x == y
        default: return false
        }
    }

    /// The entry of a dict under a string key.
    package subscript(_ key: String) -> CheckpointValue? {
        guard case .dict(let entries) = self else { return nil }
        return entries.first { $0.key == .string(key) }?.value
    }

    /// The entry of a dict under an integer key.
    package subscript(index key: Int) -> CheckpointValue? {
        guard case .dict(let entries) = self else { return nil }
        return entries.first { $0.key == .int(key) }?.value
    }

    package var int: Int? { if case .int(let v) = self { v } else { nil } }
    /// A float, or an int as one (Python code may store either).
    package var double: Double? {
        switch self {
        case .float(let v): v
        case .int(let v): Double(v)
        default: nil
        }
    }
    package var list: [CheckpointValue]? { if case .list(let v) = self { v } else { nil } }
    package var tensor: Tensor? { if case .tensor(let v) = self { v } else { nil } }
}
