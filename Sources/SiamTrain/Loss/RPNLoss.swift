// Mirrors pysot/models/loss.py: select_cross_entropy_loss, weight_l1_loss (and ModelBuilder.log_softmax)
import Foundation
import SiamNN

/// pysot's SiamRPN++ losses on one batch, with their gradients.
///
/// Classification: `cls` `[N, 2A, H, W]` is viewed `(N, 2, A, H, W)` and permuted so each
/// anchor position's two logits are channels `a` (background) and `A + a` (target);
/// `log_softmax` over that pair; with `label_cls` `[N, A, H, W]` (1 positive, 0 negative, -1
/// ignored) pooled over the whole batch, `cls_loss = 0.5 * mean_{pos} -lp[1] + 0.5 * mean_{neg}
/// -lp[0]`. A set with no element, **or exactly one** (pysot's `.squeeze()` makes a one-element
/// index 0-d, and `get_cls_loss` returns 0 for it), contributes 0.
/// Regression: `loc` `[N, 4A, H, W]` viewed `(N, 4, A, H, W)` against `label_loc`
/// `[N, 4, A, H, W]`, `loc_loss = sum |loc - label| * label_loc_weight[N, A, H, W] / N`
/// (gradient `sign(loc - label) * weight / N`, 0 where equal, as autograd's `abs`).
/// `total = CLS_WEIGHT * cls_loss + LOC_WEIGHT * loc_loss`. Sums in Double.
///
/// Data-parallel (`group` of several processes, each with its slice of the global batch): the
/// normalisers are the global batch's — positive and negative counts, and N — and the losses are
/// summed over the processes, so every process gets the global losses and the gradients of the
/// global loss for its own samples (their sum over the processes is one process's gradient).
/// pysot's DistModule instead averages per-GPU gradients of per-GPU losses (each normalised by
/// its own counts and N), which differs from one process whenever the GPUs' counts differ.
package struct RPNLoss {
    package var clsLoss: Double
    package var locLoss: Double
    package var totalLoss: Double

    /// The losses of `cls` / `loc`; writes d total / d cls and d total / d loc into `dCls`, `dLoc`.
    package init(
        cls: TrainingBuffer, loc: TrainingBuffer, labelCls: [Int], labelLoc: [Float], labelLocWeight: [Float],
        clsWeight: Double, locWeight: Double, dCls: TrainingBuffer, dLoc: TrainingBuffer, group: ProcessGroup = .single
    ) {
        let n = cls.batch
        let a = cls.channels / 2
        let plane = cls.height * cls.width
        precondition(labelCls.count == n * a * plane && labelLocWeight.count == n * a * plane, "label_cls / weight size")
        precondition(loc.shape == [n, 4 * a, cls.height, cls.width] && labelLoc.count == loc.count, "label_loc size")
        dCls.reshape(cls.shape)
        dCls.zero()
        dLoc.reshape(loc.shape)
        var positives = 0
        var negatives = 0
        for l in labelCls {
            if l == 1 { positives += 1 } else if l == 0 { negatives += 1 }
        }
        var globalN = n
        if group.size > 1 {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 3) { counts in
                counts[0] = Double(positives)
                counts[1] = Double(negatives)
                counts[2] = Double(n)
                group.allReduceSum(counts)
                (positives, negatives, globalN) = (Int(counts[0]), Int(counts[1]), Int(counts[2]))
            }
        }
        let posScale = positives > 1 ? 0.5 / Double(positives) : 0
        let negScale = negatives > 1 ? 0.5 / Double(negatives) : 0
        var posSum = 0.0
        var negSum = 0.0
        for s in 0..<n {
            for anchor in 0..<a {
                for i in 0..<plane {
                    let label = labelCls[(s * a + anchor) * plane + i]
                    guard label == 0 || label == 1 else { continue }
                    let i0 = (s * 2 * a + anchor) * plane + i
                    let i1 = (s * 2 * a + a + anchor) * plane + i
                    let z0 = Double(cls.pointer[i0])
                    let z1 = Double(cls.pointer[i1])
                    let m = max(z0, z1)
                    let lse = m + log(exp(z0 - m) + exp(z1 - m))
                    let p1 = exp(z1 - lse)
                    let nll = lse - (label == 1 ? z1 : z0)
                    let scale = (label == 1 ? posScale : negScale) * clsWeight
                    if label == 1 { posSum += nll } else { negSum += nll }
                    // d(-lp[k]) / dz = softmax - onehot(k)
                    let target1: Double = label == 1 ? 1 : 0
                    dCls.pointer[i1] = Float(scale * (p1 - target1))
                    dCls.pointer[i0] = Float(scale * ((1 - p1) - (1 - target1)))
                }
            }
        }
        var l1 = 0.0
        let batchScale = locWeight / Double(globalN)
        for s in 0..<n {
            for d in 0..<4 {
                for anchor in 0..<a {
                    for i in 0..<plane {
                        let idx = ((s * 4 + d) * a + anchor) * plane + i
                        let w = Double(labelLocWeight[(s * a + anchor) * plane + i])
                        let diff = Double(loc.pointer[idx]) - Double(labelLoc[idx])
                        l1 += abs(diff) * w
                        let sign: Double = diff > 0 ? 1 : (diff < 0 ? -1 : 0)
                        dLoc.pointer[idx] = Float(sign * w * batchScale)
                    }
                }
            }
        }
        if group.size > 1 {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 3) { sums in
                sums[0] = posSum
                sums[1] = negSum
                sums[2] = l1
                group.allReduceSum(sums)
                (posSum, negSum, l1) = (sums[0], sums[1], sums[2])
            }
        }
        clsLoss = posSum * posScale + negSum * negScale
        locLoss = l1 / Double(globalN)
        totalLoss = clsWeight * clsLoss + locWeight * locLoss
    }
}
