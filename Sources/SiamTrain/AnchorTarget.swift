// Mirrors pysot/datasets/anchor_target.py: AnchorTarget (__init__, __call__ with select) and the IoU of
// pysot/utils/bbox.py it calls
import Foundation
import SiamRPN

/// The labels of one search crop for an anchor head, as `AnchorTarget()(target, size, neg)` returns them.
package struct AnchorLabels: Sendable, Equatable {
    /// `[A][S][S]`: 1 positive, 0 negative, -1 ignored (`label_cls`, int64 in pysot).
    package var cls: [Int]
    /// `[4][A][S][S]` float32: `((tcx - cx)/w, (tcy - cy)/h, log(tw/w), log(th/h))` (`label_loc`).
    package var delta: [Float]
    /// `[A][S][S]` float32: `1 / (positives + 1e-6)` on the kept positives, else 0 (`label_loc_weight`).
    package var deltaWeight: [Float]
    /// `[A][S][S]` float32 IoU of every anchor with the target (zeros for a negative pair).
    package var overlap: [Float]
}

/// pysot's `AnchorTarget`, from `cfg.ANCHOR` (stride, ratios, scales) and `cfg.TRAIN` (SEARCH_SIZE,
/// OUTPUT_SIZE, THR_HIGH, THR_LOW, POS_NUM, NEG_NUM, TOTAL_NUM).
///
/// Positive pair: `delta` in float32, its logs numpy's (`numpyLog`); `overlap = IoU(anchor corners, target)` in float32 (numpy 1.x casts the float64
/// target to float32 first; `target_a` is the float64 area rounded once); positives
/// `overlap > THR_HIGH`, negatives `overlap < THR_LOW` (both thresholds compared as float32),
/// each listed in C order over `[A][S][S]`. `select` keeps a list of more than `keep` entries as
/// `np.random.shuffle(arange(n))[:keep]` — POS_NUM positives (drawn first), then
/// TOTAL_NUM - POS_NUM negatives; a list that fits draws nothing.
///
/// Negative pair: the 7x7 block of cells around `S/2 + ceil((tc - SEARCH_SIZE/2)/stride + 0.5)`
/// (Python slice semantics, so a negative end wraps) over every anchor shape, subsampled to
/// NEG_NUM; delta, weight and overlap stay zero.
package struct AnchorTarget: Sendable {
    package let anchors: TrainingAnchors
    /// `ANCHOR.STRIDE`, pixels between cells.
    package var stride: Int
    package var searchSize: Int
    package var thrHigh: Double
    package var thrLow: Double
    package var posNum: Int
    package var negNum: Int
    package var totalNum: Int

    package init(anchor: AnchorConfig, train: TrainConfig) {
        anchors = TrainingAnchors(
            stride: anchor.stride, ratios: anchor.ratios, scales: anchor.scales, imageCenter: train.searchSize / 2,
            size: train.outputSize)
        stride = anchor.stride
        searchSize = train.searchSize
        thrHigh = train.thrHigh
        thrLow = train.thrLow
        posNum = train.posNum
        negNum = train.negNum
        totalNum = train.totalNum
    }

    /// `select(position, keep)`: the kept flat indices, in pysot's order.
    static func select(_ positions: [Int], keep: Int, random: inout NumPyRandomState) -> [Int] {
        if positions.count <= keep { return positions }
        var order = Array(0..<positions.count)
        random.shuffle(&order)
        return order.prefix(keep).map { positions[$0] }
    }

    /// `AnchorTarget()(target, cfg.TRAIN.OUTPUT_SIZE, neg)`: `target` in search-crop pixels.
    package func callAsFunction(_ target: Corner, negative: Bool, random: inout NumPyRandomState) -> AnchorLabels {
        let a = anchors.anchorCount
        let s = anchors.size
        let plane = s * s
        let n = a * plane
        var labels = AnchorLabels(
            cls: [Int](repeating: -1, count: n), delta: [Float](repeating: 0, count: 4 * n),
            deltaWeight: [Float](repeating: 0, count: n), overlap: [Float](repeating: 0, count: n))
        let t = target.center
        if negative {
            let cx = s / 2 + Int(((t.x - Double(searchSize / 2)) / Double(stride) + 0.5).rounded(.up))
            let cy = s / 2 + Int(((t.y - Double(searchSize / 2)) / Double(stride) + 0.5).rounded(.up))
            let cols = pythonSlice(max(0, cx - 3), min(s, cx + 4), count: s)
            let rows = pythonSlice(max(0, cy - 3), min(s, cy + 4), count: s)
            var block: [Int] = []
            for k in 0..<a {
                for r in rows {
                    for c in cols { block.append(k * plane + r * s + c) }
                }
            }
            for i in Self.select(block, keep: negNum, random: &random) { labels.cls[i] = 0 }
            return labels
        }
        let c = anchors.center
        let box = anchors.corner
        let tcx = Float(t.x)
        let tcy = Float(t.y)
        let tw = Float(t.w)
        let th = Float(t.h)
        let tx1 = Float(target.x1)
        let ty1 = Float(target.y1)
        let tx2 = Float(target.x2)
        let ty2 = Float(target.y2)
        let targetArea = Float((target.x2 - target.x1) * (target.y2 - target.y1))
        let high = Float(thrHigh)
        let low = Float(thrLow)
        var positives: [Int] = []
        var negatives: [Int] = []
        for i in 0..<n {
            labels.delta[i] = (tcx - c[i]) / c[2 * n + i]
            labels.delta[n + i] = (tcy - c[n + i]) / c[3 * n + i]
            labels.delta[2 * n + i] = numpyLog(tw / c[2 * n + i])
            labels.delta[3 * n + i] = numpyLog(th / c[3 * n + i])
            let (x1, y1, x2, y2) = (box[i], box[n + i], box[2 * n + i], box[3 * n + i])
            let ww = max(0, min(tx2, x2) - max(tx1, x1))
            let hh = max(0, min(ty2, y2) - max(ty1, y1))
            let area = (x2 - x1) * (y2 - y1)
            let inter = ww * hh
            let iou = inter / (area + targetArea - inter)
            labels.overlap[i] = iou
            if iou > high { positives.append(i) }
            if iou < low { negatives.append(i) }
        }
        let pos = Self.select(positives, keep: posNum, random: &random)
        let neg = Self.select(negatives, keep: totalNum - posNum, random: &random)
        let weight = Float(1.0 / (Double(pos.count) + 1e-6))
        for i in pos {
            labels.cls[i] = 1
            labels.deltaWeight[i] = weight
        }
        for i in neg { labels.cls[i] = 0 }
        return labels
    }
}

/// The indices of Python's `range(count)[lower:upper]` for `lower >= 0` (a negative `upper`
/// counts from the end).
func pythonSlice(_ lower: Int, _ upper: Int, count: Int) -> Range<Int> {
    let end = upper < 0 ? max(0, count + upper) : min(upper, count)
    return lower < end ? lower..<end : 0..<0
}
