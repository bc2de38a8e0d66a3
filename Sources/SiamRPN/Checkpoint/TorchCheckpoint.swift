import Foundation
import SiamNN

/// A PyTorch checkpoint (`torch.save` output) read without Python and without executing anything.
///
/// Two container formats are read, chosen by content:
/// - ZIP (default since PyTorch 1.6): stored entries `<archive>/data.pkl` (the pickle),
///   `<archive>/data/<key>` (each storage's raw little-endian bytes, exactly `numel * itemsize`
///   long), `<archive>/version` and, in newer files, `<archive>/byteorder`; `<archive>` is any
///   folder name (the file's stem, or `archive`).
/// - Legacy (`_use_new_zipfile_serialization=False`, the 2019 pysot model zoo): five pickles in a
///   row — the magic number 0x1950a86a20f9469cfc6c, the protocol version 1001, a sys-info dict,
///   the main object, the list of storage keys — followed, for each listed key, by an 8-byte
///   little-endian element count and the storage's raw bytes.
///
/// The pickle is read by `PickleReader` (whitelisted globals only). The object may be a bare state
/// dict, or a training snapshot dict whose `state_dict` entry is one (pysot's
/// `{'epoch', 'state_dict', 'optimizer'}`); other entries are summarised in `topLevel` and
/// otherwise ignored. A `module.` prefix (from `nn.DataParallel`) is removed from every key that
/// has it, as pysot's `remove_prefix` does. Only tensor values become `StateDict` entries, in the
/// dict's order; their storage offset, sizes and strides are honoured (views, shared storages,
/// permuted strides) and values are converted to Float (float16/bfloat16/float64 cast, integer
/// and bool values as numbers) with the stored dtype recorded.
///
/// Limits: little-endian files only (all torch.save files from x86/ARM machines); storages of
/// the types in `PickleGlobal.storageTypes`; the total number of elements materialised (which
/// exceeds the storages' size only for overlapping views) is at most 4 per file byte plus 2^24.
package struct TorchCheckpoint: Sendable {
    /// The container format of the file.
    package enum Format: Sendable, Equatable {
        /// ZIP archive whose entries live under `archive/`.
        case zip(archive: String)
        /// The pre-1.6 pickle stream.
        case legacy
    }

    /// One top-level entry of a snapshot, for listings (`siamrpn inspect`).
    package struct Item: Sendable, Equatable {
        package var key: String
        /// A one-line description: a number's value, a container's size, a tensor's dtype and shape.
        package var summary: String
    }

    package let format: Format
    /// The tensors of the state dict, `module.` removed.
    package let stateDict: StateDict
    /// The snapshot entry the state dict came from (`"state_dict"`), or nil for a bare state dict.
    package let stateDictKey: String?
    /// Whether some keys had the `module.` prefix (removed in `stateDict`).
    package let removedModulePrefix: Bool
    /// Every top-level entry of a snapshot with a summary; empty for a bare state dict.
    package let topLevel: [Item]
    /// The snapshot's `epoch` entry, if it is an integer.
    package let epoch: Int?
    /// A snapshot's top-level entries other than its state dict, as data (`optimizer`, `epoch`, ...);
    /// empty for a bare state dict.
    package let entries: [String: CheckpointValue]
    /// The ZIP format's `version` record (3 for PyTorch 1.6-2.x), nil for legacy files.
    package let formatVersion: Int?

    /// The magic number opening legacy files, as pickle's little-endian two's-complement bytes.
    static let legacyMagic: [UInt8] = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]
    static let legacyProtocolVersion = 1001

    /// Reads the checkpoint at `url`.
    package init(contentsOf url: URL) throws {
        try self.init(bytes: readFileBytes(url), source: url.path)
    }

    /// Reads a checkpoint from its bytes; `source` names it in errors.
    package init(bytes: [UInt8], source: String = "<memory>") throws {
        guard !bytes.isEmpty else { throw CheckpointError.empty(file: source) }
        var loader = Loader(bytes: bytes, source: source)
        if ZipArchive.hasSignature(bytes) {
            try loader.loadZip()
        } else if bytes[0] == 0x80 {
            try loader.loadLegacy()
        } else if bytes.count < 4, bytes.elementsEqual([0x50, 0x4b, 3, 4].prefix(bytes.count)) {
            throw CheckpointError.truncated(file: source, what: "a ZIP archive", needed: nil, size: bytes.count)
        } else {
            throw CheckpointError.unrecognizedFormat(file: source, leadingBytes: Array(bytes.prefix(16)))
        }
        format = loader.format
        stateDict = loader.stateDict
        stateDictKey = loader.stateDictKey
        removedModulePrefix = loader.removedModulePrefix
        topLevel = loader.topLevel
        epoch = loader.epoch
        entries = loader.entries
        formatVersion = loader.formatVersion
    }
}

