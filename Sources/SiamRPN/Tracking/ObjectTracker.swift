/// A single-object tracker: a target box on a first frame, then one box per following frame.
public protocol ObjectTracker: AnyObject {
    /// Sets the target on the first frame. Throws `TrackerError` for an unusable box or image.
    func initialize(image: Image, box: Box) throws
    /// The target in the next frame (same size as the first).
    func update(image: Image) throws -> TrackResult
}

extension SiamRPNTracker: ObjectTracker {}
extension SiamRPNLTTracker: ObjectTracker {}

/// The tracker pysot's `build_tracker` makes for `config.track.type`, on `model`.
public func makeTracker(model: SiamRPNModel, config: PysotConfig) throws -> any ObjectTracker {
    switch config.track.type {
    case .siamRPN: return SiamRPNTracker(model: model, track: config.track, anchor: config.anchor)
    case .siamRPNLongTerm: return SiamRPNLTTracker(model: model, track: config.track, anchor: config.anchor)
    case .siamMask: throw TrackerError.unsupported("TRACK.TYPE SiamMaskTracker needs SiamMask's mask head, which is not supported")
    }
}
