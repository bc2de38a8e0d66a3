import Foundation
import SiamNN
import Testing

@testable import SiamRPN
@testable import SiamTrain

/// `mpirun -np 2 siamrpn train-step` against one process on the same global batch (the small
/// AlexNet fixture, Tests/Fixtures/README.md section 8: 2 samples, so each process has one — and
/// the second has no positive anchor, so per-process loss normalisers or BatchNorm statistics
/// would give a visibly different step).
///
/// Tolerance: the two runs differ only in the order of their sums (each process's partial sums,
/// then MPI's), so their difference is float32 rounding noise. Its scale is measured against an
/// external truth: `noise` = the one-process step's largest deviation from PyTorch's float64 step
/// (`grads_f64.npz`, `frozen_backbone_step_f64.npz`) over all gradients, relative to their
/// largest magnitude. A reordered sum is off the exact value by at most as much as another order,
/// so each 1-vs-2 difference must be within `2 * noise` of the same scale (gradients; updated
/// parameters relative to the largest update; losses 2 * their one-process relative error + 1e-12).
/// BatchNorm running statistics are float32 casts of Double sums over inputs that may differ by
/// an ulp: within a few float32 ulps, 1e-6 relative to the tensor's largest value; the frozen
/// backbone's buffers and every `num_batches_tracked` exactly. Measured (printed): gradients
/// 4.2e-7 (trainable) and 1.9e-8 (frozen) of the largest, against a one-process noise of 8.4e-6
/// and 5.3e-6; losses 3e-9 relative; running statistics identical. A wrong normaliser or an
/// unsynchronised BatchNorm is off by tens of percent (checked: BatchNorm left unsynchronised
/// fails every comparison, gradients off by 0.83 of the largest).
@Suite(.enabled(if: MPIRun.path != nil, "mpirun is not installed (scripts/install-deps.sh installs openmpi-bin)"))
struct DistributedTrainStepTests {
    static let fixtures = SmallAlexTrainStepTests.fixtures

