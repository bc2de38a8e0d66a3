// Mirrors pysot/models/head/rpn.py: UPChannelRPN (the training forward)
import SiamNN

/// pysot's `UPChannelRPN(anchor_num, feature_in)` for training, under `prefix` (`rpn_head.`):
/// `template_cls_conv` 3x3 C -> 2A*C and `template_loc_conv` 3x3 C -> 4A*C on the template
/// features (the correlation kernels), `search_cls_conv` / `search_loc_conv` 3x3 C -> C on the
/// search features, `cls = xcorr_fast(search_cls, cls_kernel)`, `loc = loc_adjust(xcorr_fast(
/// search_loc, loc_kernel))` with `loc_adjust` 1x1 4A -> 4A. Every convolution has a bias; no
/// BatchNorm, no activation. One level.
final class UPChannelRPNTraining: RPNHeadTraining {
    private let templateCls: ConvolutionLayer
    private let templateLoc: ConvolutionLayer
    private let searchCls: ConvolutionLayer
    private let searchLoc: ConvolutionLayer
    private let locAdjust: ConvolutionLayer
    private let clsCorrelation = FullCorrelationLayer()
    private let locCorrelation = FullCorrelationLayer()
    /// The template (search) features feed two convolutions: their input gradients are summed.
    private let templateGradient = ResidualAddLayer()
    private let searchGradient = ResidualAddLayer()

    init(anchorNum a: Int, featureIn c: Int, weights: TrainingWeights, prefix: String) {
        func conv(_ name: String, out: Int, in cin: Int, kernel: Int) -> ConvolutionLayer {
            weights.conv(prefix + name, in: cin, out: out, kernel: kernel, bias: true)
        }
        templateCls = conv("template_cls_conv", out: c * 2 * a, in: c, kernel: 3)
        templateLoc = conv("template_loc_conv", out: c * 4 * a, in: c, kernel: 3)
        searchCls = conv("search_cls_conv", out: c, in: c, kernel: 3)
        searchLoc = conv("search_loc_conv", out: c, in: c, kernel: 3)
        locAdjust = conv("loc_adjust", out: 4 * a, in: 4 * a, kernel: 1)
    }

    var batchNorms: [BatchNormLayer] { [] }

    func forward(templates: [TrainingBuffer], searches: [TrainingBuffer]) -> (cls: TrainingBuffer, loc: TrainingBuffer) {
        precondition(templates.count == 1 && searches.count == 1, "UPChannelRPN has one level")
        let clsKernel = templateCls.forward(templates[0])
        let locKernel = templateLoc.forward(templates[0])
        let clsFeature = searchCls.forward(searches[0])
        let locFeature = searchLoc.forward(searches[0])
        let cls = clsCorrelation.forward(search: clsFeature, kernel: clsKernel)
        let loc = locAdjust.forward(locCorrelation.forward(search: locFeature, kernel: locKernel))
        return (cls, loc)
    }

    func backward(cls: TrainingBuffer, loc: TrainingBuffer) -> (templates: [TrainingBuffer], searches: [TrainingBuffer]) {
        locCorrelation.backward(locAdjust.backward(loc))
        clsCorrelation.backward(cls)
        let dz = templateGradient.forward(
            templateCls.backward(clsCorrelation.kernelGradient), templateLoc.backward(locCorrelation.kernelGradient))
        let dx = searchGradient.forward(searchCls.backward(clsCorrelation.searchGradient), searchLoc.backward(locCorrelation.searchGradient))
        return ([dz], [dx])
    }

    /// 3x3 valid convolutions on both features, then the correlation: `x - z + 1`.
    func outputSide(template: [Int], search: [Int]) -> Int? {
        guard template.count == 1, search.count == 1, template[0] > 2, search[0] >= template[0] else { return nil }
        return search[0] - template[0] + 1
    }
}
