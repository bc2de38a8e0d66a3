import Foundation

@testable import SiamRPN

/// The `CheckpointError` thrown by `body`, or nil if it returned or threw something else.
func checkpointError(_ body: () throws -> Any) -> CheckpointError? {
    do {
        _ = try body()
        return nil
    } catch let e as CheckpointError {
        return e
    } catch {
        return nil
    }
}

extension CheckpointError {
    /// The enum case's name ("truncated", "forbiddenGlobal", ...), for assertions on the kind of error.
    var caseName: String { Mirror(reflecting: self).children.first?.label ?? "\(self)" }
}

/// Builds pickle byte streams opcode by opcode, for crafting hostile and edge-case inputs.
struct PickleBuilder {
    var bytes: [UInt8] = []

    init(protocol version: UInt8 = 2) { bytes = [0x80, version] }

    @discardableResult mutating func op(_ code: UInt8, _ args: [UInt8] = []) -> Self {
        bytes.append(code)
        bytes += args
        return self
    }

    mutating func global(_ module: String, _ name: String) { op(0x63, Array("\(module)\n\(name)\n".utf8)) }
    mutating func string(_ s: String) { op(0x58, le32(UInt32(s.utf8.count)) + Array(s.utf8)) }
    mutating func int(_ v: Int) {
        if (0..<256).contains(v) {
            op(0x4B, [UInt8(v)])
        } else if let small = Int32(exactly: v) {
            op(0x4A, le32(UInt32(bitPattern: small)))
        } else {
            op(0x8A, [8] + le64(UInt64(bitPattern: Int64(v))))  // LONG1
        }
    }
    mutating func mark() { op(0x28) }
    mutating func tuple() { op(0x74) }
    mutating func emptyTuple() { op(0x29) }
    mutating func emptyDict() { op(0x7D) }
    mutating func setItem() { op(0x73) }
    mutating func setItems() { op(0x75) }
    mutating func reduce() { op(0x52) }
    mutating func binPersId() { op(0x51) }
    mutating func newFalse() { op(0x89) }
    mutating func stop() { op(0x2E) }

    /// Pushes `_rebuild_tensor_v2(('storage', <storage>, key, 'cpu', numel), offset, shape, stride, False, OrderedDict())`.
    mutating func tensor(
        storage: String = "FloatStorage", key: String, numel: Int, offset: Int = 0,
        shape: [Int], stride: [Int]
    ) {
        global("torch._utils", "_rebuild_tensor_v2")
        mark()
        mark()
        string("storage")
        global("torch", storage)
        string(key)
        string("cpu")
        int(numel)
        tuple()
        binPersId()
        int(offset)
        mark()
        for s in shape { int(s) }
        tuple()
        mark()
        for s in stride { int(s) }
        tuple()
        newFalse()
        global("collections", "OrderedDict")
        emptyTuple()
        reduce()
        tuple()
        reduce()
    }
}

func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xff) } }
func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * UInt64($0))) & 0xff) } }

/// Writes minimal ZIP archives (stored entries, optional ZIP64 end records) for tests.
struct ZipBuilder {
    struct Item {
        var name: String
        var data: [UInt8]
        var method: UInt16 = 0
        var crc: UInt32? = nil
    }
    var items: [Item] = []
    var zip64 = true

    mutating func add(_ name: String, _ data: [UInt8], method: UInt16 = 0) {
        items.append(Item(name: name, data: data, method: method))
    }

    func build() -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for item in items {
            let offset = out.count
            let crc = item.crc ?? CRC32.checksum(item.data, 0..<item.data.count)
            let name = Array(item.name.utf8)
            out += le32(0x0403_4b50) + le16(20) + le16(0) + le16(item.method) + le16(0) + le16(0)
            out += le32(crc) + le32(UInt32(item.data.count)) + le32(UInt32(item.data.count))
            out += le16(UInt16(name.count)) + le16(0) + name + item.data
            central += le32(0x0201_4b50) + le16(20) + le16(20) + le16(0) + le16(item.method) + le16(0) + le16(0)
            central += le32(crc) + le32(UInt32(item.data.count)) + le32(UInt32(item.data.count))
            central += le16(UInt16(name.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(UInt32(offset))
            central += name
        }
        let cdOffset = out.count
        out += central
        if zip64 {
            let record = out.count
            out += le32(0x0606_4b50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0)
            out += le64(UInt64(items.count)) + le64(UInt64(items.count)) + le64(UInt64(central.count)) + le64(UInt64(cdOffset))
            out += le32(0x0706_4b50) + le32(0) + le64(UInt64(record)) + le32(1)
        }
        out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(items.count)) + le16(UInt16(items.count))
        out += le32(UInt32(central.count)) + le32(UInt32(cdOffset)) + le16(0)
        return out
    }
}

/// A torch.save-style ZIP checkpoint from a pickle and raw storages (`data/<key>`).
func torchZip(pickle: [UInt8], storages: [(String, [UInt8])] = [], prefix: String = "archive") -> [UInt8] {
    var zip = ZipBuilder()
    zip.add("\(prefix)/data.pkl", pickle)
    for (key, data) in storages { zip.add("\(prefix)/data/\(key)", data) }
    zip.add("\(prefix)/version", Array("3\n".utf8))
    return zip.build()
}

/// Float32 values as little-endian bytes.
func floatBytes(_ values: [Float]) -> [UInt8] { values.flatMap { le32($0.bitPattern) } }

/// A deterministic 64-bit generator (SplitMix64) so fuzz inputs are reproducible from their seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
