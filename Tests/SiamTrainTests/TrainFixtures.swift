import Foundation
import SiamNN
import SiamRPN

/// pysot's data-pipeline fixtures in `Tests/Fixtures/training_v2/pysot_data/` (Tests/Fixtures/README.md
/// section 25; the tolerances are those of its section 6) and the Dog frames they were cut from.
enum TrainFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let root = fixtures.appendingPathComponent("training_v2/pysot_data")

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// OTB Dog frame `n` (1-based), as `../../sequences/Dog/img/%04d.jpg` in the fixtures.
    static func dogFrame(_ n: Int) -> URL {
        fixtures.appendingPathComponent("sequences/Dog/img").appendingPathComponent(String(format: "%04d.jpg", n))
    }

    /// The deterministic weights of a shared-fixture model (`weights/<model>.manifest.json`,
    /// Tests/Fixtures/README.md section 1), e.g. `siamrpn_r50_l234_dwxcorr`.
    static func manifestWeights(_ model: String) throws -> StateDict {
        try DeterministicWeights.stateDict(manifest: fixtures.appendingPathComponent("weights/\(model).manifest.json"))
    }

    static func json(_ path: String) throws -> JSONValue {
        let bytes = [UInt8](try Data(contentsOf: url(path)))
        return try JSONValue.parse(bytes, 0..<bytes.count)
    }

    static func image(_ path: String) throws -> Image { try Image.load(contentsOf: url(path)) }

    static func npy(_ path: String) throws -> NumPyArray { try NumPyArray(contentsOf: url(path)) }

    /// A uint8 HxWx3 `.npy` as an image.
    static func npyImage(_ path: String) throws -> Image {
        let a = try npy(path)
        precondition(a.dtype == .uint8 && a.shape.count == 3 && a.shape[2] == 3)
        return Image(width: a.shape[1], height: a.shape[0], pixels: a.data)
    }
}

extension JSONValue {
    var doubles: [Double] { (arrayValue ?? []).compactMap(\.doubleValue) }
    var double: Double { doubleValue ?? .nan }
    var int: Int { Int(doubleValue ?? -1) }
}

/// Largest |a - b| and the number of positions that differ.
func difference(_ a: [Double], _ b: [Double]) -> (max: Double, count: Int) {
    precondition(a.count == b.count)
    var m = 0.0
    var n = 0
    for i in a.indices where a[i] != b[i] {
        m = max(m, abs(a[i] - b[i]))
        n += 1
    }
    return (m, n)
}

func difference(_ a: Image, _ b: Image) -> (max: Double, count: Int) {
    guard a.width == b.width, a.height == b.height else { return (.infinity, -1) }
    return difference(a.pixels.map(Double.init), b.pixels.map(Double.init))
}

/// |a - t| <= tolerance * max(1, |t|) for every pair.
func close(_ a: [Double], _ t: [Double], relative tolerance: Double) -> Bool {
    a.count == t.count && zip(a, t).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}
