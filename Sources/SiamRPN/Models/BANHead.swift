// Mirrors NanoTrack nanotrack/models/head/ban_v3.py: PixelwiseXCorr, DepthwiseXCorr, DepthwiseBAN
import SiamNN

/// NanoTrackV3's head (`ban_v3.DepthwiseBAN`, 96 channels), two branches with separate weights,
/// cls and reg. Per branch:
///
/// * pixel-wise correlation `corr_pw_<b>`: 1x1 conv + BN on the template (`conv_kernel`) and the
///   search (`conv_search`) features, `p[i] = sum_c k[c, i] s[c]` over the 64 template positions,
///   channel attention (sigmoid), then 2x2 depth-wise conv + BN + ReLU6 + 1x1 conv + BN (16 -> 15);
/// * depth-wise correlation `corr_dw_<b>`: the same 1x1 convs on the template's centre 4x4
///   (`[2:6, 2:6]`) and the search, correlated per channel with zero padding 1 (16 -> 15);
/// * `down_<b>`: concat [pixel-wise 64, depth-wise 96] -> 1x1 conv (bias) -> 96;
/// * tower: 6 x [3x3 depth-wise + BN + ReLU6, 1x1 conv + BN (no activation)];
/// * `cls_logits` (96 -> 2, bias) / `bbox_pred` (96 -> 4, bias) then `exp`.
///
/// The template-side convolutions depend only on the target, so they run once in the template
/// graph (NanoTrack recomputes them every frame).
struct BANHead {
    struct PixelwiseBranch {
        var convKernel: Conv2D, convSearch: Conv2D
        var attentionReduce: Conv2D, attentionExpand: Conv2D
        var depthwise: Conv2D, pointwise: Conv2D
    }
    struct DepthwiseBranch {
        var convKernel: Conv2D, convSearch: Conv2D
    }
    struct Branch {
        /// `cls` / `reg`: the suffix of the correlation and `down` modules.
        var kind: String
        /// `cls_tower` / `bbox_tower` and `cls_logits` / `bbox_pred`.
        var tower: String, output: String
        var pixelwise: PixelwiseBranch
        var depthwise: DepthwiseBranch
        var down: Conv2D
        /// Per unit: depth-wise 3x3 (BN folded), pointwise 1x1 (BN folded).
        var units: [(depthwise: Conv2D, pointwise: Conv2D)]
        var final: Conv2D
        /// `exp` on the box branch.
        var finalActivation: Activation
    }

    /// Template positions of the pixel-wise correlation: an 8x8 template feature map.
    static let templatePositions = 64
    /// The depth-wise branch's template window (`DepthwiseBAN.crop`): rows and columns 2..<6.
    static let cropOrigin = 2, cropSize = 4

    let channels: Int
    let branches: [Branch]

    init(channels c: Int, weights: WeightReader, prefix: String) {
        channels = c
        let positions = Self.templatePositions
        func pointwiseBN(_ p: String) -> Conv2D {
            weights.convBN(p + ".0", p + ".1", in: c, out: c, kernel: 1, bias: true, activation: .none)
        }
        func branch(_ kind: String, tower: String, output: String, outChannels: Int, activation: Activation) -> Branch {
            let pw = prefix + "corr_pw_\(kind)."
            let dw = prefix + "corr_dw_\(kind)."
            return Branch(
                kind: kind, tower: tower, output: output,
                pixelwise: PixelwiseBranch(
                    convKernel: pointwiseBN(pw + "conv_kernel"), convSearch: pointwiseBN(pw + "conv_search"),
                    attentionReduce: weights.conv(pw + "CA_layer.fc1", in: positions, out: positions, kernel: 1, bias: true).with(.relu),
                    attentionExpand: weights.conv(pw + "CA_layer.fc2", in: positions, out: positions, kernel: 1, bias: true).with(.sigmoid),
                    depthwise: weights.convBN(
                        pw + "conv.0", pw + "conv.1", in: positions, out: positions, kernel: 2,
                        groups: positions, activation: .none),
                    pointwise: weights.convBN(
                        pw + "conv.3", pw + "conv.4", in: positions, out: positions, kernel: 1,
                        bias: true, activation: .none)),
                depthwise: DepthwiseBranch(convKernel: pointwiseBN(dw + "conv_kernel"), convSearch: pointwiseBN(dw + "conv_search")),
                down: weights.conv(prefix + "down_\(kind).0", in: positions + c, out: c, kernel: 1, bias: true),
                units: (0..<6).map { u in
                    let t = prefix + tower + "."
                    return (
                        weights.convBN(
                            t + "\(5 * u)", t + "\(5 * u + 1)", in: c, out: c, kernel: 3, padding: 1,
                            groups: c, activation: .none),
                        weights.convBN(t + "\(5 * u + 3)", t + "\(5 * u + 4)", in: c, out: c, kernel: 1, activation: .none)
                    )
                },
                final: weights.conv(prefix + output + ".0", in: c, out: outChannels, kernel: 1, bias: true),
                finalActivation: activation)
        }
        // NanoTrack's module order (and the fixtures' record order) is reg before cls; the graph
        // computes cls first, which changes nothing.
        branches = [
            branch("cls", tower: "cls_tower", output: "cls_logits", outChannels: 2, activation: .none),
            branch("reg", tower: "bbox_tower", output: "bbox_pred", outChannels: 4, activation: .exp)
        ]
    }

