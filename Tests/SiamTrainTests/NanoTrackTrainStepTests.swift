import Foundation
import SiamNN
import Testing

@testable import SiamRPN
@testable import SiamTrain

/// NanoTrackV3's training step with its real weights (the bundled `nanotrackv3.safetensors`, equal
/// to `nanotrackv3.pth`) on the batch of `Tests/Fixtures/training_v2/nanotrack_v3/` against
/// NanoTrack's own trainer in float64 (Fixtures README section 36; the shared README's sections
/// 1-3 and 6), in both trainer phases: `backbone_trainable_epoch10` (TRAIN_LAYERS ['features'],
/// every BatchNorm in train mode) and `backbone_frozen_epoch0` (backbone frozen, its BatchNorms in
/// eval mode). Tolerances are the shared README's recommendations for a float32 port: losses and
/// the gradient norm relative 1e-5; gradients 1e-3 (trainable) / 1e-5 (frozen) of the largest
/// |gradient|; the update 2e-3 / 5e-4 of the largest |update|; BatchNorm running statistics
/// 1e-5 of the buffer's max |t| + 1e-6. Gradients, updates and statistics are checked through
/// the fixture's per-tensor checksums (16 samples, sum, sum of squares, max |t|, see `Checksum`).
struct NanoTrackTrainStepTests {
    static let root = TrainFixtures.fixtures.appendingPathComponent("training_v2/nanotrack_v3")
    static let variants = ["backbone_trainable_epoch10", "backbone_frozen_epoch0"]

    static func step() throws -> JSONValue {
        let bytes = [UInt8](try Data(contentsOf: root.appendingPathComponent("step.json")))
        return try JSONValue.parse(bytes, 0..<bytes.count)
    }

    static func config() throws -> NanoTrackTrainingConfig {
        let text = try String(contentsOf: root.appendingPathComponent("configv3.yaml"), encoding: .utf8)
        return try NanoTrackTrainingConfig.read(yaml: text, source: "configv3.yaml").config
    }

    /// PyTorch's float64 gradient and step of `variant` as per-parameter checksums (`grad`,
    /// `after`, `delta`): `step.json`'s and, for the frozen phase, also those of
    /// `backbone_frozen_epoch0_relu6_kink.json` — one input of the ReLU6 `ban_head.bbox_tower.12`
    /// is -2.1e-8 in float64, within float32's noise of the kink at 0 (a float32 forward puts it on
    /// either side: autograd's derivative there is 0 or 1), so both one-sided gradients are
    /// PyTorch's answer for a float32 port. A step must match one of them for every parameter.
    struct Reference {
        var name: String
        var grad: (String) -> JSONValue?
        var after: (String) -> JSONValue?
        var delta: (String) -> JSONValue?
    }

    static func references(_ variant: String) throws -> [Reference] {
        let truth = try step()["variants"]![variant]!
        var refs = [
            Reference(
                name: "step.json", grad: { truth["grads"]![$0]?["f64"] }, after: { truth["sgd_step"]![$0]?["after_f64"] },
                delta: { truth["sgd_step"]![$0]?["delta_f64"] })
        ]
        if frozen(variant) {
            let bytes = [UInt8](try Data(contentsOf: root.appendingPathComponent("backbone_frozen_epoch0_relu6_kink.json")))
            let kink = try JSONValue.parse(bytes, 0..<bytes.count)["params"]!
            refs.append(
                Reference(
                    name: "ReLU6 kink of bbox_tower.12 on the other side", grad: { kink[$0]?["grad_f64"] },
                    after: { kink[$0]?["after_f64"] }, delta: { kink[$0]?["delta_f64"] }))
        }
        return refs
    }

    /// The phase's trainer setting: frozen backbone before `BACKBONE.TRAIN_EPOCH`.
    static func frozen(_ variant: String) -> Bool { variant == "backbone_frozen_epoch0" }

