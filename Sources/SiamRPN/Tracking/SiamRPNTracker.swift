// Mirrors pysot/tracker/siamrpn_tracker.py: SiamRPNTracker
import SiamNN

/// pysot's short-term SiamRPN++ tracker.
///
/// One model can serve many trackers at once (the model is stateless; the tracker holds the
/// target state, the template kernels and its buffers). A tracker itself is used from one thread
/// at a time.
public final class SiamRPNTracker {
    let core: SiameseSearch
    /// `isLost` is reported when the best score falls below this (default: the config's
    /// `TRACK.CONFIDENCE_LOW`, pysot's own "lost" level). It does not change the tracking.
    public var lostThreshold: Double

    public init(model: SiamRPNModel, track: TrackConfig, anchor: AnchorConfig = AnchorConfig(), lostThreshold: Double? = nil) {
        core = SiameseSearch(model: model, track: track, anchor: anchor)
        self.lostThreshold = lostThreshold ?? track.confidenceLow
    }

    /// Target centre and size in image pixels (pysot's `center_pos`, `size`).
    public var state: (centerX: Double, centerY: Double, width: Double, height: Double) {
        (core.centerX, core.centerY, core.width, core.height)
    }

    /// Sets the target from `box` on the first frame (centre `x + (w - 1) / 2`, as pysot).
    /// Throws `TrackerError` for a box with no area or entirely outside the image.
    public func initialize(image: Image, box: Box) throws {
        try core.initialize(image: image, box: box)
    }

    /// Tracks the target into `image` (same size as the first frame).
    public func update(image: Image) throws -> TrackResult {
        let step = try core.search(
            image: image, instanceSize: core.track.instanceSize,
            windowInfluence: core.track.windowInfluence)
        return apply(step)
    }

    func apply(_ step: SiameseSearch.Step) -> TrackResult {
        core.update(with: step.choice, bestScore: step.bestScore, lostThreshold: lostThreshold)
    }
}
