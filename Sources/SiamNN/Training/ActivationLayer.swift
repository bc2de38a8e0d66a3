// Mirrors torch.nn.ReLU, ReLU6, Hardswish, Hardsigmoid, Sigmoid, torch.exp and NanoTrack's h_swish / h_sigmoid (forward and autograd)
import Foundation

/// An element-wise activation on `[N, C, H, W]`; it keeps its input for the backward pass.
///
/// Derivatives are autograd's: ReLU passes the gradient where the output is > 0; ReLU6
/// (`hardtanh(0, 6)`) where `0 < x < 6` strictly; h-sigmoid `relu6(x + 3) / 6` has slope 1/6
/// where `-3 < x < 3`; h-swish `x * h_sigmoid(x)` has `h_sigmoid(x) + x * h_sigmoid'(x)`
/// (NanoTrack builds both from `ReLU6`, so those are the derivatives its autograd takes);
/// sigmoid `y (1 - y)` and exp `y` from the output, as autograd's.
package final class ActivationLayer: TrainingLayer {
    package enum Kind: Sendable, Equatable {
        case relu, relu6, hardSwish, hardSigmoid, sigmoid, exp
    }

    package let kind: Kind
    private var input: TrainingBuffer?
    private let output = TrainingBuffer()
    private let inputGradient = TrainingBuffer()

    package init(_ kind: Kind) { self.kind = kind }

    package func forward(_ x: TrainingBuffer) -> TrainingBuffer {
        input = x
        output.reshape(x.shape)
        let xp = x.pointer
        let yp = output.pointer
        let kind = kind
        parallelChunks(x.count, minChunk: 4096) { range in
            for i in range {
                let v = xp[i]
                switch kind {
                case .relu: yp[i] = max(v, 0)
                case .relu6: yp[i] = min(max(v, 0), 6)
                case .hardSigmoid: yp[i] = min(max(v + 3, 0), 6) / 6
                case .hardSwish: yp[i] = v * (min(max(v + 3, 0), 6) / 6)
                case .sigmoid: yp[i] = 1 / (1 + Foundation.exp(-v))
                case .exp: yp[i] = Foundation.exp(v)
                }
            }
        }
        return output
    }

    package func backward(_ dy: TrainingBuffer) -> TrainingBuffer {
        guard let x = input else { preconditionFailure("activation: backward before forward") }
        precondition(dy.shape == x.shape, "activation: gradient shape \(dy.shape), input \(x.shape)")
        inputGradient.reshape(x.shape)
        let xp = x.pointer
        let yp = output.pointer
        let dyp = dy.pointer
        let dxp = inputGradient.pointer
        let kind = kind
        parallelChunks(x.count, minChunk: 4096) { range in
            for i in range {
                let v = xp[i]
                let d = dyp[i]
                switch kind {
                case .relu: dxp[i] = yp[i] > 0 ? d : 0
                case .relu6: dxp[i] = v > 0 && v < 6 ? d : 0
                case .hardSigmoid: dxp[i] = v > -3 && v < 3 ? d / 6 : 0
                case .hardSwish:
                    let slope: Float = v > -3 && v < 3 ? v / 6 : 0
                    dxp[i] = d * (min(max(v + 3, 0), 6) / 6 + slope)
                case .sigmoid: dxp[i] = d * yp[i] * (1 - yp[i])
                case .exp: dxp[i] = d * yp[i]
                }
            }
        }
        return inputGradient
    }
}
