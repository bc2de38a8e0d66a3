import Foundation
import Testing

@testable import SiamRPN

/// Damaged, truncated and hostile checkpoints fail with the specific `CheckpointError` case.
struct CheckpointBadInputTests {
    static func fixture(_ file: String) throws -> [UInt8] { [UInt8](try Fixtures.data("checkpoints/\(file)")) }

    static func load(_ bytes: [UInt8]) -> CheckpointError? {
        checkpointError { try StateDict.load(bytes: bytes, source: "test.pth") }
    }

    /// Cut points: every one of the first 64 bytes, 200 spread over the file, and the last 64.
    static func cutPoints(_ count: Int) -> [Int] {
        let spread = (0..<200).map { 1 + $0 * (count - 2) / 199 }
        return Array(Set(Array(1..<64) + spread + Array((count - 64)..<count))).filter { $0 > 0 && $0 < count }.sorted()
    }

    @Test(arguments: CheckpointTests.files)
    func fileCutAtAnyPointIsReportedAsTruncated(file: String) throws {
        let bytes = try Self.fixture(file)
        for cut in Self.cutPoints(bytes.count) {
            let error = Self.load(Array(bytes[..<cut]))
            #expect(error?.caseName == "truncated", "\(file) cut at \(cut): \(String(describing: error))")
            if error?.caseName != "truncated" { break }
        }
    }

    @Test func emptyFileIsReportedAsEmpty() throws {
        #expect(Self.load([])?.caseName == "empty")
        #expect(checkpointError { try Safetensors.decode([]) }?.caseName == "empty")
        #expect(checkpointError { try ZipArchive(bytes: []) }?.caseName == "empty")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).pth")
        try Data().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = checkpointError { try StateDict.load(contentsOf: url) }
        #expect(error == .empty(file: url.path))
        #expect(error?.description == "'\(url.path)' is empty (0 bytes), so it is not a checkpoint; download or save it again")
    }

    @Test func missingFileIsReportedAsUnreadable() {
        let error = checkpointError { try StateDict.load(contentsOf: URL(fileURLWithPath: "/nonexistent/model.pth")) }
        #expect(error?.caseName == "unreadable")
        #expect(error?.file == "/nonexistent/model.pth")
    }

    @Test func garbageBytesAreAnUnrecognizedFormat() {
        var rng = SplitMix64(seed: 7)
        for length in [1, 5, 100, 5000] {
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if bytes[0] == 0x80 || bytes[0] == 0x50 { bytes[0] = 0x41 }
            if length >= 9 { bytes[8] = 0x41 }
            #expect(Self.load(bytes)?.caseName == "unrecognizedFormat", "\(length) bytes")
        }
        let text = Array("<!DOCTYPE html><html>404 Not Found</html>".utf8)
        let error = Self.load(text)
        #expect(error == .unrecognizedFormat(file: "test.pth", leadingBytes: Array(text.prefix(16))))
        #expect(error?.description.contains("[3c 21 44 4f 43 54 59 50]") == true)
    }

    /// The brief's example: protocol 2, GLOBAL os.system, an argument, TUPLE1, REDUCE, STOP.
    static let osSystem: [UInt8] = [0x80, 0x02] + Array("cos\nsystem\n".utf8) + [0x58] + le32(5) + Array("touch".utf8) + [0x85, 0x52, 0x2E]

