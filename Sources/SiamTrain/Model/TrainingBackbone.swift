// Mirrors what pysot/models/model_builder.py asks of get_backbone(...): zf = backbone(template), xf = backbone(search),
// and tools/train.py's build_opt_lr: getattr(model.backbone, layer) for each BACKBONE.TRAIN_LAYERS entry
import SiamNN

/// A pysot backbone in training form (AlexNet, ResNet, MobileNetV2): its weights bound once under
/// pysot's names, `branch` builds the operations of one backbone call (pysot calls it on the
/// template, then on the search image: two branches sharing the weights and the BatchNorm running
/// statistics).
protocol TrainingBackbone {
    /// pysot's names of the backbone's top-level modules that hold parameters, in forward order:
    /// the names `BACKBONE.TRAIN_LAYERS` may hold (`layer1`...`layer5` for AlexNet; `conv1`,
    /// `bn1`, `layer1`...`layer4` for ResNet; `layer0`...`layer7` for MobileNetV2). Empty when
    /// the backbone has no named modules (`alexnetlegacy`).
    var moduleNames: [String] { get }

    /// Channels of each output, in `used_layers` order (one output for AlexNet).
    var outChannels: [Int] { get }

    /// The side of each output feature map for a square input side (`[N, 3, side, side]`), or nil
    /// when the input is too small for the network.
    func outputSides(_ side: Int) -> [Int]?

    /// The operations of one backbone call. Module `m` (a `moduleNames` entry) trains when
    /// `trains(m)`: its BatchNorms run in train mode (batch statistics, running statistics
    /// updated); the other modules' BatchNorms run in eval mode (running statistics). Which
    /// parameters get gradients is each parameter's `requiresGrad` (the model sets it).
    func branch(trains: (String) -> Bool) -> any TrainingBackboneBranch
}

/// One call of a `TrainingBackbone`.
protocol TrainingBackboneBranch: AnyObject {
    /// `backbone(image)`: the outputs in `used_layers` order, buffers the branch owns (valid until
    /// its next forward). `image` is `[N, 3, H, W]`.
    func forward(_ image: TrainingBuffer) -> [TrainingBuffer]

    /// Given d loss / d each output of the last `forward` (same order and shapes), runs the
    /// backward pass as far down as a trained module needs it (nothing when no module trains;
    /// no gradient for the image) and adds the parameter gradients into their `grad`.
    func backward(_ outputGradients: [TrainingBuffer])

    /// The branch's BatchNorm layers in train mode (synchronised over processes in data-parallel
    /// training).
    var trainModeBatchNorms: [BatchNormLayer] { get }
}
