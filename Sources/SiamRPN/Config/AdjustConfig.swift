// Mirrors pysot/core/config.py: __C.ADJUST (the neck, built by pysot/models/model_builder.py)

/// pysot's `cfg.ADJUST`: the neck between backbone and RPN head.
public struct AdjustConfig: Sendable, Equatable {
    /// `ADJUST.ADJUST`, default true: whether there is a neck at all.
    public var adjust: Bool = true
    /// `ADJUST.KWARGS`, default empty: `in_channels`, `out_channels`, `center_size`.
    public var kwargs: [String: ConfigValue] = [:]
    /// `ADJUST.TYPE`, default "AdjustAllLayer" (or "AdjustLayer").
    public var type: String = "AdjustAllLayer"

    /// pysot's defaults.
    public init() {}
}

extension AdjustConfig {
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        try reader.read("ADJUST", into: &adjust)
        try reader.read("KWARGS", into: &kwargs)
        try reader.read("TYPE", into: &type)
        reader.warnUnknownKeys()
    }
}
