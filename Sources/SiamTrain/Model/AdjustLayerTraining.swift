// Mirrors pysot/models/neck/neck.py: AdjustLayer, AdjustAllLayer (the training forward)
import SiamNN
import SiamRPN

/// pysot's neck for training: one `AdjustLayer` per level — `downsample.0` 1x1 convolution
/// (no bias) and `downsample.1` BatchNorm (train mode: the neck always trains), then the centre
/// `centerSize` x `centerSize` window when the map is narrower than 20 (the 15x15 template
/// features are cropped to 7x7, the 31x31 search features are not). Keys: `neck.downsample.*` for
/// `AdjustLayer`, `neck.downsample.downsample.*` for a one-level `AdjustAllLayer`,
/// `neck.downsample{2,3,...}.downsample.*` for several levels. `branch()` makes the operations of
/// one neck call (pysot calls it on the template features, then on the search features).
struct NeckTraining {
    private struct Level {
        var conv: TrainingParameter
        var norm: BatchNormSpec
    }

    private let levels: [Level]
    let centerSize: Int
    /// Output channels per level.
    let outChannels: [Int]

    /// nil for `ADJUST: False` (no neck).
    init?(spec: NeckSpec, weights: TrainingWeights, prefix: String) {
        let entries: [(prefix: String, cin: Int, cout: Int)]
        switch spec {
        case .none:
            return nil
        case .adjustLayer(let cin, let cout, let center):
            entries = [(prefix, cin, cout)]
            centerSize = center
        case .adjustAllLayer(let cins, let couts, let center):
            entries =
                cins.count == 1
                ? [(prefix + "downsample.", cins[0], couts[0])]
                : zip(cins, couts).enumerated().map { (prefix + "downsample\($0 + 2).", $1.0, $1.1) }
            centerSize = center
        }
        levels = entries.map { p, cin, cout in
            Level(
                conv: weights.parameter(p + "downsample.0.weight", shape: [cout, cin, 1, 1]),
                norm: weights.batchNorm(p + "downsample.1", channels: cout))
        }
        outChannels = entries.map(\.cout)
    }

    /// Input channels per level (the conv weights' second dimension).
    var inChannels: [Int] { levels.map { $0.conv.shape[1] } }

    /// The side after the neck: cropped to `centerSize` below 20.
    func outputSide(_ side: Int) -> Int { side < 20 ? centerSize : side }

    /// The operations of one neck call, one sequence per level.
    func branch() -> NeckBranch {
        NeckBranch(
            levels: levels.map { level in
                TrainingSequence([
                    ConvolutionLayer(weight: level.conv, bias: nil), level.norm.layer(training: true)
                ])
            }, centerSize: centerSize)
    }
}

/// One call of the neck: per level, `downsample` then the centre crop when the map is narrower
/// than 20 (decided on each forward).
final class NeckBranch {
    private let levels: [TrainingSequence]
    private let crops: [CenterCropLayer]
    private var cropped: [Bool]

    init(levels: [TrainingSequence], centerSize: Int) {
        self.levels = levels
        crops = levels.map { _ in CenterCropLayer(size: centerSize) }
        cropped = levels.map { _ in false }
    }

    var batchNorms: [BatchNormLayer] { levels.map { $0.layers[1] as! BatchNormLayer } }

    func forward(_ features: [TrainingBuffer]) -> [TrainingBuffer] {
        precondition(features.count == levels.count, "neck of \(levels.count) levels given \(features.count) maps")
        return levels.indices.map { i in
            let y = levels[i].forward(features[i])
            cropped[i] = y.width < 20
            return cropped[i] ? crops[i].forward(y) : y
        }
    }

    func backward(_ gradients: [TrainingBuffer]) -> [TrainingBuffer] {
        levels.indices.map { i in
            levels[i].backward(cropped[i] ? crops[i].backward(gradients[i]) : gradients[i])
        }
    }
}
