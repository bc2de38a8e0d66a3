// Mirrors NanoTrack nanotrack/models/model_builder.py: ModelBuilder.forward (training), with its backward pass
import SiamNN
import SiamRPN

/// NanoTrackV3 in training form: BatchNorm unfolded, NanoTrack's parameter names, a forward
/// pass on a batch that keeps what the backward pass needs, and the backward pass.
///
/// `ModelBuilder.forward(data)`: `zf = backbone(template)`, `xf = backbone(search)` (two calls:
/// each train-mode backbone BatchNorm normalises with its own batch statistics and updates the
/// shared running statistics, twice per step), `cls, loc = ban_head(zf, xf)` (every head
/// BatchNorm in train mode, once per step), NanoTrack's losses (`NanoTrackLoss`). The neck
/// (`neck.downsample`, `ADJUST: True`) is bound but never called, as in NanoTrack: it gets no
/// gradient and is never updated. `BackboneTraining.frozen` is the trainer's setting before
/// `BACKBONE.TRAIN_EPOCH`: backbone parameters `requires_grad = False`, its BatchNorms in eval
/// mode (running statistics used, never updated), the backward pass stops at the head. `.all`
/// and `.layers(["features"])` (NanoTrack's `TRAIN_LAYERS`, the whole backbone) train every
/// backbone parameter with train-mode BatchNorms.
///
/// Inputs `[N, 3, T, T]` templates (T in 113...128: 8x8 features, the pixel-wise correlation's
/// 64 channels) and `[N, 3, S, S]` search crops, BGR float32 pixel values as NanoTrack's dataset
/// hands them over; labels `[N, X-1, X-1]` for search features `X = ceil(S / 16)` (15 for 255).
package final class NanoTrackTrainingModel {
    package static let architecture = "NanoTrackV3 (MobileNetV3-Small v3 + BAN v3)"

    package let weights: TrainingWeights
    package let backboneTraining: BackboneTraining
    /// Whether the backbone trains (its parameters get gradients, its BatchNorms train mode).
    private let backboneTrains: Bool
    private let templateBranch: TrainingSequence
    private let searchBranch: TrainingSequence
    private let head: BANHeadTraining
    private let dCls = TrainingBuffer()
    private let dLoc = TrainingBuffer()

    /// Binds `stateDict` strictly (`TrainingModelError` for missing, extra or mis-shaped keys:
    /// NanoTrack's 438 entries incl. the neck's); `frozenBackbone` is `.frozen`, otherwise `.all`.
    package convenience init(stateDict: StateDict, frozenBackbone: Bool) throws {
        try self.init(stateDict: stateDict, backbone: frozenBackbone ? .frozen : .all)
    }

    /// Binds `stateDict` strictly or, with an `initializer`, gives absent keys PyTorch's default
    /// initial values (`TrainingWeights`). `backbone` says whether the backbone trains.
    package init(stateDict: StateDict, backbone training: BackboneTraining, initializer: NumPyRandomState? = nil) throws {
        let trains: Bool
        switch training {
        case .all: trains = true
        case .frozen: trains = false
        case .layers(let names):
            if let other = names.first(where: { $0 != "features" }) {
                throw TrainingModelError.unsupported(
                    "BACKBONE.TRAIN_LAYERS names '\(other)', which NanoTrack's MobileNetV3 does not have (its only module is 'features')")
            }
            trains = !names.isEmpty
        }
        let weights = TrainingWeights(stateDict, architecture: Self.architecture, initializer: initializer)
        let backbone = NanoMobileNetV3Training(settings: NanoMobileNetV3.smallV3, weights: weights, prefix: "backbone.")
        let neckConv = weights.parameter("neck.downsample.0.weight", shape: [backbone.outChannels, backbone.outChannels, 1, 1])
        let neckNorm = weights.batchNorm("neck.downsample.1", channels: backbone.outChannels)
        for p in [neckConv, neckNorm.weight, neckNorm.bias] { p.requiresGrad = false }
        head = BANHeadTraining(channels: backbone.outChannels, weights: weights, prefix: "ban_head.")
        try weights.finish()
        if !trains {
            for p in backbone.parameters { p.requiresGrad = false }
        }
        self.weights = weights
        backboneTraining = training
        backboneTrains = trains
        templateBranch = backbone.branch(training: trains)
        searchBranch = backbone.branch(training: trains)
    }

    /// Every parameter (frozen ones and the neck's included), in NanoTrack's state-dict order.
    package var parameters: [TrainingParameter] { weights.parameters }

    /// The label side for a search crop side: the head's output `X - 1`.
    package static func outputSide(search side: Int) -> Int { NanoMobileNetV3Training.outputSide(side) - 1 }

    /// Throws unless `batch`'s images fit the network and its labels the head's output.
    package func check(_ batch: NanoTrackTrainingBatch) throws {
        let t = BANHeadTraining.templateSide
        for (side, name) in [(batch.template.height, "height"), (batch.template.width, "width")]
        where NanoMobileNetV3Training.outputSide(side) != t {
            throw TrainingBatchError(
                file: "template.npy",
                problem: "has images of \(name) \(side); NanoTrack's head needs \(t)x\(t) template features "
                    + "(templates of 113 to 128 px, 127 in NanoTrack)")
        }
        let h = Self.outputSide(search: batch.search.height)
        let w = Self.outputSide(search: batch.search.width)
        guard h >= 1 && w >= 1 else {
            throw TrainingBatchError(
                file: "search.npy", problem: "has images of \(batch.search.height)x\(batch.search.width), too small for NanoTrack (17 px or more)")
        }
        let expected = [batch.template.batch, h, w]
        guard batch.labelShape == expected else {
            throw TrainingBatchError(
                file: "label_cls.npy",
                problem: "has shape \(batch.labelShape) but the model's score map for these crops is \(expected) ([N, H, W])")
        }
    }

    /// `ModelBuilder.forward` + `loss.backward()`: gradients are added into the parameters'
    /// `grad` (zero them first with `zeroGradients()`), BatchNorm running statistics are updated.
    /// The batch must pass `check`. Throws `NanoTrackLossError` for a batch without positives
    /// (NanoTrack's IoU loss asserts there), after the forward pass (running statistics updated).
    package func step(_ batch: NanoTrackTrainingBatch, clsWeight: Double, locWeight: Double) throws -> NanoTrackLoss {
        let zf = templateBranch.forward(batch.template)
        let xf = searchBranch.forward(batch.search)
        let (cls, loc) = head.forward(template: zf, search: xf)
        let loss = try NanoTrackLoss(
            cls: cls, loc: loc, labelCls: batch.labelCls, labelLoc: batch.labelLoc, clsWeight: clsWeight, locWeight: locWeight,
            dCls: dCls, dLoc: dLoc)
        let (dz, dx) = head.backward(cls: dCls, loc: dLoc)
        if backboneTrains {
            _ = searchBranch.backward(dx)
            _ = templateBranch.backward(dz)
        }
        return loss
    }

    package func zeroGradients() {
        for p in parameters { p.zeroGradient() }
    }
}
