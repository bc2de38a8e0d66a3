// Mirrors pysot/tracker/siamrpnlt_tracker.py: SiamRPNLTTracker
import SiamNN

/// pysot's long-term tracker: when the best score drops below `TRACK.CONFIDENCE_LOW` it keeps
/// the last state and searches a `TRACK.LOST_INSTANCE_SIZE` (831) region with an almost flat
/// window (influence 0.001) until a score above `TRACK.CONFIDENCE_HIGH` brings it back.
/// Its state is not clipped to the image (only the reported box is).
public final class SiamRPNLTTracker {
    let core: SiameseSearch
    /// pysot's `longterm_state`: the next frame searches the enlarged region.
    public internal(set) var isLost = false

    public init(model: SiamRPNModel, track: TrackConfig, anchor: AnchorConfig = AnchorConfig()) {
        core = SiameseSearch(model: model, track: track, anchor: anchor)
    }

    public var state: (centerX: Double, centerY: Double, width: Double, height: Double) {
        (core.centerX, core.centerY, core.width, core.height)
    }

    public func initialize(image: Image, box: Box) throws {
        try core.initialize(image: image, box: box)
        isLost = false
    }

    public func update(image: Image) throws -> TrackResult {
        let t = core.track
        let step = try core.search(
            image: image, instanceSize: isLost ? t.lostInstanceSize : t.instanceSize,
            windowInfluence: isLost ? 0.001 : t.windowInfluence)
        return apply(step)
    }

    func apply(_ step: SiameseSearch.Step) -> TrackResult {
        let t = core.track
        let best = Double(step.bestScore)
        if best >= t.confidenceLow {
            (core.centerX, core.centerY, core.width, core.height) = step.choice.movedState(
                centerX: core.centerX, centerY: core.centerY, width: core.width, height: core.height)
        }
        let (cx, cy, w, h) = bboxClip(
            centerX: core.centerX, centerY: core.centerY, width: core.width, height: core.height,
            imageWidth: core.imageSize.width, imageHeight: core.imageSize.height)
        if best < t.confidenceLow {
            isLost = true
        } else if best > t.confidenceHigh {
            isLost = false
        }
        return TrackResult(box: Box(centerX: cx, centerY: cy, width: w, height: h), score: step.bestScore, isLost: isLost)
    }
}
