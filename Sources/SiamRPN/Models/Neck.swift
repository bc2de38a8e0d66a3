// Mirrors pysot/models/neck/neck.py: AdjustLayer, AdjustAllLayer
import SiamNN

/// One pysot `AdjustLayer`: 1x1 convolution (no bias) + BatchNorm, then, for maps narrower than
/// 20 (the template's 15x15), the centre `centerSize` x `centerSize` window.
struct AdjustLayer {
    let conv: Conv2D
    let centerSize: Int

    /// `prefix` is the AdjustLayer's own key prefix (e.g. `neck.downsample2.`).
    init(inChannels: Int, outChannels: Int, centerSize: Int, weights: WeightReader, prefix: String) {
        conv = weights.convBN(
            prefix + "downsample.0", prefix + "downsample.1", in: inChannels,
            out: outChannels, kernel: 1, activation: .none)
        self.centerSize = centerSize
    }

    func add(to b: GraphBuilder, _ x: Graph.Value) -> Graph.Value {
        b.centerCrop(b.conv(x, conv), size: centerSize, ifWidthBelow: 20)
    }
}

/// pysot's neck: none, one `AdjustLayer` (keys `neck.downsample.*`), or `AdjustAllLayer` (keys
/// `neck.downsample.downsample.*` for one level, `neck.downsample{2,3,...}.downsample.*` for several).
struct Neck {
    let levels: [AdjustLayer]

    init(spec: NeckSpec, weights: WeightReader, prefix: String) {
        switch spec {
        case .none:
            levels = []
        case .adjustLayer(let cin, let cout, let center):
            levels = [AdjustLayer(inChannels: cin, outChannels: cout, centerSize: center, weights: weights, prefix: prefix)]
        case .adjustAllLayer(let cins, let couts, let center):
            if cins.count == 1 {
                levels = [
                    AdjustLayer(
                        inChannels: cins[0], outChannels: couts[0], centerSize: center,
                        weights: weights, prefix: prefix + "downsample.")
                ]
            } else {
                levels = zip(cins, couts).enumerated().map { i, c in
                    AdjustLayer(
                        inChannels: c.0, outChannels: c.1, centerSize: center, weights: weights,
                        prefix: prefix + "downsample\(i + 2).")
                }
            }
        }
    }

    /// Passes the features through unchanged when there is no neck.
    func add(to b: GraphBuilder, _ xs: [Graph.Value]) -> [Graph.Value] {
        if levels.isEmpty { return xs }
        precondition(levels.count == xs.count, "neck has \(levels.count) levels, backbone gives \(xs.count)")
        return zip(levels, xs).map { $0.add(to: b, $1) }
    }
}
