// Mirrors pysot/core/xcorr.py (xcorr_depthwise; NanoTrack adds zero padding)
/// pysot `xcorr_depthwise`: channel c of the search correlated with channel c of the kernel, with
/// `padding` zeros around the search (0 in pysot, 1 in NanoTrack).
struct DepthwiseCorrelationOperation: EngineOperation {
    let search: Graph.Value
    let kernel: Graph.Value
    let padding: Int

    var inputs: [Graph.Value] { [search, kernel] }
    /// A batch's plane `c * N + n` meets kernel plane `c * N + n`: each image its own kernels.
    var supportsBatch: Bool { true }

    func outputChannels(_ inputChannels: [Int]) -> Int { inputChannels[0] }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] {
        let (s, k) = (shapes[0], shapes[1])
        let oh = s[1] + 2 * padding - k[1] + 1
        let ow = s[2] + 2 * padding - k[2] + 1
        guard oh > 0 && ow > 0 else {
            throw OperationShapeError(reason: "search features \(s[1])x\(s[2]) are smaller than the template kernel \(k[1])x\(k[2])")
        }
        return [s[0], oh, ow]
    }

    func macs(_ shapes: [[Int]], output: [Int]) -> Int { output[0] * output[1] * output[2] * shapes[1][1] * shapes[1][2] }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        let (s, k) = (inputs[0], inputs[1])
        depthwiseCrossCorrelation(
            search: s.base, channels: s.planes, h: s.height, w: s.width, kernel: k.base, kh: k.height, kw: k.width,
            padding: padding, output: output.base)
    }
}
