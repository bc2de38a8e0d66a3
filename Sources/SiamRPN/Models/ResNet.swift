// Mirrors pysot/models/backbone/resnet_atrous.py: BasicBlock, Bottleneck, ResNet, resnet18/34/50
import SiamNN

/// pysot's atrous ResNet: `conv1` 7x7/2 without padding, 3x3/2 max-pool, layer1, layer2 (stride
/// 2), layer3 (stride 1, dilation 2) and layer4 (stride 1, dilation 4); layers 3 and 4 exist only
/// when named in `usedLayers`. Outputs, in `usedLayers` order, are picked from
/// `[relu(bn1(conv1)), layer1, layer2, layer3, layer4]` (index 0..4).
struct ResNet {
    /// One residual block, BatchNorms folded.
    struct Block {
        /// Bottleneck: [1x1, 3x3, 1x1]; BasicBlock: [3x3, 3x3]. The last has no activation
        /// (it is applied after the residual add).
        var convs: [Conv2D]
        var downsample: Conv2D?
    }

    let depth: Int
    let usedLayers: [Int]
    let stem: Conv2D
    /// Blocks of layer1...layer4; empty for layer3/layer4 when unused (pysot's identity).
    let layers: [[Block]]

    /// Channels of outputs 0...4 for a given depth.
    static func channels(depth: Int) -> [Int] {
        depth == 50 ? [64, 256, 512, 1024, 2048] : [64, 64, 128, 256, 512]
    }

    init(depth: Int, usedLayers: [Int], weights: WeightReader, prefix: String) {
        precondition([18, 34, 50].contains(depth), "ResNet depth must be 18, 34 or 50")
        self.depth = depth
        self.usedLayers = usedLayers
        let bottleneck = depth == 50
        let expansion = bottleneck ? 4 : 1
        let blockCounts = depth == 18 ? [2, 2, 2, 2] : [3, 4, 6, 3]
        stem = weights.convBN(
            prefix + "conv1", prefix + "bn1", in: 3, out: 64, kernel: 7, stride: 2,
            padding: 0, activation: .relu)
        var inplanes = 64
        var layers: [[Block]] = []
        // (planes, stride, dilation) of layer1...layer4; layers 3/4 only when used.
        let settings = [(64, 1, 1), (128, 2, 1), (256, 1, 2), (512, 1, 4)]
        for (index, (planes, stride, dilation)) in settings.enumerated() {
            if index >= 2 && !usedLayers.contains(index + 1) {
                layers.append([])
                continue
            }
            let layerPrefix = prefix + "layer\(index + 1)."
            var blocks: [Block] = []
            for b in 0..<blockCounts[index] {
                let p = layerPrefix + "\(b)."
                let first = b == 0
                let blockStride = first ? stride : 1
                // The first block of a layer has a downsample when the stride or width changes.
                var downsample: Conv2D?
                if first && (stride != 1 || inplanes != planes * expansion) {
                    if stride == 1 && dilation == 1 {
                        downsample = weights.convBN(
                            p + "downsample.0", p + "downsample.1", in: inplanes,
                            out: planes * expansion, kernel: 1, activation: .none)
                    } else {
                        let dd = dilation > 1 ? dilation / 2 : 1
                        downsample = weights.convBN(
                            p + "downsample.0", p + "downsample.1", in: inplanes,
                            out: planes * expansion, kernel: 3, stride: stride,
                            padding: dilation > 1 ? dd : 0, dilation: dd, activation: .none)
                    }
                }
                var convs: [Conv2D]
                if bottleneck {
                    // conv2 carries the stride; a downsampling first block of a dilated layer
                    // halves the dilation; padding = 2 - stride, or the dilation when > 1.
                    var d = dilation
                    var pad = 2 - blockStride
                    if downsample != nil && d > 1 {
                        d /= 2
                        pad = d
                    }
                    if d > 1 { pad = d }
                    convs = [
                        weights.convBN(p + "conv1", p + "bn1", in: inplanes, out: planes, kernel: 1, activation: .relu),
                        weights.convBN(
                            p + "conv2", p + "bn2", in: planes, out: planes, kernel: 3, stride: blockStride,
                            padding: pad, dilation: d, activation: .relu),
                        weights.convBN(p + "conv3", p + "bn3", in: planes, out: planes * 4, kernel: 1, activation: .none)
                    ]
                } else {
                    var pad = 2 - blockStride
                    if dilation > 1 { pad = dilation }
                    var dd = dilation
                    if downsample != nil && dilation > 1 {
                        dd = dilation / 2
                        pad = dd
                    }
                    convs = [
                        weights.convBN(
                            p + "conv1", p + "bn1", in: inplanes, out: planes, kernel: 3, stride: blockStride,
                            padding: pad, dilation: dd, activation: .relu),
                        weights.convBN(
                            p + "conv2", p + "bn2", in: planes, out: planes, kernel: 3,
                            padding: dilation, dilation: dilation, activation: .none)
                    ]
                }
                blocks.append(Block(convs: convs, downsample: downsample))
                inplanes = planes * expansion
            }
            layers.append(blocks)
        }
        self.layers = layers
    }

    /// Adds the backbone to `b`; returns the outputs named by `usedLayers`, in that order.
    func add(to b: GraphBuilder, _ x: Graph.Value) -> [Graph.Value] {
        let c1 = b.conv(x, stem)
        var outputs = [c1]
        var h = b.maxPool(c1, kernel: 3, stride: 2, padding: 1)
        for blocks in layers {
            for block in blocks {
                let identity = block.downsample.map { b.conv(h, $0) } ?? h
                var y = h
                for conv in block.convs.dropLast() { y = b.conv(y, conv) }
                h = b.conv(y, block.convs.last!.with(.relu), residual: identity)
            }
            outputs.append(h)
        }
        return usedLayers.map { outputs[$0] }
    }
}
