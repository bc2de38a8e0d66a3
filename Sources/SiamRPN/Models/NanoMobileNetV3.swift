// Mirrors NanoTrack nanotrack/models/backbone/mobile_v3.py: SELayer, InvertedResidual, mobilenetv3_small(_v3)
import SiamNN

/// NanoTrack's truncated MobileNetV3-Small (width 1.0, output stride 16): `features.0` 3x3/2
/// conv + BN + h-swish, then the inverted residual blocks of `settings` (`features.1...`).
///
/// Differences from torchvision's MobileNetV3 that matter: in blocks with an expansion the
/// squeeze-excitation comes *before* the activation that follows the depth-wise BN (after it in
/// the no-expansion block `features.1`); SE uses h-sigmoid and reduction `_make_divisible(C // 4, 8)`;
/// V3's last block (`features.9`, 48 -> 96) has stride 1. Residual when stride 1 and in == out.
package struct NanoMobileNetV3 {
    /// `(kernel, expansion t, out channels, SE, h-swish, stride)` of NanoTrack's `cfgs`.
    package typealias Setting = (k: Int, t: Double, c: Int, se: Bool, hs: Bool, s: Int)

    /// `mobilenetv3_small` (V1/V2): blocks `features.1...8`, 48 output channels.
    package static let small: [Setting] = [
        (3, 1, 16, true, false, 2), (3, 4.5, 24, false, false, 2), (3, 3.67, 24, false, false, 1),
        (5, 4, 40, true, true, 2), (5, 6, 40, true, true, 1), (5, 6, 40, true, true, 1),
        (5, 3, 48, true, true, 1), (5, 3, 48, true, true, 1)
    ]
    /// `mobilenetv3_small_v3`: the same plus `features.9` (48 -> 96, stride 1), 96 output channels.
    package static let smallV3: [Setting] = small + [(5, 6, 96, true, true, 1)]

    /// Python `_make_divisible(v, divisor)`: round to a multiple of `divisor`, at least `divisor`,
    /// never more than 10 % below `v`.
    package static func makeDivisible(_ v: Double, _ divisor: Int = 8) -> Int {
        var n = max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
        if Double(n) < 0.9 * v { n += divisor }
        return n
    }

    struct Block {
        /// 1x1 expansion (BN folded, no activation: it is applied by the emitter); nil when
        /// the block has no expansion (`features.1`).
        var expand: Conv2D?
        var depthwise: Conv2D
        /// SE fully connected layers (ReLU, h-sigmoid), if any.
        var se: (reduce: Conv2D, expand: Conv2D)?
        var project: Conv2D
        var activation: Activation
        var residual: Bool
    }

    let stem: Conv2D
    let blocks: [Block]
    let outChannels: Int

    init(settings: [Setting], weights: WeightReader, prefix: String) {
        var input = Self.makeDivisible(16)
        stem = weights.convBN(
            prefix + "features.0.0", prefix + "features.0.1", in: 3, out: input, kernel: 3,
            stride: 2, padding: 1, activation: .none)
        var blocks: [Block] = []
        for (i, s) in settings.enumerated() {
            let output = Self.makeDivisible(Double(s.c))
            let hidden = Self.makeDivisible(Double(input) * s.t)
            let p = prefix + "features.\(i + 1).conv."
            // Module indices inside `conv`: with expansion pw 0/1, dw 3/4, SE 5, pw-linear 7/8;
            // without: dw 0/1, SE 3, pw-linear 4/5.
            let hasExpansion = hidden != input
            let (dw, se, pw) = hasExpansion ? (3, 5, 7) : (0, 3, 4)
            let expand =
                hasExpansion
                ? weights.convBN(p + "0", p + "1", in: input, out: hidden, kernel: 1, activation: .none) : nil
            let depthwise = weights.convBN(
                p + "\(dw)", p + "\(dw + 1)", in: hidden, out: hidden, kernel: s.k,
                stride: s.s, padding: (s.k - 1) / 2, groups: hidden, activation: .none)
            var gate: (Conv2D, Conv2D)?
            if s.se {
                let r = Self.makeDivisible(Double(hidden / 4))
                gate = (
                    weights.linear(p + "\(se).fc.0", in: hidden, out: r, activation: .relu),
                    weights.linear(p + "\(se).fc.2", in: r, out: hidden, activation: .hardSigmoid)
                )
            }
            let project = weights.convBN(p + "\(pw)", p + "\(pw + 1)", in: hidden, out: output, kernel: 1, activation: .none)
            blocks.append(
                Block(
                    expand: expand, depthwise: depthwise, se: gate, project: project,
                    activation: s.hs ? .hardSwish : .relu, residual: s.s == 1 && input == output))
            input = output
        }
        self.blocks = blocks
        outChannels = input
    }

    /// The backbone on `x`; values are named `<phase>.backbone.features.<i>[.conv.<j>]` as the
    /// fixtures' module paths.
    func add(to e: LayerEmitter, _ x: Graph.Value, phase: String) -> Graph.Value {
        let f = "\(phase).backbone.features."
        var h = e.conv(x, stem, then: .hardSwish, post: [f + "0"])
        for (i, block) in blocks.enumerated() {
            let p = f + "\(i + 1)"
            let c = p + ".conv."
            let input = h
            if let expand = block.expand {
                h = e.conv(h, expand, then: block.activation, pre: [c + "1"], post: [c + "2"])
                if let se = block.se {
                    h = e.conv(h, block.depthwise, pre: [c + "4"])
                    h = e.gate(h, reduce: se.reduce, expand: se.expand, then: block.activation, pre: [c + "5"], post: [c + "6"])
                } else {
                    h = e.conv(h, block.depthwise, then: block.activation, pre: [c + "4", c + "5"], post: [c + "6"])
                }
                h = e.conv(
                    h, block.project, residual: block.residual ? input : nil,
                    pre: [c + "8"], post: [p])
            } else {
                h = e.conv(h, block.depthwise, then: block.activation, pre: [c + "1"], post: [c + "2"])
                if let se = block.se { h = e.gate(h, reduce: se.reduce, expand: se.expand, pre: [c + "3"]) }
                h = e.conv(h, block.project, residual: block.residual ? input : nil, pre: [c + "5"], post: [p])
            }
        }
        return h
    }
}
