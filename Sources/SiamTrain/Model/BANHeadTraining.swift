// Mirrors NanoTrack nanotrack/models/head/ban_v3.py: DepthwiseXCorr, CAModule, PixelwiseXCorr, DepthwiseBAN (the training forward)
import SiamNN

/// NanoTrackV3's head (`ban_v3.DepthwiseBAN`) for training, BatchNorm unfolded (every head
/// BatchNorm in train mode, as NanoTrack's trainer leaves them), NanoTrack's names under `prefix`
/// (`ban_head.`). Per branch `cls` / `reg` (the architecture of `SiamRPN.BANHead`):
///
/// * `corr_pw_<b>`: `conv_kernel` (1x1 with bias -> BN) on the template features `[N, C, 8, 8]`,
///   `conv_search` (the same) on the search features `[N, C, X, X]`, pixel-wise correlation
///   (`[N, 64, X, X]`), `CA_layer` (channel attention: 1x1 `fc1` -> ReLU -> 1x1 `fc2` -> sigmoid
///   on the spatial mean), `conv` (2x2 depth-wise, no bias -> BN -> ReLU6 -> 1x1 with bias -> BN)
///   -> `[N, 64, X-1, X-1]`;
/// * `corr_dw_<b>`: the template's centre `[2:6, 2:6]` (`DepthwiseBAN.crop`) -> `conv_kernel`,
///   the search -> `conv_search` (1x1 with bias -> BN each), depth-wise correlation with zero
///   padding 1 -> `[N, C, X-1, X-1]`;
/// * `down_<b>` (concat [pixel-wise, depth-wise] -> 1x1 with bias), the tower (6 x [3x3
///   depth-wise no bias -> BN -> ReLU6 -> 1x1 no bias -> BN]), `cls_logits` / `bbox_pred` (1x1
///   with bias), `exp` on `reg`.
///
/// Each BatchNorm is called once per step (the `conv_kernel` ones on the template batch: N*64
/// or N*16 values per channel). Parameters are bound in NanoTrack's module order (`corr_dw_reg`,
/// `corr_pw_reg`, `corr_dw_cls`, `corr_pw_cls`, `cls_tower`, `bbox_tower`, `cls_logits`,
/// `bbox_pred`, `down_reg`, `down_cls`).
final class BANHeadTraining {
    /// The pixel-wise correlation's channels: an 8x8 template feature map.
    static let templateSide = 8

    private final class Pointwise {
        let kernel: TrainingSequence, search: TrainingSequence
        let correlation = PixelwiseCorrelationLayer()
        let attention: SqueezeExcitationLayer
        let conv: TrainingSequence

        init(_ w: TrainingWeights, _ p: String, channels c: Int) {
            let positions = BANHeadTraining.templateSide * BANHeadTraining.templateSide
            let fc1 = w.conv(p + ".CA_layer.fc1", in: positions, out: positions, kernel: 1, bias: true)
            let fc2 = w.conv(p + ".CA_layer.fc2", in: positions, out: positions, kernel: 1, bias: true)
            attention = SqueezeExcitationLayer(
                reduceWeight: fc1.weight, reduceBias: fc1.bias!, expandWeight: fc2.weight, expandBias: fc2.bias!, gate: .sigmoid)
            kernel = BANHeadTraining.pointwiseBN(w, p + ".conv_kernel", channels: c)
            search = BANHeadTraining.pointwiseBN(w, p + ".conv_search", channels: c)
            conv = TrainingSequence([
                w.conv(p + ".conv.0", in: positions, out: positions, kernel: 2, groups: positions, bias: false),
                w.batchNorm(p + ".conv.1", channels: positions).layer(training: true), ActivationLayer(.relu6),
                w.conv(p + ".conv.3", in: positions, out: positions, kernel: 1, bias: true),
                w.batchNorm(p + ".conv.4", channels: positions).layer(training: true)
            ])
        }

        func forward(template z: TrainingBuffer, search x: TrainingBuffer) -> TrainingBuffer {
            conv.forward(attention.forward(correlation.forward(search: search.forward(x), kernel: kernel.forward(z))))
        }

        /// d loss / d (template, search features).
        func backward(_ dy: TrainingBuffer) -> (template: TrainingBuffer, search: TrainingBuffer) {
            correlation.backward(attention.backward(conv.backward(dy)))
            return (kernel.backward(correlation.kernelGradient), search.backward(correlation.searchGradient))
        }
    }

    private final class Depthwise {
        let crop = CenterCropLayer(size: 4)
        let kernel: TrainingSequence, search: TrainingSequence
        let correlation = DepthwiseCrossCorrelationLayer(padding: 1)

        init(_ w: TrainingWeights, _ p: String, channels c: Int) {
            kernel = BANHeadTraining.pointwiseBN(w, p + ".conv_kernel", channels: c)
            search = BANHeadTraining.pointwiseBN(w, p + ".conv_search", channels: c)
        }

        func forward(template z: TrainingBuffer, search x: TrainingBuffer) -> TrainingBuffer {
            correlation.forward(search: search.forward(x), kernel: kernel.forward(crop.forward(z)))
        }

        func backward(_ dy: TrainingBuffer) -> (template: TrainingBuffer, search: TrainingBuffer) {
            correlation.backward(dy)
            return (crop.backward(kernel.backward(correlation.kernelGradient)), search.backward(correlation.searchGradient))
        }
    }

