/// A static inference graph: a list of layers over symbolic feature maps (CHW per image; a plan
/// may run a channel-major batch of images, `Plan.batch`).
///
/// A model builds its graph once from its weights (`GraphBuilder`); `Plan` then fixes every
/// shape for given input sizes and assigns reusable buffers, and `Workspace` owns the memory.
/// The graph itself is immutable and can be shared by any number of concurrent users.
public struct Graph: Sendable {
    /// A feature map in the graph (an input or the output of one operation).
    public struct Value: Hashable, Sendable {
        public let id: Int
    }

    /// Graph inputs: name and channel count; they are values `0..<inputs.count`.
    let inputs: [(name: String, channels: Int)]
    /// Operations in execution order; operation i produces value `inputs.count + i`. Each is
    /// defined in one place (`EngineOperation`, files in `Operations/`).
    let operations: [any EngineOperation]
    /// Values the caller reads after a run.
    let outputs: [Value]
    /// Value ids by name (for intermediate checks); a value may have several names.
    let names: [String: Int]

    public var inputNames: [String] { inputs.map(\.name) }
    /// Whether every operation runs batches of several images (`Plan(graph:inputSizes:batch:)`).
    public var supportsBatch: Bool { operations.allSatisfy(\.supportsBatch) }
    public var outputValues: [Value] { outputs }

    /// The value with the given name, if any.
    public func value(named name: String) -> Value? {
        names[name].map { Value(id: $0) }
    }

    /// All named values, by name.
    public var namedValues: [String: Value] {
        names.mapValues { Value(id: $0) }
    }
}

/// Builds a `Graph` layer by layer.
public final class GraphBuilder {
    /// How `conv` runs 3x3 stride-1 convolutions (Winograd unless told otherwise).
    public let convolutions: ConvolutionAlgorithm
    private var inputs: [(name: String, channels: Int)] = []
    private var operations: [any EngineOperation] = []
    private var outputs: [Graph.Value] = []
    private var names: [String: Int] = [:]
    private var channels: [Int] = []

    public init(convolutions: ConvolutionAlgorithm = .winograd) {
        self.convolutions = convolutions
    }

    private func add(_ op: any EngineOperation) -> Graph.Value {
        precondition(inputs.count > 0 || op.inputs.isEmpty, "declare inputs before operations")
        operations.append(op)
        channels.append(op.outputChannels(op.inputs.map { channels[$0.id] }))
        return Graph.Value(id: inputs.count + operations.count - 1)
    }

    /// Number of channels of `v`.
    public func channels(of v: Graph.Value) -> Int { channels[v.id] }

    /// Declares an input with `channels` channels (all inputs come before any operation).
    public func input(_ name: String, channels c: Int) -> Graph.Value {
        precondition(operations.isEmpty, "declare inputs before operations")
        inputs.append((name, c))
        channels.append(c)
        return Graph.Value(id: inputs.count - 1)
    }

    public func conv(_ x: Graph.Value, _ layer: Conv2D, residual: Graph.Value? = nil) -> Graph.Value {
        precondition(
            channels(of: x) == layer.inChannels,
            "conv expects \(layer.inChannels) input channels, value has \(channels(of: x))")
        if let r = residual { precondition(channels(of: r) == layer.outChannels, "residual channel mismatch") }
        if convolutions == .winograd && WinogradConvolutionOperation.applies(to: layer) {
            return add(WinogradConvolutionOperation(layer: layer, input: x, residual: residual))
        }
        return add(ConvolutionOperation(layer: layer, input: x, residual: residual))
    }

    public func maxPool(_ x: Graph.Value, kernel: Int, stride: Int, padding: Int = 0) -> Graph.Value {
        add(MaxPoolOperation(kernel: kernel, stride: stride, padding: padding, input: x))
    }

    public func centerCrop(_ x: Graph.Value, size: Int, ifWidthBelow limit: Int) -> Graph.Value {
        add(CenterCropOperation(size: size, ifWidthBelow: limit, input: x))
    }

    public func depthwiseXCorr(search: Graph.Value, kernel: Graph.Value, padding: Int = 0) -> Graph.Value {
        precondition(channels(of: search) == channels(of: kernel), "xcorr channel mismatch")
        precondition(padding >= 0, "negative padding")
        return add(DepthwiseCorrelationOperation(search: search, kernel: kernel, padding: padding))
    }

    public func xcorr(search: Graph.Value, kernel: Graph.Value, outChannels: Int) -> Graph.Value {
        precondition(channels(of: kernel) == outChannels * channels(of: search), "xcorr kernel channel mismatch")
        return add(FullCorrelationOperation(search: search, kernel: kernel, outChannels: outChannels))
    }

    public func weightedSum(_ xs: [Graph.Value], weights: [Float]) -> Graph.Value {
        precondition(!xs.isEmpty && xs.count == weights.count, "weightedSum needs one weight per input")
        precondition(Set(xs.map { channels(of: $0) }).count == 1, "weightedSum channel mismatch")
        return add(WeightedSumOperation(inputs: xs, weights: weights))
    }

    public func activation(_ x: Graph.Value, _ activation: Activation) -> Graph.Value {
        add(ActivationOperation(activation: activation, input: x))
    }

    /// Squeeze-excitation / channel attention: `activation(x * expand(reduce(mean_HW(x))))`.
    public func channelGate(_ x: Graph.Value, reduce: Conv2D, expand: Conv2D, activation: Activation = .none) -> Graph.Value {
        let c = channels(of: x)
        precondition(
            reduce.inChannels == c && expand.outChannels == c && reduce.outChannels == expand.inChannels,
            "channel gate \(reduce.inChannels)->\(reduce.outChannels)->\(expand.outChannels) on \(c) channels")
        precondition([reduce, expand].allSatisfy { $0.isPointwise && $0.groups == 1 }, "channel gate layers must be 1x1")
        return add(ChannelGateOperation(reduce: reduce, expand: expand, activation: activation, input: x))
    }

    /// Pixel-wise correlation of `search` with every position of `kernel` (same channels); the
    /// kernel must have `positions` = height x width positions (checked by `Plan`).
    public func pixelwiseXCorr(search: Graph.Value, kernel: Graph.Value, positions: Int) -> Graph.Value {
        precondition(channels(of: search) == channels(of: kernel), "pixel-wise xcorr channel mismatch")
        return add(PixelwiseCorrelationOperation(search: search, kernel: kernel, positions: positions))
    }

    public func crop(_ x: Graph.Value, top: Int, left: Int, height: Int, width: Int) -> Graph.Value {
        precondition(top >= 0 && left >= 0 && height > 0 && width > 0, "bad crop window")
        return add(CropOperation(top: top, left: left, height: height, width: width, input: x))
    }

    public func concat(_ xs: [Graph.Value]) -> Graph.Value {
        precondition(!xs.isEmpty, "concat of nothing")
        return add(ConcatOperation(inputs: xs))
    }

    /// Names a value (e.g. "track.backbone.0") so that it can be read back after a run; a value
    /// may carry several names (aliases such as a block output and its last layer).
    @discardableResult
    public func name(_ v: Graph.Value, _ name: String) -> Graph.Value {
        names[name] = v.id
        return v
    }

    /// Marks values the caller reads after a run, in order.
    public func output(_ vs: Graph.Value...) { outputs += vs }
    public func output(_ vs: [Graph.Value]) { outputs += vs }

    public func build() -> Graph {
        Graph(inputs: inputs, operations: operations, outputs: outputs, names: names)
    }
}
