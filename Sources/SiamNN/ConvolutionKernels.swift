/// Convolution kernels on raw buffers of channel-major batches (`FeatureMap`). Layouts: input
/// `C x N x H x W`, output `O x N x OH x OW` (CHW for N = 1), weights OIHW, all row-major Float32.

/// Geometry of one convolution.
struct ConvGeometry {
    var inChannels: Int, outChannels: Int, groups: Int
    var kernelH: Int, kernelW: Int, stride: Int, padding: Int, dilation: Int
    var inH: Int, inW: Int
    /// Images in the batch (`C x batch x H x W` input).
    var batch = 1
    var outH: Int { (inH + 2 * padding - dilation * (kernelH - 1) - 1) / stride + 1 }
    var outW: Int { (inW + 2 * padding - dilation * (kernelW - 1) - 1) / stride + 1 }

    /// The output columns whose input column for kernel column `kx`
    /// (`ox * stride + kx * dilation - padding`) is inside the image.
    func columnsInside(kernelColumn kx: Int) -> Range<Int> {
        let xOffset = kx * dilation - padding
        var lo = 0
        while lo < outW && lo * stride + xOffset < 0 { lo += 1 }
        var hi = outW
        while hi > lo && (hi - 1) * stride + xOffset >= inW { hi -= 1 }
        return lo..<hi
    }
}

/// Unfolds the input channels `c0..<c0+channels` into a `(channels*kh*kw) x (N*OH*OW)` matrix
/// (zeros where the kernel hits padding), row `(c*kh + ky)*kw + kx`, the N images' columns side
/// by side (image n at column `n * OH*OW`).
func im2col(
    _ g: ConvGeometry, input: UnsafePointer<Float>, firstChannel c0: Int, channels: Int,
    into col: UnsafeMutablePointer<Float>
) {
    parallelChunks(
        channels * g.kernelH * g.kernelW, minChunk: minimumChunk(workPerItem: g.batch * g.outH * g.outW, atLeast: 8),
        Im2colRows(g: g, input: input, firstChannel: c0, col: col, outputRows: 0..<g.outH))
}

/// `im2col` of a band of output rows, on the calling thread: a `(channels*kh*kw) x
/// (N*rows*OW)` matrix whose columns are the outputs of rows `outputRows` (row-major within
/// the band, image after image). Training convolves a sample band by band so that the matrix
/// stays in the core's cache between its unfolding and the GEMM that reads it.
func im2colBand(
    _ g: ConvGeometry, input: UnsafePointer<Float>, firstChannel c0: Int, channels: Int, outputRows: Range<Int>,
    into col: UnsafeMutablePointer<Float>
) {
    Im2colRows(g: g, input: input, firstChannel: c0, col: col, outputRows: outputRows)
        .run(0..<(channels * g.kernelH * g.kernelW))
}

/// `im2col` on a range of matrix rows.
private struct Im2colRows: ChunkedWork {
    let g: ConvGeometry
    let input: UnsafePointer<Float>
    let firstChannel: Int
    let col: UnsafeMutablePointer<Float>
    /// The output rows unfolded (all of them for a whole-image `im2col`).
    let outputRows: Range<Int>

    func run(_ rows: Range<Int>) {
        for row in rows {
            for image in 0..<g.batch { unfold(row: row, image: image) }
        }
    }

    /// Row `row` of the matrix, image `image`'s `rows*OW` columns.
    @inline(__always)
    private func unfold(row: Int, image: Int) {
        let ow = g.outW
        let n = outputRows.count * ow
        let kk = g.kernelH * g.kernelW
        let c0 = firstChannel
        let c = row / kk
        let ky = (row % kk) / g.kernelW
        let kx = row % g.kernelW
        let src = input + ((c0 + c) * g.batch + image) * g.inH * g.inW
        let dst = col + (row * g.batch + image) * n
        let xOffset = kx * g.dilation - g.padding
        let inside = g.columnsInside(kernelColumn: kx)
        let (lo, hi) = (inside.lowerBound, inside.upperBound)
        for oy in outputRows {
            let iy = oy * g.stride - g.padding + ky * g.dilation
            let d = dst + (oy - outputRows.lowerBound) * ow
            if iy < 0 || iy >= g.inH {
                d.update(repeating: 0, count: ow)
                continue
            }
            let s = src + iy * g.inW + xOffset
            if lo > 0 { d.update(repeating: 0, count: lo) }
            if g.stride == 1 {
                (d + lo).update(from: s + lo, count: hi - lo)
            } else if g.stride == 2 {
                // Eight at a time: elements 0, 2, ..., 14 from two loads ending at element 14.
                var ox = lo
                while hi &- ox >= 8 {
                    let src = UnsafeRawPointer(s + 2 &* ox)
                    let a = src.loadUnaligned(as: SIMD8<Float>.self)
                    let b = src.loadUnaligned(fromByteOffset: 28, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(d + ox).storeBytes(
                        of: SIMD8(lowHalf: a.evenHalf, highHalf: b.oddHalf),
                        as: SIMD8<Float>.self)
                    ox &+= 8
                }
                while ox < hi {
                    d[ox] = s[2 &* ox]
                    ox &+= 1
                }
            } else {
                for ox in lo..<hi { d[ox] = s[ox * g.stride] }
            }
            if hi < ow { (d + hi).update(repeating: 0, count: ow - hi) }
        }
    }
}

/// `output = weight (*) input` without bias or activation, for any geometry (groups included)
/// except depth-wise, through im2col + sgemm (`N*OH*OW` columns); `scratch` holds
/// `(C/groups)*kh*kw*N*OH*OW` floats (unused for 1x1 stride-1 unpadded convolutions, which
/// multiply the input directly).
func convolveGEMM(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?
) {
    let n = g.batch * g.outH * g.outW
    let cinG = g.inChannels / g.groups
    let coutG = g.outChannels / g.groups
    let k = cinG * g.kernelH * g.kernelW
    let direct = g.kernelH == 1 && g.kernelW == 1 && g.stride == 1 && g.padding == 0
    for grp in 0..<g.groups {
        let b: UnsafePointer<Float>
        if direct {
            b = input + grp * cinG * g.batch * g.inH * g.inW
        } else {
            im2col(g, input: input, firstChannel: grp * cinG, channels: cinG, into: scratch!)
            b = UnsafePointer(scratch!)
        }
        sgemm(
            m: coutG, n: n, k: k, a: weight + grp * coutG * k, lda: k, b: b, ldb: n,
            beta: 0, c: output + grp * coutG * n, ldc: n)
    }
}

/// Depth-wise convolution (groups == channels, one kh x kw filter per channel, the same for every
/// image of the batch: plane p uses filter `p / batch`), direct loops.
func convolveDepthwise(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>
) {
    if g.dilation == 1 && (g.stride == 1 || g.stride == 2) {
        convolveDepthwiseVectorized(g, input: input, weight: weight, output: output)
    } else {
        convolveDepthwiseGeneric(g, input: input, weight: weight, output: output)
    }
}

/// Depth-wise convolution, any geometry: plain loops (the reference of the vectorised kernel).
func convolveDepthwiseGeneric(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>
) {
    let work = g.outH * g.outW * g.kernelH * g.kernelW
    parallelChunks(
        g.inChannels * g.batch, minChunk: minimumChunk(workPerItem: work, atLeast: 4),
        GenericDepthwiseChannels(g: g, input: input, weight: weight, output: output))
}

/// `convolveDepthwiseGeneric` on a range of channels.
private struct GenericDepthwiseChannels: ChunkedWork {
    let g: ConvGeometry
    let input: UnsafePointer<Float>
    let weight: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>

