// Mirrors pysot/models/head/rpn.py: DepthwiseXCorr, DepthwiseRPN (the training forward)
import SiamNN

/// pysot's `DepthwiseXCorr(in, hidden, out)` for training, with pysot's names under `prefix`:
/// `conv_kernel` (3x3 no bias -> BN -> ReLU) on the template features, `conv_search` (the same)
/// on the search features, `xcorr_depthwise`, then `head` (1x1 no bias -> BN -> ReLU -> 1x1 with
/// bias). Each BatchNorm is called once per step (the kernel BN on the template batch).
final class DepthwiseXCorrTraining {
    let kernelBranch: TrainingSequence
    let searchBranch: TrainingSequence
    let correlation = DepthwiseCrossCorrelationLayer(padding: 0)
    let head: TrainingSequence
    let batchNorms: [BatchNormLayer]

    init(inChannels: Int, hidden: Int, outChannels: Int, weights: TrainingWeights, prefix: String) {
        func convBNReLU(_ p: String, kernel: Int, cin: Int) -> [any TrainingLayer] {
            [
                weights.conv(p + ".0", in: cin, out: hidden, kernel: kernel, bias: false),
                weights.batchNorm(p + ".1", channels: hidden).layer(training: true), ActivationLayer(.relu)
            ]
        }
        kernelBranch = TrainingSequence(convBNReLU(prefix + ".conv_kernel", kernel: 3, cin: inChannels))
        searchBranch = TrainingSequence(convBNReLU(prefix + ".conv_search", kernel: 3, cin: inChannels))
        head = TrainingSequence(
            convBNReLU(prefix + ".head", kernel: 1, cin: hidden)
                + [weights.conv(prefix + ".head.3", in: hidden, out: outChannels, kernel: 1, bias: true)])
        batchNorms = [kernelBranch, searchBranch, head].map { $0.layers[1] as! BatchNormLayer }
    }

    func forward(template z: TrainingBuffer, search x: TrainingBuffer) -> TrainingBuffer {
        let kernel = kernelBranch.forward(z)
        let search = searchBranch.forward(x)
        return head.forward(correlation.forward(search: search, kernel: kernel))
    }

    /// Returns d loss / d (template features, search features).
    func backward(_ dy: TrainingBuffer) -> (template: TrainingBuffer, search: TrainingBuffer) {
        correlation.backward(head.backward(dy))
        let dz = kernelBranch.backward(correlation.kernelGradient)
        let dx = searchBranch.backward(correlation.searchGradient)
        return (dz, dx)
    }
}

/// `DepthwiseRPN(anchor_num, in_channels, out_channels)`: `cls` (2A outputs) and `loc` (4A).
final class DepthwiseRPNTraining {
    let cls: DepthwiseXCorrTraining
    let loc: DepthwiseXCorrTraining
    private let templateGradient = TrainingBuffer()
    private let searchGradient = TrainingBuffer()

    init(anchorNum: Int, inChannels: Int, outChannels: Int, weights: TrainingWeights, prefix: String) {
        cls = DepthwiseXCorrTraining(
            inChannels: inChannels, hidden: outChannels, outChannels: 2 * anchorNum, weights: weights, prefix: prefix + "cls")
        loc = DepthwiseXCorrTraining(
            inChannels: inChannels, hidden: outChannels, outChannels: 4 * anchorNum, weights: weights, prefix: prefix + "loc")
    }

    func forward(template z: TrainingBuffer, search x: TrainingBuffer) -> (cls: TrainingBuffer, loc: TrainingBuffer) {
        (cls.forward(template: z, search: x), loc.forward(template: z, search: x))
    }

    /// Sums both heads' gradients into d loss / d (template, search) features.
    func backward(cls dCls: TrainingBuffer, loc dLoc: TrainingBuffer) -> (template: TrainingBuffer, search: TrainingBuffer) {
        let a = cls.backward(dCls)
        copy(a.template, into: templateGradient)
        copy(a.search, into: searchGradient)
        let b = loc.backward(dLoc)
        accumulate(b.template, into: templateGradient)
        accumulate(b.search, into: searchGradient)
        return (templateGradient, searchGradient)
    }

    private func copy(_ g: TrainingBuffer, into target: TrainingBuffer) {
        target.reshape(g.shape)
        target.pointer.update(from: g.pointer, count: g.count)
    }

    private func accumulate(_ g: TrainingBuffer, into target: TrainingBuffer) {
        precondition(g.shape == target.shape, "gradient shapes differ: \(g.shape), \(target.shape)")
        for i in 0..<g.count { target.pointer[i] += g.pointer[i] }
    }
}
