// PyTorch nn.Conv2d (+ folded BatchNorm, bias, activation, residual add as in pysot/models/backbone/resnet_atrous.py)
/// `act(conv(input) + bias [+ residual])`: a `Conv2D` (depth-wise: direct loops; otherwise
/// im2col + sgemm, 1x1 stride 1 straight on the input) with its epilogue.
struct ConvolutionOperation: EngineOperation {
    let layer: Conv2D
    let input: Graph.Value
    let residual: Graph.Value?

    var inputs: [Graph.Value] { residual.map { [input, $0] } ?? [input] }
    var supportsBatch: Bool { true }

    func outputChannels(_ inputChannels: [Int]) -> Int { layer.outChannels }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] {
        let o = layer.outputSize(h: shapes[0][1], w: shapes[0][2])
        guard o.h > 0 && o.w > 0 else {
            throw OperationShapeError(
                reason:
                    "a \(shapes[0][1])x\(shapes[0][2]) feature map is too small for a \(layer.kernelH)x\(layer.kernelW) convolution (dilation \(layer.dilation))"
            )
        }
        let shape = [layer.outChannels, o.h, o.w]
        if residual != nil { precondition(shapes[1] == shape, "residual shape mismatch") }
        return shape
    }

    func scratchCount(_ shapes: [[Int]]) -> Int { scratchCount(shapes, batch: 1) }

    func scratchCount(_ shapes: [[Int]], batch: Int) -> Int { layer.scratchCount(h: shapes[0][1], w: shapes[0][2], batch: batch) }

    func macs(_ shapes: [[Int]], output: [Int]) -> Int { layer.macs(h: shapes[0][1], w: shapes[0][2]) }

    func gemms(_ shapes: [[Int]], output: [Int]) -> [(m: Int, n: Int, k: Int, count: Int)] { gemms(shapes, output: output, batch: 1) }

    /// One sgemm per group (all images' columns side by side) unless depth-wise.
    func gemms(_ shapes: [[Int]], output: [Int], batch: Int) -> [(m: Int, n: Int, k: Int, count: Int)] {
        guard !layer.isDepthwise else { return [] }
        let g = layer.groups
        return [(layer.outChannels / g, batch * output[1] * output[2], shapes[0][0] / g * layer.kernelH * layer.kernelW, g)]
    }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        layer.run(
            input: inputs[0].base, h: inputs[0].height, w: inputs[0].width, batch: inputs[0].batch, output: output.base,
            residual: residual == nil ? nil : UnsafePointer(inputs[1].base), scratch: scratch)
    }
}
