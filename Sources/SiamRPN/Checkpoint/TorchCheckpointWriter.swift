// Mirrors torch.save's ZIP format (PyTorch 1.6+, the files pysot's tools/train.py snapshots)
import Foundation

/// Writes a PyTorch checkpoint that `torch.load` (also with `weights_only=True`) and pysot read:
/// ZIP entries `archive/data.pkl` (the pickled object), `archive/byteorder` ("little"),
/// `archive/data/<key>` (one float32 or int64 storage per tensor, keys "0", "1", ... in pickle
/// order) and `archive/version` ("3").
package enum TorchCheckpointWriter {
    /// A tensor to store: float32 values, or int64 ones (e.g. BatchNorm's `num_batches_tracked`).
    package struct TensorData {
        package var shape: [Int]
        package var values: [Float]
        package var isInteger: Bool

        package init(shape: [Int], values: [Float], isInteger: Bool = false) {
            precondition(shape.reduce(1, *) == values.count, "tensor shape \(shape) does not hold \(values.count) values")
            self.shape = shape
            self.values = values
            self.isInteger = isInteger
        }
    }

    /// A value of the checkpoint's object tree: `PickleObject`'s cases with tensors given by value.
    package indirect enum Value {
        case object(PickleObject)
        case tensor(TensorData)
        case list([Value])
        case dict([(PickleObject, Value)])
        case orderedDict([(String, Value)])
    }

    /// The checkpoint bytes of `value`.
    package static func encode(_ value: Value) throws -> [UInt8] {
        var storages: [[UInt8]] = []
        func lower(_ v: Value) -> PickleObject {
            switch v {
            case .object(let o): return o
            case .list(let items): return .list(items.map(lower))
            case .dict(let entries): return .dict(entries.map { ($0.0, lower($0.1)) })
            case .orderedDict(let entries): return .orderedDict(entries.map { ($0.0, lower($0.1)) })
            case .tensor(let t):
                let key = String(storages.count)
                if t.isInteger {
                    storages.append(t.values.withUnsafeBufferPointer { v in v.flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) } })
                } else {
                    storages.append(t.values.withUnsafeBytes { Array($0) })
                }
                return .tensor(
                    storageKey: key, storageType: t.isInteger ? "LongStorage" : "FloatStorage", elementCount: t.values.count, shape: t.shape)
            }
        }
        let pickle = PickleWriter.pickle(lower(value))
        var zip = ZipWriter()
        try zip.add("archive/data.pkl", pickle)
        try zip.add("archive/byteorder", Array("little".utf8))
        for (i, s) in storages.enumerated() { try zip.add("archive/data/\(i)", s) }
        try zip.add("archive/version", Array("3\n".utf8))
        return try zip.finished()
    }

    /// A state dict as pysot's `model.state_dict()` holds it: an `OrderedDict` of tensors
    /// (int64 entries stay integer).
    package static func stateDictValue(_ stateDict: StateDict) -> Value {
        .orderedDict(
            stateDict.entries.map { e in
                let integer = [.int64, .int32, .int16, .int8, .uint8].contains(e.dtype)
                return (e.name, .tensor(TensorData(shape: e.shape, values: e.tensor.values, isInteger: integer)))
            })
    }

    /// Writes `value` to `url` atomically.
    package static func write(_ value: Value, to url: URL) throws {
        let bytes: [UInt8]
        do {
            bytes = try encode(value)
        } catch {
            throw CheckpointError.unwritable(file: url.path, reason: "the checkpoint would exceed the 4 GiB a ZIP without ZIP64 holds")
        }
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw CheckpointError.unwritable(file: url.path, reason: describeFileError(error))
        }
    }
}
