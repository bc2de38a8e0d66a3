// Mirrors pysot/toolkit/utils/src/region.c (region_compute_overlap, non-legacy rasterisation), as region.pyx's vot_overlap calls it
import Foundation

/// pysot's `vot_overlap(a, b, bounds)`: the overlap of two regions as the VOT toolkit's C code
/// computes it — by rasterising both polygons on the pixel grid, not geometrically.
///
/// * A region of 4 values is a box `[x, y, w, h]`, converted to the polygon
///   `(x,y) (x+w,y) (x+w,y+h) (x,y+h)` (no −1); 8 values are a polygon `x1,y1,…,x4,y4`. A region of
///   1 value (a result file's `1`/`2`/`0` line, an absent long-term frame) gives NaN.
/// * Every coordinate is converted to `Float` first (region.c works in C `float`).
/// * `bounds` `(W, H)`: pixels `0...W` × `0...H` (inclusive, so column W still counts); nil = unbounded.
///   pysot's AR and F1 pass the image size, its EAO `(W − 1, H − 1)`.
/// * Each polygon's bounding box is rounded outward and intersected with the bounds; a degenerate or
///   outside box (area ratio below 1e-10) or bounding boxes whose intersection has zero area give 0.
/// * Otherwise both polygons are shifted to the union window, their vertices rounded half away from
///   zero, scan-converted row by row (inclusive spans), and the result is
///   `Float(intersection) / Float(only1 + only2 + intersection)` pixel counts — so `[0,0,10,10]` vs
///   `[5,5,10,10]` is 36/206 (11×11-pixel boxes).
///
/// The value is always exactly a `Float` (or NaN); it is returned as `Double`, as pysot's Python sees it.
/// Unlike region.c, a raster window over 2^28 pixels (only possible with `bounds` nil) gives NaN
/// instead of an allocation of that size.
/// Tolerance against pysot: exact (Tests/Fixtures/README.md section 22).
public func votOverlap(_ a: [Double], _ b: [Double], bounds: (width: Double, height: Double)? = nil) -> Double {
    if a.count == 1 || b.count == 1 { return .nan }
    guard let p1 = RegionPolygon(a), let p2 = RegionPolygon(b) else { return .nan }
    let limits: RegionBounds
    if let bounds {
        limits = RegionBounds(left: 0, top: 0, right: Float(bounds.width), bottom: Float(bounds.height))
    } else {
        limits = RegionBounds(left: -.infinity, top: -.infinity, right: .infinity, bottom: .infinity)
    }
    return Double(polygonOverlap(p1, p2, limits))
}

/// A polygon in C `float`, as region.c holds it.
struct RegionPolygon {
    var x: [Float]
    var y: [Float]

    /// 4 values: a rectangle `[x, y, w, h]` (region_convert to a polygon, in float); an even count ≥ 6: a polygon.
    init?(_ v: [Double]) {
        if v.count == 4 {
            let x = Float(v[0])
            let y = Float(v[1])
            let w = Float(v[2])
            let h = Float(v[3])
            self.x = [x, x + w, x + w, x]
            self.y = [y, y, y + h, y + h]
        } else if v.count >= 6, v.count % 2 == 0 {
            x = stride(from: 0, to: v.count, by: 2).map { Float(v[$0]) }
            y = stride(from: 1, to: v.count, by: 2).map { Float(v[$0]) }
        } else {
            return nil
        }
    }

    var bounds: RegionBounds {
        RegionBounds(left: x.min()!, top: y.min()!, right: x.max()!, bottom: y.max()!)
    }
}

struct RegionBounds {
    var left: Float, top: Float, right: Float, bottom: Float

    /// `bounds_round`: outward to whole pixels.
    var rounded: RegionBounds {
        RegionBounds(left: left.rounded(.down), top: top.rounded(.down), right: right.rounded(.up), bottom: bottom.rounded(.up))
    }

    func intersection(_ o: RegionBounds) -> RegionBounds {
        RegionBounds(left: cMax(left, o.left), top: cMax(top, o.top), right: cMin(right, o.right), bottom: cMin(bottom, o.bottom))
    }

    /// `bounds_overlap`: intersection area over union area, `MAX(0, …)` as the C macro evaluates it.
    func overlap(_ o: RegionBounds) -> Float {
        let i = intersection(o)
        let inter = (i.right - i.left) * (i.bottom - i.top)
        let union = (right - left) * (bottom - top) + (o.right - o.left) * (o.bottom - o.top) - inter
        return cMax(0, inter / union)
    }
}

