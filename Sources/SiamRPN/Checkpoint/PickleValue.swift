/// A value produced by `PickleReader`.
///
/// Scalars are stored inline; composite values are indices into the arenas of the
/// `PickleDocument` they came from (so values never nest in memory and sharing, as pickle's memo
/// allows, costs nothing). Nothing here is ever executed: globals are whitelisted names.
enum PickleValue: Equatable, Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits: its minimal two's-complement little-endian bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(Int)
    /// A list (also used for sets and frozensets).
    case list(Int)
    /// A dict or OrderedDict, in insertion order.
    case dict(Int)
    case global(PickleGlobal)
    /// A torch storage (or a legacy view of one) from a persistent id.
    case storage(PickleStorageRef)
    /// A tensor description from `_rebuild_tensor_v2` and friends.
    case tensor(Int)
    case numpyScalar(Int)
    /// A numpy dtype by its type string (e.g. "f8").
    case numpyDType(String)
}

/// The arenas holding every composite value of one unpickled object graph.
struct PickleDocument: Sendable {
    var tuples: [[PickleValue]] = []
    var lists: [[PickleValue]] = []
    var dicts: [PickleDict] = []
    var storages: [PickleStorage] = []
    var tensors: [PickleTensor] = []
    var scalars: [NumpyScalar] = []

    mutating func add(tuple items: [PickleValue]) -> PickleValue {
        tuples.append(items)
        return .tuple(tuples.count - 1)
    }

    mutating func add(list items: [PickleValue]) -> PickleValue {
        lists.append(items)
        return .list(lists.count - 1)
    }

    mutating func add(dict: PickleDict) -> PickleValue {
        dicts.append(dict)
        return .dict(dicts.count - 1)
    }

    mutating func add(tensor: PickleTensor) -> PickleValue {
        tensors.append(tensor)
        return .tensor(tensors.count - 1)
    }

    mutating func add(scalar: NumpyScalar) -> PickleValue {
        scalars.append(scalar)
        return .numpyScalar(scalars.count - 1)
    }

    /// A one-line description of `value` for `inspect`-style listings (containers by size only).
    func summary(_ value: PickleValue) -> String {
        switch value {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .bigInt(let b): return "integer of \(b.count) bytes"
        case .float(let d): return String(d)
        case .string(let s): return s.count > 60 ? "'\(s.prefix(57))...'" : "'\(s)'"
        case .bytes(let b): return "bytes (\(b.count))"
        case .tuple(let t): return "tuple of \(tuples[t].count) items"
        case .list(let l): return "list of \(lists[l].count) items"
        case .dict(let d):
            let dict = dicts[d]
            let tensors = dict.values.filter { if case .tensor = $0 { return true } else { return false } }.count
            if tensors > 0 { return "dict of \(dict.keys.count) entries (\(tensors) tensors)" }
            let names = dict.keys.prefix(6).map { summary($0) }.joined(separator: ", ")
            return "dict of \(dict.keys.count) entries" + (names.isEmpty ? "" : " (\(names)\(dict.keys.count > 6 ? ", ..." : ""))")
        case .global(let g): return g.qualifiedName
        case .storage(let s): return "storage '\(storages[s.storage].key)'"
        case .tensor(let t):
            let tensor = tensors[t]
            return "tensor \(storages[tensor.storage.storage].dtype.rawValue) \(tensor.shape)"
        case .numpyScalar(let s): return scalars[s].summary
        case .numpyDType(let name): return "numpy dtype '\(name)'"
        }
    }
}

/// A dict in insertion order. String and integer keys are indexed (a repeated key replaces the
/// value in place, as in Python); other keys are kept in order without de-duplication.
struct PickleDict: Sendable {
    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    /// The dict (index into `PickleDocument.dicts`) a BUILD gave as the object's state, e.g. an
    /// OrderedDict state dict's `_metadata`.
    var attributes: Int?
    private var index: [Key: Int] = [:]

    private enum Key: Hashable {
        case string(String)
        case int(Int)
    }

    private static func key(_ v: PickleValue) -> Key? {
        switch v {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        default: return nil
        }
    }

    mutating func set(_ key: PickleValue, _ value: PickleValue) {
        if let k = Self.key(key) {
            if let i = index[k] {
                values[i] = value
                return
            }
            index[k] = keys.count
        }
        keys.append(key)
        values.append(value)
    }

    subscript(key: String) -> PickleValue? {
        index[.string(key)].map { values[$0] }
    }
}

/// One torch storage: a flat array of `count` elements of `dtype`, whose bytes are the ZIP entry
/// `<archive>/data/<key>` or, in legacy files, the record for `key` after the pickles.
struct PickleStorage: Sendable, Equatable {
    var key: String
    var dtype: StateDict.DType
    /// Device the storage was saved from ("cpu", "cuda:0"); everything is loaded to the CPU.
    var location: String
    var count: Int
}

/// A storage, or the window `offset..<offset+count` of it (legacy storage views).
struct PickleStorageRef: Sendable, Equatable {
    /// Index into `PickleDocument.storages`.
    var storage: Int
    var offset: Int
    var count: Int
}

/// A tensor as `_rebuild_tensor_v2(storage, storage_offset, size, stride, ...)` describes it.
struct PickleTensor: Sendable, Equatable {
    var storage: PickleStorageRef
    /// Element offset inside `storage` (which may itself be a view).
    var offset: Int
    var shape: [Int]
    var strides: [Int]
}

/// A numpy scalar, `numpy.core.multiarray.scalar(dtype, bytes)`, kept as inert data.
struct NumpyScalar: Sendable, Equatable {
    /// The dtype's type string, e.g. "f8", "<i8".
    var dtype: String
    var bytes: [UInt8]

    /// The value as a Double for little-endian float and integer dtypes of matching size.
    var doubleValue: Double? {
        let kind = dtype.drop { $0 == "<" || $0 == "=" || $0 == "|" }
        switch (kind, bytes.count) {
        case ("f8", 8): return Double(bitPattern: bytes.loadLE64(0))
        case ("f4", 4): return Double(Float(bitPattern: bytes.loadLE32(0)))
        case ("i8", 8): return Double(Int64(bitPattern: bytes.loadLE64(0)))
        case ("i4", 4): return Double(Int32(bitPattern: bytes.loadLE32(0)))
        case ("u8", 8): return Double(bytes.loadLE64(0))
        case ("u4", 4): return Double(bytes.loadLE32(0))
        case ("b1", 1), ("u1", 1): return Double(bytes[0])
        default: return nil
        }
    }

    var summary: String {
        if let v = doubleValue { return "numpy \(dtype) \(v)" }
        return "numpy \(dtype) scalar (\(bytes.count) bytes)"
    }
}
