import Foundation
import Testing

@testable import SiamNN

/// The operations NanoTrack adds to the engine (MobileNetV3 activations and squeeze-excitation,
/// the BAN head's pixel-wise and padded depth-wise correlations, crop, concat) against direct
/// transcriptions of their PyTorch definitions in Double.
struct NanoTrackOperationTests {
    static func values(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        ConvolutionTests.values(n, seed: seed).map { $0 * scale }
    }

    /// Runs a one-operation graph on `inputs` (`[C, H, W]` shape + values each).
    static func run(_ inputs: [([Int], [Float])], _ op: (GraphBuilder, [Graph.Value]) -> Graph.Value) throws -> (shape: [Int], values: [Float]) {
        let b = GraphBuilder()
        let xs = inputs.enumerated().map { b.input("in\($0.offset)", channels: $0.element.0[0]) }
        b.output(op(b, xs))
        let plan = try Plan(graph: b.build(), inputSizes: inputs.map { Array($0.0.suffix(2)) })
        let ws = Workspace(plan: plan)
        for (i, (shape, v)) in inputs.enumerated() { ws.setInput(i, Tensor(shape: shape, values: v)) }
        ws.run()
        let t = ws.tensor(plan.graph.outputValues[0])
        return (Array(t.shape.dropFirst()), t.values)
    }

    static func worst(_ a: [Float], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        return zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
    }

    static func reference(_ a: Activation, _ x: Double) -> Double {
        switch a {
        case .none: return x
        case .relu: return max(x, 0)
        case .relu6: return min(max(x, 0), 6)
        case .hardSwish: return x * min(max(x + 3, 0), 6) / 6
        case .hardSigmoid: return min(max(x + 3, 0), 6) / 6
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        case .exp: return Foundation.exp(x)
        }
    }

    @Test(arguments: [Activation.hardSwish, .hardSigmoid, .sigmoid, .exp, .relu6])
    func activationsFollowPyTorchFormulas(_ a: Activation) throws {
        // -8 ... 8 covers both clamps of the hard functions.
        let x = Self.values(3 * 5 * 7, seed: 11, scale: 8)
        let got = try Self.run([([3, 5, 7], x)]) { b, v in b.activation(v[0], a) }
        #expect(got.shape == [3, 5, 7])
        let want = x.map { Self.reference(a, Double($0)) }
        let worstRelative = zip(got.values, want).map { abs(Double($0) - $1) / max(1, abs($1)) }.max()!
        #expect(worstRelative <= 1e-6)
    }

    @Test func hardSwishIsZeroBelowMinusThreeAndIdentityAboveThree() throws {
        let got = try Self.run([([1, 1, 4], [-4, -3, 3, 4])]) { b, v in b.activation(v[0], .hardSwish) }
        #expect(got.values == [0, 0, 3, 4])
    }

    @Test func squeezeExcitationScalesEachChannelByItsGate() throws {
        let (c, r, h, w) = (12, 8, 5, 6)
        let reduce = Conv2D(
            inChannels: c, outChannels: r, kernelH: 1, kernelW: 1, weight: Self.values(r * c, seed: 1),
            bias: Self.values(r, seed: 2), activation: .relu)
        let expand = Conv2D(
            inChannels: r, outChannels: c, kernelH: 1, kernelW: 1, weight: Self.values(c * r, seed: 3, scale: 2),
            bias: Self.values(c, seed: 4), activation: .hardSigmoid)
        let x = Self.values(c * h * w, seed: 5, scale: 4)
        for after in [Activation.none, .hardSwish] {
            let got = try Self.run([([c, h, w], x)]) { b, v in b.channelGate(v[0], reduce: reduce, expand: expand, activation: after) }
            // SELayer: mean -> Linear -> ReLU -> Linear -> h-sigmoid -> x * s (then the block's activation).
            let mean = (0..<c).map { ch in (0..<h * w).reduce(0.0) { $0 + Double(x[ch * h * w + $1]) } / Double(h * w) }
            let hidden = (0..<r).map { o in max(0, (0..<c).reduce(Double(reduce.bias[o])) { $0 + Double(reduce.weight[o * c + $1]) * mean[$1] }) }
            let gate = (0..<c).map { o in
                Self.reference(.hardSigmoid, (0..<r).reduce(Double(expand.bias[o])) { $0 + Double(expand.weight[o * r + $1]) * hidden[$1] })
            }
            let want = x.enumerated().map { Self.reference(after, Double($0.element) * gate[$0.offset / (h * w)]) }
            #expect(got.shape == [c, h, w])
            #expect(Self.worst(got.values, want) <= 1e-5, "activation \(after)")
        }
    }

