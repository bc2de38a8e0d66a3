/// A dense Float32 tensor in C (row-major) order; image tensors are NCHW.
///
/// `Tensor` is the value type at the library's boundaries: checkpoint entries, network inputs
/// and outputs. The inference engine works on the preallocated buffers of a `Workspace` (laid
/// out by a `Plan`) and copies into and out of `Tensor`s only at its edges (`setInput`,
/// `tensor(_:)`); `withInputBuffer` / `withValueBuffer` skip even that copy.
public struct Tensor: Sendable, Equatable {
    /// Extent of each dimension, outermost first (NCHW for feature maps).
    public var shape: [Int]
    /// `shape.reduce(1, *)` values in C order.
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(
            shape.reduce(1, *) == values.count,
            "shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// Number of elements.
    public var count: Int { values.count }
}
