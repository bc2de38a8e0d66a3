import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// Reading and writing safetensors files.
struct SafetensorsTests {
    /// A safetensors file from a header text and a data buffer.
    static func file(_ header: String, _ data: [UInt8]) -> [UInt8] {
        le64(UInt64(header.utf8.count)) + Array(header.utf8) + data
    }

    static func decodeError(_ bytes: [UInt8]) -> CheckpointError? {
        checkpointError { try Safetensors.decode(bytes, source: "t.safetensors") }
    }

    @Test func smallZipRoundTripsWithIdenticalKeysShapesAndBits() throws {
        let original = try StateDict.load(contentsOf: Fixtures.url("checkpoints/small_zip.pth"))
        let bytes = try Safetensors.encode(original, metadata: ["format": "pt", "source": "small_zip.pth"])
        let headerLength = Int(bytes.loadLE64(0))
        #expect((8 + headerLength) % 8 == 0)
        #expect(bytes[8 + headerLength - 1] == 0x20 || bytes[8 + headerLength - 1] == UInt8(ascii: "}"))

        let read = try Safetensors.decode(bytes)
        #expect(read.metadata == ["format": "pt", "source": "small_zip.pth"])
        // Keys come back in data order, which is sorted key order.
        #expect(read.stateDict.keys == original.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(Set(read.stateDict.keys) == Set(original.keys))
        for entry in original.entries {
            let back = try #require(read.stateDict[entry.name])
            #expect(back.shape == entry.shape, "\(entry.name)")
            #expect(back.dtype == entry.dtype, "\(entry.name)")  // float32 stays F32, int64 counters I64
            #expect(back.tensor.values.map(\.bitPattern) == entry.tensor.values.map(\.bitPattern), "\(entry.name)")
        }
        // Through a file and the format-sniffing loader too.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        try Safetensors.write(original, to: url)
        let loaded = try StateDict.load(contentsOf: url)
        #expect(loaded.keys.count == original.keys.count)
        #expect(loaded["backbone.features.0.weight"]?.tensor == original["backbone.features.0.weight"]?.tensor)
    }

    @Test func handMadeFileWithHalfBFloatDoubleAndIntegerEntriesReadsExactly() throws {
        // F16 [1.5, -2, 65504] = 0x3E00 0xC000 0x7BFF; BF16 [1.0] = 0x3F80; F64 [0.1]; I64 [7, -9];
        // U8 [255]; BOOL [1, 0]. Header with a metadata object, unsorted members and padding spaces.
        var data: [UInt8] = []
        data += le16(0x3E00) + le16(0xC000) + le16(0x7BFF)  // 0..<6
        data += le16(0x3F80)  // 6..<8
        data += le64((0.1 as Double).bitPattern)  // 8..<16
        data += le64(7) + le64(UInt64(bitPattern: -9))  // 16..<32
        data += [255]  // 32..<33
        data += [1, 0]  // 33..<35
        let header = """
            {"i":{"dtype":"I64","shape":[2],"data_offsets":[16,32]}, "__metadata__":{"note":"h\\u00e9"},
             "h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[],"data_offsets":[6,8]},
             "d":{"dtype":"F64","shape":[1,1],"data_offsets":[8,16]},"u":{"dtype":"U8","shape":[1],"data_offsets":[32,33]},
             "z":{"dtype":"BOOL","shape":[2],"data_offsets":[33,35]}}   \("")
            """
        let read = try Safetensors.decode(Self.file(header, data))
        let s = read.stateDict
        #expect(read.metadata == ["note": "hé"])
        #expect(s.keys == ["h", "b", "d", "i", "u", "z"])  // data order
        #expect(s["h"]?.dtype == .float16 && s["h"]?.tensor.values == [1.5, -2, 65504])
        #expect(s["b"]?.dtype == .bfloat16 && s["b"]?.shape == [] && s["b"]?.tensor.values == [1])
        #expect(s["d"]?.dtype == .float64 && s["d"]?.shape == [1, 1] && s["d"]?.tensor.values == [Float(0.1 as Double)])
        #expect(s["i"]?.dtype == .int64 && s["i"]?.tensor.values == [7, -9])
        #expect(s["u"]?.tensor.values == [255] && s["z"]?.tensor.values == [1, 0] && s["z"]?.dtype == .bool)
        // Written back: floats as F32, integers in their own type.
        let again = try Safetensors.decode(try Safetensors.encode(s)).stateDict
        #expect(again["h"]?.dtype == .float32 && again["h"]?.tensor.values == [1.5, -2, 65504])
        #expect(again["i"]?.dtype == .int64 && again["i"]?.tensor.values == [7, -9])
        #expect(again["z"]?.dtype == .bool && again["u"]?.dtype == .uint8)
    }

