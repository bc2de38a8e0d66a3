// Mirrors pysot/utils/anchor.py (Anchors.generate_anchors) and
// pysot/tracker/siamrpn_tracker.py (generate_anchor, the Hanning window)
import Foundation

/// The anchors of a score map, as pysot's tracker lays them out: row `a*S*S + r*S + c` holds
/// `[cx, cy, w, h]` (Float32, pixels of the search crop relative to its centre) of anchor shape
/// `a` at map cell (r, c); `cx = (c - S/2) * stride`, `cy = (r - S/2) * stride`.
///
/// Base shapes: for each ratio r and scale s, `ws = int(sqrt(stride^2 / r))`, `hs = int(ws * r)`
/// (Python `int()` truncation), `w = ws * s`, `h = hs * s` — 104x32, 88x40, 64x64, 40x80, 32x96
/// for stride 8, ratios [0.33, 0.5, 1, 2, 3], scale 8.
package struct Anchors: Sendable, Equatable {
    package let scoreSize: Int
    package let anchorCount: Int
    /// `anchorCount * scoreSize * scoreSize` rows of `[cx, cy, w, h]`, flattened.
    package let values: [Float]

    package init(stride: Int, ratios: [Double], scales: [Double], scoreSize: Int) {
        let shapes = Self.shapes(stride: stride, ratios: ratios, scales: scales)
        let origin = -(scoreSize / 2) * stride
        var v = [Float](repeating: 0, count: shapes.count * scoreSize * scoreSize * 4)
        for (a, shape) in shapes.enumerated() {
            for r in 0..<scoreSize {
                for c in 0..<scoreSize {
                    let i = ((a * scoreSize + r) * scoreSize + c) * 4
                    v[i] = Float(origin + stride * c)
                    v[i + 1] = Float(origin + stride * r)
                    v[i + 2] = shape.w
                    v[i + 3] = shape.h
                }
            }
        }
        self.scoreSize = scoreSize
        self.anchorCount = shapes.count
        self.values = v
    }

    package var count: Int { anchorCount * scoreSize * scoreSize }

    /// The base shapes `(w, h)`, ratios outer, scales inner, as pysot computes them: it stores
    /// the corners `(-w/2, -h/2, w/2, h/2)` in float32 and takes `x2 - x1`, `y2 - y1`.
    package static func shapes(stride: Int, ratios: [Double], scales: [Double]) -> [(w: Float, h: Float)] {
        var shapes: [(w: Float, h: Float)] = []
        let area = Double(stride * stride)
        for r in ratios {
            let ws = Int((area / r).squareRoot())
            let hs = Int(Double(ws) * r)
            for s in scales {
                let w = Float(Double(ws) * s)
                let h = Float(Double(hs) * s)
                shapes.append((w * 0.5 - (-w * 0.5), h * 0.5 - (-h * 0.5)))
            }
        }
        return shapes
    }
}

/// numpy's `np.hanning(n)`: `0.5 + 0.5 * cos(pi * k / (n - 1))` for `k = 1-n, 3-n, ..., n-1`
/// (zero at both ends; `[1]` for n = 1).
package func hanning(_ n: Int) -> [Double] {
    if n < 1 { return [] }
    if n == 1 { return [1] }
    return (0..<n).map { i in
        let k = Double(1 - n + 2 * i)
        return 0.5 + 0.5 * cos(Double.pi * k / Double(n - 1))
    }
}

/// pysot's cosine window: `tile(outer(hanning(S), hanning(S)).flatten(), anchorCount)`, indexed
/// like `Anchors`.
package func cosineWindow(scoreSize s: Int, anchorCount: Int) -> [Double] {
    let h = hanning(s)
    var plane = [Double](repeating: 0, count: s * s)
    for r in 0..<s {
        for c in 0..<s { plane[r * s + c] = h[r] * h[c] }
    }
    return Array([[Double]](repeating: plane, count: anchorCount).joined())
}
