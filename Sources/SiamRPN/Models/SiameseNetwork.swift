// Mirrors pysot/models/model_builder.py (ModelBuilder.template / ModelBuilder.track) and
// NanoTrack's nanotrack/models/model_builder.py, which share this two-branch shape
import SiamNN

/// A Siamese tracking network with its weights, split the way pysot's `ModelBuilder` is used:
/// a **template branch** run once per target on the exemplar crop `z`, and a **search branch**
/// run on every frame's search crop `x` against the template's correlation kernels.
///
/// Both families conform: `SiamRPNModel` (pysot's SiamRPN++: anchors, `cls` `[1, 2A, S, S]`,
/// `loc` `[1, 4A, S, S]` deltas) and `NanoTrackModel` (NanoTrack: anchor-free, `cls`
/// `[1, 2, S, S]`, `loc` `[1, 4, S, S]` distances). Trackers, `forward` and benchmarks are
/// written once against this interface; only the decoding of `cls`/`loc` differs per family.
///
/// Inputs are `[1, 3, H, W]` tensors of raw 0...255 **BGR** values (no normalisation). A network
/// holds no state: it is immutable and `Sendable`, and any number of trackers on any number of
/// threads can share one. Each caller owns the `Workspace`s (activation memory) it runs in.
public protocol SiameseNetwork: Sendable {
    /// z `[3, h, w]` -> one correlation kernel per head branch (the template graph's outputs).
    var templateGraph: Graph { get }
    /// x `[3, H, W]` (input 0) and the kernels (inputs 1...) -> `cls`, `loc`.
    var searchGraph: Graph { get }
    /// A short human description, e.g. "ResNet-50 (layers 2,3,4) + AdjustAllLayer + MultiRPN (weighted)".
    var architecture: String { get }
}

extension SiameseNetwork {
    /// A plan of the template branch for an `h` x `w` template crop.
    /// Throws `PlanError` when the crop is too small for the network.
    public func templatePlan(height h: Int, width w: Int) throws -> Plan {
        try Plan(graph: templateGraph, inputSizes: [[h, w]])
    }

    /// A plan of the search branch for an `h` x `w` search crop and `template`'s kernel sizes.
    /// Throws `PlanError` when the crop is too small for the kernels.
    public func searchPlan(height h: Int, width w: Int, template: TemplateFeatures) throws -> Plan {
        try Plan(graph: searchGraph, inputSizes: [[h, w]] + template.kernels.map { Array($0.shape.suffix(2)) })
    }

    /// Runs the template branch on `z` (`[1, 3, h, w]`) in a workspace of its own.
    public func templateFeatures(_ z: Tensor) throws -> TemplateFeatures {
        let ws = Workspace(plan: try templatePlan(height: z.shape[z.shape.count - 2], width: z.shape[z.shape.count - 1]))
        return templateFeatures(z, workspace: ws)
    }

    /// Runs the template branch in a caller-owned workspace of a `templatePlan`.
    public func templateFeatures(_ z: Tensor, workspace: Workspace) -> TemplateFeatures {
        workspace.setInput(0, z)
        workspace.run()
        return TemplateFeatures(kernels: templateGraph.outputValues.map { workspace.tensor($0) })
    }

    /// Runs the search branch on `x` (`[1, 3, H, W]`) against `template` in a workspace of its own.
    public func track(_ x: Tensor, template: TemplateFeatures) throws -> (cls: Tensor, loc: Tensor) {
        let ws = Workspace(plan: try searchPlan(height: x.shape[x.shape.count - 2], width: x.shape[x.shape.count - 1], template: template))
        return track(x, template: template, workspace: ws)
    }

    /// Runs the search branch in a caller-owned workspace of a `searchPlan` (allocates only the
    /// two result tensors).
    public func track(_ x: Tensor, template: TemplateFeatures, workspace: Workspace) -> (cls: Tensor, loc: Tensor) {
        workspace.setInput(0, x)
        setKernels(template, in: workspace)
        workspace.run()
        let out = searchGraph.outputValues
        return (workspace.tensor(out[0]), workspace.tensor(out[1]))
    }

    /// Copies `template`'s kernels into a search workspace's inputs 1...; a tracker does this
    /// once per target and then writes only the search crop (input 0) per frame.
    public func setKernels(_ template: TemplateFeatures, in workspace: Workspace) {
        for (i, k) in template.kernels.enumerated() { workspace.setInput(i + 1, k) }
    }
}

/// The per-target output of the template branch: one correlation kernel per head branch, in
/// the order of the search graph's kernel inputs.
public struct TemplateFeatures: Sendable {
    public let kernels: [Tensor]

    public init(kernels: [Tensor]) {
        self.kernels = kernels
    }
}
