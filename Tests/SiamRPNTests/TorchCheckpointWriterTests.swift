import Foundation
import Testing

@testable import SiamRPN

/// `TorchCheckpointWriter`: pysot training snapshots in torch.save's ZIP format. PyTorch 2.15's
/// `torch.load` (also with `weights_only=True`) read the file this test writes at dev time, with
/// every tensor equal (Tests/Fixtures/README.md section 29); here the package's reader, proven on
/// torch-written files, reads it back.
struct TorchCheckpointWriterTests {
    static func snapshot(from stateDict: StateDict) -> TorchCheckpointWriter.Value {
        let first = stateDict.entries[0]
        return .dict([
            (.string("epoch"), .object(.int(7))),
            (.string("state_dict"), TorchCheckpointWriter.stateDictValue(stateDict)),
            (
                .string("optimizer"),
                .dict([
                    (
                        .string("state"),
                        .dict([
                            (
                                .int(0),
                                .dict([(.string("momentum_buffer"), .tensor(.init(shape: first.shape, values: first.tensor.values.map { $0 * 0.5 })))]
                                )
                            )
                        ])
                    ),
                    (
                        .string("param_groups"),
                        .list([
                            .dict([
                                (.string("lr"), .object(.float(0.0010000000000000002))), (.string("momentum"), .object(.float(0.9))),
                                (.string("dampening"), .object(.int(0))), (.string("weight_decay"), .object(.float(0.0001))),
                                (.string("nesterov"), .object(.bool(false))), (.string("initial_lr"), .object(.float(0.005))),
                                (.string("params"), .object(.list((0..<stateDict.entries.count).map { .int($0) }))),
                                (.string("big"), .object(.int(-(1 << 40)))), (.string("none"), .object(.none)),
                                (.string("tuple"), .object(.tuple([.int(70000), .int(-2), .string("é")])))
                            ])
                        ])
                    )
                ])
            )
        ])
    }

    @Test func aWrittenSnapshotReadsBackWithEveryTensorAndTheEpoch() throws {
        let source = try TorchCheckpoint(contentsOf: Fixtures.url("checkpoints/small_snapshot.pth")).stateDict
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("snapshot-\(UUID().uuidString).pth")
        defer { try? FileManager.default.removeItem(at: url) }
        try TorchCheckpointWriter.write(Self.snapshot(from: source), to: url)

        let back = try TorchCheckpoint(contentsOf: url)
        #expect(back.format == .zip(archive: "archive") && back.formatVersion == 3)
        #expect(back.epoch == 7 && back.stateDictKey == "state_dict")
        #expect(back.stateDict.keys == source.keys)
        for e in source.entries {
            let b = try #require(back.stateDict[e.name])
            #expect(b.shape == e.shape && b.tensor.values == e.tensor.values, "\(e.name)")
            #expect(b.dtype == ([.float16, .bfloat16, .float32, .float64].contains(e.dtype) ? .float32 : .int64), "\(e.name) \(b.dtype)")
        }
        // Every storage starts at a multiple of 64 bytes, as torch.save aligns them.
        let bytes = [UInt8](try Data(contentsOf: url))
        let archive = try ZipArchive(bytes: bytes, source: url.path)
        for entry in archive.entries where entry.name.hasPrefix("archive/data/") {
            #expect(entry.dataRange.lowerBound % 64 == 0, "\(entry.name) at \(entry.dataRange.lowerBound)")
        }
    }

    @Test func picklesUseTheShortestIntegerForms() {
        #expect(PickleWriter.pickle(.int(255)) == [0x80, 2, 0x4B, 255, 0x2E])
        #expect(PickleWriter.pickle(.int(256)) == [0x80, 2, 0x4D, 0, 1, 0x2E])
        #expect(PickleWriter.pickle(.int(-1)) == [0x80, 2, 0x4A, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E])
        // pickle.dumps(2**40, 2) and pickle.dumps(-2**40, 2) (CPython 3.11)
        #expect(PickleWriter.pickle(.int(1 << 40)) == [0x80, 2, 0x8A, 6, 0, 0, 0, 0, 0, 1, 0x2E])
        #expect(PickleWriter.pickle(.int(-(1 << 40))) == [0x80, 2, 0x8A, 6, 0, 0, 0, 0, 0, 0xFF, 0x2E])
        // pickle.dumps(0.9, 2)
        #expect(PickleWriter.pickle(.float(0.9)) == [0x80, 2, 0x47, 0x3F, 0xEC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCD, 0x2E])
    }
}
