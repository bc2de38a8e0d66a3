// Mirrors pysot/models/neck/neck.py (AdjustLayer: the centre crop of the template features)
/// pysot AdjustLayer's crop: if the width is below `ifWidthBelow`, keep the centre `size` x `size`
/// window starting at `(w - size) / 2`; otherwise pass through.
struct CenterCropOperation: EngineOperation {
    let size: Int
    let ifWidthBelow: Int
    let input: Graph.Value

    var inputs: [Graph.Value] { [input] }
    var supportsBatch: Bool { true }

    func outputChannels(_ inputChannels: [Int]) -> Int { inputChannels[0] }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] {
        let s = shapes[0]
        guard s[2] < ifWidthBelow else { return s }
        guard s[1] >= size && s[2] >= size else {
            throw OperationShapeError(reason: "a \(s[1])x\(s[2]) template feature map is smaller than the \(size)x\(size) centre crop")
        }
        return [s[0], size, size]
    }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        let x = inputs[0]
        if output.height == x.height && output.width == x.width {
            output.base.update(from: x.base, count: x.count)  // wide enough: passed through
        } else {
            centerCrop(input: x.base, channels: x.planes, h: x.height, w: x.width, size: output.height, output: output.base)
        }
    }
}
