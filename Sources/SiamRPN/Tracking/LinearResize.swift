/// OpenCV's `cv2.resize(..., INTER_LINEAR)` on 8-bit images, reproduced bit for bit
/// (OpenCV 4.x fixed-point path; Tests/Fixtures/README.md section 4).
///
/// Half-pixel centres, 11-bit interpolation weights (`rint(f * 2048)` in Float), an exact
/// integer horizontal pass and OpenCV's SIMD-rounded vertical pass
/// `((H0 >> 4) * b0 >> 16) + ((H1 >> 4) * b1 >> 16) + 2) >> 2`. Columns that fall outside the
/// source clamp with weight 0 (OpenCV resets them); rows keep their weights and clamp indices.
/// Pixels are interleaved (`channels` per pixel), row-major.
package func resizeLinearLikeOpenCV(
    _ src: [UInt8], width sw: Int, height sh: Int, channels: Int,
    toWidth dw: Int, height dh: Int
) -> [UInt8] {
    precondition(sw > 0 && sh > 0 && dw > 0 && dh > 0 && src.count == sw * sh * channels, "bad resize geometry")
    return src.withUnsafeBufferPointer { s in
        resizeLinearLikeOpenCV(
            DenseSource(bytes: s, width: sw, channels: channels), width: sw, height: sh,
            channels: channels, toWidth: dw, height: dh)
    }
}

/// Where the resize reads its source pixels: value of `channel` at (`row`, `column`), both
/// inside the source. Lets a crop be resized from a virtual padded window without building it.
protocol ResizeSource {
    func value(row: Int, column: Int, channel: Int) -> UInt8
    /// The horizontal pass of one source row: for every output column `dx`,
    /// `h[dx * channels + c] = v(row, x0) * a0 + v(row, x1) * a1` with `x0 = xIndex[dx]`,
    /// `x1 = min(x0 + 1, width - 1)`, `(a0, a1) = xWeights[2dx], xWeights[2dx + 1]`.
    func horizontal(
        row: Int, width sw: Int, channels: Int, xIndex: UnsafePointer<Int>, xWeights: UnsafePointer<Int32>,
        count dw: Int, into h: UnsafeMutablePointer<Int32>)
}

extension ResizeSource {
    @inline(__always)
    func horizontal(
        row: Int, width sw: Int, channels: Int, xIndex: UnsafePointer<Int>, xWeights: UnsafePointer<Int32>,
        count dw: Int, into h: UnsafeMutablePointer<Int32>
    ) {
        for dx in 0..<dw {
            let x0 = xIndex[dx]
            let x1 = min(x0 + 1, sw - 1)
            let a0 = xWeights[2 * dx]
            let a1 = xWeights[2 * dx + 1]
            for c in 0..<channels {
                h[dx * channels + c] =
                    Int32(value(row: row, column: x0, channel: c)) * a0 + Int32(value(row: row, column: x1, channel: c)) * a1
            }
        }
    }
}

/// Interleaved bytes in memory.
private struct DenseSource: ResizeSource {
    let bytes: UnsafeBufferPointer<UInt8>
    let width: Int
    let channels: Int

    @inline(__always)
    func value(row: Int, column: Int, channel: Int) -> UInt8 { bytes[(row * width + column) * channels + channel] }
}

/// The resize's working memory (column tables and two horizontal-pass rows, `O(dw * channels)`),
/// kept by a caller that resizes every frame so that a resize allocates nothing after the first.
package struct ResizeScratch {
    var xIndex: [Int] = []
    var xWeights: [Int32] = []
    var h0: [Int32] = []
    var h1: [Int32] = []
    var row: [UInt8] = []

    package init() {}

    mutating func prepare(width dw: Int, channels: Int) {
        if xIndex.count != dw {
            xIndex = [Int](repeating: 0, count: dw)
            xWeights = [Int32](repeating: 0, count: 2 * dw)
        }
        if h0.count != dw * channels {
            h0 = [Int32](repeating: 0, count: dw * channels)
            h1 = [Int32](repeating: 0, count: dw * channels)
            row = [UInt8](repeating: 0, count: dw * channels)
        }
    }
}

