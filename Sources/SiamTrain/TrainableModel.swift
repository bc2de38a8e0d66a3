// Mirrors what pysot's tools/train.py and NanoTrack's bin/train.py train() ask of their ModelBuilder:
// outputs = model(data) with the loader's batch, outputs['total_loss'].backward(), model.parameters()
import SiamNN
import SiamRPN

/// The losses of one training iteration, or why it could not be computed.
package struct TrainingStepLosses: Sendable {
    package var clsLoss: Double
    package var locLoss: Double
    package var totalLoss: Double
    /// Why the batch could not be trained (no losses, no gradients): the trainer skips the step
    /// and logs this. nil for a computed step.
    package var unusable: String?

    package init(clsLoss: Double, locLoss: Double, totalLoss: Double, unusable: String? = nil) {
        self.clsLoss = clsLoss
        self.locLoss = locLoss
        self.totalLoss = totalLoss
        self.unusable = unusable
    }
}

/// A model in training form that `Trainer` can drive: its parameters (state-dict names and
/// order, gradients beside them), and one forward + backward pass on a batch of the loader
/// (`DatasetBatch`: `TrackingDataset` items with this model family's labels).
/// `SiamRPNTrainingModel` (pysot, anchor labels) and `NanoTrackTrainingModel` (point labels) conform.
package protocol TrainableModel: AnyObject {
    var weights: TrainingWeights { get }
    /// Every parameter (frozen ones included), in state-dict order.
    var parameters: [TrainingParameter] { get }
    func zeroGradients()
    /// `outputs = model(batch)` + `total_loss.backward()` on this process's slice of the loader's
    /// batch (`group`: the processes training together), with `TRAIN.CLS_WEIGHT` / `LOC_WEIGHT`
    /// and labels of side `TRAIN.OUTPUT_SIZE`; gradients are added into the parameters' `grad`.
    func trainingStep(_ data: DatasetBatch, train: TrainConfig, group: ProcessGroup) throws -> TrainingStepLosses
}

extension SiamRPNTrainingModel: TrainableModel {
    /// The batch's labels are `[B, anchor_num, OUTPUT_SIZE, OUTPUT_SIZE]` (pysot's `AnchorTarget`).
    package func trainingStep(_ data: DatasetBatch, train: TrainConfig, group: ProcessGroup) throws -> TrainingStepLosses {
        let batch = try TrainingBatch(data, labelShape: [data.items.count, anchorNum, train.outputSize, train.outputSize])
            .shard(rank: group.rank, of: group.size)
        let loss = step(batch, clsWeight: train.clsWeight, locWeight: train.locWeight)
        return TrainingStepLosses(clsLoss: loss.clsLoss, locLoss: loss.locLoss, totalLoss: loss.totalLoss)
    }
}

extension NanoTrackTrainingModel: TrainableModel {
    /// The batch's labels are `[B, OUTPUT_SIZE, OUTPUT_SIZE]` (NanoTrack's `PointTarget`). One
    /// process only (`group` must be `.single`; `TrainingRecipe.nanoTrack` refuses more). A
    /// batch without a positive point is unusable: NanoTrack's IoU loss asserts there.
    package func trainingStep(_ data: DatasetBatch, train: TrainConfig, group: ProcessGroup) throws -> TrainingStepLosses {
        let batch = NanoTrackTrainingBatch(data, labelShape: [data.items.count, train.outputSize, train.outputSize])
        try check(batch)
        do {
            let loss = try step(batch, clsWeight: train.clsWeight, locWeight: train.locWeight)
            return TrainingStepLosses(clsLoss: loss.clsLoss, locLoss: loss.locLoss, totalLoss: loss.totalLoss)
        } catch let error as NanoTrackLossError {
            return TrainingStepLosses(clsLoss: .nan, locLoss: .nan, totalLoss: .nan, unusable: "\(error)")
        }
    }
}
