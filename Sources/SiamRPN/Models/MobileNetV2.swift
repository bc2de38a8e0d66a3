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

    /// Channels of outputs 0...7 for a width multiplier.
    static func channels(widthMult: Double) -> [Int] { MobileNetV2Geometry.channels(widthMult: widthMult) }

    let usedLayers: [Int]
    let stem: Conv2D
    let layers: [[Block]]

    init(widthMult: Double, usedLayers: [Int], weights: WeightReader, prefix: String) {
        self.usedLayers = usedLayers
        stem = weights.convBN(
            prefix + "layer0.0", prefix + "layer0.1", in: 3, out: MobileNetV2Geometry.stemChannels(widthMult: widthMult), kernel: 3,
            stride: 2, padding: 0, activation: .relu6)
        layers = MobileNetV2Geometry.layers(widthMult: widthMult).enumerated().map { index, blocks in
            blocks.enumerated().map { i, g in
                let p = prefix + "layer\(index + 1).\(i).conv."
                return Block(
                    convs: [
                        weights.convBN(p + "0", p + "1", in: g.input, out: g.hidden, kernel: 1, activation: .relu6),
                        weights.convBN(
                            p + "3", p + "4", in: g.hidden, out: g.hidden, kernel: 3, stride: g.stride,
                            padding: g.padding, dilation: g.dilation, groups: g.hidden, activation: .relu6),
                        weights.convBN(p + "6", p + "7", in: g.hidden, out: g.output, kernel: 1, activation: .none)
                    ], residual: g.residual)
            }
        }
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
