// Mirrors pysot/models/model_builder.py (ModelBuilder.__init__) with the constructors of
// pysot/models/backbone/__init__.py, pysot/models/neck/__init__.py, pysot/models/head/__init__.py.

extension PysotConfig {
    /// The `BACKBONE.TYPE` values pysot's `BACKBONES` table knows.
    public static let backboneTypes = ["alexnetlegacy", "alexnet", "mobilenetv2", "resnet18", "resnet34", "resnet50"]
    /// The `ADJUST.TYPE` values pysot's `NECKS` table knows.
    public static let neckTypes = ["AdjustLayer", "AdjustAllLayer"]
    /// The `RPN.TYPE` values pysot's `RPNS` table knows.
    public static let rpnTypes = ["UPChannelRPN", "DepthwiseRPN", "MultiRPN"]

    /// Interprets BACKBONE, ADJUST, RPN, ANCHOR, MASK and REFINE as the network pysot's
    /// `ModelBuilder` would build, and checks that its parts fit together.
    ///
    /// Constructor defaults are pysot's: `alexnet[legacy](width_mult=1)`,
    /// `mobilenetv2(width_mult=1.0, used_layers=[3, 5, 7])`, `resnet*(used_layers)` (no default),
    /// `AdjustLayer/AdjustAllLayer(in_channels, out_channels, center_size=7)`,
    /// `UPChannelRPN(anchor_num=5, feature_in=256)`,
    /// `DepthwiseRPN(anchor_num=5, in_channels=256, out_channels=256)`,
    /// `MultiRPN(anchor_num, in_channels, weighted=False)`.
    ///
    /// - Throws: `ConfigError`, naming the key: `.unsupported` (MASK.MASK / REFINE.REFINE true),
    ///   `.invalidValue` (unknown TYPE, with the valid ones; bad `used_layers` or `width_mult`),
    ///   `.unknownArgument` (a KWARGS name the constructor does not take), `.missingKey`
    ///   (a required argument), `.wrongType`, `.inconsistent` (channel or level counts that do
    ///   not match between backbone, neck and head; ANCHOR_NUM against RATIOS x SCALES and
    ///   against the head's `anchor_num`).
    public func modelSpec() throws -> ModelSpec {
        if mask.mask {
            throw ConfigError.unsupported(
                source: source, keyPath: "MASK.MASK",
                detail: "SiamMask is not supported (this package implements the SiamRPN trackers only); "
                    + "set MASK.MASK: false")
        }
        if refine.refine {
            throw ConfigError.unsupported(
                source: source, keyPath: "REFINE.REFINE",
                detail: "SiamMask is not supported (the refine head belongs to SiamMask); "
                    + "set REFINE.REFINE: false")
        }
        let backboneSpec = try makeBackbone()
        let features = backboneSpec.outputChannels
        let neckSpec = try makeNeck(backboneChannels: features, backbone: backboneSpec)
        let headInput = neckSpec.outputChannels(input: features)
        let headSpec = try makeHead(input: headInput, hasNeck: neckSpec != .none)
        try checkAnchors(head: headSpec)
        return ModelSpec(backbone: backboneSpec, neck: neckSpec, head: headSpec)
    }

    // MARK: - backbone

