// Mirrors pysot/core/xcorr.py (xcorr_fast, UPChannelRPN)
/// pysot `xcorr_fast` (UPChannelRPN): the kernel value (`outChannels * C`, k, k) is the weight of a
/// full convolution of the search (C channels), run as im2col + sgemm.
struct FullCorrelationOperation: EngineOperation {
    let search: Graph.Value
    let kernel: Graph.Value
    let outChannels: Int

    var inputs: [Graph.Value] { [search, kernel] }

    func outputChannels(_ inputChannels: [Int]) -> Int { outChannels }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] {
        let (s, k) = (shapes[0], shapes[1])
        let oh = s[1] - k[1] + 1
        let ow = s[2] - k[2] + 1
        guard oh > 0 && ow > 0 else {
            throw OperationShapeError(reason: "search features \(s[1])x\(s[2]) are smaller than the template kernel \(k[1])x\(k[2])")
        }
        return [outChannels, oh, ow]
    }

    func scratchCount(_ shapes: [[Int]]) -> Int {
        let (s, k) = (shapes[0], shapes[1])
        return s[0] * k[1] * k[2] * (s[1] - k[1] + 1) * (s[2] - k[2] + 1)
    }

    func macs(_ shapes: [[Int]], output: [Int]) -> Int { outChannels * shapes[0][0] * output[1] * output[2] * shapes[1][1] * shapes[1][2] }

    func gemms(_ shapes: [[Int]], output: [Int]) -> [(m: Int, n: Int, k: Int, count: Int)] {
        [(outChannels, output[1] * output[2], shapes[0][0] * shapes[1][1] * shapes[1][2], 1)]
    }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        let (s, k) = (inputs[0], inputs[1])
        let g = ConvGeometry(
            inChannels: s.channels, outChannels: outChannels, groups: 1, kernelH: k.height, kernelW: k.width, stride: 1, padding: 0,
            dilation: 1, inH: s.height, inW: s.width)
        convolveGEMM(g, input: s.base, weight: k.base, output: output.base, scratch: scratch)
    }
}
