import Foundation
import SiamNN
import Testing

@testable import SiamRPN
@testable import SiamTrain

/// `siamrpn train-step` on the small AlexNet fixture (Tests/Fixtures/README.md section 8): the
/// files it writes against pysot + PyTorch's float64 step, trainable and frozen backbone, and its
/// errors for bad input.
@Suite struct TrainStepCommandTests {
    static let fixtures = SmallAlexTrainStepTests.fixtures

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = PrepareCommandTests.binary()
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func arguments(output: URL, batch: URL? = nil, config: String = "configs/small_alex_dw.yaml") -> [String] {
        [
            "train-step", "--cfg", fixtures.appendingPathComponent(config).path,
            "--snapshot", fixtures.appendingPathComponent("checkpoints/small_zip.pth").path,
            "--batch", (batch ?? fixtures.appendingPathComponent("training")).path, "--output", output.path
        ]
    }

    static func temporary() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("train-step-\(UUID().uuidString)")
    }

    static func losses(_ dir: URL) throws -> JSONValue {
        let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("losses.json")))
        return try JSONValue.parse(bytes, 0..<bytes.count, allowNonFinite: true)
    }

    @Test func trainStepWritesPyTorchsLossesGradientsAndUpdatedWeights() throws {
        let out = Self.temporary()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try Self.run(Self.arguments(output: out))
        #expect(r.status == 0, "\(r.stderr)")
        let losses = try Self.losses(out)
        let truth = try SmallAlexTrainStepTests.json()
        for name in ["cls_loss", "loc_loss", "total_loss"] {
            let t = truth["losses"]!["train_mode_f64"]![name]!.doubleValue!
            let v = try #require(losses[name]?.doubleValue, "losses.json: \(name)")
            #expect(abs(v - t) <= 1e-5 * abs(t), "\(name): \(v) vs \(t)")
        }
        let norm = truth["sgd_step"]!["f64"]!["grad_total_norm_before_clip"]!.doubleValue!
        #expect(abs(losses["grad_total_norm"]!.doubleValue! - norm) <= 1e-5 * norm)

        let gradients = try Safetensors.read(contentsOf: out.appendingPathComponent("gradients.safetensors")).stateDict
        let reference = try SmallAlexTrainStepTests.npz("training/grads_f64.npz")
        #expect(Set(gradients.keys) == Set(reference.keys))
        let globalMax = reference.values.map { SmallAlexTrainStepTests.maxAbs($0.doubles()) }.max()!
        for (name, t) in reference {
            let g = try #require(gradients[name], "gradients.safetensors: \(name)")
            #expect(g.shape == t.shape)
            let e = zip(g.tensor.values, t.doubles()).map { abs(Double($0) - $1) }.max() ?? .infinity
            #expect(e <= 2e-3 * globalMax, "\(name): off by \(e)")
        }

        // updated.safetensors: the snapshot's keys, parameters stepped, BN buffers after the forward.
        let updated = try Safetensors.read(contentsOf: out.appendingPathComponent("updated.safetensors")).stateDict
        let initial = try StateDict.load(contentsOf: Self.fixtures.appendingPathComponent("checkpoints/small_zip.pth"))
        #expect(Set(updated.keys) == Set(initial.keys))
        let samples = truth["sgd_step"]!["f64"]!["updated_params"]!
        var worst = 0.0
        var maxDelta = 0.0
        for name in reference.keys {
            let u = samples[name]!
            let p0 = initial[name]!.tensor.values
            let p1 = updated[name]!.tensor.values
            for (i, s) in zip(u["sample_idx"]!.arrayValue!, u["samples"]!.arrayValue!) {
                let i = Int(i.doubleValue!)
                worst = max(worst, abs(Double(p1[i]) - s.doubleValue!))
                maxDelta = max(maxDelta, abs(s.doubleValue! - Double(p0[i])))
            }
        }
        #expect(maxDelta > 0 && worst <= 2e-3 * maxDelta, "update off by \(worst) (max |delta| \(maxDelta))")
        let running = try SmallAlexTrainStepTests.npz("training/bn_running_after_train_forward_f64.npz")
        for (name, t) in running {
            let tv = t.doubles()
            let e = zip(updated[name]!.tensor.values, tv).map { abs(Double($0) - $1) }.max() ?? .infinity
            #expect(e <= 1e-5 * SmallAlexTrainStepTests.maxAbs(tv) + 1e-6, "\(name): off by \(e)")
        }
        #expect(updated["backbone.features.1.num_batches_tracked"]?.tensor.values == [9])
        #expect(updated["backbone.features.1.num_batches_tracked"]?.dtype == .int64)
        #expect(updated["rpn_head.cls.head.1.num_batches_tracked"]?.tensor.values == [8])
    }

    /// pysot's first epochs: backbone `requires_grad = False` and its BatchNorms in eval mode,
    /// against pysot's ModelBuilder run so in float64 (`training/frozen_backbone_step*`). Tolerances
    /// ~4x PyTorch's own float32 spread on this step, rounded up (losses 1.4e-6, gradients 4.2e-6 of
    /// the global max, update 1.8e-5 of max |delta|): losses 1e-5 relative, gradients 2e-5 x global
    /// max, update 1e-4 x max |delta|, running statistics 1e-5 x max |t| + 1e-6.
    @Test func frozenBackboneStepMatchesPysotsFirstEpochSetting() throws {
        let out = Self.temporary()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try Self.run(Self.arguments(output: out) + ["--frozen-backbone"])
        #expect(r.status == 0, "\(r.stderr)")
        let bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("training/frozen_backbone_step.json")))
        let truth = try JSONValue.parse(bytes, 0..<bytes.count)
        let reference = try SmallAlexTrainStepTests.npz("training/frozen_backbone_step_f64.npz")
        let losses = try Self.losses(out)
        for name in ["cls_loss", "loc_loss", "total_loss"] {
            let t = truth["losses"]![name]!.doubleValue!
            #expect(abs(losses[name]!.doubleValue! - t) <= 1e-5 * abs(t), "\(name)")
        }
        let norm = truth["grad_total_norm_before_clip"]!.doubleValue!
        #expect(abs(losses["grad_total_norm"]!.doubleValue! - norm) <= 1e-5 * norm)

        let gradients = try Safetensors.read(contentsOf: out.appendingPathComponent("gradients.safetensors")).stateDict
        let trainable = truth["trainable"]!.arrayValue!.map { $0.stringValue! }
        #expect(Set(gradients.keys) == Set(trainable) && !trainable.contains { $0.hasPrefix("backbone.") })
        let globalMax = trainable.map { SmallAlexTrainStepTests.maxAbs(reference["grad." + $0]!.doubles()) }.max()!
        let initial = try StateDict.load(contentsOf: Self.fixtures.appendingPathComponent("checkpoints/small_zip.pth"))
        let updated = try Safetensors.read(contentsOf: out.appendingPathComponent("updated.safetensors")).stateDict
        var maxDelta = 0.0
        var worstDelta = 0.0
        for name in trainable {
            let e = zip(gradients[name]!.tensor.values, reference["grad." + name]!.doubles()).map { abs(Double($0) - $1) }.max()!
            #expect(e <= 2e-5 * globalMax, "\(name): gradient off by \(e)")
            let p0 = initial[name]!.tensor.values.map(Double.init)
            let t = reference["updated." + name]!.doubles()
            for (i, (a, b)) in zip(updated[name]!.tensor.values, t).enumerated() {
                maxDelta = max(maxDelta, abs(b - p0[i]))
                worstDelta = max(worstDelta, abs(Double(a) - b))
            }
        }
        #expect(maxDelta > 0 && worstDelta <= 1e-4 * maxDelta, "update off by \(worstDelta) (max |delta| \(maxDelta))")
        for entry in initial.entries where entry.name.hasPrefix("backbone.") {
            #expect(updated[entry.name]?.tensor.values == entry.tensor.values, "\(entry.name) must stay bit-identical")
        }
        for (key, t) in reference where key.hasPrefix("running.") {
            let name = String(key.dropFirst("running.".count))
            let tv = t.doubles()
            let e = zip(updated[name]!.tensor.values, tv).map { abs(Double($0) - $1) }.max()!
            #expect(e <= 1e-5 * SmallAlexTrainStepTests.maxAbs(tv) + 1e-6, "\(name): off by \(e)")
        }
        guard case .object(let counts) = truth["num_batches_tracked"]! else {
            Issue.record("frozen_backbone_step.json: num_batches_tracked")
            return
        }
        #expect(counts.count == 11)
        for c in counts {
            #expect(updated[c.name]?.tensor.values == [Float(c.value.doubleValue!)], "\(c.name)")
        }
    }

    @Test func badInputsStopWithAnErrorNamingTheProblem() throws {
        let tmp = Self.temporary()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let batch = tmp.appendingPathComponent("batch")
        try FileManager.default.createDirectory(at: batch, withIntermediateDirectories: true)
        for name in TrainingBatch.fileNames where name != "label_loc_weight.npy" {
            try FileManager.default.copyItem(
                at: Self.fixtures.appendingPathComponent("training/" + name), to: batch.appendingPathComponent(name))
        }
        let out = tmp.appendingPathComponent("out")
        let missing = try Self.run(Self.arguments(output: out, batch: batch))
        #expect(missing.status == 1 && missing.stderr.contains("label_loc_weight.npy") && missing.stderr.contains("is missing"), "\(missing.stderr)")

        // label_loc_weight of the wrong shape: [2, 5, 17, 16].
        try NumPyArray(Tensor(zeros: [2, 5, 17, 16])).write(to: batch.appendingPathComponent("label_loc_weight.npy"))
        let shape = try Self.run(Self.arguments(output: out, batch: batch))
        #expect(shape.status == 1 && shape.stderr.contains("label_loc_weight.npy has shape [2, 5, 17, 16]"), "\(shape.stderr)")

        // Labels for another score map size than the model makes from these crops.
        try NumPyArray(Tensor(zeros: [2, 5, 16, 16])).write(to: batch.appendingPathComponent("label_cls.npy"))
        try NumPyArray(Tensor(zeros: [2, 4, 5, 16, 16])).write(to: batch.appendingPathComponent("label_loc.npy"))
        try NumPyArray(Tensor(zeros: [2, 5, 16, 16])).write(to: batch.appendingPathComponent("label_loc_weight.npy"))
        let size = try Self.run(Self.arguments(output: out, batch: batch))
        #expect(size.status == 1 && size.stderr.contains("score map for these crops is [2, 5, 17, 17]"), "\(size.stderr)")

        // The full-width AlexNet config with the small model's weights.
        let mismatch = try Self.run(Self.arguments(output: out, config: "configs/siamrpn_alex_dwxcorr.yaml"))
        #expect(mismatch.status == 1 && mismatch.stderr.contains("shape mismatch"), "\(mismatch.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing is written on an error")
    }
}