/// The work of `TorchCheckpoint.init`, with its intermediate state.
private struct Loader {
    let bytes: [UInt8]
    let source: String
    var format = TorchCheckpoint.Format.legacy
    var stateDict = StateDict()
    var stateDictKey: String?
    var removedModulePrefix = false
    var topLevel: [TorchCheckpoint.Item] = []
    var epoch: Int?
    var entries: [String: CheckpointValue] = [:]
    var formatVersion: Int?

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    private func invalid(_ reason: String) -> CheckpointError {
        .malformedCheckpoint(file: source, reason: reason)
    }

    // MARK: ZIP

    mutating func loadZip() throws {
        let archive = try ZipArchive(bytes: bytes, source: source)
        let names = archive.names
        if names.contains(where: { $0 == "constants.pkl" || $0.hasSuffix("/constants.pkl") }) {
            throw CheckpointError.torchScriptArchive(file: source)
        }
        let pickles = names.filter { name in
            name == "data.pkl" || (name.hasSuffix("/data.pkl") && !name.dropLast(9).contains("/"))
        }
        guard let pickleName = pickles.first else {
            throw CheckpointError.missingEntry(file: source, entry: "<archive>/data.pkl")
        }
        guard pickles.count == 1 else { throw invalid("it holds several pickles (\(pickles.prefix(3).joined(separator: ", ")))") }
        let prefix = String(pickleName.dropLast("data.pkl".count))
        format = .zip(archive: String(prefix.dropLast()))

        if archive.contains(prefix + "byteorder") {
            let order = String(decoding: try archive.bytes(of: prefix + "byteorder"), as: UTF8.self)
            guard order == "little" else {
                throw invalid("its storages are stored with byte order '\(order.prefix(16))'; only little-endian files are supported")
            }
        }
        if archive.contains(prefix + "version") {
            let text = String(decoding: try archive.bytes(of: prefix + "version"), as: UTF8.self)
            formatVersion = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }

        let pickleRange = try archive.dataRange(of: pickleName)
        var reader = PickleReader(
            bytes: bytes, start: pickleRange.lowerBound, end: pickleRange.upperBound,
            source: source, endIsFileEnd: false)
        let root = try reader.read()
        let document = reader.document
        var bases: [Int: Int] = [:]
        try adopt(
            collect(root, document) { storageIndex in
                if let base = bases[storageIndex] { return base }
                let storage = document.storages[storageIndex]
                let entry = prefix + "data/" + storage.key
                let range = try archive.dataRange(of: entry)
                let (needed, overflow) = storage.count.multipliedReportingOverflow(by: storage.dtype.byteSize)
                guard !overflow, range.count == needed else {
                    throw invalid(
                        "entry '\(entry)' holds \(range.count) bytes but the pickle declares \(storage.count) "
                            + "\(storage.dtype.rawValue) elements for it")
                }
                bases[storageIndex] = range.lowerBound
                return range.lowerBound
            })
    }

    // MARK: Legacy

