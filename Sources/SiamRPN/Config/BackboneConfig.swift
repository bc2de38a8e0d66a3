// Mirrors pysot/core/config.py: __C.BACKBONE (read by pysot/models/model_builder.py, tools/train.py)

/// pysot's `cfg.BACKBONE`. `PysotConfig.modelSpec()` interprets `type` and `kwargs`.
public struct BackboneConfig: Sendable, Equatable {
    /// `BACKBONE.TYPE`, default "res50" (sic: pysot's default names no real backbone; every
    /// shipped config sets one of alexnetlegacy, alexnet, mobilenetv2, resnet18, resnet34, resnet50).
    public var type: String = "res50"
    /// `BACKBONE.KWARGS`, default empty: the backbone constructor's keyword arguments
    /// (`width_mult`, `used_layers`).
    public var kwargs: [String: ConfigValue] = [:]
    /// `BACKBONE.PRETRAINED`, default "": ImageNet weights for training.
    public var pretrained: String = ""
    /// `BACKBONE.TRAIN_LAYERS`, default ["layer2", "layer3", "layer4"]: layers unfrozen at
    /// `trainEpoch`.
    public var trainLayers: [String] = ["layer2", "layer3", "layer4"]
    /// `BACKBONE.LAYERS_LR`, default 0.1: learning-rate factor of the backbone layers.
    public var layersLR: Double = 0.1
    /// `BACKBONE.TRAIN_EPOCH`, default 10: epoch from which the backbone layers train.
    public var trainEpoch: Int = 10

    /// pysot's defaults.
    public init() {}
}

extension BackboneConfig {
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        try reader.read("TYPE", into: &type)
        try reader.read("KWARGS", into: &kwargs)
        try reader.read("PRETRAINED", into: &pretrained)
        try reader.read("TRAIN_LAYERS", into: &trainLayers)
        try reader.read("LAYERS_LR", into: &layersLR)
        try reader.read("TRAIN_EPOCH", into: &trainEpoch)
        reader.warnUnknownKeys()
    }
}
