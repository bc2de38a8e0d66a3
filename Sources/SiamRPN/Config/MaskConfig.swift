// Mirrors pysot/core/config.py: __C.MASK and __C.REFINE (SiamMask heads)

/// pysot's `cfg.MASK`: the SiamMask mask head. This package reads it but builds no mask head;
/// `PysotConfig.modelSpec()` rejects `mask == true`.
package struct MaskConfig: Sendable, Equatable {
    /// `MASK.MASK`, default false.
    package var mask: Bool = false
    /// `MASK.TYPE`, default "MaskCorr".
    package var type: String = "MaskCorr"
    /// `MASK.KWARGS`, default empty.
    package var kwargs: [String: ConfigValue] = [:]

    /// pysot's defaults.
    package init() {}
}

/// pysot's `cfg.REFINE`: the SiamMask refinement head (rejected by `modelSpec()` when enabled).
package struct RefineConfig: Sendable, Equatable {
    /// `REFINE.REFINE`, default false.
    package var refine: Bool = false
    /// `REFINE.TYPE`, default "Refine".
    package var type: String = "Refine"

    /// pysot's defaults.
    package init() {}
}

extension MaskConfig {
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        try reader.read("MASK", into: &mask)
        try reader.read("TYPE", into: &type)
        try reader.read("KWARGS", into: &kwargs)
        reader.warnUnknownKeys()
    }
}

extension RefineConfig {
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        try reader.read("REFINE", into: &refine)
        try reader.read("TYPE", into: &type)
        reader.warnUnknownKeys()
    }
}