    mutating func loadLegacy() throws {
        format = .legacy
        var position = 0
        func nextPickle() throws -> (PickleValue, PickleDocument) {
            var reader = PickleReader(bytes: bytes, start: position, origin: 0, source: source, endIsFileEnd: true)
            let value = try reader.read()
            position = reader.position
            return (value, reader.document)
        }
        let (magic, _) = try nextPickle()
        guard magic == .bigInt(TorchCheckpoint.legacyMagic) else {
            throw invalid("it is a pickle that does not start with torch's magic number, so it was not written by torch.save")
        }
        let (version, versionDocument) = try nextPickle()
        guard version == .int(TorchCheckpoint.legacyProtocolVersion) else {
            throw invalid("its legacy protocol version is \(versionDocument.summary(version)), expected 1001")
        }
        let (sysInfo, sysDocument) = try nextPickle()
        if case .dict(let d) = sysInfo, sysDocument.dicts[d]["little_endian"] == .bool(false) {
            throw invalid("it was saved on a big-endian machine; only little-endian files are supported")
        }
        let (root, document) = try nextPickle()
        let (keysValue, keysDocument) = try nextPickle()
        let keyValues: [PickleValue]
        switch keysValue {
        case .list(let l): keyValues = keysDocument.lists[l]
        case .tuple(let t): keyValues = keysDocument.tuples[t]
        default: throw invalid("the storage key list after the main pickle is not a list")
        }

        // Storage records, in the listed order: 8-byte element count, then the raw elements.
        var storageByKey: [String: Int] = [:]
        for (i, s) in document.storages.enumerated() { storageByKey[s.key] = i }
        var bases: [Int: Int] = [:]
        for keyValue in keyValues {
            guard case .string(let key) = keyValue else { throw invalid("a storage key is not a string") }
            guard let index = storageByKey[key] else {
                throw invalid("storage '\(key)' has data but no tensor refers to it")
            }
            guard bases[index] == nil else { throw invalid("storage '\(key)' is listed twice") }
            let storage = document.storages[index]
            guard fits(position, 8, in: bytes.count) else {
                throw CheckpointError.truncated(
                    file: source, what: "the size of storage '\(key)'",
                    needed: position + 8, size: bytes.count)
            }
            let count = Int64(bitPattern: bytes.loadLE64(position))
            guard count == Int64(storage.count) else {
                throw invalid("storage '\(key)' has \(count) elements in its record but \(storage.count) in the pickle")
            }
            let (length, overflow) = storage.count.multipliedReportingOverflow(by: storage.dtype.byteSize)
            guard !overflow, fits(position + 8, length, in: bytes.count) else {
                throw CheckpointError.truncated(
                    file: source, what: "storage '\(key)' (\(storage.count) \(storage.dtype.rawValue) elements)",
                    needed: overflow ? Int.max : position + 8 + length, size: bytes.count)
            }
            bases[index] = position + 8
            position += 8 + length
        }
        try adopt(
            collect(root, document) { storageIndex in
                guard let base = bases[storageIndex] else {
                    throw invalid("storage '\(document.storages[storageIndex].key)' is used by a tensor but has no data")
                }
                return base
            })
    }

    // MARK: State dict

    /// What `collect` finds.
    struct Collected {
        var stateDict = StateDict()
        var stateDictKey: String?
        var removedModulePrefix = false
        var topLevel: [TorchCheckpoint.Item] = []
        var epoch: Int?
        var entries: [String: CheckpointValue] = [:]
    }

    mutating func adopt(_ c: Collected) {
        stateDict = c.stateDict
        stateDictKey = c.stateDictKey
        removedModulePrefix = c.removedModulePrefix
        topLevel = c.topLevel
        epoch = c.epoch
        entries = c.entries
    }

