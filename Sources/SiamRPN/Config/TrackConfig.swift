// Mirrors pysot/core/config.py: __C.TRACK (read by pysot/tracker/*.py)

/// pysot `TRACK.TYPE`: which tracker pysot's `build_tracker` creates.
public enum TrackerType: String, Sendable, Equatable, CaseIterable {
    /// `SiamRPNTracker` (pysot's default): short-term tracking.
    case siamRPN = "SiamRPNTracker"
    /// `SiamRPNLTTracker`: long-term tracking; when the best score falls below
    /// `confidenceLow` the search region grows to `lostInstanceSize`.
    case siamRPNLongTerm = "SiamRPNLTTracker"
    /// `SiamMaskTracker`: needs the mask heads, which this package does not implement.
    case siamMask = "SiamMaskTracker"
}

/// pysot's `cfg.TRACK`: the hyper-parameters of the tracker (a SiamRPN tracker also reads
/// `ANCHOR`, for its anchor grid).
///
/// Defaults are pysot's `config.py` values; sizes are in pixels of the crops fed to the network.
public struct TrackConfig: Sendable, Equatable {
    /// `TRACK.TYPE`, default `SiamRPNTracker`.
    public var type: TrackerType
    /// `TRACK.PENALTY_K`, default 0.04: strength of the scale / aspect-ratio change penalty
    /// (`penalty = exp(-(r_c * s_c - 1) * penaltyK)`).
    public var penaltyK: Double
    /// `TRACK.WINDOW_INFLUENCE`, default 0.44: weight of the cosine window, in [0, 1].
    public var windowInfluence: Double
    /// `TRACK.LR`, default 0.4: interpolation rate of the box size update (times penalty * score).
    public var lr: Double
    /// `TRACK.EXEMPLAR_SIZE`, default 127: template crop side, pixels.
    public var exemplarSize: Int
    /// `TRACK.INSTANCE_SIZE`, default 255: search crop side, pixels.
    public var instanceSize: Int
    /// `TRACK.BASE_SIZE`, default 8: added to the score map side,
    /// `score_size = (instanceSize - exemplarSize) / ANCHOR.STRIDE + 1 + baseSize`.
    public var baseSize: Int
    /// `TRACK.CONTEXT_AMOUNT`, default 0.5: context margin around the target, as a fraction of
    /// `w + h`.
    public var contextAmount: Double
    /// `TRACK.LOST_INSTANCE_SIZE`, default 831: long-term tracker's search crop side when lost,
    /// pixels.
    public var lostInstanceSize: Int
    /// `TRACK.CONFIDENCE_LOW`, default 0.85: long-term tracker turns lost below this best score.
    public var confidenceLow: Double
    /// `TRACK.CONFIDENCE_HIGH`, default 0.998: long-term tracker recovers above this best score.
    public var confidenceHigh: Double
    /// `TRACK.MASK_THERSHOLD` (pysot's spelling), default 0.30: SiamMask mask binarisation
    /// threshold. Unused by the SiamRPN trackers.
    public var maskThreshold: Double
    /// `TRACK.MASK_OUTPUT_SIZE`, default 127: SiamMask mask side, pixels. Unused by SiamRPN.
    public var maskOutputSize: Int

    /// pysot's defaults, overridden by the arguments given.
    public init(
        type: TrackerType = .siamRPN,
        penaltyK: Double = 0.04,
        windowInfluence: Double = 0.44,
        lr: Double = 0.4,
        exemplarSize: Int = 127,
        instanceSize: Int = 255,
        baseSize: Int = 8,
        contextAmount: Double = 0.5,
        lostInstanceSize: Int = 831,
        confidenceLow: Double = 0.85,
        confidenceHigh: Double = 0.998,
        maskThreshold: Double = 0.30,
        maskOutputSize: Int = 127
    ) {
        self.type = type
        self.penaltyK = penaltyK
        self.windowInfluence = windowInfluence
        self.lr = lr
        self.exemplarSize = exemplarSize
        self.instanceSize = instanceSize
        self.baseSize = baseSize
        self.contextAmount = contextAmount
        self.lostInstanceSize = lostInstanceSize
        self.confidenceLow = confidenceLow
        self.confidenceHigh = confidenceHigh
        self.maskThreshold = maskThreshold
        self.maskOutputSize = maskOutputSize
    }
}

extension TrackConfig {
    /// Overrides the defaults with the keys of a `TRACK:` mapping.
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        if let (value, node) = reader.value("TYPE") {
            guard let name = value.stringValue else {
                throw reader.mismatch("TYPE", node, value, expected: "a string")
            }
            guard let known = TrackerType(rawValue: name) else {
                throw ConfigError.invalidValue(
                    source: reader.context.source, keyPath: reader.keyPath("TYPE"), found: "'\(name)'",
                    expected: "one of " + TrackerType.allCases.map(\.rawValue).joined(separator: ", "))
            }
            type = known
        }
        try reader.read("PENALTY_K", into: &penaltyK)
        try reader.read("WINDOW_INFLUENCE", into: &windowInfluence)
        try reader.read("LR", into: &lr)
        try reader.read("EXEMPLAR_SIZE", into: &exemplarSize)
        try reader.read("INSTANCE_SIZE", into: &instanceSize)
        try reader.read("BASE_SIZE", into: &baseSize)
        try reader.read("CONTEXT_AMOUNT", into: &contextAmount)
        try reader.read("LOST_INSTANCE_SIZE", into: &lostInstanceSize)
        try reader.read("CONFIDENCE_LOW", into: &confidenceLow)
        try reader.read("CONFIDENCE_HIGH", into: &confidenceHigh)
        try reader.read("MASK_THERSHOLD", into: &maskThreshold)
        try reader.read("MASK_OUTPUT_SIZE", into: &maskOutputSize)
        reader.warnUnknownKeys()
    }
}
