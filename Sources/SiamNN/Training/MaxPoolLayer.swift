// Mirrors torch.nn.MaxPool2d (kernel, stride, zero-free padding, floor mode; autograd's scatter to the argmax)

/// `nn.MaxPool2d(kernel, stride, padding)` with `ceil_mode=False` on `[N, C, H, W]`.
///
/// Padding counts as -infinity. The backward pass sends each output's gradient to the input
/// position that won the forward pass; on ties the first in row-major window order, as
/// PyTorch's CPU kernel chooses (`val > max || isnan(val)`).
package final class MaxPoolLayer: TrainingLayer {
    package let kernel: Int, stride: Int, padding: Int
    private var inputShape: [Int]?
    private var argmax: [Int32] = []
    private let output = TrainingBuffer()
    private let inputGradient = TrainingBuffer()

    package init(kernel: Int, stride: Int, padding: Int = 0) {
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    package func forward(_ x: TrainingBuffer) -> TrainingBuffer {
        let oh = (x.height + 2 * padding - kernel) / stride + 1
        let ow = (x.width + 2 * padding - kernel) / stride + 1
        precondition(oh > 0 && ow > 0, "max-pool: input \(x.shape) smaller than the window")
        inputShape = x.shape
        output.reshape([x.batch, x.channels, oh, ow])
        if argmax.count < output.count { argmax = [Int32](repeating: 0, count: output.count) }
        let (h, w, k, st, pad) = (x.height, x.width, kernel, stride, padding)
        let xp = x.pointer
        let yp = output.pointer
        argmax.withUnsafeMutableBufferPointer { am in
            let am = am.baseAddress!
            parallelChunks(x.batch * x.channels) { planes in
                for p in planes {
                    let src = xp + p * h * w
                    if pad == 0 {
                        interiorWindows(src, plane: p, width: w, outH: oh, outW: ow, output: yp, argmax: am)
                        continue
                    }
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var best = -Float.infinity
                            var at = -1
                            for ky in 0..<k {
                                let iy = oy * st - pad + ky
                                if iy < 0 || iy >= h { continue }
                                for kx in 0..<k {
                                    let ix = ox * st - pad + kx
                                    if ix < 0 || ix >= w { continue }
                                    let v = src[iy * w + ix]
                                    if v > best || v.isNaN || at < 0 {
                                        best = v
                                        at = iy * w + ix
                                    }
                                }
                            }
                            let o = (p * oh + oy) * ow + ox
                            yp[o] = best
                            am[o] = Int32(at)
                        }
                    }
                }
            }
        }
        return output
    }

    /// The windows of one unpadded plane: every tap is inside, so no bounds checks; the first
    /// tap starts the search (PyTorch's `-inf` start picks the same element, NaN included). Four
    /// neighbouring outputs at a time, with lane masks and selects: a compare-and-branch per tap
    /// mispredicts on image data.
    @inline(__always)
    private func interiorWindows(
        _ src: UnsafePointer<Float>, plane p: Int, width w: Int, outH oh: Int, outW ow: Int,
        output yp: UnsafeMutablePointer<Float>, argmax am: UnsafeMutablePointer<Int32>
    ) {
        let (k, st) = (kernel, stride)
        let lanes = SIMD4<Int32>(0, 1, 2, 3) &* Int32(st)
        for oy in 0..<oh {
            let o = (p * oh + oy) * ow
            var ox = 0
            while ox + 4 <= ow {
                let first = oy * st * w + ox * st
                var at = SIMD4<Int32>(repeating: Int32(first)) &+ lanes
                var best = SIMD4<Float>(src[first], src[first + st], src[first + 2 * st], src[first + 3 * st])
                for ky in 0..<k {
                    let row = first + ky * w
                    for kx in 0..<k where ky > 0 || kx > 0 {
                        let tap = row + kx
                        let v = SIMD4<Float>(src[tap], src[tap + st], src[tap + 2 * st], src[tap + 3 * st])
                        let takes = (v .> best) .| (v .!= v)
                        best.replace(with: v, where: takes)
                        at.replace(with: SIMD4<Int32>(repeating: Int32(tap)) &+ lanes, where: takes)
                    }
                }
                for lane in 0..<4 {
                    yp[o + ox + lane] = best[lane]
                    am[o + ox + lane] = at[lane]
                }
                ox += 4
            }
            while ox < ow {
                let first = oy * st * w + ox * st
                var best = src[first]
                var at = first
                for ky in 0..<k {
                    let row = first + ky * w
                    for kx in 0..<k where ky > 0 || kx > 0 {
                        let v = src[row + kx]
                        if v > best || v.isNaN {
                            best = v
                            at = row + kx
                        }
                    }
                }
                yp[o + ox] = best
                am[o + ox] = Int32(at)
                ox += 1
            }
        }
    }

    package func backward(_ dy: TrainingBuffer) -> TrainingBuffer {
        guard let shape = inputShape else { preconditionFailure("max-pool: backward before forward") }
        precondition(dy.shape == output.shape, "max-pool: gradient shape \(dy.shape), output \(output.shape)")
        inputGradient.reshape(shape)
        inputGradient.zero()
        let plane = shape[2] * shape[3]
        let outPlane = dy.height * dy.width
        let dyp = dy.pointer
        let dxp = inputGradient.pointer
        argmax.withUnsafeBufferPointer { am in
            let am = am.baseAddress!
            parallelChunks(shape[0] * shape[1]) { planes in
                for p in planes {
                    for o in 0..<outPlane {
                        dxp[p * plane + Int(am[p * outPlane + o])] += dyp[p * outPlane + o]
                    }
                }
            }
        }
        return inputGradient
    }
}