    /// One output branch: both correlations, `down`, tower and output convolution.
    private final class Branch {
        let pointwise: Pointwise, depthwise: Depthwise
        let concat = ConcatLayer()
        /// `down`, tower, output (and `exp` for `reg`).
        let tail: TrainingSequence

        init(pointwise: Pointwise, depthwise: Depthwise, tail: [any TrainingLayer]) {
            self.pointwise = pointwise
            self.depthwise = depthwise
            self.tail = TrainingSequence(tail)
        }

        func forward(template z: TrainingBuffer, search x: TrainingBuffer) -> TrainingBuffer {
            tail.forward(concat.forward(pointwise.forward(template: z, search: x), depthwise.forward(template: z, search: x)))
        }

        /// Adds d loss / d (template, search features) into `dz`, `dx` (`first`: writes them).
        func backward(_ dy: TrainingBuffer, dz: TrainingBuffer, dx: TrainingBuffer, first: Bool) {
            concat.backward(tail.backward(dy))
            let p = pointwise.backward(concat.firstGradient)
            accumulate(p.template, into: dz, overwrite: first)
            accumulate(p.search, into: dx, overwrite: first)
            let d = depthwise.backward(concat.secondGradient)
            accumulate(d.template, into: dz, overwrite: false)
            accumulate(d.search, into: dx, overwrite: false)
        }

        private func accumulate(_ g: TrainingBuffer, into target: TrainingBuffer, overwrite: Bool) {
            if overwrite {
                target.reshape(g.shape)
                target.pointer.update(from: g.pointer, count: g.count)
            } else {
                precondition(g.shape == target.shape, "gradient shapes differ: \(g.shape), \(target.shape)")
                for i in 0..<g.count { target.pointer[i] += g.pointer[i] }
            }
        }
    }

    /// 1x1 conv with bias -> train-mode BN (`conv_kernel`, `conv_search`).
    private static func pointwiseBN(_ w: TrainingWeights, _ p: String, channels c: Int) -> TrainingSequence {
        TrainingSequence([
            w.conv(p + ".0", in: c, out: c, kernel: 1, bias: true), w.batchNorm(p + ".1", channels: c).layer(training: true)
        ])
    }

    private let cls: Branch, reg: Branch
    private let templateGradient = TrainingBuffer()
    private let searchGradient = TrainingBuffer()

    init(channels c: Int, weights w: TrainingWeights, prefix: String) {
        let dwReg = Depthwise(w, prefix + "corr_dw_reg", channels: c)
        let pwReg = Pointwise(w, prefix + "corr_pw_reg", channels: c)
        let dwCls = Depthwise(w, prefix + "corr_dw_cls", channels: c)
        let pwCls = Pointwise(w, prefix + "corr_pw_cls", channels: c)
        func tower(_ name: String) -> [any TrainingLayer] {
            (0..<6).flatMap { u -> [any TrainingLayer] in
                let t = prefix + name + "."
                return [
                    w.conv(t + "\(5 * u)", in: c, out: c, kernel: 3, padding: 1, groups: c, bias: false),
                    w.batchNorm(t + "\(5 * u + 1)", channels: c).layer(training: true), ActivationLayer(.relu6),
                    w.conv(t + "\(5 * u + 3)", in: c, out: c, kernel: 1, bias: false),
                    w.batchNorm(t + "\(5 * u + 4)", channels: c).layer(training: true)
                ]
            }
        }
        let clsTower = tower("cls_tower")
        let bboxTower = tower("bbox_tower")
        let clsLogits = w.conv(prefix + "cls_logits.0", in: c, out: 2, kernel: 1, bias: true)
        let bboxPred = w.conv(prefix + "bbox_pred.0", in: c, out: 4, kernel: 1, bias: true)
        let positions = Self.templateSide * Self.templateSide
        let downReg = w.conv(prefix + "down_reg.0", in: c + positions, out: c, kernel: 1, bias: true)
        let downCls = w.conv(prefix + "down_cls.0", in: c + positions, out: c, kernel: 1, bias: true)
        cls = Branch(pointwise: pwCls, depthwise: dwCls, tail: [downCls] + clsTower + [clsLogits])
        reg = Branch(pointwise: pwReg, depthwise: dwReg, tail: [downReg] + bboxTower + [bboxPred, ActivationLayer(.exp)])
    }

    /// `(logits [N, 2, X-1, X-1], loc [N, 4, X-1, X-1] after exp)` for template features
    /// `[N, C, 8, 8]` and search features `[N, C, X, X]`.
    func forward(template z: TrainingBuffer, search x: TrainingBuffer) -> (cls: TrainingBuffer, loc: TrainingBuffer) {
        (cls.forward(template: z, search: x), reg.forward(template: z, search: x))
    }

    /// Both branches' gradients summed into d loss / d (template, search features).
    func backward(cls dCls: TrainingBuffer, loc dLoc: TrainingBuffer) -> (template: TrainingBuffer, search: TrainingBuffer) {
        cls.backward(dCls, dz: templateGradient, dx: searchGradient, first: true)
        reg.backward(dLoc, dz: templateGradient, dx: searchGradient, first: false)
        return (templateGradient, searchGradient)
    }
}
