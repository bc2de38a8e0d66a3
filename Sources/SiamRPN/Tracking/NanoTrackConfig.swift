// Mirrors NanoTrack nanotrack/core/config.py (TRACK, POINT) with models/config/configv3.yaml
/// NanoTrack's tracker settings; the defaults are NanoTrackV3's (`configv3.yaml` over NanoTrack's
/// defaults). `BASE_SIZE` is absent: the tracker does not use it (the score map side is
/// `outputSize`).
public struct NanoTrackConfig: Sendable, Equatable {
    /// `TRACK.PENALTY_K`: strength of the scale/aspect-change penalty.
    public var penaltyK: Double
    /// `TRACK.WINDOW_INFLUENCE`: weight of the cosine window in the final score.
    public var windowInfluence: Double
    /// `TRACK.LR`: size smoothing (times the penalised score of the chosen point).
    public var lr: Double
    /// `TRACK.EXEMPLAR_SIZE`: template crop side (the V3 head needs 127).
    public var exemplarSize: Int
    /// `TRACK.INSTANCE_SIZE`: search crop side.
    public var instanceSize: Int
    /// `TRACK.OUTPUT_SIZE`: score map side S (15 for V3; the network's output must match).
    public var outputSize: Int
    /// `POINT.STRIDE`: search-crop pixels between neighbouring points.
    public var pointStride: Int
    /// `TRACK.CONTEXT_AMOUNT`: context added around the target for the crops.
    public var contextAmount: Double

    public init(
        penaltyK: Double = 0.138, windowInfluence: Double = 0.455, lr: Double = 0.348,
        exemplarSize: Int = 127, instanceSize: Int = 255, outputSize: Int = 15, pointStride: Int = 16,
        contextAmount: Double = 0.5
    ) {
        self.penaltyK = penaltyK
        self.windowInfluence = windowInfluence
        self.lr = lr
        self.exemplarSize = exemplarSize
        self.instanceSize = instanceSize
        self.outputSize = outputSize
        self.pointStride = pointStride
        self.contextAmount = contextAmount
    }

    /// NanoTrackV3 (`configv3.yaml`): the defaults.
    public static let v3 = NanoTrackConfig()
}
