import SiamNN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension StateDict.DType {
    /// Bytes per element in a storage.
    package var byteSize: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .float16, .bfloat16, .int16: return 2
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        }
    }

    /// Whether values of this type are floating point (float16, bfloat16, float32, float64).
    package var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: return true
        default: return false
        }
    }
}

/// A strided view of little-endian elements, as torch describes a tensor inside its storage.
///
/// Element `[i0, i1, ...]` lives at element index `offset + sum(i_k * strides[k])` of the storage,
/// i.e. at byte `base + that * dtype.byteSize` of the buffer.
struct StridedView {
    var dtype: StateDict.DType
    var offset: Int
    var shape: [Int]
    var strides: [Int]

    /// Number of elements, or nil if the shape is invalid or overflows.
    var count: Int? { checkedProduct(shape) }

    /// One past the largest storage element index the view touches (0 for an empty view), or nil on
    /// overflow or negative values.
    var extent: Int? {
        guard shape.count == strides.count, offset >= 0, let n = count else { return nil }
        if n == 0 { return 0 }
        var last = offset
        for (size, stride) in zip(shape, strides) {
            guard stride >= 0 else { return nil }
            let (step, o1) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, o2) = last.addingReportingOverflow(step)
            guard !o1, !o2 else { return nil }
            last = sum
        }
        return last == Int.max ? nil : last + 1
    }

    /// Whether the elements are consecutive in storage, in C order.
    var isContiguous: Bool {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() where size != 1 {
            if stride != expected { return false }
            expected *= size
        }
        return true
    }

    /// The view's elements in C order, converted to Float (float64 and int64 rounded to nearest,
    /// bool as 0/1). The caller must have checked that `base + extent * dtype.byteSize` lies
    /// inside `bytes`.
    func floats(from bytes: [UInt8], base: Int) -> [Float] {
        let n = count ?? 0
        guard n > 0 else { return [] }
        let size = dtype.byteSize
        precondition(base >= 0 && (extent ?? Int.max) <= (bytes.count - base) / size, "unchecked strided view")
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            bytes.withUnsafeBytes { raw in
                let start = raw.baseAddress! + base
                if isContiguous {
                    decodeRun(start + offset * size, dtype: dtype, count: n, stride: 1, into: out.baseAddress!)
                } else {
                    // Odometer over all but the last dimension; the last one is a strided run.
                    let rank = shape.count
                    let inner = shape[rank - 1]
                    let innerStride = strides[rank - 1]
                    var index = [Int](repeating: 0, count: rank - 1)
                    var position = offset
                    var written = 0
                    while written < n {
                        decodeRun(
                            start + position * size, dtype: dtype, count: inner, stride: innerStride,
                            into: out.baseAddress! + written)
                        written += inner
                        var d = rank - 2
                        while d >= 0 {
                            index[d] += 1
                            position += strides[d]
                            if index[d] < shape[d] { break }
                            position -= strides[d] * shape[d]
                            index[d] = 0
                            d -= 1
                        }
                    }
                }
            }
            initialized = n
        }
    }
}

/// Converts `count` elements, `stride` elements apart, starting at `source`, into `out`.
private func decodeRun(
    _ source: UnsafeRawPointer, dtype: StateDict.DType, count: Int, stride: Int,
    into out: UnsafeMutablePointer<Float>
) {
    let step = stride * dtype.byteSize
    switch dtype {
    case .float32:
        #if _endian(little)
            if stride == 1 {
                memcpy(out, source, count * 4)
                return
            }
        #endif
        for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * step, as: UInt32.self))) }
    case .float16:
        for i in 0..<count { out[i] = halfToFloat(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * step, as: UInt16.self))) }
    case .bfloat16:
        for i in 0..<count {
            out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * step, as: UInt16.self))) << 16)
        }
    case .float64:
        for i in 0..<count {
            out[i] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: i * step, as: UInt64.self))))
        }
    case .int64:
        for i in 0..<count { out[i] = Float(Int64(littleEndian: source.loadUnaligned(fromByteOffset: i * step, as: Int64.self))) }
    case .int32:
        for i in 0..<count { out[i] = Float(Int32(littleEndian: source.loadUnaligned(fromByteOffset: i * step, as: Int32.self))) }
    case .int16:
        for i in 0..<count { out[i] = Float(Int16(littleEndian: source.loadUnaligned(fromByteOffset: i * step, as: Int16.self))) }
    case .int8:
        for i in 0..<count { out[i] = Float(source.load(fromByteOffset: i * step, as: Int8.self)) }
    case .uint8:
        for i in 0..<count { out[i] = Float(source.load(fromByteOffset: i * step, as: UInt8.self)) }
    case .bool:
        for i in 0..<count { out[i] = source.load(fromByteOffset: i * step, as: UInt8.self) != 0 ? 1 : 0 }
    }
}
