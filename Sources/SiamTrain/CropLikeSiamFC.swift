// Mirrors pysot training_dataset/vid/par_crop.py: crop_hwc, pos_s_2_bbox, crop_like_SiamFC
// (the same functions in training_dataset/{det,coco,yt_bb}/par_crop.py)
import Foundation
import SiamRPN

/// The geometry of `crop_like_SiamFC` for one target box (corners in the frame).
///
/// ```
/// target_pos  = ((x1+x2)/2, (y1+y2)/2)          (no -1, unlike the tracker's (w-1)/2)
/// wc_z = h + 0.5(w+h); hc_z = w + 0.5(w+h)      (w/h swapped in pysot; the product is the same)
/// s_z = sqrt(wc_z*hc_z); scale_z = 127/s_z; s_x = s_z + 2*((511-127)/2)/scale_z
/// crop box of side s = [cx - s/2, cy - s/2, cx + s/2, cy + s/2]
/// ```
package struct SiamFCCropGeometry: Sendable, Equatable {
    package var targetPosition: (x: Double, y: Double)
    package var targetSize: (w: Double, h: Double)
    /// The template's context side (127 px in the crop).
    package var sZ: Double
    package var scaleZ: Double
    /// The search side (`instanceSize` px in the crop).
    package var sX: Double
    package var exemplarBox: Corner
    package var instanceBox: Corner

    package init(box: Corner, contextAmount: Double = 0.5, exemplarSize: Int = 127, instanceSize: Int = 511) {
        targetPosition = ((box.x2 + box.x1) / 2, (box.y2 + box.y1) / 2)
        targetSize = (box.x2 - box.x1, box.y2 - box.y1)
        let sum = targetSize.w + targetSize.h
        let wcZ = targetSize.h + contextAmount * sum
        let hcZ = targetSize.w + contextAmount * sum
        sZ = (wcZ * hcZ).squareRoot()
        scaleZ = Double(exemplarSize) / sZ
        let dSearch = Double(instanceSize - exemplarSize) / 2
        let pad = dSearch / scaleZ
        sX = sZ + 2 * pad
        exemplarBox = Self.box(around: targetPosition, side: sZ)
        instanceBox = Self.box(around: targetPosition, side: sX)
    }

    /// `pos_s_2_bbox`.
    static func box(around p: (x: Double, y: Double), side s: Double) -> Corner {
        Corner(p.x - s / 2, p.y - s / 2, p.x + s / 2, p.y + s / 2)
    }

    package static func == (l: Self, r: Self) -> Bool {
        l.targetPosition == r.targetPosition && l.targetSize == r.targetSize && l.sZ == r.sZ && l.scaleZ == r.scaleZ
            && l.sX == r.sX && l.exemplarBox == r.exemplarBox && l.instanceBox == r.instanceBox
    }
}

/// `crop_hwc(image, bbox, out_sz, padding)`: the affine map that sends `box.x1` to pixel 0 and
/// `box.x2` to pixel `outSize - 1` (`a = (out-1)/(x2-x1)`, `c = -a*x1`; the same for y), applied
/// with `cv2.warpAffine` semantics and `padding` as the border (see `warpAffineLinear`).
/// pysot's `Augmentation._crop_roi` is the same function.
package func cropHWC(_ image: Image, box: Corner, outSize: Int, padding: [Double] = [0, 0, 0]) -> Image {
    warpAffineLinear(image, matrix: cropMatrix(box: box, outSize: outSize), width: outSize, height: outSize, borderValue: padding)
}

/// The forward matrix `[a, 0, c, 0, b, d]` of `crop_hwc` / `_crop_roi` (float64).
package func cropMatrix(box: Corner, outSize: Int) -> [Double] {
    let a = Double(outSize - 1) / (box.x2 - box.x1)
    let b = Double(outSize - 1) / (box.y2 - box.y1)
    return [a, 0, -a * box.x1, 0, b, -b * box.y1]
}

/// `crop_like_SiamFC(image, bbox, context_amount=0.5, exemplar_size=127, instanc_size, padding)`:
/// the template crop `z` (`exemplarSize` square, side `s_z` in the frame) and the search crop `x`
/// (`instanceSize` square, side `s_x`), both centred on the box, padded with `padding`
/// (par_crop.py passes the frame's float channel mean, `np.mean(im, axis=(0, 1))`, BGR).
package func cropLikeSiamFC(
    _ image: Image, box: Corner, contextAmount: Double = 0.5, exemplarSize: Int = 127, instanceSize: Int = 511,
    padding: [Double]
) -> (z: Image, x: Image, geometry: SiamFCCropGeometry) {
    let g = SiamFCCropGeometry(box: box, contextAmount: contextAmount, exemplarSize: exemplarSize, instanceSize: instanceSize)
    let z = cropHWC(image, box: g.exemplarBox, outSize: exemplarSize, padding: padding)
    let x = cropHWC(image, box: g.instanceBox, outSize: instanceSize, padding: padding)
    return (z, x, g)
}