    private func makeBackbone() throws -> BackboneSpec {
        let path = "BACKBONE.KWARGS"
        let spec: BackboneSpec
        switch backbone.type {
        case "alexnetlegacy", "alexnet":
            let legacy = backbone.type == "alexnetlegacy"
            let args = try ConstructorArguments(
                source: source, path: path,
                signature: "\(legacy ? "AlexNetLegacy" : "AlexNet")(width_mult=1)",
                accepted: ["width_mult"], values: backbone.kwargs)
            let width = try args.double("width_mult", default: 1)
            try checkWidth(width, args)
            spec = legacy ? .alexNetLegacy(widthMult: width) : .alexNet(widthMult: width)
        case "mobilenetv2":
            let args = try ConstructorArguments(
                source: source, path: path, signature: "MobileNetV2(width_mult=1.0, used_layers=[3, 5, 7])",
                accepted: ["width_mult", "used_layers"], values: backbone.kwargs)
            let width = try args.double("width_mult", default: 1.0)
            try checkWidth(width, args)
            let used = try args.intList("used_layers", default: [3, 5, 7])
            spec = .mobileNetV2(widthMult: width, usedLayers: used)
        case "resnet18", "resnet34", "resnet50":
            let depth = Int(backbone.type.dropFirst("resnet".count))!
            let args = try ConstructorArguments(
                source: source, path: path, signature: "\(backbone.type)(used_layers)",
                accepted: ["used_layers"], values: backbone.kwargs)
            let used = try args.intList("used_layers", default: nil)
            spec = .resnet(depth: depth, usedLayers: used)
        default:
            throw ConfigError.invalidValue(
                source: source, keyPath: "BACKBONE.TYPE", found: "'\(backbone.type)'",
                expected: "one of " + Self.backboneTypes.joined(separator: ", "))
        }
        switch spec {
        case .resnet(_, let used):
            try checkUsedLayers(used, valid: spec.validLayerIndices ?? 0...4, layerNames: "0 = conv1, 1-4 = layer1-layer4")
        case .mobileNetV2(_, let used):
            try checkUsedLayers(used, valid: spec.validLayerIndices ?? 0...7, layerNames: "0 = layer0 (stem), 1-7 = layer1-layer7")
        case .alexNet, .alexNetLegacy:
            break
        }
        if spec.smallestInternalChannels <= 0 {
            throw ConfigError.invalidValue(
                source: source, keyPath: "\(path).width_mult", found: "\(backbone.kwargs["width_mult"] ?? .null)",
                expected: "a width large enough that every layer keeps at least one channel")
        }
        return spec
    }

    private func checkWidth(_ width: Double, _ args: ConstructorArguments) throws {
        guard width > 0, width.isFinite else {
            throw ConfigError.invalidValue(
                source: source, keyPath: args.keyPath("width_mult"),
                found: "\(width)", expected: "a positive number")
        }
    }

    private func checkUsedLayers(_ used: [Int], valid: ClosedRange<Int>, layerNames: String) throws {
        let keyPath = "BACKBONE.KWARGS.used_layers"
        if used.isEmpty {
            throw ConfigError.invalidValue(
                source: source, keyPath: keyPath, found: "[]",
                expected: "at least one layer index (\(layerNames))")
        }
        if let bad = used.first(where: { !valid.contains($0) }) {
            throw ConfigError.invalidValue(
                source: source, keyPath: keyPath, found: "\(bad) in \(used)",
                expected: "indices \(valid.lowerBound)...\(valid.upperBound) for \(backbone.type) (\(layerNames))")
        }
    }

    // MARK: - neck

