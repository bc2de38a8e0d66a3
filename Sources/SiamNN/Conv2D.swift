/// A 2-D convolution with PyTorch `nn.Conv2d` semantics (cross-correlation, zero padding,
/// stride, dilation, groups), with an optional bias and a fused activation.
///
/// Weights are OIHW: `[outChannels][inChannels / groups][kernelH][kernelW]`, exactly PyTorch's
/// layout, so a state-dict tensor is used as is. A following BatchNorm is folded in with
/// `folding(_:)` (computed in Double, rounded once to Float).
public struct Conv2D: Sendable {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelH: Int
    public let kernelW: Int
    public let stride: Int
    public let padding: Int
    public let dilation: Int
    public let groups: Int
    /// OIHW, `outChannels * inChannels / groups * kernelH * kernelW` values.
    public private(set) var weight: [Float]
    /// `outChannels` values, zeros when the layer has no bias.
    public private(set) var bias: [Float]
    public var activation: Activation
    /// The Winograd-domain weights, made on first use and shared by copies of this layer (the
    /// template and search graphs of a model); replaced whenever `weight` changes.
    private var winogradCache = WinogradWeightCache()

    public init(
        inChannels: Int, outChannels: Int, kernelH: Int, kernelW: Int,
        stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1,
        weight: [Float], bias: [Float]? = nil, activation: Activation = .none
    ) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0, "channels not divisible by groups")
        precondition(weight.count == outChannels * inChannels / groups * kernelH * kernelW, "weight count mismatch")
        precondition(bias == nil || bias!.count == outChannels, "bias count mismatch")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelH = kernelH
        self.kernelW = kernelW
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.weight = weight
        self.bias = bias ?? [Float](repeating: 0, count: outChannels)
        self.activation = activation
    }

    /// This convolution followed by `bn`, as one convolution with a bias.
    public func folding(_ bn: BatchNorm) -> Conv2D {
        precondition(bn.channels == outChannels, "BatchNorm has \(bn.channels) channels, conv outputs \(outChannels)")
        var c = self
        let perOut = weight.count / outChannels
        for o in 0..<outChannels {
            let scale = Double(bn.weight[o]) / (Double(bn.runningVar[o]) + bn.eps).squareRoot()
            for i in 0..<perOut {
                c.weight[o * perOut + i] = Float(Double(weight[o * perOut + i]) * scale)
            }
            c.bias[o] = Float((Double(bias[o]) - Double(bn.runningMean[o])) * scale + Double(bn.bias[o]))
        }
        c.winogradCache = WinogradWeightCache()
        return c
    }

    /// The same convolution with another activation.
    public func with(_ activation: Activation) -> Conv2D {
        var c = self
        c.activation = activation
        return c
    }

    /// Output spatial size for an input of `h` x `w`.
    public func outputSize(h: Int, w: Int) -> (h: Int, w: Int) {
        (
            (h + 2 * padding - dilation * (kernelH - 1) - 1) / stride + 1,
            (w + 2 * padding - dilation * (kernelW - 1) - 1) / stride + 1
        )
    }

    /// Multiply-accumulates for an input of `h` x `w`.
    public func macs(h: Int, w: Int) -> Int {
        let o = outputSize(h: h, w: w)
        return o.h * o.w * outChannels * (inChannels / groups) * kernelH * kernelW
    }

    /// `WinogradWeights` of this layer (3x3, groups 1), transformed once.
    var winogradWeights: WinogradWeights { winogradCache.weights(of: self) }

    var isDepthwise: Bool { groups == inChannels && groups == outChannels && groups > 1 }
    var isPointwise: Bool { kernelH == 1 && kernelW == 1 && stride == 1 && padding == 0 && groups == 1 }
    /// Scratch floats `run` needs for im2col of `batch` images.
    func scratchCount(h: Int, w: Int, batch: Int = 1) -> Int {
        if isDepthwise || isPointwise { return 0 }
        let o = outputSize(h: h, w: w)
        return (inChannels / groups) * kernelH * kernelW * batch * o.h * o.w
    }
}
