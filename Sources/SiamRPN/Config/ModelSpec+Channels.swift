// Mirrors the channel arithmetic of pysot/models/backbone/{resnet_atrous,mobile_v2,alexnet}.py
// and pysot/models/neck/neck.py.

extension BackboneSpec {
    /// pysot's `BACKBONE.TYPE` name for this backbone ("resnet50", "mobilenetv2", ...).
    public var pysotName: String {
        switch self {
        case .resnet(let depth, _): return "resnet\(depth)"
        case .mobileNetV2: return "mobilenetv2"
        case .alexNet: return "alexnet"
        case .alexNetLegacy: return "alexnetlegacy"
        }
    }

    /// Channels of every feature map pysot's backbone can return, indexed like `used_layers`.
    ///
    /// - ResNet: [conv1, layer1, layer2, layer3, layer4] = 64, then 64/128/256/512 times the block
    ///   expansion (1 for depth 18/34, 4 for 50). pysot builds layer3 / layer4 only when
    ///   `used_layers` contains 3 / 4 and passes the input through unchanged otherwise, so an
    ///   unbuilt layer repeats the previous layer's channels.
    /// - MobileNetV2 width w: [layer0, layer1 ... layer7] = `int(c * w)` for
    ///   c in 32, 16, 24, 32, 64, 96, 160, 320 (`int` truncates toward zero).
    /// - AlexNet / AlexNetLegacy width w: one map, the last conv's `int(256 * w)` channels.
    public var availableChannels: [Int] {
        switch self {
        case .resnet(let depth, let usedLayers):
            let expansion = depth >= 50 ? 4 : 1
            let conv1 = 64
            let layer1 = 64 * expansion
            let layer2 = 128 * expansion
            let layer3 = usedLayers.contains(3) ? 256 * expansion : layer2
            let layer4 = usedLayers.contains(4) ? 512 * expansion : layer3
            return [conv1, layer1, layer2, layer3, layer4]
        case .mobileNetV2(let widthMult, _):
            return [32, 16, 24, 32, 64, 96, 160, 320].map { Self.scaled($0, widthMult) }
        case .alexNet(let widthMult), .alexNetLegacy(let widthMult):
            return [Self.scaled(256, widthMult)]
        }
    }

    /// The indices `used_layers` may hold (ResNet 0...4, MobileNetV2 0...7; AlexNet has none).
    public var validLayerIndices: ClosedRange<Int>? {
        switch self {
        case .resnet: return 0...4
        case .mobileNetV2: return 0...7
        case .alexNet, .alexNetLegacy: return nil
        }
    }

    /// Channels of each feature map the backbone returns, in `usedLayers` order (one entry for
    /// AlexNet). An index outside `validLayerIndices` gives 0.
    public var outputChannels: [Int] {
        let all = availableChannels
        switch self {
        case .resnet(_, let usedLayers), .mobileNetV2(_, let usedLayers):
            return usedLayers.map { all.indices.contains($0) ? all[$0] : 0 }
        case .alexNet, .alexNetLegacy:
            return all
        }
    }

    /// The smallest channel count of any conv inside the backbone (0 when a width multiplier
    /// is so small that a layer vanishes).
    var smallestInternalChannels: Int {
        switch self {
        case .resnet: return 64
        case .mobileNetV2(let widthMult, _):
            return [32, 16, 24, 32, 64, 96, 160, 320].map { Self.scaled($0, widthMult) }.min()!
        case .alexNet(let widthMult), .alexNetLegacy(let widthMult):
            return [96, 256, 384, 384, 256].map { Self.scaled($0, widthMult) }.min()!
        }
    }

    /// Python's `int(c * width_mult)`: the float product truncated toward zero.
    static func scaled(_ channels: Int, _ widthMult: Double) -> Int {
        let product = Double(channels) * widthMult
        guard product.isFinite, product < Double(Int.max) else { return 0 }
        return Int(product.rounded(.towardZero))
    }
}

extension NeckSpec {
    /// Channels of the feature maps the neck returns for the given input channels
    /// (the input unchanged for `.none`).
    public func outputChannels(input: [Int]) -> [Int] {
        switch self {
        case .none: return input
        case .adjustLayer(_, let outChannels, _): return [outChannels]
        case .adjustAllLayer(_, let outChannels, _): return outChannels
        }
    }
}

extension ModelSpec {
    /// Channels of the backbone's feature maps, one per level (`used_layers` order).
    public var backboneOutputChannels: [Int] { backbone.outputChannels }

    /// Channels of the feature maps the RPN head receives: the neck's outputs, or the
    /// backbone's when there is no neck.
    public var headInputChannels: [Int] { neck.outputChannels(input: backboneOutputChannels) }
}
