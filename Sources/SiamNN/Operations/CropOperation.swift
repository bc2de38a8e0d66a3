// A fixed window of every channel (NanoTrack's head: the template features' centre)
/// The window `[top, top + height) x [left, left + width)` of every channel.
struct CropOperation: EngineOperation {
    let top: Int
    let left: Int
    let height: Int
    let width: Int
    let input: Graph.Value

    var inputs: [Graph.Value] { [input] }
    var supportsBatch: Bool { true }

    func outputChannels(_ inputChannels: [Int]) -> Int { inputChannels[0] }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] {
        let s = shapes[0]
        guard top + height <= s[1] && left + width <= s[2] else {
            throw OperationShapeError(
                reason: "a \(s[1])x\(s[2]) feature map does not contain the crop window at (\(top), \(left)) of \(height)x\(width)")
        }
        return [s[0], height, width]
    }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        let x = inputs[0]
        cropWindow(
            input: x.base, channels: x.planes, h: x.height, w: x.width, top: top, left: left, height: height, width: width,
            output: output.base)
    }
}
