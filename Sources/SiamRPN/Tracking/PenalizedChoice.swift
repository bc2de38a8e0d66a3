// Mirrors pysot/tracker/siamrpn_tracker.py: SiamRPNTracker.track (penalties, window, argmax, lr),
// which NanoTrack's nanotrack/tracker/nano_tracker.py NanoTracker.track repeats unchanged
import Foundation

/// The choice of the best candidate shared by pysot's SiamRPN trackers and NanoTrack's:
/// scale-change and aspect-ratio-change penalties, the cosine window, the first argmax, the
/// prediction relative to the previous centre and the size learning rate.
///
/// Numeric types are numpy 1.24's in those trackers: penalties in Float32 (the float64 scalars
/// are cast to the arrays' float32), the window-weighted score in Double (`window` is float64),
/// `delta = boxes[best] / scale_z` in Float32, `lr = Double(penalty * score) * LR` (a float32
/// scalar times a Python float is float64 under numpy 1.x).
struct PenalizedChoice {
    /// Index of the first maximum of `pscore`.
    var best: Int
    /// `boxes[best] / scale_z`: `[cx, cy, w, h]` in image pixels relative to the previous centre.
    var delta: SIMD4<Float>
    /// `penalty[best] * score[best] * LR`.
    var lr: Double

    /// `boxes` holds `[cx, cy, w, h]` rows (search-crop pixels relative to the crop centre) of
    /// `score.count` candidates; `width`/`height` are the current target size in image pixels.
    /// Writes every candidate's penalty and window-weighted score into `penalty` and `pscore`
    /// (resized when needed; reusing arrays keeps a frame allocation-free).
    init(
        boxes: [Float], score: [Float], window: [Double], width: Double, height: Double, scaleZ: Double,
        penaltyK: Double, windowInfluence: Double, learningRate: Double,
        penalty: inout [Float], pscore: inout [Double]
    ) {
        let n = score.count
        precondition(boxes.count == 4 * n && window.count == n, "one box and one window value per candidate")
        if penalty.count != n { penalty = [Float](repeating: 0, count: n) }
        if pscore.count != n { pscore = [Double](repeating: 0, count: n) }
        func sz(_ w: Float, _ h: Float) -> Float {
            let pad = (w + h) * 0.5
            return ((w + pad) * (h + pad)).squareRoot()
        }
        func change(_ r: Float) -> Float { max(r, 1 / r) }
        let targetW = width * scaleZ
        let targetH = height * scaleZ
        let targetPad = (targetW + targetH) * 0.5
        let targetSz = Float(((targetW + targetPad) * (targetH + targetPad)).squareRoot())
        let ratio = Float(width / height)
        let k = Float(penaltyK)
        let keep = Float(1 - windowInfluence)
        var best = 0
        for i in 0..<n {
            let w = boxes[4 * i + 2]
            let h = boxes[4 * i + 3]
            let sc = change(sz(w, h) / targetSz)
            let rc = change(ratio / (w / h))
            let t = rc * sc - 1
            let p = Foundation.exp(-t * k)
            penalty[i] = p
            let weighted = p * score[i] * keep
            pscore[i] = Double(weighted) + window[i] * windowInfluence
            if pscore[i] > pscore[best] { best = i }
        }
        let scaleZ32 = Float(scaleZ)
        self.best = best
        delta = SIMD4(boxes[4 * best], boxes[4 * best + 1], boxes[4 * best + 2], boxes[4 * best + 3]) / scaleZ32
        lr = Double(penalty[best] * score[best]) * learningRate
    }

    /// The state after this choice, before clipping: the centre moves fully to the prediction,
    /// the size by `lr` (`size * (1 - lr) + delta_size * lr`, Double).
    func movedState(centerX: Double, centerY: Double, width: Double, height: Double)
        -> (centerX: Double, centerY: Double, width: Double, height: Double)
    {
        (
            Double(delta[0]) + centerX, Double(delta[1]) + centerY,
            width * (1 - lr) + Double(delta[2]) * lr, height * (1 - lr) + Double(delta[3]) * lr
        )
    }

    /// The short-term trackers' new state: `movedState`, then pysot's `_bbox_clip`.
    func updatedState(
        centerX: Double, centerY: Double, width: Double, height: Double,
        imageWidth: Int, imageHeight: Int
    ) -> (centerX: Double, centerY: Double, width: Double, height: Double) {
        let moved = movedState(centerX: centerX, centerY: centerY, width: width, height: height)
        return bboxClip(
            centerX: moved.centerX, centerY: moved.centerY, width: moved.width, height: moved.height,
            imageWidth: imageWidth, imageHeight: imageHeight)
    }
}

/// Softmax over two logits, the second one's probability, as PyTorch computes it in Float32
/// (`exp(x - max)`, then divided by the sum in channel order): pysot's and NanoTrack's
/// `_convert_score`.
@inline(__always)
func foregroundProbability(background bg: Float, foreground fg: Float) -> Float {
    let m = max(bg, fg)
    let eb = Foundation.exp(bg - m)
    let ef = Foundation.exp(fg - m)
    return ef / (eb + ef)
}