    /// Picks the state dict out of `root` and materialises its tensors; `base(storage)` gives the
    /// byte offset in `bytes` where a storage's elements start (after checking they are all there).
    func collect(_ root: PickleValue, _ document: PickleDocument, base: (Int) throws -> Int) throws -> Collected {
        var result = Collected()
        guard case .dict(let rootID) = root else {
            throw CheckpointError.noStateDict(file: source, found: "a single " + document.summary(root))
        }
        let rootDict = document.dicts[rootID]
        var dict = rootDict
        // A snapshot: its `state_dict` entry is a dict (a tensor called "state_dict" is just a tensor).
        if case .dict(let id)? = rootDict["state_dict"] {
            dict = document.dicts[id]
            result.stateDictKey = "state_dict"
            result.topLevel = zip(rootDict.keys, rootDict.values).map { key, value in
                let name: String
                if case .string(let s) = key { name = s } else { name = document.summary(key) }
                return TorchCheckpoint.Item(key: name, summary: document.summary(value))
            }
            if case .int(let e)? = rootDict["epoch"] { result.epoch = e }
        }

        var budget = 4 * bytes.count + (1 << 24)
        /// Tensor `t`'s values (its view of its storage), within the file's element budget.
        func materialise(_ t: Int, name: String) throws -> StateDict.Entry {
            let tensor = document.tensors[t]
            let storage = document.storages[tensor.storage.storage]
            var view = StridedView(dtype: storage.dtype, offset: tensor.offset, shape: tensor.shape, strides: tensor.strides)
            guard let count = view.count else {
                throw CheckpointError.tensorOutOfBounds(file: source, tensor: name, reason: "its size \(tensor.shape) overflows")
            }
            guard let extent = view.extent, extent <= tensor.storage.count else {
                throw CheckpointError.tensorOutOfBounds(
                    file: source, tensor: name,
                    reason: "offset \(tensor.offset), size \(tensor.shape) and stride \(tensor.strides) need more than "
                        + "the \(tensor.storage.count) elements of storage '\(storage.key)'")
            }
            budget -= count
            guard budget >= 0 else {
                throw CheckpointError.limitExceeded(
                    file: source, what: "elements materialised from overlapping tensor views", limit: 4 * bytes.count + (1 << 24))
            }
            view.offset += tensor.storage.offset
            let values = count == 0 ? [] : view.floats(from: bytes, base: try base(tensor.storage.storage))
            return StateDict.Entry(name: name, dtype: storage.dtype, tensor: Tensor(shape: tensor.shape, values: values))
        }

        var entries: [StateDict.Entry] = []
        var seen = Set<String>()
        for (key, value) in zip(dict.keys, dict.values) {
            guard case .tensor(let t) = value else { continue }
            guard case .string(var name) = key else {
                throw invalid("a state dict key is a \(document.summary(key)), not a string")
            }
            if name.hasPrefix("module.") {
                name.removeFirst("module.".count)
                result.removedModulePrefix = true
            }
            guard seen.insert(name).inserted else { throw CheckpointError.duplicateKey(file: source, key: name) }
            entries.append(try materialise(t, name: name))
        }
        if result.stateDictKey != nil {
            /// A pickle value as data; containers nest at most 32 deep (torch's optimizer state is 4).
            func convert(_ v: PickleValue, depth: Int) throws -> CheckpointValue {
                guard depth < 32 else { throw invalid("a snapshot entry nests containers more than 32 deep") }
                switch v {
                case .none: return .none
                case .bool(let b): return .bool(b)
                case .int(let i): return .int(i)
                case .float(let f): return .float(f)
                case .string(let s): return .string(s)
                case .list(let l): return .list(try document.lists[l].map { try convert($0, depth: depth + 1) })
                case .tuple(let t): return .list(try document.tuples[t].map { try convert($0, depth: depth + 1) })
                case .dict(let d):
                    let dict = document.dicts[d]
                    return .dict(try zip(dict.keys, dict.values).map { (try convert($0, depth: depth + 1), try convert($1, depth: depth + 1)) })
                case .tensor(let t): return .tensor(try materialise(t, name: "a snapshot entry").tensor)
                case .numpyScalar(let n):
                    // pysot's group lrs are numpy float64 (its lr_spaces is an array).
                    guard let value = document.scalars[n].doubleValue else { return .other(document.summary(v)) }
                    return .float(value)
                default: return .other(document.summary(v))
                }
            }
            for (key, value) in zip(rootDict.keys, rootDict.values) {
                guard case .string(let name) = key, name != "state_dict" else { continue }
                result.entries[name] = try convert(value, depth: 0)
            }
        }
        if entries.isEmpty {
            let keys = rootDict.keys.prefix(8).map { document.summary($0) }.joined(separator: ", ")
            throw CheckpointError.noStateDict(
                file: source,
                found: result.stateDictKey == nil
                    ? "a dict without tensors (keys: \(keys.isEmpty ? "none" : keys))"
                    : "a 'state_dict' entry without tensors")
        }
        result.stateDict = StateDict(entries)
        return result
    }
}
