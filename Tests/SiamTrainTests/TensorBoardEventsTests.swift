import Foundation
import SiamRPN
import Testing

@testable import SiamTrain

/// TensorBoard event files, byte for byte against TensorBoard's own writer
/// (`Tests/Fixtures/tensorboard/`, Tests/Fixtures/README.md section 28).
struct TensorBoardEventsTests {
    static let fixture = TrainFixtures.fixtures.appendingPathComponent("tensorboard")

    struct Scalar {
        var tag: String
        var value: Float
        var step: Int
        var wallTime: Double
    }

    static func scalars() throws -> (fileVersionWallTime: Double, scalars: [Scalar]) {
        let bytes = [UInt8](try Data(contentsOf: fixture.appendingPathComponent("scalars.json")))
        let json = try JSONValue.parse(bytes, 0..<bytes.count)
        let wall = try #require(json["file_version"]?["wall_time"]?.doubleValue)
        let rows = try #require(json["scalars"]?.arrayValue)
        return (
            wall,
            try rows.map { row in
                let value = row["value"]?.doubleValue ?? (row["value"]?.stringValue == "inf" ? .infinity : .nan)
                return Scalar(
                    tag: try #require(row["tag"]?.stringValue), value: Float(value), step: Int(try #require(row["step"]?.doubleValue)),
                    wallTime: try #require(row["wall_time"]?.doubleValue))
            }
        )
    }

    @Test func recordsEqualTensorBoardsRecordWriterByteForByte() throws {
        let (wall, scalars) = try Self.scalars()
        var ours = TensorBoardEventWriter.fileVersionRecord(wallTime: wall)
        for s in scalars { ours += TensorBoardEventWriter.scalarRecord(tag: s.tag, value: s.value, step: s.step, wallTime: s.wallTime) }
        let theirs = [UInt8](try Data(contentsOf: Self.fixture.appendingPathComponent("scalars.tfevents")))
        #expect(ours == theirs)
    }

    @Test func crc32cOfTheStandardCheckValue() {
        // RFC 3720 B.4 / the CRC catalogue's check value for "123456789".
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    @Test func theWriterAppendsEveryScalarAsItComes() throws {
        let (wall, scalars) = try Self.scalars()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try TensorBoardEventWriter(directory: dir, wallTime: wall, host: "node1")
        #expect(writer.url.lastPathComponent == "events.out.tfevents.1764633600.node1")
        for s in scalars { try writer.addScalar(s.tag, Double(s.value), step: s.step, wallTime: s.wallTime) }
        // Readable while the writer is open (a running training), no close needed.
        let written = [UInt8](try Data(contentsOf: writer.url))
        #expect(written == [UInt8](try Data(contentsOf: Self.fixture.appendingPathComponent("scalars.tfevents"))))
    }
}