    /// `mpirun -np processes siamrpn arguments`, allowed to run as root (CI), on any core count.
    static func mpi(_ processes: Int, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = MPIRun.path
        process.arguments = ["--oversubscribe", "-np", "\(processes)", PrepareCommandTests.binary().path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        process.environment = environment
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

    struct Step {
        let losses: JSONValue
        let gradients: StateDict
        let updated: StateDict
    }

    /// One process, then two, on the fixture batch.
    static func steps(_ extra: [String]) throws -> (one: Step, two: Step) {
        let one = TrainStepCommandTests.temporary()
        let two = TrainStepCommandTests.temporary()
        defer {
            try? FileManager.default.removeItem(at: one)
            try? FileManager.default.removeItem(at: two)
        }
        let r1 = try TrainStepCommandTests.run(TrainStepCommandTests.arguments(output: one) + extra)
        try #require(r1.status == 0, "\(r1.stderr)")
        let r2 = try mpi(2, TrainStepCommandTests.arguments(output: two) + extra)
        try #require(r2.status == 0, "\(r2.stderr)")
        #expect(r2.stdout.contains("2 processes"), "rank 0 reports the step: \(r2.stdout)")
        #expect(r2.stdout.components(separatedBy: "total_loss").count == 2, "only rank 0 prints: \(r2.stdout)")
        func read(_ dir: URL) throws -> Step {
            Step(
                losses: try TrainStepCommandTests.losses(dir),
                gradients: try Safetensors.read(contentsOf: dir.appendingPathComponent("gradients.safetensors")).stateDict,
                updated: try Safetensors.read(contentsOf: dir.appendingPathComponent("updated.safetensors")).stateDict)
        }
        return (try read(one), try read(two))
    }

    /// Compares the two steps (see the suite's comment); `reference(name)` is PyTorch's float64
    /// gradient of a parameter, `truth` its losses. Prints the measured differences.
    static func compare(
        _ one: Step, _ two: Step, reference: (String) -> [Double], truth: [String: Double], label: String
    ) throws {
        let names = one.gradients.keys
        #expect(Set(two.gradients.keys) == Set(names) && !names.isEmpty)
        let initial = try StateDict.load(contentsOf: fixtures.appendingPathComponent("checkpoints/small_zip.pth"))
        var gradScale = 0.0
        var noise = 0.0
        var gradDiff = 0.0
        var updateScale = 0.0
        var updateDiff = 0.0
        for name in names {
            let g1 = one.gradients[name]!.tensor.values.map(Double.init)
            let g2 = try #require(two.gradients[name], "\(name)").tensor.values.map(Double.init)
            let t = reference(name)
            gradScale = max(gradScale, SmallAlexTrainStepTests.maxAbs(t))
            noise = max(noise, zip(g1, t).map { abs($0 - $1) }.max()!)
            gradDiff = max(gradDiff, zip(g1, g2).map { abs($0 - $1) }.max()!)
            let p0 = initial[name]!.tensor.values.map(Double.init)
            let p1 = one.updated[name]!.tensor.values.map(Double.init)
            let p2 = two.updated[name]!.tensor.values.map(Double.init)
            updateScale = max(updateScale, zip(p1, p0).map { abs($0 - $1) }.max()!)
            updateDiff = max(updateDiff, zip(p1, p2).map { abs($0 - $1) }.max()!)
        }
        let relativeNoise = noise / gradScale
        #expect(gradDiff <= 2 * relativeNoise * gradScale, "gradients: 1 vs 2 processes off by \(gradDiff)")
        #expect(updateScale > 0 && updateDiff <= 2 * relativeNoise * updateScale, "updated weights off by \(updateDiff)")

        var lossDiff = 0.0
        for name in ["cls_loss", "loc_loss", "total_loss", "grad_total_norm"] {
            let v1 = one.losses[name]!.double
            let v2 = two.losses[name]!.double
            let t = truth[name]!
            let d = abs(v1 - v2) / abs(t)
            lossDiff = max(lossDiff, d)
            #expect(d <= 2 * abs(v1 - t) / abs(t) + 1e-12, "\(name): \(v1) (1 process) vs \(v2) (2), PyTorch \(t)")
        }
        #expect(two.losses["updated"] == .bool(true))

        var statDiff = 0.0
        #expect(Set(one.updated.keys) == Set(two.updated.keys))
        for entry in one.updated.entries where !names.contains(entry.name) {
            let a = entry.tensor.values.map(Double.init)
            let b = two.updated[entry.name]!.tensor.values.map(Double.init)
            if entry.name.hasSuffix("num_batches_tracked") || !entry.name.hasPrefix("rpn_head.") && label == "frozen" {
                #expect(a == b, "\(entry.name) must be equal")
                continue
            }
            let d = zip(a, b).map { abs($0 - $1) }.max()! / max(SmallAlexTrainStepTests.maxAbs(a), 1e-30)
            statDiff = max(statDiff, d)
            #expect(d <= 1e-6, "\(entry.name): 1 vs 2 processes off by \(d) relative")
        }
        print(
            "[\(label)] 1 vs 2 processes: gradients \(gradDiff) (\(gradDiff / gradScale) of max |grad|; one process vs PyTorch f64 "
                + "\(relativeNoise)), updated \(updateDiff / updateScale) of max |update|, losses \(lossDiff) relative, "
                + "BN buffers \(statDiff) relative")
    }

    @Test func twoProcessesStepLikeOneOnTheSameGlobalBatch() throws {
        let (one, two) = try Self.steps([])
        let reference = try SmallAlexTrainStepTests.npz("training/grads_f64.npz")
        let truth = try SmallAlexTrainStepTests.json()
        let losses = truth["losses"]!["train_mode_f64"]!
        try Self.compare(
            one, two, reference: { reference[$0]!.doubles() },
            truth: [
                "cls_loss": losses["cls_loss"]!.double, "loc_loss": losses["loc_loss"]!.double,
                "total_loss": losses["total_loss"]!.double,
                "grad_total_norm": truth["sgd_step"]!["f64"]!["grad_total_norm_before_clip"]!.double
            ], label: "trainable")
    }

    @Test func twoProcessesStepLikeOneWithTheBackboneFrozen() throws {
        let (one, two) = try Self.steps(["--frozen-backbone"])
        let reference = try SmallAlexTrainStepTests.npz("training/frozen_backbone_step_f64.npz")
        let bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("training/frozen_backbone_step.json")))
        let truth = try JSONValue.parse(bytes, 0..<bytes.count)
        let losses = truth["losses"]!
        try Self.compare(
            one, two, reference: { reference["grad." + $0]!.doubles() },
            truth: [
                "cls_loss": losses["cls_loss"]!.double, "loc_loss": losses["loc_loss"]!.double,
                "total_loss": losses["total_loss"]!.double, "grad_total_norm": truth["grad_total_norm_before_clip"]!.double
            ], label: "frozen")
    }

