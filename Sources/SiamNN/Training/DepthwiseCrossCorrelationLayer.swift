// Mirrors pysot/core/xcorr.py: xcorr_depthwise (forward and autograd's gradients)

/// pysot's depth-wise cross-correlation: every sample's search features are correlated,
/// channel by channel, with that sample's own kernel (the template features).
///
/// search `[N, C, H, W]`, kernel `[N, C, kh, kw]` -> output `[N, C, H-kh+1, W-kw+1]`,
/// `out[n,c,i,j] = sum_{u,v} search[n,c,i+u,j+v] * kernel[n,c,u,v]` (pysot's grouped conv2d with
/// `groups = N*C`). Backward: `dsearch[i+u, j+v] += dy[i,j] * kernel[u,v]` and
/// `dkernel[u,v] = sum_{i,j} dy[i,j] * search[i+u, j+v]`. Direct loops, one (n, c) plane per
/// task; sums in Float in PyTorch's order of taps.
package final class DepthwiseCrossCorrelationLayer {
    private var search: TrainingBuffer?
    private var kernel: TrainingBuffer?
    private let output = TrainingBuffer()
    package let searchGradient = TrainingBuffer()
    package let kernelGradient = TrainingBuffer()

    package init() {}

    package func forward(search x: TrainingBuffer, kernel z: TrainingBuffer) -> TrainingBuffer {
        precondition(
            x.batch == z.batch && x.channels == z.channels && z.height <= x.height && z.width <= x.width,
            "xcorr_depthwise: search \(x.shape) and kernel \(z.shape) do not fit")
        search = x
        kernel = z
        let (h, w, kh, kw) = (x.height, x.width, z.height, z.width)
        let oh = h - kh + 1
        let ow = w - kw + 1
        output.reshape([x.batch, x.channels, oh, ow])
        let xp = x.pointer
        let zp = z.pointer
        let yp = output.pointer
        parallelChunks(x.batch * x.channels) { planes in
            for p in planes {
                let src = xp + p * h * w
                let k = zp + p * kh * kw
                let dst = yp + p * oh * ow
                for i in 0..<oh {
                    for j in 0..<ow {
                        var sum: Float = 0
                        for u in 0..<kh {
                            for v in 0..<kw { sum += src[(i + u) * w + j + v] * k[u * kw + v] }
                        }
                        dst[i * ow + j] = sum
                    }
                }
            }
        }
        return output
    }

    /// Fills `searchGradient` and `kernelGradient` from d loss / d output.
    package func backward(_ dy: TrainingBuffer) {
        guard let x = search, let z = kernel else { preconditionFailure("xcorr_depthwise: backward before forward") }
        precondition(dy.shape == output.shape, "xcorr_depthwise: gradient shape \(dy.shape), output \(output.shape)")
        searchGradient.reshape(x.shape)
        kernelGradient.reshape(z.shape)
        let (h, w, kh, kw) = (x.height, x.width, z.height, z.width)
        let oh = dy.height
        let ow = dy.width
        let xp = x.pointer
        let zp = z.pointer
        let dyp = dy.pointer
        let dxp = searchGradient.pointer
        let dzp = kernelGradient.pointer
        parallelChunks(x.batch * x.channels) { planes in
            for p in planes {
                let src = xp + p * h * w
                let k = zp + p * kh * kw
                let g = dyp + p * oh * ow
                let dx = dxp + p * h * w
                let dk = dzp + p * kh * kw
                dx.update(repeating: 0, count: h * w)
                for u in 0..<kh {
                    for v in 0..<kw {
                        var sum: Float = 0
                        let kv = k[u * kw + v]
                        for i in 0..<oh {
                            for j in 0..<ow {
                                let d = g[i * ow + j]
                                sum += d * src[(i + u) * w + j + v]
                                dx[(i + u) * w + j + v] += d * kv
                            }
                        }
                        dk[u * kw + v] = sum
                    }
                }
            }
        }
    }
}