    /// Template side: the four correlation kernels, in order pixel-wise cls, depth-wise cls,
    /// pixel-wise reg, depth-wise reg (`C x 8 x 8`, `C x 4 x 4`, ...).
    func addTemplate(to e: LayerEmitter, _ zf: Graph.Value) -> [Graph.Value] {
        let h = "track.ban_head."
        let centre = e.builder.crop(zf, top: Self.cropOrigin, left: Self.cropOrigin, height: Self.cropSize, width: Self.cropSize)
        e.named(centre, branches.map { h + "corr_dw_\($0.kind).conv_kernel:input" })
        return branches.flatMap { b in
            [
                e.conv(zf, b.pixelwise.convKernel, pre: [h + "corr_pw_\(b.kind).conv_kernel"]),
                e.conv(centre, b.depthwise.convKernel, pre: [h + "corr_dw_\(b.kind).conv_kernel"])
            ]
        }
    }

    /// Search side: (cls logits `[2, 15, 15]`, loc `[4, 15, 15]` after exp) from the search
    /// features and the kernels of `addTemplate`.
    func addSearch(to e: LayerEmitter, _ xf: Graph.Value, kernels: [Graph.Value]) -> (cls: Graph.Value, loc: Graph.Value) {
        precondition(kernels.count == 2 * branches.count, "the head takes \(2 * branches.count) kernels")
        let h = "track.ban_head."
        let outputs = branches.enumerated().map { i, b -> Graph.Value in
            let pw = h + "corr_pw_\(b.kind)"
            let dw = h + "corr_dw_\(b.kind)"
            let s = e.conv(xf, b.pixelwise.convSearch, pre: [pw + ".conv_search"])
            let corr = e.named(
                e.builder.pixelwiseXCorr(search: s, kernel: kernels[2 * i], positions: Self.templatePositions),
                [pw + ".CA_layer:input"])
            let attended = e.gate(
                corr, reduce: b.pixelwise.attentionReduce, expand: b.pixelwise.attentionExpand,
                pre: [pw + ".CA_layer"])
            let c1 = e.conv(attended, b.pixelwise.depthwise, then: .relu6)
            let p = e.conv(c1, b.pixelwise.pointwise, pre: [pw + ".conv", pw])
            let ds = e.conv(xf, b.depthwise.convSearch, pre: [dw + ".conv_search"])
            let d = e.named(e.builder.depthwiseXCorr(search: ds, kernel: kernels[2 * i + 1], padding: 1), [dw])
            var t = e.conv(e.builder.concat([p, d]), b.down, pre: [h + "down_\(b.kind).0", h + "down_\(b.kind)"])
            let tower = h + b.tower + "."
            for (u, unit) in b.units.enumerated() {
                t = e.conv(t, unit.depthwise, then: .relu6, pre: [tower + "\(5 * u + 1)"], post: [tower + "\(5 * u + 2)"])
                t = e.conv(t, unit.pointwise, pre: [tower + "\(5 * u + 4)"] + (u == b.units.count - 1 ? [h + b.tower] : []))
            }
            return e.conv(t, b.final, then: b.finalActivation, pre: [h + b.output + ".0", h + b.output])
        }
        return (outputs[0], outputs[1])
    }
}
