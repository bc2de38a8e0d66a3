/// Little- and big-endian integer loads from byte arrays, shared by the checkpoint readers.
///
/// The `load*` functions do not check bounds themselves: callers validate every range first with
/// `fits(_:_:in:)`, which is overflow-safe for any `Int` inputs (hostile sizes included).
extension Array where Element == UInt8 {
    @inline(__always)
    func loadLE16(_ at: Int) -> UInt16 {
        UInt16(self[at]) | UInt16(self[at + 1]) << 8
    }

    @inline(__always)
    func loadLE32(_ at: Int) -> UInt32 {
        withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    }

    @inline(__always)
    func loadLE64(_ at: Int) -> UInt64 {
        withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
    }

    @inline(__always)
    func loadBE64(_ at: Int) -> UInt64 {
        withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
    }
}

/// Whether `length` bytes starting at `start` lie inside `0..<count` (false for negative inputs and on
/// overflow).
@inline(__always)
func fits(_ start: Int, _ length: Int, in count: Int) -> Bool {
    start >= 0 && length >= 0 && start <= count && length <= count - start
}

/// `values` multiplied together, or nil if a factor is negative or the product exceeds `limit`.
func checkedProduct(_ values: [Int], limit: Int = Int.max) -> Int? {
    var product = 1
    for v in values {
        guard v >= 0 else { return nil }
        let (p, overflow) = product.multipliedReportingOverflow(by: v)
        guard !overflow, p <= limit else { return nil }
        product = p
    }
    return product
}

/// A UInt64 read from a file as an Int, or nil if it does not fit.
@inline(__always)
func intValue(_ v: UInt64) -> Int? { v <= UInt64(Int.max) ? Int(v) : nil }
