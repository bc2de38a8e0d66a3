// Mirrors pysot/core/config.py: __C.ANCHOR (read by pysot/utils/anchor.py and the trackers)

/// pysot's `cfg.ANCHOR`: the anchor grid of the RPN head.
public struct AnchorConfig: Sendable, Equatable {
    /// `ANCHOR.STRIDE`, default 8: anchor spacing in search-crop pixels.
    public var stride: Int = 8
    /// `ANCHOR.RATIOS`, default [0.33, 0.5, 1, 2, 3]: aspect ratios (h / w).
    public var ratios: [Double] = [0.33, 0.5, 1, 2, 3]
    /// `ANCHOR.SCALES`, default [8]: anchor sides in units of `stride`.
    public var scales: [Double] = [8]
    /// `ANCHOR.ANCHOR_NUM`, default 5 (pysot computes `len(RATIOS) * len(SCALES)` once from its
    /// defaults; a config that changes RATIOS must set it too, which `modelSpec()` checks).
    public var anchorNum: Int = 5

    /// pysot's defaults.
    public init() {}
}

extension AnchorConfig {
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        try reader.read("STRIDE", into: &stride)
        try reader.read("RATIOS", into: &ratios)
        try reader.read("SCALES", into: &scales)
        try reader.read("ANCHOR_NUM", into: &anchorNum)
        reader.warnUnknownKeys()
    }
}
