import Foundation

/// An array in NumPy's `.npy` format (versions 1.0-3.0, C order, little-endian or byte-sized types).
///
/// Reading accepts `float16/32/64`, `uint8`, `int8`, `int32`, `int64` and `bool` and converts on
/// access; writing produces version 1.0 files of the array's own dtype (`init(_: Tensor)` makes
/// `float32` arrays, which is what `siamrpn forward` writes).
public struct NumPyArray: Sendable {
    /// Element types this reader understands, by NumPy `descr`.
    public enum DType: String, Sendable {
        case float16 = "<f2"
        case float32 = "<f4"
        case float64 = "<f8"
        case uint8 = "|u1"
        case int8 = "|i1"
        case int32 = "<i4"
        case int64 = "<i8"
        case bool = "|b1"

        public var byteSize: Int {
            switch self {
            case .uint8, .int8, .bool: return 1
            case .float16: return 2
            case .float32, .int32: return 4
            case .float64, .int64: return 8
            }
        }
    }

    public var shape: [Int]
    public var dtype: DType
    /// Raw little-endian element bytes, C order.
    public var data: [UInt8]

    public var count: Int { shape.reduce(1, *) }

    public init(shape: [Int], dtype: DType, data: [UInt8]) {
        self.shape = shape
        self.dtype = dtype
        self.data = data
    }

    /// A float32 array holding `tensor`.
    public init(_ tensor: Tensor) {
        shape = tensor.shape
        dtype = .float32
        data = tensor.values.withUnsafeBytes { Array($0) }
    }

    /// Elements converted to Double (exact for every supported dtype).
    public func doubles() -> [Double] {
        let n = count
        return data.withUnsafeBytes { raw -> [Double] in
            switch dtype {
            case .float64: return (0..<n).map { Double(bitPattern: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self).littleEndian) }
            case .float32: return (0..<n).map { Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian)) }
            case .float16: return (0..<n).map { Double(halfToFloat(raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian)) }
            case .uint8, .bool: return (0..<n).map { Double(raw[$0]) }
            case .int8: return (0..<n).map { Double(Int8(bitPattern: raw[$0])) }
            case .int32: return (0..<n).map { Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
            case .int64: return (0..<n).map { Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
            }
        }
    }

    /// Elements converted to Float (float64 values are rounded to nearest).
    public func floats() -> [Float] {
        if dtype == .float32 {
            return data.withUnsafeBytes { raw in
                (0..<count).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
            }
        }
        return doubles().map { Float($0) }
    }

    /// The array as a Float32 tensor of the same shape.
    public func tensor() -> Tensor { Tensor(shape: shape, values: floats()) }
}

/// Errors of `.npy` parsing; each says what is wrong with the file.
public enum NumPyError: Error, CustomStringConvertible, Equatable {
    case notNumPy(String)
    case unsupported(String)
    case truncated(expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .notNumPy(let why): return "not a NumPy .npy file: \(why)"
        case .unsupported(let what):
            return "unsupported .npy content: \(what) (expected a C-order array of float16/32/64, uint8, int8, int32, int64 or bool)"
        case .truncated(let e, let a): return "truncated .npy file: the header promises \(e) data bytes, the file has \(a)"
        }
    }
}

extension NumPyArray {
    /// Parses `.npy` bytes.
    public init(npyBytes bytes: [UInt8]) throws {
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw NumPyError.notNumPy("missing the \\x93NUMPY magic")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw NumPyError.notNumPy("header cut short") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw NumPyError.unsupported("format version \(major)")
        }
        guard headerStart + headerLength <= bytes.count else { throw NumPyError.notNumPy("header cut short") }
        guard let header = String(bytes: bytes[headerStart..<headerStart + headerLength], encoding: .utf8) else {
            throw NumPyError.notNumPy("header is not text")
        }
        func field(_ key: String) throws -> Substring {
            guard let r = header.range(of: "'\(key)':") else { throw NumPyError.notNumPy("header lacks '\(key)'") }
            return header[r.upperBound...].drop { $0 == " " }
        }
        let descrField = try field("descr")
        guard descrField.first == "'", let end = descrField.dropFirst().firstIndex(of: "'") else {
            throw NumPyError.notNumPy("bad descr")
        }
        var descr = String(descrField[descrField.index(after: descrField.startIndex)..<end])
        if descr == "<u1" || descr == "u1" { descr = "|u1" }
        if descr == "<i1" || descr == "i1" { descr = "|i1" }
        if descr == "<b1" { descr = "|b1" }
        guard let dtype = DType(rawValue: descr) else { throw NumPyError.unsupported("dtype '\(descr)'") }
        if try field("fortran_order").hasPrefix("True") { throw NumPyError.unsupported("Fortran order") }
        let shapeField = try field("shape")
        guard shapeField.first == "(", let close = shapeField.firstIndex(of: ")") else {
            throw NumPyError.notNumPy("bad shape")
        }
        let inner = shapeField[shapeField.index(after: shapeField.startIndex)..<close]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let v = Int(t), v >= 0, v < 1 << 40 else { throw NumPyError.notNumPy("bad shape entry '\(t)'") }
            shape.append(v)
        }
        var total = dtype.byteSize
        for d in shape {
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, p < 1 << 40 else { throw NumPyError.notNumPy("shape \(shape) is too large") }
            total = p
        }
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart >= total else {
            throw NumPyError.truncated(expected: total, actual: bytes.count - dataStart)
        }
        self.init(shape: shape, dtype: dtype, data: Array(bytes[dataStart..<dataStart + total]))
    }

    /// Reads a `.npy` file.
    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        try self.init(npyBytes: [UInt8](data))
    }

    /// The array in `.npy` version 1.0 format.
    public func npyBytes() -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': (\(dims)), }"
        // magic(6) + version(2) + length(2) + header + '\n' is padded to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let n = header.utf8.count
        out += [UInt8(n & 0xff), UInt8(n >> 8)]
        out += Array(header.utf8)
        out += data
        return out
    }

    /// Writes the array as a `.npy` file.
    public func write(to url: URL) throws {
        try Data(npyBytes()).write(to: url, options: .atomic)
    }
}

/// IEEE 754 half-precision bits to Float (exact).
@inlinable
public func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exponent = Int((h >> 10) & 0x1f)
    let mantissa = UInt32(h & 0x3ff)
    if exponent == 0 {
        // zero or subnormal: mantissa * 2^-24
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 31 {
        return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
    }
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
}
