// Mirrors OpenCV 4.6 imgproc/src/imgwarp.cpp: cv::warpAffine (INTER_LINEAR, BORDER_CONSTANT) on 8-bit
// 3-channel images, as pysot's crop_hwc (training_dataset/*/par_crop.py) and Augmentation._crop_roi call it
import Foundation
import SiamRPN

/// `cv2.warpAffine(image, M, (width, height), flags=INTER_LINEAR, borderMode=BORDER_CONSTANT,
/// borderValue=borderValue)` on a BGR8 image, reproduced bit for bit (OpenCV's fixed-point path).
///
/// `matrix` is the forward map `[[m0, m1, m2], [m3, m4, m5]]` (source -> destination) in row-major
/// order, float64 as pysot builds it. OpenCV inverts it in double, steps through the source on a
/// 1/32-pixel grid (`AB_SCALE` 1024, rounded half to even, `+16` before the `>> 5`), and blends the
/// four neighbours with integer weights `(32-fx)(32-fy)*32 ...` that sum to 32768, rounding with
/// `+16384 >> 15`. Neighbours outside the image take `borderValue`, rounded to the nearest integer
/// (half to even) and clamped to 0...255 per channel — not truncated (the tracker's `get_subwindow`
/// truncates its mean instead).
///
/// A float bilinear reimplementation differs from this by up to 3 levels on pysot's crops
/// (Tests/Fixtures/training_v2/README.md, section 4); this rule gives 0 mismatches.
package func warpAffineLinear(_ image: Image, matrix: [Double], width: Int, height: Int, borderValue: [Double]) -> Image {
    precondition(matrix.count == 6 && borderValue.count == 3 && width >= 0 && height >= 0)
    // Invert the forward map as OpenCV does (so m0 = b * (1 / (a*b)), not 1/a).
    var m = matrix
    var d = m[0] * m[4] - m[1] * m[3]
    d = d != 0 ? 1 / d : 0
    let a11 = m[4] * d
    let a22 = m[0] * d
    m[0] = a11
    m[1] *= -d
    m[3] *= -d
    m[4] = a22
    let b1 = -m[0] * m[2] - m[1] * m[5]
    let b2 = -m[3] * m[2] - m[4] * m[5]
    m[2] = b1
    m[5] = b2

    func rint(_ v: Double) -> Int {
        let r = v.rounded(.toNearestOrEven)
        return r >= Double(Int32.max) ? Int(Int32.max) : (r <= Double(Int32.min) ? Int(Int32.min) : Int(r))
    }
    let cval = borderValue.map { v -> Int32 in
        v.isNaN ? 0 : Int32(max(0, min(255, v.rounded(.toNearestOrEven))))
    }
    let adelta = (0..<width).map { rint(m[0] * Double($0) * 1024) }
    let bdelta = (0..<width).map { rint(m[3] * Double($0) * 1024) }
    let srcW = image.width
    let srcH = image.height
    var out = [UInt8](repeating: 0, count: width * height * 3)
    image.pixels.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for y in 0..<height {
                let x0 = rint((m[1] * Double(y) + m[2]) * 1024) + 16
                let y0 = rint((m[4] * Double(y) + m[5]) * 1024) + 16
                for x in 0..<width {
                    // OpenCV stores the source coordinates as shorts.
                    let gx = (x0 + adelta[x]) >> 5
                    let gy = (y0 + bdelta[x]) >> 5
                    let sx = max(-32768, min(32767, gx >> 5))
                    let sy = max(-32768, min(32767, gy >> 5))
                    let fx = Int32(gx & 31)
                    let fy = Int32(gy & 31)
                    let w00 = (32 - fx) * (32 - fy) * 32
                    let w01 = fx * (32 - fy) * 32
                    let w10 = (32 - fx) * fy * 32
                    let w11 = fx * fy * 32
                    let o = (y * width + x) * 3
                    if sx >= 0 && sy >= 0 && sx + 1 < srcW && sy + 1 < srcH {
                        // All four taps inside the image (most pixels): no border tests.
                        let top = (sy * srcW + sx) * 3
                        let bottom = top + srcW * 3
                        for c in 0..<3 {
                            let sum =
                                Int32(src[top + c]) * w00 + Int32(src[top + 3 + c]) * w01 + Int32(src[bottom + c]) * w10
                                + Int32(src[bottom + 3 + c]) * w11 + 16384
                            dst[o + c] = UInt8(truncatingIfNeeded: sum >> 15)
                        }
                        continue
                    }
                    let inX0 = sx >= 0 && sx < srcW
                    let inX1 = sx + 1 >= 0 && sx + 1 < srcW
                    let inY0 = sy >= 0 && sy < srcH
                    let inY1 = sy + 1 >= 0 && sy + 1 < srcH
                    for c in 0..<3 {
                        let v00 = inY0 && inX0 ? Int32(src[(sy * srcW + sx) * 3 + c]) : cval[c]
                        let v01 = inY0 && inX1 ? Int32(src[(sy * srcW + sx + 1) * 3 + c]) : cval[c]
                        let v10 = inY1 && inX0 ? Int32(src[((sy + 1) * srcW + sx) * 3 + c]) : cval[c]
                        let v11 = inY1 && inX1 ? Int32(src[((sy + 1) * srcW + sx + 1) * 3 + c]) : cval[c]
                        let sum = v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11 + 16384
                        dst[o + c] = UInt8(truncatingIfNeeded: sum >> 15)
                    }
                }
            }
        }
    }
    return Image(width: width, height: height, pixels: out)
}
