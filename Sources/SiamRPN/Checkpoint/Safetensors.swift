import Foundation
import SiamNN

/// Reading and writing the safetensors format (huggingface/safetensors).
///
/// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data buffer.
/// The JSON object maps each tensor name to `{"dtype": "F32", "shape": [..], "data_offsets": [b, e]}`
/// with byte offsets relative to the start of the data buffer, plus an optional `"__metadata__"`
/// object of string values. Tensor data is C order, little-endian.
///
/// Reading accepts dtypes F16, BF16, F32, F64, I64, I32, I16, I8, U8 and BOOL (values become
/// Float as in `StateDict`) and validates strictly, like the reference implementation: the header
/// must fit in the file and be at most 100 MiB, start with `{`, be valid JSON without duplicate
/// names; each `e - b` must equal the shape's element count times the dtype size; and the tensors'
/// ranges, sorted, must tile the data buffer exactly (no gaps, no overlap, nothing after). Entries
/// come out in data order.
///
/// Writing stores floating-point entries as F32 and integer/bool entries in their own dtype (I64,
/// I32, I16, I8, U8, BOOL; values must be integral and in range), tensors in sorted key order
/// (byte-wise UTF-8, as Python sorts), the header padded with spaces to a multiple of 8 bytes so
/// that the data buffer starts 8-byte aligned.
public enum Safetensors {
    /// What a safetensors file holds.
    public struct Contents: Sendable {
        public var stateDict: StateDict
        /// The `__metadata__` strings (empty if the file has none).
        public var metadata: [String: String]
    }

    /// The largest header accepted (the reference implementation's limit).
    public static let maxHeaderLength = 100 << 20

    /// Whether `bytes` start like a safetensors file: a header length below 2^32 followed by `{`.
    public static func hasSignature(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 9, bytes[8] == UInt8(ascii: "{") else { return false }
        return bytes.loadLE64(0) < 1 << 32
    }

    /// Reads the safetensors file at `url`.
    public static func read(contentsOf url: URL) throws -> Contents {
        try decode(readFileBytes(url), source: url.path)
    }

