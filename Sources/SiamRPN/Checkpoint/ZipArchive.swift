import Foundation

/// A read-only ZIP archive held in memory: the container of `torch.save` files (PyTorch >= 1.6)
/// and of NumPy `.npz` files.
///
/// Format (PKWARE APPNOTE 6.3): the end-of-central-directory record (`PK\5\6`, 22 bytes plus a
/// comment of up to 65535 bytes) at the end of the file gives the offset, size and entry count of
/// the central directory; when a ZIP64 locator (`PK\6\7`, 20 bytes) precedes it, the ZIP64 record
/// (`PK\6\6`) it points to gives those values as 64-bit numbers (torch always writes one). Each
/// central-directory record (`PK\1\2`, 46 bytes + name + extra + comment) gives an entry's name,
/// compression method, CRC-32, sizes and the offset of its local header (`PK\3\4`, 30 bytes + name
/// + extra), after which the data starts. Sizes and offsets of `0xFFFFFFFF` are taken from the
/// entry's ZIP64 extra field (id 0x0001). Sizes always come from the central directory: torch sets
/// general-purpose flag bit 3 and leaves the local header's sizes at zero.
///
/// Limits: only stored (method 0) entries can be read (torch.save and `numpy.savez` never
/// compress; `savez_compressed` files are rejected with a clear error), no encryption, no
/// multi-disk archives. Every offset and size is checked against the file before use, so a damaged
/// or hostile archive throws `CheckpointError` and never reads out of bounds or allocates more
/// than the file's own size.
package struct ZipArchive: Sendable {
    /// One file inside the archive.
    package struct Entry: Sendable, Equatable {
        /// Full path inside the archive, e.g. `small_zip/data/0` (UTF-8).
        package var name: String
        /// Compression method: 0 stored, 8 deflate, ...; only 0 can be read.
        package var method: UInt16
        /// General-purpose flags (bit 0 set: encrypted).
        package var flags: UInt16
        /// CRC-32 of the uncompressed bytes, as recorded in the central directory.
        package var crc32: UInt32
        package var compressedSize: Int
        package var uncompressedSize: Int
        /// Offset of the entry's local header in the archive.
        package var localHeaderOffset: Int
        /// Where the entry's (stored) bytes lie in the archive.
        package var dataRange: Range<Int>
    }

    /// The entries in central-directory order.
    package let entries: [Entry]
    /// The archive's bytes.
    package let bytes: [UInt8]
    /// Name used in error messages (the path, or "<memory>").
    package let source: String
    private let index: [String: Int]

    /// Whether `bytes` start like a ZIP archive (a local header, or the end record of an empty archive).
    package static func hasSignature(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4b
            && ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6))
    }

    /// Reads the archive at `url`.
    package init(contentsOf url: URL) throws {
        try self.init(bytes: readFileBytes(url), source: url.path)
    }

    /// Parses the central directory of the archive in `bytes`; entry data is checked on access.
    package init(bytes: [UInt8], source: String = "<memory>") throws {
        self.bytes = bytes
        self.source = source
        let n = bytes.count
        func damaged(_ why: String) -> CheckpointError { .malformedZip(file: source, reason: why) }

        guard n > 0 else { throw CheckpointError.empty(file: source) }
        // 1. End-of-central-directory record: the last `PK\5\6` whose comment fits in the file.
        var eocd = -1
        if n >= 22 {
            var p = n - 22
            let lowest = Swift.max(0, n - 22 - 0xFFFF)
            while p >= lowest {
                if bytes[p] == 0x50 && bytes[p + 1] == 0x4b && bytes[p + 2] == 5 && bytes[p + 3] == 6
                    && p + 22 + Int(bytes.loadLE16(p + 20)) <= n
                {
                    eocd = p
                    break
                }
                p -= 1
            }
        }
        guard eocd >= 0 else {
            if Self.hasSignature(bytes) {
                throw CheckpointError.truncated(
                    file: source, what: "the ZIP end-of-central-directory record", needed: nil, size: n)
            }
            throw damaged("no end-of-central-directory record")
        }
        let diskNumber = Int(bytes.loadLE16(eocd + 4))
        let cdDisk = Int(bytes.loadLE16(eocd + 6))
        var entryCount = Int(bytes.loadLE16(eocd + 10))
        var cdSize = Int(bytes.loadLE32(eocd + 12))
        var cdOffset = Int(bytes.loadLE32(eocd + 16))
        var cdLimit = eocd  // the central directory must end before this offset

        // 2. ZIP64 locator right before the end record, and the ZIP64 end record it points to.
        if eocd >= 20, bytes[eocd - 20] == 0x50, bytes[eocd - 19] == 0x4b, bytes[eocd - 18] == 6, bytes[eocd - 17] == 7 {
            let locator = eocd - 20
            guard let record = intValue(bytes.loadLE64(locator + 8)), fits(record, 56, in: locator) else {
                throw damaged("the ZIP64 locator points outside the file")
            }
            guard bytes.loadLE32(record) == 0x0606_4b50 else {
                throw damaged("no ZIP64 end-of-central-directory record at byte \(record)")
            }
            guard bytes.loadLE32(record + 16) == 0, bytes.loadLE32(record + 20) == 0 else {
                throw CheckpointError.unsupportedZipEntry(
                    file: source, entry: "(archive)", reason: "the archive spans several disks")
            }
            guard let count = intValue(bytes.loadLE64(record + 32)),
                let size = intValue(bytes.loadLE64(record + 40)),
                let offset = intValue(bytes.loadLE64(record + 48))
            else {
                throw damaged("ZIP64 sizes out of range")
            }
            entryCount = count
            cdSize = size
            cdOffset = offset
            cdLimit = record
        } else if diskNumber != 0 || cdDisk != 0 {
            throw CheckpointError.unsupportedZipEntry(
                file: source, entry: "(archive)", reason: "the archive spans several disks")
        }
        guard fits(cdOffset, cdSize, in: cdLimit) else {
            throw damaged("central directory (\(cdSize) bytes at \(cdOffset)) lies outside the file")
        }
        // Every central record has at least 46 bytes, which bounds the count by the directory size.
        guard entryCount <= cdSize / 46 else {
            throw damaged("\(entryCount) entries cannot fit in a \(cdSize)-byte central directory")
        }

        // 3. Central directory records.
        var entries: [Entry] = []
        entries.reserveCapacity(entryCount)
        var index: [String: Int] = [:]
        var p = cdOffset
        let cdEnd = cdOffset + cdSize
        for i in 0..<entryCount {
            guard fits(p, 46, in: cdEnd), bytes.loadLE32(p) == 0x0201_4b50 else {
                throw damaged("central directory record \(i) at byte \(p) is missing or cut short")
            }
            let flags = bytes.loadLE16(p + 8)
            let method = bytes.loadLE16(p + 10)
            let crc = bytes.loadLE32(p + 16)
            var compressed = UInt64(bytes.loadLE32(p + 20))
            var uncompressed = UInt64(bytes.loadLE32(p + 24))
            let nameLength = Int(bytes.loadLE16(p + 28))
            let extraLength = Int(bytes.loadLE16(p + 30))
            let commentLength = Int(bytes.loadLE16(p + 32))
            var localOffset = UInt64(bytes.loadLE32(p + 42))
            let recordLength = 46 + nameLength + extraLength + commentLength
            guard fits(p, recordLength, in: cdEnd) else {
                throw damaged("central directory record \(i) at byte \(p) runs past the directory")
            }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)

            // ZIP64 extended information: present values replace the 0xFFFFFFFF placeholders, in order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = bytes.loadLE16(e)
                let size = Int(bytes.loadLE16(e + 2))
                guard e + 4 + size <= extraEnd else { throw damaged("extra field of entry '\(name)' is cut short") }
                if id == 1 {
                    var q = e + 4
                    func next() throws -> UInt64 {
                        guard q + 8 <= e + 4 + size else { throw damaged("ZIP64 field of entry '\(name)' is too short") }
                        defer { q += 8 }
                        return bytes.loadLE64(q)
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try next() }
                    if compressed == 0xFFFF_FFFF { compressed = try next() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next() }
                }
                e += 4 + size
            }
            guard let compressedSize = intValue(compressed), let uncompressedSize = intValue(uncompressed),
                let local = intValue(localOffset)
            else {
                throw damaged("sizes of entry '\(name)' are out of range")
            }
            // The local header: its own name and extra lengths decide where the data starts.
            guard fits(local, 30, in: n), bytes.loadLE32(local) == 0x0403_4b50 else {
                throw damaged("entry '\(name)' has no local header at byte \(local)")
            }
            let dataStart = local + 30 + Int(bytes.loadLE16(local + 26)) + Int(bytes.loadLE16(local + 28))
            guard fits(dataStart, compressedSize, in: n) else {
                throw CheckpointError.truncated(
                    file: source, what: "entry '\(name)' (\(compressedSize) bytes at byte \(dataStart))",
                    needed: dataStart + compressedSize, size: n)
            }
            guard index[name] == nil else { throw damaged("entry '\(name)' appears twice") }
            index[name] = entries.count
            entries.append(
                Entry(
                    name: name, method: method, flags: flags, crc32: crc, compressedSize: compressedSize,
                    uncompressedSize: uncompressedSize, localHeaderOffset: local,
                    dataRange: dataStart..<(dataStart + compressedSize)))
            p += recordLength
        }
        self.entries = entries
        self.index = index
    }

    /// Entry names in central-directory order.
    package var names: [String] { entries.map(\.name) }

    /// The entry called `name`, if any.
    package func entry(named name: String) -> Entry? { index[name].map { entries[$0] } }

    package func contains(_ name: String) -> Bool { index[name] != nil }

    /// The bytes of entry `name`; throws if it is absent, compressed, encrypted or (when
    /// `verifyChecksum`) fails its CRC-32 check.
    package func bytes(of name: String, verifyChecksum: Bool = true) throws -> [UInt8] {
        Array(bytes[try dataRange(of: name, verifyChecksum: verifyChecksum)])
    }

    /// Where entry `name`'s stored bytes lie in `bytes`, after the same checks as `bytes(of:)`.
    ///
    /// A recorded CRC of 0 on a non-empty entry is not verified: `torch.save` writes 0 when
    /// `torch.serialization.set_crc32_options(False)` is in effect.
    package func dataRange(of name: String, verifyChecksum: Bool = true) throws -> Range<Int> {
        guard let entry = entry(named: name) else { throw CheckpointError.missingEntry(file: source, entry: name) }
        if entry.flags & 1 != 0 {
            throw CheckpointError.unsupportedZipEntry(file: source, entry: name, reason: "it is encrypted")
        }
        guard entry.method == 0 else {
            let how = entry.method == 8 ? "it is compressed with deflate (method 8)" : "it uses compression method \(entry.method)"
            throw CheckpointError.unsupportedZipEntry(file: source, entry: name, reason: how)
        }
        guard entry.compressedSize == entry.uncompressedSize else {
            throw CheckpointError.malformedZip(
                file: source,
                reason: "stored entry '\(name)' records \(entry.compressedSize) stored but \(entry.uncompressedSize) original bytes")
        }
        if verifyChecksum, entry.crc32 != 0 || entry.dataRange.isEmpty {
            let actual = CRC32.checksum(bytes, entry.dataRange)
            guard actual == entry.crc32 else {
                throw CheckpointError.checksumMismatch(file: source, entry: name, recorded: entry.crc32, actual: actual)
            }
        }
        return entry.dataRange
    }
}

