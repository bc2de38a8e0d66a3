import Foundation
import Testing

@testable import SiamNN

/// The engine's kernels against a direct transcription of PyTorch's definitions (`Conv2d`,
/// `MaxPool2d`), on small random problems covering every geometry the networks use. The parity
/// with pysot itself is pinned in SiamRPNTests; these localise a kernel bug. Graphs here are
/// built with `.direct` convolutions (the reference path, whose float32 rounding the 1e-5
/// bounds are for); the Winograd path has its own bound, in WinogradConvolutionTests.
struct ConvolutionTests {
    /// Deterministic values in [-1, 1).
    static func values(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0..<n).map { _ in
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: s >> 11) % 2000) / 1000 - 1
        }
    }

    /// PyTorch Conv2d by definition, in Double.
    static func reference(_ c: Conv2D, input: [Float], h: Int, w: Int, residual: [Float]? = nil) -> [Float] {
        let (oh, ow) = c.outputSize(h: h, w: w)
        let cinG = c.inChannels / c.groups
        let coutG = c.outChannels / c.groups
        var out = [Float](repeating: 0, count: c.outChannels * oh * ow)
        for o in 0..<c.outChannels {
            let g = o / coutG
            for y in 0..<oh {
                for x in 0..<ow {
                    var acc = Double(c.bias[o])
                    for ci in 0..<cinG {
                        for ky in 0..<c.kernelH {
                            for kx in 0..<c.kernelW {
                                let iy = y * c.stride - c.padding + ky * c.dilation
                                let ix = x * c.stride - c.padding + kx * c.dilation
                                if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
                                let wv = c.weight[((o * cinG + ci) * c.kernelH + ky) * c.kernelW + kx]
                                acc += Double(wv) * Double(input[((g * cinG + ci) * h + iy) * w + ix])
                            }
                        }
                    }
                    let i = (o * oh + y) * ow + x
                    if let residual { acc += Double(residual[i]) }
                    switch c.activation {
                    case .none: break
                    case .relu: acc = max(acc, 0)
                    case .relu6: acc = min(max(acc, 0), 6)
                    case .hardSwish: acc = acc * min(max(acc + 3, 0), 6) / 6
                    case .hardSigmoid: acc = min(max(acc + 3, 0), 6) / 6
                    case .sigmoid: acc = 1 / (1 + Foundation.exp(-acc))
                    case .exp: acc = Foundation.exp(acc)
                    }
                    out[i] = Float(acc)
                }
            }
        }
        return out
    }

    static func run(_ c: Conv2D, input: [Float], h: Int, w: Int, residual: [Float]? = nil) throws -> [Float] {
        let b = GraphBuilder(convolutions: .direct)
        let x = b.input("x", channels: c.inChannels)
        var r: Graph.Value?
        if residual != nil { r = b.input("r", channels: c.outChannels) }
        let (oh, ow) = c.outputSize(h: h, w: w)
        b.output(b.conv(x, c, residual: r))
        let plan = try Plan(graph: b.build(), inputSizes: residual == nil ? [[h, w]] : [[h, w], [oh, ow]])
        let ws = Workspace(plan: plan)
        ws.setInput(0, Tensor(shape: [1, c.inChannels, h, w], values: input))
        if let residual { ws.setInput(1, Tensor(shape: [1, c.outChannels, oh, ow], values: residual)) }
        ws.run()
        return ws.tensor(plan.graph.outputValues[0]).values
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var cin, cout, k, stride, padding, dilation, groups, h, w: Int
        var activation: Activation
        var testDescription: String { "\(cin)->\(cout) k\(k) s\(stride) p\(padding) d\(dilation) g\(groups) \(h)x\(w)" }
    }

    static let cases: [Case] = [
        Case(cin: 3, cout: 8, k: 7, stride: 2, padding: 0, dilation: 1, groups: 1, h: 21, w: 23, activation: .relu),  // ResNet conv1
        Case(cin: 8, cout: 16, k: 1, stride: 1, padding: 0, dilation: 1, groups: 1, h: 9, w: 9, activation: .none),  // pointwise GEMM
        Case(cin: 8, cout: 8, k: 3, stride: 2, padding: 0, dilation: 1, groups: 1, h: 15, w: 15, activation: .relu),  // layer2 first block
        Case(cin: 8, cout: 8, k: 3, stride: 1, padding: 2, dilation: 2, groups: 1, h: 11, w: 11, activation: .relu),  // atrous layer3
        Case(cin: 8, cout: 8, k: 3, stride: 1, padding: 4, dilation: 4, groups: 1, h: 11, w: 13, activation: .none),  // atrous layer4
        Case(cin: 12, cout: 12, k: 3, stride: 1, padding: 1, dilation: 1, groups: 12, h: 10, w: 9, activation: .relu6),  // depth-wise
        Case(cin: 12, cout: 12, k: 3, stride: 2, padding: 0, dilation: 1, groups: 12, h: 11, w: 11, activation: .relu6),
        Case(cin: 12, cout: 12, k: 3, stride: 1, padding: 2, dilation: 2, groups: 12, h: 9, w: 9, activation: .none),
        Case(cin: 8, cout: 12, k: 3, stride: 1, padding: 1, dilation: 1, groups: 4, h: 7, w: 8, activation: .none),  // grouped
        Case(cin: 4, cout: 6, k: 5, stride: 1, padding: 0, dilation: 1, groups: 1, h: 12, w: 12, activation: .relu),
        Case(cin: 4, cout: 6, k: 1, stride: 2, padding: 0, dilation: 1, groups: 1, h: 9, w: 9, activation: .none)  // strided 1x1
    ]

    @Test(arguments: cases)
    func convolutionMatchesPyTorchDefinition(_ t: Case) throws {
        let c = Conv2D(
            inChannels: t.cin, outChannels: t.cout, kernelH: t.k, kernelW: t.k, stride: t.stride,
            padding: t.padding, dilation: t.dilation, groups: t.groups,
            weight: Self.values(t.cout * t.cin / t.groups * t.k * t.k, seed: 1),
            bias: Self.values(t.cout, seed: 2), activation: t.activation)
        let input = Self.values(t.cin * t.h * t.w, seed: 3)
        let got = try Self.run(c, input: input, h: t.h, w: t.w)
        let want = Self.reference(c, input: input, h: t.h, w: t.w)
        #expect(got.count == want.count)
        let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5, "max abs difference \(worst)")
    }

    @Test func residualIsAddedBeforeTheActivation() throws {
        let c = Conv2D(
            inChannels: 4, outChannels: 4, kernelH: 1, kernelW: 1, weight: Self.values(16, seed: 5),
            bias: Self.values(4, seed: 6), activation: .relu)
        let input = Self.values(4 * 6 * 6, seed: 7)
        let residual = Self.values(4 * 6 * 6, seed: 8)
        let got = try Self.run(c, input: input, h: 6, w: 6, residual: residual)
        let want = Self.reference(c, input: input, h: 6, w: 6, residual: residual)
        #expect(zip(got, want).map { abs($0 - $1) }.max()! <= 1e-6)
    }

    @Test func batchNormFoldingEqualsConvThenBatchNorm() {
        let c = Conv2D(inChannels: 2, outChannels: 3, kernelH: 1, kernelW: 1, weight: [1, 2, 3, 4, 5, 6], bias: [0.5, -1, 2])
        let bn = BatchNorm(weight: [2, 0.5, 1], bias: [0.1, 0.2, 0.3], runningMean: [1, -1, 0], runningVar: [4, 0.25, 1])
        let folded = c.folding(bn)
        let x: [Double] = [0.3, -0.7]
        for o in 0..<3 {
            let conv = Double(c.weight[2 * o]) * x[0] + Double(c.weight[2 * o + 1]) * x[1] + Double(c.bias[o])
            let want = (conv - Double(bn.runningMean[o])) / (Double(bn.runningVar[o]) + 1e-5).squareRoot() * Double(bn.weight[o]) + Double(bn.bias[o])
            let got = Double(folded.weight[2 * o]) * x[0] + Double(folded.weight[2 * o + 1]) * x[1] + Double(folded.bias[o])
            #expect(abs(got - want) <= 1e-6)
        }
    }

    @Test func maxPoolFollowsPyTorchPaddingAndFloorMode() throws {
        let b = GraphBuilder()
        let x = b.input("x", channels: 1)
        b.output(b.maxPool(x, kernel: 3, stride: 2, padding: 1))
        let plan = try Plan(graph: b.build(), inputSizes: [[4, 5]])
        #expect(plan.shapes.last! == [1, 2, 3])
        let ws = Workspace(plan: plan)
        // All negative: padding must never win (PyTorch pads with -inf).
        ws.setInput(0, Tensor(shape: [1, 1, 4, 5], values: (0..<20).map { -Float($0) - 1 }))
        ws.run()
        let expected: [Float] = [-1, -2, -4, -6, -7, -9]
        #expect(ws.tensor(plan.graph.outputValues[0]).values == expected)
    }

    @Test func depthwiseCrossCorrelationIsPerChannelWithoutFlip() throws {
        let b = GraphBuilder()
        let s = b.input("search", channels: 2)
        let k = b.input("kernel", channels: 2)
        b.output(b.depthwiseXCorr(search: s, kernel: k))
        let plan = try Plan(graph: b.build(), inputSizes: [[3, 3], [2, 2]])
        let ws = Workspace(plan: plan)
        ws.setInput(0, Tensor(shape: [1, 2, 3, 3], values: (0..<18).map(Float.init)))
        ws.setInput(1, Tensor(shape: [1, 2, 2, 2], values: [1, 0, 0, 0, 0, 0, 0, 2]))
        ws.run()
        // channel 0 picks the top-left of each window; channel 1 doubles the bottom-right.
        let expected: [Float] = [0, 1, 3, 4, 26, 28, 32, 34]
        #expect(ws.tensor(plan.graph.outputValues[0]).values == expected)
    }

    @Test func reusedBuffersGiveTheSameResultAsKeepingEverything() throws {
        let b = GraphBuilder()
        let x = b.input("x", channels: 4)
        var h = x
        for i in 0..<5 {
            let c = Conv2D(
                inChannels: 4, outChannels: 4, kernelH: 3, kernelW: 3, padding: 1,
                weight: Self.values(144, seed: UInt64(10 + i)), bias: Self.values(4, seed: UInt64(20 + i)), activation: .relu)
            h = b.conv(h, c, residual: i % 2 == 1 ? h : nil)
        }
        b.output(h)
        let graph = b.build()
        let input = Tensor(shape: [1, 4, 8, 8], values: Self.values(256, seed: 9))
        var results: [[Float]] = []
        for keep in [false, true] {
            let plan = try Plan(graph: graph, inputSizes: [[8, 8]], keepingAll: keep)
            let ws = Workspace(plan: plan)
            ws.setInput(0, input)
            ws.run()
            results.append(ws.tensor(graph.outputValues[0]).values)
        }
        #expect(results[0] == results[1])
    }

    @Test func inputsTooSmallForTheNetworkThrowInsteadOfTrapping() {
        let b = GraphBuilder()
        let x = b.input("x", channels: 1)
        b.output(b.conv(x, Conv2D(inChannels: 1, outChannels: 1, kernelH: 5, kernelW: 5, weight: [Float](repeating: 1, count: 25))))
        #expect(throws: PlanError.self) { try Plan(graph: b.build(), inputSizes: [[4, 9]]) }
    }
}
