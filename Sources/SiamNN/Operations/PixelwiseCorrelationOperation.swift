// Mirrors NanoTrack's ban_v3.py (the pixel-wise correlation)
/// Pixel-wise correlation: `out[i, y, x] = sum_c kernel[c, i] * search[c, y, x]`, one output channel
/// per kernel position `i = row * kw + col`; the kernel must have `positions` of them (one sgemm).
struct PixelwiseCorrelationOperation: EngineOperation {
    let search: Graph.Value
    let kernel: Graph.Value
    let positions: Int

    var inputs: [Graph.Value] { [search, kernel] }

    func outputChannels(_ inputChannels: [Int]) -> Int { positions }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] {
        let (s, k) = (shapes[0], shapes[1])
        guard k[1] * k[2] == positions else {
            throw OperationShapeError(
                reason: "the pixel-wise correlation is built for \(positions) template positions, the template features are \(k[1])x\(k[2])",
                unsupportedSize: true)
        }
        return [positions, s[1], s[2]]
    }

    func macs(_ shapes: [[Int]], output: [Int]) -> Int { positions * shapes[0][0] * shapes[0][1] * shapes[0][2] }

    func gemms(_ shapes: [[Int]], output: [Int]) -> [(m: Int, n: Int, k: Int, count: Int)] {
        [(positions, output[1] * output[2], shapes[0][0], 1)]
    }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        let (s, k) = (inputs[0], inputs[1])
        pixelwiseCrossCorrelation(
            search: s.base, channels: s.channels, plane: s.plane, kernel: k.base, positions: positions, output: output.base)
    }
}
