// Mirrors the batch pysot's TrkDataset + DataLoader hand to ModelBuilder.forward (template, search, label_cls, label_loc, label_loc_weight)
import Foundation
import SiamNN

/// One training batch as `.npy` files in a folder, as `Tests/Fixtures/training/` holds it:
/// `template.npy` `[N, 3, Ht, Wt]` and `search.npy` `[N, 3, Hs, Ws]` (uint8 or float, BGR NCHW,
/// pixel values 0-255), `label_cls.npy` `[N, A, H, W]` (integers 1 / 0 / -1),
/// `label_loc.npy` `[N, 4, A, H, W]` and `label_loc_weight.npy` `[N, A, H, W]` (float).
package struct TrainingBatch {
    package var template: TrainingBuffer
    package var search: TrainingBuffer
    package var labelCls: [Int]
    package var labelLoc: [Float]
    package var labelLocWeight: [Float]
    /// `[N, A, H, W]` of the labels.
    package var labelShape: [Int]

    package static let fileNames = ["template.npy", "search.npy", "label_cls.npy", "label_loc.npy", "label_loc_weight.npy"]

    /// Reads and checks the five files of `directory` (`TrainingBatchError` names the file at fault).
    package init(directory: URL) throws {
        func read(_ name: String) throws -> NumPyArray { try Self.read(name, in: directory, expecting: Self.fileNames) }
        func images(_ name: String) throws -> TrainingBuffer { try Self.images(read(name), file: name) }
        template = try images("template.npy")
        search = try images("search.npy")
        let n = template.batch
        guard search.batch == n else {
            throw TrainingBatchError(file: "search.npy", problem: "holds \(search.batch) images but template.npy holds \(n)")
        }
        let cls = try read("label_cls.npy")
        guard cls.shape.count == 4, cls.shape[0] == n, cls.shape.allSatisfy({ $0 > 0 }) else {
            throw TrainingBatchError(file: "label_cls.npy", problem: "has shape \(cls.shape); expected [\(n), A, H, W]")
        }
        let labels = cls.doubles()
        guard labels.allSatisfy({ $0 == 1 || $0 == 0 || $0 == -1 }) else {
            throw TrainingBatchError(file: "label_cls.npy", problem: "holds a value other than 1, 0 or -1")
        }
        labelCls = labels.map { Int($0) }
        labelShape = cls.shape
        let loc = try read("label_loc.npy")
        let (a, h, w) = (cls.shape[1], cls.shape[2], cls.shape[3])
        guard loc.shape == [n, 4, a, h, w] else {
            throw TrainingBatchError(file: "label_loc.npy", problem: "has shape \(loc.shape); expected [\(n), 4, \(a), \(h), \(w)] (label_cls.npy's)")
        }
        labelLoc = loc.floats()
        let weight = try read("label_loc_weight.npy")
        guard weight.shape == cls.shape else {
            throw TrainingBatchError(file: "label_loc_weight.npy", problem: "has shape \(weight.shape); expected \(cls.shape) (label_cls.npy's)")
        }
        labelLocWeight = weight.floats()
        guard labelLoc.allSatisfy(\.isFinite) && labelLocWeight.allSatisfy(\.isFinite) else {
            throw TrainingBatchError(file: "label_loc.npy / label_loc_weight.npy", problem: "holds a NaN or infinite value")
        }
    }
}

extension TrainingBatch {
    /// Reads `directory/name` (`TrainingBatchError` when it is missing, saying a batch folder
    /// holds `expecting`, or not a `.npy` file).
    static func read(_ name: String, in directory: URL, expecting: [String]) throws -> NumPyArray {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingBatchError(file: url.path, problem: "is missing; a batch folder holds \(expecting.joined(separator: ", "))")
        }
        do {
            return try NumPyArray(contentsOf: url)
        } catch {
            throw TrainingBatchError(file: url.path, problem: "is not a readable .npy file (\(error))")
        }
    }

    /// `[N, 3, H, W]` uint8 or float finite pixels of `file`.
    static func images(_ a: NumPyArray, file name: String) throws -> TrainingBuffer {
        guard a.shape.count == 4, a.shape[1] == 3, a.shape.allSatisfy({ $0 > 0 }) else {
            throw TrainingBatchError(file: name, problem: "has shape \(a.shape); expected [N, 3, H, W] (BGR NCHW)")
        }
        guard [.uint8, .float32, .float64, .float16].contains(a.dtype) else {
            throw TrainingBatchError(file: name, problem: "holds \(a.dtype); expected uint8 or float pixels")
        }
        let v = a.floats()
        guard v.allSatisfy(\.isFinite) else { throw TrainingBatchError(file: name, problem: "holds a NaN or infinite pixel") }
        return TrainingBuffer(shape: a.shape, values: v)
    }

    /// The model's batch of a loader batch (`labelShape` `[B, A, O, O]`).
    package init(_ batch: DatasetBatch, labelShape: [Int]) {
        let n = batch.items.count
        let t = batch.items[0].template.count / 3
        let s = batch.items[0].search.count / 3
        let ts = Int(Double(t).squareRoot().rounded())
        let ss = Int(Double(s).squareRoot().rounded())
        template = TrainingBuffer(shape: [n, 3, ts, ts], values: batch.template)
        search = TrainingBuffer(shape: [n, 3, ss, ss], values: batch.search)
        labelCls = batch.labelCls
        labelLoc = batch.labelLoc
        labelLocWeight = batch.labelLocWeight
        self.labelShape = labelShape
    }
}

/// A batch file that is missing or does not fit the others.
package struct TrainingBatchError: Error, CustomStringConvertible, Equatable {
    package var file: String
    package var problem: String

    package var description: String { "batch file \(file) \(problem)" }
}
