/// Depth-wise convolution for dilation 1 and stride 1 or 2 (every depth-wise layer of MobileNetV3,
/// NanoTrack's head and the padded depth-wise correlation, and pysot MobileNetV2's undilated
/// ones), sixteen or eight outputs at a time (plain loops for rows narrower than eight).
///
/// A block of output rows reads its input rows from a zero-padded copy (about 16 KB of the
/// thread's `ThreadScratch`: `p` zero columns on each side, zero rows where the window leaves the map), so every output
/// runs the same vector loop without bounds checks. Each output is the same sum in the same
/// order as the generic loop in `convolveDepthwiseGeneric` (taps in (ky, kx) order starting from
/// +0, each product rounded, then added): a padded tap adds a signed zero, which never changes
/// a sum that starts at +0, so results are bit-identical.
func convolveDepthwiseVectorized(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>
) {
    precondition(g.dilation == 1 && (g.stride == 1 || g.stride == 2), "vectorised depth-wise: dilation 1, stride 1 or 2")
    let oh = g.outH
    let ow = g.outW
    let inW = g.inW
    let kh = g.kernelH
    let kw = g.kernelW
    let s = g.stride
    let p = g.padding
    // A padded row: p zeros, the input row, zeros up to the widest read ((ow - 1) * s + kw).
    let rowLength = max(inW + 2 * p, (ow - 1) * s + kw) + 8
    // Output rows per block: the padded input rows they need fit in about 16 KB.
    let blockRows = max(1, min(oh, ((4096 / rowLength) - kh) / s + 1))
    let bufferRows = (blockRows - 1) * s + kh
    parallelChunks(
        g.inChannels * g.batch, minChunk: minimumChunk(workPerItem: oh * ow * kh * kw, atLeast: 4),
        VectorizedDepthwiseChannels(
            g: g, input: input, weight: weight, output: output, rowLength: rowLength, blockRows: blockRows,
            bufferRows: bufferRows))
}

/// `convolveDepthwiseVectorized` on a range of planes (`c * batch + image`; filter `c`).
private struct VectorizedDepthwiseChannels: ChunkedWork {
    let g: ConvGeometry
    let input: UnsafePointer<Float>
    let weight: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let rowLength: Int, blockRows: Int, bufferRows: Int

    func run(_ channels: Range<Int>) {
        let oh = g.outH
        let ow = g.outW
        let inH = g.inH
        let inW = g.inW
        let kh = g.kernelH
        let kw = g.kernelW
        let s = g.stride
        let p = g.padding
        ThreadScratch.withFloats(bufferRows * rowLength) { rows in
            rows.initialize(repeating: 0, count: bufferRows * rowLength)
            for c in channels {
                let src = input + c * inH * inW
                let dst = output + c * oh * ow
                let w = weight + c / g.batch * kh * kw
                var oy0 = 0
                while oy0 < oh {
                    let count = min(blockRows, oh - oy0)
                    // Buffer row r holds input row oy0 * s - p + r (zeros outside the map); only
                    // columns p..<p+inW are ever written, so the side padding stays zero.
                    let iyFirst = oy0 * s - p
                    for r in 0..<((count - 1) * s + kh) {
                        let iy = iyFirst + r
                        let row = rows + r * rowLength + p
                        if iy >= 0 && iy < inH {
                            row.update(from: src + iy * inW, count: inW)
                        } else {
                            row.update(repeating: 0, count: inW)
                        }
                    }
                    for r in 0..<count {
                        depthwiseRow(
                            rows + r * s * rowLength, rowLength: rowLength, weight: w, kh: kh, kw: kw,
                            stride: s, output: dst + (oy0 + r) * ow, width: ow)
                    }
                    oy0 += count
                }
            }
        }
    }
}

/// One output row from `kh` padded input rows starting at `rows`: sixteen, then eight outputs
/// at a time (the last chunk may overlap the previous one), scalar below eight outputs.
@inline(__always)
private func depthwiseRow(
    _ rows: UnsafePointer<Float>, rowLength: Int, weight w: UnsafePointer<Float>,
    kh: Int, kw: Int, stride s: Int, output d: UnsafeMutablePointer<Float>, width ow: Int
) {
    var ox = 0
    while ow &- ox >= 16 {
        var acc = SIMD16<Float>(repeating: 0)
        for ky in 0..<kh {
            let row = UnsafeRawPointer(rows + (ky &* rowLength &+ ox &* s))
            let wr = w + ky &* kw
            for kx in 0..<kw {
                let v: SIMD16<Float>
                if s == 1 {
                    v = row.loadUnaligned(fromByteOffset: 4 &* kx, as: SIMD16<Float>.self)
                } else {
                    // elements 0, 2, ..., 30 from two loads ending at element 30
                    let a = row.loadUnaligned(fromByteOffset: 4 &* kx, as: SIMD16<Float>.self)
                    let b = row.loadUnaligned(fromByteOffset: 4 &* (kx &+ 15), as: SIMD16<Float>.self)
                    v = SIMD16(lowHalf: a.evenHalf, highHalf: b.oddHalf)
                }
                acc += v * wr[kx]
            }
        }
        UnsafeMutableRawPointer(d + ox).storeBytes(of: acc, as: SIMD16<Float>.self)
        ox &+= 16
    }
    if ow >= 8 {
        while ox < ow {
            let start = min(ox, ow &- 8)
            var acc = SIMD8<Float>(repeating: 0)
            for ky in 0..<kh {
                let row = UnsafeRawPointer(rows + (ky &* rowLength &+ start &* s))
                let wr = w + ky &* kw
                for kx in 0..<kw {
                    let v: SIMD8<Float>
                    if s == 1 {
                        v = row.loadUnaligned(fromByteOffset: 4 &* kx, as: SIMD8<Float>.self)
                    } else {
                        let a = row.loadUnaligned(fromByteOffset: 4 &* kx, as: SIMD8<Float>.self)
                        let b = row.loadUnaligned(fromByteOffset: 4 &* (kx &+ 7), as: SIMD8<Float>.self)
                        v = SIMD8(lowHalf: a.evenHalf, highHalf: b.oddHalf)
                    }
                    acc += v * wr[kx]
                }
            }
            UnsafeMutableRawPointer(d + start).storeBytes(of: acc, as: SIMD8<Float>.self)
            ox = start &+ 8
        }
    } else {
        for ox in 0..<ow {
            var acc: Float = 0
            for ky in 0..<kh {
                let row = rows + (ky &* rowLength &+ ox &* s)
                for kx in 0..<kw { acc += row[kx] * w[ky &* kw &+ kx] }
            }
            d[ox] = acc
        }
    }
}
