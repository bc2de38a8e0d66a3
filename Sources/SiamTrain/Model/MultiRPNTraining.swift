// Mirrors pysot/models/head/rpn.py: MultiRPN (the training forward), with DepthwiseRPN as its one-level case
import SiamNN

/// pysot's `MultiRPN(anchor_num, in_channels, weighted)` for training: one `DepthwiseRPN(A, c_l,
/// c_l)` per level (`rpn_head.rpn2`, `rpn3`, ...), whose `cls` / `loc` maps are combined by
/// `softmax(cls_weight)` / `softmax(loc_weight)` (`weighted`, parameters `rpn_head.cls_weight` /
/// `loc_weight` `[L]`, bound before the levels as in pysot's state dict) or averaged. With
/// `levels` nil it is pysot's single `DepthwiseRPN` head itself (`rpn_head.cls`, `rpn_head.loc`).
final class MultiRPNTraining: RPNHeadTraining {
    private let levels: [DepthwiseRPNTraining]
    private let clsSum: WeightedSumLayer?
    private let locSum: WeightedSumLayer?

    /// `MultiRPN(anchorNum, inChannels, weighted)` under `prefix` (`rpn_head.`).
    init(anchorNum: Int, inChannels: [Int], weighted: Bool, weights: TrainingWeights, prefix: String) {
        let n = inChannels.count
        let clsWeight = weighted ? weights.constantParameter(prefix + "cls_weight", shape: [n], 1) : nil
        let locWeight = weighted ? weights.constantParameter(prefix + "loc_weight", shape: [n], 1) : nil
        levels = inChannels.enumerated().map { i, c in
            DepthwiseRPNTraining(
                anchorNum: anchorNum, inChannels: c, outChannels: c, weights: weights, prefix: prefix + "rpn\(i + 2).")
        }
        clsSum = WeightedSumLayer(count: n, weight: clsWeight)
        locSum = WeightedSumLayer(count: n, weight: locWeight)
    }

    /// `DepthwiseRPN(anchorNum, inChannels, outChannels)` as the whole head, under `prefix`.
    init(depthwise anchorNum: Int, inChannels: Int, outChannels: Int, weights: TrainingWeights, prefix: String) {
        levels = [DepthwiseRPNTraining(anchorNum: anchorNum, inChannels: inChannels, outChannels: outChannels, weights: weights, prefix: prefix)]
        clsSum = nil
        locSum = nil
    }

    var batchNorms: [BatchNormLayer] { levels.flatMap { $0.cls.batchNorms + $0.loc.batchNorms } }

    func forward(templates: [TrainingBuffer], searches: [TrainingBuffer]) -> (cls: TrainingBuffer, loc: TrainingBuffer) {
        precondition(templates.count == levels.count && searches.count == levels.count, "\(levels.count) levels")
        let outputs = levels.indices.map { levels[$0].forward(template: templates[$0], search: searches[$0]) }
        guard let clsSum, let locSum else { return outputs[0] }
        return (clsSum.forward(outputs.map(\.cls)), locSum.forward(outputs.map(\.loc)))
    }

    func backward(cls: TrainingBuffer, loc: TrainingBuffer) -> (templates: [TrainingBuffer], searches: [TrainingBuffer]) {
        guard let clsSum, let locSum else {
            let g = levels[0].backward(cls: cls, loc: loc)
            return ([g.template], [g.search])
        }
        clsSum.backward(cls)
        locSum.backward(loc)
        var templates: [TrainingBuffer] = []
        var searches: [TrainingBuffer] = []
        for (i, level) in levels.enumerated() {
            let g = level.backward(cls: clsSum.inputGradients[i], loc: locSum.inputGradients[i])
            templates.append(g.template)
            searches.append(g.search)
        }
        return (templates, searches)
    }

    /// Each level: 3x3 valid convolutions on both features, then the depth-wise correlation
    /// (`x - z + 1`).
    func outputSide(template: [Int], search: [Int]) -> Int? {
        guard template.count == levels.count, search.count == levels.count else { return nil }
        let sides = zip(template, search).map { z, x in x - z + 1 }
        guard let first = sides.first, template.allSatisfy({ $0 > 2 }), first >= 1, sides.allSatisfy({ $0 == first }) else { return nil }
        return first
    }
}
