/// A `Graph` specialised to fixed input sizes: every value's shape, which buffer holds it, and
/// the scratch size. Buffers are reused once a value is dead, so memory stays close to the
/// largest few live feature maps. Immutable and shareable; memory lives in a `Workspace`.
public struct Plan: Sendable {
    public let graph: Graph
    /// Images per run (1 unless planned for a batch).
    public let batch: Int
    /// `[C, H, W]` of every value, per image.
    public let shapes: [[Int]]
    /// Buffer index of every value.
    let bufferOf: [Int]
    /// Float capacity of every buffer.
    let bufferSizes: [Int]
    /// Floats of scratch the most demanding operation needs: the im2col matrix of a convolution
    /// or of UPChannelRPN's full correlation, or a channel gate's means.
    public let scratchSize: Int
    /// Multiply-accumulates of one run, all images of the batch (convolutions, correlations and
    /// the channel gates' fully connected layers).
    public let macs: Int

    /// Shapes the graph for `inputSizes` (`[H, W]` per graph input) and `batch` images per run
    /// (every value then holds `C x batch x H x W` floats, channel-major: image n's channel c is
    /// plane `c * batch + n`; kernel inputs too, one per image). With `keepingAll`, no buffer
    /// is reused, so every intermediate (named or not) can be read after a run.
    /// Throws `PlanError` when an input is too small for some layer, or when `batch` > 1 and an
    /// operation runs one image at a time (`Graph.supportsBatch`).
    public init(graph: Graph, inputSizes: [[Int]], batch: Int = 1, keepingAll: Bool = false) throws {
        precondition(inputSizes.count == graph.inputs.count, "one size per graph input")
        precondition(batch >= 1, "a batch holds at least one image")
        self.graph = graph
        self.batch = batch
        if batch > 1, let op = graph.operations.first(where: { !$0.supportsBatch }) {
            throw PlanError.unbatchable(operation: String(describing: type(of: op)))
        }
        for (input, size) in zip(graph.inputs, inputSizes) where size.count != 2 || size[0] < 1 || size[1] < 1 {
            throw PlanError.inputTooSmall(input: input.name, size: size, reason: "every input needs a positive height and width")
        }
        var shapes: [[Int]] = zip(graph.inputs, inputSizes).map { [$0.channels, $1[0], $1[1]] }
        var scratch = 0
        var macs = 0
        for op in graph.operations {
            let s = op.inputs.map { shapes[$0.id] }
            let output: [Int]
            do {
                output = try op.outputShape(s)
            } catch {
                let input = graph.inputs.map(\.name).joined(separator: "/")
                throw error.unsupportedSize
                    ? PlanError.unsupportedInputSize(input: input, size: inputSizes.first ?? [], reason: error.reason)
                    : PlanError.inputTooSmall(input: input, size: inputSizes.first ?? [], reason: error.reason)
            }
            shapes.append(output)
            scratch = max(scratch, op.scratchCount(s, batch: batch))
            macs += batch * op.macs(s, output: output)
        }
        self.shapes = shapes
        self.scratchSize = scratch
        self.macs = macs
        let buffers = BufferAssignment(
            valueSizes: shapes.map { batch * $0.reduce(1, *) }, inputCount: graph.inputs.count,
            operationInputs: graph.operations.map { $0.inputs.map(\.id) },
            pinned: keepingAll ? Set(0..<shapes.count) : Set(graph.outputs.map(\.id)))
        self.bufferOf = buffers.bufferOf
        self.bufferSizes = buffers.sizes
    }

    /// Total floats of activation memory (excluding scratch).
    public var activationFloats: Int { bufferSizes.reduce(0, +) }
}

/// Why a graph cannot run on inputs of some size.
public enum PlanError: Error, CustomStringConvertible, Equatable {
    case inputTooSmall(input: String, size: [Int], reason: String)
    /// The network only runs on some sizes (e.g. NanoTrack's head needs an 8x8 template map).
    case unsupportedInputSize(input: String, size: [Int], reason: String)
    /// A batch of several images was asked of a graph with an operation that runs one at a time.
    case unbatchable(operation: String)

    public var description: String {
        switch self {
        case .inputTooSmall(let input, let size, let reason):
            return "input '\(input)' of size \(size.map(String.init).joined(separator: "x")) is too small for this network: \(reason)"
        case .unsupportedInputSize(let input, let size, let reason):
            return "input '\(input)' of size \(size.map(String.init).joined(separator: "x")) does not fit this network: \(reason)"
        case .unbatchable(let operation):
            return "this network runs one image at a time (\(operation) has no batched kernel)"
        }
    }
}
