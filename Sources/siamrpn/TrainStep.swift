// Mirrors one iteration of pysot's tools/train.py train(): forward, loss.backward(), clip_grad_norm_, optimizer.step()
import ArgumentParser
import Foundation
import SiamNN
import SiamRPN
import SiamTrain

/// `siamrpn train-step`: one training step of a pysot model on a batch given as NumPy files,
/// writing the losses, the gradients and the updated weights — `forward`'s counterpart for
/// training, to check a model against PyTorch.
struct TrainStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Run one pysot training step on a batch of NumPy arrays; write losses, gradients and updated weights.",
        discussion: """
            BATCH holds template.npy (N,3,h,w) and search.npy (N,3,H,W), uint8 or float BGR \
            0..255, label_cls.npy (N,A,S,S) integers 1/0/-1, label_loc.npy (N,4,A,S,S) and \
            label_loc_weight.npy (N,A,S,S), as pysot's AnchorTarget makes them. The step is \
            pysot's: train-mode forward (every BatchNorm on batch statistics; the backbone runs \
            on the templates, then on the search images), CLS_WEIGHT * select_cross_entropy_loss \
            + LOC_WEIGHT * weight_l1_loss, backward, clip_grad_norm_(GRAD_CLIP), then SGD \
            (TRAIN.MOMENTUM, TRAIN.WEIGHT_DECAY) from fresh momentum buffers, skipped like pysot \
            when the loss is not finite or above 1e4. Writes OUTPUT/losses.json (cls_loss, \
            loc_loss, total_loss, grad_total_norm, clip_coefficient, updated), \
            OUTPUT/gradients.safetensors (d total_loss / d parameter before clipping, pysot names) \
            and OUTPUT/updated.safetensors (parameters after the step and the BatchNorm running \
            statistics after the forward, pysot names). Every trainable parameter uses --lr \
            (pysot's trainer would use its schedule's rate and BACKBONE.LAYERS_LR times it for \
            the backbone: pass them as --lr and --backbone-lr). Under mpirun -np P (or srun \
            --mpi=pmix -n P) each process steps on its contiguous slice of the N samples (N >= P), \
            with the gradients, the loss normalisers and the BatchNorm statistics summed over the \
            processes, and rank 0 writes the same files as one process would (up to summation \
            order); each process then uses cores / (processes on its machine) threads by default. \
            A NanoTrack config (META_ARC nanotrack) selects NanoTrackV3 (NanoTrack's key names, the \
            neck bound but unused) and its batch: template.npy, search.npy, label_cls.npy (N,15,15) \
            and label_loc.npy (N,4,15,15) l,t,r,b distances, as NanoTrack's PointTarget makes them \
            (no label_loc_weight), with NanoTrack's cls + linear IoU losses (one process only).
            """)

    @Option(help: "pysot experiment config, config.yaml.")
    var cfg: String
    @Option(help: "Model weights: .pth (zip, legacy or a training snapshot) or .safetensors, pysot key names.")
    var snapshot: String
    @Option(help: "Folder with template.npy, search.npy, label_cls.npy, label_loc.npy, label_loc_weight.npy (NanoTrack: no label_loc_weight).")
    var batch: String
    @Option(help: "Output folder (created if missing).")
    var output: String
    @Flag(help: "pysot's first epochs: backbone frozen (no gradients, its BatchNorms in eval mode).")
    var frozenBackbone = false
    @Option(help: "Learning rate of the head (and of the backbone unless --backbone-lr). Default: TRAIN.BASE_LR.")
    var lr: Double?
    @Option(help: "Learning rate of the backbone's parameters. Default: --lr.")
    var backboneLr: Double?
    @Option(help: "Threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        for (name, v) in [("--lr", lr), ("--backbone-lr", backboneLr)] {
            if let v, !(v.isFinite && v >= 0) { throw ValidationError("\(name) must be a finite non-negative number, got \(v)") }
        }
    }

    func run() throws {
        try reportingErrors {
            let group = try ProcessGroup.fromEnvironment()
            if let text = nanoTrackConfigText() {
                guard group.size == 1 else { throw CLIError("train-step runs NanoTrack in one process only, not under mpirun") }
                try applyThreads(threads, preferred: nil)
                return try runNanoTrack(configText: text)
            }
            // Every process checks its inputs; they agree on the outcome before the step, and the
            // lowest failing rank alone reports (the others exit 1 quietly).
            let prepared: Prepared
            var failure: (any Error)?
            do {
                prepared = try prepare(group)
            } catch {
                failure = error
                prepared = .failed
            }
            if let first = group.firstFailure(failure != nil) {
                if first == group.rank, let failure { throw failure }
                throw ExitCode.failure
            }
            guard case .ready(let config, let model, let data, let dir, let outputs) = prepared else { return }

            let start = Date()
            model.zeroGradients()
            let loss = model.step(data, clsWeight: config.train.clsWeight, locWeight: config.train.locWeight)
            let gradients = model.weights.gradients()
            let valid = loss.totalLoss.isFinite && loss.totalLoss <= 1e4
            let clip = valid ? clippedUpdate(model.parameters, train: config.train) : nil
            if !valid && group.isRoot {
                printError("warning: total loss \(loss.totalLoss) is not finite or above 1e4; like pysot, the step is skipped")
            }
            let seconds = Date().timeIntervalSince(start)
            guard group.isRoot else { return }

            try writeStepOutputs(
                outputs, clsLoss: loss.clsLoss, locLoss: loss.locLoss, totalLoss: loss.totalLoss, clip: clip, updated: valid,
                gradients: gradients, weights: model.weights.stateDict())
            let processes = group.size > 1 ? ", \(group.size) processes" : ""
            print(
                "cls_loss \(loss.clsLoss) loc_loss \(loss.locLoss) total_loss \(loss.totalLoss)"
                    + " (\(gradients.keys.count) gradients, \(String(format: "%.0f", seconds * 1000)) ms\(processes)) -> \(dir.path)")
        }
    }

    /// What the step needs, read and checked; `failed` after an error.
    private enum Prepared {
        case failed
        case ready(config: PysotConfig, model: SiamRPNTrainingModel, data: TrainingBatch, output: URL, outputs: [URL])
    }

    /// Reads the config, the weights and the batch, checks them and cuts this process's slice.
    private func prepare(_ group: ProcessGroup) throws -> Prepared {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        try applyThreads(threads, preferred: group.size > 1 ? max(1, cores / ProcessGroup.processesOnThisMachine()) : nil)
        let configURL = URL(fileURLWithPath: cfg)
        let config = try PysotConfig.load(contentsOf: configURL)
        if group.isRoot {
            for warning in config.warnings { printError("warning: \(cfg): \(warning)") }
        }
        let spec = try config.modelSpec()
        let weights = try StateDict.load(contentsOf: URL(fileURLWithPath: snapshot))
        let model: SiamRPNTrainingModel
        do {
            model = try SiamRPNTrainingModel(spec: spec, stateDict: weights, frozenBackbone: frozenBackbone, group: group)
        } catch let error as TrainingModelError {
            throw CLIError("\(snapshot) and \(cfg): \(error)")
        }
        let batchURL = URL(fileURLWithPath: batch, isDirectory: true)
        let data: TrainingBatch
        do {
            let global = try TrainingBatch(directory: batchURL)
            try model.check(global)
            data = try global.shard(rank: group.rank, of: group.size)
        } catch let error as TrainingBatchError {
            throw CLIError("\(error) (in '\(batch)')")
        }
        let dir = URL(fileURLWithPath: output, isDirectory: true)
        let outputs = ["losses.json", "gradients.safetensors", "updated.safetensors"].map { dir.appendingPathComponent($0) }
        try refuseOverwritingInputs(
            outputs: outputs,
            inputs: [("config", configURL), ("snapshot", URL(fileURLWithPath: snapshot))]
                + TrainingBatch.fileNames.map { ("batch", batchURL.appendingPathComponent($0)) })
        return .ready(config: config, model: model, data: data, output: dir, outputs: outputs)
    }
}

