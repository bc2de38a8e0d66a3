// Mirrors pysot/core/xcorr.py: xcorr_depthwise, and NanoTrack's zero-padded variant (forward and autograd's gradients)

/// pysot's depth-wise cross-correlation: every sample's search features are correlated,
/// channel by channel, with that sample's own kernel (the template features).
///
/// search `[N, C, H, W]`, kernel `[N, C, kh, kw]` -> output `[N, C, H+2p-kh+1, W+2p-kw+1]`,
/// `out[n,c,i,j] = sum_{u,v} search[n,c,i+u-p,j+v-p] * kernel[n,c,u,v]` with zeros outside the
/// search (pysot's grouped conv2d with `groups = N*C`; padding `p` 0 in pysot, 1 in NanoTrack). Backward: `dsearch[i+u, j+v] += dy[i,j] * kernel[u,v]` and
/// `dkernel[u,v] = sum_{i,j} dy[i,j] * search[i+u, j+v]`. Direct loops, one (n, c) plane per
/// task; sums in Float in PyTorch's order of taps.
package final class DepthwiseCrossCorrelationLayer {
    private var search: TrainingBuffer?
    private var kernel: TrainingBuffer?
    private let output = TrainingBuffer()
    package let searchGradient = TrainingBuffer()
    package let kernelGradient = TrainingBuffer()

    package let padding: Int

    package init(padding: Int = 0) { self.padding = padding }

    package func forward(search x: TrainingBuffer, kernel z: TrainingBuffer) -> TrainingBuffer {
        precondition(
            x.batch == z.batch && x.channels == z.channels && z.height <= x.height + 2 * padding
                && z.width <= x.width + 2 * padding,
            "xcorr_depthwise: search \(x.shape) and kernel \(z.shape) do not fit")
        search = x
        kernel = z
        let (h, w, kh, kw) = (x.height, x.width, z.height, z.width)
        let pad = padding
        let oh = h + 2 * pad - kh + 1
        let ow = w + 2 * pad - kw + 1
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
                            let y = i + u - pad
                            if y < 0 || y >= h { continue }
                            for v in 0..<kw {
                                let xx = j + v - pad
                                if xx >= 0 && xx < w { sum += src[y * w + xx] * k[u * kw + v] }
                            }
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
        let pad = padding
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
                            let y = i + u - pad
                            if y < 0 || y >= h { continue }
                            for j in 0..<ow {
                                let xx = j + v - pad
                                if xx < 0 || xx >= w { continue }
                                let d = g[i * ow + j]
                                sum += d * src[y * w + xx]
                                dx[y * w + xx] += d * kv
                            }
                        }
                        dk[u * kw + v] = sum
                    }
                }
            }
        }
    }
}
