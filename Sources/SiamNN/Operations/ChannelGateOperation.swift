// Mirrors NanoTrack's mobile_v3.py (SeModule) and the channel attention of its head
/// `act(x * g)` per channel with `g = expand(reduce(mean over H, W of x))`: squeeze-excitation and
/// channel attention. `reduce` / `expand` are 1x1 convolutions (the FC layers) with their own
/// activations; the scratch holds the means, the reduced and the expanded vectors.
struct ChannelGateOperation: EngineOperation {
    let reduce: Conv2D
    let expand: Conv2D
    let activation: Activation
    let input: Graph.Value

    var inputs: [Graph.Value] { [input] }

    func outputChannels(_ inputChannels: [Int]) -> Int { inputChannels[0] }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] { shapes[0] }

    func scratchCount(_ shapes: [[Int]]) -> Int { 2 * shapes[0][0] + reduce.outChannels }

    func macs(_ shapes: [[Int]], output: [Int]) -> Int { reduce.macs(h: 1, w: 1) + expand.macs(h: 1, w: 1) }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        let x = inputs[0]
        channelGate(
            input: x.base, channels: x.channels, plane: x.plane, reduce: reduce, expand: expand, activation: activation,
            output: output.base, scratch: scratch)
    }
}
