// Mirrors pysot/tools/train.py: build_opt_lr (NanoTrack's bin/train.py: the same with ban_head) — which
// parameters train, in which SGD group at which lr, and which BatchNorm layers run in train mode
import SiamRPN

/// One SGD parameter group of `build_opt_lr`: its parameters (pysot state-dict names, in the
/// caller's order) and `initial_lr` (the lr it is built with; the scheduler then sets
/// `lr = lrSpaces[epoch] * initialLR / startLR`).
package struct OptimizerGroup: Sendable, Equatable {
    /// `backbone`, `neck`, or the head's module name (`rpn_head`, `ban_head`).
    package var module: String
    package var parameters: [String]
    package var initialLR: Double
}

/// `build_opt_lr(model, epoch)` as data. The model is `model.train()` first; then:
///
/// ```
/// every backbone parameter: requires_grad = False; every backbone BatchNorm2d: eval()
/// if epoch >= BACKBONE.TRAIN_EPOCH: for layer in TRAIN_LAYERS: backbone.<layer>.* trains, its BatchNorms train()
/// groups: [backbone params that train, lr LAYERS_LR * BASE_LR]     (present even when empty)
///         [every neck param, lr BASE_LR]     only if ADJUST.ADJUST (its params train even if unused)
///         [every head param, lr BASE_LR]
/// SGD(groups, momentum = TRAIN.MOMENTUM, weight_decay = TRAIN.WEIGHT_DECAY), then the schedule stepped to START_EPOCH
/// ```
///
/// pysot's `train()` calls it again at epoch `BACKBONE.TRAIN_EPOCH`: a NEW optimizer, so the
/// momentum buffers restart from zero there. Parameters outside every group (a frozen backbone's)
/// get no gradient and no update; a frozen BatchNorm normalises with, and does not update, its
/// running statistics.
package struct OptimizerGroups: Sendable, Equatable {
    package var groups: [OptimizerGroup]
    /// Parameters with `requires_grad = False` (in the caller's order).
    package var frozen: [String]

    /// - Parameters:
    ///   - parameters: the model's parameter names (`named_parameters()`, no buffers).
    ///   - head: the head's module name (`rpn_head` for pysot, `ban_head` for NanoTrack).
    ///   - adjust: `ADJUST.ADJUST` (a neck group exists).
    package init(parameters: [String], backbone: BackboneConfig, train: TrainConfig, adjust: Bool, head: String, epoch: Int) {
        let trainsBackbone = epoch >= backbone.trainEpoch
        func trains(_ name: String) -> Bool {
            Self.isBackbone(name) ? trainsBackbone && Self.inTrainLayers(name, backbone.trainLayers) : true
        }
        var groups = [
            OptimizerGroup(
                module: "backbone", parameters: parameters.filter { Self.isBackbone($0) && trains($0) },
                initialLR: backbone.layersLR * train.baseLR)
        ]
        if adjust {
            groups.append(OptimizerGroup(module: "neck", parameters: parameters.filter { $0.hasPrefix("neck.") }, initialLR: train.baseLR))
        }
        groups.append(OptimizerGroup(module: head, parameters: parameters.filter { $0.hasPrefix(head + ".") }, initialLR: train.baseLR))
        self.groups = groups
        frozen = parameters.filter { !trains($0) }
    }

    static func isBackbone(_ name: String) -> Bool { name.hasPrefix("backbone.") }

    static func inTrainLayers(_ name: String, _ layers: [String]) -> Bool {
        layers.contains { name.hasPrefix("backbone.\($0).") || name == "backbone.\($0)" }
    }

    /// Whether the BatchNorm module `module` (e.g. `backbone.layer2.0.bn1`) runs in train mode
    /// (batch statistics, running stats updated) at `epoch`: every module outside the backbone;
    /// backbone ones only from `TRAIN_EPOCH` and inside `TRAIN_LAYERS`.
    package static func batchNormTrains(_ module: String, backbone: BackboneConfig, epoch: Int) -> Bool {
        guard isBackbone(module + ".") else { return true }
        return epoch >= backbone.trainEpoch && inTrainLayers(module, backbone.trainLayers)
    }
}
