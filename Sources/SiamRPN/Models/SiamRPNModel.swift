// Mirrors pysot/models/model_builder.py: ModelBuilder.template / ModelBuilder.track
import SiamNN

/// A SiamRPN++ network with its weights: stateless and shareable (`Sendable`).
///
/// The template branch (backbone, neck and every RPN branch's template-side convolution, which
/// pysot recomputes each frame) runs once per target in `templateFeatures(_:)`; `track(_:template:)`
/// runs the search branch. Inputs are `[1, 3, H, W]` tensors of raw 0...255 BGR values (no
/// normalisation). Outputs: `cls` `[1, 2A, S, S]` (channels `[bg_0..bg_A-1, fg_0..fg_A-1]`) and
/// `loc` `[1, 4A, S, S]` (channels `[dx_0.., dy_0.., dw_0.., dh_0..]`).
///
/// Numerics: Float32 with BatchNorm folded into the convolutions; against pysot's float64 truth
/// the outputs agree within |a - t| <= 1e-4 + 1e-4 |t| (Tests/Fixtures/README.md section 3).
public struct SiamRPNModel: SiameseNetwork {
    public let spec: ModelSpec
    /// z `[3, h, w]` -> the kernels of every RPN branch (cls, loc per level).
    public let templateGraph: Graph
    /// x `[3, H, W]` and the kernels -> cls, loc.
    public let searchGraph: Graph

    /// Builds the network of `spec` with the tensors of `weights` (pysot state-dict keys), its
    /// 3x3 stride-1 convolutions run by `convolutions` (Winograd unless `.direct`, the reference).
    /// Throws `ModelLoadError` listing every missing, unexpected or mis-shaped key.
    public init(spec: ModelSpec, weights: StateDict, convolutions: ConvolutionAlgorithm = .winograd) throws {
        try self.init(spec: spec, reader: WeightReader(weights), convolutions: convolutions)
    }

    /// Builds with the tensors `reader` hands out; `reader.requests` lists every key the
    /// network asked for, also when this throws.
    init(spec: ModelSpec, reader: WeightReader, convolutions: ConvolutionAlgorithm = .winograd) throws {
        self.spec = spec
        let backbone = Backbone(spec: spec.backbone, weights: reader, prefix: "backbone.")
        let neck = Neck(spec: spec.neck, weights: reader, prefix: "neck.")
        let head = RPNHead(spec: spec.head, weights: reader, prefix: "rpn_head.")
        try reader.finish(architecture: spec.summary)

        func features(_ b: GraphBuilder, _ input: Graph.Value, phase: String) -> [Graph.Value] {
            // pysot returns a bare tensor, not a list, for a single level: names follow.
            func name(_ vs: [Graph.Value], _ stage: String) {
                for (i, v) in vs.enumerated() { b.name(v, vs.count == 1 ? "\(phase).\(stage)" : "\(phase).\(stage).\(i)") }
            }
            let raw = backbone.add(to: b, input)
            name(raw, "backbone")
            let adjusted = neck.add(to: b, raw)
            if !neck.levels.isEmpty { name(adjusted, "neck") }
            return adjusted
        }

        let t = GraphBuilder(convolutions: convolutions)
        let z = t.input("z", channels: 3)
        t.output(head.addTemplate(to: t, features(t, z, phase: "template")))
        templateGraph = t.build()

        let s = GraphBuilder(convolutions: convolutions)
        let x = s.input("x", channels: 3)
        let kernels = head.kernelChannels.enumerated().map { s.input("kernel\($0)", channels: $1) }
        let (cls, loc) = head.addSearch(to: s, features(s, x, phase: "track"), kernels: kernels)
        s.output(cls, loc)
        searchGraph = s.build()
    }

    public var architecture: String { spec.summary }
}

/// The backbone a `BackboneSpec` names.
struct Backbone {
    private enum Network {
        case resnet(ResNet)
        case mobileNet(MobileNetV2)
        case alexNet(AlexNet)
    }
    private let network: Network

    init(spec: BackboneSpec, weights: WeightReader, prefix: String) {
        switch spec {
        case .resnet(let depth, let used):
            network = .resnet(ResNet(depth: depth, usedLayers: used, weights: weights, prefix: prefix))
        case .mobileNetV2(let width, let used):
            network = .mobileNet(MobileNetV2(widthMult: width, usedLayers: used, weights: weights, prefix: prefix))
        case .alexNet(let width):
            network = .alexNet(AlexNet(widthMult: width, legacy: false, weights: weights, prefix: prefix))
        case .alexNetLegacy(let width):
            network = .alexNet(AlexNet(widthMult: width, legacy: true, weights: weights, prefix: prefix))
        }
    }

    func add(to b: GraphBuilder, _ x: Graph.Value) -> [Graph.Value] {
        switch network {
        case .resnet(let n): return n.add(to: b, x)
        case .mobileNet(let n): return n.add(to: b, x)
        case .alexNet(let n): return [n.add(to: b, x)]
        }
    }
}

extension ModelSpec {
    /// A short human description, e.g. "ResNet-50 + AdjustAllLayer + MultiRPN (weighted)".
    public var summary: String {
        let bb: String
        switch backbone {
        case .resnet(let d, let u): bb = "ResNet-\(d) (layers \(u.map(String.init).joined(separator: ",")))"
        case .mobileNetV2(let w, let u): bb = "MobileNetV2 x\(w) (layers \(u.map(String.init).joined(separator: ",")))"
        case .alexNet(let w): bb = "AlexNet x\(w)"
        case .alexNetLegacy(let w): bb = "AlexNetLegacy x\(w)"
        }
        let nk: String
        switch neck {
        case .none: nk = ""
        case .adjustLayer: nk = " + AdjustLayer"
        case .adjustAllLayer: nk = " + AdjustAllLayer"
        }
        let hd: String
        switch head {
        case .upChannel: hd = "UPChannelRPN"
        case .depthwise: hd = "DepthwiseRPN"
        case .multi(_, _, let w): hd = w ? "MultiRPN (weighted)" : "MultiRPN"
        }
        return bb + nk + " + " + hd
    }
}
