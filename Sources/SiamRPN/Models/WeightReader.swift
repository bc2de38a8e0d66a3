import SiamNN

/// Hands a model's layers their tensors from a `StateDict` by pysot key, strictly.
///
/// Every request records the key and the shape the layer needs (`requests`, in binding order);
/// a missing key or a wrong shape is noted (the layer gets zeros so that construction can go on
/// and report every problem at once), and `finish()` throws one `ModelLoadError` listing
/// missing, unexpected (unrequested, except `num_batches_tracked`) and mis-shaped keys.
///
/// Because requests do not depend on what the state dict holds, a model built over an empty
/// `StateDict` lists its whole key set (`docs/weight-keys/` is checked this way).
final class WeightReader {
    /// One key a model asked for.
    struct Request: Equatable, Sendable {
        var key: String
        /// The shape the model needs; for an ignored key, the shape the file holds.
        var shape: [Int]
        /// Accepted without being used (`ignore(keysWithPrefix:)`).
        var ignored: Bool
    }

    private let weights: StateDict
    /// Every key requested so far, in binding order.
    private(set) var requests: [Request] = []
    private var missing: [String] = []
    private var wrongShapes: [ModelLoadError.ShapeMismatch] = []

    init(_ weights: StateDict) {
        self.weights = weights
    }

    /// The values of `key`, which must have `shape`.
    func tensor(_ key: String, shape: [Int]) -> [Float] {
        requests.append(Request(key: key, shape: shape, ignored: false))
        guard let entry = weights[key] else {
            missing.append(key)
            return [Float](repeating: 0, count: shape.reduce(1, *))
        }
        guard entry.shape == shape else {
            wrongShapes.append(.init(key: key, expected: shape, actual: entry.shape))
            return [Float](repeating: 0, count: shape.reduce(1, *))
        }
        return entry.tensor.values
    }

    /// `nn.Conv2d` at `prefix` (`prefix.weight`, and `prefix.bias` when `bias`).
    func conv(
        _ prefix: String, in cin: Int, out cout: Int, kernel k: Int, stride: Int = 1,
        padding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool
    ) -> Conv2D {
        let w = tensor(prefix + ".weight", shape: [cout, cin / groups, k, k])
        let b = bias ? tensor(prefix + ".bias", shape: [cout]) : nil
        return Conv2D(
            inChannels: cin, outChannels: cout, kernelH: k, kernelW: k, stride: stride,
            padding: padding, dilation: dilation, groups: groups, weight: w, bias: b)
    }

    /// `nn.Linear` at `prefix` (`weight` `[out, in]` and `bias`), as a 1x1 convolution on a 1x1 map.
    func linear(_ prefix: String, in cin: Int, out cout: Int, activation: Activation = .none) -> Conv2D {
        Conv2D(
            inChannels: cin, outChannels: cout, kernelH: 1, kernelW: 1,
            weight: tensor(prefix + ".weight", shape: [cout, cin]), bias: tensor(prefix + ".bias", shape: [cout]),
            activation: activation)
    }

    /// Accepts every key under `prefix` without using it (tensors a checkpoint carries for a
    /// module the forward pass never calls, such as NanoTrack's `neck.`).
    func ignore(keysWithPrefix prefix: String) {
        for key in weights.keys where key.hasPrefix(prefix) && !key.hasSuffix(".num_batches_tracked") {
            requests.append(Request(key: key, shape: weights[key]!.shape, ignored: true))
        }
    }

    /// `nn.BatchNorm2d` at `prefix` with running statistics.
    func batchNorm(_ prefix: String, channels c: Int) -> BatchNorm {
        BatchNorm(
            weight: tensor(prefix + ".weight", shape: [c]),
            bias: tensor(prefix + ".bias", shape: [c]),
            runningMean: tensor(prefix + ".running_mean", shape: [c]),
            runningVar: tensor(prefix + ".running_var", shape: [c]))
    }

    /// A convolution at `conv` followed by the BatchNorm at `bn`, folded, with `activation`.
    func convBN(
        _ conv: String, _ bn: String, in cin: Int, out cout: Int, kernel k: Int, stride: Int = 1,
        padding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = false,
        activation: Activation
    ) -> Conv2D {
        self.conv(
            conv, in: cin, out: cout, kernel: k, stride: stride, padding: padding,
            dilation: dilation, groups: groups, bias: bias
        )
        .folding(batchNorm(bn, channels: cout)).with(activation)
    }

    /// Throws if any key was missing, mis-shaped, or present but never requested.
    func finish(architecture: String) throws {
        let used = Set(requests.map(\.key))
        let unexpected = weights.keys.filter { !used.contains($0) && !$0.hasSuffix(".num_batches_tracked") }
        if missing.isEmpty && unexpected.isEmpty && wrongShapes.isEmpty { return }
        throw ModelLoadError.keyMismatch(
            architecture: architecture, missing: missing, unexpected: unexpected,
            wrongShapes: wrongShapes, fileLooksLike: architectureGuess(keys: weights.keys))
    }
}

/// Why a checkpoint does not fit the model a config describes.
public enum ModelLoadError: Error, CustomStringConvertible {
    public struct ShapeMismatch: Sendable, Equatable {
        public var key: String
        public var expected: [Int]
        public var actual: [Int]
    }

    /// Keys absent from the file, keys the model does not have, and tensors of the wrong shape.
    case keyMismatch(
        architecture: String, missing: [String], unexpected: [String],
        wrongShapes: [ShapeMismatch], fileLooksLike: String?)
    /// The file is a model this package recognises but cannot run (`detail` says which do).
    case unsupportedModel(String)

    public var description: String {
        switch self {
        case .keyMismatch(let arch, let missing, let unexpected, let wrongShapes, let guess):
            var parts = keyMismatchParts(missing: missing, unexpected: unexpected)
            if !wrongShapes.isEmpty {
                parts.append(
                    "\(wrongShapes.count) shape mismatch(es): "
                        + wrongShapes.prefix(8).map {
                            "'\($0.key)' is \($0.actual) in the file but \($0.expected) in the model"
                        }.joined(separator: ", "))
            }
            var text = "checkpoint does not match the \(arch) model of the config: " + parts.joined(separator: "; ")
            if let guess { text += ". This file looks like \(guess); check that --config matches --snapshot" }
            return text
        case .unsupportedModel(let detail):
            return detail
        }
    }
}

/// The key lists of a state-dict mismatch message: "N missing key(s): 'a', 'b' and K more" and
/// the same for unexpected keys (at most 8 named each; empty lists give no part).
package func keyMismatchParts(missing: [String], unexpected: [String]) -> [String] {
    func list(_ keys: [String]) -> String {
        keys.prefix(8).map { "'\($0)'" }.joined(separator: ", ") + (keys.count > 8 ? " and \(keys.count - 8) more" : "")
    }
    var parts: [String] = []
    if !missing.isEmpty { parts.append("\(missing.count) missing key(s): \(list(missing))") }
    if !unexpected.isEmpty { parts.append("\(unexpected.count) unexpected key(s): \(list(unexpected))") }
    return parts
}