/// The resize of a `sw` x `sh` source read through `source` into a new interleaved image.
func resizeLinearLikeOpenCV<Source: ResizeSource>(
    _ source: Source, width sw: Int, height sh: Int, channels: Int,
    toWidth dw: Int, height dh: Int
) -> [UInt8] {
    var scratch = ResizeScratch()
    var out = [UInt8](repeating: 0, count: dw * dh * channels)
    let rowLength = dw * channels
    out.withUnsafeMutableBufferPointer { o in
        resizeLinearLikeOpenCV(source, width: sw, height: sh, channels: channels, toWidth: dw, height: dh, scratch: &scratch) { dy, row in
            (o.baseAddress! + dy * rowLength).update(from: row.baseAddress!, count: rowLength)
        }
    }
    return out
}

/// The resize of a `sw` x `sh` source read through `source`, handing each output row
/// (`dw * channels` interleaved bytes, valid during the call) to `emit(dy, row)` in order. Reads
/// only the two source columns and rows each output pixel interpolates, so the source never
/// has to exist in memory.
func resizeLinearLikeOpenCV<Source: ResizeSource>(
    _ source: Source, width sw: Int, height sh: Int, channels: Int,
    toWidth dw: Int, height dh: Int, scratch: inout ResizeScratch,
    emit: (Int, UnsafeBufferPointer<UInt8>) -> Void
) {
    let scaleX = 1.0 / (Double(dw) / Double(sw))
    let scaleY = 1.0 / (Double(dh) / Double(sh))
    scratch.prepare(width: dw, channels: channels)
    let rowLength = dw * channels
    scratch.xIndex.withUnsafeMutableBufferPointer { xIndex in
        scratch.xWeights.withUnsafeMutableBufferPointer { xWeights in
            for dx in 0..<dw {
                var fx = Float((Double(dx) + 0.5) * scaleX - 0.5)
                var sx = Int(fx.rounded(.down))
                fx -= Float(sx)
                if sx < 0 {
                    fx = 0
                    sx = 0
                }
                if sx >= sw - 1 {
                    fx = 0
                    sx = sw - 1
                }
                xIndex[dx] = sx
                xWeights[2 * dx] = Int32(((1 - fx) * 2048).rounded(.toNearestOrEven))
                xWeights[2 * dx + 1] = Int32((fx * 2048).rounded(.toNearestOrEven))
            }
            scratch.h0.withUnsafeMutableBufferPointer { h0buffer in
                scratch.h1.withUnsafeMutableBufferPointer { h1buffer in
                    scratch.row.withUnsafeMutableBufferPointer { out in
                        var h0 = h0buffer.baseAddress!
                        var h1 = h1buffer.baseAddress!
                        let o = out.baseAddress!
                        func horizontal(_ row: Int, into h: UnsafeMutablePointer<Int32>) {
                            source.horizontal(
                                row: row, width: sw, channels: channels, xIndex: xIndex.baseAddress!,
                                xWeights: xWeights.baseAddress!, count: dw, into: h)
                        }
                        var cached0 = -1
                        var cached1 = -1
                        for dy in 0..<dh {
                            var fy = Float((Double(dy) + 0.5) * scaleY - 0.5)
                            let sy = Int(fy.rounded(.down))
                            fy -= Float(sy)
                            let b0 = Int32(((1 - fy) * 2048).rounded(.toNearestOrEven))
                            let b1 = Int32((fy * 2048).rounded(.toNearestOrEven))
                            let r0 = min(max(sy, 0), sh - 1)
                            let r1 = min(max(sy + 1, 0), sh - 1)
                            if r0 != cached0 {
                                if r0 == cached1 {
                                    swap(&h0, &h1)
                                    cached0 = r0
                                    cached1 = -1
                                } else {
                                    horizontal(r0, into: h0)
                                    cached0 = r0
                                }
                            }
                            if r1 != cached1 {
                                horizontal(r1, into: h1)
                                cached1 = r1
                            }
                            for i in 0..<rowLength {
                                let v = (((h0[i] >> 4) &* b0) >> 16) &+ (((h1[i] >> 4) &* b1) >> 16) &+ 2
                                o[i] = UInt8(clamping: v >> 2)
                            }
                            emit(dy, UnsafeBufferPointer(out))
                        }
                    }
                }
            }
        }
    }
}
