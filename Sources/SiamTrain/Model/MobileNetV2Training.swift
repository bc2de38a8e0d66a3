// Mirrors pysot/models/backbone/mobile_v2.py: conv_bn, InvertedResidual, MobileNetV2, mobilenetv2 (the training forward)
import SiamNN
import SiamRPN

/// pysot's MobileNetV2 variant for training, BatchNorm unfolded, pysot's names under `prefix`
/// (`backbone.layer0.0.weight`, ...).
///
/// `layer0` (`conv_bn(3, int(32 w), 2, 0)`): 3x3/2 conv without bias and **without padding** ->
/// BN -> ReLU6. `layer1`...`layer7`: one `nn.Sequential` of inverted residual blocks per setting
/// (t, c, n, s, d) = (1,16,1,1,1) (6,24,2,2,1) (6,32,3,2,1) (6,64,4,1,2) (6,96,3,1,2)
/// (6,160,3,1,4) (6,320,1,1,4), output channels `int(c * w)` (Python truncation). Block `i` of a
/// layer (`layerK.i.conv.N`): `conv.0` 1x1 expansion to `inp * t` channels (present even when
/// t = 1) -> `conv.1` BN -> ReLU6 -> `conv.3` depth-wise 3x3 (stride s for the first block, else
/// 1; padding `2 - stride`, or the dilation when above 1) -> `conv.4` BN -> ReLU6 -> `conv.6` 1x1
/// projection -> `conv.7` BN (linear); the input is added when stride is 1 and `inp == oup`. The
/// first block of a layer takes dilation `d` when `d` equals the previous layer's, else
/// `max(d / 2, 1)`; the others take `d`. No convolution has a bias.
///
/// Shapes (`[N, C, H, W]`, width 1.4): `layer0` 44 channels at `(H - 3) / 2 + 1`; `layer1` 22;
/// `layer2` 33 at half that (valid stride 2); `layer3` 44 at half again; `layer4`...`layer7` 89,
/// 134, 224, 448 at `layer3`'s side (dilated, stride 1): 127 -> 15, 255 -> 31.
/// Every call runs all eight layers (pysot's `forward` does, so train-mode BatchNorms above the
/// highest used output still update their running statistics) and returns the outputs of
/// `usedLayers` in that order.
struct MobileNetV2Training: TrainingBackbone {
    /// One convolution (no bias) and the BatchNorm after it.
    private struct ConvBN {
        var conv: TrainingParameter
        var norm: BatchNormSpec
    }

    /// One `InvertedResidual`'s bound tensors and geometry.
    private struct Block {
        var expand: ConvBN, depthwise: ConvBN, project: ConvBN
        var stride: Int, padding: Int, dilation: Int
        var residual: Bool
    }

    private let stem: ConvBN
    /// `layer1`...`layer7`.
    private let layers: [[Block]]
    /// The layers (0...7) whose outputs `forward` returns, in this order (pysot's `used_layers`).
    let usedLayers: [Int]
    let outChannels: [Int]
    let moduleNames = (0...7).map { "layer\($0)" }

