// Mirrors pysot/core/xcorr.py: xcorr_fast (forward and autograd's gradients)

/// pysot's full (not depth-wise) cross-correlation of `UPChannelRPN`: every sample's search
/// features are correlated with that sample's own bank of `K` kernels over all channels.
///
/// search `[N, C, H, W]`, kernel `[N, K*C, kh, kw]` (pysot's template conv output, viewed as `K`
/// kernels of `[C, kh, kw]`) -> output `[N, K, H-kh+1, W-kw+1]`,
/// `out[n,k,i,j] = sum_{c,u,v} search[n,c,i+u,j+v] * kernel[n,k*C+c,u,v]` (pysot's grouped
/// conv2d with `groups = N`; no padding, no flip). Per sample as GEMMs over the search's im2col
/// matrix `cols` `[C*kh*kw, oh*ow]`: forward `out = kernel (K x C*kh*kw) . cols`, backward
/// `dkernel = dy . cols^T` and `dsearch = col2im(kernel^T . dy)`; float32 sums in the BLAS's order.
/// `cols` is rebuilt in the backward pass (one scratch matrix, reused) rather than kept per sample.
package final class FullCorrelationLayer {
    private var search: TrainingBuffer?
    private var kernel: TrainingBuffer?
    private let output = TrainingBuffer()
    private var cols: [Float] = []
    private var dcols: [Float] = []
    package let searchGradient = TrainingBuffer()
    package let kernelGradient = TrainingBuffer()

    package init() {}

    /// `cols[(c*kh+u)*kw+v, i*ow+j] = x[c, i+u, j+v]` for one sample's `[C, H, W]` plane stack.
    private func im2col(_ x: UnsafePointer<Float>, c: Int, h: Int, w: Int, kh: Int, kw: Int) {
        let (oh, ow) = (h - kh + 1, w - kw + 1)
        cols.withUnsafeMutableBufferPointer { out in
            for ch in 0..<c {
                for u in 0..<kh {
                    for v in 0..<kw {
                        let row = out.baseAddress! + ((ch * kh + u) * kw + v) * oh * ow
                        for i in 0..<oh {
                            (row + i * ow).update(from: x + (ch * h + i + u) * w + v, count: ow)
                        }
                    }
                }
            }
        }
    }

    package func forward(search x: TrainingBuffer, kernel z: TrainingBuffer) -> TrainingBuffer {
        precondition(
            x.batch == z.batch && z.channels % x.channels == 0 && z.height <= x.height && z.width <= x.width,
            "xcorr_fast: search \(x.shape) and kernel \(z.shape) do not fit")
        search = x
        kernel = z
        let (c, h, w, kh, kw) = (x.channels, x.height, x.width, z.height, z.width)
        let k = z.channels / c
        let (oh, ow) = (h - kh + 1, w - kw + 1)
        let depth = c * kh * kw
        output.reshape([x.batch, k, oh, ow])
        if cols.count != depth * oh * ow { cols = [Float](repeating: 0, count: depth * oh * ow) }
        for n in 0..<x.batch {
            im2col(x.pointer + n * c * h * w, c: c, h: h, w: w, kh: kh, kw: kw)
            cols.withUnsafeBufferPointer { b in
                sgemm(
                    m: k, n: oh * ow, k: depth, a: z.pointer + n * k * depth, lda: depth, b: b.baseAddress!, ldb: oh * ow,
                    beta: 0, c: output.pointer + n * k * oh * ow, ldc: oh * ow)
            }
        }
        return output
    }

    /// Fills `searchGradient` and `kernelGradient` from d loss / d output.
    package func backward(_ dy: TrainingBuffer) {
        guard let x = search, let z = kernel else { preconditionFailure("xcorr_fast: backward before forward") }
        precondition(dy.shape == output.shape, "xcorr_fast: gradient shape \(dy.shape), output \(output.shape)")
        let (c, h, w, kh, kw) = (x.channels, x.height, x.width, z.height, z.width)
        let k = z.channels / c
        let (oh, ow) = (h - kh + 1, w - kw + 1)
        let depth = c * kh * kw
        searchGradient.reshape(x.shape)
        kernelGradient.reshape(z.shape)
        if dcols.count != depth * oh * ow { dcols = [Float](repeating: 0, count: depth * oh * ow) }
        for n in 0..<x.batch {
            let g = dy.pointer + n * k * oh * ow
            im2col(x.pointer + n * c * h * w, c: c, h: h, w: w, kh: kh, kw: kw)
            cols.withUnsafeBufferPointer { b in
                sgemm(
                    transB: true, m: k, n: depth, k: oh * ow, a: g, lda: oh * ow, b: b.baseAddress!, ldb: oh * ow, beta: 0,
                    c: kernelGradient.pointer + n * k * depth, ldc: depth)
            }
            dcols.withUnsafeMutableBufferPointer { d in
                sgemm(
                    transA: true, m: depth, n: oh * ow, k: k, a: z.pointer + n * k * depth, lda: depth, b: g, ldb: oh * ow,
                    beta: 0, c: d.baseAddress!, ldc: oh * ow)
                // col2im: every tap adds its row back onto the search positions it read.
                let dx = searchGradient.pointer + n * c * h * w
                dx.update(repeating: 0, count: c * h * w)
                for ch in 0..<c {
                    for u in 0..<kh {
                        for v in 0..<kw {
                            let row = d.baseAddress! + ((ch * kh + u) * kw + v) * oh * ow
                            for i in 0..<oh {
                                let target = dx + (ch * h + i + u) * w + v
                                let source = row + i * ow
                                for j in 0..<ow { target[j] += source[j] }
                            }
                        }
                    }
                }
            }
        }
    }
}
