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
    case unsupported(String)

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
        case .unsupported(let what):
            return what
        }
    }
}

extension TrackerError {
    /// Throws unless `box` can start a track on `image`: a non-empty image, a positive finite
    /// size, and some overlap with the image.
    static func checkInitialBox(_ box: Box, in image: Image) throws {
        guard image.width > 0 && image.height > 0 else { throw TrackerError.emptyImage }
        guard box.width > 0 && box.height > 0, box.width.isFinite, box.height.isFinite, box.x.isFinite, box.y.isFinite else {
            throw TrackerError.invalidBox(box, imageWidth: image.width, imageHeight: image.height,
                                          reason: "needs a positive, finite width and height")
        }
        guard box.x < Double(image.width), box.y < Double(image.height), box.x + box.width > 0, box.y + box.height > 0 else {
            throw TrackerError.invalidBox(box, imageWidth: image.width, imageHeight: image.height,
                                          reason: "lies entirely outside the image")
        }
    }
}
