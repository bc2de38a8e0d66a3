// Mirrors pysot/models/backbone/*.py: the backbones' forward (a chain of modules, `used_layers`
// picking the outputs) and autograd's backward through it
import SiamNN

/// One call of a `TrainingBackbone`: a chain of units (AlexNet's layers; ResNet's conv1, bn1,
/// ReLU, max-pool and blocks; MobileNetV2's layers), the outputs taken after some of them.
///
/// Backward walks down from the highest unit with an output to `lowestTrained`, adding each
/// output's gradient into the running gradient where the output was taken (into a buffer of the
/// unit's own, never the caller's).
final class StagedBackboneBranch: TrainingBackboneBranch {
    let units: [any TrainingLayer]
    /// The unit after which each output is taken, in `used_layers` order.
    let outputUnits: [Int]
    /// The lowest unit of a trained module; nil when none trains.
    let lowestTrained: Int?
    let trainModeBatchNorms: [BatchNormLayer]
    /// Per unit, the running gradient plus the outputs' gradients taken there.
    private let sums: [TrainingBuffer]
    /// The outputs of the last forward.
    private var outputs: [TrainingBuffer]

    init(units: [any TrainingLayer], outputUnits: [Int], lowestTrained: Int?, trainModeBatchNorms: [BatchNormLayer]) {
        self.units = units
        self.outputUnits = outputUnits
        self.lowestTrained = lowestTrained
        self.trainModeBatchNorms = trainModeBatchNorms
        sums = units.map { _ in TrainingBuffer() }
        outputs = outputUnits.map { _ in TrainingBuffer() }
    }

    func forward(_ image: TrainingBuffer) -> [TrainingBuffer] {
        var h = image
        for (i, unit) in units.enumerated() {
            h = unit.forward(h)
            for (j, u) in outputUnits.enumerated() where u == i { outputs[j] = h }
        }
        return outputs
    }

    func backward(_ outputGradients: [TrainingBuffer]) {
        precondition(outputGradients.count == outputUnits.count, "\(outputUnits.count) outputs, \(outputGradients.count) gradients")
        for (g, y) in zip(outputGradients, outputs) {
            precondition(g.shape == y.shape, "backbone output gradient \(g.shape), output \(y.shape)")
        }
        guard let lowestTrained, let top = outputUnits.max(), top >= lowestTrained else { return }
        var g: TrainingBuffer?
        for i in stride(from: top, through: lowestTrained, by: -1) {
            for (j, unit) in outputUnits.enumerated() where unit == i {
                guard let running = g else {
                    g = outputGradients[j]
                    continue
                }
                let sum = sums[i]
                sum.reshape(running.shape)
                let (a, b, out) = (running.pointer, outputGradients[j].pointer, sum.pointer)
                for k in 0..<sum.count { out[k] = a[k] + b[k] }
                g = sum
            }
            g = units[i].backward(g!)
        }
    }
}
