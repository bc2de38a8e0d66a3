// Mirrors pysot/tracker/base_tracker.py: SiameseTracker.get_subwindow
import SiamNN

/// pysot's `get_subwindow`: the square context region of side `originalSize` around `center`,
/// padded with the (truncated) channel average where it leaves the image, resized to
/// `modelSize` with OpenCV's fixed-point bilinear rule when the sizes differ.
///
/// Region origin: `floor(center - (originalSize + 1) / 2 + 0.5)` (round half up, not Python's
/// round). Output: interleaved BGR, `modelSize * modelSize * 3` bytes, row-major.
public func contextCrop(_ image: Image, centerX: Double, centerY: Double, modelSize: Int,
                        originalSize: Int, average: [Double]) -> [UInt8] {
    precondition(originalSize > 0 && modelSize > 0, "crop sizes must be positive")
    let c = Double(originalSize + 1) / 2
    let xmin = Int((centerX - c + 0.5).rounded(.down))
    let ymin = Int((centerY - c + 0.5).rounded(.down))
    // numpy assigns the float average into uint8 by truncation.
    let fill = average.map { UInt8(clamping: Int($0)) }
    var patch = [UInt8](repeating: 0, count: originalSize * originalSize * 3)
    for i in 0..<originalSize * originalSize {
        patch[3 * i] = fill[0]; patch[3 * i + 1] = fill[1]; patch[3 * i + 2] = fill[2]
    }
    let x0 = max(xmin, 0), x1 = min(xmin + originalSize, image.width)
    if x0 < x1 {
        image.pixels.withUnsafeBufferPointer { src in
            patch.withUnsafeMutableBufferPointer { dst in
                for y in max(ymin, 0)..<max(min(ymin + originalSize, image.height), max(ymin, 0)) {
                    let s = src.baseAddress! + (y * image.width + x0) * 3
                    let d = dst.baseAddress! + ((y - ymin) * originalSize + (x0 - xmin)) * 3
                    d.update(from: s, count: (x1 - x0) * 3)
                }
            }
        }
    }
    if modelSize == originalSize { return patch }
    return resizeLinearLikeOpenCV(patch, width: originalSize, height: originalSize, channels: 3,
                                  toWidth: modelSize, height: modelSize)
}

/// Interleaved BGR bytes (`size * size * 3`) as a `[1, 3, size, size]` tensor of 0...255 values.
public func networkInput(fromBGR pixels: [UInt8], size: Int) -> Tensor {
    var values = [Float](repeating: 0, count: 3 * size * size)
    values.withUnsafeMutableBufferPointer { writeNetworkInput(fromBGR: pixels, size: size, into: $0) }
    return Tensor(shape: [1, 3, size, size], values: values)
}

/// `networkInput` written into an existing `3 x size x size` buffer (e.g. a workspace input).
public func writeNetworkInput(fromBGR pixels: [UInt8], size: Int, into values: UnsafeMutableBufferPointer<Float>) {
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
