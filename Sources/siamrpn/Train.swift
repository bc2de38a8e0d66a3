// Mirrors pysot's tools/train.py (and NanoTrack's bin/train.py, the same trainer) as a command: its flags (--cfg, --seed), its log lines, its snapshots and
// TensorBoard scalars
import ArgumentParser
import Foundation
import SiamEval
import SiamNN
import SiamRPN
import SiamTrain

/// `siamrpn train`: trains a pysot model, or NanoTrackV3 from a NanoTrack config, on prepared data
/// (`siamrpn prepare` or pysot's own crops).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a pysot model or NanoTrackV3 on prepared crops (pysot's tools/train.py, NanoTrack's bin/train.py).",
        discussion: """
            The config's DATASET section names the prepared datasets (ROOT: the crop511 folder, ANNO: \
            train.json; relative paths are relative to --data-root) and TRAIN / BACKBONE the schedule: \
            EPOCH epochs of len(dataset) / EPOCH / BATCH_SIZE iterations, the backbone frozen until \
            BACKBONE.TRAIN_EPOCH, then its TRAIN_LAYERS at LAYERS_LR x the lr. Every epoch boundary writes \
            OUTPUT/checkpoint_e<epoch>.pth (pysot's snapshot: epoch, state_dict, optimizer; torch.load \
            and pysot's --resume read it) and .safetensors of its weights; OUTPUT/logs holds logs.txt \
            (pysot's log lines), a TensorBoard event file (pysot's scalars: cls_loss, loc_loss, \
            total_loss, batch_time, data_time, time/data, lr/groupN) and loss.png / loss.svg. \
            --resume continues a run from one of its snapshots exactly as if it had not stopped (same \
            seed); Ctrl-C stops after the current iteration (resume from the last snapshot). A NanoTrack \
            config (META_ARC nanotrack or a mobilenetv3_small backbone) trains NanoTrackV3 with \
            NanoTrack's trainer: point labels (POINT.STRIDE 16, OUTPUT_SIZE 15 for SEARCH_SIZE 255), \
            NanoTrack's losses, ban_head groups; one process.
            """)

    @Option(help: "pysot or NanoTrack experiment config, config.yaml.")
    var cfg: String
    @Option(help: "Initial weights of the whole model (TRAIN.PRETRAINED); keys it lacks get PyTorch's default initialisation.")
    var pretrained: String?
    @Option(help: "Continue from this snapshot (checkpoint_e<N>.pth of a run of this config).")
    var resume: String?
    @Option(help: "numpy seed of the data pipeline (and of default initial weights), as pysot's --seed.")
    var seed: UInt32 = 123456
    @Option(help: "Folder for snapshots and logs. Default: TRAIN.SNAPSHOT_DIR and TRAIN.LOG_DIR, as pysot.")
    var output: String?
    @Option(name: .customLong("data-root"), help: "The folder DATASET ROOT / ANNO paths are relative to. Default: the current folder.")
    var dataRoot: String = "."
    @Option(help: "Threads for the network (default: all cores).")
    var threads: Int?
    @Option(name: .customLong("loader-threads"), help: "Threads preparing batches (default: TRAIN.NUM_WORKERS, at least 1).")
    var loaderThreads: Int?

    func run() throws {
        try reportingErrors {
            let group = try ProcessGroup.fromEnvironment()
            // Every process builds its trainer; they agree on the outcome before training, and the
            // lowest failing rank alone reports (the others exit 1 quietly).
            var failure: (any Error)?
            var prepared: (train: TrainConfig, trainer: Trainer, initialized: Bool)?
            do {
                prepared = try prepare(group)
            } catch {
                failure = error
            }
            if let first = group.firstFailure(failure != nil) {
                if first == group.rank, let failure { throw failure }
                throw ExitCode.failure
            }
            guard let (train, trainer, initialized) = prepared else { return }
            let snapshots = URL(fileURLWithPath: output ?? train.snapshotDir, isDirectory: true)
            let logs =
                output.map { URL(fileURLWithPath: $0, isDirectory: true).appendingPathComponent("logs") }
                ?? URL(fileURLWithPath: train.logDir, isDirectory: true)
            var events = Trainer.Events()
            var log: TrainingLog?
            if group.isRoot {
                if initialized {
                    printError(
                        "warning: the pretrained weights lack \(trainer.initializedKeys.count) of the model's tensors "
                            + "(\(trainer.initializedKeys.prefix(4).joined(separator: ", "))\(trainer.initializedKeys.count > 4 ? ", ..." : "")); "
                            + "they start from PyTorch's default initialisation")
                }
                try createDirectory(snapshots)
                try createDirectory(logs)
                let l = try TrainingLog(
                    logs: logs, perEpoch: trainer.perEpoch, total: trainer.totalIterations, printFreq: train.printFreq,
                    stepOffset: trainer.tensorBoardStepOffset)
                log = l
                l.line(
                    "model prepare done: \(trainer.dataset.count) pairs, \(trainer.perEpoch) iterations per epoch, "
                        + "iterations \(trainer.firstIteration + 1)-\(trainer.totalIterations)"
                        + (group.size > 1 ? ", \(group.size) processes" : ""))
                events.log = { l.line($0) }
                events.iteration = { l.record($0) }
                events.epochStarted = { epoch, index, lrs in l.epochStarted(epoch: epoch, index: index, lrs: lrs) }
                events.checkpoint = { url in
                    do {
                        try Safetensors.write(trainer.stateDict, to: url.deletingPathExtension().appendingPathExtension("safetensors"))
                        try l.plot(title: trainer.recipe.title)
                    } catch {
                        printError("warning: \(error)")
                    }
                    l.line("snapshot \(url.path)")
                }
            }
            let interruption = Interruption()
            defer { interruption.uninstall() }
            // Several processes stop together (they would wait for each other in the next all-reduce otherwise).
            let stop = { group.size > 1 ? group.firstFailure(interruption.receivedSignal != nil) != nil : interruption.receivedSignal != nil }
            let outcome: Trainer.Outcome
            do {
                outcome = try trainer.run(snapshotDirectory: snapshots, events: events, shouldStop: stop)
            } catch {
                // The other processes are inside a collective: end the whole job.
                if group.size > 1 {
                    printError("error: process \(group.rank): \(error)")
                    group.abort(1)
                }
                if let error = error as? TrainingDataError { throw CLIError("\(error)") }
                throw error
            }
            log?.finishProgress()
            switch outcome {
            case .finished:
                log?.line("done: \(trainer.totalIterations) iterations; snapshots in \(snapshots.path)")
            case .stopped(let iteration):
                log?.line("stopped after iteration \(iteration); continue with --resume <the last checkpoint_e*.pth>")
                throw ExitCode(128 + (interruption.receivedSignal ?? SIGINT))
            }
        }
    }

    /// The config and the trainer (with whether default initial values filled keys the pretrained weights lack).
    private func prepare(_ group: ProcessGroup) throws -> (train: TrainConfig, trainer: Trainer, initialized: Bool) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        try applyThreads(threads, preferred: group.size > 1 ? max(1, cores / ProcessGroup.processesOnThisMachine()) : nil)
        let recipe: TrainingRecipe
        let warnings: [String]
        if let text = try? String(contentsOf: URL(fileURLWithPath: cfg), encoding: .utf8), NanoTrackConfig.describes(text) {
            let nano = try NanoTrackTrainingConfig.read(yaml: text, source: cfg)
            (recipe, warnings) = (.nanoTrack(nano.config), nano.warnings)
        } else {
            let config = try PysotConfig.load(contentsOf: URL(fileURLWithPath: cfg))
            (recipe, warnings) = (.pysot(config), config.warnings)
        }
        if group.isRoot {
            for warning in warnings { printError("warning: \(cfg): \(warning)") }
        }
        let train = recipe.train
        var initial = try (pretrained ?? (train.pretrained.isEmpty ? nil : train.pretrained)).map {
            try StateDict.load(contentsOf: URL(fileURLWithPath: $0))
        }
        let resumeFrom = resume ?? (train.resume.isEmpty ? nil : train.resume)
        if !recipe.backbone.pretrained.isEmpty && resumeFrom == nil {
            // pysot resolves BACKBONE.PRETRAINED against its repository, the folder the data paths are relative to.
            let path = recipe.backbone.pretrained
            let url =
                path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: dataRoot, isDirectory: true).appendingPathComponent(path)
            let file = try StateDict.load(contentsOf: url)
            do {
                let model = try recipe.makeModel(StateDict(), .all, NumPyRandomState(seed: 0), .single).weights.stateDict()
                let merged = try PretrainedBackbone.merge(file, source: url.path, whole: initial, model: model)
                initial = merged.weights
                if group.isRoot {
                    let unused =
                        merged.unused.isEmpty
                        ? ""
                        : " (\(merged.unused.count) unused: \(merged.unused.prefix(4).joined(separator: ", "))\(merged.unused.count > 4 ? ", ..." : ""))"
                    printError("loaded \(merged.used) backbone tensors from BACKBONE.PRETRAINED \(url.path)\(unused)")
                }
            } catch let error as TrainingModelError {
                throw CLIError("\(cfg): \(error)")
            } catch let error as TrainingDataError {
                throw CLIError("\(error)")
            }
        }
        do {
            let trainer = try Trainer(
                recipe: recipe, dataRoot: URL(fileURLWithPath: dataRoot, isDirectory: true), initialWeights: initial,
                resume: resumeFrom.map { URL(fileURLWithPath: $0) },
                seed: seed, loaderThreads: loaderThreads ?? max(1, train.numWorkers), group: group)
            return (train, trainer, initial != nil && !trainer.initializedKeys.isEmpty)
        } catch let error as TrainingModelError {
            throw CLIError("\(cfg): \(error)")
        } catch let error as TrainingDataError {
            throw CLIError("\(error)")
        }
    }
}

