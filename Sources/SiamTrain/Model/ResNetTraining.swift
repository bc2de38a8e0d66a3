// Mirrors pysot/models/backbone/resnet_atrous.py: ResNet, resnet18, resnet34, resnet50 (the training forward)
import SiamNN

/// pysot's atrous ResNet backbones for training, BatchNorm unfolded, pysot's parameter names
/// under `prefix` (`backbone.`).
///
/// `conv1` 7x7/2 unpadded, bias-free -> `bn1` -> ReLU (output 0, `[N, 64, S0, S0]`,
/// `S0 = (S - 7) / 2 + 1`) -> max-pool 3x3/2 padding 1 -> `layer1` (64 planes) -> `layer2`
/// (128, stride 2) -> `layer3` (256, stride 1, dilation 2) -> `layer4` (512, stride 1, dilation 4).
/// `layer3` / `layer4` exist only when 3 / 4 is in `usedLayers` (pysot's identity otherwise, so
/// `resnet34` with `[4]` feeds layer2's output to layer4). Blocks per layer: `[2, 2, 2, 2]`
/// BasicBlocks (`resnet18`), `[3, 4, 6, 3]` BasicBlocks (`resnet34`) or Bottlenecks
/// (`resnet50`, expansion 4); `ResNetBlockWeights` has their rules. Outputs, in `usedLayers`
/// order, are picked from `[relu(bn1(conv1(x))), layer1, layer2, layer3, layer4]` (channels
/// `[64, 64, 128, 256, 512]`, times 4 after conv1 for `resnet50`); for a `[N, 3, 127, 127]`
/// template the sides are `[61, 31, 15, 15, 15]`, for a 255 search image `[125, 63, 31, 31, 31]`.
/// Parameters are bound in pysot's state-dict order: conv1, bn1, then every block of layer1,
/// layer2, layer3, layer4.
struct ResNetTraining: TrainingBackbone {
    let depth: Int
    let usedLayers: [Int]
    private let stem: (weight: TrainingParameter, norm: BatchNormSpec)
    /// The layers that exist, by their number (1...4), with their blocks.
    private let layers: [(index: Int, blocks: [ResNetBlockWeights])]
    let moduleNames: [String]
    let outChannels: [Int]

    init(depth: Int, usedLayers: [Int], weights: TrainingWeights, prefix: String) {
        precondition([18, 34, 50].contains(depth), "ResNet depth must be 18, 34 or 50, not \(depth)")
        precondition(!usedLayers.isEmpty && usedLayers.allSatisfy { (0...4).contains($0) }, "used_layers \(usedLayers)")
        self.depth = depth
        self.usedLayers = usedLayers
        let bottleneck = depth == 50
        let expansion = bottleneck ? 4 : 1
        let blockCounts = depth == 18 ? [2, 2, 2, 2] : [3, 4, 6, 3]
        stem = (
            weights.parameter(prefix + "conv1.weight", shape: [64, 3, 7, 7]),
            weights.batchNorm(prefix + "bn1", channels: 64)
        )
        // (planes, stride, dilation) of layer1...layer4.
        let settings = [(64, 1, 1), (128, 2, 1), (256, 1, 2), (512, 1, 4)]
        var inplanes = 64
        var layers: [(Int, [ResNetBlockWeights])] = []
        for (i, (planes, stride, dilation)) in settings.enumerated() where i < 2 || usedLayers.contains(i + 1) {
            var blocks: [ResNetBlockWeights] = []
            for b in 0..<blockCounts[i] {
                // `_make_layer`: the first block downsamples when the stride or the width changes.
                let downsample = b == 0 && (stride != 1 || inplanes != planes * expansion)
                blocks.append(
                    ResNetBlockWeights(
                        bottleneck: bottleneck, inplanes: inplanes, planes: planes, stride: b == 0 ? stride : 1,
                        dilation: dilation, downsample: downsample, weights: weights, prefix: prefix + "layer\(i + 1).\(b)."))
                inplanes = planes * expansion
            }
            layers.append((i + 1, blocks))
        }
        self.layers = layers
        moduleNames = ["conv1", "bn1"] + layers.map { "layer\($0.0)" }
        let channels = [64] + settings.map { $0.0 * expansion }
        outChannels = usedLayers.map { channels[$0] }
    }

    /// Output sides for an input side: conv1 `(S - 7) / 2 + 1`, the max-pool `(s - 1) / 2 + 1`,
    /// layer2's stride-2 unpadded 3x3 `(s - 3) / 2 + 1`; layer3 and layer4 keep the size. Nil
    /// when layer2 has no output.
    func outputSides(_ side: Int) -> [Int]? {
        guard side >= 7 else { return nil }
        let s0 = (side - 7) / 2 + 1
        let s1 = (s0 - 1) / 2 + 1
        guard s1 >= 3 else { return nil }
        let s2 = (s1 - 3) / 2 + 1
        let sides = [s0, s1, s2, s2, s2]
        return usedLayers.map { sides[$0] }
    }

    /// One backbone call. `trains("bn1")` puts bn1 in train mode and `trains("layerK")` every
    /// BatchNorm of layerK (the others run in eval mode); which parameters get gradients is their
    /// `requiresGrad`, so `trains("conv1")` only says that the backward pass must reach conv1. The
    /// backward pass stops at the lowest trained module: its lowest block computes no input
    /// gradient, and the max-pool and the stem run backward only when bn1 or conv1 trains (conv1
    /// never computes an input gradient; a trained bn1 below a frozen conv1 computes one that
    /// nothing reads).
    func branch(trains: (String) -> Bool) -> any TrainingBackboneBranch {
        var units: [any TrainingLayer] = []
        var lowest: Int?
        var norms: [BatchNormLayer] = []
        func append(_ unit: any TrainingLayer, trained: Bool) {
            if trained && lowest == nil { lowest = units.count }
            units.append(unit)
        }
        let conv1 = ConvolutionLayer(weight: stem.weight, bias: nil, stride: 2)
        conv1.computesInputGradient = false
        append(conv1, trained: trains("conv1"))
        let bn1Trains = trains("bn1")
        let bn1 = stem.norm.layer(training: bn1Trains)
        if bn1Trains { norms.append(bn1) }
        append(bn1, trained: bn1Trains)
        append(ActivationLayer(.relu), trained: false)
        // The unit after which each of the outputs 0...4 is taken (an absent layer is the identity).
        var outputUnit = [units.count - 1]
        append(MaxPoolLayer(kernel: 3, stride: 2, padding: 1), trained: false)
        for (index, blocks) in layers {
            let layerTrains = trains("layer\(index)")
            for b in blocks {
                let block = b.layer(training: layerTrains)
                if layerTrains { norms += block.batchNorms }
                append(block, trained: layerTrains)
            }
            while outputUnit.count < index { outputUnit.append(outputUnit.last!) }
            outputUnit.append(units.count - 1)
        }
        if let lowest, let block = units[lowest] as? ResNetBlockTraining { block.computesInputGradient = false }
        return StagedBackboneBranch(
            units: units, outputUnits: usedLayers.map { outputUnit[$0] }, lowestTrained: lowest, trainModeBatchNorms: norms)
    }
}
