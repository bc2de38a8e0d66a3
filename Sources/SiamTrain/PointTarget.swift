// Mirrors NanoTrack nanotrack/datasets/point_target.py: PointTarget (with nanotrack/utils/point.py's grid)
import SiamRPN

/// The labels of one search crop for NanoTrack's point head (`PointTarget()(target, size, neg)`).
package struct PointLabels: Sendable, Equatable {
    /// `[S][S]`: 1 positive, 0 negative, -1 ignored (`label_cls`, int64 in NanoTrack).
    package var cls: [Int]
    /// `[4][S][S]` float32 `(px - x1, py - y1, x2 - px, y2 - py)` (`label_loc`; zeros for a negative pair).
    package var delta: [Float]
}

/// NanoTrack's `PointTarget`, from `POINT.STRIDE` and `cfg.TRAIN` (SEARCH_SIZE, OUTPUT_SIZE,
/// POS_NUM, NEG_NUM, TOTAL_NUM).
///
/// Points (float32): `px = ori + stride col`, `py = ori + stride row`,
/// `ori = SEARCH_SIZE/2 - (S/2) stride` (integer halves; 15 for 255, 15, 16). With
/// `e(k) = (tcx - px)² / (tw/k)² + (tcy - py)² / (th/k)²` evaluated in float32 as numpy 1.x does
/// (the float64 `tcx`, `(tw/k)²` rounded to float32 first):
/// positive pair — positives `e(4) < 1`, negatives `e(2) > 1`, in C order; POS_NUM positives are
/// kept (drawn first), then TOTAL_NUM - POS_NUM negatives, each by `np.random.shuffle` only when
/// more are listed; negative pair — label 0 on at most NEG_NUM of `e(4) < 1`, delta zero.
package struct PointTarget: Sendable {
    package let size: Int
    /// `[2][S][S]` float32: x then y of every point.
    package let points: [Float]
    package var posNum: Int
    package var negNum: Int
    package var totalNum: Int

    package init(stride: Int, searchSize: Int, outputSize: Int, posNum: Int, negNum: Int, totalNum: Int) {
        size = outputSize
        let ori = searchSize / 2 - outputSize / 2 * stride
        var p = [Float](repeating: 0, count: 2 * outputSize * outputSize)
        for r in 0..<outputSize {
            for c in 0..<outputSize {
                p[r * outputSize + c] = Float(ori + stride * c)
                p[outputSize * outputSize + r * outputSize + c] = Float(ori + stride * r)
            }
        }
        points = p
        self.posNum = posNum
        self.negNum = negNum
        self.totalNum = totalNum
    }

    /// `cfg.TRAIN` and `POINT.STRIDE` of a NanoTrack config.
    package init(stride: Int, train: TrainConfig) {
        self.init(
            stride: stride, searchSize: train.searchSize, outputSize: train.outputSize, posNum: train.posNum,
            negNum: train.negNum, totalNum: train.totalNum)
    }

    /// `PointTarget()(target, cfg.TRAIN.OUTPUT_SIZE, neg)`: `target` in search-crop pixels.
    package func callAsFunction(_ target: Corner, negative: Bool, random: inout NumPyRandomState) -> PointLabels {
        let plane = size * size
        var labels = PointLabels(cls: [Int](repeating: -1, count: plane), delta: [Float](repeating: 0, count: 4 * plane))
        let t = target.center
        let tcx = Float(t.x)
        let tcy = Float(t.y)
        func ellipse(_ k: Double) -> [Float] {
            let ax = Float((t.w / k) * (t.w / k))
            let ay = Float((t.h / k) * (t.h / k))
            return (0..<plane).map { i in
                let dx = tcx - points[i]
                let dy = tcy - points[plane + i]
                return (dx * dx) / ax + (dy * dy) / ay
            }
        }
        let inner = ellipse(4)
        if negative {
            let candidates = (0..<plane).filter { inner[$0] < 1 }
            for i in AnchorTarget.select(candidates, keep: negNum, random: &random) { labels.cls[i] = 0 }
            return labels
        }
        let (x1, y1, x2, y2) = (Float(target.x1), Float(target.y1), Float(target.x2), Float(target.y2))
        for i in 0..<plane {
            let px = points[i]
            let py = points[plane + i]
            labels.delta[i] = px - x1
            labels.delta[plane + i] = py - y1
            labels.delta[2 * plane + i] = x2 - px
            labels.delta[3 * plane + i] = y2 - py
        }
        let outer = ellipse(2)
        let positives = (0..<plane).filter { inner[$0] < 1 }
        let negatives = (0..<plane).filter { outer[$0] > 1 }
        let pos = AnchorTarget.select(positives, keep: posNum, random: &random)
        let neg = AnchorTarget.select(negatives, keep: totalNum - posNum, random: &random)
        for i in pos { labels.cls[i] = 1 }
        for i in neg { labels.cls[i] = 0 }
        return labels
    }
}