/// The run's log: pysot's text lines (stdout and logs/logs.txt), its TensorBoard scalars, a
/// progress line on a terminal, and the loss curves.
private final class TrainingLog {
    let perEpoch: Int
    let total: Int
    let printFreq: Int
    let text: FileHandle
    let events: TensorBoardEventWriter
    let logs: URL
    /// Added to the stream's batch index for the TensorBoard step (`Trainer.tensorBoardStepOffset`).
    let stepOffset: Int
    let terminal = isatty(STDERR_FILENO) == 1
    /// pysot's `AverageMeter()`: the last 100 values of each quantity.
    var window: [String: [Double]] = [:]
    var curves: [(name: String, points: [(iteration: Double, loss: Double)])] = [
        ("total_loss", []), ("cls_loss", []), ("loc_loss", [])
    ]

    init(logs: URL, perEpoch: Int, total: Int, printFreq: Int, stepOffset: Int) throws {
        self.logs = logs
        self.stepOffset = stepOffset
        self.perEpoch = perEpoch
        self.total = total
        self.printFreq = max(1, printFreq)
        let file = logs.appendingPathComponent("logs.txt")
        if !FileManager.default.fileExists(atPath: file.path) { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: file.path) else { throw CLIError("cannot write '\(file.path)'") }
        handle.seekToEndOfFile()
        text = handle
        events = try TensorBoardEventWriter(directory: logs)
    }

