// Mirrors torch.cat(dim=1) as NanoTrack's ban_v3.py joins its two correlations (forward and autograd)

/// Channel concatenation of `[N, Ca, H, W]` and `[N, Cb, H, W]` -> `[N, Ca + Cb, H, W]`;
/// backward splits d loss / d output back into the two inputs' channels.
package final class ConcatLayer {
    private var shapes: ([Int], [Int])?
    private let output = TrainingBuffer()
    package let firstGradient = TrainingBuffer()
    package let secondGradient = TrainingBuffer()

    package init() {}

    package func forward(_ a: TrainingBuffer, _ b: TrainingBuffer) -> TrainingBuffer {
        precondition(a.batch == b.batch && a.height == b.height && a.width == b.width, "concat: \(a.shape) and \(b.shape)")
        shapes = (a.shape, b.shape)
        let plane = a.height * a.width
        let (ca, cb) = (a.channels, b.channels)
        output.reshape([a.batch, ca + cb, a.height, a.width])
        for s in 0..<a.batch {
            (output.pointer + s * (ca + cb) * plane).update(from: a.pointer + s * ca * plane, count: ca * plane)
            (output.pointer + (s * (ca + cb) + ca) * plane).update(from: b.pointer + s * cb * plane, count: cb * plane)
        }
        return output
    }

    /// Fills `firstGradient` and `secondGradient`.
    package func backward(_ dy: TrainingBuffer) {
        guard let (sa, sb) = shapes else { preconditionFailure("concat: backward before forward") }
        precondition(dy.shape == output.shape, "concat: gradient shape \(dy.shape), output \(output.shape)")
        firstGradient.reshape(sa)
        secondGradient.reshape(sb)
        let plane = sa[2] * sa[3]
        let (ca, cb) = (sa[1], sb[1])
        for s in 0..<sa[0] {
            (firstGradient.pointer + s * ca * plane).update(from: dy.pointer + s * (ca + cb) * plane, count: ca * plane)
            (secondGradient.pointer + s * cb * plane).update(from: dy.pointer + (s * (ca + cb) + ca) * plane, count: cb * plane)
        }
    }
}
