import Foundation
import SiamNN
import Testing

@testable import SiamRPN
@testable import SiamTrain

/// `siamrpn train` against pysot's own trainer (Tests/Fixtures/README.md section 34): pysot's
/// `tools/train.py` ran the same configs on CPU over `trk_dataset/` for 3 epochs of 2 iterations
/// (the small AlexNet; backbone frozen throughout, and with `TRAIN_EPOCH 1` and `TRAIN_LAYERS
/// [layer4, layer5]` unfrozen after the first epoch). Its logged losses and lrs and its final
/// weights must be ours within float32 summation noise (measured: losses 2e-6 relative, weights
/// 3.9e-5 absolute on a BatchNorm running variance of magnitude ~10; tolerances 4x). Also: an
/// interrupted run resumed from its snapshot ends bit-identical to an uninterrupted one, pysot's
/// own snapshot is read, bad input is one error line.
@Suite struct TrainCommandTests {
    static let fixtures = TrainFixtures.fixtures
    static let data = fixtures.appendingPathComponent("trk_dataset")
    static let run = fixtures.appendingPathComponent("train_run")

    /// Runs `siamrpn arguments` and kills it (SIGKILL: nothing gets to clean up) once `file`
    /// exists; expects it to have been killed, not to have finished.
    static func killTraining(_ arguments: [String], once file: URL) throws {
        let process = Process()
        process.executableURL = PrepareCommandTests.binary()
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: file.path) && process.isRunning && Date() < deadline { usleep(2000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
    }

    static func temporary() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("train-\(UUID().uuidString)")
    }

    static func train(config: URL, output: URL, pretrained: URL?, extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        var arguments = ["train", "--cfg", config.path, "--data-root", data.path, "--output", output.path, "--threads", "1"]
        if let pretrained { arguments += ["--pretrained", pretrained.path] }
        return try TrainStepCommandTests.run(arguments + extra)
    }

