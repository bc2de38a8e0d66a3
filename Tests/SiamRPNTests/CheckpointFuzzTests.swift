import Foundation
import Testing

@testable import SiamRPN

/// Seeded, deterministic mutation fuzzing of the checkpoint loaders: every mutated input must
/// either load or throw a `CheckpointError` — never crash, hang or throw anything else.
///
/// Inputs per run: 2,000 for each of the five torch fixtures and for a safetensors encoding of
/// small_zip (12,000 in all), plus 300 of NanoTrack's 3.5 MB snapshot (12,300). Each input applies
/// 1-4 mutations (bit flip, random byte, interesting 1/2/4/8-byte integer, insertion, deletion,
/// block duplication, truncation, pickle opcode), placed with a bias towards the structural bytes
/// (pickle, headers, ZIP directory at the end) rather than the bulk tensor data. For ZIP
/// checkpoints half of the inputs mutate the whole file and half mutate only `data.pkl` and
/// re-pack it with a correct CRC-32, so that the pickle reader is exercised rather than stopped
/// by the checksum. A typical run of small_zip.pth: 72 inputs load, the rest are rejected as
/// malformedZip 532, malformedPickle 523, unsupportedOpcode 374, truncated 270, checksumMismatch 181,
/// noStateDict 20, forbiddenGlobal 12, missingEntry 9, malformedCheckpoint 3, tensorOutOfBounds 3,
/// unrecognizedFormat 1.
struct CheckpointFuzzTests {
    static let interesting: [UInt64] = [
        0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF,
        0x8000_0000, 1 << 32, 1 << 62, UInt64(Int64.max), UInt64.max
    ]

    struct Outcome {
        var loaded = 0
        var rejected: [String: Int] = [:]
        var total: Int { loaded + rejected.values.reduce(0, +) }
    }

    /// Position for a mutation: 50% in the first 16 KiB, 25% in the last 4 KiB, 25% anywhere.
    static func position(_ count: Int, _ rng: inout SplitMix64) -> Int {
        guard count > 0 else { return 0 }
        switch Int.random(in: 0..<4, using: &rng) {
        case 0, 1: return Int.random(in: 0..<min(count, 16 << 10), using: &rng)
        case 2: return Int.random(in: max(0, count - (4 << 10))..<count, using: &rng)
        default: return Int.random(in: 0..<count, using: &rng)
        }
    }

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !bytes.isEmpty else { break }
            let p = position(bytes.count, &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: bytes[p] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1: bytes[p] = UInt8.random(in: 0...255, using: &rng)
            case 2:
                let width = [1, 2, 4, 8].randomElement(using: &rng)!
                let value = interesting.randomElement(using: &rng)! &+ UInt64.random(in: 0...2, using: &rng) &- 1
                for i in 0..<width where p + i < bytes.count { bytes[p + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            case 3: bytes.insert(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: p)
            case 4: bytes.removeSubrange(p..<min(bytes.count, p + Int.random(in: 1...16, using: &rng)))
            case 5:
                let source = position(bytes.count, &rng)
                let length = min(Int.random(in: 1...64, using: &rng), bytes.count - source)
                bytes.insert(contentsOf: bytes[source..<(source + length)], at: p)
            case 6: bytes.removeSubrange(p...)
            default:
                // Overwrite a byte with a pickle opcode, to reach the reader's less common paths.
                bytes[p] = [
                    0x28, 0x29, 0x2E, 0x30, 0x31, 0x32, 0x51, 0x52, 0x62, 0x63, 0x68, 0x71, 0x73, 0x74, 0x75,
                    0x7D, 0x81, 0x85, 0x8A, 0x8C, 0x93, 0x94, 0x95
                ].randomElement(using: &rng)!
            }
        }
        return bytes
    }

    /// Runs `inputs` mutated inputs; for ZIP checkpoints every other one mutates only the pickle.
    static func fuzz(_ seedInput: [UInt8], inputs: Int, seed: UInt64) throws -> Outcome {
        var rng = SplitMix64(seed: seed)
        var outcome = Outcome()
        let repack = try Repacker(seedInput)
        for i in 0..<inputs {
            let input = i % 2 == 1 && repack != nil ? repack!.build(mutate(repack!.pickle, &rng)) : mutate(seedInput, &rng)
            do {
                _ = try StateDict.load(bytes: input, source: "fuzz")
                outcome.loaded += 1
            } catch let error as CheckpointError {
                outcome.rejected[error.caseName, default: 0] += 1
            } catch {
                Issue.record("input \(i) (seed \(seed)) threw a non-CheckpointError: \(error)")
            }
        }
        return outcome
    }

    /// Rebuilds a torch ZIP checkpoint around a replacement `data.pkl` (other entries' CRCs cached).
    struct Repacker {
        var items: [ZipBuilder.Item]
        var pickleIndex: Int
        var pickle: [UInt8]

        /// Nil for inputs that are not torch ZIP checkpoints.
        init?(_ bytes: [UInt8]) throws {
            guard ZipArchive.hasSignature(bytes) else { return nil }
            let archive = try ZipArchive(bytes: bytes)
            items = try archive.entries.map {
                ZipBuilder.Item(name: $0.name, data: try archive.bytes(of: $0.name), crc: $0.crc32)
            }
            guard let index = items.firstIndex(where: { $0.name.hasSuffix("/data.pkl") }) else { return nil }
            pickleIndex = index
            pickle = items[index].data
        }

        func build(_ newPickle: [UInt8]) -> [UInt8] {
            var zip = ZipBuilder()
            zip.items = items
            zip.items[pickleIndex] = ZipBuilder.Item(name: items[pickleIndex].name, data: newPickle)
            return zip.build()
        }
    }

    @Test(arguments: zip(CheckpointTests.files, [101, 102, 103, 104, 105] as [UInt64]))
    func twoThousandMutationsOfEachTorchFixtureLoadOrThrowCheckpointError(file: String, seed: UInt64) throws {
        let outcome = try Self.fuzz([UInt8](try Fixtures.data("checkpoints/\(file)")), inputs: 2000, seed: seed)
        #expect(outcome.total == 2000)
        // The mutations must reach past the first checks: several kinds of rejection, some loads.
        #expect(outcome.rejected.count >= 3, "\(file): \(outcome)")
        #expect(outcome.loaded > 0, "\(file): \(outcome)")
    }

    @Test func twoThousandMutationsOfASafetensorsFileLoadOrThrowCheckpointError() throws {
        let state = try StateDict.load(contentsOf: Fixtures.url("checkpoints/small_zip.pth"))
        let outcome = try Self.fuzz(try Safetensors.encode(state, metadata: ["format": "pt"]), inputs: 2000, seed: 106)
        #expect(outcome.total == 2000)
        #expect(outcome.rejected.count >= 3, "\(outcome)")
    }

    @Test func threeHundredMutationsOfTheNanoTrackSnapshotLoadOrThrowCheckpointError() throws {
        let outcome = try Self.fuzz([UInt8](try Fixtures.data("weights/nanotrackv3.pth")), inputs: 300, seed: 107)
        #expect(outcome.total == 300)
    }
}
