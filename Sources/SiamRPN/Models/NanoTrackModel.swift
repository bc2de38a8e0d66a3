// Mirrors NanoTrack nanotrack/models/model_builder.py: ModelBuilder.template / ModelBuilder.track (V3)
import SiamNN

/// The NanoTrackV3 network with its weights (`nanotrackv3.pth`): stateless and shareable.
///
/// Backbone: NanoTrack's MobileNetV3-Small variant (`NanoMobileNetV3.smallV3`, 96 channels,
/// stride 16); head: `BANHead` (`ban_v3.DepthwiseBAN`). The checkpoint's `neck.*` tensors are
/// accepted and ignored: NanoTrack never calls its neck.
///
/// `templateFeatures(_:)` runs the backbone on the 127x127 template crop and the head's four
/// template-side convolutions (which NanoTrack recomputes on every frame) once per target;
/// `track(_:template:)` runs the search branch on the 255x255 crop. Inputs are `[1, 3, H, W]`
/// tensors of raw 0...255 **BGR** values (no normalisation, no RGB swap). Outputs: `cls`
/// `[1, 2, 15, 15]` logits (channel 0 background, 1 target) and `loc` `[1, 4, 15, 15]`
/// distances (left, top, right, bottom) in search-crop pixels from each point, already `exp`ed.
///
/// Numerics: Float32 with BatchNorm folded into the convolutions; against NanoTrack's float64
/// truth the outputs agree within |a - t| <= 1e-4 + 1e-4 |t| (Tests/Fixtures/README.md section 14).
/// Only a 127 template works with the head (its pixel-wise correlation is built for 8x8
/// template features); other sizes throw `PlanError` when the search plan is made.
public struct NanoTrackModel: SiameseNetwork {
    /// z `[3, 127, 127]` -> kernels: pixel-wise cls `[96, 8, 8]`, depth-wise cls `[96, 4, 4]`,
    /// pixel-wise reg, depth-wise reg.
    public let templateGraph: Graph
    /// x `[3, 255, 255]` and the four kernels -> cls, loc.
    public let searchGraph: Graph

    /// Builds NanoTrackV3 from `weights` (NanoTrack state-dict keys: `backbone.features.*`,
    /// `ban_head.*`, and the unused `neck.downsample.*`). Throws `ModelLoadError` listing every
    /// missing, unexpected or mis-shaped key.
    /// `convolutions` says how its 3x3 stride-1 convolutions run (Winograd unless `.direct`).
    public init(weights: StateDict, convolutions: ConvolutionAlgorithm = .winograd) throws {
        try self.init(reader: WeightReader(weights), fused: true, convolutions: convolutions)
    }

    /// `fused: false` builds the inspection form (every module output the fixtures record is a
    /// named value; slower), see `LayerEmitter`.
    init(weights: StateDict, fused: Bool) throws {
        try self.init(reader: WeightReader(weights), fused: fused)
    }

    /// Builds with the tensors `reader` hands out; `reader.requests` lists every key the
    /// network asked for (and the ignored `neck.*`), also when this throws.
    init(reader: WeightReader, fused: Bool, convolutions: ConvolutionAlgorithm = .winograd) throws {
        let backbone = NanoMobileNetV3(settings: NanoMobileNetV3.smallV3, weights: reader, prefix: "backbone.")
        reader.ignore(keysWithPrefix: "neck.")
        let head = BANHead(channels: backbone.outChannels, weights: reader, prefix: "ban_head.")
        try reader.finish(architecture: "NanoTrackV3 (MobileNetV3-Small v3 + BAN v3)")

        let t = GraphBuilder(convolutions: convolutions)
        let te = LayerEmitter(builder: t, fused: fused)
        let z = t.input("z", channels: 3)
        t.output(head.addTemplate(to: te, backbone.add(to: te, z, phase: "template")))
        templateGraph = t.build()

        let s = GraphBuilder(convolutions: convolutions)
        let se = LayerEmitter(builder: s, fused: fused)
        let x = s.input("x", channels: 3)
        let kernels = (0..<4).map { s.input("kernel\($0)", channels: backbone.outChannels) }
        let (cls, loc) = head.addSearch(to: se, backbone.add(to: se, x, phase: "track"), kernels: kernels)
        s.output(cls, loc)
        searchGraph = s.build()
    }

    public var architecture: String { "NanoTrackV3 (MobileNetV3-Small v3 + BAN v3)" }
}
