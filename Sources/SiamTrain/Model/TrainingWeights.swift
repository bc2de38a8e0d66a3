import SiamNN
import SiamRPN

/// Binds a training model's parameters and BatchNorm buffers to a pysot state dict, strictly.
///
/// Each request names a pysot key and the shape the model needs; `finish()` throws one
/// `TrainingModelError` listing missing keys, keys the model does not have and wrong shapes
/// (as the inference models' weight reader does). The bound tensors keep the request order,
/// which is the order `stateDict()` writes them back in; `num_batches_tracked` may be absent
/// (checkpoints of old PyTorch versions) and then starts at 0.
///
/// With an `initializer`, keys the state dict lacks are not an error: they get PyTorch's default
/// initial values instead (what `ModelBuilder()` holds before pysot loads pretrained weights) —
/// `nn.Conv2d`'s `kaiming_uniform_(a=sqrt(5))` weight and its bias, both uniform in
/// `±1/sqrt(fan_in)` (`fan_in = in/groups * k * k`), BatchNorm weight 1, bias 0, running mean 0,
/// running variance 1 — drawn from the given generator in binding order (the distribution is
/// torch's; the values are not, since torch's generator is not reproduced). `initialized` lists them.
package final class TrainingWeights {
    private let source: StateDict
    private let architecture: String
    private var initializer: NumPyRandomState?
    /// The keys that took default initial values (absent from the state dict), in binding order.
    package private(set) var initialized: [String] = []
    /// Every trainable tensor, in binding order.
    package private(set) var parameters: [TrainingParameter] = []
    /// Every BatchNorm's buffers, in binding order.
    package private(set) var batchNorms: [BatchNormStatistics] = []
    private var requested: Set<String> = []
    private var missing: [String] = []
    private var wrongShapes: [String] = []

    package init(_ stateDict: StateDict, architecture: String, initializer: NumPyRandomState? = nil) {
        source = stateDict
        self.architecture = architecture
        self.initializer = initializer
    }

    /// How a missing tensor starts when there is an initializer.
    private enum Initial {
        case constant(Float)
        case uniform(bound: Double)
    }

    private func values(_ key: String, shape: [Int], initial: Initial = .constant(0)) -> [Float] {
        requested.insert(key)
        let n = shape.reduce(1, *)
        guard let entry = source[key] else {
            guard initializer != nil else {
                missing.append(key)
                return [Float](repeating: 0, count: n)
            }
            initialized.append(key)
            switch initial {
            case .constant(let c): return [Float](repeating: c, count: n)
            case .uniform(let bound): return (0..<n).map { _ in Float((2 * initializer!.random() - 1) * bound) }
            }
        }
        guard entry.shape == shape else {
            wrongShapes.append("'\(key)' is \(entry.shape) in the file but \(shape) in the model")
            return [Float](repeating: 0, count: n)
        }
        return entry.tensor.values
    }

    /// The trainable tensor `key` of `shape`; a convolution's weight `[out, in/groups, k, k]` or its
    /// bias (`fanIn` given) when it must be initialised.
    package func parameter(_ key: String, shape: [Int], fanIn: Int? = nil) -> TrainingParameter {
        let fan = fanIn ?? (shape.count == 4 ? shape[1] * shape[2] * shape[3] : 1)
        let p = TrainingParameter(name: key, shape: shape, value: values(key, shape: shape, initial: .uniform(bound: 1 / Double(fan).squareRoot())))
        parameters.append(p)
        return p
    }

    /// A parameter whose absent initial value is `value` everywhere (BatchNorm's `ones` / `zeros`,
    /// MultiRPN's `torch.ones` level weights).
    package func constantParameter(_ key: String, shape: [Int], _ value: Float) -> TrainingParameter {
        let p = TrainingParameter(name: key, shape: shape, value: values(key, shape: shape, initial: .constant(value)))
        parameters.append(p)
        return p
    }

    /// `nn.Conv2d` at `prefix`: its weight (OIHW) and, when `bias`, its bias.
    package func conv(
        _ prefix: String, in cin: Int, out cout: Int, kernel k: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
        groups: Int = 1, bias: Bool
    ) -> ConvolutionLayer {
        let w = parameter(prefix + ".weight", shape: [cout, cin / groups, k, k])
        let b = bias ? parameter(prefix + ".bias", shape: [cout], fanIn: cin / groups * k * k) : nil
        return ConvolutionLayer(weight: w, bias: b, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// `nn.BatchNorm2d` at `prefix`: affine weight and bias, running statistics. Both branches
    /// of a Siamese network build their layers from the one returned here (`BatchNormSpec.layer`).
    package func batchNorm(_ prefix: String, channels c: Int) -> BatchNormSpec {
        let weight = constantParameter(prefix + ".weight", shape: [c], 1)
        let bias = constantParameter(prefix + ".bias", shape: [c], 0)
        let mean = values(prefix + ".running_mean", shape: [c], initial: .constant(0))
        let variance = values(prefix + ".running_var", shape: [c], initial: .constant(1))
        let countKey = prefix + ".num_batches_tracked"
        requested.insert(countKey)
        var count = 0
        if let entry = source[countKey] {
            if entry.shape.reduce(1, *) == 1, let v = entry.tensor.values.first, v >= 0, v.rounded() == v {
                count = Int(v)
            } else {
                wrongShapes.append("'\(countKey)' must be one non-negative integer, the file holds shape \(entry.shape)")
            }
        }
        let stats = BatchNormStatistics(name: prefix, runningMean: mean, runningVar: variance, numBatchesTracked: count)
        batchNorms.append(stats)
        return BatchNormSpec(weight: weight, bias: bias, statistics: stats)
    }

    /// Throws unless every requested key was present with its shape and the file holds no other key.
    package func finish() throws {
        let unexpected = source.keys.filter { !requested.contains($0) }
        guard missing.isEmpty && unexpected.isEmpty && wrongShapes.isEmpty else {
            throw TrainingModelError.keyMismatch(
                architecture: architecture, missing: missing, unexpected: unexpected, wrongShapes: wrongShapes)
        }
    }

    /// Parameters and buffers under their pysot names (running statistics float32,
    /// `num_batches_tracked` int64), in binding order: the snapshot `updated.safetensors` holds.
    package func stateDict() -> StateDict {
        var entries: [StateDict.Entry] = []
        var byBN: [String: BatchNormStatistics] = [:]
        for s in batchNorms { byBN[s.name] = s }
        var written: Set<String> = []
        for p in parameters {
            entries.append(.init(name: p.name, dtype: .float32, tensor: Tensor(shape: p.shape, values: p.value)))
            // A BatchNorm's buffers follow its bias, as PyTorch's state_dict orders them.
            let prefix = String(p.name.dropLast(".bias".count))
            if p.name.hasSuffix(".bias"), let s = byBN[prefix], !written.contains(prefix) {
                written.insert(prefix)
                let c = s.runningMean.count
                entries.append(.init(name: prefix + ".running_mean", dtype: .float32, tensor: Tensor(shape: [c], values: s.runningMean)))
                entries.append(.init(name: prefix + ".running_var", dtype: .float32, tensor: Tensor(shape: [c], values: s.runningVar)))
                entries.append(
                    .init(
                        name: prefix + ".num_batches_tracked", dtype: .int64,
                        tensor: Tensor(shape: [], values: [Float(s.numBatchesTracked)])))
            }
        }
        return StateDict(entries)
    }

    /// The gradient of every parameter that has one, under its pysot name.
    package func gradients() -> StateDict {
        StateDict(
            parameters.filter(\.requiresGrad).map {
                .init(name: $0.name, dtype: .float32, tensor: Tensor(shape: $0.shape, values: $0.grad))
            })
    }
}

/// One BatchNorm2d's shared tensors; `layer(training:)` makes an operation over them for one branch.
package struct BatchNormSpec {
    package let weight: TrainingParameter
    package let bias: TrainingParameter
    package let statistics: BatchNormStatistics

    package func layer(training: Bool) -> BatchNormLayer {
        BatchNormLayer(weight: weight, bias: bias, statistics: statistics, training: training)
    }
}

/// A snapshot that does not fit the training model of a config.
package enum TrainingModelError: Error, CustomStringConvertible, Equatable {
    case keyMismatch(architecture: String, missing: [String], unexpected: [String], wrongShapes: [String])
    /// The config's architecture has no training model yet.
    case unsupported(String)

    package var description: String {
        switch self {
        case .keyMismatch(let arch, let missing, let unexpected, let wrongShapes):
            var parts = keyMismatchParts(missing: missing, unexpected: unexpected)
            if !wrongShapes.isEmpty {
                parts.append("\(wrongShapes.count) shape mismatch(es): " + wrongShapes.prefix(8).joined(separator: ", "))
            }
            return "snapshot does not match the \(arch) training model of the config: " + parts.joined(separator: "; ")
        case .unsupported(let what):
            return what
        }
    }
}
