// Mirrors NanoTrack nanotrack/models/backbone/mobile_v3.py: SELayer, InvertedResidual, mobilenetv3_small_v3 (the training forward)
import SiamNN
import SiamRPN

/// NanoTrack's MobileNetV3-Small backbone for training, BatchNorm unfolded, NanoTrack's names
/// under `prefix` (`backbone.features.<i>...`).
///
/// `features.0`: 3x3/2 conv (no bias, padding 1) -> BN -> h-swish; then one inverted residual
/// block per `NanoMobileNetV3.Setting` (`features.1...`). A block with an expansion is
/// `conv.0` 1x1 -> `conv.1` BN -> act -> `conv.3` depth-wise kxk/s -> `conv.4` BN -> `conv.5` SE
/// (h-sigmoid gate; nn.Identity without SE) -> act -> `conv.7` 1x1 -> `conv.8` BN; without an
/// expansion (`features.1`) `conv.0` depth-wise -> `conv.1` BN -> act -> `conv.3` SE -> `conv.4`
/// 1x1 -> `conv.5` BN. act is h-swish (`HS`) or ReLU; the input is added when stride is 1 and the
/// channels stay. Convolutions have no bias; the SE's `fc.0` / `fc.2` are `nn.Linear` with bias.
/// The weights are bound once; `branch(training:)` makes the operations of one backbone call
/// (NanoTrack calls it on the template, then on the search image).
struct NanoMobileNetV3Training {
    /// One block's bound tensors.
    private struct Block {
        var expand: (conv: TrainingParameter, norm: BatchNormSpec)?
        var depthwise: (conv: TrainingParameter, norm: BatchNormSpec)
        var se: [TrainingParameter]?
        var project: (conv: TrainingParameter, norm: BatchNormSpec)
        var kernel: Int, stride: Int
        var activation: ActivationLayer.Kind
        var residual: Bool
    }

    private let stem: (conv: TrainingParameter, norm: BatchNormSpec)
    private let blocks: [Block]
    let outChannels: Int
    /// Every parameter, in NanoTrack's state-dict order.
    let parameters: [TrainingParameter]

    init(settings: [NanoMobileNetV3.Setting], weights: TrainingWeights, prefix: String) {
        var all: [TrainingParameter] = []
        func convBN(_ conv: String, _ norm: String, in cin: Int, out cout: Int, kernel k: Int, groups: Int = 1) -> (
            TrainingParameter, BatchNormSpec
        ) {
            let w = weights.parameter(prefix + conv + ".weight", shape: [cout, cin / groups, k, k])
            let bn = weights.batchNorm(prefix + norm, channels: cout)
            all += [w, bn.weight, bn.bias]
            return (w, bn)
        }
        var input = NanoMobileNetV3.makeDivisible(16)
        stem = convBN("features.0.0", "features.0.1", in: 3, out: input, kernel: 3)
        var blocks: [Block] = []
        for (i, s) in settings.enumerated() {
            let output = NanoMobileNetV3.makeDivisible(Double(s.c))
            let hidden = NanoMobileNetV3.makeDivisible(Double(input) * s.t)
            let p = "features.\(i + 1).conv."
            let hasExpansion = hidden != input
            let (dw, se, pw) = hasExpansion ? (3, 5, 7) : (0, 3, 4)
            let expand = hasExpansion ? convBN(p + "0", p + "1", in: input, out: hidden, kernel: 1) : nil
            let depthwise = convBN(p + "\(dw)", p + "\(dw + 1)", in: hidden, out: hidden, kernel: s.k, groups: hidden)
            var gate: [TrainingParameter]?
            if s.se {
                let r = NanoMobileNetV3.makeDivisible(Double(hidden / 4))
                let fc = prefix + p + "\(se).fc."
                gate = [
                    weights.parameter(fc + "0.weight", shape: [r, hidden], fanIn: hidden),
                    weights.parameter(fc + "0.bias", shape: [r], fanIn: hidden),
                    weights.parameter(fc + "2.weight", shape: [hidden, r], fanIn: r),
                    weights.parameter(fc + "2.bias", shape: [hidden], fanIn: r)
                ]
                all += gate!
            }
            let project = convBN(p + "\(pw)", p + "\(pw + 1)", in: hidden, out: output, kernel: 1)
            blocks.append(
                Block(
                    expand: expand, depthwise: depthwise, se: gate, project: project, kernel: s.k, stride: s.s,
                    activation: s.hs ? .hardSwish : .relu, residual: s.s == 1 && input == output))
            input = output
        }
        self.blocks = blocks
        outChannels = input
        parameters = all
    }

    /// The operations of one backbone call; `training` puts every BatchNorm in train mode (batch
    /// statistics, running statistics updated), otherwise eval mode. The first convolution
    /// computes no input gradient (the image needs none).
    func branch(training: Bool) -> TrainingSequence {
        func conv(_ c: (conv: TrainingParameter, norm: BatchNormSpec), stride: Int = 1, padding: Int = 0, groups: Int = 1)
            -> [any TrainingLayer]
        {
            [
                ConvolutionLayer(weight: c.conv, bias: nil, stride: stride, padding: padding, groups: groups),
                c.norm.layer(training: training)
            ]
        }
        let first = conv(stem, stride: 2, padding: 1)
        (first[0] as! ConvolutionLayer).computesInputGradient = false
        var layers: [any TrainingLayer] = first + [ActivationLayer(.hardSwish)]
        for b in blocks {
            var body: [any TrainingLayer] = []
            if let e = b.expand { body += conv(e) + [ActivationLayer(b.activation)] }
            body += conv(b.depthwise, stride: b.stride, padding: (b.kernel - 1) / 2, groups: b.depthwise.conv.shape[0])
            let se: [any TrainingLayer] =
                b.se.map { [SqueezeExcitationLayer(reduceWeight: $0[0], reduceBias: $0[1], expandWeight: $0[2], expandBias: $0[3])] }
                ?? []
            // SE before the activation in an expanded block, after it in `features.1`.
            body += b.expand == nil ? [ActivationLayer(b.activation)] + se : se + [ActivationLayer(b.activation)]
            body += conv(b.project)
            let sequence = TrainingSequence(body)
            layers.append(b.residual ? ResidualTraining(sequence) : sequence)
        }
        return TrainingSequence(layers)
    }

    /// The side of the feature map for an input side: four stride-2 convolutions with
    /// `padding = (k - 1) / 2` (`(s - 1) / 2 + 1` each).
    static func outputSide(_ side: Int) -> Int {
        var s = side
        for _ in 0..<4 { s = (s - 1) / 2 + 1 }
        return s
    }
}

/// `x + body(x)` (the identity branch of NanoTrack's `InvertedResidual`): backward adds d loss /
/// d output to the body's input gradient.
final class ResidualTraining: TrainingLayer {
    let body: TrainingSequence
    private let add = ResidualAddLayer()
    private let inputGradient = TrainingBuffer()

    init(_ body: TrainingSequence) { self.body = body }

    func forward(_ x: TrainingBuffer) -> TrainingBuffer { add.forward(x, body.forward(x)) }

    func backward(_ dy: TrainingBuffer) -> TrainingBuffer {
        let g = body.backward(dy)
        inputGradient.reshape(g.shape)
        for i in 0..<g.count { inputGradient.pointer[i] = g.pointer[i] + dy.pointer[i] }
        return inputGradient
    }
}
