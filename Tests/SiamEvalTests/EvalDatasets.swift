import Foundation
import SiamEval

@testable import SiamRPN

/// pysot's dataset files in the fixtures, loaded as the toolkit loads them.
extension EvalFixtures {
    /// pysot's VOT dataset file (`VOT2018.json`) as the toolkit loads it, videos sorted by name.
    /// The image size is the file's `width`/`height` (pysot reads it from the first frame; the tests
    /// check it against what pysot found, `expected.json → videos`).
    static func votDataset(_ file: String) throws -> [VOTSequence] {
        guard case .object(let members) = try json(file) else { throw FixtureError("\(file): not an object") }
        return try members.sorted { $0.name < $1.name }.map { m in
            let v = m.value
            let attributes = Dictionary(
                uniqueKeysWithValues: VOTSequence.attributeNames.map { a in
                    (a, (v[a]?.array ?? []).map { Int($0.double) })
                })
            return VOTSequence(
                name: m.name, groundTruth: try rows(v["gt_rect"], file),
                width: Int(v["width"]!.double), height: Int(v["height"]!.double), attributes: attributes)
        }
    }

    /// pysot's VOT-LT dataset file (`VOT2018-LT.json`), videos sorted by name.
    static func votLongTermDataset(_ file: String) throws -> [VOTLongTermSequence] {
        guard case .object(let members) = try json(file) else { throw FixtureError("\(file): not an object") }
        return try members.sorted { $0.name < $1.name }.map { m in
            VOTLongTermSequence(
                name: m.name, groundTruth: try rows(m.value["gt_rect"], file),
                width: Int(m.value["width"]!.double), height: Int(m.value["height"]!.double))
        }
    }

    static func rows(_ v: JSONValue?, _ file: String) throws -> [[Double]] {
        guard let a = v?.array else { throw FixtureError("\(file): gt_rect missing") }
        return a.map { ($0.array ?? []).map(\.double) }
    }
}
