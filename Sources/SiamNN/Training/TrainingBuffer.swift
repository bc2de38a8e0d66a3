/// A float32 batch tensor of the training engine, NCHW (`[N, C, H, W]`), row-major.
///
/// Each training operation owns the buffers it writes (its output, the gradient of its inputs)
/// and keeps them across steps: `reshape` reallocates only when a larger batch shape comes in,
/// so a training step at a fixed batch shape reuses every buffer. A reference type,
/// so an operation can keep the input it was given for its backward pass without copying it.
package final class TrainingBuffer {
    /// `[N, C, H, W]`.
    package private(set) var shape: [Int]
    /// `shape.reduce(1, *)` values; valid until the next `reshape`.
    package private(set) var pointer: UnsafeMutablePointer<Float>
    private var capacity: Int

    /// An empty buffer (shape `[0, 0, 0, 0]`), sized by its first `reshape`.
    package init() {
        shape = [0, 0, 0, 0]
        capacity = 1
        pointer = .allocate(capacity: 1)
    }

    /// A buffer of `shape` holding `values` (C order).
    package convenience init(shape: [Int], values: [Float]) {
        self.init()
        reshape(shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    deinit { pointer.deallocate() }

    package var count: Int { shape.reduce(1, *) }
    package var batch: Int { shape[0] }
    package var channels: Int { shape[1] }
    package var height: Int { shape[2] }
    package var width: Int { shape[3] }

    /// Gives the buffer `shape` (4 dimensions); contents are undefined afterwards.
    package func reshape(_ newShape: [Int]) {
        precondition(newShape.count == 4 && newShape.allSatisfy { $0 >= 0 }, "bad training shape \(newShape)")
        shape = newShape
        let n = max(1, newShape.reduce(1, *))
        if n > capacity {
            pointer.deallocate()
            pointer = .allocate(capacity: n)
            capacity = n
        }
    }

    /// Sets every value to 0.
    package func zero() { pointer.update(repeating: 0, count: count) }

    /// The values, C order.
    package var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
