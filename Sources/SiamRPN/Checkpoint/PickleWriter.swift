// Writes what torch.save pickles (Python pickle protocol 2, the opcodes CPython's pickle emits)

/// A Python object as `torch.save` pickles it: numbers, strings, containers, `OrderedDict`s and
/// tensors, whose storages are written outside the pickle (`TorchCheckpointWriter`).
package indirect enum PickleObject {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([PickleObject])
    case tuple([PickleObject])
    /// A `dict`, entries in order.
    case dict([(PickleObject, PickleObject)])
    /// A `collections.OrderedDict` with string keys (a state dict).
    case orderedDict([(String, PickleObject)])
    /// A contiguous CPU tensor: `torch._utils._rebuild_tensor_v2` of storage `storageKey`
    /// (`torch.FloatStorage` or `torch.LongStorage`, offset 0), `shape`, C-order strides,
    /// `requires_grad` False, no hooks.
    case tensor(storageKey: String, storageType: String, elementCount: Int, shape: [Int])
}

/// Pickle protocol 2 bytes of one object, as CPython's pickler writes them minus the memo
/// (`BINPUT`/`BINGET` are optional: unpicklers need them only for shared references).
package struct PickleWriter {
    package private(set) var bytes: [UInt8] = [0x80, 2]  // PROTO 2

    package init() {}

    /// The whole pickle of `object`, ending with STOP.
    package static func pickle(_ object: PickleObject) -> [UInt8] {
        var w = PickleWriter()
        w.write(object)
        w.bytes.append(0x2E)  // STOP '.'
        return w.bytes
    }

    private mutating func op(_ code: Character) { bytes.append(code.asciiValue!) }

    private mutating func global(_ module: String, _ name: String) {
        op("c")
        bytes += Array("\(module)\n\(name)\n".utf8)
    }

    private mutating func uint32(_ v: Int) {
        bytes += withUnsafeBytes(of: UInt32(v).littleEndian, Array.init)
    }

    private mutating func tupleOf(_ items: [PickleObject]) {
        switch items.count {
        case 0: op(")")  // EMPTY_TUPLE
        case 1...3:
            for item in items { write(item) }
            bytes.append([0x85, 0x86, 0x87][items.count - 1])  // TUPLE1/2/3
        default:
            op("(")  // MARK
            for item in items { write(item) }
            op("t")  // TUPLE
        }
    }

    mutating func write(_ object: PickleObject) {
        switch object {
        case .none: op("N")
        case .bool(let b): bytes.append(b ? 0x88 : 0x89)  // NEWTRUE / NEWFALSE
        case .int(let v):
            if v >= 0 && v < 256 {
                op("K")  // BININT1
                bytes.append(UInt8(v))
            } else if v >= 0 && v < 65536 {
                op("M")  // BININT2
                bytes += withUnsafeBytes(of: UInt16(v).littleEndian, Array.init)
            } else if v >= Int(Int32.min) && v <= Int(Int32.max) {
                op("J")  // BININT
                bytes += withUnsafeBytes(of: Int32(v).littleEndian, Array.init)
            } else {
                // LONG1: little-endian two's complement, shortest form (8 bytes suffice here).
                var le = withUnsafeBytes(of: Int64(v).littleEndian, Array.init)
                while le.count > 1
                    && ((le[le.count - 1] == 0 && le[le.count - 2] & 0x80 == 0) || (le[le.count - 1] == 0xFF && le[le.count - 2] & 0x80 != 0))
                {
                    le.removeLast()
                }
                bytes += [0x8A, UInt8(le.count)] + le
            }
        case .float(let d):
            op("G")  // BINFLOAT, big-endian
            bytes += withUnsafeBytes(of: d.bitPattern.bigEndian, Array.init)
        case .string(let s):
            let utf8 = Array(s.utf8)
            op("X")  // BINUNICODE
            uint32(utf8.count)
            bytes += utf8
        case .list(let items):
            op("]")  // EMPTY_LIST
            guard !items.isEmpty else { return }
            op("(")
            for item in items { write(item) }
            op("e")  // APPENDS
        case .tuple(let items): tupleOf(items)
        case .dict(let entries):
            op("}")  // EMPTY_DICT
            guard !entries.isEmpty else { return }
            op("(")
            for (k, v) in entries {
                write(k)
                write(v)
            }
            op("u")  // SETITEMS
        case .orderedDict(let entries):
            global("collections", "OrderedDict")
            op(")")
            op("R")  // REDUCE: OrderedDict()
            guard !entries.isEmpty else { return }
            op("(")
            for (k, v) in entries {
                write(.string(k))
                write(v)
            }
            op("u")
        case .tensor(let key, let storageType, let count, let shape):
            var strides = [Int](repeating: 1, count: shape.count)
            for i in stride(from: shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
            global("torch._utils", "_rebuild_tensor_v2")
            op("(")
            // The storage, by persistent id ('storage', type, key, location, numel).
            op("(")
            write(.string("storage"))
            global("torch", storageType)
            write(.string(key))
            write(.string("cpu"))
            write(.int(count))
            op("t")
            op("Q")  // BINPERSID
            write(.int(0))
            tupleOf(shape.map { .int($0) })
            tupleOf(strides.map { .int($0) })
            write(.bool(false))
            write(.orderedDict([]))
            op("t")
            op("R")
        }
    }
}
