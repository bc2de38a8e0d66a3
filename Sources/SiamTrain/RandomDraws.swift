// Mirrors the numpy.random calls of pysot/datasets/augmentation.py and dataset.py (random, randn,
// choice, randint) as one interface, so a seeded generator or a fixture's recorded draws can feed them (and a
// recorder that lists what a generator drew)
import Foundation

/// The random numbers pysot's data pipeline draws, in the order it draws them.
///
/// `NumPyRandomState` is the generator `--seed` selects (numpy's legacy stream, so a seed gives
/// pysot's draws); `RecordedDraws` replays a fixture's list.
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

/// Forwards draws to a `NumPyRandomState` and records them as `RecordedDraws` lists them.
struct DrawRecorder: TrainingRandomness {
    var source: NumPyRandomState
    var draws: [RecordedDraw] = []

    init(_ source: NumPyRandomState) { self.source = source }

    mutating func random() -> Double {
        let u = source.random()
        draws.append(.random(u))
        return u
    }

    mutating func randn3() -> [Double] {
        let v = source.randn3()
        draws.append(.randn(v))
        return v
    }

    mutating func choice(_ values: [Int]) -> Int {
        let v = source.choice(values)
        draws.append(.choice(v))
        return v
    }

    mutating func randint(_ upper: Int) -> Int {
        let v = source.randint(upper)
        draws.append(.randint(v))
        return v
    }
}