    /// The multi-level path (ResNet-18 l234, AdjustAllLayer, weighted MultiRPN, every layer
    /// trained: 3 backbone outputs, 6 neck BatchNorm calls and 30 head BatchNorms synchronised) on
    /// Tests/Fixtures/README.md section 38's batch and weights. Its one-process step is off
    /// PyTorch's float64 step by float32 noise (train-mode BatchNorms through the whole backbone:
    /// 1.8e-3 of the largest gradient over the fixture's entries); 1 vs 2 processes must differ
    /// by less than that noise (gradients) and by float32 ulps (losses 1e-6 relative, running
    /// statistics 1e-6 of each buffer's largest value). Measured at dev time: gradients 1.4e-7 of
    /// the largest, running statistics identical.
    @Test func twoProcessesStepLikeOneOnAMultiLevelResNet() throws {
        let model = "siamrpn_r18_l234_dwxcorr"
        let tmp = TrainStepCommandTests.temporary()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let batch = tmp.appendingPathComponent("batch")
        try FileManager.default.createDirectory(at: batch, withIntermediateDirectories: true)
        for (file, folder) in [
            ("template.npy", "training"), ("search.npy", "training"), ("label_cls.npy", "training_arch/model_step/r18_l234"),
            ("label_loc.npy", "training_arch/model_step/r18_l234"), ("label_loc_weight.npy", "training_arch/model_step/r18_l234")
        ] {
            try FileManager.default.copyItem(
                at: Self.fixtures.appendingPathComponent(folder).appendingPathComponent(file), to: batch.appendingPathComponent(file))
        }
        let weights = tmp.appendingPathComponent("weights.safetensors")
        try Safetensors.write(TrainFixtures.manifestWeights(model), to: weights)
        func arguments(_ output: String) -> [String] {
            [
                "train-step", "--cfg", Self.fixtures.appendingPathComponent("configs/\(model).yaml").path, "--snapshot", weights.path,
                "--batch", batch.path, "--output", tmp.appendingPathComponent(output).path
            ]
        }
        let r1 = try TrainStepCommandTests.run(arguments("one"))
        try #require(r1.status == 0, "\(r1.stderr)")
        let r2 = try Self.mpi(2, arguments("two"))
        try #require(r2.status == 0, "\(r2.stderr)")
        func read(_ name: String, _ file: String) throws -> StateDict {
            try Safetensors.read(contentsOf: tmp.appendingPathComponent(name).appendingPathComponent(file)).stateDict
        }
        let (g1, g2) = (try read("one", "gradients.safetensors"), try read("two", "gradients.safetensors"))
        let truth = try ArchitectureTrainStepTests.json(ArchitectureTrainStepTests.Case(model: model, folder: "r18_l234", mode: "all"))
        let reference = try SmallAlexTrainStepTests.npz("training_arch/model_step/r18_l234/grads_all_f64.npz")
        let scale = truth["global_max_abs_grad"]!.doubleValue!
        var noise = 0.0
        var diff = 0.0
        guard case .object(let members) = truth["grads"]! else { throw CocoaError(.fileReadCorruptFile) }
        #expect(Set(g1.keys) == Set(g2.keys) && Set(g1.keys) == Set(members.map(\.name)))
        for entry in g1.entries {
            let a = entry.tensor.values
            let b = try #require(g2[entry.name], "\(entry.name)").tensor.values
            diff = max(diff, zip(a, b).map { abs(Double($0) - Double($1)) }.max()!)
            let pairs: [(Int, Double)] =
                if let full = reference[entry.name] {
                    Array(full.doubles().enumerated())
                } else {
                    Array(zip(reference[entry.name + "|idx"]!.doubles().map { Int($0) }, reference[entry.name + "|val"]!.doubles()))
                }
            for (i, t) in pairs { noise = max(noise, abs(Double(a[i]) - t)) }
        }
        #expect(noise > 0 && diff <= noise, "gradients: 1 vs 2 processes off by \(diff), one process vs PyTorch float64 \(noise)")
        let (l1, l2) = (
            try TrainStepCommandTests.losses(tmp.appendingPathComponent("one")), try TrainStepCommandTests.losses(tmp.appendingPathComponent("two"))
        )
        for name in ["cls_loss", "loc_loss", "total_loss"] {
            #expect(abs(l1[name]!.double - l2[name]!.double) <= 1e-6 * abs(l1[name]!.double), "\(name)")
        }
        let (u1, u2) = (try read("one", "updated.safetensors"), try read("two", "updated.safetensors"))
        var statDiff = 0.0
        for entry in u1.entries where entry.name.contains("running_") {
            let a = entry.tensor.values.map(Double.init)
            let b = try #require(u2[entry.name], "\(entry.name)").tensor.values.map(Double.init)
            let d = zip(a, b).map { abs($0 - $1) }.max()! / max(SmallAlexTrainStepTests.maxAbs(a), 1e-30)
            statDiff = max(statDiff, d)
        }
        #expect(statDiff <= 1e-6, "running statistics: 1 vs 2 processes off by \(statDiff) relative")
        print("[r18 l234] 1 vs 2 processes: gradients \(diff / scale) of max |grad| (one process vs PyTorch f64 \(noise / scale)), BN \(statDiff)")
    }

