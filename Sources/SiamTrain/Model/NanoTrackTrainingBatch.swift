// Mirrors the batch NanoTrack's BANDataset + DataLoader hand to ModelBuilder.forward (template, search, label_cls, label_loc)
import Foundation
import SiamNN

/// One NanoTrack training batch as `.npy` files in a folder (`Tests/Fixtures/training_v2/nanotrack_v3/`
/// holds one): `template.npy` `[N, 3, Ht, Wt]` and `search.npy` `[N, 3, Hs, Ws]` (uint8 or float,
/// BGR NCHW, pixel values 0-255), `label_cls.npy` `[N, H, W]` (integers 1 / 0 / -1, NanoTrack's
/// `PointTarget`) and `label_loc.npy` `[N, 4, H, W]` (float: the l, t, r, b distances of every
/// point to the target's sides, in search-crop pixels). No `label_loc_weight`: NanoTrack's IoU
/// loss takes the positives of `label_cls`.
package struct NanoTrackTrainingBatch {
    package var template: TrainingBuffer
    package var search: TrainingBuffer
    package var labelCls: [Int]
    package var labelLoc: [Float]
    /// `[N, H, W]` of the labels.
    package var labelShape: [Int]

    package static let fileNames = ["template.npy", "search.npy", "label_cls.npy", "label_loc.npy"]

    /// Reads and checks the four files of `directory` (`TrainingBatchError` names the file at fault).
    package init(directory: URL) throws {
        func read(_ name: String) throws -> NumPyArray { try TrainingBatch.read(name, in: directory, expecting: Self.fileNames) }
        template = try TrainingBatch.images(read("template.npy"), file: "template.npy")
        search = try TrainingBatch.images(read("search.npy"), file: "search.npy")
        let n = template.batch
        guard search.batch == n else {
            throw TrainingBatchError(file: "search.npy", problem: "holds \(search.batch) images but template.npy holds \(n)")
        }
        let cls = try read("label_cls.npy")
        guard cls.shape.count == 3, cls.shape[0] == n, cls.shape.allSatisfy({ $0 > 0 }) else {
            throw TrainingBatchError(file: "label_cls.npy", problem: "has shape \(cls.shape); expected [\(n), H, W] (NanoTrack's point labels)")
        }
        let labels = cls.doubles()
        guard labels.allSatisfy({ $0 == 1 || $0 == 0 || $0 == -1 }) else {
            throw TrainingBatchError(file: "label_cls.npy", problem: "holds a value other than 1, 0 or -1")
        }
        labelCls = labels.map { Int($0) }
        labelShape = cls.shape
        let loc = try read("label_loc.npy")
        let (h, w) = (cls.shape[1], cls.shape[2])
        guard loc.shape == [n, 4, h, w] else {
            throw TrainingBatchError(file: "label_loc.npy", problem: "has shape \(loc.shape); expected [\(n), 4, \(h), \(w)] (label_cls.npy's)")
        }
        labelLoc = loc.floats()
        guard labelLoc.allSatisfy(\.isFinite) else {
            throw TrainingBatchError(file: "label_loc.npy", problem: "holds a NaN or infinite value")
        }
    }

    /// The model's batch of a loader batch (`labelShape` `[B, O, O]`; square crops).
    package init(_ batch: DatasetBatch, labelShape: [Int]) {
        let n = batch.items.count
        let ts = Int(Double(batch.items[0].template.count / 3).squareRoot().rounded())
        let ss = Int(Double(batch.items[0].search.count / 3).squareRoot().rounded())
        template = TrainingBuffer(shape: [n, 3, ts, ts], values: batch.template)
        search = TrainingBuffer(shape: [n, 3, ss, ss], values: batch.search)
        labelCls = batch.labelCls
        labelLoc = batch.labelLoc
        self.labelShape = labelShape
    }
}
