import Foundation
import Testing

@testable import SiamNN

/// Every training operation's forward and backward against PyTorch 2.15's float64 autograd on
/// the cases of `Tests/Fixtures/training_ops/` (Tests/Fixtures/README.md section 26): inputs are
/// float32 numbers, the truth is float64, and each tensor must agree to
/// `|a - t| <= 1e-5 * max|t|` (float32 sums of at most a few hundred terms; see the README).
struct TrainingOperationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/training_ops")
    static let tolerance = 1e-5

    static func array(_ path: String) throws -> NumPyArray {
        try NumPyArray(contentsOf: root.appendingPathComponent(path + ".npy"))
    }

    static func buffer(_ path: String) throws -> TrainingBuffer {
        let a = try array(path)
        return TrainingBuffer(shape: a.shape, values: a.floats())
    }

    static func parameter(_ path: String) throws -> TrainingParameter {
        let a = try array(path)
        return TrainingParameter(name: path, shape: a.shape, value: a.floats())
    }

    /// max |a - t| / max |t| of `values` against the float64 array at `path`, shapes checked.
    static func error(_ values: [Float], shape: [Int]? = nil, _ path: String) throws -> Double {
        let t = try array(path)
        if let shape { #expect(shape == t.shape, "\(path): shape") }
        let truth = t.doubles()
        #expect(values.count == truth.count, "\(path): count")
        guard values.count == truth.count else { return .infinity }
        let scale = truth.map(abs).max() ?? 0
        let worst = zip(values, truth).map { abs(Double($0) - $1) }.max() ?? 0
        return scale > 0 ? worst / scale : worst
    }

    static func expectClose(_ values: [Float], shape: [Int]? = nil, _ path: String) throws {
        let e = try error(values, shape: shape, path)
        #expect(e <= tolerance, "\(path): max error \(e) of max |t|")
    }

    @Test(arguments: [
        ("conv_k3_s2_p1_d2_g2", 2, 1, 2, 2), ("conv_depthwise_k3_p1", 1, 1, 1, 4), ("conv_pointwise", 1, 0, 1, 1),
        ("conv_k5_valid", 1, 0, 1, 1), ("conv_k11_s2_valid", 2, 0, 1, 1)
    ])
    func convolutionForwardAndGradientsMatchAutograd(_ c: (String, Int, Int, Int, Int)) throws {
        let (name, stride, padding, dilation, groups) = c
        let hasBias = FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(name + "/b.npy").path)
        let w = try Self.parameter(name + "/w")
        let b = hasBias ? try Self.parameter(name + "/b") : nil
        let conv = ConvolutionLayer(weight: w, bias: b, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let x = try Self.buffer(name + "/x")
        // Run twice: the second step must give the same numbers from the reused buffers.
        for _ in 0..<2 {
            w.zeroGradient()
            b?.zeroGradient()
            let y = conv.forward(x)
            try Self.expectClose(y.values, shape: y.shape, name + "/y")
            let dx = conv.backward(try Self.buffer(name + "/dy"))
            try Self.expectClose(dx.values, shape: dx.shape, name + "/dx")
            try Self.expectClose(w.grad, name + "/dw")
            if let b { try Self.expectClose(b.grad, name + "/db") }
        }
    }

    @Test func convolutionWithoutInputGradientStillGivesWeightGradients() throws {
        let name = "conv_k11_s2_valid"
        let w = try Self.parameter(name + "/w")
        let b = try Self.parameter(name + "/b")
        let conv = ConvolutionLayer(weight: w, bias: b, stride: 2)
        conv.computesInputGradient = false
        _ = conv.forward(try Self.buffer(name + "/x"))
        let dx = conv.backward(try Self.buffer(name + "/dy"))
        #expect(dx.count == 0)
        try Self.expectClose(w.grad, name + "/dw")
        try Self.expectClose(b.grad, name + "/db")
    }

    @Test(arguments: [true, false])
    func batchNormMatchesAutogradAndUpdatesRunningStatisticsWithTheUnbiasedVariance(_ training: Bool) throws {
        let name = training ? "batchnorm_train" : "batchnorm_eval"
        let stats = BatchNormStatistics(
            name: name, runningMean: try Self.array(name + "/running_mean").floats(),
            runningVar: try Self.array(name + "/running_var").floats(), numBatchesTracked: 3)
        let gamma = try Self.parameter(name + "/gamma")
        let beta = try Self.parameter(name + "/beta")
        let bn = BatchNormLayer(weight: gamma, bias: beta, statistics: stats, training: training)
        let y = bn.forward(try Self.buffer(name + "/x"))
        try Self.expectClose(y.values, shape: y.shape, name + "/y")
        let dx = bn.backward(try Self.buffer(name + "/dy"))
        try Self.expectClose(dx.values, shape: dx.shape, name + "/dx")
        try Self.expectClose(gamma.grad, name + "/dgamma")
        try Self.expectClose(beta.grad, name + "/dbeta")
        try Self.expectClose(stats.runningMean, name + "/running_mean_after")
        try Self.expectClose(stats.runningVar, name + "/running_var_after")
        #expect(stats.numBatchesTracked == (training ? 4 : 3))
    }

    @Test(arguments: [
        ("act_relu", ActivationLayer.Kind.relu), ("act_relu6", .relu6), ("act_hsigmoid", .hardSigmoid), ("act_hswish", .hardSwish),
        ("act_sigmoid", .sigmoid), ("act_exp", .exp)
    ])
    func activationsMatchAutogradIncludingAtTheirKinks(_ c: (String, ActivationLayer.Kind)) throws {
        let layer = ActivationLayer(c.1)
        let y = layer.forward(try Self.buffer(c.0 + "/x"))
        try Self.expectClose(y.values, shape: y.shape, c.0 + "/y")
        let dx = layer.backward(try Self.buffer(c.0 + "/dy"))
        // At the kinks autograd's choice is exact: 0 or the full gradient, nothing in between.
        #expect(try Self.error(dx.values, c.0 + "/dx") <= Self.tolerance)
    }

    @Test(arguments: [("maxpool_k3_s2", 0), ("maxpool_k3_s2_p1_ties", 1)])
    func maxPoolRoutesTheGradientToPyTorchsArgmax(_ c: (String, Int)) throws {
        let layer = MaxPoolLayer(kernel: 3, stride: 2, padding: c.1)
        let y = layer.forward(try Self.buffer(c.0 + "/x"))
        try Self.expectClose(y.values, shape: y.shape, c.0 + "/y")
        let dx = layer.backward(try Self.buffer(c.0 + "/dy"))
        try Self.expectClose(dx.values, shape: dx.shape, c.0 + "/dx")
    }

    /// Unpadded windows (the vectorised path, 9 outputs a row: two blocks of four and one
    /// alone) on ties and NaNs: a NaN wins its window and the last NaN takes the gradient, as in
    /// PyTorch's `val > max || isnan(val)`.
    @Test func maxPoolFollowsPyTorchOnTiesAndNaNsWithoutPadding() throws {
        let c = "maxpool_k3_s2_ties_nan"
        let layer = MaxPoolLayer(kernel: 3, stride: 2)
        let y = layer.forward(try Self.buffer(c + "/x"))
        let truth = try Self.array(c + "/y").doubles()
        #expect(y.shape == [2, 3, 9, 9])
        #expect(truth.filter(\.isNaN).count == 15)
        #expect(zip(y.values, truth).allSatisfy { $0.isNaN ? $1.isNaN : Double($0) == $1 })
        let dx = layer.backward(try Self.buffer(c + "/dy"))
        try Self.expectClose(dx.values, shape: dx.shape, c + "/dx")
    }

    @Test(arguments: [("xcorr_depthwise", 0), ("xcorr_depthwise_pad1", 1)])
    func depthwiseCrossCorrelationMatchesAutogradPerSample(_ c: (String, Int)) throws {
        let layer = DepthwiseCrossCorrelationLayer(padding: c.1)
        let y = layer.forward(search: try Self.buffer(c.0 + "/search"), kernel: try Self.buffer(c.0 + "/kernel"))
        try Self.expectClose(y.values, shape: y.shape, c.0 + "/y")
        layer.backward(try Self.buffer(c.0 + "/dy"))
        try Self.expectClose(layer.searchGradient.values, shape: layer.searchGradient.shape, c.0 + "/dsearch")
        try Self.expectClose(layer.kernelGradient.values, shape: layer.kernelGradient.shape, c.0 + "/dkernel")
    }

    @Test func residualAddPassesTheGradientToBothInputs() throws {
        let layer = ResidualAddLayer()
        let y = layer.forward(try Self.buffer("residual_add/a"), try Self.buffer("residual_add/b"))
        try Self.expectClose(y.values, shape: y.shape, "residual_add/y")
        let (da, db) = layer.backward(try Self.buffer("residual_add/dy"))
        try Self.expectClose(da.values, shape: da.shape, "residual_add/da")
        try Self.expectClose(db.values, shape: db.shape, "residual_add/db")
    }

    @Test func centerCropTakesAdjustLayersWindowAndZeroPadsItsGradient() throws {
        let layer = CenterCropLayer(size: 7)
        let y = layer.forward(try Self.buffer("center_crop_7_of_15/x"))
        try Self.expectClose(y.values, shape: y.shape, "center_crop_7_of_15/y")
        let dx = layer.backward(try Self.buffer("center_crop_7_of_15/dy"))
        try Self.expectClose(dx.values, shape: dx.shape, "center_crop_7_of_15/dx")
    }

    @Test func pixelwiseCorrelationMatchesAutograd() throws {
        let layer = PixelwiseCorrelationLayer()
        let y = layer.forward(search: try Self.buffer("pixelwise_xcorr/search"), kernel: try Self.buffer("pixelwise_xcorr/kernel"))
        try Self.expectClose(y.values, shape: y.shape, "pixelwise_xcorr/y")
        layer.backward(try Self.buffer("pixelwise_xcorr/dy"))
        try Self.expectClose(layer.searchGradient.values, shape: layer.searchGradient.shape, "pixelwise_xcorr/dsearch")
        try Self.expectClose(layer.kernelGradient.values, shape: layer.kernelGradient.shape, "pixelwise_xcorr/dkernel")
    }

    @Test func weightedSumDifferentiatesThroughTheSoftmaxOfItsWeights() throws {
        let weight = try Self.parameter("weighted_sum_softmax/weight")
        let layer = WeightedSumLayer(count: 3, weight: weight)
        let y = layer.forward(try (0..<3).map { try Self.buffer("weighted_sum_softmax/x\($0)") })
        try Self.expectClose(y.values, shape: y.shape, "weighted_sum_softmax/y")
        layer.backward(try Self.buffer("weighted_sum_softmax/dy"))
        for i in 0..<3 { try Self.expectClose(layer.inputGradients[i].values, "weighted_sum_softmax/dx\(i)") }
        try Self.expectClose(weight.grad, "weighted_sum_softmax/dweight")
    }

    /// Three of the 32 gate inputs lie outside (-3, 3) (`cases.json`), so the saturated h-sigmoid is covered.
    @Test func squeezeExcitationMatchesAutograd() throws {
        let name = "squeeze_excitation/"
        let (w1, b1, w2, b2) = (
            try Self.parameter(name + "fc0_weight"), try Self.parameter(name + "fc0_bias"), try Self.parameter(name + "fc2_weight"),
            try Self.parameter(name + "fc2_bias")
        )
        let layer = SqueezeExcitationLayer(reduceWeight: w1, reduceBias: b1, expandWeight: w2, expandBias: b2)
        let y = layer.forward(try Self.buffer(name + "x"))
        try Self.expectClose(y.values, shape: y.shape, name + "y")
        let dx = layer.backward(try Self.buffer(name + "dy"))
        try Self.expectClose(dx.values, shape: dx.shape, name + "dx")
        try Self.expectClose(w1.grad, name + "dfc0_weight")
        try Self.expectClose(b1.grad, name + "dfc0_bias")
        try Self.expectClose(w2.grad, name + "dfc2_weight")
        try Self.expectClose(b2.grad, name + "dfc2_bias")
    }

    @Test func channelAttentionWithASigmoidGateMatchesAutograd() throws {
        let name = "channel_attention_sigmoid/"
        let (w1, b1, w2, b2) = (
            try Self.parameter(name + "fc1_weight"), try Self.parameter(name + "fc1_bias"), try Self.parameter(name + "fc2_weight"),
            try Self.parameter(name + "fc2_bias")
        )
        let layer = SqueezeExcitationLayer(reduceWeight: w1, reduceBias: b1, expandWeight: w2, expandBias: b2, gate: .sigmoid)
        let y = layer.forward(try Self.buffer(name + "x"))
        try Self.expectClose(y.values, shape: y.shape, name + "y")
        let dx = layer.backward(try Self.buffer(name + "dy"))
        try Self.expectClose(dx.values, shape: dx.shape, name + "dx")
        try Self.expectClose(w1.grad, name + "dfc1_weight")
        try Self.expectClose(b1.grad, name + "dfc1_bias")
        try Self.expectClose(w2.grad, name + "dfc2_weight")
        try Self.expectClose(b2.grad, name + "dfc2_bias")
    }

    @Test func concatSplitsItsGradientBackByChannel() throws {
        let layer = ConcatLayer()
        let y = layer.forward(try Self.buffer("concat/a"), try Self.buffer("concat/b"))
        try Self.expectClose(y.values, shape: y.shape, "concat/y")
        layer.backward(try Self.buffer("concat/dy"))
        try Self.expectClose(layer.firstGradient.values, shape: layer.firstGradient.shape, "concat/da")
        try Self.expectClose(layer.secondGradient.values, shape: layer.secondGradient.shape, "concat/db")
    }
}
