/// Eval-mode BatchNorm parameters (PyTorch `BatchNorm2d`, running statistics), per channel.
///
/// `y = (x - runningMean) / sqrt(runningVar + eps) * weight + bias`. It is never run on its own:
/// `Conv2D.folding(_:)` multiplies it into the preceding convolution at load time.
public struct BatchNorm: Sendable {
    public var weight: [Float]
    public var bias: [Float]
    public var runningMean: [Float]
    public var runningVar: [Float]
    /// PyTorch's default 1e-5.
    public var eps: Double

    public init(weight: [Float], bias: [Float], runningMean: [Float], runningVar: [Float], eps: Double = 1e-5) {
        precondition(
            weight.count == bias.count && bias.count == runningMean.count && runningMean.count == runningVar.count,
            "BatchNorm parameter vectors differ in length")
        self.weight = weight
        self.bias = bias
        self.runningMean = runningMean
        self.runningVar = runningVar
        self.eps = eps
    }

    public var channels: Int { weight.count }
}
