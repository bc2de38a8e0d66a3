// Mirrors the residual `x + identity` of pysot's ResNet Bottleneck / BasicBlock and MobileNet's InvertedResidual (forward and autograd)

/// Element-wise sum of two `[N, C, H, W]` buffers of the same shape. Backward hands d loss / d
/// output to both inputs unchanged (`gradient` is that same buffer, so it must be consumed
/// before the next step).
package final class ResidualAddLayer {
    private let output = TrainingBuffer()

    package init() {}

    package func forward(_ a: TrainingBuffer, _ b: TrainingBuffer) -> TrainingBuffer {
        precondition(a.shape == b.shape, "residual add: shapes \(a.shape) and \(b.shape) differ")
        output.reshape(a.shape)
        let (ap, bp, yp) = (a.pointer, b.pointer, output.pointer)
        parallelChunks(a.count, minChunk: 4096) { range in
            for i in range { yp[i] = ap[i] + bp[i] }
        }
        return output
    }

    /// d loss / d a and d loss / d b: both are `dy`.
    package func backward(_ dy: TrainingBuffer) -> (a: TrainingBuffer, b: TrainingBuffer) {
        precondition(dy.shape == output.shape, "residual add: gradient shape \(dy.shape), output \(output.shape)")
        return (dy, dy)
    }
}
