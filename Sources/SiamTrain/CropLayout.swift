// Mirrors pysot training_dataset/vid/par_crop.py (crop_video's file names) and pysot/datasets/dataset.py
// (SubDataset.path_format, get_image_anno): where pysot's training crops live
import Foundation

/// pysot's crop folder: `<root>/<video>/<frame %06d>.<track>.x.jpg` (the 511 search crop, which
/// training reads for the template too) and `.z.jpg` (the 127 template crop, written by the crop
/// scripts but not read by pysot's `TrkDataset`). A dataset config's `ROOT` is such a folder
/// (`training_dataset/vid/crop511`) and its `ANNO` the matching `train.json`.
package struct CropLayout: Sendable {
    package var root: URL

    package init(root: URL) { self.root = root }

    /// `'{:06d}.{:02d}.x.jpg'.format(frame, track)` as par_crop.py names it (`.z.jpg` for the template).
    package static func fileName(frame: Int, track: Int, kind: CropKind) -> String {
        "\(padded(frame, 6)).\(padded(track, 2)).\(kind.rawValue).jpg"
    }

    /// The crop file `get_image_anno` opens: `<root>/<video>/<frame %06d>.<track key>.x.jpg`, the
    /// track key as train.json spells it (`"00"`).
    package func url(video: String, track: String, frame: Int, kind: CropKind = .search) -> URL {
        root.appendingPathComponent(video).appendingPathComponent("\(Self.padded(frame, 6)).\(track).\(kind.rawValue).jpg")
    }

    /// `%0Nd` (a minus sign before the zeros, as Python writes negative numbers).
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let zeros = String(repeating: "0", count: max(0, width - digits.count - (value < 0 ? 1 : 0)))
        return (value < 0 ? "-" : "") + zeros + digits
    }
}

/// Which of the two crops of a frame.
package enum CropKind: String, Sendable {
    /// The 511 search-size crop (`x`).
    case search = "x"
    /// The 127 exemplar crop (`z`).
    case exemplar = "z"
}
