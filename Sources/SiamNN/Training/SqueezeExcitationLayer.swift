// Mirrors NanoTrack nanotrack/models/backbone/mobile_v3.py: SELayer, and the channel attention (CA_layer) of its ban_v3.py head (forward and autograd)
import Foundation

/// Squeeze-excitation: `y = x * gate(W2 relu(W1 mean_hw(x) + b1) + b2)` per sample and
/// channel, `W1` `[r, C]`, `W2` `[C, r]` (`nn.Linear` weights `fc.0`, `fc.2`, or 1x1 convolution
/// weights `[r, C, 1, 1]` as the head's `CA_layer.fc1`, `fc2`); the gate is h-sigmoid
/// `relu6(t + 3) / 6` in SELayer (slope 1/6 strictly inside (-3, 3), as autograd through ReLU6)
/// or the sigmoid (slope `g (1 - g)`) in the channel attention.
/// Backward: `dx = dy * g + (W1^T da1) / (H*W)` broadcast, with `dg = sum_hw dy * x`,
/// `da2 = dg * gate'(a2)`, `da1 = (W2^T da2) * [a1 > 0]`; weight gradients `da2 h^T`,
/// `da1 m^T`. Direct loops in Double (the gate's vectors are short).
package final class SqueezeExcitationLayer: TrainingLayer {
    package let reduceWeight: TrainingParameter, reduceBias: TrainingParameter
    package let expandWeight: TrainingParameter, expandBias: TrainingParameter
    package enum Gate: Sendable, Equatable {
        case hardSigmoid, sigmoid
    }

    package let gateKind: Gate
    private let channels: Int, reduced: Int
    private var input: TrainingBuffer?
    private var mean: [Double] = [], hidden: [Double] = [], gateInput: [Double] = [], gate: [Double] = []
    private var da2: [Double] = [], da1: [Double] = []
    private let output = TrainingBuffer()
    private let inputGradient = TrainingBuffer()

    package init(
        reduceWeight: TrainingParameter, reduceBias: TrainingParameter, expandWeight: TrainingParameter, expandBias: TrainingParameter,
        gate: Gate = .hardSigmoid
    ) {
        reduced = reduceWeight.shape[0]
        channels = reduceWeight.count / reduced
        gateKind = gate
        precondition(
            reduceBias.count == reduced && expandWeight.shape[0] == channels && expandWeight.count == channels * reduced
                && expandBias.count == channels,
            "\(reduceWeight.name): squeeze-excitation shapes")
        self.reduceWeight = reduceWeight
        self.reduceBias = reduceBias
        self.expandWeight = expandWeight
        self.expandBias = expandBias
    }

    package func forward(_ x: TrainingBuffer) -> TrainingBuffer {
        precondition(x.channels == channels, "\(reduceWeight.name): \(x.channels) channels, expected \(channels)")
        input = x
        let (n, c, r, plane) = (x.batch, channels, reduced, x.height * x.width)
        // Every entry is written below; sized once per batch shape.
        if mean.count != n * c {
            mean = [Double](repeating: 0, count: n * c)
            gateInput = mean
            gate = mean
            da2 = [Double](repeating: 0, count: c)
        }
        if hidden.count != n * r {
            hidden = [Double](repeating: 0, count: n * r)
            da1 = [Double](repeating: 0, count: r)
        }
        output.reshape(x.shape)
        let (w1, b1, w2, b2) = (reduceWeight.value, reduceBias.value, expandWeight.value, expandBias.value)
        for s in 0..<n {
            for ch in 0..<c {
                let p = x.pointer + (s * c + ch) * plane
                var sum = 0.0
                for i in 0..<plane { sum += Double(p[i]) }
                mean[s * c + ch] = sum / Double(plane)
            }
            for j in 0..<r {
                var a = Double(b1[j])
                for ch in 0..<c { a += Double(w1[j * c + ch]) * mean[s * c + ch] }
                hidden[s * r + j] = max(a, 0)
            }
            for ch in 0..<c {
                var a = Double(b2[ch])
                for j in 0..<r { a += Double(w2[ch * r + j]) * hidden[s * r + j] }
                gateInput[s * c + ch] = a
                gate[s * c + ch] = gateKind == .hardSigmoid ? min(max(a + 3, 0), 6) / 6 : 1 / (1 + Foundation.exp(-a))
                let g = Float(gate[s * c + ch])
                let off = (s * c + ch) * plane
                for i in 0..<plane { output.pointer[off + i] = x.pointer[off + i] * g }
            }
        }
        return output
    }

    package func backward(_ dy: TrainingBuffer) -> TrainingBuffer {
        guard let x = input else { preconditionFailure("\(reduceWeight.name): backward before forward") }
        precondition(dy.shape == x.shape, "\(reduceWeight.name): gradient shape \(dy.shape), input \(x.shape)")
        let (n, c, r, plane) = (x.batch, channels, reduced, x.height * x.width)
        inputGradient.reshape(x.shape)
        let (w1, w2) = (reduceWeight.value, expandWeight.value)
        for s in 0..<n {
            for ch in 0..<c {
                let off = (s * c + ch) * plane
                var dg = 0.0
                for i in 0..<plane { dg += Double(dy.pointer[off + i]) * Double(x.pointer[off + i]) }
                let a = gateInput[s * c + ch]
                let g = gate[s * c + ch]
                switch gateKind {
                case .hardSigmoid: da2[ch] = a > -3 && a < 3 ? dg / 6 : 0
                case .sigmoid: da2[ch] = dg * g * (1 - g)
                }
            }
            for j in 0..<r {
                var d = 0.0
                for ch in 0..<c { d += Double(w2[ch * r + j]) * da2[ch] }
                da1[j] = hidden[s * r + j] > 0 ? d : 0
            }
            for ch in 0..<c {
                if expandBias.requiresGrad { expandBias.grad[ch] += Float(da2[ch]) }
                if expandWeight.requiresGrad {
                    for j in 0..<r { expandWeight.grad[ch * r + j] += Float(da2[ch] * hidden[s * r + j]) }
                }
            }
            for j in 0..<r {
                if reduceBias.requiresGrad { reduceBias.grad[j] += Float(da1[j]) }
                if reduceWeight.requiresGrad {
                    for ch in 0..<c { reduceWeight.grad[j * c + ch] += Float(da1[j] * mean[s * c + ch]) }
                }
            }
            for ch in 0..<c {
                var dm = 0.0
                for j in 0..<r { dm += Double(w1[j * c + ch]) * da1[j] }
                let spread = dm / Double(plane)
                let g = gate[s * c + ch]
                let off = (s * c + ch) * plane
                for i in 0..<plane { inputGradient.pointer[off + i] = Float(Double(dy.pointer[off + i]) * g + spread) }
            }
        }
        return inputGradient
    }
}
