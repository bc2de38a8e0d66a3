/// pysot `xcorr_depthwise`: for every channel c, `out[c] = search[c] (*) kernel[c]` (valid
/// cross-correlation, no flip). Search `C x H x W`, kernel `C x kh x kw`, output
/// `C x (H-kh+1) x (W-kw+1)`.
func depthwiseCrossCorrelation(
    search: UnsafePointer<Float>, channels: Int, h: Int, w: Int,
    kernel: UnsafePointer<Float>, kh: Int, kw: Int,
    output: UnsafeMutablePointer<Float>
) {
    let work = (h - kh + 1) * (w - kw + 1) * kh * kw
    parallelChunks(
        channels, minChunk: minimumChunk(workPerItem: work, atLeast: 8),
        DepthwiseCorrelationChannels(search: search, h: h, w: w, kernel: kernel, kh: kh, kw: kw, output: output))
}

/// `depthwiseCrossCorrelation` (unpadded) on a range of channels.
private struct DepthwiseCorrelationChannels: ChunkedWork {
    let search: UnsafePointer<Float>
    let h: Int, w: Int
    let kernel: UnsafePointer<Float>
    let kh: Int, kw: Int
    let output: UnsafeMutablePointer<Float>

    func run(_ range: Range<Int>) {
        let oh = h - kh + 1
        let ow = w - kw + 1
        for c in range {
            let s = search + c * h * w
            let k = kernel + c * kh * kw
            let d = output + c * oh * ow
            d.update(repeating: 0, count: oh * ow)
            for oy in 0..<oh {
                let row = d + oy * ow
                for ky in 0..<kh {
                    let src = s + (oy + ky) * w
                    for kx in 0..<kw {
                        let wv = k[ky * kw + kx]
                        let sp = src + kx
                        for ox in 0..<ow { row[ox] += wv * sp[ox] }
                    }
                }
            }
        }
    }
}

/// NanoTrack's `xcorr_depthwise` (`F.conv2d(search, kernel, padding: padding, groups: C)`): as
/// `depthwiseCrossCorrelation` with `padding` zeros around every search channel.
func depthwiseCrossCorrelation(
    search: UnsafePointer<Float>, channels: Int, h: Int, w: Int,
    kernel: UnsafePointer<Float>, kh: Int, kw: Int, padding: Int,
    output: UnsafeMutablePointer<Float>
) {
    if padding == 0 {
        depthwiseCrossCorrelation(search: search, channels: channels, h: h, w: w, kernel: kernel, kh: kh, kw: kw, output: output)
        return
    }
    // A depth-wise correlation is a depth-wise convolution whose filters are the kernel.
    let g = ConvGeometry(
        inChannels: channels, outChannels: channels, groups: channels, kernelH: kh, kernelW: kw,
        stride: 1, padding: padding, dilation: 1, inH: h, inW: w)
    convolveDepthwise(g, input: search, weight: kernel, output: output)
}

/// Pixel-wise correlation (NanoTrack `xcorr_pixelwise`): `out[i, y, x] = sum_c kernel[c, i] * search[c, y, x]`
/// for the `P` kernel positions i, i.e. the matrix product `(P x C) . (C x HW)` of the transposed
/// kernel (`C x P`) and the search (`C x HW`), one sgemm.
func pixelwiseCrossCorrelation(
    search: UnsafePointer<Float>, channels: Int, plane: Int,
    kernel: UnsafePointer<Float>, positions: Int, output: UnsafeMutablePointer<Float>
) {
    sgemm(
        transA: true, m: positions, n: plane, k: channels, a: kernel, lda: positions,
        b: search, ldb: plane, beta: 0, c: output, ldc: plane)
}
