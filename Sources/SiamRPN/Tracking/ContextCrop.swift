// Mirrors pysot/tracker/base_tracker.py: SiameseTracker.get_subwindow
import SiamNN

/// pysot's `get_subwindow`: the square context region of side `originalSize` around `center`,
/// padded with the (truncated) channel average where it leaves the image, resized to
/// `modelSize` with OpenCV's fixed-point bilinear rule when the sizes differ.
///
/// Region origin: `floor(center - (originalSize + 1) / 2 + 0.5)` (round half up, not Python's
/// round). Output: interleaved BGR, `modelSize * modelSize * 3` bytes, row-major.
///
/// The padded region is never built: the resize reads each pixel it interpolates from the image
/// or the fill, so memory is `O(modelSize^2)` whatever `originalSize` is (pysot allocates the
/// padded image; the pixels are the same).
package func contextCrop(
    _ image: Image, centerX: Double, centerY: Double, modelSize: Int,
    originalSize: Int, average: [Double]
) -> [UInt8] {
    precondition(originalSize > 0 && modelSize > 0, "crop sizes must be positive")
    let c = Double(originalSize + 1) / 2
    let xmin = Int((centerX - c + 0.5).rounded(.down))
    let ymin = Int((centerY - c + 0.5).rounded(.down))
    // numpy assigns the float average into uint8 by truncation.
    let fill = average.map { UInt8(clamping: Int($0)) }
    return image.pixels.withUnsafeBufferPointer { pixels in
        let window = PaddedWindow(
            pixels: pixels, imageWidth: image.width, imageHeight: image.height,
            originX: xmin, originY: ymin, fill: (fill[0], fill[1], fill[2]))
        if modelSize == originalSize {
            var patch = [UInt8](repeating: 0, count: modelSize * modelSize * 3)
            for y in 0..<modelSize {
                for x in 0..<modelSize {
                    for ch in 0..<3 { patch[(y * modelSize + x) * 3 + ch] = window.value(row: y, column: x, channel: ch) }
                }
            }
            return patch
        }
        return resizeLinearLikeOpenCV(
            window, width: originalSize, height: originalSize, channels: 3,
            toWidth: modelSize, height: modelSize)
    }
}

/// The context region as pysot pads it: image pixels where the region overlaps the image, the
/// fill colour elsewhere. Coordinates are relative to the region's origin.
private struct PaddedWindow: ResizeSource {
    let pixels: UnsafeBufferPointer<UInt8>
    let imageWidth: Int
    let imageHeight: Int
    let originX: Int
    let originY: Int
    let fill: (UInt8, UInt8, UInt8)

    @inline(__always)
    func value(row: Int, column: Int, channel: Int) -> UInt8 {
        let x = originX + column
        let y = originY + row
        if x >= 0 && x < imageWidth && y >= 0 && y < imageHeight {
            return pixels[(y * imageWidth + x) * 3 + channel]
        }
        return channel == 0 ? fill.0 : channel == 1 ? fill.1 : fill.2
    }
}

/// Interleaved BGR bytes (`size * size * 3`) as a `[1, 3, size, size]` tensor of 0...255 values.
package func networkInput(fromBGR pixels: [UInt8], size: Int) -> Tensor {
    var values = [Float](repeating: 0, count: 3 * size * size)
    values.withUnsafeMutableBufferPointer { writeNetworkInput(fromBGR: pixels, size: size, into: $0) }
    return Tensor(shape: [1, 3, size, size], values: values)
}

/// `networkInput` written into an existing `3 x size x size` buffer (e.g. a workspace input).
package func writeNetworkInput(fromBGR pixels: [UInt8], size: Int, into values: UnsafeMutableBufferPointer<Float>) {
    let plane = size * size
    precondition(pixels.count == 3 * plane && values.count == 3 * plane, "network input needs \(3 * plane) values")
    pixels.withUnsafeBufferPointer { src in
        for i in 0..<plane {
            values[i] = Float(src[3 * i])
            values[plane + i] = Float(src[3 * i + 1])
            values[2 * plane + i] = Float(src[3 * i + 2])
        }
    }
}
