// A stand-alone activation (PyTorch nn.ReLU / ReLU6 / Hardswish / Hardsigmoid / Sigmoid), for graphs that keep them apart
/// An activation on its own.
struct ActivationOperation: EngineOperation {
    let activation: Activation
    let input: Graph.Value

    var inputs: [Graph.Value] { [input] }
    var supportsBatch: Bool { true }

    func outputChannels(_ inputChannels: [Int]) -> Int { inputChannels[0] }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] { shapes[0] }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        activate(activation, input: inputs[0].base, output: output.base, count: output.count)
    }
}
