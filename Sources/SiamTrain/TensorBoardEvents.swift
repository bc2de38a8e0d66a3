// Mirrors the event files pysot's training writes through tensorboardX's SummaryWriter.add_scalar
// (tensorflow/core/util/event.proto, summary.proto; TFRecord framing)
import Foundation

/// A TensorBoard event file of scalar summaries, as tensorboardX writes them
/// (`events.out.tfevents.<unix seconds>.<host>`): TFRecord records (`UInt64` little-endian
/// length, masked CRC-32C of the length, the serialized `Event`, masked CRC-32C of the data),
/// first an `Event{wall_time, file_version: "brain.Event:2"}`, then one
/// `Event{wall_time, step, summary{value{tag, simple_value}}}` per scalar (proto3: zero fields
/// are left out). Records are appended and flushed as they come, so a killed run keeps every
/// scalar it logged; TensorBoard reads a file that grows.
public final class TensorBoardEventWriter {
    public let url: URL
    private let handle: FileHandle

    /// Creates `directory` if needed and a new event file in it, starting with the file-version event.
    public init(directory: URL, wallTime: Double = Date().timeIntervalSince1970, host: String = ProcessInfo.processInfo.hostName) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Never over another run's file (a resumed run may start within the same second): then the
        // process id, as TensorFlow's own writer adds it, and a counter.
        let name = "events.out.tfevents.\(String(format: "%010d", Int(wallTime))).\(host)"
        var candidate = directory.appendingPathComponent(name)
        var attempt = 0
        while FileManager.default.fileExists(atPath: candidate.path) {
            attempt += 1
            candidate = directory.appendingPathComponent(name + ".\(getpid())" + (attempt > 1 ? ".\(attempt)" : ""))
        }
        url = candidate
        guard FileManager.default.createFile(atPath: url.path, contents: Data(Self.fileVersionRecord(wallTime: wallTime))) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    /// Appends one scalar (`value` as float32, like `add_scalar`).
    public func addScalar(_ tag: String, _ value: Double, step: Int, wallTime: Double = Date().timeIntervalSince1970) throws {
        try handle.write(contentsOf: Self.scalarRecord(tag: tag, value: Float(value), step: step, wallTime: wallTime))
    }

    /// The first record of every event file.
    static func fileVersionRecord(wallTime: Double) -> [UInt8] {
        var event = ProtobufWriter()
        event.double(field: 1, wallTime)
        event.string(field: 3, "brain.Event:2")
        return record(event.bytes)
    }

    /// One scalar summary record.
    static func scalarRecord(tag: String, value: Float, step: Int, wallTime: Double) -> [UInt8] {
        var summaryValue = ProtobufWriter()
        summaryValue.string(field: 1, tag)
        summaryValue.float(field: 2, value)
        var summary = ProtobufWriter()
        summary.message(field: 1, summaryValue.bytes)
        var event = ProtobufWriter()
        event.double(field: 1, wallTime)
        event.varint(field: 2, UInt64(bitPattern: Int64(step)))
        event.message(field: 5, summary.bytes)
        return record(event.bytes)
    }

    /// TFRecord framing of `data`.
    static func record(_ data: [UInt8]) -> [UInt8] {
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian, Array.init)
        var out = length
        out += withUnsafeBytes(of: CRC32C.masked(length).littleEndian, Array.init)
        out += data
        out += withUnsafeBytes(of: CRC32C.masked(data).littleEndian, Array.init)
        return out
    }
}

/// The few protobuf wire encodings an `Event` needs, proto3 style: a field equal to its
/// default (0, empty) is not written.
private struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private mutating func raw(varint v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func key(_ field: Int, wireType: UInt64) { raw(varint: UInt64(field) << 3 | wireType) }

    mutating func varint(field: Int, _ v: UInt64) {
        guard v != 0 else { return }
        key(field, wireType: 0)
        raw(varint: v)
    }

    mutating func double(field: Int, _ v: Double) {
        guard v != 0 else { return }
        key(field, wireType: 1)
        bytes += withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init)
    }

    mutating func float(field: Int, _ v: Float) {
        guard v != 0 else { return }
        key(field, wireType: 5)
        bytes += withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init)
    }

    mutating func string(field: Int, _ s: String) { message(field: field, Array(s.utf8)) }

    mutating func message(field: Int, _ payload: [UInt8]) {
        guard !payload.isEmpty else { return }
        key(field, wireType: 2)
        raw(varint: UInt64(payload.count))
        bytes += payload
    }
}
