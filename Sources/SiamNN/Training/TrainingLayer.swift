/// A training operation with one input: `forward` keeps what `backward` needs, `backward` takes
/// d loss / d output and returns d loss / d input, adding its parameters' gradients into them.
///
/// Both return buffers the operation owns (valid until its next call); `backward` must follow the
/// `forward` whose input it differentiates, and the input buffer must not change in between.
package protocol TrainingLayer: AnyObject {
    func forward(_ x: TrainingBuffer) -> TrainingBuffer
    func backward(_ dy: TrainingBuffer) -> TrainingBuffer
}

/// Layers applied in order; `backward` runs them in reverse.
package final class TrainingSequence: TrainingLayer {
    package let layers: [any TrainingLayer]

    package init(_ layers: [any TrainingLayer]) { self.layers = layers }

    package func forward(_ x: TrainingBuffer) -> TrainingBuffer {
        var h = x
        for layer in layers { h = layer.forward(h) }
        return h
    }

    package func backward(_ dy: TrainingBuffer) -> TrainingBuffer { backward(dy, downTo: 0) }

    /// The backward pass of `layers[first...]` only, for when nothing before them needs a
    /// gradient (a frozen prefix); returns d loss / d the input of `layers[first]`.
    package func backward(_ dy: TrainingBuffer, downTo first: Int) -> TrainingBuffer {
        var g = dy
        for layer in layers[first...].reversed() { g = layer.backward(g) }
        return g
    }
}
