// Mirrors torch.nn.utils.clip_grad_norm_ and torch.optim.SGD (momentum, dampening 0, weight decay), as pysot's tools/train.py calls them
import SiamNN

/// pysot's update: `clip_grad_norm_(parameters, GRAD_CLIP)` then `SGD.step()`.
///
/// Clipping: `norm = sqrt(sum over parameters of |g|^2)` (parameters with a gradient only, sums
/// in Double); when `coef = maxNorm / (norm + 1e-6) < 1` every gradient is multiplied by it.
/// SGD (PyTorch's, dampening 0, no Nesterov): `d = g + weightDecay * p`;
/// `buf = d` on a parameter's first step, else `buf = momentum * buf + d`; `p -= lr * buf`.
/// Parameters without a gradient (`requiresGrad == false`) are left bit-identical. The momentum
/// buffers live here (by parameter name), so one optimiser serves consecutive steps.
package final class ClippedSGD {
    package let momentum: Double
    package let weightDecay: Double
    package let maxNorm: Double
    /// The momentum buffer of every parameter that has taken a step, by parameter name (torch's
    /// `optimizer.state[p]['momentum_buffer']`; a checkpoint saves and restores them).
    package var buffers: [String: [Float]] = [:]

    package init(momentum: Double, weightDecay: Double, maxNorm: Double) {
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.maxNorm = maxNorm
    }

    /// The total L2 norm of the gradients before clipping and the factor applied (1 when none).
    package struct Clip: Equatable {
        package var totalNorm: Double
        package var coefficient: Double
    }

    /// Clips the gradients of `parameters` in place.
    package func clip(_ parameters: [TrainingParameter]) -> Clip {
        var sq = 0.0
        for p in parameters where p.requiresGrad {
            for g in p.grad { sq += Double(g) * Double(g) }
        }
        let norm = sq.squareRoot()
        let coef = maxNorm / (norm + 1e-6)
        guard coef < 1 else { return Clip(totalNorm: norm, coefficient: 1) }
        let c = Float(coef)
        for p in parameters where p.requiresGrad {
            p.grad.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] *= c }
            }
        }
        return Clip(totalNorm: norm, coefficient: coef)
    }

    /// One SGD step; `learningRate(p)` is the rate of `p`'s parameter group.
    package func step(_ parameters: [TrainingParameter], learningRate: (TrainingParameter) -> Double) {
        for p in parameters where p.requiresGrad {
            let lr = Float(learningRate(p))
            let wd = Float(weightDecay)
            let mom = Float(momentum)
            let first = buffers[p.name] == nil
            if first { buffers[p.name] = [Float](repeating: 0, count: p.count) }
            // In place in the dictionary's storage: no copy of the momentum buffer per step.
            buffers[p.name]!.withUnsafeMutableBufferPointer { buf in
                p.value.withUnsafeMutableBufferPointer { v in
                    p.grad.withUnsafeBufferPointer { g in
                        for i in v.indices {
                            let d = g[i] + wd * v[i]
                            buf[i] = first ? d : mom * buf[i] + d
                            v[i] -= lr * buf[i]
                        }
                    }
                }
            }
        }
    }
}
