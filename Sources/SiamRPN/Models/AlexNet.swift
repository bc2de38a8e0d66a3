// Mirrors pysot/models/backbone/alexnet.py: AlexNetLegacy, AlexNet
import SiamNN

/// pysot's AlexNet backbones; channels `[3, 96, 256, 384, 384, 256]` times the width multiplier
/// (Python `int()`). Five valid (unpadded) convolutions with bias, each followed by BatchNorm:
/// 11x11/2 -> max-pool 3/2 -> ReLU, 5x5 -> max-pool 3/2 -> ReLU, 3x3 -> ReLU, 3x3 -> ReLU, 3x3
/// (no ReLU). `AlexNetLegacy` names them `features.{0,4,8,11,14}` (BN at +1), `AlexNet`
/// `layer{1...5}.0` (BN at `.1`). ReLU after the pool equals ReLU before it (both monotone), so
/// the ReLU is fused into the convolution.
struct AlexNet {
    let convs: [Conv2D]

    static func channels(widthMult: Double) -> [Int] {
        [3, 96, 256, 384, 384, 256].map { $0 == 3 ? 3 : Int(Double($0) * widthMult) }
    }

    init(widthMult: Double, legacy: Bool, weights: WeightReader, prefix: String) {
        let c = Self.channels(widthMult: widthMult)
        let kernels = [11, 5, 3, 3, 3]
        let legacyIndex = [0, 4, 8, 11, 14]
        convs = (0..<5).map { i in
            let (conv, bn) =
                legacy
                ? (prefix + "features.\(legacyIndex[i])", prefix + "features.\(legacyIndex[i] + 1)")
                : (prefix + "layer\(i + 1).0", prefix + "layer\(i + 1).1")
            return weights.convBN(
                conv, bn, in: c[i], out: c[i + 1], kernel: kernels[i], stride: i == 0 ? 2 : 1,
                bias: true, activation: i == 4 ? .none : .relu)
        }
    }

    func add(to b: GraphBuilder, _ x: Graph.Value) -> Graph.Value {
        var h = x
        for (i, conv) in convs.enumerated() {
            h = b.conv(h, conv)
            if i < 2 { h = b.maxPool(h, kernel: 3, stride: 2) }
        }
        return h
    }
}
