// Mirrors pysot/core/config.py: __C.RPN (the head, built by pysot/models/model_builder.py)

/// pysot's `cfg.RPN`: the region proposal head.
public struct RPNConfig: Sendable, Equatable {
    /// `RPN.TYPE`, default "MultiRPN" (or "DepthwiseRPN", "UPChannelRPN").
    public var type: String = "MultiRPN"
    /// `RPN.KWARGS`, default empty: `anchor_num`, `in_channels`, `out_channels`, `feature_in`,
    /// `weighted`.
    public var kwargs: [String: ConfigValue] = [:]

    /// pysot's defaults.
    public init() {}
}

extension RPNConfig {
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        try reader.read("TYPE", into: &type)
        try reader.read("KWARGS", into: &kwargs)
        reader.warnUnknownKeys()
    }
}
