import CConvolutionKernels
import Foundation
import Testing

@testable import SiamNN

/// Winograd F(4x4, 3x3) against PyTorch's `Conv2d` by definition in Double
/// (`ConvolutionTests.reference`) and against the direct im2col + sgemm path, on random layers
/// of every geometry the networks use (padding 0/1/d, dilation 1/2/4, odd sizes, residual,
/// activations), through every kernel variant this CPU can run.
///
/// Tolerance, per output o: |got - exact| <= 128 eps S_o, eps = 2^-24 and S_o the same
/// convolution on absolute values (sum |w| |x| + |bias| + |residual|), times 1.5 (the steepest
/// activation slope, hard-swish at 3). Why 128: the direct float32 dot product of n terms is
/// within n eps S_o worst case (~sqrt(n) eps S_o typically); Winograd also rounds the transformed
/// input (B^T d B sums terms with coefficients up to 25), the 36 products of C terms on those
/// amplified values and the output transform (A^T entries up to 8), so its error is a constant
/// times eps S_o, the constant set by the transforms' norms: ~10^3 worst case for points 0, +-1,
/// +-2 (Barabasz et al., "Error analysis and improving the accuracy of Winograd convolution for
/// deep neural networks", 2020), 7-33 measured on the cases below (the largest over ~30k outputs
/// of the 16 -> 32 dilation-2 layer). 128 is 4x the measured worst, and a wrong transform, tile
/// or offset (an error of the order of one term, ~S_o / 9C, i.e. > 10^5 eps S_o here) fails it.
struct WinogradConvolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var cin, cout, padding, dilation, h, w: Int
        var activation: Activation
        var residual = false
        var testDescription: String {
            "\(cin)->\(cout) p\(padding) d\(dilation) \(h)x\(w) \(activation)\(residual ? " +residual" : "")"
        }
    }

    static let cases: [Case] = [
        Case(cin: 16, cout: 16, padding: 1, dilation: 1, h: 16, w: 16, activation: .relu),
        Case(cin: 8, cout: 24, padding: 1, dilation: 1, h: 13, w: 17, activation: .none, residual: true),  // odd, bottleneck conv2 + residual
        Case(cin: 24, cout: 8, padding: 0, dilation: 1, h: 31, w: 29, activation: .relu),  // head conv_search (no padding)
        Case(cin: 9, cout: 11, padding: 0, dilation: 1, h: 19, w: 15, activation: .relu6),  // odd channels (20 tiles: Winograd needs 16)
        Case(cin: 16, cout: 32, padding: 2, dilation: 2, h: 31, w: 31, activation: .none),  // layer4.0 downsample
        Case(cin: 12, cout: 12, padding: 2, dilation: 2, h: 15, w: 14, activation: .relu, residual: true),  // layer3 conv2
        Case(cin: 16, cout: 16, padding: 4, dilation: 4, h: 31, w: 31, activation: .relu),  // layer4 conv2
        Case(cin: 8, cout: 8, padding: 4, dilation: 4, h: 15, w: 15, activation: .hardSwish),  // template layer4
        Case(cin: 8, cout: 10, padding: 1, dilation: 2, h: 23, w: 21, activation: .none),  // padding != dilation
        Case(cin: 10, cout: 8, padding: 0, dilation: 4, h: 30, w: 33, activation: .relu)
    ]

    static let eps = Double(Float.ulpOfOne) / 2

    /// `layer` with |weights| and |bias| and no activation (for S_o).
    static func absolute(_ layer: Conv2D) -> Conv2D {
        Conv2D(
            inChannels: layer.inChannels, outChannels: layer.outChannels, kernelH: 3, kernelW: 3, padding: layer.padding,
            dilation: layer.dilation, weight: layer.weight.map(abs), bias: layer.bias.map(abs))
    }

    static func layer(_ t: Case, seed: UInt64) -> Conv2D {
        Conv2D(
            inChannels: t.cin, outChannels: t.cout, kernelH: 3, kernelW: 3, padding: t.padding, dilation: t.dilation,
            weight: ConvolutionTests.values(t.cout * t.cin * 9, seed: seed), bias: ConvolutionTests.values(t.cout, seed: seed + 1),
            activation: t.activation)
    }

    /// Runs `layer` in a one-operation graph built with `algorithm`; also says whether the
    /// operation that ran was Winograd with a layout (not its direct fallback).
    static func run(
        _ layer: Conv2D, _ algorithm: ConvolutionAlgorithm, input: [Float], h: Int, w: Int, residual: [Float]?
    ) throws -> (values: [Float], winograd: Bool) {
        let b = GraphBuilder(convolutions: algorithm)
        let x = b.input("x", channels: layer.inChannels)
        let r = residual == nil ? nil : b.input("r", channels: layer.outChannels)
        let (oh, ow) = layer.outputSize(h: h, w: w)
        b.output(b.conv(x, layer, residual: r))
        let plan = try Plan(graph: b.build(), inputSizes: residual == nil ? [[h, w]] : [[h, w], [oh, ow]])
        let ws = Workspace(plan: plan)
        ws.setInput(0, Tensor(shape: [1, layer.inChannels, h, w], values: input))
        if let residual { ws.setInput(1, Tensor(shape: [1, layer.outChannels, oh, ow], values: residual)) }
        ws.run()
        let op = plan.graph.operations[0] as? WinogradConvolutionOperation
        let used = op?.layout([[layer.inChannels, h, w]]) != nil
        return (ws.tensor(plan.graph.outputValues[0]).values, used)
    }

    /// The largest |got - want| / (eps S_o) (activation slopes are at most 1.5: hard-swish at 3).
    static func worstInEps(_ got: [Float], _ want: [Float], scale: [Float]) -> Double {
        zip(zip(got, want), scale).map { pair, s in abs(Double(pair.0) - Double(pair.1)) / (1.5 * eps * max(Double(s), 1e-30)) }
            .max() ?? 0
    }

    @Test(arguments: cases)
    func winogradMatchesTheDefinitionAndTheDirectPath(_ t: Case) throws {
        let layer = Self.layer(t, seed: 11)
        let input = ConvolutionTests.values(t.cin * t.h * t.w, seed: 13)
        let (oh, ow) = layer.outputSize(h: t.h, w: t.w)
        let residual = t.residual ? ConvolutionTests.values(t.cout * oh * ow, seed: 17) : nil
        let winograd = try Self.run(layer, .winograd, input: input, h: t.h, w: t.w, residual: residual)
        let direct = try Self.run(layer, .direct, input: input, h: t.h, w: t.w, residual: residual)
        #expect(winograd.winograd, "this shape must run the Winograd kernels, not the fallback")
        #expect(!direct.winograd)
        let exact = ConvolutionTests.reference(layer, input: input, h: t.h, w: t.w, residual: residual)
        let scale = ConvolutionTests.reference(
            Self.absolute(layer), input: input.map(abs), h: t.h, w: t.w, residual: residual?.map(abs))
        let againstExact = Self.worstInEps(winograd.values, exact, scale: scale)
        let againstDirect = Self.worstInEps(winograd.values, direct.values, scale: scale)
        #expect(againstExact <= 128, "Winograd vs definition: \(againstExact) eps S")
        #expect(againstDirect <= 128, "Winograd vs direct: \(againstDirect) eps S")
    }

    /// Several blocks of tiles (a small block budget) and every kernel variant the CPU has
    /// give the same convolution.
    @Test func blocksAndKernelVariantsAgreeWithTheDefinition() throws {
        let t = Case(cin: 16, cout: 24, padding: 2, dilation: 2, h: 37, w: 35, activation: .relu, residual: true)
        let layer = Self.layer(t, seed: 31)
        let input = ConvolutionTests.values(t.cin * t.h * t.w, seed: 33)
        let (oh, ow) = layer.outputSize(h: t.h, w: t.w)
        let residual = ConvolutionTests.values(t.cout * oh * ow, seed: 35)
        let exact = ConvolutionTests.reference(layer, input: input, h: t.h, w: t.w, residual: residual)
        let scale = ConvolutionTests.reference(Self.absolute(layer), input: input.map(abs), h: t.h, w: t.w, residual: residual.map(abs))
        var isas: [VectorClass] = [.sse]
        if CPUFeatures.host.vectorClass >= .avx2 { isas.append(.avx2) }
        if CPUFeatures.host.vectorClass >= .avx512 { isas.append(.avx512) }
        for budget in [WinogradLayout.blockBudget, 36 * (t.cin + t.cout) * 32] {
            let layout = WinogradLayout(layer, h: t.h, w: t.w, blockBudget: budget)
            #expect(layout.pays)
            if budget != WinogradLayout.blockBudget { #expect(layout.blocks > 2) }
            for isa in isas {
                var out = [Float](repeating: .nan, count: t.cout * oh * ow)
                var scratch = [Float](repeating: .nan, count: layout.scratchCount)
                input.withUnsafeBufferPointer { x in
                    residual.withUnsafeBufferPointer { r in
                        layer.bias.withUnsafeBufferPointer { b in
                            convolveWinograd(
                                layout, weights: layer.winogradWeights, bias: b.baseAddress!, activation: layer.activation,
                                input: x.baseAddress!, residual: r.baseAddress!, output: &out, scratch: &scratch,
                                isa: isa.kernelISA)
                        }
                    }
                }
                let worst = Self.worstInEps(out, exact, scale: scale)
                #expect(worst <= 128, "\(layout.blocks) blocks, \(isa): \(worst) eps S")
            }
        }
    }

    @Test func tileListCoversEveryOutputOnceOnEverySubGrid() {
        for (h, w, p, d) in [(31, 31, 2, 2), (15, 15, 4, 4), (29, 31, 0, 1), (7, 9, 1, 1), (33, 30, 4, 4)] {
            var g = siam_winograd_geometry(
                in_h: Int32(h), in_w: Int32(w), out_h: Int32(h + 2 * p - 2 * d), out_w: Int32(w + 2 * p - 2 * d),
                padding: Int32(p), dilation: Int32(d), batch: 1)
            let tiles = Int(siam_winograd_tile_count(&g))
            let ld = (tiles + 15) / 16 * 16
            var inOffsets = [Int32](repeating: 0, count: ld * 36)
            var outOffsets = [Int32](repeating: 0, count: ld * 16)
            siam_winograd_tile_offsets(&g, 0, Int32(ld), &inOffsets, &outOffsets)
            var hits = [Int](repeating: 0, count: Int(g.out_h * g.out_w))
            for q in outOffsets where q >= 0 { hits[Int(q)] += 1 }
            #expect(hits.allSatisfy { $0 == 1 }, "\(h)x\(w) p\(p) d\(d)")
            #expect(inOffsets.allSatisfy { $0 < h * w })
        }
    }

    @Test func smallOutputsRunTheDirectPath() throws {
        // The head's template-side conv: 7x7 -> 5x5 is 4 tiles, 144 multiplies per channel pair against 225.
        let layer = Self.layer(Case(cin: 8, cout: 8, padding: 0, dilation: 1, h: 7, w: 7, activation: .none), seed: 41)
        #expect(!WinogradLayout(layer, h: 7, w: 7).pays)
        let input = ConvolutionTests.values(8 * 49, seed: 43)
        let winograd = try Self.run(layer, .winograd, input: input, h: 7, w: 7, residual: nil)
        let direct = try Self.run(layer, .direct, input: input, h: 7, w: 7, residual: nil)
        #expect(!winograd.winograd)
        #expect(winograd.values == direct.values)
    }
}