    /// Parses safetensors bytes; `source` names them in errors.
    public static func decode(_ bytes: [UInt8], source: String = "<memory>") throws -> Contents {
        func invalid(_ reason: String) -> CheckpointError { .malformedSafetensors(file: source, reason: reason) }
        guard !bytes.isEmpty else { throw CheckpointError.empty(file: source) }
        guard bytes.count >= 8 else {
            throw CheckpointError.truncated(file: source, what: "the safetensors header length", needed: 8, size: bytes.count)
        }
        let declared = bytes.loadLE64(0)
        guard declared <= UInt64(maxHeaderLength) else {
            throw invalid("its header length \(declared) exceeds the \(maxHeaderLength)-byte limit")
        }
        let headerLength = Int(declared)
        guard fits(8, headerLength, in: bytes.count) else {
            throw CheckpointError.truncated(
                file: source, what: "the safetensors header (\(headerLength) bytes)",
                needed: 8 + headerLength, size: bytes.count)
        }
        guard headerLength >= 2, bytes[8] == UInt8(ascii: "{") else { throw invalid("its header does not start with '{'") }
        let header: JSONValue
        do {
            header = try JSONValue.parse(bytes, 8..<(8 + headerLength))
        } catch let e as JSONParseError {
            throw invalid("its header is not valid JSON (\(e.reason) at header byte \(e.offset))")
        }
        guard case .object(let members) = header else { throw invalid("its header is not a JSON object") }

        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        struct Item {
            var name: String
            var dtype: StateDict.DType
            var shape: [Int]
            var begin: Int
            var end: Int
        }
        var items: [Item] = []
        items.reserveCapacity(members.count)
        for member in members {
            if member.name == "__metadata__" {
                guard case .object(let pairs) = member.value else { throw invalid("'__metadata__' is not an object") }
                for pair in pairs {
                    guard case .string(let s) = pair.value else { throw invalid("metadata '\(pair.name)' is not a string") }
                    metadata[pair.name] = s
                }
                continue
            }
            let name = member.name
            guard case .string(let dtypeName)? = member.value["dtype"] else { throw invalid("tensor '\(name)' has no dtype") }
            guard let dtype = dtypes[dtypeName] else {
                throw CheckpointError.unsupportedDType(file: source, dtype: String(dtypeName.prefix(32)))
            }
            guard case .array(let shapeValues)? = member.value["shape"], shapeValues.count <= 64 else {
                throw invalid("tensor '\(name)' has no shape list")
            }
            var shape: [Int] = []
            for v in shapeValues {
                guard case .integer(let d) = v, d >= 0 else { throw invalid("tensor '\(name)' has a bad dimension in its shape") }
                shape.append(d)
            }
            guard case .array(let offsets)? = member.value["data_offsets"], offsets.count == 2,
                case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1], begin >= 0, begin <= end
            else {
                throw invalid("tensor '\(name)' has bad data_offsets")
            }
            guard let count = checkedProduct(shape), count.multipliedReportingOverflow(by: dtype.byteSize).overflow == false,
                count * dtype.byteSize == end - begin
            else {
                throw invalid("tensor '\(name)' has shape \(shape.prefix(8)) of \(dtypeName) but \(end - begin) data bytes")
            }
            items.append(Item(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        // The ranges must tile the data buffer: sorted by start, each begins where the previous ends.
        items.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expected = 0
        for item in items {
            guard item.begin == expected else {
                throw invalid(
                    item.begin < expected
                        ? "tensor '\(item.name)' overlaps the previous tensor"
                        : "there are unused bytes before tensor '\(item.name)'")
            }
            expected = item.end
        }
        guard expected <= dataLength else {
            throw CheckpointError.truncated(file: source, what: "the safetensors data", needed: dataStart + expected, size: bytes.count)
        }
        guard expected == dataLength else {
            throw invalid("its last \(dataLength - expected) bytes belong to no tensor")
        }

        var entries: [StateDict.Entry] = []
        entries.reserveCapacity(items.count)
        for item in items {
            let view = StridedView(dtype: item.dtype, offset: 0, shape: item.shape, strides: contiguousStrides(item.shape))
            let values = view.floats(from: bytes, base: dataStart + item.begin)
            entries.append(StateDict.Entry(name: item.name, dtype: item.dtype, tensor: Tensor(shape: item.shape, values: values)))
        }
        return Contents(stateDict: StateDict(entries), metadata: metadata)
    }

    /// The safetensors encoding of `stateDict` (see the type's documentation for the layout).
    public static func encode(
        _ stateDict: StateDict, metadata: [String: String] = [:],
        destination: String = "<memory>"
    ) throws -> [UInt8] {
        let sorted = stateDict.entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        var header = "{"
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { jsonQuoted($0.key) + ":" + jsonQuoted($0.value) }
            members.append(jsonQuoted("__metadata__") + ":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in sorted {
            guard entry.name != "__metadata__" else {
                throw CheckpointError.unwritable(file: destination, reason: "a tensor may not be called '__metadata__' in safetensors")
            }
            let (name, size) = storedType(entry.dtype)
            let length = entry.tensor.count * size
            let shape = entry.shape.map(String.init).joined(separator: ",")
            members.append(jsonQuoted(entry.name) + ":{\"dtype\":\"\(name)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + length)]}")
            offset += length
        }
        header += members.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8)

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out += $0 }
        out += headerBytes
        for entry in sorted {
            let values = entry.tensor.values
            switch entry.dtype {
            case .float16, .bfloat16, .float32, .float64:
                #if _endian(little)
                    values.withUnsafeBytes { out += $0 }
                #else
                    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
                #endif
            case .bool:
                for v in values { out.append(try integral(v, entry, min: 0, max: 1) != 0 ? 1 : 0) }
            case .uint8:
                for v in values { out.append(UInt8(try integral(v, entry, min: 0, max: 255))) }
            case .int8:
                for v in values { out.append(UInt8(bitPattern: Int8(try integral(v, entry, min: -128, max: 127)))) }
            case .int16:
                for v in values {
                    withUnsafeBytes(of: Int16(try integral(v, entry, min: Int64(Int16.min), max: Int64(Int16.max))).littleEndian) { out += $0 }
                }
            case .int32:
                for v in values {
                    withUnsafeBytes(of: Int32(try integral(v, entry, min: Int64(Int32.min), max: Int64(Int32.max))).littleEndian) { out += $0 }
                }
            case .int64:
                for v in values { withUnsafeBytes(of: try integral(v, entry, min: Int64.min, max: Int64.max).littleEndian) { out += $0 } }
            }
        }
        return out

        func integral(_ v: Float, _ entry: StateDict.Entry, min: Int64, max: Int64) throws -> Int64 {
            guard let i = Int64(exactly: v), i >= min, i <= max else {
                throw CheckpointError.unwritable(
                    file: destination,
                    reason: "entry '\(entry.name)' is \(entry.dtype.rawValue) but holds the value \(v); convert it to a float dtype first")
            }
            return i
        }
    }

    /// Writes `stateDict` to `url` in safetensors format (atomically).
    public static func write(_ stateDict: StateDict, to url: URL, metadata: [String: String] = [:]) throws {
        let bytes = try encode(stateDict, metadata: metadata, destination: url.path)
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw CheckpointError.unwritable(file: url.path, reason: describeFileError(error))
        }
    }

    /// safetensors dtype names this reader accepts.
    static let dtypes: [String: StateDict.DType] = [
        "F16": .float16, "BF16": .bfloat16, "F32": .float32, "F64": .float64, "I64": .int64, "I32": .int32,
        "I16": .int16, "I8": .int8, "U8": .uint8, "BOOL": .bool
    ]

    /// The dtype name and element size an entry is written with.
    static func storedType(_ dtype: StateDict.DType) -> (String, Int) {
        switch dtype {
        case .float16, .bfloat16, .float32, .float64: return ("F32", 4)
        case .int64: return ("I64", 8)
        case .int32: return ("I32", 4)
        case .int16: return ("I16", 2)
        case .int8: return ("I8", 1)
        case .uint8: return ("U8", 1)
        case .bool: return ("BOOL", 1)
        }
    }
}

/// C-order strides (in elements) of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = s
        s = s.multipliedReportingOverflow(by: Swift.max(shape[i], 1)).partialValue
    }
    return strides
}
