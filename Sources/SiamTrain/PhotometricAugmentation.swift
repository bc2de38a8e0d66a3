// Mirrors pysot/datasets/augmentation.py: Augmentation._gray_aug, _color_aug, _blur_aug, _flip_aug
import Foundation
import SiamRPN

/// The photometric parts of pysot's `Augmentation`, each a pure function of its draws.
package enum PhotometricAugmentation {
    /// pysot's `rgbVar`, float32 as pysot declares it (then promoted to float64 by `np.dot`).
    package static let rgbVar: [[Double]] = [
        [-0.55919361, 0.98062831, -0.41940627],
        [1.72091413, 0.19879334, -1.82968581],
        [4.64467907, 4.73710203, 4.88324118]
    ].map { $0.map { Double(Float($0)) } }

    /// `_gray_aug`: `cvtColor(BGR2GRAY)` then `GRAY2BGR` on uint8, OpenCV's fixed-point rule
    /// `(B*3735 + G*19235 + R*9798 + 16384) >> 15` copied to the three channels.
    package static func gray(_ image: Image) -> Image {
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count {
                let v = (Int(p[i]) * 3735 + Int(p[i + 1]) * 19235 + Int(p[i + 2]) * 9798 + 16384) >> 15
                out[i] = UInt8(v)
                out[i + 1] = UInt8(v)
                out[i + 2] = UInt8(v)
                i += 3
            }
        }
        return Image(width: image.width, height: image.height, pixels: out)
    }

    /// The BGR offset `_color_aug` subtracts: `(rgbVar @ randn(3, 1))[::-1]`.
    package static func colorOffset(randn: [Double]) -> [Double] {
        precondition(randn.count == 3)
        let rgb = rgbVar.map { row in row[0] * randn[0] + row[1] * randn[1] + row[2] * randn[2] }
        return [rgb[2], rgb[1], rgb[0]]
    }

    /// `_color_aug`: `image - offset` per channel, float64, not clipped, not rounded.
    package static func color(_ image: TrainingImage, randn: [Double]) -> TrainingImage {
        let offset = colorOffset(randn: randn)
        var values = image.values
        for i in stride(from: 0, to: values.count, by: 3) {
            values[i] -= offset[0]
            values[i + 1] -= offset[1]
            values[i + 2] -= offset[2]
        }
        return TrainingImage(width: image.width, height: image.height, values: values, isUInt8: false)
    }

    /// The kernel sizes `_blur_aug` chooses from: `np.arange(5, 46, 2)`.
    package static let blurSizes = Array(stride(from: 5, through: 45, by: 2))

    /// `_blur_aug`'s kernel: `size x size` zeros, `K[:, c] += wx/size`, `K[c, :] += (1-wx)/size`,
    /// `c = size/2` (a cross; the centre gets `1/size`, the sum is 1). Row-major.
    package static func blurKernel(size: Int, wx: Double) -> [Double] {
        var k = [Double](repeating: 0, count: size * size)
        let c = size / 2
        for r in 0..<size { k[r * size + c] += 1.0 / Double(size) * wx }
        for col in 0..<size { k[c * size + col] += 1.0 / Double(size) * (1 - wx) }
        return k
    }

    /// `_blur_aug`: `cv2.filter2D(image, -1, K)` — correlation with the kernel centred,
    /// `BORDER_REFLECT_101` (`-1 -> 1`, `n -> n-2`), summed directly over the kernel's non-zero
    /// taps in float64. On a float64 image OpenCV sums kernels of 50 taps or more (size >= 9)
    /// through a DFT: ~1e-12 apart. On a uint8 image (not reached in pysot, whose colour step
    /// always runs first) the result is rounded half up and clamped to 0...255; OpenCV's uint8
    /// path (float32 kernel) can differ from that by 1 level.
    package static func blur(_ image: TrainingImage, size: Int, wx: Double) -> TrainingImage {
        let kernel = blurKernel(size: size, wx: wx)
        let c = size / 2
        var taps: [(dy: Int, dx: Int, w: Double)] = []
        for r in 0..<size {
            for col in 0..<size where kernel[r * size + col] != 0 { taps.append((r - c, col - c, kernel[r * size + col])) }
        }
        let w = image.width
        let h = image.height
        func reflect101(_ i: Int, _ n: Int) -> Int {
            if n == 1 { return 0 }
            var i = i
            while i < 0 || i >= n { i = i < 0 ? -i : 2 * n - 2 - i }
            return i
        }
        let rowIndex = (-c..<(h + c)).map { reflect101($0, h) }
        let colIndex = (-c..<(w + c)).map { reflect101($0, w) }
        var out = [Double](repeating: 0, count: image.values.count)
        image.values.withUnsafeBufferPointer { src in
            for y in 0..<h {
                for x in 0..<w {
                    var s = (0.0, 0.0, 0.0)
                    for t in taps {
                        let p = (rowIndex[y + t.dy + c] * w + colIndex[x + t.dx + c]) * 3
                        s.0 += t.w * src[p]
                        s.1 += t.w * src[p + 1]
                        s.2 += t.w * src[p + 2]
                    }
                    let o = (y * w + x) * 3
                    out[o] = s.0
                    out[o + 1] = s.1
                    out[o + 2] = s.2
                }
            }
        }
        if image.isUInt8 {
            out = out.map { max(0, min(255, ($0 + 0.5).rounded(.down))) }
        }
        return TrainingImage(width: w, height: h, values: out, isUInt8: image.isUInt8)
    }

    /// `_flip_aug`: `cv2.flip(image, 1)` (`out[:, x] = in[:, W-1-x]`) and the box
    /// `(W-1-x2, y1, W-1-x1, y2)`.
    package static func flip(_ image: TrainingImage, box: Corner) -> (TrainingImage, Corner) {
        var values = image.values
        let w = image.width
        for y in 0..<image.height {
            for x in 0..<w {
                let o = (y * w + x) * 3
                let i = (y * w + (w - 1 - x)) * 3
                values[o] = image.values[i]
                values[o + 1] = image.values[i + 1]
                values[o + 2] = image.values[i + 2]
            }
        }
        let width = Double(w)
        return (
            TrainingImage(width: w, height: image.height, values: values, isUInt8: image.isUInt8),
            Corner(width - 1 - box.x2, box.y1, width - 1 - box.x1, box.y2)
        )
    }
}
