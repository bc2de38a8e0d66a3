// Mirrors torch.nn.Conv2d (forward, and autograd's weight / bias / input gradients)

/// `nn.Conv2d` on a batch: stride, zero padding, dilation, groups (depth-wise included), bias.
///
/// Layouts: input `[N, Cin, H, W]`, weight OIHW `[Cout, Cin/groups, kh, kw]`, output
/// `[N, Cout, OH, OW]`. Per sample and group, forward is im2col + one sgemm
/// (`W_g [Cout_g, K] x col [K, OH*OW]`, `K = Cin_g*kh*kw`); backward recomputes the im2col
/// matrix (instead of keeping N of them) for the weight gradient `dY_g x col^T` and gets the
/// input gradient as `W_g^T x dY_g` scattered back by col2im. A 1x1 stride-1 unpadded
/// convolution uses the input itself as its column matrix. Float32 with sgemm's accumulation:
/// against PyTorch's float64 autograd, relative errors of a few 1e-7 of the largest value.
package final class ConvolutionLayer: TrainingLayer {
    package let weight: TrainingParameter
    package let bias: TrainingParameter?
    package let stride: Int, padding: Int, dilation: Int, groups: Int
    /// False for a network's first layer (the image needs no gradient): `backward` then skips
    /// the input gradient and returns an empty buffer.
    package var computesInputGradient = true

    private let inChannels: Int, outChannels: Int, kernelH: Int, kernelW: Int
    private var input: TrainingBuffer?
    private let output = TrainingBuffer()
    private let inputGradient = TrainingBuffer()
    private var column: [Float] = []

    package init(
        weight: TrainingParameter, bias: TrainingParameter?, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
        groups: Int = 1
    ) {
        precondition(weight.shape.count == 4, "\(weight.name): convolution weights are OIHW")
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        outChannels = weight.shape[0]
        inChannels = weight.shape[1] * groups
        kernelH = weight.shape[2]
        kernelW = weight.shape[3]
        precondition(outChannels % groups == 0, "\(weight.name): \(outChannels) outputs in \(groups) groups")
        if let bias { precondition(bias.shape == [outChannels], "\(bias.name): bias of \(outChannels)") }
    }

    private func geometry(_ x: TrainingBuffer) -> ConvGeometry {
        ConvGeometry(
            inChannels: inChannels, outChannels: outChannels, groups: groups, kernelH: kernelH, kernelW: kernelW,
            stride: stride, padding: padding, dilation: dilation, inH: x.height, inW: x.width)
    }

    private var isPointwise: Bool { kernelH == 1 && kernelW == 1 && stride == 1 && padding == 0 }

    /// The column matrix `[K, OH*OW]` of one sample and group: the input itself for a 1x1
    /// stride-1 unpadded convolution, else its im2col written into `scratch`.
    private func columns(
        _ g: ConvGeometry, of x: TrainingBuffer, sample s: Int, group: Int, scratch: UnsafeMutablePointer<Float>
    ) -> UnsafePointer<Float> {
        let cinG = inChannels / groups
        let sample = x.pointer + s * inChannels * x.height * x.width
        if isPointwise { return UnsafePointer(sample + group * cinG * x.height * x.width) }
        im2col(g, input: sample, firstChannel: group * cinG, channels: cinG, into: scratch)
        return UnsafePointer(scratch)
    }

    package func forward(_ x: TrainingBuffer) -> TrainingBuffer {
        precondition(x.channels == inChannels, "\(weight.name): \(x.channels) input channels, expected \(inChannels)")
        let g = geometry(x)
        precondition(g.outH > 0 && g.outW > 0, "\(weight.name): input \(x.shape) smaller than the kernel")
        input = x
        output.reshape([x.batch, outChannels, g.outH, g.outW])
        let cinG = inChannels / groups
        let coutG = outChannels / groups
        let k = cinG * kernelH * kernelW
        let hw = g.outH * g.outW
        if !isPointwise && column.count < k * hw { column = [Float](repeating: 0, count: k * hw) }
        weight.value.withUnsafeBufferPointer { w in
            column.withUnsafeMutableBufferPointer { col in
                for s in 0..<x.batch {
                    for group in 0..<groups {
                        let b = columns(g, of: x, sample: s, group: group, scratch: col.baseAddress!)
                        sgemm(
                            m: coutG, n: hw, k: k, a: w.baseAddress! + group * coutG * k, lda: k, b: b, ldb: hw, beta: 0,
                            c: output.pointer + (s * outChannels + group * coutG) * hw, ldc: hw)
                    }
                }
            }
        }
        if let bias {
            bias.value.withUnsafeBufferPointer { bv in
                let out = output.pointer
                parallelChunks(x.batch * outChannels) { planes in
                    for p in planes {
                        let v = bv[p % outChannels]
                        let o = out + p * hw
                        for i in 0..<hw { o[i] += v }
                    }
                }
            }
        }
        return output
    }

    package func backward(_ dy: TrainingBuffer) -> TrainingBuffer {
        guard let x = input else { preconditionFailure("\(weight.name): backward before forward") }
        let g = geometry(x)
        precondition(dy.shape == [x.batch, outChannels, g.outH, g.outW], "\(weight.name): gradient shape \(dy.shape)")
        let cinG = inChannels / groups
        let coutG = outChannels / groups
        let k = cinG * kernelH * kernelW
        let hw = g.outH * g.outW
        let inPlane = x.height * x.width
        if let bias, bias.requiresGrad {
            bias.grad.withUnsafeMutableBufferPointer { bg in
                for s in 0..<dy.batch {
                    for c in 0..<outChannels {
                        let d = dy.pointer + (s * outChannels + c) * hw
                        var sum = 0.0
                        for i in 0..<hw { sum += Double(d[i]) }
                        bg[c] += Float(sum)
                    }
                }
            }
        }
        if weight.requiresGrad {
            weight.grad.withUnsafeMutableBufferPointer { dw in
                column.withUnsafeMutableBufferPointer { col in
                    for s in 0..<x.batch {
                        for group in 0..<groups {
                            let b = columns(g, of: x, sample: s, group: group, scratch: col.baseAddress!)
                            sgemm(
                                transB: true, m: coutG, n: k, k: hw,
                                a: dy.pointer + (s * outChannels + group * coutG) * hw, lda: hw, b: b, ldb: hw, beta: 1,
                                c: dw.baseAddress! + group * coutG * k, ldc: k)
                        }
                    }
                }
            }
        }
        inputGradient.reshape(computesInputGradient ? x.shape : [0, 0, 0, 0])
        guard computesInputGradient else { return inputGradient }
        weight.value.withUnsafeBufferPointer { w in
            column.withUnsafeMutableBufferPointer { col in
                for s in 0..<x.batch {
                    let dxSample = inputGradient.pointer + s * inChannels * inPlane
                    for group in 0..<groups {
                        let target = isPointwise ? dxSample + group * cinG * inPlane : col.baseAddress!
                        sgemm(
                            transA: true, m: k, n: hw, k: coutG, a: w.baseAddress! + group * coutG * k, lda: k,
                            b: dy.pointer + (s * outChannels + group * coutG) * hw, ldb: hw, beta: 0, c: target, ldc: hw)
                        if !isPointwise {
                            col2im(g, column: UnsafePointer(col.baseAddress!), firstChannel: group * cinG, channels: cinG, into: dxSample)
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}

/// im2col's adjoint: overwrites input channels `c0..<c0+channels` of a `C x H x W` sample with
/// the sum over kernel taps of `column` (`(channels*kh*kw) x (OH*OW)`,
/// rows as `im2col` lays them out); taps on the padding are dropped. Each channel is written by one thread.
private func col2im(
    _ g: ConvGeometry, column: UnsafePointer<Float>, firstChannel c0: Int, channels: Int,
    into dx: UnsafeMutablePointer<Float>
) {
    let oh = g.outH
    let ow = g.outW
    let kk = g.kernelH * g.kernelW
    parallelChunks(channels) { chans in
        for c in chans {
            let plane = dx + (c0 + c) * g.inH * g.inW
            plane.update(repeating: 0, count: g.inH * g.inW)
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    let row = column + ((c * kk) + ky * g.kernelW + kx) * oh * ow
                    for oy in 0..<oh {
                        let iy = oy * g.stride - g.padding + ky * g.dilation
                        if iy < 0 || iy >= g.inH { continue }
                        let src = row + oy * ow
                        let dst = plane + iy * g.inW
                        let xOffset = kx * g.dilation - g.padding
                        for ox in 0..<ow {
                            let ix = ox * g.stride + xOffset
                            if ix >= 0 && ix < g.inW { dst[ix] += src[ox] }
                        }
                    }
                }
            }
        }
    }
}
