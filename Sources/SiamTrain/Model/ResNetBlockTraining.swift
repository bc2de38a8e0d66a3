// Mirrors pysot/models/backbone/resnet_atrous.py: BasicBlock, Bottleneck (the training forward)
import SiamNN

/// One residual block of pysot's atrous ResNet, its weights bound under pysot's names
/// (`<prefix>conv1`, `bn1`, `conv2`, `bn2`, [`conv3`, `bn3`,] `downsample.0`, `downsample.1`, in
/// that order: the state dict's).
///
/// Bottleneck (`resnet50`): 1x1 `planes` -> BN -> ReLU -> 3x3 (stride, `padding = 2 - stride`;
/// in a dilated layer dilation = padding = `d`, or `d / 2` in the block with a downsample) -> BN
/// -> ReLU -> 1x1 `4 * planes` -> BN. BasicBlock (`resnet18/34`): 3x3 (stride, the same padding
/// and dilation rule) -> BN -> ReLU -> 3x3 (dilation = padding = `d`) -> BN. The residual (the
/// input, or `downsample(input)`: conv + BN) is added, then ReLU. All convolutions are bias-free.
/// Shapes: input `[N, inplanes, H, W]`, output `[N, planes * expansion, H', W']` (`H' = H` except
/// for the stride-2 block of layer2: `(H - 3) / 2 + 1`).
struct ResNetBlockWeights {
    /// One bias-free convolution and the BatchNorm after it.
    struct ConvBN {
        let weight: TrainingParameter
        let norm: BatchNormSpec
        let stride: Int, padding: Int, dilation: Int
    }

    /// The residual branch's convolutions, in order; ReLU between them, none after the last.
    let body: [ConvBN]
    /// `downsample.0` / `downsample.1`, when the block changes the stride or the width.
    let downsample: ConvBN?

    /// Binds the block at `prefix` (`backbone.layer2.0.`). `downsample` is `_make_layer`'s
    /// decision (first block of a layer whose stride or width changes); `stride` and `dilation`
    /// are the layer's.
    init(
        bottleneck: Bool, inplanes: Int, planes: Int, stride: Int, dilation: Int, downsample: Bool, weights: TrainingWeights,
        prefix: String
    ) {
        func convBN(_ i: Int, in cin: Int, out cout: Int, kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1)
            -> ConvBN
        {
            let w = weights.parameter(prefix + "conv\(i).weight", shape: [cout, cin, kernel, kernel])
            let bn = weights.batchNorm(prefix + "bn\(i)", channels: cout)
            return ConvBN(weight: w, norm: bn, stride: stride, padding: padding, dilation: dilation)
        }
        // The block that downsamples in a dilated layer halves the dilation of its strided conv.
        let d = downsample && dilation > 1 ? dilation / 2 : dilation
        let padding = d > 1 ? d : 2 - stride
        let expansion = bottleneck ? 4 : 1
        if bottleneck {
            body = [
                convBN(1, in: inplanes, out: planes, kernel: 1),
                convBN(2, in: planes, out: planes, kernel: 3, stride: stride, padding: padding, dilation: d),
                convBN(3, in: planes, out: planes * 4, kernel: 1)
            ]
        } else {
            body = [
                convBN(1, in: inplanes, out: planes, kernel: 3, stride: stride, padding: padding, dilation: d),
                convBN(2, in: planes, out: planes, kernel: 3, padding: dilation, dilation: dilation)
            ]
        }
        if downsample {
            // 1x1 when neither stride nor dilation; else 3x3 with dilation = padding = d / 2
            // (dilated layer) or unpadded (the stride-2 layer2).
            let pointwise = stride == 1 && dilation == 1
            let dd = dilation > 1 ? dilation / 2 : 1
            let k = pointwise ? 1 : 3
            let w = weights.parameter(prefix + "downsample.0.weight", shape: [planes * expansion, inplanes, k, k])
            let bn = weights.batchNorm(prefix + "downsample.1", channels: planes * expansion)
            self.downsample = ConvBN(
                weight: w, norm: bn, stride: stride, padding: pointwise ? 0 : (dilation > 1 ? dd : 0), dilation: pointwise ? 1 : dd)
        } else {
            self.downsample = nil
        }
    }

