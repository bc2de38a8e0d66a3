/// A `Graph` specialised to fixed input sizes: every value's shape, which buffer holds it, and
/// the scratch size. Buffers are reused once a value is dead, so memory stays close to the
/// largest few live feature maps. Immutable and shareable; memory lives in a `Workspace`.
public struct Plan: Sendable {
    public let graph: Graph
    /// `[C, H, W]` of every value.
    public let shapes: [[Int]]
    /// Buffer index of every value.
    let bufferOf: [Int]
    /// Float capacity of every buffer.
    let bufferSizes: [Int]
    /// Floats of scratch the most demanding operation needs: the im2col matrix of a convolution
    /// or of UPChannelRPN's full correlation, or a channel gate's means.
    public let scratchSize: Int
    /// Multiply-accumulates of one run (convolutions, correlations and the channel gates'
    /// fully connected layers).
    public let macs: Int

    /// Shapes the graph for `inputSizes` (`[H, W]` per graph input). With `keepingAll`, no buffer
    /// is reused, so every intermediate (named or not) can be read after a run.
    /// Throws `PlanError` when an input is too small for some layer.
    public init(graph: Graph, inputSizes: [[Int]], keepingAll: Bool = false) throws {
        precondition(inputSizes.count == graph.inputs.count, "one size per graph input")
        self.graph = graph
        for (input, size) in zip(graph.inputs, inputSizes) where size.count != 2 || size[0] < 1 || size[1] < 1 {
            throw PlanError.inputTooSmall(input: input.name, size: size, reason: "every input needs a positive height and width")
        }
        var shapes: [[Int]] = zip(graph.inputs, inputSizes).map { [$0.channels, $1[0], $1[1]] }
        var scratch = 0
        var macs = 0
        func tooSmall(_ why: String) -> PlanError {
            PlanError.inputTooSmall(
                input: graph.inputs.map(\.name).joined(separator: "/"),
                size: inputSizes.first ?? [], reason: why)
        }
        for op in graph.operations {
            let s = op.inputs.map { shapes[$0.id] }
            switch op {
            case .conv(let layer, _, let residual):
                let o = layer.outputSize(h: s[0][1], w: s[0][2])
                guard o.h > 0 && o.w > 0 else {
                    throw tooSmall(
                        "a \(s[0][1])x\(s[0][2]) feature map is too small for a \(layer.kernelH)x\(layer.kernelW) convolution (dilation \(layer.dilation))"
                    )
                }
                if let r = residual { precondition(shapes[r.id] == [layer.outChannels, o.h, o.w], "residual shape mismatch") }
                shapes.append([layer.outChannels, o.h, o.w])
                scratch = max(scratch, layer.scratchCount(h: s[0][1], w: s[0][2]))
                macs += layer.macs(h: s[0][1], w: s[0][2])
            case .maxPool(let k, let st, let p, _):
                guard s[0][1] + 2 * p >= k && s[0][2] + 2 * p >= k else {
                    throw tooSmall("a \(s[0][1])x\(s[0][2]) feature map is too small for a \(k)x\(k) max-pool")
                }
                shapes.append([s[0][0], (s[0][1] + 2 * p - k) / st + 1, (s[0][2] + 2 * p - k) / st + 1])
            case .centerCrop(let size, let limit, _):
                if s[0][2] < limit && (s[0][1] < size || s[0][2] < size) {
                    throw tooSmall("a \(s[0][1])x\(s[0][2]) template feature map is smaller than the \(size)x\(size) centre crop")
                }
                shapes.append(s[0][2] < limit ? [s[0][0], size, size] : s[0])
            case .depthwiseXCorr(_, _, let pad):
                let oh = s[0][1] + 2 * pad - s[1][1] + 1
                let ow = s[0][2] + 2 * pad - s[1][2] + 1
                guard oh > 0 && ow > 0 else {
                    throw tooSmall("search features \(s[0][1])x\(s[0][2]) are smaller than the template kernel \(s[1][1])x\(s[1][2])")
                }
                shapes.append([s[0][0], oh, ow])
                macs += s[0][0] * oh * ow * s[1][1] * s[1][2]
            case .xcorr(_, _, let outC):
                let oh = s[0][1] - s[1][1] + 1
                let ow = s[0][2] - s[1][2] + 1
                guard oh > 0 && ow > 0 else {
                    throw tooSmall("search features \(s[0][1])x\(s[0][2]) are smaller than the template kernel \(s[1][1])x\(s[1][2])")
                }
                shapes.append([outC, oh, ow])
                scratch = max(scratch, s[0][0] * s[1][1] * s[1][2] * oh * ow)
                macs += outC * s[0][0] * oh * ow * s[1][1] * s[1][2]
            case .weightedSum:
                precondition(Set(s).count == 1, "weightedSum of different shapes \(s)")
                shapes.append(s[0])
            case .activation:
                shapes.append(s[0])
            case .channelGate(let reduce, let expand, _, _):
                shapes.append(s[0])
                scratch = max(scratch, 2 * s[0][0] + reduce.outChannels)
                macs += reduce.macs(h: 1, w: 1) + expand.macs(h: 1, w: 1)
            case .pixelwiseXCorr(_, _, let positions):
                guard s[1][1] * s[1][2] == positions else {
                    throw PlanError.unsupportedInputSize(
                        input: graph.inputs.map(\.name).joined(separator: "/"), size: inputSizes.first ?? [],
                        reason:
                            "the pixel-wise correlation is built for \(positions) template positions, the template features are \(s[1][1])x\(s[1][2])"
                    )
                }
                shapes.append([s[1][1] * s[1][2], s[0][1], s[0][2]])
                macs += s[1][1] * s[1][2] * s[0][0] * s[0][1] * s[0][2]
            case .crop(let top, let left, let h, let w, _):
                guard top + h <= s[0][1] && left + w <= s[0][2] else {
                    throw tooSmall("a \(s[0][1])x\(s[0][2]) feature map does not contain the crop window at (\(top), \(left)) of \(h)x\(w)")
                }
                shapes.append([s[0][0], h, w])
            case .concat:
                guard Set(s.map { [$0[1], $0[2]] }).count == 1 else {
                    throw tooSmall("feature maps of different sizes \(s.map { "\($0[1])x\($0[2])" }.joined(separator: ", ")) cannot be concatenated")
                }
                shapes.append([s.reduce(0) { $0 + $1[0] }, s[0][1], s[0][2]])
            }
        }
        self.shapes = shapes
        self.scratchSize = scratch
        self.macs = macs

        // Liveness: a value's buffer is free after its last reader (graph outputs and inputs stay).
        let valueCount = shapes.count
        let inputCount = graph.inputs.count
        var lastUse = [Int](repeating: -1, count: valueCount)
        for (i, op) in graph.operations.enumerated() {
            for v in op.inputs { lastUse[v.id] = i }
        }
        var pinned = Set(graph.outputs.map(\.id))
        pinned.formUnion(0..<inputCount)
        if keepingAll { pinned.formUnion(0..<valueCount) }

        var bufferOf = [Int](repeating: -1, count: valueCount)
        var sizes: [Int] = []
        var free: [Int] = []
        func allocate(_ count: Int) -> Int {
            // Best fit among free buffers; grow the largest free one if none is big enough.
            if let best = free.filter({ sizes[$0] >= count }).min(by: { sizes[$0] < sizes[$1] }) {
                free.removeAll { $0 == best }
                return best
            }
            if let largest = free.max(by: { sizes[$0] < sizes[$1] }) {
                free.removeAll { $0 == largest }
                sizes[largest] = count
                return largest
            }
            sizes.append(count)
            return sizes.count - 1
        }
        for v in 0..<inputCount { bufferOf[v] = allocate(shapes[v].reduce(1, *)) }
        for (i, op) in graph.operations.enumerated() {
            let v = inputCount + i
            bufferOf[v] = allocate(shapes[v].reduce(1, *))
            for input in Set(op.inputs.map(\.id)) where lastUse[input] == i && !pinned.contains(input) {
                free.append(bufferOf[input])
            }
            if lastUse[v] == -1 && !pinned.contains(v) { free.append(bufferOf[v]) }
        }
        self.bufferOf = bufferOf
        self.bufferSizes = sizes
    }

    /// Total floats of activation memory (excluding scratch).
    public var activationFloats: Int { bufferSizes.reduce(0, +) }
}

/// Why a graph cannot run on inputs of some size.
public enum PlanError: Error, CustomStringConvertible, Equatable {
    case inputTooSmall(input: String, size: [Int], reason: String)
    /// The network only runs on some sizes (e.g. NanoTrack's head needs an 8x8 template map).
    case unsupportedInputSize(input: String, size: [Int], reason: String)

    public var description: String {
        switch self {
        case .inputTooSmall(let input, let size, let reason):
            return "input '\(input)' of size \(size.map(String.init).joined(separator: "x")) is too small for this network: \(reason)"
        case .unsupportedInputSize(let input, let size, let reason):
            return "input '\(input)' of size \(size.map(String.init).joined(separator: "x")) does not fit this network: \(reason)"
        }
    }
}