    func line(_ s: String) {
        clearProgress()
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
        text.write(Data((s + "\n").utf8))
    }

    func epochStarted(epoch: Int, index: Int, lrs: [Double]) {
        guard index > 0 && index % perEpoch == 0 else { return }
        for (g, lr) in lrs.enumerated() {
            line("epoch \(epoch + 1) lr \(lr)")
            try? events.addScalar("lr/group\(g + 1)", lr, step: index + stepOffset)
        }
    }

    /// The meter's value and average, as pysot's `Meter.__repr__` prints them.
    func meter(_ name: String, _ value: Double) -> String {
        var w = window[name, default: []]
        w.append(value)
        if w.count > 100 { w.removeFirst(w.count - 100) }
        window[name] = w
        let average = w.reduce(0, +) / Double(w.count)
        return "\(name): \(String(format: "%.6f", value)) (\(String(format: "%.6f", average)))"
    }

    func record(_ it: Trainer.Iteration) {
        let values: [(String, Double)] = [
            ("batch_time", it.batchTime), ("data_time", it.dataTime), ("cls_loss", it.clsLoss), ("loc_loss", it.locLoss),
            ("total_loss", it.totalLoss)
        ]
        try? events.addScalar("time/data", it.dataTime, step: it.index + stepOffset)
        for (name, v) in values { try? events.addScalar(name, v, step: it.index + stepOffset) }
        let shown = values.map { meter($0.0, $0.1) }
        for (k, name) in ["total_loss", "cls_loss", "loc_loss"].enumerated() {
            let w = window[name] ?? []
            curves[k].points.append((Double(it.index + 1), w.reduce(0, +) / Double(max(1, w.count))))
        }
        if let reason = it.unusable {
            line("warning: iteration \(it.index + 1): \(reason); the step is skipped")
        } else if !it.updated {
            line("warning: iteration \(it.index + 1): total loss \(it.totalLoss) is not finite or above 1e4; the step is skipped, as pysot does")
        }
        let done = it.index + 1
        if done % printFreq == 0 {
            var info = "Epoch: [\(it.epoch + 1)][\(done % perEpoch)/\(perEpoch)] lr: \(String(format: "%.6f", it.lr))\n"
            for (k, s) in shown.enumerated() { info += k % 2 == 0 ? "\t\(s)\t" : "\(s)\n" }
            line(info)
            let average = (window["batch_time"] ?? []).reduce(0, +) / Double(max(1, window["batch_time"]?.count ?? 1))
            let remaining = Double(total - done) * average
            let days = Int((remaining / 86400).rounded(.down))
            let hours = Int((remaining / 3600 - Double(days) * 24).rounded(.down))
            let minutes = Int((remaining / 60 - Double(days) * 1440 - Double(hours) * 60).rounded(.down))
            line(
                String(
                    format: "Progress: %d / %d [%d%%], Speed: %.3f s/iter, ETA %d:%02d:%02d (D:H:M)\n", done, total, done * 100 / max(1, total),
                    average, days, hours, minutes))
        }
        if terminal {
            let pairs = Double(it.pairs) / max(it.batchTime, 1e-9)
            let bar = String(repeating: "#", count: done * 30 / max(1, total)).padding(toLength: 30, withPad: ".", startingAt: 0)
            FileHandle.standardError.write(
                Data(
                    String(
                        format: "\r[%@] %d/%d epoch %d loss %.4f %.1f pairs/s ", bar, done, total, it.epoch + 1,
                        (window["total_loss"] ?? [0]).reduce(0, +) / Double(max(1, window["total_loss"]?.count ?? 1)), pairs
                    ).utf8))
        }
    }

    func clearProgress() {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    func finishProgress() { clearProgress() }

    func plot(title: String) throws {
        guard curves.contains(where: { !$0.points.isEmpty }) else { return }
        try PlotWriter.write(lossCurves: curves, title: title, to: logs)
    }
}
