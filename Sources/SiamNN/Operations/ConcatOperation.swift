// torch.cat over channels (NanoTrack's head)
/// Channel concatenation, in order (equal heights and widths).
struct ConcatOperation: EngineOperation {
    let inputs: [Graph.Value]
    /// A channel-major batch keeps each input's channels contiguous, so concatenation is the same copy.
    var supportsBatch: Bool { true }

    func outputChannels(_ inputChannels: [Int]) -> Int { inputChannels.reduce(0, +) }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] {
        guard shapes.allSatisfy({ $0[1] == shapes[0][1] && $0[2] == shapes[0][2] }) else {
            throw OperationShapeError(
                reason: "feature maps of different sizes \(shapes.map { "\($0[1])x\($0[2])" }.joined(separator: ", ")) cannot be concatenated")
        }
        return [shapes.reduce(0) { $0 + $1[0] }, shapes[0][1], shapes[0][2]]
    }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        var offset = 0
        for x in inputs {
            concatenate(x.base, count: x.count, into: output.base + offset)
            offset += x.count
        }
    }
}
