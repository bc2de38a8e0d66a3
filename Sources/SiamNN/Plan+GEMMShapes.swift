// The sgemm calls a plan's operations make (ConvolutionKernels, CrossCorrelation): what
// `siamrpn bench` measures the BLAS peak on.
extension Plan {
    /// One sgemm shape: `C[m x n] = A[m x k] * B[k x n]`, called `count` times per run.
    package struct GEMMShape: Hashable, Sendable {
        package var m: Int
        package var n: Int
        package var k: Int
        package var count: Int
    }

    /// The sgemm shapes of one run, in first-use order (convolutions that are not depth-wise,
    /// per group; the full and pixel-wise correlations). Depth-wise convolutions and
    /// correlations are direct loops, not GEMMs.
    package var gemmShapes: [GEMMShape] {
        var result: [GEMMShape] = []
        func add(_ m: Int, _ n: Int, _ k: Int, _ count: Int) {
            if let i = result.firstIndex(where: { $0.m == m && $0.n == n && $0.k == k }) {
                result[i].count += count
            } else {
                result.append(GEMMShape(m: m, n: n, k: k, count: count))
            }
        }
        let inputCount = graph.inputs.count
        for (i, op) in graph.operations.enumerated() {
            let out = shapes[inputCount + i]
            switch op {
            case .conv(let layer, let input, _) where !layer.isDepthwise:
                let g = layer.groups
                let cin = shapes[input.id][0]
                add(layer.outChannels / g, out[1] * out[2], cin / g * layer.kernelH * layer.kernelW, g)
            case .xcorr(let search, let kernel, let outC):
                add(outC, out[1] * out[2], shapes[search.id][0] * shapes[kernel.id][1] * shapes[kernel.id][2], 1)
            case .pixelwiseXCorr(let search, _, let positions):
                add(positions, out[1] * out[2], shapes[search.id][0], 1)
            default:
                break
            }
        }
        return result
    }
}
