// Mirrors numpy/random/mtrand.pyx: RandomState (legacy seeding, random_sample, randn, randint, choice,
// shuffle) over numpy/random/src/mt19937 and numpy/random/src/legacy (legacy_gauss)
import Foundation

/// numpy's legacy global generator, `np.random.seed(s)` followed by pysot's calls, draw for draw.
///
/// pysot draws every random number of its data pipeline from numpy's global `RandomState`
/// (MT19937); this reproduces that stream, so `--seed s` gives pysot's items after
/// `np.random.seed(s)`. The rules (numpy 1.x and 2.x keep the legacy stream unchanged):
///
/// - `seed(s)`, `0 <= s < 2^32`: MT19937 `init_genrand` — `key[0] = s`,
///   `key[i] = 1812433253 * (key[i-1] ^ (key[i-1] >> 30)) + i` (mod 2^32), position 624 (the
///   first draw regenerates the block); the cached Gaussian is dropped.
/// - `next32`: the MT19937 twist of 624 words, tempered (`>> 11`, `<< 7 & 0x9d2c5680`,
///   `<< 15 & 0xefc60000`, `>> 18`).
/// - `random()` (`random_sample`): `a = next32 >> 5`, `b = next32 >> 6`,
///   `(a * 2^26 + b) / 2^53`.
/// - `gauss()` (`legacy_gauss`, what `randn` draws): the polar method — `x1 = 2 random() - 1`,
///   `x2 = 2 random() - 1` until `0 < r2 = x1² + x2² < 1`; `f = sqrt(-2 log(r2) / r2)`; returns
///   `f x2` and caches `f x1` for the next call.
/// - `randint(0, n)` and `choice(a)` (`randint(0, len(a))`, no `p`): the masked rejection of
///   legacy `RandomState` — `rng = n - 1`, `mask` = `rng` with every lower bit set, draw
///   `next32 & mask` (or the 64-bit `next64 = next32 << 32 | next32` when `rng >= 2^32`)
///   until it is `<= rng`; `rng == 0` draws nothing.
/// - `shuffle(x)` (a list or 1-d array): for `i` from `n-1` down to 1, `j = interval(i)` (the same
///   masked rejection with `rng = i`), swap `x[i]` and `x[j]`.
package struct NumPyRandomState: TrainingRandomness, Sendable {
    private var key: [UInt32]
    private var position: Int
    private var cachedGauss: Double?

    /// `np.random.seed(seed)`; `seed` must be in `0..<2^32` as numpy requires.
    package init(seed: UInt32) {
        key = [UInt32](repeating: 0, count: 624)
        key[0] = seed
        for i in 1..<624 {
            key[i] = 1_812_433_253 &* (key[i - 1] ^ (key[i - 1] >> 30)) &+ UInt32(i)
        }
        position = 624
        cachedGauss = nil
    }

    /// `get_state()` / `set_state()`'s parts, `('MT19937', key, pos, has_gauss, cached_gaussian)`:
    /// what a checkpoint stores to continue the stream exactly.
    package var key624: [UInt32] { key }
    package var keyPosition: Int { position }
    package var cachedGaussian: Double? { cachedGauss }

    /// The generator `set_state(('MT19937', key, position, cachedGaussian != nil, cachedGaussian ?? 0))`
    /// makes; nil unless `key` has 624 words and `position` is in `0...624`.
    package init?(key: [UInt32], position: Int, cachedGaussian: Double?) {
        guard key.count == 624, (0...624).contains(position) else { return nil }
        self.key = key
        self.position = position
        cachedGauss = cachedGaussian
    }

    private mutating func twist() {
        let upper: UInt32 = 0x8000_0000
        let lower: UInt32 = 0x7fff_ffff
        let matrix: UInt32 = 0x9908_b0df
        for i in 0..<624 {
            let y = (key[i] & upper) | (key[(i + 1) % 624] & lower)
            key[i] = key[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : matrix)
        }
        position = 0
    }

    /// The next tempered 32-bit output.
    package mutating func next32() -> UInt32 {
        if position == 624 { twist() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// numpy's `next_uint64` for MT19937: two 32-bit outputs, the first in the high half.
    package mutating func next64() -> UInt64 {
        let high = UInt64(next32())
        return high << 32 | UInt64(next32())
    }

    /// `np.random.random()`: uniform in [0, 1) from 53 bits of two draws.
    package mutating func random() -> Double {
        let a = Double(next32() >> 5)
        let b = Double(next32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// One standard normal value (`legacy_gauss`).
    package mutating func gauss() -> Double {
        if let g = cachedGauss {
            cachedGauss = nil
            return g
        }
        while true {
            let x1 = 2.0 * random() - 1.0
            let x2 = 2.0 * random() - 1.0
            let r2 = x1 * x1 + x2 * x2
            if r2 < 1.0, r2 != 0.0 {
                let f = (-2.0 * log(r2) / r2).squareRoot()
                cachedGauss = f * x1
                return f * x2
            }
        }
    }

    /// `np.random.randn(3, 1)` flattened.
    package mutating func randn3() -> [Double] { [gauss(), gauss(), gauss()] }

    /// A uniform integer in `0...rng` by masked rejection (`rng == 0` draws nothing).
    package mutating func interval(_ rng: UInt64) -> UInt64 {
        if rng == 0 { return 0 }
        var mask = rng
        for s in [1, 2, 4, 8, 16, 32] as [UInt64] { mask |= mask >> s }
        if rng <= 0xffff_ffff {
            if rng == 0xffff_ffff { return UInt64(next32()) }
            while true {
                let v = UInt64(next32()) & mask
                if v <= rng { return v }
            }
        }
        if rng == UInt64.max { return next64() }
        while true {
            let v = next64() & mask
            if v <= rng { return v }
        }
    }

    /// `np.random.randint(0, upper)`, `upper >= 1`.
    package mutating func randint(_ upper: Int) -> Int {
        precondition(upper >= 1, "randint(0, \(upper)) has an empty range")
        return Int(interval(UInt64(upper - 1)))
    }

    /// `np.random.randint(low, high)`, `high > low`.
    package mutating func randint(_ low: Int, _ high: Int) -> Int { low + randint(high - low) }

    /// `np.random.choice(values)` (uniform, with replacement, one value).
    package mutating func choice<T>(_ values: [T]) -> T { values[randint(values.count)] }

    /// `np.random.choice(values)` for the protocol's integer lists.
    package mutating func choice(_ values: [Int]) -> Int { values[randint(values.count)] }

    /// `np.random.shuffle(x)` in place.
    package mutating func shuffle<T>(_ x: inout [T]) {
        var i = x.count - 1
        while i >= 1 {
            let j = Int(interval(UInt64(i)))
            x.swapAt(i, j)
            i -= 1
        }
    }
}