    @Test func pixelwiseCorrelationGivesOneChannelPerTemplatePosition() throws {
        let (c, kh, kw, h, w) = (7, 3, 4, 5, 6)
        let k = Self.values(c * kh * kw, seed: 21)
        let s = Self.values(c * h * w, seed: 22)
        let got = try Self.run([([c, h, w], s), ([c, kh, kw], k)]) { b, v in b.pixelwiseXCorr(search: v[0], kernel: v[1], positions: kh * kw) }
        #expect(got.shape == [kh * kw, h, w])
        var want = [Double](repeating: 0, count: kh * kw * h * w)
        for i in 0..<kh * kw {
            for p in 0..<h * w {
                want[i * h * w + p] = (0..<c).reduce(0.0) { $0 + Double(k[$1 * kh * kw + i]) * Double(s[$1 * h * w + p]) }
            }
        }
        #expect(Self.worst(got.values, want) <= 1e-5)
    }

    @Test func pixelwiseCorrelationRejectsATemplateOfAnotherSize() {
        let b = GraphBuilder()
        let s = b.input("s", channels: 4)
        let k = b.input("k", channels: 4)
        b.output(b.pixelwiseXCorr(search: s, kernel: k, positions: 64))
        #expect(throws: PlanError.self) { try Plan(graph: b.build(), inputSizes: [[16, 16], [10, 10]]) }
    }

    @Test func paddedDepthwiseCorrelationEqualsGroupedConvolutionWithZeroPadding() throws {
        let (c, kh, kw, h, w, pad) = (5, 4, 4, 9, 8, 1)
        let k = Self.values(c * kh * kw, seed: 31)
        let s = Self.values(c * h * w, seed: 32)
        let got = try Self.run([([c, h, w], s), ([c, kh, kw], k)]) { b, v in b.depthwiseXCorr(search: v[0], kernel: v[1], padding: pad) }
        let (oh, ow) = (h + 2 * pad - kh + 1, w + 2 * pad - kw + 1)
        #expect(got.shape == [c, oh, ow])
        var want = [Double](repeating: 0, count: c * oh * ow)
        for ch in 0..<c {
            for y in 0..<oh {
                for x in 0..<ow {
                    var acc = 0.0
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            let iy = y + ky - pad
                            let ix = x + kx - pad
                            if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
                            acc += Double(k[(ch * kh + ky) * kw + kx]) * Double(s[(ch * h + iy) * w + ix])
                        }
                    }
                    want[(ch * oh + y) * ow + x] = acc
                }
            }
        }
        #expect(Self.worst(got.values, want) <= 1e-5)
    }

    @Test func cropKeepsTheWindowAndConcatStacksChannelsInOrder() throws {
        let x = (0..<2 * 8 * 8).map(Float.init)
        let cropped = try Self.run([([2, 8, 8], x)]) { b, v in b.crop(v[0], top: 2, left: 3, height: 4, width: 2) }
        #expect(cropped.shape == [2, 4, 2])
        #expect(cropped.values == [19, 20, 27, 28, 35, 36, 43, 44, 83, 84, 91, 92, 99, 100, 107, 108])
        let a = (0..<6).map(Float.init)
        let bb = (100..<112).map(Float.init)
        let joined = try Self.run([([1, 2, 3], a), ([2, 2, 3], bb)]) { b, v in b.concat(v) }
        #expect(joined.shape == [3, 2, 3])
        #expect(joined.values == a + bb)
    }

    @Test func cropOutsideTheMapAndConcatOfDifferentSizesThrow() {
        let b = GraphBuilder()
        let x = b.input("x", channels: 1)
        b.output(b.crop(x, top: 2, left: 2, height: 4, width: 4))
        #expect(throws: PlanError.self) { try Plan(graph: b.build(), inputSizes: [[5, 8]]) }
        let c = GraphBuilder()
        let p = c.input("p", channels: 1)
        let q = c.input("q", channels: 1)
        c.output(c.concat([p, q]))
        #expect(throws: PlanError.self) { try Plan(graph: c.build(), inputSizes: [[5, 5], [4, 5]]) }
    }
}

