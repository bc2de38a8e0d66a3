// Mirrors NanoTrack's ban_v3.py pixelwise_xcorr (matmul of the template and search features; forward and autograd)

/// Pixel-wise correlation per sample: kernel (template features) `[N, C, hz, wz]`, search
/// `[N, C, H, W]` -> `[N, hz*wz, H, W]`, `out[n, i, y, x] = sum_c kernel[n, c, i] * search[n, c, y, x]`
/// (`i = row * wz + col`): one sgemm per sample, `Z^T [hz*wz, C] x X [C, H*W]`. Backward:
/// `dX = Z dY` (`[C, hz*wz] x [hz*wz, H*W]`), `dZ = X dY^T` (`[C, H*W] x [H*W, hz*wz]`).
package final class PixelwiseCorrelationLayer {
    private var search: TrainingBuffer?
    private var kernel: TrainingBuffer?
    private let output = TrainingBuffer()
    package let searchGradient = TrainingBuffer()
    package let kernelGradient = TrainingBuffer()

    package init() {}

    package func forward(search x: TrainingBuffer, kernel z: TrainingBuffer) -> TrainingBuffer {
        precondition(x.batch == z.batch && x.channels == z.channels, "pixel-wise correlation: search \(x.shape), kernel \(z.shape)")
        search = x
        kernel = z
        let (c, positions, hw) = (x.channels, z.height * z.width, x.height * x.width)
        output.reshape([x.batch, positions, x.height, x.width])
        for s in 0..<x.batch {
            sgemm(
                transA: true, m: positions, n: hw, k: c, a: z.pointer + s * c * positions, lda: positions,
                b: x.pointer + s * c * hw, ldb: hw, beta: 0, c: output.pointer + s * positions * hw, ldc: hw)
        }
        return output
    }

    /// Fills `searchGradient` and `kernelGradient` from d loss / d output.
    package func backward(_ dy: TrainingBuffer) {
        guard let x = search, let z = kernel else { preconditionFailure("pixel-wise correlation: backward before forward") }
        precondition(dy.shape == output.shape, "pixel-wise correlation: gradient shape \(dy.shape), output \(output.shape)")
        searchGradient.reshape(x.shape)
        kernelGradient.reshape(z.shape)
        let (c, positions, hw) = (x.channels, z.height * z.width, x.height * x.width)
        for s in 0..<x.batch {
            let g = dy.pointer + s * positions * hw
            sgemm(
                m: c, n: hw, k: positions, a: z.pointer + s * c * positions, lda: positions, b: g, ldb: hw, beta: 0,
                c: searchGradient.pointer + s * c * hw, ldc: hw)
            sgemm(
                transB: true, m: c, n: positions, k: hw, a: x.pointer + s * c * hw, lda: hw, b: g, ldb: hw, beta: 0,
                c: kernelGradient.pointer + s * c * positions, ldc: positions)
        }
    }
}
