// Mirrors pysot/models/head/rpn.py (MultiRPN: the weighted sum of the levels)
/// `sum_i weights[i] * inputs[i]` (all of one shape): MultiRPN's weighted sum of its levels.
struct WeightedSumOperation: EngineOperation {
    let inputs: [Graph.Value]
    let weights: [Float]
    var supportsBatch: Bool { true }

    func outputChannels(_ inputChannels: [Int]) -> Int { inputChannels[0] }

    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int] {
        precondition(shapes.allSatisfy { $0 == shapes[0] }, "weightedSum of different shapes \(shapes)")
        return shapes[0]
    }

    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>) {
        output.base.update(repeating: 0, count: output.count)
        for (x, w) in zip(inputs, weights) { accumulate(w, x.base, into: output.base, count: output.count) }
    }
}
