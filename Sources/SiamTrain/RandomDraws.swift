// Mirrors the numpy.random calls of pysot/datasets/augmentation.py and dataset.py (random, randn,
// choice, randint) as one interface, so a seeded generator or a fixture's recorded draws can feed them
import Foundation

/// The random numbers pysot's data pipeline draws, in the order it draws them.
///
/// `SeededDraws` is the generator `--seed` selects; `RecordedDraws` replays a fixture's list.
/// (pysot draws from numpy's global MT19937; a run is reproducible by its seed here, not
/// equal to numpy's stream.)
package protocol TrainingRandomness {
    /// `np.random.random()`: uniform in [0, 1).
    mutating func random() -> Double
    /// `np.random.randn(3, 1)`: three standard normal values.
    mutating func randn3() -> [Double]
    /// `np.random.choice(values)`.
    mutating func choice(_ values: [Int]) -> Int
    /// `np.random.randint(0, upper)`: uniform in `0..<upper`.
    mutating func randint(_ upper: Int) -> Int
}

/// xoshiro256** seeded through SplitMix64: `random()` takes the top 53 bits; `randn3` is the
/// Marsaglia polar method (numpy's legacy `gauss`, one value cached); integers are unbiased
/// (rejection sampling).
package struct SeededDraws: TrainingRandomness, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    private var cachedGauss: Double?

    package init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    package mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    package mutating func random() -> Double { Double(next() >> 11) * 0x1p-53 }

    package mutating func gauss() -> Double {
        if let g = cachedGauss {
            cachedGauss = nil
            return g
        }
        while true {
            let x1 = 2 * random() - 1
            let x2 = 2 * random() - 1
            let r2 = x1 * x1 + x2 * x2
            if r2 < 1, r2 != 0 {
                let f = (-2 * Foundation.log(r2) / r2).squareRoot()
                cachedGauss = f * x1
                return f * x2
            }
        }
    }

    package mutating func randn3() -> [Double] { [gauss(), gauss(), gauss()] }

    package mutating func randint(_ upper: Int) -> Int {
        precondition(upper > 0)
        let n = UInt64(upper)
        let limit = UInt64.max - UInt64.max % n
        while true {
            let v = next()
            if v < limit { return Int(v % n) }
        }
    }

    package mutating func choice(_ values: [Int]) -> Int { values[randint(values.count)] }
}

/// One recorded draw, as the fixtures list them (`["random", 0.5]`, `["randn", [..3..]]`, `["choice", 13]`).
package enum RecordedDraw: Sendable, Equatable {
    case random(Double)
    case randn([Double])
    case choice(Int)
    case randint(Int)
}

/// Replays recorded draws in order. A draw of another kind than the next recorded one, or one past
/// the end, is counted in `mismatches` (and answered with 0) so a test can assert the call order.
package struct RecordedDraws: TrainingRandomness, Sendable {
    package private(set) var draws: [RecordedDraw]
    package private(set) var position = 0
    package private(set) var mismatches: [String] = []

    package init(_ draws: [RecordedDraw]) { self.draws = draws }

    package var isExhausted: Bool { position == draws.count }

    private mutating func take(_ kind: String) -> RecordedDraw? {
        guard position < draws.count else {
            mismatches.append("draw \(position): \(kind) asked for after the last recorded draw")
            return nil
        }
        defer { position += 1 }
        return draws[position]
    }

    package mutating func random() -> Double {
        guard let d = take("random") else { return 0 }
        if case .random(let u) = d { return u }
        mismatches.append("draw \(position - 1): random asked for, \(d) recorded")
        return 0
    }

    package mutating func randn3() -> [Double] {
        guard let d = take("randn") else { return [0, 0, 0] }
        if case .randn(let v) = d, v.count == 3 { return v }
        mismatches.append("draw \(position - 1): randn(3, 1) asked for, \(d) recorded")
        return [0, 0, 0]
    }

    package mutating func choice(_ values: [Int]) -> Int {
        guard let d = take("choice") else { return values.first ?? 0 }
        if case .choice(let v) = d, values.contains(v) { return v }
        mismatches.append("draw \(position - 1): choice of \(values.count) values asked for, \(d) recorded")
        return values.first ?? 0
    }

    package mutating func randint(_ upper: Int) -> Int {
        guard let d = take("randint") else { return 0 }
        if case .randint(let v) = d, v >= 0, v < upper { return v }
        mismatches.append("draw \(position - 1): randint(0, \(upper)) asked for, \(d) recorded")
        return 0
    }
}
