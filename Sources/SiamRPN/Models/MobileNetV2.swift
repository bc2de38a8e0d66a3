// Mirrors pysot/models/backbone/mobile_v2.py: InvertedResidual, MobileNetV2
import SiamNN

/// pysot's MobileNetV2 variant: `layer0` 3x3/2 conv without padding (ReLU6), then seven layers of
/// inverted residual blocks (t, c, n, s, d) = (1,16,1,1,1) (6,24,2,2,1) (6,32,3,2,1) (6,64,4,1,2)
/// (6,96,3,1,2) (6,160,3,1,4) (6,320,1,1,4), channels `int(c * widthMult)`. Outputs: the layers
/// named by `usedLayers` (0...7).
struct MobileNetV2 {
    struct Block {
        /// pointwise expansion (ReLU6), depth-wise 3x3 (ReLU6), pointwise projection (linear).
        var convs: [Conv2D]
        var residual: Bool
    }

    static let settings: [(t: Int, c: Int, n: Int, s: Int, d: Int)] = [
        (1, 16, 1, 1, 1), (6, 24, 2, 2, 1), (6, 32, 3, 2, 1), (6, 64, 4, 1, 2),
        (6, 96, 3, 1, 2), (6, 160, 3, 1, 4), (6, 320, 1, 1, 4)
    ]

    /// Channels of outputs 0...7 for a width multiplier (Python `int()` truncation).
    static func channels(widthMult: Double) -> [Int] {
        [Int(32 * widthMult)] + settings.map { Int(Double($0.c) * widthMult) }
    }

    let usedLayers: [Int]
    let stem: Conv2D
    let layers: [[Block]]

    init(widthMult: Double, usedLayers: [Int], weights: WeightReader, prefix: String) {
        self.usedLayers = usedLayers
        var input = Int(32 * widthMult)
        stem = weights.convBN(
            prefix + "layer0.0", prefix + "layer0.1", in: 3, out: input, kernel: 3,
            stride: 2, padding: 0, activation: .relu6)
        var lastDilation = 1
        var layers: [[Block]] = []
        for (index, s) in Self.settings.enumerated() {
            let output = Int(Double(s.c) * widthMult)
            var blocks: [Block] = []
            for i in 0..<s.n {
                let stride = i == 0 ? s.s : 1
                let dilation = i == 0 ? (s.d == lastDilation ? s.d : max(s.d / 2, 1)) : s.d
                let padding = dilation > 1 ? dilation : 2 - stride
                let hidden = input * s.t
                let p = prefix + "layer\(index + 1).\(i).conv."
                blocks.append(
                    Block(
                        convs: [
                            weights.convBN(p + "0", p + "1", in: input, out: hidden, kernel: 1, activation: .relu6),
                            weights.convBN(
                                p + "3", p + "4", in: hidden, out: hidden, kernel: 3, stride: stride,
                                padding: padding, dilation: dilation, groups: hidden, activation: .relu6),
                            weights.convBN(p + "6", p + "7", in: hidden, out: output, kernel: 1, activation: .none)
                        ], residual: stride == 1 && input == output))
                input = output
            }
            lastDilation = s.d
            layers.append(blocks)
        }
        self.layers = layers
    }

    func add(to b: GraphBuilder, _ x: Graph.Value) -> [Graph.Value] {
        var h = b.conv(x, stem)
        var outputs = [h]
        for blocks in layers {
            for block in blocks {
                let a = b.conv(h, block.convs[0])
                let d = b.conv(a, block.convs[1])
                h = b.conv(d, block.convs[2], residual: block.residual ? h : nil)
            }
            outputs.append(h)
        }
        return usedLayers.map { outputs[$0] }
    }
}
