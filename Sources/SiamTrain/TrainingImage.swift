// Mirrors the NumPy arrays pysot/datasets/augmentation.py passes between its steps: uint8 after the
// crop, float64 once the colour augmentation subtracts its offset, float32 CHW at the end of dataset.py
import SiamNN
import SiamRPN

/// An image inside the augmentation: row-major HWC, BGR, as float64 values (`values[(y*width + x)*3 + c]`).
///
/// `isUInt8` says whether NumPy would still hold it as uint8 (only the colour augmentation turns it
/// into float64, with non-integer and possibly negative values, never clipped); it decides how a
/// blur rounds.
package struct TrainingImage: Sendable, Equatable {
    package var width: Int
    package var height: Int
    package var values: [Double]
    package var isUInt8: Bool

    package init(width: Int, height: Int, values: [Double], isUInt8: Bool) {
        precondition(values.count == width * height * 3)
        self.width = width
        self.height = height
        self.values = values
        self.isUInt8 = isUInt8
    }

    package init(_ image: Image) {
        self.init(width: image.width, height: image.height, values: image.pixels.map(Double.init), isUInt8: true)
    }

    /// `image.transpose(2, 0, 1).astype(np.float32)`: CHW, BGR channel order, float32 rounded to nearest.
    package func chwFloat32() -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        let plane = width * height
        for i in 0..<plane {
            for c in 0..<3 { out[c * plane + i] = Float(values[i * 3 + c]) }
        }
        return out
    }

    /// `chwFloat32()` as a `[1, 3, H, W]`-free `[3, H, W]` tensor.
    package func tensor() -> Tensor { Tensor(shape: [3, height, width], values: chwFloat32()) }
}
