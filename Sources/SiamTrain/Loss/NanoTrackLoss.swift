// Mirrors NanoTrack nanotrack/models/loss.py (select_cross_entropy_loss) and iou_loss.py (IOULoss, linear_iou), as ModelBuilder.forward calls them
import Foundation
import SiamNN

/// NanoTrack's training losses on one batch, with their gradients.
///
/// `cls` `[N, 2, H, W]` logits (background, target) and `loc` `[N, 4, H, W]` the box branch
/// after `exp` (l, t, r, b distances); `labelCls` `[N, H, W]` (1 / 0 / -1) and `labelLoc`
/// `[N, 4, H, W]`, pooled over the batch (point index `(n*H + row)*W + col`).
/// `cls_loss = 0.5 * mean_{pos} -lp[1] + 0.5 * mean_{neg} -lp[0]` (`log_softmax` over the two
/// channels), a set of 0 **or 1** points contributing 0 (NanoTrack's `.squeeze()` quirk, as
/// pysot's); `loc_loss = mean_{pos} 1 - (inter + 1) / (union + 1)` with `inter = (min(l,l') +
/// min(r,r')) * (min(t,t') + min(b,b'))`, `union = area + area' - inter`; `total = CLS_WEIGHT *
/// cls_loss + LOC_WEIGHT * loc_loss`. `min`'s gradient goes to the smaller argument, half to each
/// on a tie (`torch.min`'s rule). NanoTrack asserts on a batch without positives: so does this
/// type (`NanoTrackLossError`). Sums in Double.
package struct NanoTrackLoss {
    package var clsLoss: Double
    package var locLoss: Double
    package var totalLoss: Double
    package var positives: Int
    package var negatives: Int

    /// The losses; writes d total / d cls and d total / d loc into `dCls`, `dLoc`.
    package init(
        cls: TrainingBuffer, loc: TrainingBuffer, labelCls: [Int], labelLoc: [Float], clsWeight: Double, locWeight: Double,
        dCls: TrainingBuffer, dLoc: TrainingBuffer
    ) throws {
        let (n, h, w) = (cls.batch, cls.height, cls.width)
        let plane = h * w
        precondition(cls.channels == 2 && loc.shape == [n, 4, h, w], "NanoTrack head outputs \(cls.shape), \(loc.shape)")
        precondition(labelCls.count == n * plane && labelLoc.count == loc.count, "NanoTrack labels do not fit the outputs")
        positives = labelCls.filter { $0 == 1 }.count
        negatives = labelCls.filter { $0 == 0 }.count
        guard positives > 0 else { throw NanoTrackLossError.noPositives }
        dCls.reshape(cls.shape)
        dCls.zero()
        dLoc.reshape(loc.shape)
        dLoc.zero()
        let posScale = positives > 1 ? 0.5 / Double(positives) : 0
        let negScale = negatives > 1 ? 0.5 / Double(negatives) : 0
        var posSum = 0.0
        var negSum = 0.0
        var iouSum = 0.0
        let locScale = locWeight / Double(positives)
        for s in 0..<n {
            for i in 0..<plane {
                let label = labelCls[s * plane + i]
                guard label == 0 || label == 1 else { continue }
                let i0 = (s * 2) * plane + i
                let i1 = (s * 2 + 1) * plane + i
                let z0 = Double(cls.pointer[i0])
                let z1 = Double(cls.pointer[i1])
                let m = max(z0, z1)
                let lse = m + log(exp(z0 - m) + exp(z1 - m))
                let p1 = exp(z1 - lse)
                let scale = (label == 1 ? posScale : negScale) * clsWeight
                if label == 1 { posSum += lse - z1 } else { negSum += lse - z0 }
                let target1: Double = label == 1 ? 1 : 0
                dCls.pointer[i1] = Float(scale * (p1 - target1))
                dCls.pointer[i0] = Float(scale * ((1 - p1) - (1 - target1)))
                guard label == 1 else { continue }
                // l, t, r, b of the prediction and the target at this point.
                let at = (0..<4).map { (s * 4 + $0) * plane + i }
                let p = at.map { Double(loc.pointer[$0]) }
                let t = at.map { Double(labelLoc[$0]) }
                let predArea = (p[0] + p[2]) * (p[1] + p[3])
                let targetArea = (t[0] + t[2]) * (t[1] + t[3])
                let wInt = min(p[0], t[0]) + min(p[2], t[2])
                let hInt = min(p[3], t[3]) + min(p[1], t[1])
                let inter = wInt * hInt
                let union = targetArea + predArea - inter
                iouSum += 1 - (inter + 1) / (union + 1)
                // d(1 - iou): through inter (which also lowers union) and through the predicted area.
                let dInter = -((union + 1) + (inter + 1)) / ((union + 1) * (union + 1))
                let dArea = (inter + 1) / ((union + 1) * (union + 1))
                func minSlope(_ a: Double, _ b: Double) -> Double { a < b ? 1 : (a == b ? 0.5 : 0) }
                let grads = [
                    dInter * hInt * minSlope(p[0], t[0]) + dArea * (p[1] + p[3]),
                    dInter * wInt * minSlope(p[1], t[1]) + dArea * (p[0] + p[2]),
                    dInter * hInt * minSlope(p[2], t[2]) + dArea * (p[1] + p[3]),
                    dInter * wInt * minSlope(p[3], t[3]) + dArea * (p[0] + p[2])
                ]
                for k in 0..<4 { dLoc.pointer[at[k]] = Float(grads[k] * locScale) }
            }
        }
        clsLoss = posSum * posScale + negSum * negScale
        locLoss = iouSum / Double(positives)
        totalLoss = clsWeight * clsLoss + locWeight * locLoss
    }
}

/// A batch NanoTrack's IoU loss cannot take.
package enum NanoTrackLossError: Error, CustomStringConvertible, Equatable {
    /// No label is 1: NanoTrack's `IOULoss` asserts on an empty positive set.
    case noPositives

    package var description: String {
        "the batch has no positive point (label_cls has no 1); NanoTrack's IoU loss is undefined there (its trainer asserts)"
    }
}
