/// What a tracker reports for one frame.
public struct TrackResult: Sendable, Equatable {
    /// The target box in image pixels (0-based, top-left corner + size), clipped to the image as
    /// pysot clips it.
    public var box: Box
    /// Foreground probability of the chosen anchor (pysot's `best_score`), 0...1.
    public var score: Float
    /// Short-term tracker: `score < lostThreshold`. Long-term tracker: pysot's lost state after
    /// this frame (the next frame will search the enlarged region).
    public var isLost: Bool

    public init(box: Box, score: Float, isLost: Bool) {
        self.box = box
        self.score = score
        self.isLost = isLost
    }
}

/// Why a tracker cannot start or go on.
public enum TrackerError: Error, CustomStringConvertible, Equatable {
    case notInitialized
    case invalidBox(Box, imageWidth: Int, imageHeight: Int, reason: String)
    case emptyImage
    case imageSizeChanged(expected: (Int, Int), actual: (Int, Int))
    /// The target's crop side is not finite or beyond `SearchRegion.maxCropSide`.
    case targetSizeOutOfRange(width: Double, height: Double, cropSide: Double)
    case unsupported(String)
    /// A `MultiTracker` was given no boxes.
    case noTargets
    /// The error of target `index` (0-based) of a `MultiTracker`.
    indirect case target(index: Int, TrackerError)

    public static func == (a: TrackerError, b: TrackerError) -> Bool { a.description == b.description }

    public var description: String {
        switch self {
        case .notInitialized:
            return "the tracker has no target: call initialize(image:box:) first"
        case .invalidBox(let box, let w, let h, let reason):
            return "init box \(box) (x,y,w,h) on a \(w)x\(h) image \(reason)"
        case .emptyImage:
            return "the image is empty (0 pixels)"
        case .imageSizeChanged(let e, let a):
            return "frame size changed from \(e.0)x\(e.1) to \(a.0)x\(a.1) in the middle of the sequence"
        case .targetSizeOutOfRange(let w, let h, let side):
            return "the target size \(w)x\(h) needs a crop of \(side) pixels, beyond what any frame can hold; the track cannot go on"
        case .unsupported(let what):
            return what
        case .noTargets:
            return "no target boxes: give at least one"
        case .target(let index, let error):
            return "target \(index + 1): \(error)"
        }
    }
}

extension TrackerError {
    /// The box a tracker starts from: `box` itself, or — when `box` is wider or taller than the
    /// image — its intersection with the image (pysot's tracker state never holds such a size:
    /// `_bbox_clip` bounds it by the image after every frame, and a crop of a box far larger than
    /// the frame would not fit in memory). Throws unless `box` can start a track on `image`: a
    /// non-empty image, a positive finite size, and some overlap with the image.
    static func checkInitialBox(_ box: Box, in image: Image) throws -> Box {
        try checkInitialBox(box, imageWidth: image.width, imageHeight: image.height)
    }

    /// `checkInitialBox(_:in:)` for a frame of `imageWidth` x `imageHeight`, before any frame is
    /// decoded (to refuse a box before creating output files).
    public static func checkInitialBox(_ box: Box, imageWidth: Int, imageHeight: Int) throws -> Box {
        guard imageWidth > 0 && imageHeight > 0 else { throw TrackerError.emptyImage }
        guard box.width > 0 && box.height > 0, box.width.isFinite, box.height.isFinite, box.x.isFinite, box.y.isFinite else {
            throw TrackerError.invalidBox(
                box, imageWidth: imageWidth, imageHeight: imageHeight,
                reason: "needs a positive, finite width and height")
        }
        guard box.x < Double(imageWidth), box.y < Double(imageHeight), box.x + box.width > 0, box.y + box.height > 0 else {
            throw TrackerError.invalidBox(
                box, imageWidth: imageWidth, imageHeight: imageHeight,
                reason: "lies entirely outside the image")
        }
        return box.clippedForTracking(imageWidth: imageWidth, imageHeight: imageHeight)
    }
}

extension Box {
    /// The box a tracker starts from on an `imageWidth` x `imageHeight` frame: the box itself
    /// when it is no wider and no taller than the frame (pysot's behaviour, whatever part of it
    /// lies outside), otherwise its intersection with the frame. Trackers apply this in
    /// `initialize`; callers compare with it to tell the user that a box was clipped.
    public func clippedForTracking(imageWidth: Int, imageHeight: Int) -> Box {
        let frameWidth = Double(imageWidth)
        let frameHeight = Double(imageHeight)
        guard width > frameWidth || height > frameHeight else { return self }
        let x0 = max(x, 0)
        let y0 = max(y, 0)
        let x1 = min(x + width, frameWidth)
        let y1 = min(y + height, frameHeight)
        return Box(x: x0, y: y0, width: max(x1 - x0, 0), height: max(y1 - y0, 0))
    }
}
