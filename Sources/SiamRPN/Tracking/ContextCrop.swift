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
    var patch = [UInt8](repeating: 0, count: modelSize * modelSize * 3)
    var scratch = ResizeScratch()
    let rowLength = modelSize * 3
    patch.withUnsafeMutableBufferPointer { out in
        contextCrop(
            image, centerX: centerX, centerY: centerY, modelSize: modelSize, originalSize: originalSize,
            average: average, scratch: &scratch
        ) { y, row in (out.baseAddress! + y * rowLength).update(from: row.baseAddress!, count: rowLength) }
    }
    return patch
}

/// `contextCrop` written straight into a `[3, modelSize, modelSize]` network input (planar
/// B, G, R floats of the bytes) — or into image `n` of a channel-major batch of `batch` inputs
/// (`3 x batch x modelSize x modelSize`) — with the caller's `scratch`: allocates nothing once
/// `scratch` has been used for this `modelSize`.
package func writeContextCrop(
    _ image: Image, centerX: Double, centerY: Double, modelSize: Int,
    originalSize: Int, average: [Double], scratch: inout ResizeScratch, into values: UnsafeMutableBufferPointer<Float>,
    image n: Int = 0, batch: Int = 1
) {
    let plane = modelSize * modelSize
    precondition(values.count == 3 * batch * plane && n >= 0 && n < batch, "network input needs \(3 * batch * plane) values")
    // Channel c of image n is plane c * batch + n (SiamNN's channel-major batch).
    let b = values.baseAddress! + n * plane
    let stride = batch * plane
    contextCrop(
        image, centerX: centerX, centerY: centerY, modelSize: modelSize, originalSize: originalSize,
        average: average, scratch: &scratch
    ) { y, row in
        let o = b + y * modelSize
        for x in 0..<modelSize {
            o[x] = Float(row[3 * x])
            o[stride + x] = Float(row[3 * x + 1])
            o[2 * stride + x] = Float(row[3 * x + 2])
        }
    }
}

/// The crop's rows (`modelSize * 3` interleaved BGR bytes each, valid during the call), in order.
private func contextCrop(
    _ image: Image, centerX: Double, centerY: Double, modelSize: Int,
    originalSize: Int, average: [Double], scratch: inout ResizeScratch,
    emit: (Int, UnsafeBufferPointer<UInt8>) -> Void
) {
    precondition(originalSize > 0 && modelSize > 0, "crop sizes must be positive")
    let c = Double(originalSize + 1) / 2
    let xmin = Int((centerX - c + 0.5).rounded(.down))
    let ymin = Int((centerY - c + 0.5).rounded(.down))
    // numpy assigns the float average into uint8 by truncation.
    let fill = (UInt8(clamping: Int(average[0])), UInt8(clamping: Int(average[1])), UInt8(clamping: Int(average[2])))
    image.pixels.withUnsafeBufferPointer { pixels in
        let window = PaddedWindow(
            pixels: pixels, imageWidth: image.width, imageHeight: image.height,
            originX: xmin, originY: ymin, fill: fill)
        if modelSize == originalSize {
            scratch.prepare(width: modelSize, channels: 3)
            scratch.row.withUnsafeMutableBufferPointer { row in
                for y in 0..<modelSize {
                    for x in 0..<modelSize {
                        for ch in 0..<3 { row[x * 3 + ch] = window.value(row: y, column: x, channel: ch) }
                    }
                    emit(y, UnsafeBufferPointer(row))
                }
            }
            return
        }
        resizeLinearLikeOpenCV(
            window, width: originalSize, height: originalSize, channels: 3,
            toWidth: modelSize, height: modelSize, scratch: &scratch, emit: emit)
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

    /// The horizontal pass on 3-channel rows: one image row pointer per source row, the fill
    /// colour for columns (or the whole row) outside the image.
    func horizontal(
        row: Int, width sw: Int, channels: Int, xIndex: UnsafePointer<Int>, xWeights: UnsafePointer<Int32>,
        count dw: Int, into h: UnsafeMutablePointer<Int32>
    ) {
        precondition(channels == 3, "a context crop has 3 channels")
        let y = originY + row
        let f0 = Int32(fill.0)
        let f1 = Int32(fill.1)
        let f2 = Int32(fill.2)
        guard y >= 0 && y < imageHeight else {
            for dx in 0..<dw {
                let a = xWeights[2 * dx] + xWeights[2 * dx + 1]
                h[3 * dx] = f0 * a
                h[3 * dx + 1] = f1 * a
                h[3 * dx + 2] = f2 * a
            }
            return
        }
        let line = pixels.baseAddress! + y * imageWidth * 3
        for dx in 0..<dw {
            let x0 = xIndex[dx]
            let c0 = originX + x0
            let c1 = originX + min(x0 + 1, sw - 1)
            let a0 = xWeights[2 * dx]
            let a1 = xWeights[2 * dx + 1]
            var left = SIMD3(f0, f1, f2)
            var right = left
            if c0 >= 0 && c0 < imageWidth {
                let p = line + 3 * c0
                left = SIMD3(Int32(p[0]), Int32(p[1]), Int32(p[2]))
            }
            if c1 >= 0 && c1 < imageWidth {
                let p = line + 3 * c1
                right = SIMD3(Int32(p[0]), Int32(p[1]), Int32(p[2]))
            }
            h[3 * dx] = left.x * a0 + right.x * a1
            h[3 * dx + 1] = left.y * a0 + right.y * a1
            h[3 * dx + 2] = left.z * a0 + right.z * a1
        }
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
