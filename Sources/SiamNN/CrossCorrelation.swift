/// pysot `xcorr_depthwise`: for every channel c, `out[c] = search[c] (*) kernel[c]` (valid
/// cross-correlation, no flip). Search `C x H x W`, kernel `C x kh x kw`, output
/// `C x (H-kh+1) x (W-kw+1)`.
func depthwiseCrossCorrelation(search: UnsafePointer<Float>, channels: Int, h: Int, w: Int,
                               kernel: UnsafePointer<Float>, kh: Int, kw: Int,
                               output: UnsafeMutablePointer<Float>) {
    let oh = h - kh + 1, ow = w - kw + 1
    parallelChunks(channels, minChunk: 8) { range in
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
