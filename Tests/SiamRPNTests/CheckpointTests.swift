import Foundation
import Testing

@testable import SiamRPN

/// Loading the PyTorch checkpoints of `Tests/Fixtures/checkpoints/` (Tests/Fixtures/README.md
/// section 7) and NanoTrack's real training snapshot (`weights/nanotrackv3.pth`, section 1).
struct CheckpointTests {
    static let files = ["small_zip.pth", "small_legacy.pth", "small_snapshot.pth", "small_mixed.pth", "small_mixed_legacy.pth"]

    struct ExpectedKey {
        var key: String
        var dtype: String
        var shape: [Int]
        var stride: [Int]
        var storageOffset: Int
    }

    /// The key list `checkpoints.json` gives for `file`, in file order.
    static func expectedKeys(_ file: String) throws -> [ExpectedKey] {
        let json = try #require(try Fixtures.json("checkpoints/checkpoints.json") as? [String: Any])
        let files = try #require(json["files"] as? [String: Any])
        let entry = try #require(files[file] as? [String: Any])
        let keys = try #require(entry["keys"] as? [[String: Any]])
        return try keys.map {
            ExpectedKey(
                key: try #require($0["key"] as? String), dtype: try #require($0["dtype"] as? String),
                shape: try #require($0["shape"] as? [Int]), stride: try #require($0["stride"] as? [Int]),
                storageOffset: try #require($0["storage_offset"] as? Int))
        }
    }

    static func load(_ file: String) throws -> StateDict {
        try StateDict.load(contentsOf: Fixtures.url("checkpoints/\(file)"))
    }

    static func bits(_ s: StateDict, _ key: String) -> [UInt32] {
        (s[key]?.tensor.values ?? []).map(\.bitPattern)
    }

    @Test(arguments: files)
    func everyFixtureLoadsWithExactlyTheListedKeysShapesAndDTypes(file: String) throws {
        let state = try Self.load(file)
        let expected = try Self.expectedKeys(file)
        // Snapshot keys carry DataParallel's `module.` prefix in the file; the loader removes it.
        #expect(state.keys == expected.map { $0.key.hasPrefix("module.") ? String($0.key.dropFirst(7)) : $0.key })
        for (entry, want) in zip(state.entries, expected) {
            #expect(entry.shape == want.shape, "\(entry.name)")
            #expect(entry.dtype.rawValue == want.dtype, "\(entry.name)")
            #expect(entry.tensor.count == want.shape.reduce(1, *), "\(entry.name)")
        }
        // The 11 BatchNorm counters stay in the state dict, marked int64, with their value: 7 as
        // initialised, one or two more after the snapshot's training step (z and/or x passed through).
        let counters = state.entries.filter { $0.name.hasSuffix("num_batches_tracked") }
        #expect(counters.count == 11)
        let values: Set<Float> = file == "small_snapshot.pth" ? [8, 9] : [7]
        #expect(counters.allSatisfy { $0.dtype == .int64 && $0.shape == [] && values.contains($0.tensor.values[0]) })
    }

    @Test func zipAndLegacyFilesOfOneStateDictLoadBitForBit() throws {
        for (zipFile, legacyFile) in [("small_zip.pth", "small_legacy.pth"), ("small_mixed.pth", "small_mixed_legacy.pth")] {
            let a = try Self.load(zipFile)
            let b = try Self.load(legacyFile)
            #expect(a.keys == b.keys)
            for key in a.keys {
                #expect(a[key]?.dtype == b[key]?.dtype, "\(key)")
                #expect(a[key]?.shape == b[key]?.shape, "\(key)")
                #expect(Self.bits(a, key) == Self.bits(b, key), "\(zipFile) vs \(legacyFile): \(key)")
            }
        }
    }

    @Test func mixedDTypeViewAndStrideEntriesMatchTheFloat32StateDict() throws {
        let plain = try Self.load("small_zip.pth")
        let mixed = try Self.load("small_mixed.pth")
        #expect(mixed["backbone.features.0.weight"]?.dtype == .float16)
        #expect(mixed["backbone.features.1.running_var"]?.dtype == .float64)
        #expect(mixed["rpn_head.cls.head.3.weight"]?.dtype == .float64)
        for key in plain.keys where key != "backbone.features.0.weight" {
            // float64 entries hold the float32 values exactly; views, offsets and strides change nothing.
            #expect(Self.bits(mixed, key) == Self.bits(plain, key), "\(key)")
        }
        // The float16 entry is the float32 weight rounded to half precision.
        let half = try #require(mixed["backbone.features.0.weight"]).tensor.values
        let full = try #require(plain["backbone.features.0.weight"]).tensor.values
        #expect(half.count == full.count)
        #if !(os(macOS) && arch(x86_64))
            #expect(zip(half, full).allSatisfy { $0.bitPattern == Float(Float16($1)).bitPattern })
        #endif
        #expect(zip(half, full).contains { $0 != $1 })
    }

    /// Reads storages straight from the ZIP (no pickle reader) and indexes them with the strides
    /// and offsets `checkpoints.json` lists: element [i, j, ...] = storage[offset + sum(index * stride)].
    /// torch numbers storages in order of first use while pickling; the keys below are that order
    /// for small_mixed.pth (one storage fewer than tensors, as the two head.3 biases share one).
    @Test func stridedOffsetAndSharedEntriesEqualDirectStorageIndexing() throws {
        let archive = try ZipArchive(contentsOf: Fixtures.url("checkpoints/small_mixed.pth"))
        let state = try Self.load("small_mixed.pth")
        let expected = Dictionary(uniqueKeysWithValues: try Self.expectedKeys("small_mixed.pth").map { ($0.key, $0) })
        let storageOf = [
            "backbone.features.4.weight": "7", "backbone.features.11.weight": "21", "rpn_head.loc.head.3.weight": "73",
            "rpn_head.cls.head.3.bias": "54", "rpn_head.loc.head.3.bias": "54"
        ]
        for (key, storageKey) in storageOf {
            let raw = try archive.bytes(of: "small_mixed/data/\(storageKey)")
            let storage = stride(from: 0, to: raw.count, by: 4).map {
                Float(bitPattern: UInt32(raw[$0]) | UInt32(raw[$0 + 1]) << 8 | UInt32(raw[$0 + 2]) << 16 | UInt32(raw[$0 + 3]) << 24)
            }
            let info = try #require(expected[key])
            let loaded = try #require(state[key]).tensor
            #expect(loaded.shape == info.shape)
            var index = [Int](repeating: 0, count: info.shape.count)
            for flat in 0..<loaded.count {
                var rest = flat
                for d in stride(from: info.shape.count - 1, through: 0, by: -1) {
                    index[d] = rest % info.shape[d]
                    rest /= info.shape[d]
                }
                let position = info.storageOffset + zip(index, info.stride).reduce(0) { $0 + $1.0 * $1.1 }
                if loaded.values[flat].bitPattern != storage[position].bitPattern {
                    Issue.record("\(key)\(index): loaded \(loaded.values[flat]), storage[\(position)] = \(storage[position])")
                    break
                }
            }
        }
        // Spot values taken from the raw storages with numpy (fixture analysis), pinned here.
        #expect(state["rpn_head.loc.head.3.weight"]?.tensor.values[3 * 32 + 5] == 0.06684102)  // storage[3 + 5*20]
        #expect(state["backbone.features.11.weight"]?.tensor.values[1 * 684 + 2 * 9 + 0 * 3 + 1] == -0.011873847)  // storage[684+18+3]
        #expect(expected["backbone.features.11.weight"]?.stride == [684, 9, 1, 3])
        #expect(expected["rpn_head.loc.head.3.bias"]?.storageOffset == 10)
        #expect(expected["backbone.features.4.weight"]?.storageOffset == 7)
    }

    @Test func snapshotYieldsTheStateDictWithoutModulePrefixAndItsEpoch() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: Fixtures.url("checkpoints/small_snapshot.pth"))
        let plain = try Self.load("small_zip.pth")
        #expect(checkpoint.format == .zip(archive: "small_snapshot"))
        #expect(checkpoint.stateDictKey == "state_dict")
        #expect(checkpoint.removedModulePrefix)
        #expect(checkpoint.epoch == 3)
        #expect(checkpoint.formatVersion == 3)
        #expect(checkpoint.topLevel.map(\.key) == ["epoch", "state_dict", "optimizer"])
        #expect(checkpoint.topLevel.first?.summary == "3")
        #expect(checkpoint.stateDict.keys == plain.keys)
        #expect(checkpoint.stateDict.keys.allSatisfy { !$0.hasPrefix("module.") })
        for e in checkpoint.stateDict.entries {
            #expect(e.shape == plain[e.name]?.shape && e.dtype == plain[e.name]?.dtype, "\(e.name)")
        }
        // The snapshot's weights are the ones after one SGD step, so some differ from the initial ones.
        #expect(checkpoint.stateDict.keys.contains { Self.bits(checkpoint.stateDict, $0) != Self.bits(plain, $0) })
    }

    @Test func bareStateDictsReportTheirFormatAndNoSnapshotInfo() throws {
        let zip = try TorchCheckpoint(contentsOf: Fixtures.url("checkpoints/small_zip.pth"))
        #expect(zip.format == .zip(archive: "small_zip"))
        #expect(zip.stateDictKey == nil && zip.epoch == nil && zip.topLevel.isEmpty && !zip.removedModulePrefix)
        let legacy = try TorchCheckpoint(contentsOf: Fixtures.url("checkpoints/small_legacy.pth"))
        #expect(legacy.format == .legacy)
        #expect(legacy.formatVersion == nil)
    }

    /// NanoTrack v3's training snapshot keeps numpy scalars (`numpy.core.multiarray.scalar`,
    /// `numpy.dtype`, `_codecs.encode`) in its optimizer state; they are read as inert data.
    @Test func nanoTrackSnapshotWithNumpyScalarsLoadsItsModelWeights() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: Fixtures.url("weights/nanotrackv3.pth"))
        let state = checkpoint.stateDict
        #expect(checkpoint.format == .zip(archive: "archive"))
        #expect(checkpoint.epoch == 35)
        #expect(checkpoint.topLevel.map(\.key) == ["epoch", "state_dict", "optimizer"])

        // KEYS-nanotrackv3.txt (generated from the file with a torch-free script) lists every
        // state_dict key as "  key: [shape] FloatStorage|LongStorage".
        let listing = try String(contentsOf: Fixtures.url("weights/KEYS-nanotrackv3.txt"), encoding: .utf8)
        let lines = listing.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.hasSuffix("Storage") }
        #expect(lines.count == 438)
        #expect(state.keys.count == 438)
        for (entry, line) in zip(state.entries, lines) {
            let parts = line.dropFirst(2).components(separatedBy: ": ")
            #expect(entry.name == parts[0])
            let rest = parts[1]
            let shapeText = rest[rest.index(after: rest.startIndex)..<rest.firstIndex(of: "]")!]
            let shape = shapeText.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! }
            #expect(entry.shape == shape, "\(entry.name)")
            #expect(entry.dtype == (rest.hasSuffix("LongStorage") ? .int64 : .float32), "\(entry.name)")
        }
        #expect(state.parameterCount == 563_670)
        // First values of the first conv, read from the raw storage with numpy.
        let first = try #require(state["backbone.features.0.0.weight"]).tensor.values
        #expect(Array(first.prefix(3)) == [0.02255270816385746, -0.13862447440624237, -0.13804958760738373])
        #expect(abs(first.reduce(0.0) { $0 + Double($1) } - -8.413669345784001) < 1e-9)
        #expect(state["neck.downsample.1.running_var"]?.tensor.values.reduce(0, +) == 96)
        #expect(state.architectureGuess?.hasPrefix("NanoTrack v3") == true)
    }

    @Test func architectureGuessNamesThePysotModelOfAKeySet() throws {
        #expect(try Self.load("small_zip.pth").architectureGuess == "siamrpn_alex_dwxcorr (AlexNetLegacy + DepthwiseRPN)")
        let r50 = [
            "backbone.conv1.weight", "backbone.bn1.weight", "backbone.layer1.0.conv1.weight", "backbone.layer1.0.conv3.weight",
            "backbone.layer2.0.conv1.weight", "backbone.layer3.0.conv1.weight", "backbone.layer4.0.conv1.weight",
            "neck.downsample2.downsample.0.weight", "neck.downsample3.downsample.0.weight",
            "rpn_head.rpn2.cls.conv_kernel.0.weight", "rpn_head.cls_weight"
        ]
        #expect(architectureGuess(keys: r50) == "siamrpn_r50_l234_dwxcorr (ResNet-50 (layers 1234) + AdjustAllLayer + MultiRPN)")
        #expect(architectureGuess(keys: r50.map { "module." + $0 })?.hasPrefix("siamrpn_r50_l234_dwxcorr") == true)
        let mobile = [
            "backbone.layer0.0.weight", "backbone.layer1.0.conv.0.weight", "backbone.layer7.0.conv.0.weight",
            "neck.downsample2.downsample.0.weight", "rpn_head.rpn2.cls.conv_kernel.0.weight"
        ]
        #expect(architectureGuess(keys: mobile) == "siamrpn_mobilev2_l234_dwxcorr (MobileNetV2 + AdjustAllLayer + MultiRPN)")
        let mask = [
            "backbone.conv1.weight", "backbone.layer1.0.conv3.weight", "backbone.layer3.0.conv1.weight",
            "neck.downsample.0.weight", "rpn_head.cls.conv_kernel.0.weight", "mask_head.mask.conv_kernel.0.weight",
            "refine_head.v0.0.weight"
        ]
        #expect(architectureGuess(keys: mask)?.hasPrefix("siammask_r50_l3") == true)
        let upchannel = ["backbone.layer1.0.weight", "backbone.layer5.0.weight", "rpn_head.template_cls_conv.weight"]
        #expect(architectureGuess(keys: upchannel) == "pysot model (AlexNet + UPChannelRPN)")
        let imagenet = ["conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "layer1.0.conv3.weight", "fc.weight"]
        #expect(architectureGuess(keys: imagenet)?.hasPrefix("ImageNet ResNet-50") == true)
        #expect(architectureGuess(keys: ["encoder.weight", "decoder.bias"]) == nil)
    }

    @Test func formatIsDetectedByContentNotByFileName() throws {
        let zip = try Fixtures.data("checkpoints/small_zip.pth")
        let renamed = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString).safetensors")
        try zip.write(to: renamed)
        defer { try? FileManager.default.removeItem(at: renamed) }
        #expect(try StateDict.load(contentsOf: renamed).keys.count == 75)
        #expect(CheckpointFormat.detect([UInt8](zip)) == .torchZip)
        #expect(CheckpointFormat.detect([UInt8](try Fixtures.data("checkpoints/small_legacy.pth"))) == .torchLegacy)
        let safetensors = try Safetensors.encode(try Self.load("small_zip.pth"))
        #expect(CheckpointFormat.detect(safetensors) == .safetensors)
        #expect(CheckpointFormat.detect(Array("hello world".utf8)) == nil)
    }
}