extension NanoTrackOperationTests {
    /// The vectorised depth-wise kernel (dilation 1, stride 1 or 2) must give exactly the generic
    /// loop's bits: same taps, same order; covers widths below, at and above the vector widths
    /// and every border case of the kernel sizes NanoTrack and MobileNet use.
    @Test(arguments: [1, 2])
    func vectorizedDepthwiseConvolutionIsBitIdenticalToTheGenericLoop(stride: Int) {
        var checked = 0
        for k in [2, 3, 4, 5] {
            for padding in 0...2 {
                for (h, w) in [(5, 5), (7, 9), (15, 15), (16, 16), (17, 33), (32, 32), (20, 64), (9, 41)] {
                    let g = ConvGeometry(
                        inChannels: 3, outChannels: 3, groups: 3, kernelH: k, kernelW: k, stride: stride,
                        padding: padding, dilation: 1, inH: h, inW: w)
                    guard g.outH > 0 && g.outW > 0 else { continue }
                    let input = Self.values(3 * h * w, seed: UInt64(h * 100 + w), scale: 3)
                    let weight = Self.values(3 * k * k, seed: UInt64(k))
                    var fast = [Float](repeating: .nan, count: 3 * g.outH * g.outW)
                    var slow = [Float](repeating: .nan, count: 3 * g.outH * g.outW)
                    input.withUnsafeBufferPointer { x in
                        weight.withUnsafeBufferPointer { wt in
                            fast.withUnsafeMutableBufferPointer {
                                convolveDepthwiseVectorized(g, input: x.baseAddress!, weight: wt.baseAddress!, output: $0.baseAddress!)
                            }
                            slow.withUnsafeMutableBufferPointer {
                                convolveDepthwiseGeneric(g, input: x.baseAddress!, weight: wt.baseAddress!, output: $0.baseAddress!)
                            }
                        }
                    }
                    #expect(fast.map(\.bitPattern) == slow.map(\.bitPattern), "k\(k) s\(stride) p\(padding) \(h)x\(w)")
                    checked += 1
                }
            }
        }
        #expect(checked > 80)
    }
}

extension NanoTrackOperationTests {
    /// MobileNetV3's stem (3x3, stride 2, padding 1, h-swish) on maps wide enough for the
    /// vectorised stride-2 im2col, against the definition.
    @Test func strideTwoStemConvolutionMatchesPyTorchDefinition() throws {
        for (h, w) in [(37, 41), (33, 34), (255, 255)] {
            let c = Conv2D(
                inChannels: 3, outChannels: 16, kernelH: 3, kernelW: 3, stride: 2, padding: 1,
                weight: Self.values(16 * 27, seed: 41), bias: Self.values(16, seed: 42), activation: .hardSwish)
            let input = Self.values(3 * h * w, seed: 43, scale: 4)
            let got = try ConvolutionTests.run(c, input: input, h: h, w: w)
            let want = ConvolutionTests.reference(c, input: input, h: h, w: w)
            #expect(zip(got, want).map { abs($0 - $1) }.max()! <= 1e-5, "\(h)x\(w)")
        }
    }
}