    /// One step of `variant`: the model after forward + backward, its losses, its parameters before.
    static func run(_ variant: String) throws -> (model: NanoTrackTrainingModel, loss: NanoTrackLoss, before: [String: [Float]]) {
        let weights = try StateDict.load(contentsOf: TrackingModel.bundledSnapshot)
        let config = try config()
        let training: BackboneTraining = frozen(variant) ? .frozen : .layers(config.backbone.trainLayers)
        let model = try NanoTrackTrainingModel(stateDict: weights, backbone: training)
        let batch = try NanoTrackTrainingBatch(directory: root)
        try model.check(batch)
        var before: [String: [Float]] = [:]
        for p in model.parameters { before[p.name] = p.value }
        model.zeroGradients()
        let loss = try model.step(batch, clsWeight: config.train.clsWeight, locWeight: config.train.locWeight)
        return (model, loss, before)
    }

    @Test(arguments: variants)
    func lossesAndGradientNormMatchNanoTracksTrainer(_ variant: String) throws {
        let (model, loss, _) = try Self.run(variant)
        let truth = try Self.step()["variants"]![variant]!
        #expect(loss.positives == 4 && loss.negatives == 99)
        for (name, value) in [("cls_loss", loss.clsLoss), ("loc_loss", loss.locLoss), ("total_loss", loss.totalLoss)] {
            let t = truth["losses"]!["f64"]![name]!.double
            #expect(abs(value - t) <= 1e-5 * abs(t), "\(variant) \(name): \(value) vs \(t)")
        }
        let config = try Self.config()
        let clip = ClippedSGD(momentum: 0.9, weightDecay: 1e-4, maxNorm: config.train.gradClip).clip(model.parameters)
        let norm = truth["grad_clip"]!["total_norm_before_clip_f64"]!.double
        #expect(abs(clip.totalNorm - norm) <= 1e-5 * norm, "\(variant): gradient norm \(clip.totalNorm) vs \(norm)")
        #expect(clip.coefficient == truth["grad_clip"]!["clip_coef_f64"]!.double)
    }

    @Test(arguments: variants)
    func everyGradientMatchesPyTorchsAutograd(_ variant: String) throws {
        let (model, _, _) = try Self.run(variant)
        let truth = try Self.step()["variants"]![variant]!
        let grads = truth["grads"]!
        let gradients = model.weights.gradients()
        #expect(Set(gradients.keys) == Set(grads.memberNames), "\(variant): the parameters that get a gradient")
        #expect(gradients.keys.count == truth["params_with_grad"]!.int)
        let bound = (Self.frozen(variant) ? 1e-5 : 1e-3) * truth["grad_f32_vs_f64"]!["global_max_abs_f64"]!.double
        var outcomes: [String] = []
        var matched = false
        for reference in try Self.references(variant) {
            var worst = (ratio: 0.0, what: "")
            for p in model.parameters where p.requiresGrad {
                let c = try #require(reference.grad(p.name), "\(reference.name) has no gradient of \(p.name)")
                let e = Checksum(c).worstDeviation(p.grad.map(Double.init))
                if !(e.ratio <= worst.ratio) { worst = (e.ratio, "\(p.name) \(e.what)") }
            }
            outcomes.append("\(reference.name): worst \(worst.ratio) at \(worst.what)")
            matched = matched || worst.ratio <= bound
        }
        print("\(variant) gradients (bound \(bound)): " + outcomes.joined(separator: "; "))
        #expect(matched, "\(variant): no reference within \(bound): \(outcomes)")
        // The 19 (trainable) / 10 (frozen) gradients that are zero by construction stay tiny.
        for name in truth["grad_f32_vs_f64"]!["analytically_zero_grads"]!.arrayValue!.compactMap(\.stringValue) {
            let g = try #require(model.parameters.first { $0.name == name })
            #expect(g.grad.map { abs(Double($0)) }.max()! <= bound, "\(name) should be ~0")
        }
    }

    @Test(arguments: variants)
    func batchNormRunningStatisticsMatchAfterTheForward(_ variant: String) throws {
        let (model, _, _) = try Self.run(variant)
        let truth = try Self.step()["variants"]![variant]!["bn_after_forward"]!
        var worst = 0.0
        for s in model.weights.batchNorms {
            for (suffix, values) in [("running_mean", s.runningMean), ("running_var", s.runningVar)] {
                let c = try #require(truth[s.name + "." + suffix]?["f64"], "\(s.name).\(suffix)")
                let bound = 1e-5 * c["max_abs"]!.double + 1e-6
                let e = Checksum(c).worstDeviation(values.map(Double.init))
                worst = max(worst, e.ratio / bound)
                #expect(e.ratio <= bound, "\(variant) \(s.name).\(suffix): \(e.what) off by \(e.ratio) (bound \(bound))")
            }
            #expect(s.numBatchesTracked == truth[s.name + ".num_batches_tracked"]!.int, "\(variant) \(s.name).num_batches_tracked")
        }
        print("\(variant): worst running statistic deviation \(worst) of its bound")
    }

