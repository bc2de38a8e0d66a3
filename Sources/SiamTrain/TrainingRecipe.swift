// Mirrors the model-specific parts of pysot's tools/train.py and NanoTrack's bin/train.py (the same trainer):
// ModelBuilder(), build_data_loader()'s TrkDataset / BANDataset, build_opt_lr's head module (rpn_head / ban_head)
import Foundation
import SiamNN
import SiamRPN

/// What `Trainer` needs to know of a model family: the config's `TRAIN` / `BACKBONE` /
/// `ADJUST.ADJUST`, the head's module name for `build_opt_lr`, how the dataset labels its items
/// and how the training model is built. `pysot(_:)` and `nanoTrack(_:)` are the two families.
package struct TrainingRecipe {
    package var train: TrainConfig
    package var backbone: BackboneConfig
    /// `ADJUST.ADJUST`: the optimiser has a neck group.
    package var adjust: Bool
    /// The head's module name (`rpn_head`, `ban_head`).
    package var head: String
    /// The run's name in plots (`META_ARC`).
    package var title: String
    /// Whether TensorBoard steps count from epoch 0 (NanoTrack's `tb_idx = idx + start_epoch *
    /// num_per_epoch`) rather than from the stream's first batch (pysot's `tb_idx = idx`).
    package var stepsFromEpochZero: Bool
    /// Throws when the config cannot be trained by `group` (checked before any data is read).
    package var validate: (_ group: ProcessGroup) throws -> Void
    /// `TrkDataset()` / `BANDataset()`, drawing from `random` (resolving paths against `base`).
    package var makeDataset: (_ base: URL, _ random: inout NumPyRandomState) throws -> TrackingDataset
    /// The training model bound to `stateDict` (an `initializer` fills absent keys), the backbone training as `training` says.
    package var makeModel:
        (
            _ stateDict: StateDict, _ training: BackboneTraining, _ initializer: NumPyRandomState?, _ group: ProcessGroup
        ) throws -> any TrainableModel

    /// pysot's SiamRPN++ (`SiamRPNTrainingModel`, anchor labels, `rpn_head`).
    package static func pysot(_ config: PysotConfig) -> TrainingRecipe {
        TrainingRecipe(
            train: config.train, backbone: config.backbone, adjust: config.adjust.adjust, head: "rpn_head",
            title: config.metaArc.isEmpty ? "training" : config.metaArc, stepsFromEpochZero: false,
            validate: { _ in _ = try config.modelSpec() },
            makeDataset: { base, random in try TrackingDataset(pysot: config, base: base, random: &random) },
            makeModel: { stateDict, training, initializer, group in
                try SiamRPNTrainingModel(
                    spec: try config.modelSpec(), stateDict: stateDict, backbone: training, initializer: initializer, group: group)
            })
    }

    /// NanoTrackV3 (`NanoTrackTrainingModel`, `PointTarget` labels, `ban_head`); one process.
    package static func nanoTrack(_ config: NanoTrackTrainingConfig) -> TrainingRecipe {
        TrainingRecipe(
            train: config.train, backbone: config.backbone, adjust: config.adjust, head: "ban_head", title: "nanotrack", stepsFromEpochZero: true,
            validate: { group in
                guard group.size == 1 else {
                    throw TrainingDataError("NanoTrack training runs in one process (\(group.size) were started)")
                }
                let t = config.train
                let side = NanoTrackTrainingModel.outputSide(search: t.searchSize)
                guard side == t.outputSize else {
                    throw TrainingDataError(
                        "TRAIN.OUTPUT_SIZE is \(t.outputSize), but NanoTrack's head gives \(side)x\(side) scores for "
                            + "TRAIN.SEARCH_SIZE \(t.searchSize): make them agree (15 for 255)")
                }
                guard (113...128).contains(t.exemplarSize) else {
                    throw TrainingDataError(
                        "TRAIN.EXEMPLAR_SIZE is \(t.exemplarSize); NanoTrack's head needs 8x8 template features (113 to 128 px, 127 in NanoTrack)")
                }
                guard config.pointStride == 16 else {
                    throw TrainingDataError(
                        "POINT.STRIDE is \(config.pointStride), but NanoTrackV3's score map has stride 16 (its config sets 16)")
                }
            },
            makeDataset: { base, random in try TrackingDataset(nanoTrack: config, base: base, random: &random) },
            makeModel: { stateDict, training, initializer, _ in
                try NanoTrackTrainingModel(stateDict: stateDict, backbone: training, initializer: initializer)
            })
    }
}
