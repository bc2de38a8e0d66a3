import Foundation

/// Element-wise activation, fused into a layer's epilogue or run as its own operation.
///
/// Formulas are PyTorch's CPU kernels (same operation order, Float32).
public enum Activation: Sendable, Equatable {
    case none
    /// max(x, 0)
    case relu
    /// min(max(x, 0), 6)
    case relu6
    /// `nn.Hardswish`: x * min(max(x + 3, 0), 6) / 6
    case hardSwish
    /// `nn.Hardsigmoid`: min(max(x + 3, 0), 6) / 6
    case hardSigmoid
    /// `nn.Sigmoid`: 1 / (1 + e^-x)
    case sigmoid
    /// e^x (NanoTrack's box regression ends with `torch.exp`)
    case exp

    /// Applies the activation to `count` values in place.
    @inline(__always)
    func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .none:
            return
        case .relu:
            for i in 0..<count { p[i] = max(p[i], 0) }
        case .relu6:
            for i in 0..<count { p[i] = min(max(p[i], 0), 6) }
        case .hardSwish:
            for i in 0..<count {
                let x = p[i]
                p[i] = x * min(max(x + 3, 0), 6) / 6
            }
        case .hardSigmoid:
            for i in 0..<count { p[i] = min(max(p[i] + 3, 0), 6) / 6 }
        case .sigmoid:
            for i in 0..<count { p[i] = 1 / (1 + Foundation.exp(-p[i])) }
        case .exp:
            for i in 0..<count { p[i] = Foundation.exp(p[i]) }
        }
    }
}
