// Mirrors pysot/models/neck/neck.py: AdjustLayer's centre crop `x[:, :, l:r, l:r]` (forward and autograd)

/// The centre `size x size` window of `[N, C, H, W]`, `l = (W - size) / 2` (integer division,
/// pysot computes it from the width and uses it for both axes). Backward writes d loss / d output
/// into that window of a zero gradient. Whether to crop (pysot: only when `W < 20`) is the
/// model's decision.
package final class CenterCropLayer: TrainingLayer {
    package let size: Int
    private var inputShape: [Int]?
    private let output = TrainingBuffer()
    private let inputGradient = TrainingBuffer()

    package init(size: Int) { self.size = size }

    private func origin(_ shape: [Int]) -> Int { (shape[3] - size) / 2 }

    package func forward(_ x: TrainingBuffer) -> TrainingBuffer {
        let l = origin(x.shape)
        precondition(l >= 0 && l + size <= x.height, "centre crop \(size) of \(x.shape)")
        inputShape = x.shape
        output.reshape([x.batch, x.channels, size, size])
        for p in 0..<(x.batch * x.channels) {
            for r in 0..<size {
                (output.pointer + (p * size + r) * size).update(from: x.pointer + (p * x.height + l + r) * x.width + l, count: size)
            }
        }
        return output
    }

    package func backward(_ dy: TrainingBuffer) -> TrainingBuffer {
        guard let shape = inputShape else { preconditionFailure("centre crop: backward before forward") }
        precondition(dy.shape == output.shape, "centre crop: gradient shape \(dy.shape), output \(output.shape)")
        inputGradient.reshape(shape)
        inputGradient.zero()
        let l = origin(shape)
        let (h, w) = (shape[2], shape[3])
        for p in 0..<(shape[0] * shape[1]) {
            for r in 0..<size {
                (inputGradient.pointer + (p * h + l + r) * w + l).update(from: dy.pointer + (p * size + r) * size, count: size)
            }
        }
        return inputGradient
    }
}
