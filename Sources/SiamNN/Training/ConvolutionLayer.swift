// Mirrors torch.nn.Conv2d (forward, and autograd's weight / bias / input gradients)

/// `nn.Conv2d` on a batch: stride, zero padding, dilation, groups (depth-wise included), bias.
///
/// Layouts: input `[N, Cin, H, W]`, weight OIHW `[Cout, Cin/groups, kh, kw]`, output
/// `[N, Cout, OH, OW]`. The samples of a batch run on different threads (`parallelChunks`
/// over samples; a batch of one gives its threads to the GEMMs instead). Within a sample and
/// group, the output rows go in bands whose im2col matrix (`K x rows*OW`, `K = Cin_g*kh*kw`)
/// is about `bandFloats` floats, so that it is still in the core's cache when the GEMM reads it:
/// forward `W_g [Cout_g, K] x col`; backward re-unfolds each band for the weight gradient
/// `dY_band x col^T` and gets the input gradient as `W_g^T x dY_band`, scattered back by col2im.
/// A 1x1 stride-1 unpadded convolution uses the input itself as its column matrix. Each sample's
/// weight gradient goes to a buffer of its own, and these are added to `weight.grad` in sample
/// order, so results do not depend on the thread count. Float32 with sgemm's accumulation:
/// against PyTorch's float64 autograd, relative errors of a few 1e-7 of the largest value.
package final class ConvolutionLayer: TrainingLayer {
    package let weight: TrainingParameter
    package let bias: TrainingParameter?
    package let stride: Int, padding: Int, dilation: Int, groups: Int
    /// False for a network's first layer (the image needs no gradient): `backward` then skips
    /// the input gradient and returns an empty buffer.
    package var computesInputGradient = true

    /// The target size of one band's column matrix: 256 Ki floats (1 MiB, a server core's L2).
    /// Much smaller bands make GEMMs of under 10^6 multiply-adds, which `sgemm` runs in plain
    /// loops instead of the BLAS: on the small AlexNet's training step, 64 Ki floats was 1.7x
    /// slower than this (`siamrpn train`'s batch_time).
    private static let bandFloats = 1 << 18

    private let inChannels: Int, outChannels: Int, kernelH: Int, kernelW: Int
    private var input: TrainingBuffer?
    private let output = TrainingBuffer()
    private let inputGradient = TrainingBuffer()
    /// One column band per sample (`bandCapacity` floats each).
    private var columns: [Float] = []
    /// Each sample's weight gradient, `[N, weight.count]`.
    private var weightPartials: [Float] = []

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

    /// Rows of a column matrix: `Cin_g * kh * kw`.
    private var columnRows: Int { inChannels / groups * kernelH * kernelW }

    /// Output rows per band: as many as keep the band's column matrix within `bandFloats`, at least one.
    private func bandRows(_ g: ConvGeometry) -> Int {
        max(1, min(g.outH, Self.bandFloats / max(1, columnRows * g.outW)))
    }

    /// Makes room for one column band per sample; returns the floats of one band.
    private func reserveColumns(_ g: ConvGeometry, batch: Int) -> Int {
        guard !isPointwise else { return 0 }
        let band = columnRows * bandRows(g) * g.outW
        if columns.count < batch * band { columns = [Float](repeating: 0, count: batch * band) }
        return band
    }

    package func forward(_ x: TrainingBuffer) -> TrainingBuffer {
        precondition(x.channels == inChannels, "\(weight.name): \(x.channels) input channels, expected \(inChannels)")
        let g = geometry(x)
        precondition(g.outH > 0 && g.outW > 0, "\(weight.name): input \(x.shape) smaller than the kernel")
        input = x
        output.reshape([x.batch, outChannels, g.outH, g.outW])
        let (cinG, coutG, k, hw, ow) = (inChannels / groups, outChannels / groups, columnRows, g.outH * g.outW, g.outW)
        let inSample = inChannels * x.height * x.width
        let band = reserveColumns(g, batch: x.batch)
        let rowsPerBand = bandRows(g)
        let (pointwise, groups, outChannels) = (isPointwise, groups, outChannels)
        let (xp, yp) = (x.pointer, output.pointer)
        weight.value.withUnsafeBufferPointer { wv in
            columns.withUnsafeMutableBufferPointer { colv in
                let w = wv.baseAddress!
                let colBase = colv.baseAddress
                parallelChunks(x.batch) { samples in
                    for s in samples {
                        let xs = xp + s * inSample
                        let ys = yp + s * outChannels * hw
                        for group in 0..<groups {
                            let wg = w + group * coutG * k
                            let yg = ys + group * coutG * hw
                            if pointwise {
                                sgemm(
                                    m: coutG, n: hw, k: k, a: wg, lda: k, b: xs + group * cinG * x.height * x.width, ldb: hw,
                                    beta: 0, c: yg, ldc: hw)
                                continue
                            }
                            let col = colBase! + s * band
                            for top in Swift.stride(from: 0, to: g.outH, by: rowsPerBand) {
                                let rows = top..<min(top + rowsPerBand, g.outH)
                                let n = rows.count * ow
                                im2colBand(g, input: xs, firstChannel: group * cinG, channels: cinG, outputRows: rows, into: col)
                                sgemm(m: coutG, n: n, k: k, a: wg, lda: k, b: col, ldb: n, beta: 0, c: yg + top * ow, ldc: hw)
                            }
                        }
                    }
                }
            }
        }
        if let bias {
            bias.value.withUnsafeBufferPointer { bv in
                parallelChunks(x.batch * outChannels) { planes in
                    for p in planes {
                        let v = bv[p % outChannels]
                        let o = yp + p * hw
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
        let (cinG, coutG, k, hw, ow) = (inChannels / groups, outChannels / groups, columnRows, g.outH * g.outW, g.outW)
        let inPlane = x.height * x.width
        let (batch, outChannels, groups, pointwise) = (x.batch, outChannels, groups, isPointwise)
        let (xp, dyp) = (x.pointer, dy.pointer)
        if let bias, bias.requiresGrad {
            bias.grad.withUnsafeMutableBufferPointer { bg in
                parallelChunks(outChannels) { channels in
                    for c in channels {
                        for s in 0..<batch {
                            let d = dyp + (s * outChannels + c) * hw
                            var sum = 0.0
                            for i in 0..<hw { sum += Double(d[i]) }
                            bg[c] += Float(sum)
                        }
                    }
                }
            }
        }
        let weightCount = weight.value.count
        let wantsWeight = weight.requiresGrad
        if wantsWeight && weightPartials.count < batch * weightCount {
            weightPartials = [Float](repeating: 0, count: batch * weightCount)
        }
        inputGradient.reshape(computesInputGradient ? x.shape : [0, 0, 0, 0])
        let wantsInput = computesInputGradient
        let dxp = inputGradient.pointer
        let band = reserveColumns(g, batch: batch)
        let rowsPerBand = bandRows(g)
        weight.value.withUnsafeBufferPointer { wv in
            columns.withUnsafeMutableBufferPointer { colv in
                weightPartials.withUnsafeMutableBufferPointer { pv in
                    let w = wv.baseAddress!
                    let (colBase, partialBase) = (colv.baseAddress, pv.baseAddress)
                    parallelChunks(batch) { samples in
                        for s in samples {
                            let xs = xp + s * inChannels * inPlane
                            let dys = dyp + s * outChannels * hw
                            let dxs = dxp + s * inChannels * inPlane
                            if wantsInput && !pointwise { dxs.update(repeating: 0, count: inChannels * inPlane) }
                            for group in 0..<groups {
                                let wg = w + group * coutG * k
                                let dyg = dys + group * coutG * hw
                                let dwg = wantsWeight ? partialBase! + s * weightCount + group * coutG * k : nil
                                if pointwise {
                                    let xg = xs + group * cinG * inPlane
                                    if let dwg {
                                        sgemm(transB: true, m: coutG, n: k, k: hw, a: dyg, lda: hw, b: xg, ldb: hw, beta: 0, c: dwg, ldc: k)
                                    }
                                    if wantsInput {
                                        sgemm(
                                            transA: true, m: k, n: hw, k: coutG, a: wg, lda: k, b: dyg, ldb: hw, beta: 0,
                                            c: dxs + group * cinG * inPlane, ldc: hw)
                                    }
                                    continue
                                }
                                let col = colBase! + s * band
                                for top in Swift.stride(from: 0, to: g.outH, by: rowsPerBand) {
                                    let rows = top..<min(top + rowsPerBand, g.outH)
                                    let n = rows.count * ow
                                    if let dwg {
                                        im2colBand(g, input: xs, firstChannel: group * cinG, channels: cinG, outputRows: rows, into: col)
                                        sgemm(
                                            transB: true, m: coutG, n: k, k: n, a: dyg + top * ow, lda: hw, b: col, ldb: n,
                                            beta: top == 0 ? 0 : 1, c: dwg, ldc: k)
                                    }
                                    if wantsInput {
                                        sgemm(
                                            transA: true, m: k, n: n, k: coutG, a: wg, lda: k, b: dyg + top * ow, ldb: hw, beta: 0,
                                            c: col, ldc: n)
                                        col2imBand(g, column: col, firstChannel: group * cinG, channels: cinG, outputRows: rows, into: dxs)
                                    }
                                }
                            }
                        }
                    }
                    guard wantsWeight else { return }
                    weight.grad.withUnsafeMutableBufferPointer { dw in
                        let dw = dw.baseAddress!
                        parallelChunks(weightCount, minChunk: 4096) { entries in
                            for i in entries {
                                var sum = dw[i]
                                for s in 0..<batch { sum += partialBase![s * weightCount + i] }
                                dw[i] = sum
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}

/// im2col's adjoint on a band: adds to input channels `c0..<c0+channels` of a `C x H x W`
/// sample the kernel taps of `column` (`(channels*kh*kw) x (rows*OW)`, as `im2colBand` lays
/// out output rows `outputRows`); taps on the padding are dropped. Runs on the calling thread.
private func col2imBand(
    _ g: ConvGeometry, column: UnsafePointer<Float>, firstChannel c0: Int, channels: Int, outputRows: Range<Int>,
    into dx: UnsafeMutablePointer<Float>
) {
    let ow = g.outW
    let n = outputRows.count * ow
    let kk = g.kernelH * g.kernelW
    for c in 0..<channels {
        let plane = dx + (c0 + c) * g.inH * g.inW
        for ky in 0..<g.kernelH {
            for kx in 0..<g.kernelW {
                let row = column + ((c * kk) + ky * g.kernelW + kx) * n
                let xOffset = kx * g.dilation - g.padding
                let inside = g.columnsInside(kernelColumn: kx)
                for oy in outputRows {
                    let iy = oy * g.stride - g.padding + ky * g.dilation
                    if iy < 0 || iy >= g.inH { continue }
                    let src = row + (oy - outputRows.lowerBound) * ow
                    let dst = plane + iy * g.inW + xOffset
                    if g.stride == 1 {
                        for ox in inside { dst[ox] += src[ox] }
                    } else {
                        for ox in inside { dst[ox * g.stride] += src[ox] }
                    }
                }
            }
        }
    }
}