    /// Every BatchNorm of the block, in binding order.
    var norms: [BatchNormSpec] { body.map(\.norm) + (downsample.map { [$0.norm] } ?? []) }

    /// The operations of one call of the block; `training` puts its BatchNorms in train mode.
    func layer(training: Bool) -> ResNetBlockTraining {
        func ops(_ c: ConvBN) -> (ConvolutionLayer, BatchNormLayer) {
            (
                ConvolutionLayer(weight: c.weight, bias: nil, stride: c.stride, padding: c.padding, dilation: c.dilation),
                c.norm.layer(training: training)
            )
        }
        var layers: [any TrainingLayer] = []
        var firstConv: ConvolutionLayer?
        for (i, c) in body.enumerated() {
            let (conv, bn) = ops(c)
            if i == 0 { firstConv = conv }
            layers += [conv, bn]
            if i < body.count - 1 { layers.append(ActivationLayer(.relu)) }
        }
        let shortcut = downsample.map(ops)
        return ResNetBlockTraining(
            body: TrainingSequence(layers), firstConv: firstConv!,
            downsample: shortcut.map { (TrainingSequence([$0.0, $0.1]), $0.0) })
    }
}

/// `relu(body(x) + shortcut(x))`, shortcut the identity or `downsample` (conv + BN). Backward:
/// d loss / d the sum goes to the body and to the shortcut; the input gradient is the sum of
/// both branches' input gradients (a buffer of its own). With `computesInputGradient` false (the
/// lowest trained block of a backbone) the convolutions that read the input compute none, and
/// `backward` returns an empty buffer after adding the parameter gradients.
final class ResNetBlockTraining: TrainingLayer {
    let body: TrainingSequence
    let downsample: TrainingSequence?
    private let firstConv: ConvolutionLayer
    private let downsampleConv: ConvolutionLayer?
    private let add = ResidualAddLayer()
    private let relu = ActivationLayer(.relu)
    private let inputGradient = TrainingBuffer()

    init(body: TrainingSequence, firstConv: ConvolutionLayer, downsample: (TrainingSequence, ConvolutionLayer)?) {
        self.body = body
        self.firstConv = firstConv
        self.downsample = downsample?.0
        downsampleConv = downsample?.1
    }

    /// False: no gradient for the block's input (nothing below it trains).
    var computesInputGradient: Bool {
        get { firstConv.computesInputGradient }
        set {
            firstConv.computesInputGradient = newValue
            downsampleConv?.computesInputGradient = newValue
        }
    }

    /// The block's BatchNorm layers, in binding order.
    var batchNorms: [BatchNormLayer] {
        (body.layers + (downsample?.layers ?? [])).compactMap { $0 as? BatchNormLayer }
    }

    func forward(_ x: TrainingBuffer) -> TrainingBuffer {
        let y = body.forward(x)
        return relu.forward(add.forward(y, downsample?.forward(x) ?? x))
    }

    func backward(_ dy: TrainingBuffer) -> TrainingBuffer {
        let dSum = add.backward(relu.backward(dy)).a
        let dBody = body.backward(dSum)
        let dShortcut = downsample?.backward(dSum) ?? dSum
        guard computesInputGradient else {
            inputGradient.reshape([0, 0, 0, 0])
            return inputGradient
        }
        inputGradient.reshape(dBody.shape)
        let (a, b, out) = (dBody.pointer, dShortcut.pointer, inputGradient.pointer)
        for i in 0..<dBody.count { out[i] = a[i] + b[i] }
        return inputGradient
    }
}
