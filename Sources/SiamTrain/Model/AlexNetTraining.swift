// Mirrors pysot/models/backbone/alexnet.py: AlexNetLegacy, AlexNet (the training forward)
import SiamNN

/// pysot's AlexNet backbones for training, BatchNorm unfolded, pysot's parameter names.
///
/// Channels `[3, 96, 256, 384, 384, 256]` times the width multiplier (Python `int()`); five
/// valid convolutions with bias, each followed by BatchNorm2d: 11x11/2 -> BN -> max-pool 3/2 ->
/// ReLU, 5x5 -> BN -> max-pool 3/2 -> ReLU, 3x3 -> BN -> ReLU, 3x3 -> BN -> ReLU, 3x3 -> BN.
/// `AlexNetLegacy` names them `features.{0,4,8,11,14}` (BN at +1), `AlexNet` `layer{1...5}.0`
/// (BN at `.1`).
struct AlexNetTraining: TrainingBackbone {
    let convs: [(weight: TrainingParameter, bias: TrainingParameter)]
    let norms: [BatchNormSpec]
    private let outChannel: Int

    init(widthMult: Double, legacy: Bool, weights: TrainingWeights, prefix: String) {
        let c = [3, 96, 256, 384, 384, 256].map { $0 == 3 ? 3 : Int(Double($0) * widthMult) }
        let kernels = [11, 5, 3, 3, 3]
        let legacyIndex = [0, 4, 8, 11, 14]
        var convs: [(TrainingParameter, TrainingParameter)] = []
        var norms: [BatchNormSpec] = []
        for i in 0..<5 {
            let (conv, bn) =
                legacy
                ? (prefix + "features.\(legacyIndex[i])", prefix + "features.\(legacyIndex[i] + 1)")
                : (prefix + "layer\(i + 1).0", prefix + "layer\(i + 1).1")
            let w = weights.parameter(conv + ".weight", shape: [c[i + 1], c[i], kernels[i], kernels[i]])
            let b = weights.parameter(conv + ".bias", shape: [c[i + 1]], fanIn: c[i] * kernels[i] * kernels[i])
            convs.append((w, b))
            norms.append(weights.batchNorm(bn, channels: c[i + 1]))
        }
        self.convs = convs
        self.norms = norms
        outChannel = c[5]
        moduleNames = legacy ? [] : (1...5).map { "layer\($0)" }
    }

    /// pysot's module names of the five stages: `layer1`...`layer5` for `AlexNet`;
    /// `AlexNetLegacy` has none (its stages are `features.N`, so pysot fails with an
    /// AttributeError when a TRAIN_LAYERS entry is looked up in it).
    let moduleNames: [String]

    var outChannels: [Int] { [outChannel] }

    /// The module a stage belongs to: `layer<i+1>`, or `features` for `AlexNetLegacy`.
    private func module(_ i: Int) -> String { moduleNames.isEmpty ? "features" : moduleNames[i] }

    /// Stage `i` (conv, BN, pool, ReLU) trains when `trains(module)`: its BatchNorm then runs in
    /// train mode. The backward pass stops at the first trained stage's convolution, which
    /// computes no input gradient.
    func branch(trains: (String) -> Bool) -> any TrainingBackboneBranch {
        var layers: [any TrainingLayer] = []
        var first: Int?
        var norms: [BatchNormLayer] = []
        for i in 0..<5 {
            let stageTrains = trains(module(i))
            let conv = ConvolutionLayer(weight: convs[i].weight, bias: convs[i].bias, stride: i == 0 ? 2 : 1)
            if first == nil && stageTrains {
                first = layers.count
                conv.computesInputGradient = false
            }
            layers.append(conv)
            let norm = self.norms[i].layer(training: stageTrains)
            if stageTrains { norms.append(norm) }
            layers.append(norm)
            if i < 2 { layers.append(MaxPoolLayer(kernel: 3, stride: 2)) }
            if i < 4 { layers.append(ActivationLayer(.relu)) }
        }
        return StagedBackboneBranch(units: layers, outputUnits: [layers.count - 1], lowestTrained: first, trainModeBatchNorms: norms)
    }

    func outputSides(_ side: Int) -> [Int]? { Self.outputSide(side).map { [$0] } }

    /// The side of the feature map for an input side, or nil when the input is too small.
    static func outputSide(_ side: Int) -> Int? {
        var s = (side - 11) / 2 + 1
        s = (s - 3) / 2 + 1 - 4
        s = (s - 3) / 2 + 1 - 6
        return side >= 11 && s > 0 ? s : nil
    }
}
