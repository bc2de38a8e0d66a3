/// numpy scalars in pickles, kept as inert data: what REDUCE makes of `numpy.core.multiarray.scalar`,
/// `numpy.dtype` and `_codecs.encode` (see `PickleGlobal`).
///
/// Mirrors numpy's pickling of scalars (a scalar reduces to `numpy.core.multiarray.scalar(dtype,
/// raw bytes)`, its dtype to `numpy.dtype(type string, align, copy)` plus a BUILD state)
/// and CPython's `Lib/pickle.py` `save_bytes`, which below protocol 3 writes `bytes` (here: a
/// scalar's raw bytes) as `_codecs.encode(latin-1 text, 'latin1')`. Training snapshots hold such
/// scalars (e.g. a best accuracy saved as `numpy.float64`).
enum NumpyPickleRules {
    /// `numpy.core.multiarray.scalar(dtype, raw bytes)`: a `NumpyScalar`.
    static func scalar(_ args: [PickleValue], at: Int, in context: inout PickleContext) throws -> PickleValue {
        guard args.count == 2, case .numpyDType(let dtype) = args[0] else {
            throw context.malformed("numpy scalar needs a dtype and its bytes", at: at)
        }
        let raw: [UInt8]
        switch args[1] {
        case .bytes(let b): raw = b
        case .string(let s): raw = try latin1(s, at: at, in: context)
        default: throw context.malformed("numpy scalar data is not bytes", at: at)
        }
        return try context.created(context.document.add(scalar: NumpyScalar(dtype: dtype, bytes: raw)))
    }

    /// `numpy.dtype(name, align, copy)`: the dtype by its type string.
    static func dtype(_ args: [PickleValue], at: Int, in context: PickleContext) throws -> PickleValue {
        guard (1...3).contains(args.count), case .string(let name) = args[0], name.utf8.count <= 16 else {
            throw context.malformed("numpy.dtype needs a short type name", at: at)
        }
        return .numpyDType(name)
    }

    /// `_codecs.encode(text, encoding)`: how protocol-2 pickles spell Python 3 bytes.
    static func codecsEncode(_ args: [PickleValue], at: Int, in context: inout PickleContext) throws -> PickleValue {
        guard args.count == 2, case .string(let text) = args[0], case .string(let encoding) = args[1] else {
            throw context.malformed("_codecs.encode needs a string and an encoding", at: at)
        }
        try context.charge(text.utf8.count)
        switch encoding.lowercased() {
        case "latin1", "latin-1", "iso-8859-1", "iso8859-1": return .bytes(try latin1(text, at: at, in: context))
        case "utf-8", "utf8": return .bytes(Array(text.utf8))
        case "ascii" where text.utf8.allSatisfy({ $0 < 0x80 }): return .bytes(Array(text.utf8))
        default: throw context.malformed("_codecs.encode with unsupported encoding '\(encoding.prefix(20))'", at: at)
        }
    }

    /// The Latin-1 bytes of `s` (each character one byte), as `str.encode('latin1')` gives them.
    private static func latin1(_ s: String, at: Int, in context: PickleContext) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            guard u.value < 256 else { throw context.malformed("character beyond Latin-1 in encoded bytes", at: at) }
            out.append(UInt8(u.value))
        }
        return out
    }
}
