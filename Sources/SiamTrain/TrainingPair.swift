// Mirrors pysot/datasets/dataset.py: TrkDataset._get_bbox and __getitem__ from the loaded images to the
// network inputs (the anchor labels and the pair sampling are separate steps)
import Foundation
import SiamRPN

/// `TrkDataset._get_bbox(image, shape)`: the target box in a 511 crop from its train.json box.
/// Only the size is used: `s_z = sqrt((w + (w+h)/2)(h + (w+h)/2))`, `w, h *= exemplarSize/s_z`,
/// centred on `(imw//2, imh//2)` (integers: (255, 255) on a 511 crop). `shape` is `[x1, y1, x2, y2]`
/// or `[w, h]`.
package func cropBox(imageWidth: Int, imageHeight: Int, shape: [Double], exemplarSize: Int = 127) -> Corner {
    precondition(shape.count == 4 || shape.count == 2)
    var (w, h) = shape.count == 4 ? (shape[2] - shape[0], shape[3] - shape[1]) : (shape[0], shape[1])
    let contextAmount = 0.5
    let wcZ = w + contextAmount * (w + h)
    let hcZ = h + contextAmount * (w + h)
    let sZ = (wcZ * hcZ).squareRoot()
    let scaleZ = Double(exemplarSize) / sZ
    w *= scaleZ
    h *= scaleZ
    return Corner(center: Center(x: Double(imageWidth / 2), y: Double(imageHeight / 2), w: w, h: h))
}

/// One training pair as `TrkDataset.__getitem__` returns it, before the labels.
package struct TrainingPair: Sendable {
    /// `[3, exemplarSize, exemplarSize]` float32 CHW BGR (raw 0..255 values shifted by the colour step).
    package var template: [Float]
    /// `[3, searchSize, searchSize]`.
    package var search: [Float]
    /// The target in the search input (`bbox`, corners): what the anchor targets are built from.
    package var searchBox: Corner
    /// The target in the template input (pysot discards it).
    package var templateBox: Corner
    package var templateAugmentation: CropAugmentation.Output
    package var searchAugmentation: CropAugmentation.Output
}

/// The sizes and augmentations of `cfg.TRAIN` / `cfg.DATASET` the item pipeline reads.
package struct PairPipeline: Sendable {
    package var exemplarSize: Int
    package var searchSize: Int
    package var template: CropAugmentation
    package var search: CropAugmentation

    package init(exemplarSize: Int = 127, searchSize: Int = 255, template: CropAugmentation, search: CropAugmentation) {
        self.exemplarSize = exemplarSize
        self.searchSize = searchSize
        self.template = template
        self.search = search
    }

    /// `__getitem__` after the pair is chosen and its crops read: `_get_bbox` on each 511 crop,
    /// the template augmentation (its draws first), then the search augmentation, both with the
    /// same `gray`, then `transpose(2, 0, 1).astype(np.float32)`.
    package func makePair<R: TrainingRandomness>(
        templateImage: Image, templateShape: [Double], searchImage: Image, searchShape: [Double], gray: Bool, random: inout R
    ) -> TrainingPair {
        let tBox = cropBox(imageWidth: templateImage.width, imageHeight: templateImage.height, shape: templateShape, exemplarSize: exemplarSize)
        let sBox = cropBox(imageWidth: searchImage.width, imageHeight: searchImage.height, shape: searchShape, exemplarSize: exemplarSize)
        let t = template(templateImage, box: tBox, size: exemplarSize, gray: gray, random: &random)
        let s = search(searchImage, box: sBox, size: searchSize, gray: gray, random: &random)
        return TrainingPair(
            template: t.image.chwFloat32(), search: s.image.chwFloat32(), searchBox: s.box, templateBox: t.box,
            templateAugmentation: t, searchAugmentation: s)
    }
}