    @Test func pickleCallingOsSystemIsRejectedNamingTheGlobal() throws {
        // As a legacy stream (its first pickle) and as the data.pkl of a ZIP checkpoint.
        #expect(Self.load(Self.osSystem) == .forbiddenGlobal(file: "test.pth", name: "os.system"))
        #expect(Self.load(torchZip(pickle: Self.osSystem)) == .forbiddenGlobal(file: "test.pth", name: "os.system"))
        let error = Self.load(Self.osSystem)
        #expect(
            error?.description == "checkpoint pickle 'test.pth' calls the forbidden global 'os.system'; only state-dict "
                + "pickles are accepted (no code is ever executed), so save model.state_dict() rather than a whole object")
    }

    @Test(arguments: [
        ("builtins", "eval"), ("posix", "system"), ("subprocess", "Popen"), ("nt", "system"),
        ("torch.storage", "_load_from_bytes"), ("torch", "load"), ("__builtin__", "getattr"),
        ("collections", "defaultdict"), ("numpy", "load"), ("models.model_builder", "ModelBuilder")
    ])
    func globalsOutsideTheWhitelistAreRejectedBeforeAnythingElse(module: String, name: String) throws {
        // GLOBAL followed by an invalid opcode: the global must be refused before the reader gets there.
        var p = PickleBuilder()
        p.global(module, name)
        p.op(0xFF)
        #expect(Self.load(torchZip(pickle: p.bytes)) == .forbiddenGlobal(file: "test.pth", name: "\(module).\(name)"))
        // STACK_GLOBAL spelling (protocol 4).
        var q = PickleBuilder(protocol: 4)
        q.op(0x8C, [UInt8(module.utf8.count)] + Array(module.utf8))
        q.op(0x8C, [UInt8(name.utf8.count)] + Array(name.utf8))
        q.op(0x93)
        q.op(0xFF)
        #expect(Self.load(torchZip(pickle: q.bytes)) == .forbiddenGlobal(file: "test.pth", name: "\(module).\(name)"))
    }

    @Test func legacyStreamWithForbiddenGlobalInTheMainPickleIsRejected() throws {
        let legacy = try Self.fixture("small_legacy.pth")
        // Keep the magic, protocol and sys-info pickles (137 bytes), then a hostile main pickle.
        let hostile = Array(legacy[..<137]) + Self.osSystem
        #expect(Self.load(hostile) == .forbiddenGlobal(file: "test.pth", name: "os.system"))
        // Found by the libFuzzer harness: a protocol-version pickle that is a dict (was an index
        // out of range while describing it).
        let dictVersion = Array(legacy[..<15]) + [0x80, 0x02, 0x7D, 0x71, 0x00, 0x2E]
        let error = Self.load(dictVersion)
        #expect(error == .malformedCheckpoint(file: "test.pth", reason: "its legacy protocol version is dict of 0 entries, expected 1001"))
        // A plain pickle (not starting with torch's magic number) is not a checkpoint.
        var p = PickleBuilder()
        p.emptyDict()
        p.stop()
        #expect(Self.load(p.bytes)?.caseName == "malformedCheckpoint")
    }

    @Test func unsupportedOpcodesAreNamed() {
        // INST (protocol 0 class instantiation) would call a class; it is never accepted.
        let inst: [UInt8] = [0x28] + Array("ios\nsystem\n".utf8) + [0x2E]
        #expect(Self.load(torchZip(pickle: inst)) == .unsupportedOpcode(file: "test.pth", offset: 1, opcode: 0x69, name: "INST"))
        let ext: [UInt8] = [0x80, 0x02, 0x82, 0x01, 0x2E]
        #expect(Self.load(torchZip(pickle: ext)) == .unsupportedOpcode(file: "test.pth", offset: 2, opcode: 0x82, name: "EXT1"))
    }

    @Test func oversizedLengthFieldsFailWithoutAllocating() throws {
        // BINUNICODE claiming 4 GiB, BINUNICODE8 / BINBYTES8 claiming 2^62 bytes, LONG4 claiming 2 GiB.
        let claims: [[UInt8]] = [
            [0x80, 0x02, 0x58] + le32(0xFFFF_FFFF) + Array("abc".utf8),
            [0x80, 0x04, 0x8D] + le64(1 << 62) + Array("abc".utf8),
            [0x80, 0x04, 0x8E] + le64(1 << 62),
            [0x80, 0x02, 0x8B] + le32(0x7FFF_FFFF) + [1, 2, 3],
            [0x80, 0x04, 0x95] + le64(UInt64.max)
        ]
        for pickle in claims {
            // Inside a ZIP entry the pickle is complete, so it is malformed; as a legacy stream the file is short.
            #expect(Self.load(torchZip(pickle: pickle))?.caseName == "malformedPickle", "\(pickle.prefix(4))")
            #expect(Self.load(pickle)?.caseName == "truncated", "\(pickle.prefix(4))")
        }
        // A storage claiming 2^60 elements and a tensor view reaching past its storage.
        var p = PickleBuilder()
        p.emptyDict()
        p.string("w")
        p.tensor(key: "0", numel: 1 << 60, shape: [4], stride: [1])
        p.setItem()
        p.stop()
        #expect(Self.load(torchZip(pickle: p.bytes, storages: [("0", floatBytes([1, 2, 3, 4]))]))?.caseName == "malformedCheckpoint")
        var q = PickleBuilder()
        q.emptyDict()
        q.string("w")
        q.tensor(key: "0", numel: 4, offset: 1, shape: [2, 2], stride: [2, 1])
        q.setItem()
        q.stop()
        let outside = Self.load(torchZip(pickle: q.bytes, storages: [("0", floatBytes([1, 2, 3, 4]))]))
        #expect(outside?.caseName == "tensorOutOfBounds")
        #expect(outside?.description.hasPrefix("tensor 'w' in 'test.pth' reaches outside its storage") == true)
        // Overlapping views may repeat elements, but not without bound.
        var r = PickleBuilder()
        r.emptyDict()
        r.string("w")
        r.tensor(key: "0", numel: 4, shape: [1 << 20, 1 << 20], stride: [0, 0])
        r.setItem()
        r.stop()
        #expect(Self.load(torchZip(pickle: r.bytes, storages: [("0", floatBytes([1, 2, 3, 4]))]))?.caseName == "limitExceeded")
    }

    @Test func handCraftedCheckpointWithViewsLoadsWithTheRightValues() throws {
        // One storage of 6 floats; a transposed 2x3 view, a 2-element view at offset 4, and a scalar.
        var p = PickleBuilder()
        p.emptyDict()
        p.mark()
        p.string("t")
        p.tensor(key: "s", numel: 6, shape: [3, 2], stride: [1, 3])
        p.string("module.tail")
        p.tensor(key: "s", numel: 6, offset: 4, shape: [2], stride: [1])
        p.string("n")
        p.tensor(storage: "LongStorage", key: "n", numel: 1, shape: [], stride: [])
        p.setItems()
        p.stop()
        let checkpoint = try TorchCheckpoint(
            bytes: torchZip(
                pickle: p.bytes,
                storages: [
                    ("s", floatBytes([0, 1, 2, 3, 4, 5])), ("n", le64(UInt64(bitPattern: -3)))
                ]))
        let state = checkpoint.stateDict
        #expect(state.keys == ["t", "tail", "n"])
        #expect(checkpoint.removedModulePrefix)
        #expect(state["t"]?.tensor.values == [0, 3, 1, 4, 2, 5])
        #expect(state["tail"]?.tensor.values == [4, 5])
        #expect(state["n"]?.tensor.values == [-3] && state["n"]?.dtype == .int64)
        #expect(state.parameterCount == 8)
    }

    @Test func duplicateKeysAfterRemovingModulePrefixAreReported() throws {
        var p = PickleBuilder()
        p.emptyDict()
        p.mark()
        p.string("module.w")
        p.tensor(key: "0", numel: 1, shape: [1], stride: [1])
        p.string("w")
        p.tensor(key: "0", numel: 1, shape: [1], stride: [1])
        p.setItems()
        p.stop()
        #expect(Self.load(torchZip(pickle: p.bytes, storages: [("0", floatBytes([1]))])) == .duplicateKey(file: "test.pth", key: "w"))
    }

    @Test func dictsWithoutTensorsAreNotStateDicts() throws {
        var p = PickleBuilder()
        p.emptyDict()
        p.string("epoch")
        p.int(3)
        p.setItem()
        p.stop()
        let error = Self.load(torchZip(pickle: p.bytes))
        #expect(error?.caseName == "noStateDict")
        #expect(error?.description.contains("'epoch'") == true)
        var q = PickleBuilder()
        q.int(5)
        q.stop()
        #expect(Self.load(torchZip(pickle: q.bytes))?.caseName == "noStateDict")
        // A snapshot whose state_dict holds no tensors, and a bare dict with a tensor named "state_dict".
        var r = PickleBuilder()
        r.emptyDict()
        r.string("state_dict")
        r.emptyDict()
        r.setItem()
        r.string("w")
        r.tensor(key: "0", numel: 1, shape: [1], stride: [1])
        r.setItem()
        r.stop()
        let empty = Self.load(torchZip(pickle: r.bytes, storages: [("0", floatBytes([1]))]))
        #expect(empty == .noStateDict(file: "test.pth", found: "a 'state_dict' entry without tensors"))
        var t = PickleBuilder()
        t.emptyDict()
        t.string("state_dict")
        t.tensor(key: "0", numel: 1, shape: [1], stride: [1])
        t.setItem()
        t.stop()
        let bare = try TorchCheckpoint(bytes: torchZip(pickle: t.bytes, storages: [("0", floatBytes([2]))]))
        #expect(bare.stateDict.keys == ["state_dict"] && bare.stateDictKey == nil)
    }

    @Test func damagedZipStructuresAreReportedAsMalformedZip() throws {
        let good = try Self.fixture("small_zip.pth")
        let n = good.count
        // The file ends with: ZIP64 record (56) + locator (20) + end record (22).
        let eocd = n - 22
        let record = n - 22 - 20 - 56
        func patched(_ at: Int, _ bytes: [UInt8]) -> [UInt8] {
            var copy = good
            copy.replaceSubrange(at..<(at + bytes.count), with: bytes)
            return copy
        }
        let cases: [(String, [UInt8])] = [
            ("ZIP64 record offset beyond the file", patched(eocd - 20 + 8, le64(UInt64(n) * 2))),
            ("ZIP64 record offset of 2^63", patched(eocd - 20 + 8, le64(1 << 63))),
            ("central directory offset beyond the file", patched(record + 48, le64(UInt64(n) + 100))),
            ("central directory size of 2^62", patched(record + 40, le64(1 << 62))),
            ("2^60 entries", patched(record + 32, le64(1 << 60))),
            ("ZIP64 signature damaged", patched(record, [0, 0, 0, 0]))
        ]
        for (what, bytes) in cases {
            #expect(Self.load(bytes)?.caseName == "malformedZip", "\(what)")
        }
        // A local-header offset or entry size beyond the file, in a hand-built archive.
        var zip = ZipBuilder()
        zip.zip64 = false
        zip.add("archive/data.pkl", [0x80, 0x02, 0x7D, 0x2E])
        var bytes = zip.build()
        let central = bytes.count - 22 - (46 + "archive/data.pkl".utf8.count)
        var badOffset = bytes
        badOffset.replaceSubrange((central + 42)..<(central + 46), with: le32(0x7FFF_FFF0))
        #expect(Self.load(badOffset)?.caseName == "malformedZip")
        bytes.replaceSubrange((central + 20)..<(central + 28), with: le32(0xFFFF_FFF0) + le32(0xFFFF_FFF0))
        #expect(Self.load(bytes)?.caseName == "truncated")
    }

    @Test func corruptedStorageBytesFailTheirChecksum() throws {
        var bytes = try Self.fixture("small_zip.pth")
        let archive = try ZipArchive(bytes: bytes)
        let entry = try #require(archive.entry(named: "small_zip/data/0"))
        bytes[entry.dataRange.lowerBound + 100] ^= 0x01
        let error = Self.load(bytes)
        #expect(error?.caseName == "checksumMismatch")
        if case .checksumMismatch(_, let name, let recorded, _) = error {
            #expect(name == "small_zip/data/0" && recorded == entry.crc32)
        }
    }

    @Test func compressedEncryptedAndTorchScriptArchivesAreRefusedClearly() throws {
        var deflated = ZipBuilder()
        deflated.add("archive/data.pkl", [1, 2, 3], method: 8)
        let error = Self.load(deflated.build())
        #expect(error == .unsupportedZipEntry(file: "test.pth", entry: "archive/data.pkl", reason: "it is compressed with deflate (method 8)"))
        var script = ZipBuilder()
        script.add("model/data.pkl", [0x80, 0x02, 0x7D, 0x2E])
        script.add("model/constants.pkl", [0x80, 0x02, 0x29, 0x2E])
        #expect(Self.load(script.build()) == .torchScriptArchive(file: "test.pth"))
        var npz = ZipBuilder()
        npz.add("a.npy", [1, 2, 3])
        #expect(Self.load(npz.build()) == .missingEntry(file: "test.pth", entry: "<archive>/data.pkl"))
    }

    @Test func pathologicalPicklesHitTheReaderLimits() throws {
        // 5000 nested MARKs.
        let marks: [UInt8] = [0x80, 0x02] + [UInt8](repeating: 0x28, count: 5000) + [0x2E]
        #expect(Self.load(torchZip(pickle: marks))?.caseName == "limitExceeded")
        // One 1 MB string re-encoded to bytes 2000 times: quadratic work from a small pickle.
        var p = PickleBuilder()
        p.op(0x58, le32(1 << 20) + [UInt8](repeating: 0x41, count: 1 << 20))
        p.op(0x71, [1])  // BINPUT 1
        for _ in 0..<2000 {
            p.global("_codecs", "encode")
            p.op(0x68, [1])  // BINGET 1
            p.string("latin1")
            p.op(0x86)  // TUPLE2
            p.reduce()
            p.op(0x30)  // POP
        }
        p.stop()
        #expect(Self.load(torchZip(pickle: p.bytes))?.caseName == "limitExceeded")
        // Deep nesting of tuples is flat in memory and loads (then is rejected as not a state dict).
        var deep = PickleBuilder()
        deep.int(1)
        for _ in 0..<100_000 { deep.op(0x85) }  // TUPLE1
        deep.stop()
        #expect(Self.load(torchZip(pickle: deep.bytes))?.caseName == "noStateDict")
        // Memo reads before writes, stack underflow, SETITEM on a list.
        for bad: [UInt8] in [
            [0x80, 0x02, 0x68, 0x05, 0x2E], [0x80, 0x02, 0x85, 0x2E], [0x80, 0x02, 0x5D, 0x4B, 1, 0x4B, 2, 0x73, 0x2E],
            [0x80, 0x02, 0x2E], [0x80, 0x09, 0x2E]
        ] {
            #expect(Self.load(torchZip(pickle: bad))?.caseName == "malformedPickle", "\(bad)")
        }
    }

    @Test func wholeModulePicklesAskForAStateDict() throws {
        // torch.save(model) in the legacy format uses ('module', class, source_file, source) persistent ids.
        var p = PickleBuilder()
        p.mark()
        p.string("module")
        p.int(0)
        p.int(0)
        p.int(0)
        p.tuple()
        p.binPersId()
        p.stop()
        let error = Self.load(torchZip(pickle: p.bytes))
        #expect(error?.caseName == "malformedCheckpoint")
        #expect(error?.description.contains("save model.state_dict() instead") == true)
    }

    @Test func storagesOfUnsupportedTypesAreNamed() throws {
        var p = PickleBuilder()
        p.emptyDict()
        p.string("w")
        p.tensor(storage: "ComplexFloatStorage", key: "0", numel: 1, shape: [1], stride: [1])
        p.setItem()
        p.stop()
        #expect(Self.load(torchZip(pickle: p.bytes)) == .unsupportedDType(file: "test.pth", dtype: "torch.ComplexFloatStorage"))
    }

    @Test func everyErrorMessageIsOneSentenceNamingTheFile() {
        let errors: [CheckpointError] = [
            .unreadable(file: "m.pth", reason: "No such file"), .empty(file: "m.pth"),
            .unrecognizedFormat(file: "m.pth", leadingBytes: [1, 2]), .truncated(file: "m.pth", what: "x", needed: 10, size: 5),
            .truncated(file: "m.pth", what: "x", needed: nil, size: 5), .malformedZip(file: "m.pth", reason: "r"),
            .unsupportedZipEntry(file: "m.pth", entry: "e", reason: "r"), .missingEntry(file: "m.pth", entry: "e"),
            .checksumMismatch(file: "m.pth", entry: "e", recorded: 1, actual: 2), .malformedPickle(file: "m.pth", offset: 3, reason: "r"),
            .unsupportedOpcode(file: "m.pth", offset: 1, opcode: 0x69, name: "INST"), .forbiddenGlobal(file: "m.pth", name: "os.system"),
            .limitExceeded(file: "m.pth", what: "w", limit: 1), .malformedCheckpoint(file: "m.pth", reason: "r"),
            .unsupportedDType(file: "m.pth", dtype: "d"), .tensorOutOfBounds(file: "m.pth", tensor: "t", reason: "r"),
            .noStateDict(file: "m.pth", found: "f"), .duplicateKey(file: "m.pth", key: "k"), .torchScriptArchive(file: "m.pth"),
            .malformedSafetensors(file: "m.pth", reason: "r"), .unwritable(file: "m.pth", reason: "r")
        ]
        for e in errors {
            #expect(e.description.contains("'m.pth'"), "\(e)")
            #expect(e.file == "m.pth")
            #expect(!e.description.dropLast().contains(". "), "\(e)")
        }
        #expect(
            CheckpointError.truncated(file: "/x/model.pth", what: "entry 'a/data/0' (100 bytes at byte 1134)", needed: 1234, size: 1000)
                .description
                == "'/x/model.pth' is truncated: entry 'a/data/0' (100 bytes at byte 1134) needs 1234 bytes but the file has only 1000; download or save it again"
        )
    }
}
