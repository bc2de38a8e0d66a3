// Mirrors pysot/models/head/rpn.py: UPChannelRPN, DepthwiseXCorr, DepthwiseRPN, MultiRPN
import Foundation
import SiamNN

/// One correlation branch of an RPN level, split into its template part (run once per target)
/// and its search part (run every frame).
protocol CorrelationBranch {
    /// Channels of the template-side kernel this branch produces.
    var kernelChannels: Int { get }
    /// Template features -> correlation kernel. `level` (`track.rpn`, `track.rpn2`, ...) prefixes
    /// the intermediate names, which follow pysot's module paths under the head.
    func addTemplate(to b: GraphBuilder, _ z: Graph.Value, level: String) -> Graph.Value
    /// Search features and the kernel -> branch output, named like `addTemplate`.
    func addSearch(to b: GraphBuilder, _ x: Graph.Value, kernel: Graph.Value, level: String) -> Graph.Value
}

/// pysot `DepthwiseXCorr`: Conv3x3-BN-ReLU on each side, depth-wise cross-correlation, then
/// head = Conv1x1-BN-ReLU + Conv1x1 (with bias). Intermediates (pysot modules `<kind>.conv_kernel`,
/// ...): `<level>.<kind>.conv_kernel`, `.conv_search`, `.xcorr`, `.out`.
struct DepthwiseXCorr: CorrelationBranch {
    /// `cls` or `loc`: the branch's module name in pysot's `DepthwiseRPN`.
    let kind: String
    let convKernel: Conv2D
    let convSearch: Conv2D
    let head1: Conv2D
    let head2: Conv2D

    /// `prefix` is the head's key prefix (`rpn_head.`, `rpn_head.rpn2.`); keys are under `prefix + kind`.
    init(kind: String, inChannels: Int, hidden: Int, outChannels: Int, weights: WeightReader, prefix: String) {
        self.kind = kind
        let prefix = prefix + kind + "."
        convKernel = weights.convBN(
            prefix + "conv_kernel.0", prefix + "conv_kernel.1", in: inChannels,
            out: hidden, kernel: 3, activation: .relu)
        convSearch = weights.convBN(
            prefix + "conv_search.0", prefix + "conv_search.1", in: inChannels,
            out: hidden, kernel: 3, activation: .relu)
        head1 = weights.convBN(
            prefix + "head.0", prefix + "head.1", in: hidden, out: hidden, kernel: 1,
            activation: .relu)
        head2 = weights.conv(prefix + "head.3", in: hidden, out: outChannels, kernel: 1, bias: true)
    }

    var kernelChannels: Int { convKernel.outChannels }

    func addTemplate(to b: GraphBuilder, _ z: Graph.Value, level: String) -> Graph.Value {
        b.name(b.conv(z, convKernel), "\(level).\(kind).conv_kernel")
    }

    func addSearch(to b: GraphBuilder, _ x: Graph.Value, kernel: Graph.Value, level: String) -> Graph.Value {
        let name = "\(level).\(kind)"
        let s = b.name(b.conv(x, convSearch), name + ".conv_search")
        let f = b.name(b.depthwiseXCorr(search: s, kernel: kernel), name + ".xcorr")
        return b.name(b.conv(b.conv(f, head1), head2), name + ".out")
    }
}

/// One branch of pysot `UPChannelRPN`: the template conv (3x3, bias) makes `out * C` channels that
/// become the weights of a full convolution over the search conv's (3x3, bias) output; the loc
/// branch adds a 1x1 `loc_adjust` convolution (bias). Intermediates follow pysot's flat module
/// names: `<level>.template_<kind>_conv` (template graph), `<level>.search_<kind>_conv`, then
/// `<level>.<kind>.xcorr` (the correlation) and `<level>.<kind>.out` (after `loc_adjust`; the
/// same value as `.xcorr` for cls).
struct UpChannelBranch: CorrelationBranch {
    /// `cls` or `loc`.
    let kind: String
    let templateConv: Conv2D
    let searchConv: Conv2D
    let outChannels: Int
    let adjust: Conv2D?

    var kernelChannels: Int { templateConv.outChannels }

    func addTemplate(to b: GraphBuilder, _ z: Graph.Value, level: String) -> Graph.Value {
        b.name(b.conv(z, templateConv), "\(level).template_\(kind)_conv")
    }

    func addSearch(to b: GraphBuilder, _ x: Graph.Value, kernel: Graph.Value, level: String) -> Graph.Value {
        let name = "\(level).\(kind)"
        let s = b.name(b.conv(x, searchConv), "\(level).search_\(kind)_conv")
        var out = b.name(b.xcorr(search: s, kernel: kernel, outChannels: outChannels), name + ".xcorr")
        if let adjust { out = b.conv(out, adjust) }
        return b.name(out, name + ".out")
    }
}