    private func makeNeck(backboneChannels: [Int], backbone spec: BackboneSpec) throws -> NeckSpec {
        guard adjust.adjust else { return .none }
        let path = "ADJUST.KWARGS"
        let levelsSource = describeLevels(spec)
        switch adjust.type {
        case "AdjustLayer":
            let args = try ConstructorArguments(
                source: source, path: path, signature: "AdjustLayer(in_channels, out_channels, center_size=7)",
                accepted: ["in_channels", "out_channels", "center_size"], values: adjust.kwargs)
            let inChannels = try args.int("in_channels", default: nil)
            let outChannels = try args.int("out_channels", default: nil)
            let centerSize = try args.int("center_size", default: 7)
            try checkPositive(outChannels, args.keyPath("out_channels"))
            try checkPositive(centerSize, args.keyPath("center_size"))
            guard backboneChannels.count == 1 else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: "ADJUST.TYPE",
                    detail: "AdjustLayer takes one feature map but the backbone returns \(backboneChannels.count) "
                        + "(\(levelsSource)); use AdjustAllLayer")
            }
            guard inChannels == backboneChannels[0] else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: args.keyPath("in_channels"),
                    detail: "\(inChannels) but the backbone (\(levelsSource)) outputs \(backboneChannels[0]) channels")
            }
            return .adjustLayer(inChannels: inChannels, outChannels: outChannels, centerSize: centerSize)
        case "AdjustAllLayer":
            let args = try ConstructorArguments(
                source: source, path: path, signature: "AdjustAllLayer(in_channels, out_channels, center_size=7)",
                accepted: ["in_channels", "out_channels", "center_size"], values: adjust.kwargs)
            let inChannels = try args.intList("in_channels", default: nil)
            let outChannels = try args.intList("out_channels", default: nil)
            let centerSize = try args.int("center_size", default: 7)
            try checkPositive(centerSize, args.keyPath("center_size"))
            for c in outChannels { try checkPositive(c, args.keyPath("out_channels")) }
            guard inChannels.count == outChannels.count else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: args.keyPath("out_channels"),
                    detail: "\(outChannels.count) entries \(outChannels) but in_channels has "
                        + "\(inChannels.count) \(inChannels); give one per feature level")
            }
            guard inChannels.count == backboneChannels.count else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: args.keyPath("in_channels"),
                    detail: "\(inChannels.count) entries \(inChannels) but the backbone returns "
                        + "\(backboneChannels.count) feature maps (\(levelsSource))")
            }
            guard inChannels == backboneChannels else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: args.keyPath("in_channels"),
                    detail: "\(inChannels) but the backbone (\(levelsSource)) outputs \(backboneChannels) channels")
            }
            return .adjustAllLayer(inChannels: inChannels, outChannels: outChannels, centerSize: centerSize)
        default:
            throw ConfigError.invalidValue(
                source: source, keyPath: "ADJUST.TYPE", found: "'\(adjust.type)'",
                expected: "one of " + Self.neckTypes.joined(separator: ", ") + " (or ADJUST.ADJUST: false)")
        }
    }

    /// "resnet50 with used_layers [2, 3, 4]", "alexnetlegacy width 0.2".
    private func describeLevels(_ spec: BackboneSpec) -> String {
        switch spec {
        case .resnet(_, let used): return "\(spec.pysotName) with used_layers \(used)"
        case .mobileNetV2(let w, let used): return "\(spec.pysotName) width \(w) with used_layers \(used)"
        case .alexNet(let w), .alexNetLegacy(let w): return "\(spec.pysotName) width \(w)"
        }
    }

    private func checkPositive(_ value: Int, _ keyPath: String) throws {
        guard value > 0 else {
            throw ConfigError.invalidValue(
                source: source, keyPath: keyPath, found: "\(value)",
                expected: "a positive integer")
        }
    }

    // MARK: - head

    private func makeHead(input: [Int], hasNeck: Bool) throws -> HeadSpec {
        let path = "RPN.KWARGS"
        let producer =
            hasNeck
            ? "the neck (ADJUST) outputs \(input.count == 1 ? "\(input[0])" : "\(input)") channels"
            : "the backbone outputs \(input.count == 1 ? "\(input[0])" : "\(input)") channels "
                + "(ADJUST.ADJUST is false, so the head sees the backbone's features)"
        func requireSingleLevel(_ type: String) throws {
            guard input.count == 1 else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: "RPN.TYPE",
                    detail: "\(type) takes one feature map but \(input.count) levels reach the head "
                        + "(\(producer)); use MultiRPN")
            }
        }
        switch rpn.type {
        case "UPChannelRPN":
            let args = try ConstructorArguments(
                source: source, path: path, signature: "UPChannelRPN(anchor_num=5, feature_in=256)",
                accepted: ["anchor_num", "feature_in"], values: rpn.kwargs)
            let anchorNum = try args.int("anchor_num", default: 5)
            let featureIn = try args.int("feature_in", default: 256)
            try checkPositive(anchorNum, args.keyPath("anchor_num"))
            try requireSingleLevel("UPChannelRPN")
            guard featureIn == input[0] else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: args.keyPath("feature_in"),
                    detail: "\(featureIn) but \(producer)")
            }
            return .upChannel(anchorNum: anchorNum, featureIn: featureIn)
        case "DepthwiseRPN":
            let args = try ConstructorArguments(
                source: source, path: path,
                signature: "DepthwiseRPN(anchor_num=5, in_channels=256, out_channels=256)",
                accepted: ["anchor_num", "in_channels", "out_channels"], values: rpn.kwargs)
            let anchorNum = try args.int("anchor_num", default: 5)
            let inChannels = try args.int("in_channels", default: 256)
            let outChannels = try args.int("out_channels", default: 256)
            try checkPositive(anchorNum, args.keyPath("anchor_num"))
            try checkPositive(outChannels, args.keyPath("out_channels"))
            try requireSingleLevel("DepthwiseRPN")
            guard inChannels == input[0] else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: args.keyPath("in_channels"),
                    detail: "\(inChannels) but \(producer)")
            }
            return .depthwise(anchorNum: anchorNum, inChannels: inChannels, outChannels: outChannels)
        case "MultiRPN":
            let args = try ConstructorArguments(
                source: source, path: path, signature: "MultiRPN(anchor_num, in_channels, weighted=False)",
                accepted: ["anchor_num", "in_channels", "weighted"], values: rpn.kwargs)
            let anchorNum = try args.int("anchor_num", default: nil)
            let inChannels = try args.intList("in_channels", default: nil)
            let weighted = try args.bool("weighted", default: false)
            try checkPositive(anchorNum, args.keyPath("anchor_num"))
            guard inChannels.count == input.count else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: args.keyPath("in_channels"),
                    detail: "\(inChannels.count) entries \(inChannels) but \(input.count) feature levels "
                        + "reach the head (\(producer)); give one per level")
            }
            guard input.count >= 2 else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: "RPN.TYPE",
                    detail: "MultiRPN needs at least two feature levels (with one, pysot hands it a bare "
                        + "tensor and it fails); use DepthwiseRPN")
            }
            guard inChannels == input else {
                throw ConfigError.inconsistent(
                    source: source, keyPath: args.keyPath("in_channels"),
                    detail: "\(inChannels) but \(producer)")
            }
            return .multi(anchorNum: anchorNum, inChannels: inChannels, weighted: weighted)
        default:
            throw ConfigError.invalidValue(
                source: source, keyPath: "RPN.TYPE", found: "'\(rpn.type)'",
                expected: "one of " + Self.rpnTypes.joined(separator: ", "))
        }
    }

    // MARK: - anchors

    private func checkAnchors(head: HeadSpec) throws {
        let perCell = anchor.ratios.count * anchor.scales.count
        guard anchor.anchorNum == perCell else {
            throw ConfigError.inconsistent(
                source: source, keyPath: "ANCHOR.ANCHOR_NUM",
                detail: "\(anchor.anchorNum) but len(RATIOS) x len(SCALES) = \(anchor.ratios.count) x "
                    + "\(anchor.scales.count) = \(perCell) (pysot computes ANCHOR_NUM only from its default "
                    + "RATIOS and SCALES; set ANCHOR.ANCHOR_NUM: \(perCell))")
        }
        let headAnchors: Int
        switch head {
        case .upChannel(let n, _), .depthwise(let n, _, _), .multi(let n, _, _): headAnchors = n
        }
        guard headAnchors == anchor.anchorNum else {
            throw ConfigError.inconsistent(
                source: source, keyPath: "RPN.KWARGS.anchor_num",
                detail: "\(headAnchors) but ANCHOR.ANCHOR_NUM is \(anchor.anchorNum); the head must predict "
                    + "one score pair and one box per anchor")
        }
        guard anchor.stride > 0 else {
            throw ConfigError.invalidValue(
                source: source, keyPath: "ANCHOR.STRIDE", found: "\(anchor.stride)",
                expected: "a positive integer")
        }
    }
}