    func run(_ channels: Range<Int>) {
        let oh = g.outH
        let ow = g.outW
        for c in channels {
            let src = input + c * g.inH * g.inW
            let dst = output + c * oh * ow
            let w = weight + c / g.batch * g.kernelH * g.kernelW
            dst.update(repeating: 0, count: oh * ow)
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    let wv = w[ky * g.kernelW + kx]
                    let xOffset = kx * g.dilation - g.padding
                    var lo = 0
                    while lo < ow && lo * g.stride + xOffset < 0 { lo += 1 }
                    var hi = ow
                    while hi > lo && (hi - 1) * g.stride + xOffset >= g.inW { hi -= 1 }
                    if lo >= hi { continue }
                    for oy in 0..<oh {
                        let iy = oy * g.stride - g.padding + ky * g.dilation
                        if iy < 0 || iy >= g.inH { continue }
                        let s = src + iy * g.inW + xOffset
                        let d = dst + oy * ow
                        if g.stride == 1 {
                            for ox in lo..<hi { d[ox] += wv * s[ox] }
                        } else {
                            for ox in lo..<hi { d[ox] += wv * s[ox * g.stride] }
                        }
                    }
                }
            }
        }
    }
}

/// Adds the per-channel bias and (optionally) a residual of the output's shape, then applies
/// the activation, in place on `output` (`channels x plane`).
func applyEpilogue(
    output: UnsafeMutablePointer<Float>, channels: Int, plane: Int,
    bias: UnsafePointer<Float>, residual: UnsafePointer<Float>?, activation: Activation
) {
    parallelChunks(
        channels, minChunk: minimumChunk(workPerItem: plane, atLeast: 16),
        EpilogueChannels(output: output, plane: plane, bias: bias, residual: residual, activation: activation))
}

/// `applyEpilogue` on a range of channels.
private struct EpilogueChannels: ChunkedWork {
    let output: UnsafeMutablePointer<Float>
    let plane: Int
    let bias: UnsafePointer<Float>
    let residual: UnsafePointer<Float>?
    let activation: Activation

    func run(_ range: Range<Int>) {
        for c in range {
            let p = output + c * plane
            let b = bias[c]
            if let r = residual {
                let rr = r + c * plane
                for i in 0..<plane { p[i] = p[i] + b + rr[i] }
            } else {
                for i in 0..<plane { p[i] += b }
            }
            activation.apply(p, count: plane)
        }
    }
}

extension Conv2D {
    func geometry(h: Int, w: Int) -> ConvGeometry {
        ConvGeometry(
            inChannels: inChannels, outChannels: outChannels, groups: groups,
            kernelH: kernelH, kernelW: kernelW, stride: stride, padding: padding,
            dilation: dilation, inH: h, inW: w)
    }

    /// Runs the layer on `batch` images (`C x batch x h x w`, channel-major):
    /// `output = act(conv(input) + bias [+ residual])`.
    func run(
        input: UnsafePointer<Float>, h: Int, w: Int, batch: Int = 1, output: UnsafeMutablePointer<Float>,
        residual: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>?
    ) {
        var g = geometry(h: h, w: w)
        g.batch = batch
        weight.withUnsafeBufferPointer { wp in
            if isDepthwise {
                convolveDepthwise(g, input: input, weight: wp.baseAddress!, output: output)
            } else {
                convolveGEMM(g, input: input, weight: wp.baseAddress!, output: output, scratch: scratch)
            }
        }
        bias.withUnsafeBufferPointer { bp in
            applyEpilogue(
                output: output, channels: outChannels, plane: batch * g.outH * g.outW,
                bias: bp.baseAddress!, residual: residual, activation: activation)
        }
    }
}