/// The RPN head: one (cls, loc) branch pair per feature level, combined by a (softmax-)weighted
/// sum or a plain mean (MultiRPN), or the single pair itself.
struct RPNHead {
    /// Per level: name used for intermediates (`rpn2`... or `rpn`), cls branch, loc branch.
    let levels: [(name: String, cls: any CorrelationBranch, loc: any CorrelationBranch)]
    /// Level weights for cls and loc (already softmax-ed, or 1/n each).
    let clsWeights: [Float]
    let locWeights: [Float]

    init(spec: HeadSpec, weights: WeightReader, prefix: String) {
        switch spec {
        case .depthwise(let anchors, let cin, let cout):
            levels = [
                (
                    "rpn",
                    DepthwiseXCorr(kind: "cls", inChannels: cin, hidden: cout, outChannels: 2 * anchors, weights: weights, prefix: prefix),
                    DepthwiseXCorr(kind: "loc", inChannels: cin, hidden: cout, outChannels: 4 * anchors, weights: weights, prefix: prefix)
                )
            ]
            clsWeights = [1]
            locWeights = [1]
        case .multi(let anchors, let cins, let weighted):
            levels = cins.enumerated().map { i, c in
                let p = prefix + "rpn\(i + 2)."
                return (
                    "rpn\(i + 2)",
                    DepthwiseXCorr(kind: "cls", inChannels: c, hidden: c, outChannels: 2 * anchors, weights: weights, prefix: p),
                    DepthwiseXCorr(kind: "loc", inChannels: c, hidden: c, outChannels: 4 * anchors, weights: weights, prefix: p)
                )
            }
            if weighted {
                clsWeights = softmax(weights.tensor(prefix + "cls_weight", shape: [cins.count]))
                locWeights = softmax(weights.tensor(prefix + "loc_weight", shape: [cins.count]))
            } else {
                clsWeights = [Float](repeating: 1 / Float(cins.count), count: cins.count)
                locWeights = clsWeights
            }
        case .upChannel(let anchors, let c):
            func branch(_ kind: String, _ out: Int, adjust: Bool) -> UpChannelBranch {
                UpChannelBranch(
                    kind: kind,
                    templateConv: weights.conv(prefix + "template_\(kind)_conv", in: c, out: c * out, kernel: 3, bias: true),
                    searchConv: weights.conv(prefix + "search_\(kind)_conv", in: c, out: c, kernel: 3, bias: true),
                    outChannels: out,
                    adjust: adjust ? weights.conv(prefix + "loc_adjust", in: out, out: out, kernel: 1, bias: true) : nil)
            }
            levels = [("rpn", branch("cls", 2 * anchors, adjust: false), branch("loc", 4 * anchors, adjust: true))]
            clsWeights = [1]
            locWeights = [1]
        }
    }

    /// Template side: the kernels of every branch, in order cls, loc per level.
    func addTemplate(to b: GraphBuilder, _ zs: [Graph.Value]) -> [Graph.Value] {
        precondition(zs.count == levels.count, "head has \(levels.count) levels, neck gives \(zs.count)")
        return zip(levels, zs).flatMap { level, z in
            [
                level.cls.addTemplate(to: b, z, level: "track.\(level.name)"),
                level.loc.addTemplate(to: b, z, level: "track.\(level.name)")
            ]
        }
    }

    /// Kernel channels in the order `addTemplate` returns them.
    var kernelChannels: [Int] { levels.flatMap { [$0.cls.kernelChannels, $0.loc.kernelChannels] } }

    /// Search side: (cls, loc) from the search features and the kernels.
    func addSearch(to b: GraphBuilder, _ xs: [Graph.Value], kernels: [Graph.Value]) -> (cls: Graph.Value, loc: Graph.Value) {
        precondition(xs.count == levels.count && kernels.count == 2 * levels.count, "level count mismatch")
        var cls: [Graph.Value] = []
        var loc: [Graph.Value] = []
        for (i, level) in levels.enumerated() {
            cls.append(level.cls.addSearch(to: b, xs[i], kernel: kernels[2 * i], level: "track.\(level.name)"))
            loc.append(level.loc.addSearch(to: b, xs[i], kernel: kernels[2 * i + 1], level: "track.\(level.name)"))
        }
        if levels.count == 1 { return (cls[0], loc[0]) }
        return (b.weightedSum(cls, weights: clsWeights), b.weightedSum(loc, weights: locWeights))
    }
}

/// Softmax computed in Double, rounded once to Float.
func softmax(_ x: [Float]) -> [Float] {
    let m = Double(x.max() ?? 0)
    let e = x.map { Foundation.exp(Double($0) - m) }
    let s = e.reduce(0, +)
    return e.map { Float($0 / s) }
}