    @Test func headerLongerThanTheFileIsTruncated() {
        let bytes = le64(1000) + Array("{\"a\":1}".utf8)
        #expect(Self.decodeError(bytes) == .truncated(file: "t.safetensors", what: "the safetensors header (1000 bytes)", needed: 1008, size: 15))
        // Through the sniffing loader as well (the '{' at byte 8 identifies the format).
        #expect(checkpointError { try StateDict.load(bytes: bytes) }?.caseName == "truncated")
        #expect(Self.decodeError(le64(1 << 40) + Array("{}".utf8))?.caseName == "malformedSafetensors")
        #expect(Self.decodeError(le64(UInt64.max) + Array("{}".utf8))?.caseName == "malformedSafetensors")
        #expect(Self.decodeError([1, 2, 3])?.caseName == "truncated")
    }

    @Test func dataOffsetsMustTileTheBufferExactly() {
        func entry(_ name: String, _ shape: String, _ begin: Int, _ end: Int, dtype: String = "F32") -> String {
            "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(end)]}"
        }
        let eight = [UInt8](repeating: 0, count: 8)
        let cases: [(String, String, [UInt8], String)] = [
            ("gap", "{\(entry("a", "[1]", 0, 4)),\(entry("b", "[1]", 8, 12))}", eight + [0, 0, 0, 0], "malformedSafetensors"),
            ("overlap", "{\(entry("a", "[2]", 0, 8)),\(entry("b", "[1]", 4, 8))}", eight, "malformedSafetensors"),
            ("past the end", "{\(entry("a", "[4]", 0, 16))}", eight, "truncated"),
            ("trailing bytes", "{\(entry("a", "[1]", 0, 4))}", eight, "malformedSafetensors"),
            ("size vs shape", "{\(entry("a", "[3]", 0, 8))}", eight, "malformedSafetensors"),
            ("begin after end", "{\(entry("a", "[0]", 8, 0))}", eight, "malformedSafetensors"),
            ("negative offset", "{\(entry("a", "[1]", -4, 0))}", eight, "malformedSafetensors"),
            ("overflowing shape", "{\(entry("a", "[4294967296,4294967296,16]", 0, 8))}", eight, "malformedSafetensors"),
            ("unknown dtype", "{\(entry("a", "[2]", 0, 8, dtype: "F8_E4M3"))}", eight, "unsupportedDType"),
            ("duplicate key", "{\(entry("a", "[1]", 0, 4)),\(entry("a", "[1]", 4, 8))}", eight, "malformedSafetensors"),
            ("not JSON", "{\"a\":", eight, "malformedSafetensors"),
            ("not an object", "{}[]", [], "malformedSafetensors"),
            ("metadata not strings", "{\"__metadata__\":{\"a\":1}}", [], "malformedSafetensors"),
            ("nesting bomb", "{\"a\":" + String(repeating: "[", count: 100_000), [], "malformedSafetensors"),
            ("fractional shape", "{\(entry("a", "[1.5]", 0, 4))}", [0, 0, 0, 0], "malformedSafetensors")
        ]
        for (what, header, data, expected) in cases {
            #expect(Self.decodeError(Self.file(header, data))?.caseName == expected, "\(what)")
        }
        // Empty tensors may sit anywhere in the tiling; an empty file with an empty header is valid.
        #expect(throws: Never.self) { try Safetensors.decode(Self.file("{\(entry("e", "[0,3]", 4, 4)),\(entry("a", "[1]", 0, 4))}", [0, 0, 0, 0])) }
        #expect((try? Safetensors.decode(Self.file("{}", [])))?.stateDict.keys == [])
    }

    @Test func integerEntriesWithNonIntegralValuesCannotBeWritten() {
        let state = StateDict([.init(name: "n", dtype: .int64, tensor: Tensor(shape: [1], values: [1.5]))])
        #expect(checkpointError { try Safetensors.encode(state) }?.caseName == "unwritable")
        let bad = StateDict([.init(name: "__metadata__", dtype: .float32, tensor: Tensor(shape: [1], values: [1]))])
        #expect(checkpointError { try Safetensors.encode(bad) }?.caseName == "unwritable")
        let nan = StateDict([.init(name: "b", dtype: .uint8, tensor: Tensor(shape: [1], values: [.nan]))])
        #expect(checkpointError { try Safetensors.encode(nan) }?.caseName == "unwritable")
    }

    @Test func keysNeedingJSONEscapesRoundTrip() throws {
        let names = ["a\"b", "back\\slash", "tab\tnew\nline", "ünï", "\u{1}"]
        let state = StateDict(names.map { .init(name: $0, dtype: .float32, tensor: Tensor(shape: [1], values: [1])) })
        let back = try Safetensors.decode(try Safetensors.encode(state)).stateDict
        #expect(Set(back.keys) == Set(names))
    }
}