    /// The scalars of the TensorBoard event files in `directory` (TFRecord frames of `Event{wall_time,
    /// step, summary{value{tag, simple_value}}}`), by tag, in file order.
    static func scalars(in directory: URL) throws -> [String: [(step: Int, value: Float)]] {
        var result: [String: [(step: Int, value: Float)]] = [:]
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("events.out.tfevents.") }.sorted()
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))
            var at = 0
            func varint(_ b: [UInt8], _ i: inout Int) -> UInt64 {
                var v: UInt64 = 0
                var shift: UInt64 = 0
                while true {
                    let byte = b[i]
                    i += 1
                    v |= UInt64(byte & 0x7f) << shift
                    if byte < 0x80 { return v }
                    shift += 7
                }
            }
            /// The length-delimited and varint fields of a message, with the 32-bit ones' bits.
            func fields(_ b: [UInt8]) -> [(field: UInt64, bytes: [UInt8], number: UInt64)] {
                var out: [(UInt64, [UInt8], UInt64)] = []
                var i = 0
                while i < b.count {
                    let key = varint(b, &i)
                    switch key & 7 {
                    case 0: out.append((key >> 3, [], varint(b, &i)))
                    case 1: i += 8
                    case 2:
                        let n = Int(varint(b, &i))
                        out.append((key >> 3, Array(b[i..<i + n]), 0))
                        i += n
                    case 5:
                        out.append((key >> 3, [], UInt64(b[i]) | UInt64(b[i + 1]) << 8 | UInt64(b[i + 2]) << 16 | UInt64(b[i + 3]) << 24))
                        i += 4
                    default: return out
                    }
                }
                return out
            }
            while at + 12 <= bytes.count {
                let n = (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
                let event = Array(bytes[at + 12..<at + 12 + n])
                at += 12 + n + 4
                let top = fields(event)
                let step = Int(top.first { $0.field == 2 }?.number ?? 0)
                for summary in top where summary.field == 5 {
                    for value in fields(summary.bytes) where value.field == 1 {
                        let parts = fields(value.bytes)
                        guard let tag = parts.first(where: { $0.field == 1 }), let v = parts.first(where: { $0.field == 2 }) else { continue }
                        result[String(decoding: tag.bytes, as: UTF8.self), default: []].append((step, Float(bitPattern: UInt32(v.number))))
                    }
                }
            }
        }
        return result
    }

    /// pysot's logged scalars (`pysot_scalars.json`: tag -> [[step, value]]).
    static func pysotScalars(
        _ url: URL, tags: [String] = ["cls_loss", "loc_loss", "total_loss", "lr/group1", "lr/group2"]
    ) throws -> [String: [(step: Int, value: Double)]] {
        let bytes = [UInt8](try Data(contentsOf: url))
        let json = try JSONValue.parse(bytes, 0..<bytes.count)
        var result: [String: [(step: Int, value: Double)]] = [:]
        for tag in tags {
            let rows = try #require(json["scalars"]?[tag]?.arrayValue, "\(tag)")
            result[tag] = try rows.map { row in
                let pair = try #require(row.arrayValue)
                return (Int(try #require(pair[0].doubleValue)), try #require(pair[1].doubleValue))
            }
        }
        return result
    }

    /// Runs ours on `config` and compares with pysot's `pysot_scalars.json` and `pysot_final.safetensors`.
    func expectPysotsRun(folder: URL, initial: URL) throws {
        let output = Self.temporary()
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try Self.train(config: folder.appendingPathComponent("config.yaml"), output: output, pretrained: initial)
        #expect(result.status == 0, "\(result.stderr)")
        let ours = try Self.scalars(in: output.appendingPathComponent("logs"))
        let theirs = try Self.pysotScalars(folder.appendingPathComponent("pysot_scalars.json"))
        var worstLoss = 0.0
        for tag in ["cls_loss", "loc_loss", "total_loss"] {
            let a = try #require(ours[tag])
            let b = try #require(theirs[tag])
            #expect(a.map(\.step) == b.map(\.step), "\(tag) steps")
            for (x, y) in zip(a, b) { worstLoss = max(worstLoss, abs(Double(x.value) - y.value) / abs(y.value)) }
        }
        #expect(worstLoss <= 1e-5, "largest relative loss difference \(worstLoss)")
        for tag in ["lr/group1", "lr/group2"] {
            let a = try #require(ours[tag])
            let b = try #require(theirs[tag])
            #expect(a.map(\.step) == b.map(\.step) && zip(a, b).allSatisfy { $0.value == Float($1.value) }, "\(tag)")
        }
        let final = try StateDict.load(contentsOf: output.appendingPathComponent("checkpoint_e3.safetensors"))
        let reference = try StateDict.load(contentsOf: folder.appendingPathComponent("pysot_final.safetensors"))
        #expect(Set(final.keys) == Set(reference.keys))
        var worst = 0.0
        for entry in reference.entries {
            let mine = try #require(final[entry.name])
            let scale = max(1, Double(entry.tensor.values.map { abs($0) }.max() ?? 0))
            for (x, y) in zip(mine.tensor.values, entry.tensor.values) { worst = max(worst, Double(abs(x - y)) / scale) }
        }
        #expect(worst <= 2e-5, "largest weight difference \(worst) (relative to max(1, |tensor|max))")
        print("TrainCommandTests \(folder.lastPathComponent): losses within \(worstLoss) relative, weights within \(worst) of pysot's trainer")
    }

    @Test func trainingFollowsPysotsTrainerWithTheBackboneFrozen() throws {
        try expectPysotsRun(folder: Self.run, initial: Self.fixtures.appendingPathComponent("checkpoints/small_zip.pth"))
    }

    @Test func trainingFollowsPysotsTrainerWhenTrainLayersUnfreezeAtTrainEpoch() throws {
        let folder = Self.run.appendingPathComponent("unfreeze")
        try expectPysotsRun(folder: folder, initial: folder.appendingPathComponent("initial.safetensors"))
    }

    /// A config of 3 epochs of 4 iterations (the fixture's with VIDEOS_PER_EPOCH 16), so a kill lands inside an epoch.
    static func longerConfig(in folder: URL) throws -> URL {
        let text = try String(contentsOf: run.appendingPathComponent("config.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "VIDEOS_PER_EPOCH: 8", with: "VIDEOS_PER_EPOCH: 16")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("config.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func aKilledRunResumedFromItsSnapshotEndsBitIdenticalToAnUninterruptedOne() throws {
        let folder = Self.temporary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.longerConfig(in: folder)
        let initial = Self.fixtures.appendingPathComponent("checkpoints/small_zip.pth")
        let whole = folder.appendingPathComponent("whole")
        #expect(try Self.train(config: config, output: whole, pretrained: initial).status == 0)

        // Killed (SIGKILL: nothing gets to clean up) once the first epoch's snapshot is there.
        let killed = folder.appendingPathComponent("killed")
        try Self.killTraining(
            [
                "train", "--cfg", config.path, "--data-root", Self.data.path, "--output", killed.path, "--threads", "1", "--pretrained",
                initial.path
            ], once: killed.appendingPathComponent("checkpoint_e1.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("checkpoint_e3.pth").path))

        let resumed = try TrainStepCommandTests.run([
            "train", "--cfg", config.path, "--data-root", Self.data.path, "--output", killed.path, "--threads", "1",
            "--resume", killed.appendingPathComponent("checkpoint_e1.pth").path
        ])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for name in ["checkpoint_e3.safetensors", "checkpoint_e3.pth"] {
            let a = try Data(contentsOf: whole.appendingPathComponent(name))
            let b = try Data(contentsOf: killed.appendingPathComponent(name))
            #expect(a == b, "\(name) differs from the uninterrupted run's")
        }
        // The resumed run logs the iterations after the snapshot, with the stream's steps.
        let steps = try #require(try Self.scalars(in: killed.appendingPathComponent("logs"))["total_loss"]).map(\.step)
        #expect(steps.suffix(8) == Array(4..<12))
    }

    @Test func pysotsOwnSnapshotIsReadWithItsMomentumBuffers() throws {
        let config = try PysotConfig.load(contentsOf: Self.run.appendingPathComponent("config.yaml"))
        let names = try SiamRPNTrainingModel(
            spec: config.modelSpec(), stateDict: StateDict(), backbone: .all, initializer: NumPyRandomState(seed: 0)
        ).parameters.map(\.name)
        let groups = OptimizerGroups(
            parameters: names, backbone: config.backbone, train: config.train, adjust: false, head: "rpn_head", epoch: 0)
        let snapshot = try TrainingCheckpoint.read(Self.run.appendingPathComponent("pysot_checkpoint_e1.pth"), groups: groups.groups)
        #expect(snapshot.epoch == 1)
        #expect(snapshot.resume == nil)
        #expect(Set(snapshot.buffers.keys) == Set(groups.groups.flatMap(\.parameters)))
        #expect(snapshot.groupLRs.count == 2 && snapshot.groupLRs[1] == 0.005 * 0.01 / 0.01)

        // Ours after the same epoch: the momentum buffers agree with pysot's.
        let output = Self.temporary()
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try Self.train(
            config: Self.run.appendingPathComponent("config.yaml"), output: output,
            pretrained: Self.fixtures.appendingPathComponent("checkpoints/small_zip.pth"))
        #expect(result.status == 0, "\(result.stderr)")
        let ours = try TrainingCheckpoint.read(output.appendingPathComponent("checkpoint_e1.pth"), groups: groups.groups)
        var worst: Float = 0
        for (name, buffer) in snapshot.buffers {
            let mine = try #require(ours.buffers[name])
            let scale = max(1, buffer.map { abs($0) }.max() ?? 0)
            for (x, y) in zip(mine, buffer) { worst = max(worst, abs(x - y) / scale) }
        }
        #expect(worst <= 1e-5, "momentum buffers within \(worst)")
        #expect(ours.resume?.iteration == 2)
    }

    @Test func badInputIsOneErrorLineAndNoSnapshot() throws {
        let folder = Self.temporary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = Self.run.appendingPathComponent("config.yaml")
        // The data root without train.json.
        let missing = try TrainStepCommandTests.run([
            "train", "--cfg", config.path, "--data-root", folder.path, "--output", folder.appendingPathComponent("a").path
        ])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: ") && missing.stderr.contains("train.json"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("a/checkpoint_e1.pth").path))
        // TRAIN_LAYERS on a backbone without named layers fails before training, as pysot would at TRAIN_EPOCH.
        let legacy = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(
            of: "BACKBONE:\n", with: "BACKBONE:\n    TRAIN_EPOCH: 1\n    TRAIN_LAYERS: ['layer4']\n")
        let legacyURL = folder.appendingPathComponent("legacy.yaml")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try legacy.write(to: legacyURL, atomically: true, encoding: .utf8)
        let layers = try Self.train(config: legacyURL, output: folder.appendingPathComponent("b"), pretrained: nil)
        #expect(layers.status == 1)
        #expect(layers.stderr.contains("TRAIN_LAYERS names 'layer4'"), "\(layers.stderr)")
        // A resume with another seed than the snapshot's.
        let first = try Self.train(config: config, output: folder.appendingPathComponent("c"), pretrained: nil)
        #expect(first.status == 0, "\(first.stderr)")
        let reseeded = try Self.train(
            config: config, output: folder.appendingPathComponent("d"), pretrained: nil,
            extra: ["--resume", folder.appendingPathComponent("c/checkpoint_e1.pth").path, "--seed", "7"])
        #expect(reseeded.status == 1)
        #expect(reseeded.stderr.contains("--seed 123456"), "\(reseeded.stderr)")
        // A state dict is not a snapshot.
        let bare = try Self.train(
            config: config, output: folder.appendingPathComponent("e"), pretrained: nil,
            extra: ["--resume", Self.fixtures.appendingPathComponent("checkpoints/small_zip.pth").path])
        #expect(bare.status == 1)
        #expect(bare.stderr.contains("not a training snapshot"), "\(bare.stderr)")
    }
}
