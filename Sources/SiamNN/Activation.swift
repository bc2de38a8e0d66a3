/// Element-wise activation fused into a layer's epilogue.
public enum Activation: Sendable, Equatable {
    case none
    /// max(x, 0)
    case relu
    /// min(max(x, 0), 6)
    case relu6

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
        }
    }
}