    @Test func fewerSamplesThanProcessesIsOneErrorLine() throws {
        let tmp = TrainStepCommandTests.temporary()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let batch = tmp.appendingPathComponent("batch")
        try FileManager.default.createDirectory(at: batch, withIntermediateDirectories: true)
        for name in TrainingBatch.fileNames {
            let a = try NumPyArray(contentsOf: Self.fixtures.appendingPathComponent("training/" + name))
            let values = a.floats()
            let first = Tensor(shape: [1] + a.shape.dropFirst(), values: Array(values.prefix(values.count / a.shape[0])))
            try NumPyArray(first).write(to: batch.appendingPathComponent(name))
        }
        let out = tmp.appendingPathComponent("out")
        let r = try Self.mpi(2, TrainStepCommandTests.arguments(output: out, batch: batch))
        #expect(r.status != 0)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors[0].contains("holds 1 sample(s), fewer than the 2 processes"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}

/// Open MPI's launcher.
enum MPIRun {
    /// `mpirun` on the PATH, nil when there is none.
    static let path: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()
}

/// `mpirun -np 2 siamrpn train` against one process on the same config (Tests/Fixtures/README.md
/// section 34's pysot run): each process trains on half of every batch of 4, with synchronised
/// BatchNorm, global loss normalisers and summed gradients, so the two runs differ only in summation
/// order. Measured after 6 iterations: every final tensor within 1.4e-7 of one process's (relative
/// to max(1, max |tensor|)), the logged losses equal to 6 digits; bound 1e-6 (the 1-process run's
/// own distance to pysot's trainer is 1.4e-6). Rank 0 alone writes the snapshots and logs.
@Suite(.enabled(if: MPIRun.path != nil, "mpirun is not installed (scripts/install-deps.sh installs openmpi-bin)"))
struct DistributedTrainTests {
    @Test func twoProcessesTrainTheWeightsOfOne() throws {
        let folder = TrainCommandTests.temporary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = TrainCommandTests.run.appendingPathComponent("config.yaml")
        let initial = TrainCommandTests.fixtures.appendingPathComponent("checkpoints/small_zip.pth")
        func arguments(_ output: String) -> [String] {
            [
                "train", "--cfg", config.path, "--data-root", TrainCommandTests.data.path, "--output",
                folder.appendingPathComponent(output).path, "--pretrained", initial.path, "--threads", "1"
            ]
        }
        let one = try TrainStepCommandTests.run(arguments("one"))
        #expect(one.status == 0, "\(one.stderr)")
        let two = try DistributedTrainStepTests.mpi(2, arguments("two"))
        #expect(two.status == 0, "\(two.stderr)")
        #expect(two.stdout.contains("2 processes"))
        let a = try StateDict.load(contentsOf: folder.appendingPathComponent("one/checkpoint_e3.safetensors"))
        let b = try StateDict.load(contentsOf: folder.appendingPathComponent("two/checkpoint_e3.safetensors"))
        #expect(a.keys == b.keys)
        var worst = 0.0
        for entry in a.entries {
            let other = try #require(b[entry.name])
            let scale = max(1, Double(entry.tensor.values.map { abs($0) }.max() ?? 0))
            for (x, y) in zip(entry.tensor.values, other.tensor.values) { worst = max(worst, Double(abs(x - y)) / scale) }
        }
        #expect(worst <= 1e-6, "2 processes vs 1: \(worst)")
        let lossesOne = try #require(try TrainCommandTests.scalars(in: folder.appendingPathComponent("one/logs"))["total_loss"])
        let lossesTwo = try #require(try TrainCommandTests.scalars(in: folder.appendingPathComponent("two/logs"))["total_loss"])
        #expect(lossesOne.count == 6 && lossesTwo.count == 6)
        for (x, y) in zip(lossesOne, lossesTwo) { #expect(abs(x.value - y.value) <= 1e-5 * abs(x.value)) }
        print("DistributedTrainTests: 2 processes vs 1 after 6 iterations: \(worst)")
    }
}
