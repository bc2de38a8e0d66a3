// Mirrors pysot/utils/anchor.py: Anchors.generate_anchors + generate_all_anchors (the training layout)
import SiamRPN

/// The anchors `AnchorTarget` labels, as pysot's `Anchors.generate_all_anchors(im_c, size)`
/// stores them: `corner` `[x1, y1, x2, y2]` and `center` `[cx, cy, w, h]`, float32, each laid out
/// `[4][A][S][S]` (coordinate, anchor shape, row, column) in search-crop pixels.
///
/// Shape `a` (ratio r, scale s; ratios outer): `ws = int(sqrt(stride² / r))`, `hs = int(ws r)`,
/// `w = ws s`, `h = hs s`; its centre at cell (row, col) is
/// `im_c - (S/2) stride + stride (col, row)` (integer `S/2`), the corners `centre ∓ (w, h) / 2`.
/// Every value is a multiple of 0.5 for pysot's configs, so float32 holds them exactly.
package struct TrainingAnchors: Sendable, Equatable {
    package let anchorCount: Int
    package let size: Int
    /// `[4][A][S][S]` corners.
    package let corner: [Float]
    /// `[4][A][S][S]` centres and sizes.
    package let center: [Float]

    package init(stride: Int, ratios: [Double], scales: [Double], imageCenter: Int, size: Int) {
        let shapes = Anchors.shapes(stride: stride, ratios: ratios, scales: scales)
        let a0 = Double(imageCenter - size / 2 * stride)
        let plane = size * size
        let n = shapes.count * plane
        var corner = [Float](repeating: 0, count: 4 * n)
        var center = [Float](repeating: 0, count: 4 * n)
        for (a, shape) in shapes.enumerated() {
            for r in 0..<size {
                for c in 0..<size {
                    let i = a * plane + r * size + c
                    let cx = a0 + Double(stride * c)
                    let cy = a0 + Double(stride * r)
                    let w = Double(shape.w)
                    let h = Double(shape.h)
                    center[i] = Float(cx)
                    center[n + i] = Float(cy)
                    center[2 * n + i] = shape.w
                    center[3 * n + i] = shape.h
                    corner[i] = Float(cx - w * 0.5)
                    corner[n + i] = Float(cy - h * 0.5)
                    corner[2 * n + i] = Float(cx + w * 0.5)
                    corner[3 * n + i] = Float(cy + h * 0.5)
                }
            }
        }
        self.anchorCount = shapes.count
        self.size = size
        self.corner = corner
        self.center = center
    }

    /// `A * S * S`.
    package var count: Int { anchorCount * size * size }
}