/// CRC-32 (ISO-HDLC: polynomial 0xEDB88320 reflected, initial and final XOR 0xFFFFFFFF), as ZIP uses.
enum CRC32 {
    /// Slicing-by-8 tables, flattened: `table[k * 256 + b]` is the CRC register after byte b
    /// followed by k zero bytes.
    private static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[b] = c
        }
        for k in 1..<8 {
            for b in 0..<256 { t[k * 256 + b] = (t[(k - 1) * 256 + b] >> 8) ^ t[Int(t[(k - 1) * 256 + b] & 0xff)] }
        }
        return t
    }()

    /// CRC-32 of `bytes[range]` (the range must lie inside `bytes`).
    static func checksum(_ bytes: [UInt8], _ range: Range<Int>) -> UInt32 {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
        guard !range.isEmpty else { return 0 }
        return table.withUnsafeBufferPointer { tableBuffer in
            bytes.withUnsafeBytes { raw in
                // Raw pointers keep this loop fast in debug builds too.
                let t = tableBuffer.baseAddress!
                var p = raw.baseAddress! + range.lowerBound
                var remaining = range.count
                var crc: UInt32 = 0xFFFF_FFFF
                while remaining >= 8 {
                    let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
                    let lo = crc ^ UInt32(truncatingIfNeeded: word)
                    let hi = UInt32(truncatingIfNeeded: word >> 32)
                    crc =
                        t[1792 + Int(lo & 0xff)] ^ t[1536 + Int((lo >> 8) & 0xff)]
                        ^ t[1280 + Int((lo >> 16) & 0xff)] ^ t[1024 + Int(lo >> 24)]
                        ^ t[768 + Int(hi & 0xff)] ^ t[512 + Int((hi >> 8) & 0xff)]
                        ^ t[256 + Int((hi >> 16) & 0xff)] ^ t[Int(hi >> 24)]
                    p += 8
                    remaining -= 8
                }
                while remaining > 0 {
                    crc = t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xff)] ^ (crc >> 8)
                    p += 1
                    remaining -= 1
                }
                return ~crc
            }
        }
    }
}

/// The bytes of the file at `url`, with I/O failures reported as `CheckpointError.unreadable`.
func readFileBytes(_ url: URL) throws -> [UInt8] {
    do {
        return [UInt8](try Data(contentsOf: url))
    } catch {
        let reason = describeFileError(error)
        throw CheckpointError.unreadable(file: url.path, reason: reason)
    }
}