/// C's `MAX(a, b)` / `MIN(a, b)` macros: `a > b ? a : b` (NaN picks `b`).
@inline(__always) func cMax(_ a: Float, _ b: Float) -> Float { a > b ? a : b }
@inline(__always) func cMin(_ a: Float, _ b: Float) -> Float { a < b ? a : b }

/// The largest raster window `votOverlap` allocates (2^28 pixels, two masks of 256 MiB).
let maxWindowPixels = 1 << 28

/// region.c's `compute_polygon_overlap` (non-legacy).
func polygonOverlap(_ p1: RegionPolygon, _ p2: RegionPolygon, _ limits: RegionBounds) -> Float {
    let b1 = p1.bounds.rounded.intersection(limits)
    let b2 = p2.bounds.rounded.intersection(limits)
    let x0 = cMin(b1.left, b2.left)
    let y0 = cMin(b1.top, b2.top)
    let spanX = cMax(b1.right, b2.right) - x0
    let spanY = cMax(b1.bottom, b2.bottom) - y0
    // Fixing crashes due to overflowed regions, small or inverted polygons (region.c's check).
    let a1 = Double((b1.right - b1.left) * (b1.bottom - b1.top))
    let a2 = Double((b2.right - b2.left) * (b2.bottom - b2.top))
    // region.c would allocate the window whatever its size; beyond `maxWindowPixels` we refuse (NaN)
    // rather than allocate gigabytes. Only unbounded calls can get there (pysot's benchmarks bound by the image).
    guard !spanX.isNaN, !spanY.isNaN else { return .nan }
    // width = (int)spanX + 1 < 1 exactly when spanX <= -1 (the cast truncates toward zero).
    if a1 / a2 < 1e-10 || a2 / a1 < 1e-10 || spanX <= -1 || spanY <= -1 { return 0 }
    guard (Double(spanX) + 1) * (Double(spanY) + 1) <= Double(maxWindowPixels) else { return .nan }
    let width = Int(spanX) + 1
    let height = Int(spanY) + 1
    if b1.overlap(b2) == 0 { return 0 }

    func offsetRounded(_ p: RegionPolygon) -> RegionPolygon {
        var q = p
        q.x = p.x.map { ($0 + -x0).rounded(.toNearestOrAwayFromZero) }
        q.y = p.y.map { ($0 + -y0).rounded(.toNearestOrAwayFromZero) }
        return q
    }
    let mask1 = rasterize(offsetRounded(p1), width: width, height: height)
    let mask2 = rasterize(offsetRounded(p2), width: width, height: height)
    var inter = 0
    var only1 = 0
    var only2 = 0
    for i in 0..<(width * height) {
        if mask1[i] && mask2[i] { inter += 1 } else if mask1[i] { only1 += 1 } else if mask2[i] { only2 += 1 }
    }
    return Float(inter) / Float(only1 + only2 + inter)
}

/// region.c's `rasterize_polygon` (non-legacy edge test): per row, the crossings of every
/// non-horizontal edge whose y-range holds the row (inclusive), truncated toward zero,
/// bubble-sorted; equal consecutive crossings skip one; pairs filled inclusively, clipped to the window.
func rasterize(_ p: RegionPolygon, width: Int, height: Int) -> [Bool] {
    var mask = [Bool](repeating: false, count: width * height)
    let count = p.x.count
    var nodeX = [Int](repeating: 0, count: count)
    for pixelY in 0..<height {
        let py = Double(pixelY)
        var nodes = 0
        var j = count - 1
        for i in 0..<count {
            let yi = Double(p.y[i])
            let yj = Double(p.y[j])
            if (yi <= py && yj > py) || (yj <= py && yi > py) || (yi < py && yj >= py) || (yj < py && yi >= py)
                || (yi == py && yj == py)
            {
                let r = yj - yi
                let k = Double(p.x[j]) - Double(p.x[i])
                if r != 0 {
                    nodeX[nodes] = Int(Double(p.x[i]) + (py - yi) / r * k)
                    nodes += 1
                }
            }
            j = i
        }
        var i = 0
        while i < nodes - 1 {
            if nodeX[i] > nodeX[i + 1] {
                nodeX.swapAt(i, i + 1)
                if i > 0 { i -= 1 }
            } else {
                i += 1
            }
        }
        i = 0
        while i < nodes - 1 {
            if nodeX[i] == nodeX[i + 1] {
                i += 1
                continue
            }
            if nodeX[i] >= width { break }
            if nodeX[i + 1] >= 0 {
                let from = max(nodeX[i], 0)
                let to = min(nodeX[i + 1], width - 1)
                if from <= to { for x in from...to { mask[pixelY * width + x] = true } }
            }
            i += 2
        }
    }
    return mask
}
