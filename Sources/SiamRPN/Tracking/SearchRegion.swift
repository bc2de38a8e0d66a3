// Mirrors pysot/tracker/siamrpn_tracker.py (s_z, scale_z, s_x in init and track), which
// NanoTrack's nanotrack/tracker/nano_tracker.py repeats
/// The crop geometry every Siamese tracker here shares, for a target of `width` x `height`
/// image pixels with context `p = contextAmount * (width + height)`:
///
/// - template side (at `initialize`): `round(sqrt((w + p)(h + p)))`, half to even (numpy's
///   `round`), cropped around the centre and resized to `exemplarSize`;
/// - per search: `s_z = sqrt((w + p)(h + p))` (unrounded), `scale_z = exemplarSize / s_z`,
///   `s_x = s_z * instanceSize / exemplarSize`, crop side `round(s_x)`, resized to
///   `instanceSize`.
///
/// Sides are checked before any crop is made: a side that rounds to 0, or that is not finite
/// or beyond `maxCropSide` (a target size no tracker state can reach from a box that fits the
/// image) throws `TrackerError` instead of trapping.
struct SearchRegion: Equatable {
    /// The context region's side before rounding (`s_z`), image pixels.
    var sZ: Double
    /// `exemplarSize / s_z`: image pixels to template/search-crop pixels.
    var scaleZ: Double
    /// The search region's side before rounding (`s_x`), image pixels.
    var sX: Double
    /// The search crop's side in image pixels, `round(s_x)` half to even.
    var cropSize: Int

    /// Crop sides above this are refused: 2^24 pixels, far beyond what a box inside a real frame
    /// gives (a 4K frame filled by the target: about 5 * 10^4 for an 831 long-term search).
    static let maxCropSide = Double(1 << 24)

    init(width: Double, height: Double, contextAmount: Double, exemplarSize: Int, instanceSize: Int) throws {
        sZ = Self.contextSide(width: width, height: height, contextAmount: contextAmount)
        scaleZ = Double(exemplarSize) / sZ
        sX = sZ * (Double(instanceSize) / Double(exemplarSize))
        let side = sX.rounded(.toNearestOrEven)
        guard side.isFinite, side >= 1, side <= Self.maxCropSide else {
            throw TrackerError.targetSizeOutOfRange(width: width, height: height, cropSide: sX)
        }
        cropSize = Int(side)
    }

    /// `sqrt((w + p)(h + p))` with `p = contextAmount * (w + h)`.
    static func contextSide(width: Double, height: Double, contextAmount: Double) -> Double {
        let context = contextAmount * (width + height)
        return ((width + context) * (height + context)).squareRoot()
    }

    /// The template crop's side for `box` at `initialize` (rounded half to even).
    /// Throws `TrackerError.invalidBox` when it rounds to 0 pixels.
    static func templateSide(for box: Box, contextAmount: Double, imageWidth: Int, imageHeight: Int) throws -> Int {
        let side = contextSide(width: box.width, height: box.height, contextAmount: contextAmount).rounded(.toNearestOrEven)
        guard side >= 1 else {
            throw TrackerError.invalidBox(
                box, imageWidth: imageWidth, imageHeight: imageHeight,
                reason: "is too small: its template region rounds to 0 pixels")
        }
        guard side <= maxCropSide else {
            throw TrackerError.targetSizeOutOfRange(width: box.width, height: box.height, cropSide: side)
        }
        return Int(side)
    }
}

/// pysot's `_bbox_clip`: the centre into [0, W] x [0, H], the size into [10, W] x [10, H].
func bboxClip(
    centerX cx: Double, centerY cy: Double, width w: Double, height h: Double,
    imageWidth: Int, imageHeight: Int
) -> (centerX: Double, centerY: Double, width: Double, height: Double) {
    let maxX = Double(imageWidth)
    let maxY = Double(imageHeight)
    return (max(0, min(cx, maxX)), max(0, min(cy, maxY)), max(10, min(w, maxX)), max(10, min(h, maxY)))
}
