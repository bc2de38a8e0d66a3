import Foundation
import SiamNN

@testable import SiamRPN

/// The fixtures' manifests for the deterministic weight generator (Sources/SiamRPN/Models/DeterministicWeights.swift).
extension DeterministicWeights {
    /// Element `i` of tensor `name`.
    static func value(seed: Int, name: String, index i: Int, scale: Float, offset: Float) -> Float {
        let z = splitmix(fnv1a64("\(seed):\(name)"), i)
        let m = z >> 40
        let u = Float(m) * 0x1p-24
        let r = 2 * u - 1
        let p = scale * r
        let v = offset + p
        return v
    }

    struct Param {
        var name: String
        var shape: [Int]
        var scale: Float
        var offset: Float
        var sum: Double
        var sumSq: Double
        var first4: [UInt32]
        var last: UInt32
    }

    static func hex(_ s: Any?) -> UInt32 { UInt32(String((s as! String).dropFirst(2)), radix: 16)! }

    /// Parses `weights/<model>.manifest.json`.
    static func manifest(_ model: String) throws -> (seed: Int, params: [Param]) {
        let root = try Fixtures.json("weights/\(model).manifest.json") as! [String: Any]
        let params = (root["params"] as! [[String: Any]]).map { p in
            Param(
                name: p["name"] as! String, shape: p["shape"] as! [Int],
                scale: Float(bitPattern: hex(p["scale_f32_hex"])), offset: Float(bitPattern: hex(p["offset_f32_hex"])),
                sum: p["sum"] as! Double, sumSq: p["sum_sq"] as! Double,
                first4: (p["first4_f32_hex"] as! [String]).map { hex($0) }, last: hex(p["last_f32_hex"]))
        }
        return (root["seed"] as! Int, params)
    }

    /// The manifest entries of `model` whose generated tensor does not reproduce the manifest's
    /// checksums: first four and last values bit for bit, float64 sum and sum of squares within
    /// 1e-9 relative (same accumulation order, so only rounding noise). Empty when all match.
    static func checksumMismatches(_ model: String) throws -> [String] {
        let (seed, params) = try manifest(model)
        return params.compactMap { p in
            let n = p.shape.reduce(1, *)
            let v = tensor(seed: seed, name: p.name, count: n, scale: p.scale, offset: p.offset)
            let sum = v.reduce(0.0) { $0 + Double($1) }
            let sumSq = v.reduce(0.0) { $0 + Double($1) * Double($1) }
            var wrong: [String] = []
            if Array(v.prefix(4)).map(\.bitPattern) != Array(p.first4.prefix(min(4, n))) { wrong.append("first values") }
            if v.last!.bitPattern != p.last { wrong.append("last value") }
            if abs(sum - p.sum) > 1e-9 * max(1, abs(p.sum)) { wrong.append("sum \(sum) vs \(p.sum)") }
            if abs(sumSq - p.sumSq) > 1e-9 * max(1, p.sumSq) { wrong.append("sum_sq \(sumSq) vs \(p.sumSq)") }
            return wrong.isEmpty ? nil : "\(p.name): " + wrong.joined(separator: ", ")
        }
    }

    /// The full state dict of a fixture model (num_batches_tracked omitted).
    static func stateDict(_ model: String) throws -> StateDict {
        try stateDict(manifest: Fixtures.url("weights/\(model).manifest.json"))
    }
}