    /// Binds every tensor in pysot's state-dict order: `layer0.0.weight`, `layer0.1.*`, then per
    /// block `conv.0.weight`, `conv.1.*`, `conv.3.weight`, `conv.4.*`, `conv.6.weight`, `conv.7.*`.
    init(widthMult: Double, usedLayers: [Int], weights: TrainingWeights, prefix: String) {
        precondition(!usedLayers.isEmpty && usedLayers.allSatisfy { (0...7).contains($0) }, "used layers \(usedLayers) not in 0...7")
        func convBN(_ conv: String, _ norm: String, in cin: Int, out cout: Int, kernel k: Int, groups: Int = 1) -> ConvBN {
            ConvBN(
                conv: weights.parameter(prefix + conv + ".weight", shape: [cout, cin / groups, k, k]),
                norm: weights.batchNorm(prefix + norm, channels: cout))
        }
        let geometry = MobileNetV2Geometry.layers(widthMult: widthMult)
        let stemChannels = MobileNetV2Geometry.stemChannels(widthMult: widthMult)
        stem = convBN("layer0.0", "layer0.1", in: 3, out: stemChannels, kernel: 3)
        let layers = geometry.enumerated().map { index, blocks in
            blocks.enumerated().map { i, g in
                let p = "layer\(index + 1).\(i).conv."
                return Block(
                    expand: convBN(p + "0", p + "1", in: g.input, out: g.hidden, kernel: 1),
                    depthwise: convBN(p + "3", p + "4", in: g.hidden, out: g.hidden, kernel: 3, groups: g.hidden),
                    project: convBN(p + "6", p + "7", in: g.hidden, out: g.output, kernel: 1),
                    stride: g.stride, padding: g.padding, dilation: g.dilation, residual: g.residual)
            }
        }
        let channels = MobileNetV2Geometry.channels(widthMult: widthMult)
        self.layers = layers
        self.usedLayers = usedLayers
        outChannels = usedLayers.map { channels[$0] }
    }

    /// The side of each used output for a square input side: `layer0` is a valid 3x3/2
    /// convolution, the stride-2 blocks valid 3x3/2 depth-wise ones, every other convolution keeps
    /// the side. Nil when the input is too small for the network.
    func outputSides(_ side: Int) -> [Int]? {
        func valid(_ s: Int, stride: Int, padding: Int, dilation: Int) -> Int? {
            let span = s + 2 * padding - 2 * dilation - 1
            return span >= 0 ? span / stride + 1 : nil
        }
        guard var s = valid(side, stride: 2, padding: 0, dilation: 1) else { return nil }
        var sides = [s]
        for blocks in layers {
            for b in blocks {
                guard let next = valid(s, stride: b.stride, padding: b.padding, dilation: b.dilation) else { return nil }
                s = next
            }
            sides.append(s)
        }
        return usedLayers.map { sides[$0] }
    }

    /// The operations of one backbone call: `layerK`'s BatchNorms run in train mode when
    /// `trains("layerK")`, in eval mode otherwise. The first convolution of the lowest trained
    /// layer computes no input gradient: the backward pass stops there.
    func branch(trains: (String) -> Bool) -> any TrainingBackboneBranch {
        var batchNorms: [BatchNormLayer] = []
        var lowest: Int?
        var stages: [TrainingSequence] = []
        for (k, name) in moduleNames.enumerated() {
            let training = trains(name)
            var first: ConvolutionLayer?
            func conv(_ c: ConvBN, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1, relu6: Bool)
                -> [any TrainingLayer]
            {
                let layer = ConvolutionLayer(weight: c.conv, bias: nil, stride: stride, padding: padding, dilation: dilation, groups: groups)
                if first == nil { first = layer }
                let norm = c.norm.layer(training: training)
                if training { batchNorms.append(norm) }
                return relu6 ? [layer, norm, ActivationLayer(.relu6)] : [layer, norm]
            }
            if k == 0 {
                stages.append(TrainingSequence(conv(stem, stride: 2, relu6: true)))
            } else {
                var blocks: [any TrainingLayer] = []
                for (i, b) in layers[k - 1].enumerated() {
                    // The first block of a layer never adds its input (its channels change), so the
                    // backward pass can stop inside it.
                    precondition(i > 0 || !b.residual, "layer\(k).0 is residual")
                    let body = TrainingSequence(
                        conv(b.expand, relu6: true)
                            + conv(
                                b.depthwise, stride: b.stride, padding: b.padding, dilation: b.dilation,
                                groups: b.depthwise.conv.shape[0], relu6: true)
                            + conv(b.project, relu6: false))
                    blocks.append(b.residual ? ResidualTraining(body) : body)
                }
                stages.append(TrainingSequence(blocks))
            }
            if training && lowest == nil {
                lowest = k
                first?.computesInputGradient = false
            }
        }
        return StagedBackboneBranch(units: stages, outputUnits: usedLayers, lowestTrained: lowest, trainModeBatchNorms: batchNorms)
    }
}
