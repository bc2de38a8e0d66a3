// Mirrors pysot/datasets/augmentation.py: Augmentation (__call__, _shift_scale_aug, _crop_roi)
import Foundation
import SiamRPN

/// One branch's augmentation (`DATASET.TEMPLATE` or `DATASET.SEARCH`: `SHIFT`, `SCALE`, `BLUR`,
/// `FLIP`, `COLOR`), applied to a 511 crop exactly as pysot's `Augmentation.__call__` does:
///
/// ```
/// crop = center2corner(Center(H//2, W//2, size-1, size-1))        (rows as x: square crops)
/// gray (if asked, on the whole uint8 image)
/// scale:  sx = 1 + (2u-1)*SCALE, sy = 1 + (2u-1)*SCALE, each clamped from above to im/len; crop scaled about its centre
/// shift:  dx = (2u-1)*SHIFT, dy = ..., clamped to max(-x1, min(im_w-1-x2, d)); crop moved
/// box = (box - crop.x1y1) / (sx, sy)   (the division only if SCALE)
/// image = _crop_roi(image, crop, size): warpAffine, black border (0, 0, 0)
/// if COLOR > u: colour (randn(3, 1));  if BLUR > u: blur (choice, u);  if FLIP and FLIP > u: flip
/// ```
///
/// The draws come from `random` in that order (a colour and a blur test are drawn even when
/// COLOR or BLUR is 0; SHIFT/SCALE 0 and FLIP 0 draw nothing). The search branch's shift is the
/// paper's spatial-aware sampling.
package struct CropAugmentation: Sendable, Equatable {
    package var shift: Double
    package var scale: Double
    package var blur: Double
    package var flip: Double
    package var color: Double

    package init(shift: Double, scale: Double, blur: Double, flip: Double, color: Double) {
        self.shift = shift
        self.scale = scale
        self.blur = blur
        self.flip = flip
        self.color = color
    }

    /// A config's `DATASET.TEMPLATE` or `DATASET.SEARCH`.
    package init(_ config: SiamRPN.Augmentation) {
        self.init(shift: Double(config.shift), scale: config.scale, blur: config.blur, flip: config.flip, color: config.color)
    }

    /// What one call produced, with the intermediate geometry the fixtures record.
    package struct Output: Sendable {
        /// The `size x size` result: uint8 values unless the colour step ran (then float64).
        package var image: TrainingImage
        /// The target box in the output's pixels.
        package var box: Corner
        /// The box handed to `_crop_roi` (in the input's pixels).
        package var cropBox: Corner
        /// The scale factors drawn, before the clamp (1 when SCALE is 0).
        package var scaleBeforeClamp: (x: Double, y: Double)
    }

    /// `Augmentation.random()`: `np.random.random() * 2 - 1.0`.
    static func symmetric<R: TrainingRandomness>(_ random: inout R) -> Double { random.random() * 2 - 1.0 }

    package func callAsFunction<R: TrainingRandomness>(_ image: Image, box: Corner, size: Int, gray: Bool = false, random: inout R)
        -> Output
    {
        let initial = Corner(
            center: Center(x: Double(image.height / 2), y: Double(image.width / 2), w: Double(size - 1), h: Double(size - 1)))
        let source = gray ? PhotometricAugmentation.gray(image) : image
        var out = shiftScale(source, box: box, cropBox: initial, size: size, random: &random)
        if color > random.random() {
            out.image = PhotometricAugmentation.color(out.image, randn: random.randn3())
        }
        if blur > random.random() {
            let k = random.choice(PhotometricAugmentation.blurSizes)
            let wx = random.random()
            out.image = PhotometricAugmentation.blur(out.image, size: k, wx: wx)
        }
        if flip != 0, flip > random.random() {
            (out.image, out.box) = PhotometricAugmentation.flip(out.image, box: out.box)
        }
        return out
    }

    /// `_shift_scale_aug`: the scaled and shifted crop box, the box in the crop, the uint8 crop.
    package func shiftScale<R: TrainingRandomness>(_ image: Image, box: Corner, cropBox: Corner, size: Int, random: inout R) -> Output {
        let g = shiftScaleGeometry(imageWidth: image.width, imageHeight: image.height, box: box, cropBox: cropBox, random: &random)
        let cropped = cropHWC(image, box: g.crop, outSize: size)
        return Output(image: TrainingImage(cropped), box: g.box, cropBox: g.crop, scaleBeforeClamp: g.scaleBeforeClamp)
    }

    /// The geometry of `_shift_scale_aug` (its draws included), without the pixels.
    package func shiftScaleGeometry<R: TrainingRandomness>(
        imageWidth: Int, imageHeight: Int, box: Corner, cropBox: Corner, random: inout R
    ) -> (crop: Corner, box: Corner, scaleBeforeClamp: (x: Double, y: Double)) {
        let imH = Double(imageHeight)
        let imW = Double(imageWidth)
        var center = cropBox.center
        var scaleX = 1.0
        var scaleY = 1.0
        var before = (x: 1.0, y: 1.0)
        if scale != 0 {
            scaleX = 1.0 + Self.symmetric(&random) * scale
            scaleY = 1.0 + Self.symmetric(&random) * scale
            before = (scaleX, scaleY)
            scaleX = min(scaleX, imW / center.w)
            scaleY = min(scaleY, imH / center.h)
            center = Center(x: center.x, y: center.y, w: center.w * scaleX, h: center.h * scaleY)
        }
        var crop = Corner(center: center)
        if shift != 0 {
            var sx = Self.symmetric(&random) * shift
            var sy = Self.symmetric(&random) * shift
            sx = max(-crop.x1, min(imW - 1 - crop.x2, sx))
            sy = max(-crop.y1, min(imH - 1 - crop.y2, sy))
            crop = Corner(crop.x1 + sx, crop.y1 + sy, crop.x2 + sx, crop.y2 + sy)
        }
        var moved = Corner(box.x1 - crop.x1, box.y1 - crop.y1, box.x2 - crop.x1, box.y2 - crop.y1)
        if scale != 0 {
            moved = Corner(moved.x1 / scaleX, moved.y1 / scaleY, moved.x2 / scaleX, moved.y2 / scaleY)
        }
        return (crop, moved, before)
    }

    /// `__call__` without the pixels: the draws it makes, in order (to replay through
    /// `callAsFunction` with `RecordedDraws`), and the output box. The draw order is
    /// `callAsFunction`'s: scale and shift (geometry), the colour test and `randn(3, 1)`, the
    /// blur test, kernel choice and weight, the flip test; the flip mirrors the box in the output.
    package func plan(
        imageWidth: Int, imageHeight: Int, box: Corner, size: Int, random: inout NumPyRandomState
    ) -> (draws: [RecordedDraw], box: Corner) {
        var r = DrawRecorder(random)
        let initial = Corner(center: Center(x: Double(imageHeight / 2), y: Double(imageWidth / 2), w: Double(size - 1), h: Double(size - 1)))
        var out = shiftScaleGeometry(imageWidth: imageWidth, imageHeight: imageHeight, box: box, cropBox: initial, random: &r).box
        if color > r.random() { _ = r.randn3() }
        if blur > r.random() {
            _ = r.choice(PhotometricAugmentation.blurSizes)
            _ = r.random()
        }
        if flip != 0, flip > r.random() {
            let width = Double(size)
            out = Corner(width - 1 - out.x2, out.y1, width - 1 - out.x1, out.y2)
        }
        random = r.source
        return (r.draws, out)
    }
}
