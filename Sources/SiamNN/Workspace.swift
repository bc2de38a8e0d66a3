/// The memory of one `Plan`: activation buffers and one scratch buffer (im2col, channel-gate
/// means), allocated once.
///
/// A workspace is used by one caller at a time (it is the mutable part of inference); give
/// each tracker or thread its own. Running never allocates.
public final class Workspace {
    public let plan: Plan
    private let buffers: [UnsafeMutablePointer<Float>]
    private let scratch: UnsafeMutablePointer<Float>
    /// Per operation: the buffers and shapes of its inputs, fixed by the plan (so `run` does not
    /// build them, and allocates nothing).
    private let operationInputs: [[(UnsafeMutablePointer<Float>, [Int])]]

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
        operationInputs = plan.graph.operations.map { op in
            op.inputs.map { (buffers[plan.bufferOf[$0.id]], plan.shapes[$0.id]) }
        }
    }

    deinit {
        for b in buffers { b.deallocate() }
        scratch.deallocate()
    }

    func pointer(_ v: Graph.Value) -> UnsafeMutablePointer<Float> { buffers[plan.bufferOf[v.id]] }

    /// Copies `tensor` into graph input `index` (shape must be `[1, C, H, W]` or `[C, H, W]` of the plan).
    public func setInput(_ index: Int, _ tensor: Tensor) {
        let shape = plan.shapes[index]
        precondition(
            tensor.shape == [1] + shape || tensor.shape == shape,
            "input \(plan.graph.inputs[index].name) has shape \(tensor.shape), plan expects \(shape)")
        tensor.values.withUnsafeBufferPointer { src in
            pointer(Graph.Value(id: index)).update(from: src.baseAddress!, count: tensor.count)
        }
    }

    /// Writes graph input `index` in place (`C * H * W` floats of the plan), without a `Tensor`.
    public func withInputBuffer<R>(_ index: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < plan.graph.inputs.count, "no graph input \(index)")
        return try body(UnsafeMutableBufferPointer(start: pointer(Graph.Value(id: index)), count: plan.shapes[index].reduce(1, *)))
    }

    /// Reads value `v` in place, without a copy (valid for the same values as `tensor(_:)`).
    public func withValueBuffer<R>(_ v: Graph.Value, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: pointer(v), count: plan.shapes[v.id].reduce(1, *)))
    }

    /// A copy of value `v` as a `[1, C, H, W]` tensor (valid for outputs, inputs, and any value
    /// when the plan keeps all).
    public func tensor(_ v: Graph.Value) -> Tensor {
        let shape = plan.shapes[v.id]
        let n = shape.reduce(1, *)
        return Tensor(shape: [1] + shape, values: Array(UnsafeBufferPointer(start: pointer(v), count: n)))
    }

    /// Runs every operation of the plan on the current inputs.
    public func run() {
        let g = plan.graph
        let inputCount = g.inputs.count
        let timer = OperationTimer.current
        for (i, op) in g.operations.enumerated() {
            let t0 = timer == nil ? 0 : OperationTimer.now()
            defer { if let timer { timer.record(operation: i, of: g, nanoseconds: OperationTimer.now() - t0) } }
            let out = pointer(Graph.Value(id: inputCount + i))
            let ins = operationInputs[i]
            switch op {
            case .conv(let layer, _, let residual):
                layer.run(
                    input: ins[0].0, h: ins[0].1[1], w: ins[0].1[2], output: out,
                    residual: residual.map { UnsafePointer(pointer($0)) }, scratch: scratch)
            case .maxPool(let k, let s, let p, _):
                maxPool2D(
                    input: ins[0].0, channels: ins[0].1[0], h: ins[0].1[1], w: ins[0].1[2],
                    kernel: k, stride: s, padding: p, output: out)
            case .centerCrop:
                let outShape = plan.shapes[inputCount + i]
                centerCrop(input: ins[0].0, shape: ins[0].1, size: outShape[1], output: out)
            case .depthwiseXCorr(_, _, let padding):
                depthwiseCrossCorrelation(
                    search: ins[0].0, channels: ins[0].1[0], h: ins[0].1[1], w: ins[0].1[2],
                    kernel: ins[1].0, kh: ins[1].1[1], kw: ins[1].1[2], padding: padding, output: out)
            case .xcorr(_, _, let outC):
                let g = ConvGeometry(
                    inChannels: ins[0].1[0], outChannels: outC, groups: 1,
                    kernelH: ins[1].1[1], kernelW: ins[1].1[2], stride: 1, padding: 0,
                    dilation: 1, inH: ins[0].1[1], inW: ins[0].1[2])
                convolveGEMM(g, input: ins[0].0, weight: ins[1].0, output: out, scratch: scratch)
            case .weightedSum(_, let weights):
                let n = plan.shapes[inputCount + i].reduce(1, *)
                out.update(repeating: 0, count: n)
                for (j, (p, _)) in ins.enumerated() {
                    let w = weights[j]
                    for e in 0..<n { out[e] += w * p[e] }
                }
            case .activation(let activation, _):
                activate(activation, input: ins[0].0, output: out, count: plan.shapes[inputCount + i].reduce(1, *))
            case .channelGate(let reduce, let expand, let activation, _):
                channelGate(
                    input: ins[0].0, channels: ins[0].1[0], plane: ins[0].1[1] * ins[0].1[2], reduce: reduce,
                    expand: expand, activation: activation, output: out, scratch: scratch)
            case .pixelwiseXCorr(_, _, let positions):
                pixelwiseCrossCorrelation(
                    search: ins[0].0, channels: ins[0].1[0], plane: ins[0].1[1] * ins[0].1[2],
                    kernel: ins[1].0, positions: positions, output: out)
            case .crop(let top, let left, let h, let w, _):
                cropWindow(
                    input: ins[0].0, channels: ins[0].1[0], h: ins[0].1[1], w: ins[0].1[2], top: top, left: left,
                    height: h, width: w, output: out)
            case .concat:
                var offset = 0
                for (p, shape) in ins {
                    let n = shape.reduce(1, *)
                    (out + offset).update(from: p, count: n)
                    offset += n
                }
            }
        }
    }
}
