import Foundation
import Testing

@testable import SiamNN

/// A plan of batch N (channel-major `C x N x H x W`) runs every image as a batch-1 plan does: a
/// graph with each batchable operation (Winograd plain and dilated with a residual, im2col,
/// 1x1, depth-wise, max-pool, the depth-wise correlation with per-image kernels, crop, concat,
/// weighted sum, activation) on three different images and kernels, against three batch-1 runs.
///
/// Tolerance: 1e-6 of the output's range — a batch's products are wider, and a product's width
/// may pick another sgemm path (plain loops up to 10^6 multiply-adds, OpenBLAS above), which sums
/// in another order; a wrong offset or kernel gives errors of the order of the range itself.
struct BatchedPlanTests {
    static func graph() -> Graph {
        func v(_ n: Int, _ seed: UInt64) -> [Float] { ConvolutionTests.values(n, seed: seed) }
        let b = GraphBuilder()
        let x = b.input("x", channels: 8)
        let k = b.input("kernel", channels: 16)
        let c1 = b.conv(
            x, Conv2D(inChannels: 8, outChannels: 16, kernelH: 3, kernelW: 3, padding: 1, weight: v(1152, 1), bias: v(16, 2), activation: .relu))
        let c2 = b.conv(
            c1, Conv2D(inChannels: 16, outChannels: 16, kernelH: 3, kernelW: 3, padding: 2, dilation: 2, weight: v(2304, 3), bias: v(16, 4)),
            residual: c1)
        let c3 = b.conv(c2, Conv2D(inChannels: 16, outChannels: 16, kernelH: 3, kernelW: 3, stride: 2, padding: 1, weight: v(2304, 5)))
        let d = b.conv(c3, Conv2D(inChannels: 16, outChannels: 16, kernelH: 3, kernelW: 3, padding: 1, groups: 16, weight: v(144, 6), bias: v(16, 7)))
        let p = b.conv(d, Conv2D(inChannels: 16, outChannels: 16, kernelH: 1, kernelW: 1, weight: v(256, 8), activation: .hardSwish))
        let m = b.maxPool(p, kernel: 3, stride: 1, padding: 1)
        let xc = b.depthwiseXCorr(search: m, kernel: k)
        let crop = b.crop(xc, top: 1, left: 1, height: 5, width: 5)
        let both = b.concat([crop, b.activation(crop, .relu6)])
        b.output(b.weightedSum([both, b.activation(both, .sigmoid)], weights: [0.25, 0.75]))
        return b.build()
    }

    @Test func aBatchOfThreeImagesGivesEachImagesBatchOneResult() throws {
        let graph = Self.graph()
        #expect(graph.supportsBatch)
        let sizes = [[20, 20], [4, 4]]
        let images = (0..<3).map { n in Tensor(shape: [1, 8, 20, 20], values: ConvolutionTests.values(3200, seed: 100 + UInt64(n))) }
        let kernels = (0..<3).map { n in Tensor(shape: [1, 16, 4, 4], values: ConvolutionTests.values(256, seed: 200 + UInt64(n))) }
        let batched = Workspace(plan: try Plan(graph: graph, inputSizes: sizes, batch: 3))
        #expect(batched.plan.macs == 3 * (try Plan(graph: graph, inputSizes: sizes)).macs)
        for n in 0..<3 {
            batched.setInput(0, image: n, images[n])
            batched.setInput(1, image: n, kernels[n])
        }
        batched.run()
        let out = graph.outputValues[0]
        for n in 0..<3 {
            let single = Workspace(plan: try Plan(graph: graph, inputSizes: sizes))
            single.setInput(0, images[n])
            single.setInput(1, kernels[n])
            single.run()
            let expected = single.tensor(out).values
            var got = [Float](repeating: .nan, count: expected.count)
            got.withUnsafeMutableBufferPointer { batched.copyValue(out, image: n, into: $0) }
            let range = expected.map(abs).max()!
            let worst = zip(got, expected).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-6 * range, "image \(n): worst difference \(worst) of a range \(range)")
        }
    }
}
