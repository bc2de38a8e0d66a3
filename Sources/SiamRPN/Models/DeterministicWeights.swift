// Mirrors the fixtures' deterministic weight generator (Tests/Fixtures/README.md section 1):
// FNV-1a-64 of "seed:name", splitmix64 per element, 24-bit uniform in [-1, 1), one Float
// multiply and one Float add (never fused). Used by the tests (against the fixtures' manifests)
// and by `siamrpn bench` without a snapshot.
import Foundation
import SiamNN

package enum DeterministicWeights {
    package static func fnv1a64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    package static func splitmix(_ h: UInt64, _ i: Int) -> UInt64 {
        var z = h &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` values `offset + scale * r`, r uniform in [-1, 1) (24 bits), of tensor `name`.
    package static func tensor(seed: Int, name: String, count: Int, scale: Float, offset: Float) -> [Float] {
        let h = fnv1a64("\(seed):\(name)")
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let m = splitmix(h, i) >> 40
            let r = 2 * (Float(m) * 0x1p-24) - 1
            let p = scale * r
            out[i] = offset + p
        }
        return out
    }

    /// A state dict holding every tensor a network requests (`requests`: key and shape), with
    /// values of a sane range so that activations stay normal floats (no denormals, NaN or
    /// overflow, which would change the speed): weights uniform in ±sqrt(3 / fan-in) (unit
    /// variance per layer), biases ±0.01, BatchNorm weights 1 ± 0.1, biases and means ± 0.1,
    /// variances 1 ± 0.1.
    package static func stateDict(seed: Int, requests: [(key: String, shape: [Int])]) -> StateDict {
        StateDict(
            requests.map { key, shape in
                let n = shape.reduce(1, *)
                let (scale, offset): (Float, Float)
                if key.hasSuffix("running_var") {
                    (scale, offset) = (0.1, 1)
                } else if shape.count == 1 && key.hasSuffix(".weight") {
                    (scale, offset) = (0.1, 1)  // BatchNorm gamma
                } else if shape.count == 1 {
                    (scale, offset) = (key.hasSuffix(".bias") && !key.contains("bn") ? 0.01 : 0.1, 0)
                } else {
                    let fanIn = max(1, shape.dropFirst().reduce(1, *))
                    (scale, offset) = (Float((3.0 / Double(fanIn)).squareRoot()), 0)
                }
                return StateDict.Entry(
                    name: key, dtype: .float32,
                    tensor: Tensor(shape: shape, values: tensor(seed: seed, name: key, count: n, scale: scale, offset: offset)))
            })
    }

    /// The state dict a weight manifest describes (`weights/<model>.manifest.json` of the shared
    /// fixtures: top-level `seed`, and per `params` entry `name`, `shape`, `scale_f32_hex`,
    /// `offset_f32_hex`), in the manifest's order; `num_batches_tracked` is not listed there and
    /// is left out.
    package static func stateDict(manifest url: URL) throws -> StateDict {
        let bytes = [UInt8](try Data(contentsOf: url))
        let root = try JSONValue.parse(bytes, 0..<bytes.count)
        func bad(_ what: String) -> CocoaError {
            CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "weight manifest: \(what)"])
        }
        func float(_ v: JSONValue?) throws -> Float {
            guard let s = v?.stringValue, s.hasPrefix("0x"), let bits = UInt32(s.dropFirst(2), radix: 16) else { throw bad("a float32 hex field") }
            return Float(bitPattern: bits)
        }
        guard let seed = root["seed"]?.doubleValue, let params = root["params"]?.arrayValue else { throw bad("no seed or params") }
        return StateDict(
            try params.map { p in
                guard let name = p["name"]?.stringValue, let dims = p["shape"]?.arrayValue else { throw bad("an entry without name or shape") }
                let shape = try dims.map { d -> Int in
                    guard let v = d.doubleValue, v >= 0, v == v.rounded() else { throw bad("\(name): shape") }
                    return Int(v)
                }
                let values = tensor(
                    seed: Int(seed), name: name, count: shape.reduce(1, *), scale: try float(p["scale_f32_hex"]),
                    offset: try float(p["offset_f32_hex"]))
                return StateDict.Entry(name: name, dtype: .float32, tensor: Tensor(shape: shape, values: values))
            })
    }
}
