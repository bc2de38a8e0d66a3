/// The network architecture a pysot config describes, in typed form.
///
/// Built from the BACKBONE / ADJUST / RPN / ANCHOR sections of a `config.yaml` by
/// `PysotConfig.modelSpec()`; consumed by `SiamRPNModel`. Channel counts are the ones pysot's
/// constructors receive (before any width multiplier is applied inside the backbone).
public struct ModelSpec: Sendable, Equatable {
    public var backbone: BackboneSpec
    public var neck: NeckSpec
    public var head: HeadSpec

    public init(backbone: BackboneSpec, neck: NeckSpec, head: HeadSpec) {
        self.backbone = backbone
        self.neck = neck
        self.head = head
    }
}

/// pysot `BACKBONE.TYPE` with its `KWARGS`.
public enum BackboneSpec: Sendable, Equatable {
    /// `resnet18` / `resnet34` / `resnet50` (depth 18, 34, 50): pysot's atrous ResNet;
    /// `usedLayers` is pysot's `used_layers` (e.g. [2, 3, 4]): indices into
    /// [conv1, layer1, layer2, layer3, layer4], so index i is layer i and 0 (the stem's ReLU
    /// output) is valid too; `used_layers` has no default for ResNets.
    case resnet(depth: Int, usedLayers: [Int])
    /// `mobilenetv2`: width multiplier and `used_layers` (e.g. [3, 5, 7]), indices into
    /// [layer0 (stem), layer1 ... layer7]; defaults 1.0 and [3, 5, 7].
    case mobileNetV2(widthMult: Double, usedLayers: [Int])
    /// `alexnet`: pysot's newer AlexNet module layout (`layer1` ... `layer5`, each conv with bias
    /// at `.0` and its BN at `.1`); the same computation as `alexnetlegacy`.
    case alexNet(widthMult: Double)
    /// `alexnetlegacy`: the same network as one `features` sequence (conv with bias, BN, then
    /// max-pool and ReLU in the first two stages; keys `features.0/1, 4/5, 8/9, 11/12, 14/15`).
    case alexNetLegacy(widthMult: Double)
}

/// pysot `ADJUST` (the neck).
public enum NeckSpec: Sendable, Equatable {
    /// `ADJUST.ADJUST: False`.
    case none
    /// `AdjustLayer(in_channels, out_channels, center_size)`.
    case adjustLayer(inChannels: Int, outChannels: Int, centerSize: Int)
    /// `AdjustAllLayer(in_channels, out_channels, center_size)`, one AdjustLayer per level.
    case adjustAllLayer(inChannels: [Int], outChannels: [Int], centerSize: Int)
}

/// pysot `RPN.TYPE` with its `KWARGS`.
public enum HeadSpec: Sendable, Equatable {
    /// `UPChannelRPN(anchor_num, feature_in)`.
    case upChannel(anchorNum: Int, featureIn: Int)
    /// `DepthwiseRPN(anchor_num, in_channels, out_channels)`.
    case depthwise(anchorNum: Int, inChannels: Int, outChannels: Int)
    /// `MultiRPN(anchor_num, in_channels, weighted)`: one DepthwiseRPN per level.
    case multi(anchorNum: Int, inChannels: [Int], weighted: Bool)
}
