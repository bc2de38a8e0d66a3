/// The memory of one `Plan`: activation buffers and one scratch buffer (im2col, channel-gate
/// means), allocated once.
///
/// A workspace is used by one caller at a time (it is the mutable part of inference); give
/// each tracker or thread its own. Running never allocates.
public final class Workspace {
    public let plan: Plan
    private let buffers: [UnsafeMutablePointer<Float>]
    private let scratch: UnsafeMutablePointer<Float>
    /// Per operation: its input and output feature maps, fixed by the plan (so `run` does not
    /// build them, and allocates nothing).
    private let operationInputs: [[FeatureMap]]
    private let operationOutputs: [FeatureMap]

    public init(plan: Plan) {
        self.plan = plan
        buffers = plan.bufferSizes.map { n in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            return p
        }
        scratch = .allocate(capacity: max(plan.scratchSize, 1))
        scratch.initialize(repeating: 0, count: max(plan.scratchSize, 1))
        let buffers = self.buffers
        func map(_ id: Int) -> FeatureMap { FeatureMap(buffers[plan.bufferOf[id]], shape: plan.shapes[id], batch: plan.batch) }
        operationInputs = plan.graph.operations.map { op in op.inputs.map { map($0.id) } }
        let inputCount = plan.graph.inputs.count
        operationOutputs = plan.graph.operations.indices.map { map(inputCount + $0) }
    }

    deinit {
        for b in buffers { b.deallocate() }
        scratch.deallocate()
    }

    func pointer(_ v: Graph.Value) -> UnsafeMutablePointer<Float> { buffers[plan.bufferOf[v.id]] }

    /// Copies `tensor` into graph input `index` (shape must be `[1, C, H, W]` or `[C, H, W]` of the
    /// plan; a batch-1 plan).
    public func setInput(_ index: Int, _ tensor: Tensor) {
        let shape = plan.shapes[index]
        precondition(plan.batch == 1, "a batched plan's inputs are set per image: setInput(_:image:_:)")
        precondition(
            tensor.shape == [1] + shape || tensor.shape == shape,
            "input \(plan.graph.inputs[index].name) has shape \(tensor.shape), plan expects \(shape)")
        tensor.values.withUnsafeBufferPointer { src in
            pointer(Graph.Value(id: index)).update(from: src.baseAddress!, count: tensor.count)
        }
    }

    /// Copies `tensor` (`[1, C, H, W]` or `[C, H, W]` of the plan) into image `image` of graph
    /// input `index`: its channel c goes to plane `c * batch + image`.
    public func setInput(_ index: Int, image: Int, _ tensor: Tensor) {
        let shape = plan.shapes[index]
        precondition(image >= 0 && image < plan.batch, "image \(image) outside a batch of \(plan.batch)")
        precondition(
            tensor.shape == [1] + shape || tensor.shape == shape,
            "input \(plan.graph.inputs[index].name) has shape \(tensor.shape), plan expects \(shape)")
        let plane = shape[1] * shape[2]
        let base = pointer(Graph.Value(id: index))
        tensor.values.withUnsafeBufferPointer { src in
            for c in 0..<shape[0] {
                (base + (c * plan.batch + image) * plane).update(from: src.baseAddress! + c * plane, count: plane)
            }
        }
    }

    /// Writes graph input `index` in place (`C * batch * H * W` floats of the plan, channel-major),
    /// without a `Tensor`.
    public func withInputBuffer<R>(_ index: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < plan.graph.inputs.count, "no graph input \(index)")
        return try body(UnsafeMutableBufferPointer(start: pointer(Graph.Value(id: index)), count: plan.batch * plan.shapes[index].reduce(1, *)))
    }

    /// Reads value `v` in place, without a copy (valid for the same values as `tensor(_:)`;
    /// `C * batch * H * W` floats, channel-major).
    public func withValueBuffer<R>(_ v: Graph.Value, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: pointer(v), count: plan.batch * plan.shapes[v.id].reduce(1, *)))
    }

    /// Copies image `image` of value `v` into `destination` as `C x H x W` (`C * H * W` floats;
    /// valid for the same values as `tensor(_:)`). Allocates nothing.
    public func copyValue(_ v: Graph.Value, image: Int, into destination: UnsafeMutableBufferPointer<Float>) {
        let shape = plan.shapes[v.id]
        let plane = shape[1] * shape[2]
        precondition(image >= 0 && image < plan.batch, "image \(image) outside a batch of \(plan.batch)")
        precondition(destination.count == shape[0] * plane, "value \(v.id) of one image has \(shape[0] * plane) floats")
        let base = pointer(v)
        for c in 0..<shape[0] {
            (destination.baseAddress! + c * plane).update(from: base + (c * plan.batch + image) * plane, count: plane)
        }
    }

    /// A copy of value `v` as a `[1, C, H, W]` tensor (valid for outputs, inputs, and any value
    /// when the plan keeps all; a batch-1 plan).
    public func tensor(_ v: Graph.Value) -> Tensor {
        precondition(plan.batch == 1, "a batched plan's values are read per image: copyValue(_:image:into:)")
        let shape = plan.shapes[v.id]
        let n = shape.reduce(1, *)
        return Tensor(shape: [1] + shape, values: Array(UnsafeBufferPointer(start: pointer(v), count: n)))
    }

    /// Runs every operation of the plan on the current inputs.
    public func run() {
        let timer = OperationTimer.current
        for (i, op) in plan.graph.operations.enumerated() {
            let t0 = timer == nil ? 0 : OperationTimer.now()
            op.run(operationInputs[i], output: operationOutputs[i], scratch: scratch)
            if let timer { timer.record(operation: i, of: plan.graph, nanoseconds: OperationTimer.now() - t0) }
        }
    }
}