extension TrainStep {
    /// pysot's update after the backward pass: `clip_grad_norm_(GRAD_CLIP)`, then SGD from fresh
    /// momentum buffers at `--lr` (default `BASE_LR`) and, for `backbone.` parameters, `--backbone-lr`.
    func clippedUpdate(_ parameters: [TrainingParameter], train: TrainConfig) -> ClippedSGD.Clip {
        let sgd = ClippedSGD(momentum: train.momentum, weightDecay: train.weightDecay, maxNorm: train.gradClip)
        let clip = sgd.clip(parameters)
        let headLR = lr ?? train.baseLR
        let backboneLR = backboneLr ?? headLR
        sgd.step(parameters) { $0.name.hasPrefix("backbone.") ? backboneLR : headLR }
        return clip
    }
}

/// Writes `train-step`'s three files (`outputs`: losses.json, gradients.safetensors,
/// updated.safetensors), creating their folder.
func writeStepOutputs(
    _ outputs: [URL], clsLoss: Double, locLoss: Double, totalLoss: Double, clip: ClippedSGD.Clip?, updated: Bool, gradients: StateDict,
    weights: StateDict
) throws {
    try createDirectory(outputs[0].deletingLastPathComponent())
    let json = """
        {"cls_loss": \(jsonNumber(clsLoss)), "loc_loss": \(jsonNumber(locLoss)), \
        "total_loss": \(jsonNumber(totalLoss)), "grad_total_norm": \(jsonNumber(clip?.totalNorm ?? .nan)), \
        "clip_coefficient": \(jsonNumber(clip?.coefficient ?? .nan)), "updated": \(updated)}

        """
    do {
        try Data(json.utf8).write(to: outputs[0], options: .atomic)
    } catch {
        throw CLIError("cannot write '\(outputs[0].path)': \(describeFileError(error))")
    }
    try Safetensors.write(gradients, to: outputs[1])
    try Safetensors.write(weights, to: outputs[2])
}

/// A Double as a JSON number (shortest round-trip digits), or a string for NaN / infinity.
func jsonNumber(_ v: Double) -> String { v.isFinite ? "\(v)" : "\"\(v)\"" }
