/// One trainable tensor of a training model: its values and the gradient accumulated into it.
///
/// A reference type: the operations of both Siamese branches (the backbone runs on the template
/// and on the search image) hold the same parameter, and the backward passes of both add into
/// `grad`. `name` is the PyTorch state-dict key (`backbone.features.0.weight`).
package final class TrainingParameter {
    package let name: String
    /// PyTorch's shape (OIHW for convolution weights, `[C]` for biases and BatchNorm affine).
    package let shape: [Int]
    package var value: [Float]
    /// d loss / d value, same layout; zeroed by `zeroGradient()` before a step.
    package var grad: [Float]
    /// False for a frozen parameter (pysot's `requires_grad = False`): no gradient is computed.
    package var requiresGrad: Bool

    package init(name: String, shape: [Int], value: [Float], requiresGrad: Bool = true) {
        precondition(shape.reduce(1, *) == value.count, "\(name): \(value.count) values for shape \(shape)")
        self.name = name
        self.shape = shape
        self.value = value
        self.grad = [Float](repeating: 0, count: value.count)
        self.requiresGrad = requiresGrad
    }

    package var count: Int { value.count }

    package func zeroGradient() {
        grad.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
