// Mirrors pysot/tools/train.py: main() (model, pretrained weights, data loader, build_opt_lr, restore_from)
// and train() (the iteration loop: epoch boundaries, snapshots, the backbone unfreezing at BACKBONE.TRAIN_EPOCH,
// the schedule, the skipped invalid losses, clip_grad_norm_ + SGD, the logged values); NanoTrack's
// bin/train.py is the same trainer (TrainingRecipe holds what differs)
import Foundation
import SiamNN
import SiamRPN

/// pysot's trainer (and NanoTrack's, the same code) for one process; `TrainingRecipe` says
/// which model family it trains.
///
/// The loop is pysot's `train()`: `num_per_epoch = len(dataset) // EPOCH // BATCH_SIZE`
/// iterations per epoch, `EPOCH * num_per_epoch` in all (a shorter last loader batch is never
/// reached); batch `idx` of the stream belongs to epoch `START_EPOCH + idx // num_per_epoch`. At
/// each epoch boundary, before the epoch's first iteration: the snapshot `checkpoint_e{epoch}.pth`
/// (`TrainingCheckpoint`), then at `BACKBONE.TRAIN_EPOCH` a new optimiser (`build_opt_lr`: the
/// `TRAIN_LAYERS` stages train from here, momentum restarts from zero), then the schedule's lr of
/// the epoch. An iteration: forward + backward (`TrainableModel.trainingStep`), and only when the
/// total loss is finite and at most 1e4, `clip_grad_norm_(GRAD_CLIP)` and the SGD step. A NanoTrack
/// batch without a positive point (NanoTrack's IoU loss asserts, ending its run) is skipped like an
/// invalid loss.
///
/// Two deliberate differences from pysot, both so that a run can be stopped and continued:
/// the final `checkpoint_e{EPOCH}.pth` is always written (pysot writes it only when the loader has
/// a remainder batch), and a snapshot records the iterations done and numpy's generator, so
/// resuming from it continues the same data stream bit for bit (pysot's `--resume` restarts the
/// stream at item 0 under the snapshot's epoch; a snapshot written by pysot is resumed that way).
///
/// The items are pysot's with `TRAIN.NUM_WORKERS: 0` (`BatchLoader`). With workers, PyTorch's
/// `DataLoader` (1.9 and later) reseeds numpy in each worker from torch's generator, so pysot's
/// items then differ from these (the same distribution, other draws).
package final class Trainer {
    package let recipe: TrainingRecipe
    package let dataset: TrackingDataset
    package let schedule: LearningRateSchedule
    package let perEpoch: Int
    package let seed: UInt32
    /// Default initial values were drawn for these keys (not in the pretrained weights).
    package private(set) var initializedKeys: [String] = []
    private var model: any TrainableModel
    private var optimizer: ClippedSGD
    private var groups: OptimizerGroups
    private var modelEpochSetting: Bool
    /// The epoch of the stream's first batch (`START_EPOCH`, or the resumed stream's).
    private let streamStartEpoch: Int
    private var nextBatch: Int
    private var random: NumPyRandomState
    private var epoch: Int
    private let batchSize: Int
    private let loaderThreads: Int
    /// The processes training together; each takes its slice of every batch (`TrainingBatch.shard`).
    package let group: ProcessGroup
    /// The lr of every optimiser group in the current epoch (`lr_scheduler.step(epoch)`).
    private var lrs: [Double] = []

    /// What one iteration did.
    package struct Iteration: Sendable {
        /// The batch's index in the stream (pysot's `idx`, the TensorBoard step).
        package var index: Int
        /// 0-based epoch and the iteration within it (1-based, as pysot prints it).
        package var epoch: Int
        package var inEpoch: Int
        package var clsLoss: Double
        package var locLoss: Double
        package var totalLoss: Double
        /// The schedule's lr of the epoch (`get_cur_lr()`).
        package var lr: Double
        /// Seconds waiting for the batch, and for the whole iteration (data included).
        package var dataTime: Double
        package var batchTime: Double
        /// Whether the SGD step ran (false: the loss was not finite or above 1e4, or the batch unusable).
        package var updated: Bool
        /// Why the batch could not be trained (`TrainingStepLosses.unusable`), nil otherwise.
        package var unusable: String?
        package var gradientNorm: Double
        package var pairs: Int
    }

    /// What the trainer reports as it goes (called on the training thread).
    package struct Events {
        package var log: (String) -> Void = { _ in }
        package var iteration: (Iteration) -> Void = { _ in }
        /// An epoch began: its groups' lrs (pysot logs and plots them as `lr/group{i}`).
        package var epochStarted: (_ epoch: Int, _ index: Int, _ groupLRs: [Double]) -> Void = { _, _, _ in }
        package var checkpoint: (URL) -> Void = { _ in }

        package init() {}
    }

    /// How the run ended.
    package enum Outcome: Equatable {
        case finished
        /// `shouldStop` said so: the iterations after the last snapshot are lost (resume from it).
        case stopped(afterIteration: Int)
    }

    /// - Parameters:
    ///   - dataRoot: the folder `DATASET.*.ROOT` / `ANNO` are relative to (pysot: its repository).
    ///   - initialWeights: `TRAIN.PRETRAINED` weights (a whole model) or nil; keys it lacks get
    ///     PyTorch's default initial values, seeded by `seed`.
    ///   - resume: a snapshot to continue from (`TrainingCheckpoint`).
    ///   - group: the processes of a data-parallel run: every one plans the whole stream (so all
    ///     hold the same generator), trains on its slice of each batch with synchronised BatchNorm,
    ///     global loss normalisers and summed gradients, and takes the same SGD step; only the
    ///     root should write (`run` writes snapshots on the root alone).
    package convenience init(
        config: PysotConfig, dataRoot: URL, initialWeights: StateDict?, resume: URL?, seed: UInt32, loaderThreads: Int,
        group: ProcessGroup = .single
    ) throws {
        try self.init(
            recipe: .pysot(config), dataRoot: dataRoot, initialWeights: initialWeights, resume: resume, seed: seed,
            loaderThreads: loaderThreads, group: group)
    }

    /// The trainer of `recipe`'s model family (parameters as `init(config:...)`).
    package init(
        recipe: TrainingRecipe, dataRoot: URL, initialWeights: StateDict?, resume: URL?, seed: UInt32, loaderThreads: Int,
        group: ProcessGroup = .single
    ) throws {
        self.recipe = recipe
        self.group = group
        self.seed = seed
        self.loaderThreads = max(1, loaderThreads)
        batchSize = recipe.train.batchSize
        guard batchSize >= 2 else {
            throw TrainingDataError("TRAIN.BATCH_SIZE is \(batchSize); the head's train-mode BatchNorm needs a batch of 2 or more")
        }
        guard batchSize >= group.size else {
            throw TrainingDataError("TRAIN.BATCH_SIZE is \(batchSize), fewer than the \(group.size) processes; each needs one or more pairs")
        }
        guard recipe.train.epoch >= 1 else { throw TrainingDataError("TRAIN.EPOCH is \(recipe.train.epoch); train at least one epoch") }
        var random = NumPyRandomState(seed: seed)
        dataset = try recipe.makeDataset(dataRoot, &random)
        schedule = try LearningRateSchedule(train: recipe.train)
        perEpoch = dataset.count / recipe.train.epoch / batchSize
        guard perEpoch >= 1 else {
            throw TrainingDataError(
                "an epoch holds \(dataset.count / recipe.train.epoch) pairs (DATASET.VIDEOS_PER_EPOCH, or the NUM_USE sum), "
                    + "fewer than one batch of TRAIN.BATCH_SIZE \(batchSize)")
        }
        try recipe.validate(group)
        if recipe.train.epoch > recipe.backbone.trainEpoch {
            // Fail now, not after the epochs before TRAIN_EPOCH, when TRAIN_LAYERS names a stage the backbone lacks.
            _ = try recipe.makeModel(StateDict(), .layers(recipe.backbone.trainLayers), NumPyRandomState(seed: 0), .single)
        }

        var startEpoch = recipe.train.startEpoch
        var snapshot: TrainingCheckpoint?
        if let resume {
            let parameterNames = try recipe.makeModel(StateDict(), .all, NumPyRandomState(seed: 0), .single).parameters.map(\.name)
            // The snapshot of epoch e was written by the optimiser of epoch e - 1.
            let file = try TorchCheckpoint(contentsOf: resume)
            let writtenAt = max(0, (file.epoch ?? 0) - 1)
            let savedGroups = Self.groups(parameterNames, recipe: recipe, epoch: writtenAt)
            snapshot = try TrainingCheckpoint.read(resume, groups: savedGroups.groups)
            startEpoch = snapshot!.epoch
        }
        guard startEpoch < recipe.train.epoch else {
            throw TrainingDataError("the run starts at epoch \(startEpoch), but TRAIN.EPOCH is \(recipe.train.epoch): nothing to train")
        }
        if let point = snapshot?.resume {
            guard point.seed == Int(seed) else {
                throw TrainingDataError("the snapshot was trained with --seed \(point.seed); resume it with the same seed, not \(seed)")
            }
            streamStartEpoch = startEpoch - point.iteration / perEpoch
            nextBatch = point.iteration
            self.random = point.random
        } else {
            streamStartEpoch = startEpoch
            nextBatch = 0
            self.random = random
        }
        epoch = startEpoch
        modelEpochSetting = startEpoch >= recipe.backbone.trainEpoch
        let weights = snapshot?.stateDict ?? initialWeights ?? StateDict()
        model = try Self.makeModel(
            recipe, stateDict: weights, epoch: startEpoch, initializer: snapshot == nil ? NumPyRandomState(seed: seed) : nil, group: group)
        initializedKeys = model.weights.initialized
        groups = Self.groups(model.parameters.map(\.name), recipe: recipe, epoch: startEpoch)
        optimizer = ClippedSGD(momentum: recipe.train.momentum, weightDecay: recipe.train.weightDecay, maxNorm: recipe.train.gradClip)
        if let snapshot, startEpoch != recipe.backbone.trainEpoch {
            optimizer.buffers = snapshot.buffers
        }
    }

    /// Total iterations of the run (pysot's `EPOCH * num_per_epoch`, counted from the stream's start).
    package var totalIterations: Int { (recipe.train.epoch - streamStartEpoch) * perEpoch }
    /// Iterations done before this process started (a resumed run).
    package var firstIteration: Int { nextBatch }
    /// What the trainer's TensorBoard step adds to `Iteration.index`: 0 for pysot, the stream's
    /// first epoch times `perEpoch` for NanoTrack (`TrainingRecipe.stepsFromEpochZero`).
    package var tensorBoardStepOffset: Int { recipe.stepsFromEpochZero ? streamStartEpoch * perEpoch : 0 }
    /// The model's current state dict (pysot names).
    package var stateDict: StateDict { model.weights.stateDict() }

    /// Trains to `TRAIN.EPOCH`, writing snapshots into `snapshotDirectory`. `shouldStop` is
    /// polled after each iteration.
    package func run(snapshotDirectory: URL, events: Events, shouldStop: () -> Bool = { false }) throws -> Outcome {
        // Rendering ahead only pays when a core is left for it; otherwise the batch is rendered
        // between steps on the step's threads (BatchLoader's on-demand mode).
        let computeThreads = ComputeThreads.count
        let renderAhead = computeThreads + loaderThreads <= ProcessInfo.processInfo.activeProcessorCount
        let loader = BatchLoader(
            dataset: dataset, batchSize: batchSize, startIndex: nextBatch * batchSize, random: random,
            threads: renderAhead ? loaderThreads : max(loaderThreads, computeThreads), renderAhead: renderAhead)
        defer { loader.stop() }
        lrs = groupLRs()
        events.epochStarted(epoch, nextBatch, lrs)
        var end = Date()
        while true {
            let e = streamStartEpoch + nextBatch / perEpoch
            if e != epoch {
                epoch = e
                try writeSnapshot(snapshotDirectory, events: events)
                if epoch == recipe.train.epoch { return .finished }
                if epoch == recipe.backbone.trainEpoch {
                    events.log("start training backbone.")
                    model = try Self.makeModel(recipe, stateDict: model.weights.stateDict(), epoch: epoch, initializer: nil, group: group)
                    groups = Self.groups(model.parameters.map(\.name), recipe: recipe, epoch: epoch)
                    optimizer = ClippedSGD(momentum: recipe.train.momentum, weightDecay: recipe.train.weightDecay, maxNorm: recipe.train.gradClip)
                }
                lrs = groupLRs()
                events.log("epoch: \(epoch + 1)")
                events.epochStarted(epoch, nextBatch, lrs)
            }
            guard let data = try loader.next() else {
                // The stream ran out before the last epoch boundary (cannot happen with pysot's
                // arithmetic, kept as a guard): snapshot what was trained.
                epoch = recipe.train.epoch
                try writeSnapshot(snapshotDirectory, events: events)
                return .finished
            }
            let dataTime = Date().timeIntervalSince(end)
            model.zeroGradients()
            let loss = try model.trainingStep(data, train: recipe.train, group: group)
            let valid = loss.unusable == nil && loss.totalLoss.isFinite && loss.totalLoss <= 1e4
            var norm = Double.nan
            if valid {
                norm = optimizer.clip(model.parameters).totalNorm
                var lrByName: [String: Double] = [:]
                for (g, group) in groups.groups.enumerated() {
                    for name in group.parameters { lrByName[name] = lrs[g] }
                }
                optimizer.step(model.parameters) { lrByName[$0.name] ?? 0 }
            }
            random = data.randomAfter
            let batchTime = Date().timeIntervalSince(end)
            events.iteration(
                Iteration(
                    index: nextBatch, epoch: epoch, inEpoch: nextBatch % perEpoch + 1, clsLoss: loss.clsLoss, locLoss: loss.locLoss,
                    totalLoss: loss.totalLoss, lr: schedule.currentLR(epoch: epoch), dataTime: dataTime, batchTime: batchTime,
                    updated: valid, unusable: loss.unusable, gradientNorm: norm, pairs: data.items.count))
            nextBatch += 1
            end = Date()
            if shouldStop() { return .stopped(afterIteration: nextBatch) }
        }
    }

    /// The lr of every optimiser group at `epoch` (`lr_scheduler.step(epoch)`).
    private func groupLRs() -> [Double] { groups.groups.map { schedule.groupLR(initialLR: $0.initialLR, epoch: epoch) } }

    private func writeSnapshot(_ directory: URL, events: Events) throws {
        guard group.isRoot else { return }
        let url = directory.appendingPathComponent("checkpoint_e\(epoch).pth")
        let checkpoint = TrainingCheckpoint(
            epoch: epoch, stateDict: model.weights.stateDict(), groups: groups.groups, groupLRs: lrs,
            momentum: recipe.train.momentum, weightDecay: recipe.train.weightDecay, buffers: optimizer.buffers,
            resume: .init(iteration: nextBatch, seed: Int(seed), random: random))
        try checkpoint.write(to: url)
        events.checkpoint(url)
    }

    /// The training model for `epoch`: backbone frozen before `BACKBONE.TRAIN_EPOCH`, then its `TRAIN_LAYERS`.
    private static func makeModel(
        _ recipe: TrainingRecipe, stateDict: StateDict, epoch: Int, initializer: NumPyRandomState?, group: ProcessGroup
    ) throws -> any TrainableModel {
        let training: BackboneTraining = epoch >= recipe.backbone.trainEpoch ? .layers(recipe.backbone.trainLayers) : .frozen
        return try recipe.makeModel(stateDict, training, initializer, group)
    }

    private static func groups(_ names: [String], recipe: TrainingRecipe, epoch: Int) -> OptimizerGroups {
        OptimizerGroups(
            parameters: names, backbone: recipe.backbone, train: recipe.train, adjust: recipe.adjust, head: recipe.head, epoch: epoch)
    }
}
