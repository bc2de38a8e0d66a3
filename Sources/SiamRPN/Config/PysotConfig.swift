// Mirrors pysot/core/config.py: the `cfg` tree (yacs CfgNode) and its defaults.

/// A pysot experiment configuration (`experiments/<name>/config.yaml` merged over pysot's
/// `config.py` defaults), as typed Swift values. A plain value: pass it where it is needed.
///
/// Load one with `PysotConfig.load(contentsOf:)` or `PysotConfig(yaml:)`; `PysotConfig()` is
/// pysot's defaults. A tracker reads `track` and `anchor`; the network is described by
/// `modelSpec()`.
public struct PysotConfig: Sendable, Equatable {
    /// `META_ARC`, default "siamrpn_r50_l234_dwxcorr": the experiment's name (informational).
    public var metaArc: String = "siamrpn_r50_l234_dwxcorr"
    /// `CUDA`, default true (ignored here: everything runs on the CPU).
    public var cuda: Bool = true
    /// `TRAIN`.
    package var train = TrainConfig()
    /// `DATASET`.
    package var dataset = DatasetConfig()
    /// `BACKBONE`.
    public var backbone = BackboneConfig()
    /// `ADJUST` (the neck).
    public var adjust = AdjustConfig()
    /// `RPN` (the head).
    public var rpn = RPNConfig()
    /// `MASK` (SiamMask, unsupported).
    package var mask = MaskConfig()
    /// `REFINE` (SiamMask, unsupported).
    package var refine = RefineConfig()
    /// `ANCHOR`.
    public var anchor = AnchorConfig()
    /// `TRACK`: the tracker's hyper-parameters (its anchor grid comes from `anchor`).
    public var track = TrackConfig()

    /// Where the values came from (a file path, `<yaml string>`, or `<defaults>`); error
    /// messages name it.
    public var source: String = "<defaults>"
    /// One line per key in the YAML that pysot does not declare, in file order, e.g.
    /// "unknown key BACKBONE.CHANNELS (ignored; pysot's config.py does not declare it)".
    /// Unknown keys never fail a load (pysot's own loader would raise a KeyError).
    public var warnings: [String] = []

    /// pysot's defaults (an empty `config.yaml`).
    public init() {}
}
