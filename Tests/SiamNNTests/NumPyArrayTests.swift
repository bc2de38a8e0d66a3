import Foundation
import Testing

@testable import SiamNN

/// `.npy` files must round-trip and hostile headers must be refused with a reason.
struct NumPyArrayTests {
    @Test func float32ArrayRoundTripsThroughNpyBytes() throws {
        let t = Tensor(shape: [2, 3], values: [1, -2, 3.5, 0, .greatestFiniteMagnitude, -0.25])
        let bytes = NumPyArray(t).npyBytes()
        #expect(bytes.count % 64 == (6 * 4) % 64, "header padded to a multiple of 64")
        let back = try NumPyArray(npyBytes: bytes)
        #expect(back.shape == [2, 3] && back.dtype == .float32)
        #expect(back.tensor() == t)
    }

    @Test func halfPrecisionValuesConvertExactly() {
        #expect(halfToFloat(0x3c00) == 1)
        #expect(halfToFloat(0xc000) == -2)
        #expect(halfToFloat(0x0001) == 0x1p-24)
        #expect(halfToFloat(0x7bff) == 65504)
        #expect(halfToFloat(0x7c00) == .infinity)
    }

    @Test func malformedFilesAreRejectedWithAReason() {
        #expect(throws: NumPyError.notNumPy("missing the \\x93NUMPY magic")) { try NumPyArray(npyBytes: Array("hello world".utf8)) }
        var truncated = NumPyArray(Tensor(shape: [4], values: [1, 2, 3, 4])).npyBytes()
        truncated.removeLast(3)
        #expect(throws: NumPyError.truncated(expected: 16, actual: 13)) { try NumPyArray(npyBytes: truncated) }
        let header = "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }"
        let complex = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + [UInt8](repeating: 0, count: 8)
        #expect(throws: NumPyError.unsupported("dtype '<c8'")) { try NumPyArray(npyBytes: complex) }
        let huge = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 1000000000000), }"
        let hugeBytes = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(huge.utf8.count), 0] + Array(huge.utf8)
        #expect(throws: NumPyError.self) { try NumPyArray(npyBytes: hugeBytes) }
    }
}
