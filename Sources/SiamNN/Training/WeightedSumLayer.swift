// Mirrors pysot/models/head/rpn.py: MultiRPN's weighted_avg / avg (the softmax of cls_weight / loc_weight; forward and autograd)
import Foundation

/// The sum of `n` same-shaped buffers weighted by `softmax(weight)` (MultiRPN with
/// `weighted=True`: `weight` is the raw `cls_weight` / `loc_weight` parameter `[n]`) or by `1/n`
/// (without). Backward: `dx_i = w_i dy`; for the raw weights, `dw_i = sum(dy * x_i)` through the
/// softmax's Jacobian, `draw_j = w_j (dw_j - sum_i w_i dw_i)` (sums in Double).
package final class WeightedSumLayer {
    package let weight: TrainingParameter?
    private let count: Int
    private var inputs: [TrainingBuffer] = []
    private var weights: [Float] = []
    private var dw: [Double] = []
    private let output = TrainingBuffer()
    /// d loss / d input i, after `backward`.
    package private(set) var inputGradients: [TrainingBuffer]

    /// `weight` nil: the plain average of `count` inputs.
    package init(count: Int, weight: TrainingParameter?) {
        precondition(weight == nil || weight!.count == count, "weighted sum of \(count) with \(weight!.count) weights")
        self.count = count
        self.weight = weight
        inputGradients = (0..<count).map { _ in TrainingBuffer() }
    }

    package func forward(_ xs: [TrainingBuffer]) -> TrainingBuffer {
        precondition(xs.count == count && xs.allSatisfy { $0.shape == xs[0].shape }, "weighted sum: \(xs.map(\.shape))")
        inputs = xs
        if weights.isEmpty { weights = [Float](repeating: 1 / Float(count), count: count) }
        if let weight {
            let m = Double(weight.value.max()!)
            var total = 0.0
            for v in weight.value { total += Foundation.exp(Double(v) - m) }
            for j in 0..<count { weights[j] = Float(Foundation.exp(Double(weight.value[j]) - m) / total) }
        }
        output.reshape(xs[0].shape)
        output.zero()
        for (x, w) in zip(xs, weights) {
            for i in 0..<x.count { output.pointer[i] += x.pointer[i] * w }
        }
        return output
    }

    package func backward(_ dy: TrainingBuffer) {
        precondition(dy.shape == output.shape, "weighted sum: gradient shape \(dy.shape), output \(output.shape)")
        if dw.count != count { dw = [Double](repeating: 0, count: count) }
        for (k, x) in inputs.enumerated() {
            let g = inputGradients[k]
            g.reshape(x.shape)
            var sum = 0.0
            for i in 0..<x.count {
                g.pointer[i] = weights[k] * dy.pointer[i]
                sum += Double(dy.pointer[i]) * Double(x.pointer[i])
            }
            dw[k] = sum
        }
        guard let weight, weight.requiresGrad else { return }
        let mix = zip(weights, dw).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        for j in 0..<count { weight.grad[j] += Float(Double(weights[j]) * (dw[j] - mix)) }
    }
}