    @Test(arguments: variants)
    func clippedSGDWithThePhasesLearningRatesGivesNanoTracksWeights(_ variant: String) throws {
        let (model, _, before) = try Self.run(variant)
        let truth = try Self.step()["variants"]![variant]!
        let config = try Self.config()
        // The phase's rates as NanoTrack's build_opt_lr + scheduler set them at START_EPOCH.
        let epoch = truth["start_epoch"]!.int
        let schedule = try LearningRateSchedule(train: config.train)
        let groups = OptimizerGroups(
            parameters: model.parameters.map(\.name), backbone: config.backbone, train: config.train, adjust: config.adjust,
            head: "ban_head", epoch: epoch)
        let lrs = groups.groups.map { schedule.groupLR(initialLR: $0.initialLR, epoch: epoch) }
        let recorded = truth["param_groups"]!.arrayValue!.map { $0["lr"]!.double }
        #expect(zip(lrs, recorded).allSatisfy { abs($0 - $1) <= 1e-15 * $1 } && lrs.count == recorded.count, "\(lrs) vs \(recorded)")
        let backboneLR = lrs[0]
        let headLR = lrs[2]

        let sgd = ClippedSGD(momentum: config.train.momentum, weightDecay: config.train.weightDecay, maxNorm: config.train.gradClip)
        _ = sgd.clip(model.parameters)
        sgd.step(model.parameters) { $0.name.hasPrefix("backbone.") ? backboneLR : headLR }

        let steps = truth["sgd_step"]!
        let bound = (Self.frozen(variant) ? 5e-4 : 2e-3) * truth["update_f32_vs_f64"]!["max_abs_delta_f64"]!.double
        for p in model.parameters where steps[p.name] == nil {
            // No gradient (the neck; the frozen backbone): bit-identical, as in PyTorch.
            #expect(p.value == before[p.name]!, "\(variant) \(p.name) changed without a gradient")
        }
        var outcomes: [String] = []
        var matched = false
        for reference in try Self.references(variant) {
            var worst = (ratio: 0.0, what: "")
            for p in model.parameters where steps[p.name] != nil {
                let start = before[p.name]!
                // float32 holds the parameter after the step: an ulp of it on top of the bound.
                let rounding = (start.map { abs(Double($0)) }.max() ?? 0) * 0x1p-23
                let delta = zip(p.value, start).map { Double($0) - Double($1) }
                let d = Checksum(try #require(reference.delta(p.name))).worstDeviation(delta)
                let a = Checksum(try #require(reference.after(p.name))).worstDeviation(p.value.map(Double.init))
                for (e, kind) in [(d, "update"), (a, "after the step")] where !(e.ratio - rounding <= worst.ratio) {
                    worst = (e.ratio - rounding, "\(p.name) \(kind) \(e.what)")
                }
            }
            outcomes.append("\(reference.name): worst \(worst.ratio) at \(worst.what)")
            matched = matched || worst.ratio <= bound
        }
        print("\(variant) updates (bound \(bound)): " + outcomes.joined(separator: "; "))
        #expect(matched, "\(variant): no reference within \(bound): \(outcomes)")
        let unchanged = truth["params_without_grad_unchanged"]!.arrayValue!.compactMap(\.stringValue)
        #expect(unchanged.allSatisfy { name in steps[name] == nil })
    }

    @Test func trainStepCommandRunsNanoTracksStepForANanoTrackConfig() throws {
        let variant = "backbone_trainable_epoch10"
        let truth = try Self.step()["variants"]![variant]!
        let lrs = truth["param_groups"]!.arrayValue!.map { $0["lr"]!.double }
        let out = TrainStepCommandTests.temporary()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try TrainStepCommandTests.run([
            "train-step", "--cfg", Self.root.appendingPathComponent("configv3.yaml").path, "--snapshot", TrackingModel.bundledSnapshot.path,
            "--batch", Self.root.path, "--output", out.path, "--lr", "\(lrs[2])", "--backbone-lr", "\(lrs[0])"
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let losses = try TrainStepCommandTests.losses(out)
        for name in ["cls_loss", "loc_loss", "total_loss"] {
            let t = truth["losses"]!["f64"]![name]!.double
            let v = try #require(losses[name]?.doubleValue, "losses.json: \(name)")
            #expect(abs(v - t) <= 1e-5 * abs(t), "\(name): \(v) vs \(t)")
        }
        let norm = truth["grad_clip"]!["total_norm_before_clip_f64"]!.double
        #expect(abs(losses["grad_total_norm"]!.doubleValue! - norm) <= 1e-5 * norm)

        let gradients = try Safetensors.read(contentsOf: out.appendingPathComponent("gradients.safetensors")).stateDict
        #expect(Set(gradients.keys) == Set(truth["grads"]!.memberNames))
        let gradBound = 1e-3 * truth["grad_f32_vs_f64"]!["global_max_abs_f64"]!.double
        for name in gradients.keys {
            let e = Checksum(truth["grads"]![name]!["f64"]!).worstDeviation(gradients[name]!.tensor.values.map(Double.init))
            #expect(e.ratio <= gradBound, "\(name): \(e.what) off by \(e.ratio)")
        }
        // updated.safetensors: the snapshot's 438 keys, parameters stepped, BN buffers after the forward.
        let updated = try Safetensors.read(contentsOf: out.appendingPathComponent("updated.safetensors")).stateDict
        let initial = try StateDict.load(contentsOf: TrackingModel.bundledSnapshot)
        #expect(Set(updated.keys) == Set(initial.keys) && updated.keys.count == 438)
        let updateBound = 2e-3 * truth["update_f32_vs_f64"]!["max_abs_delta_f64"]!.double
        for name in updated.keys {
            let values = updated[name]!.tensor.values.map(Double.init)
            if let s = truth["sgd_step"]![name] {
                let rounding = (values.map(abs).max() ?? 0) * 0x1p-23
                let e = Checksum(s["after_f64"]!).worstDeviation(values)
                #expect(e.ratio <= updateBound + rounding, "\(name): \(e.what) off by \(e.ratio)")
            } else if let b = truth["bn_after_forward"]![name] {
                if name.hasSuffix(".num_batches_tracked") {
                    #expect(values == [b.double], "\(name)")
                } else {
                    let e = Checksum(b["f64"]!).worstDeviation(values)
                    #expect(e.ratio <= 1e-5 * b["f64"]!["max_abs"]!.double + 1e-6, "\(name): \(e.what) off by \(e.ratio)")
                }
            } else {
                #expect(name.hasPrefix("neck."), "\(name) is neither stepped nor a BatchNorm buffer")
                #expect(updated[name]!.tensor.values == initial[name]!.tensor.values, "\(name) changed")
            }
        }
    }

    @Test func trainStepCommandStopsOnABadNanoTrackBatchWithAnErrorNamingTheProblem() throws {
        let tmp = TrainStepCommandTests.temporary()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let batch = tmp.appendingPathComponent("batch")
        try FileManager.default.createDirectory(at: batch, withIntermediateDirectories: true)
        for name in ["template.npy", "search.npy", "label_cls.npy"] {
            try FileManager.default.copyItem(at: Self.root.appendingPathComponent(name), to: batch.appendingPathComponent(name))
        }
        let out = tmp.appendingPathComponent("out")
        func run() throws -> (status: Int32, stdout: String, stderr: String) {
            try TrainStepCommandTests.run([
                "train-step", "--cfg", Self.root.appendingPathComponent("configv3.yaml").path, "--snapshot",
                TrackingModel.bundledSnapshot.path, "--batch", batch.path, "--output", out.path, "--frozen-backbone"
            ])
        }
        let missing = try run()
        #expect(missing.status == 1 && missing.stderr.contains("label_loc.npy") && missing.stderr.contains("is missing"), "\(missing.stderr)")

        // pysot's anchor labels [N, A, H, W] instead of NanoTrack's point labels.
        try NumPyArray(Tensor(zeros: [3, 4, 15, 15])).write(to: batch.appendingPathComponent("label_loc.npy"))
        try NumPyArray(Tensor(zeros: [3, 1, 15, 15])).write(to: batch.appendingPathComponent("label_cls.npy"))
        let anchors = try run()
        #expect(anchors.status == 1 && anchors.stderr.contains("label_cls.npy has shape [3, 1, 15, 15]"), "\(anchors.stderr)")

        // No positive point: NanoTrack's IoU loss asserts.
        try NumPyArray(Tensor(zeros: [3, 15, 15])).write(to: batch.appendingPathComponent("label_cls.npy"))
        let negatives = try run()
        #expect(negatives.status == 1 && negatives.stderr.contains("no positive point"), "\(negatives.stderr)")
        #expect(negatives.stderr.split(separator: "\n").count == 1, "one error line: \(negatives.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing is written on an error")
    }

    @Test func trainLayersOtherThanFeaturesAreRefused() throws {
        let weights = try StateDict.load(contentsOf: TrackingModel.bundledSnapshot)
        #expect(throws: TrainingModelError.self) { try NanoTrackTrainingModel(stateDict: weights, backbone: .layers(["layer4"])) }
    }

    @Test func labelsThatDoNotFitTheScoreMapAreRefused() throws {
        let model = try NanoTrackTrainingModel(stateDict: StateDict.load(contentsOf: TrackingModel.bundledSnapshot), frozenBackbone: true)
        var batch = try NanoTrackTrainingBatch(directory: Self.root)
        batch.labelShape = [3, 17, 17]
        #expect(throws: TrainingBatchError.self) { try model.check(batch) }
        batch = try NanoTrackTrainingBatch(directory: Self.root)
        batch.template = TrainingBuffer(shape: [3, 3, 255, 255], values: [Float](repeating: 0, count: 3 * 3 * 255 * 255))
        #expect(throws: TrainingBatchError.self) { try model.check(batch) }
    }
}

/// A fixture checksum object (`shape`, `sum`, `sum_sq`, `max_abs`, optional `min`, `max`,
/// `samples` at the distinct flat indices `floor(j (n-1) / 15)`, j = 0...15) against values `a`.
struct Checksum {
    let json: JSONValue

    init(_ json: JSONValue) { self.json = json }

    /// The largest deviation the checksum shows, in the units of a per-element bound: a sample,
    /// max |a|, min, max differ by that much, or `sum` by `n` times it, or `sum_sq` by
    /// `n e (2 max|t| + e)` (which `|a_i - t_i| <= e` for all i implies).
    func worstDeviation(_ a: [Double]) -> (ratio: Double, what: String) {
        let n = a.count
        if let shape = json["shape"]?.arrayValue?.compactMap(\.doubleValue), Int(shape.reduce(1, *)) != n {
            return (.infinity, "shape \(shape) vs \(n) values")
        }
        var worst = (0.0, "nothing")
        func note(_ e: Double, _ what: String) { if e > worst.0 || e.isNaN { worst = (e, what) } }
        if let samples = json["samples"]?.arrayValue?.compactMap(\.doubleValue) {
            // Distinct indices only: a tensor of fewer than 16 values has them all.
            var indices: [Int] = []
            for j in 0..<16 where indices.last != j * (n - 1) / 15 { indices.append(j * (n - 1) / 15) }
            guard indices.count == samples.count else { return (.infinity, "\(samples.count) samples for \(n) values") }
            for (i, t) in zip(indices, samples) { note(abs(a[i] - t), "sample \(i)") }
        }
        let maxAbs = a.map(abs).max() ?? 0
        let tMaxAbs = json["max_abs"]!.double
        note(abs(maxAbs - tMaxAbs), "max |t|")
        if let t = json["min"]?.doubleValue { note(abs(a.min()! - t), "min") }
        if let t = json["max"]?.doubleValue { note(abs(a.max()! - t), "max") }
        let sum = a.reduce(0, +)
        note(abs(sum - json["sum"]!.double) / Double(n), "sum")
        // Solve n e (2 M + e) = |sum_sq - t| for e.
        let dsq = abs(a.reduce(0) { $0 + $1 * $1 } - json["sum_sq"]!.double) / Double(n)
        note((tMaxAbs * tMaxAbs + dsq).squareRoot() - tMaxAbs, "sum of squares")
        return worst
    }
}

extension JSONValue {
    /// The member names of an object, in file order (empty for anything else).
    var memberNames: [String] {
        guard case .object(let members) = self else { return [] }
        return members.map(\.name)
    }
}
