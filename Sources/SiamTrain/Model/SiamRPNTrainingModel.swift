// Mirrors pysot/models/model_builder.py: ModelBuilder.forward (training), with its backward pass
import SiamNN
import SiamRPN

/// A pysot SiamRPN++ model in training form: BatchNorm unfolded, pysot's parameter names, a
/// forward pass on a batch that keeps what the backward pass needs, and the backward pass.
///
/// `ModelBuilder.forward(data)`: `zf = backbone(template)`, `xf = backbone(search)` (two calls,
/// each train-mode BatchNorm normalising with its own batch statistics and updating the shared
/// running statistics: backbone BNs twice per step), then with `ADJUST` `zf = neck(zf)`, `xf =
/// neck(xf)` (the neck's BNs twice too, after the backbone's), `cls, loc = rpn_head(zf, xf)`, the
/// losses (`RPNLoss`). `BackboneTraining.frozen` is pysot's setting before `BACKBONE.TRAIN_EPOCH`:
/// backbone parameters `requires_grad = False` and its BatchNorms in eval mode (running
/// statistics used, never updated); the backward pass then stops at the neck. `.layers(TRAIN_LAYERS)`
/// is pysot's from that epoch on: only those modules train (their BatchNorms in train mode) and
/// the backward pass stops at the lowest of them. `.all` trains every parameter (`train-step`
/// without `--frozen-backbone`).
///
/// Supported: the AlexNet / AlexNetLegacy, ResNet-18/34/50 and MobileNetV2 backbones, no neck,
/// `AdjustLayer` or `AdjustAllLayer`, and the `DepthwiseRPN`, `MultiRPN` and `UPChannelRPN` heads
/// (`TrainingModelError.unsupported` names anything else). Inputs `[N, 3, Z, Z]` template and
/// `[N, 3, S, S]` search crops, BGR float32 pixel values as pysot's dataset hands them over.
package final class SiamRPNTrainingModel {
    package let weights: TrainingWeights
    package let backboneTraining: BackboneTraining
    private let backbone: any TrainingBackbone
    private let templateBranch: any TrainingBackboneBranch
    private let searchBranch: any TrainingBackboneBranch
    private let neck: NeckTraining?
    private let templateNeck: NeckBranch?
    private let searchNeck: NeckBranch?
    private let head: any RPNHeadTraining
    /// `RPN.KWARGS.anchor_num`.
    package let anchorNum: Int
    private let dCls = TrainingBuffer()
    private let dLoc = TrainingBuffer()

    /// The processes training together (`.single`: this one alone); see `step`.
    package let group: ProcessGroup

    /// Binds `stateDict` strictly (`TrainingModelError` for missing, extra or mis-shaped keys);
    /// `frozenBackbone` is `.frozen`, otherwise `.all`.
    package convenience init(spec: ModelSpec, stateDict: StateDict, frozenBackbone: Bool, group: ProcessGroup = .single) throws {
        try self.init(spec: spec, stateDict: stateDict, backbone: frozenBackbone ? .frozen : .all, group: group)
    }

    /// Binds `stateDict` strictly (`TrainingModelError` for missing, extra or mis-shaped keys) or,
    /// with an `initializer`, gives absent keys PyTorch's default initial values
    /// (`TrainingWeights`). `backbone` says which backbone modules train. With a `group` of several
    /// processes, the train-mode BatchNorms are synchronised over it.
    package init(
        spec: ModelSpec, stateDict: StateDict, backbone training: BackboneTraining, initializer: NumPyRandomState? = nil,
        group: ProcessGroup = .single
    ) throws {
        self.group = group
        let weights = TrainingWeights(stateDict, architecture: "\(spec.backbone) + \(spec.neck) + \(spec.head)", initializer: initializer)
        let backbone: any TrainingBackbone
        switch spec.backbone {
        case .alexNet(let widthMult):
            backbone = AlexNetTraining(widthMult: widthMult, legacy: false, weights: weights, prefix: "backbone.")
        case .alexNetLegacy(let widthMult):
            backbone = AlexNetTraining(widthMult: widthMult, legacy: true, weights: weights, prefix: "backbone.")
        case .resnet(let depth, let usedLayers):
            backbone = ResNetTraining(depth: depth, usedLayers: usedLayers, weights: weights, prefix: "backbone.")
        case .mobileNetV2(let widthMult, let usedLayers):
            backbone = MobileNetV2Training(widthMult: widthMult, usedLayers: usedLayers, weights: weights, prefix: "backbone.")
        }
        let neck = NeckTraining(spec: spec.neck, weights: weights, prefix: "neck.")
        if let neck, neck.inChannels != backbone.outChannels {
            throw TrainingModelError.unsupported(
                "ADJUST.KWARGS.in_channels is \(neck.inChannels) but the backbone gives \(backbone.outChannels) channels")
        }
        let features = neck?.outChannels ?? backbone.outChannels
        switch spec.head {
        case .depthwise(let anchorNum, let inChannels, let outChannels):
            guard [inChannels] == features else {
                throw TrainingModelError.unsupported("RPN.KWARGS.in_channels is \(inChannels) but the head is given \(features) channels")
            }
            self.anchorNum = anchorNum
            head = MultiRPNTraining(depthwise: anchorNum, inChannels: inChannels, outChannels: outChannels, weights: weights, prefix: "rpn_head.")
        case .multi(let anchorNum, let inChannels, let weighted):
            guard inChannels == features else {
                throw TrainingModelError.unsupported("RPN.KWARGS.in_channels is \(inChannels) but the head is given \(features) channels")
            }
            self.anchorNum = anchorNum
            head = MultiRPNTraining(anchorNum: anchorNum, inChannels: inChannels, weighted: weighted, weights: weights, prefix: "rpn_head.")
        case .upChannel(let anchorNum, let featureIn):
            guard [featureIn] == features else {
                throw TrainingModelError.unsupported("RPN.KWARGS.feature_in is \(featureIn) but the head is given \(features) channels")
            }
            self.anchorNum = anchorNum
            head = UPChannelRPNTraining(anchorNum: anchorNum, featureIn: featureIn, weights: weights, prefix: "rpn_head.")
        }
        try weights.finish()
        let trains: (String) -> Bool
        switch training {
        case .all: trains = { _ in true }
        case .frozen: trains = { _ in false }
        case .layers(let names):
            for name in names where !backbone.moduleNames.contains(name) {
                throw TrainingModelError.unsupported(
                    backbone.moduleNames.isEmpty
                        ? "BACKBONE.TRAIN_LAYERS names '\(name)', but \(spec.backbone) has no named layers (its stages are features.N; "
                            + "pysot fails here with an AttributeError): train it with the AlexNet type, or keep EPOCH <= TRAIN_EPOCH"
                        : "BACKBONE.TRAIN_LAYERS names '\(name)', which \(spec.backbone) does not have (it has \(backbone.moduleNames.joined(separator: ", ")))"
                )
            }
            trains = { names.contains($0) }
        }
        self.weights = weights
        self.backbone = backbone
        self.neck = neck
        backboneTraining = training
        templateBranch = backbone.branch(trains: trains)
        searchBranch = backbone.branch(trains: trains)
        templateNeck = neck?.branch()
        searchNeck = neck?.branch()
        // pysot's build_opt_lr: requires_grad only inside the trained modules.
        for p in weights.parameters where p.name.hasPrefix("backbone.") {
            let module = p.name.dropFirst("backbone.".count).prefix { $0 != "." }
            p.requiresGrad = trains(String(module))
        }
        let norms =
            templateBranch.trainModeBatchNorms + searchBranch.trainModeBatchNorms + (templateNeck?.batchNorms ?? [])
            + (searchNeck?.batchNorms ?? []) + head.batchNorms
        for norm in norms { norm.crossProcess = group }
    }

    /// Every parameter (frozen ones included), in pysot's state-dict order.
    package var parameters: [TrainingParameter] { weights.parameters }

    /// The feature sides the head sees for an image side (per level), nil when too small.
    private func featureSides(_ side: Int) -> [Int]? {
        guard let sides = backbone.outputSides(side), sides.allSatisfy({ $0 > 0 }) else { return nil }
        guard let neck else { return sides }
        return sides.map { neck.outputSide($0) }
    }

    /// Throws unless `batch`'s images fit the network and its labels the head's output
    /// (`[N, A, H, W]`).
    package func check(_ batch: TrainingBatch) throws {
        func sides(_ s: Int, _ file: String) throws -> [Int] {
            guard let f = featureSides(s) else {
                throw TrainingBatchError(file: file, problem: "has images of side \(s), too small for the \(backboneName) backbone")
            }
            return f
        }
        for (b, file) in [(batch.template, "template.npy"), (batch.search, "search.npy")] where b.height != b.width {
            throw TrainingBatchError(file: file, problem: "has \(b.height)x\(b.width) images; pysot's crops are square")
        }
        let z = try sides(batch.template.height, "template.npy")
        let x = try sides(batch.search.height, "search.npy")
        guard let out = head.outputSide(template: z, search: x) else {
            throw TrainingBatchError(
                file: "template.npy",
                problem: "gives template features of side \(z) and search features of side \(x): too small for the head, or larger than the search's")
        }
        let expected = [batch.template.batch, anchorNum, out, out]
        guard batch.labelShape == expected else {
            throw TrainingBatchError(
                file: "label_cls.npy",
                problem: "has shape \(batch.labelShape) but the model's score map for these crops is \(expected) ([N, anchors, H, W])")
        }
        // Train-mode BatchNorm needs more than one value per channel: the head's kernel BN sees N*(z-2)^2.
        guard batch.template.batch * (z.min()! - 2) * (z.min()! - 2) > 1 else {
            throw TrainingBatchError(
                file: "template.npy", problem: "gives one value per channel to the head's train-mode BatchNorm; use a batch of 2 or more")
        }
    }

    private var backboneName: String {
        switch backbone {
        case is AlexNetTraining: "AlexNet"
        case is ResNetTraining: "ResNet"
        default: "MobileNetV2"
        }
    }

    /// `ModelBuilder.forward` + `loss.backward()`: gradients are added into the parameters'
    /// `grad` (zero them first with `zeroGradients()`), BatchNorm running statistics are updated.
    /// `labelCls` `[N, A, H, W]`, `labelLoc` `[N, 4, A, H, W]`, `labelLocWeight` `[N, A, H, W]`.
    /// The batch must pass `check`.
    ///
    /// Data-parallel (`group` of several processes): `batch` is this process's slice of the
    /// global batch (`TrainingBatch.shard`), every process calls `step` alike, and on return every
    /// process holds the global batch's losses, gradients (all-reduced, so zero them before the
    /// step) and BatchNorm running statistics, as one process stepping on the whole batch would,
    /// up to summation order.
    package func step(_ batch: TrainingBatch, clsWeight: Double, locWeight: Double) -> RPNLoss {
        var zf = templateBranch.forward(batch.template)
        var xf = searchBranch.forward(batch.search)
        if let templateNeck, let searchNeck {
            zf = templateNeck.forward(zf)
            xf = searchNeck.forward(xf)
        }
        let (cls, loc) = head.forward(templates: zf, searches: xf)
        let loss = RPNLoss(
            cls: cls, loc: loc, labelCls: batch.labelCls, labelLoc: batch.labelLoc, labelLocWeight: batch.labelLocWeight,
            clsWeight: clsWeight, locWeight: locWeight, dCls: dCls, dLoc: dLoc, group: group)
        var (dz, dx) = head.backward(cls: dCls, loc: dLoc)
        if let templateNeck, let searchNeck {
            dx = searchNeck.backward(dx)
            dz = templateNeck.backward(dz)
        }
        searchBranch.backward(dx)
        templateBranch.backward(dz)
        group.allReduceGradients(parameters)
        return loss
    }

    package func zeroGradients() {
        for p in parameters { p.zeroGradient() }
    }
}

/// Which backbone stages train (`build_opt_lr`'s `requires_grad` and BatchNorm modes).
package enum BackboneTraining: Sendable, Equatable {
    case all
    case frozen
    /// pysot module names (`BACKBONE.TRAIN_LAYERS`), e.g. `layer4`, `layer5`.
    case layers([String])
}
