// PyTorch nn.MaxPool2d (pysot/models/backbone: ResNet, AlexNet)
/// Max pooling with PyTorch semantics (implicit -inf padding, floor mode).
struct MaxPoolOperation: EngineOperation {
    let kernel: Int
    let stride: Int
    let padding: Int
    let input: Graph.Value

    var inputs: [Graph.Value] { [input] }
    var supportsBatch: Bool { true }

    func outputChannels(_ inputChannels: [Int]) -> Int { inputChannels[0] }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] {
        let s = shapes[0]
        guard s[1] + 2 * padding >= kernel && s[2] + 2 * padding >= kernel else {
            throw OperationShapeError(reason: "a \(s[1])x\(s[2]) feature map is too small for a \(kernel)x\(kernel) max-pool")
        }
        return [s[0], (s[1] + 2 * padding - kernel) / stride + 1, (s[2] + 2 * padding - kernel) / stride + 1]
    }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        let x = inputs[0]
        maxPool2D(
            input: x.base, channels: x.planes, h: x.height, w: x.width, kernel: kernel, stride: stride, padding: padding,
            output: output.base)
    }
}
