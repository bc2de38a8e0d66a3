/// A ZIP archive of stored (uncompressed) entries, as `torch.save` writes one: every entry's
/// data starts at a multiple of 64 bytes (the local header's extra field pads it, as PyTorch's
/// writer does, so a reader can map the storages in place); CRC-32 recorded; no ZIP64 (the
/// archive must stay below 4 GiB, checked).
struct ZipWriter {
    private(set) var bytes: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    enum Failure: Error { case tooLarge }

    private static func le16(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt16(v).littleEndian, Array.init) }
    private static func le32(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian, Array.init) }

    mutating func add(_ name: String, _ data: [UInt8]) throws {
        let nameBytes = Array(name.utf8)
        let offset = bytes.count
        guard offset + 30 + nameBytes.count + 68 + data.count < Int(UInt32.max) else { throw Failure.tooLarge }
        let crc = CRC32.checksum(data, 0..<data.count)
        // Extra field "FB" padding so that the data begins at a multiple of 64.
        let headerEnd = offset + 30 + nameBytes.count + 4
        let padding = (64 - headerEnd % 64) % 64
        let extra = [0x46, 0x42] + Self.le16(padding) + [UInt8](repeating: 0x5A, count: padding)
        // version needed 2.0, flags 0, method 0 (stored), DOS time/date of 1980-01-01 00:00.
        let common =
            Self.le16(0) + Self.le16(0) + Self.le16(0) + Self.le16(0x21) + Self.le32(Int(crc)) + Self.le32(data.count) + Self.le32(data.count)
        bytes += [0x50, 0x4B, 0x03, 0x04] + Self.le16(20) + common + Self.le16(nameBytes.count) + Self.le16(extra.count)
        bytes += nameBytes + extra + data
        central += [0x50, 0x4B, 0x01, 0x02] + Self.le16(20) + Self.le16(20) + common + Self.le16(nameBytes.count) + Self.le16(0)
        central += Self.le16(0) + Self.le16(0) + Self.le16(0) + Self.le32(0) + Self.le32(offset) + nameBytes
        count += 1
    }

    /// The archive: entries, central directory, end record.
    func finished() throws -> [UInt8] {
        guard bytes.count + central.count + 22 < Int(UInt32.max), count < 65536 else { throw Failure.tooLarge }
        var out = bytes + central
        out += [0x50, 0x4B, 0x05, 0x06] + Self.le16(0) + Self.le16(0) + Self.le16(count) + Self.le16(count)
        out += Self.le32(central.count) + Self.le32(bytes.count) + Self.le16(0)
        return out
    }
}
