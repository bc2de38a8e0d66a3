// PyTorch nn.Conv2d 3x3 stride 1 (+ folded BatchNorm, bias, activation, residual add), by Winograd F(4x4, 3x3)
/// `act(conv(input) + bias [+ residual])` of a 3x3 stride-1 groups-1 `Conv2D` by Winograd
/// F(4x4, 3x3) (`convolveWinograd`): a dilation-d layer is d^2 undilated ones on the sub-sampled
/// grids, cut into the same tile list. Where the input shape makes Winograd not pay
/// (`WinogradLayout.pays`: small outputs) it runs the direct path (`ConvolutionOperation`'s).
///
/// Numerics: float32 rounding in the transformed domain; per output within 128 eps S (eps =
/// 2^-24, S = sum |w| |x| + |bias| + |residual|) of the exact convolution, 7-33 eps S measured
/// (WinogradConvolutionTests derive the bound); the direct path is within ~sqrt(9C) eps S.
struct WinogradConvolutionOperation: EngineOperation {
    let direct: ConvolutionOperation
    let weights: WinogradWeights

    init(layer: Conv2D, input: Graph.Value, residual: Graph.Value?) {
        precondition(Self.applies(to: layer), "Winograd F(4x4, 3x3) needs a 3x3 stride-1 groups-1 convolution")
        direct = ConvolutionOperation(layer: layer, input: input, residual: residual)
        weights = layer.winogradWeights
    }

    /// Whether `layer` has the geometry this operation computes (3x3, stride 1, groups 1, any
    /// padding and dilation).
    static func applies(to layer: Conv2D) -> Bool {
        layer.kernelH == 3 && layer.kernelW == 3 && layer.stride == 1 && layer.groups == 1
    }

    var layer: Conv2D { direct.layer }
    var inputs: [Graph.Value] { direct.inputs }
    var supportsBatch: Bool { true }

    func outputChannels(_ inputChannels: [Int]) -> Int { direct.outputChannels(inputChannels) }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] { try direct.outputShape(shapes) }

    /// The layout for inputs of `shapes` and `batch` images, nil where the direct path runs.
    func layout(_ shapes: [[Int]], batch: Int = 1) -> WinogradLayout? { layout(h: shapes[0][1], w: shapes[0][2], batch: batch) }

    /// The layout for `batch` `h` x `w` inputs (no arrays: `run` calls it on every step).
    func layout(h: Int, w: Int, batch: Int) -> WinogradLayout? {
        let l = WinogradLayout(layer, h: h, w: w, batch: batch)
        return l.pays ? l : nil
    }

    func scratchCount(_ shapes: [[Int]]) -> Int { scratchCount(shapes, batch: 1) }

    func scratchCount(_ shapes: [[Int]], batch: Int) -> Int {
        layout(shapes, batch: batch)?.scratchCount ?? direct.scratchCount(shapes, batch: batch)
    }

    /// The convolution's multiply-accumulates by definition (not Winograd's fewer), so that
    /// GFLOP/s figures stay comparable with the direct path's.
    func macs(_ shapes: [[Int]], output: [Int]) -> Int { direct.macs(shapes, output: output) }

    func gemms(_ shapes: [[Int]], output: [Int]) -> [(m: Int, n: Int, k: Int, count: Int)] { gemms(shapes, output: output, batch: 1) }

    func gemms(_ shapes: [[Int]], output: [Int], batch: Int) -> [(m: Int, n: Int, k: Int, count: Int)] {
        layout(shapes, batch: batch)?.gemms ?? direct.gemms(shapes, output: output, batch: batch)
    }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        guard let layout = layout(h: inputs[0].height, w: inputs[0].width, batch: inputs[0].batch) else {
            direct.run(inputs, output: output, scratch: scratch)
            return
        }
        layer.bias.withUnsafeBufferPointer { bias in
            convolveWinograd(
                layout, weights: weights, bias: bias.baseAddress!, activation: layer.activation, input: inputs[0].base,
                residual: direct.residual == nil ? nil : UnsafePointer(inputs[1].base), output: output.base, scratch: scratch,
                isa: CPUFeatures.host.vectorClass.kernelISA)
        }
    }
}
