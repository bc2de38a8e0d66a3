import Foundation

@testable import SiamRPN

/// Locates the golden data produced by pysot and NanoTrack runs in `Tests/Fixtures/` (see
/// Tests/Fixtures/README.md: what every file holds, how it was made, the tolerances).
enum Fixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// `Tests/Fixtures/<path>`.
    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    static func data(_ path: String) throws -> Data { try Data(contentsOf: url(path)) }

    /// The JSON file as Foundation values (dictionaries, arrays, `NSNumber`, `String`).
    ///
    /// Parsed with the package's own JSON reader, whose numbers are correctly rounded
    /// (`Double(String)`): Foundation's `JSONSerialization` on Linux is not (it reads
    /// 124.75519675925926 as 124.75519675925925), and the fixtures hold exact float64 values.
    static func json(_ path: String) throws -> Any {
        let bytes = [UInt8](try data(path))
        return foundationValue(try JSONValue.parse(bytes, 0..<bytes.count, maxDepth: 512))
    }

    private static func foundationValue(_ v: JSONValue) -> Any {
        switch v {
        case .null: return NSNull()
        case .bool(let b): return b
        case .integer(let i): return NSNumber(value: i)
        case .number(let d): return NSNumber(value: d)
        case .string(let s): return s
        case .array(let a): return a.map(foundationValue)
        case .object(let members): return Dictionary(members.map { ($0.name, foundationValue($0.value)) }, uniquingKeysWith: { a, _ in a })
        }
    }
}
