import Foundation
import SiamRPN
import SiamTrain
import Testing

/// `NumPyRandomState` against draws numpy's own legacy `RandomState` made
/// (`Tests/Fixtures/numpy/random_state.json`, Tests/Fixtures/README.md section 30): exact.
@Suite struct NumPyRandomStateTests {
    static func cases() throws -> [JSONValue] {
        let url = TrainFixtures.fixtures.appendingPathComponent("numpy/random_state.json")
        let bytes = [UInt8](try Data(contentsOf: url))
        return try JSONValue.parse(bytes, 0..<bytes.count)["cases"]?.arrayValue ?? []
    }

    static func ints(_ v: JSONValue?) -> [Int] { (v?.arrayValue ?? []).map(\.int) }

    @Test func seedingAndTheRawStreamEqualNumpysMT19937AcrossTheTwistBoundary() throws {
        let cases = try Self.cases()
        #expect(cases.count == 5)
        for c in cases {
            let seed = UInt32(c["seed"]!.int)
            var rs = NumPyRandomState(seed: seed)
            #expect((0..<5).map { _ in Int(rs.next32()) } == Self.ints(c["next32_first5"]), "seed \(seed)")
            rs = NumPyRandomState(seed: seed)
            let v = (0..<1300).map { _ in Int(rs.next32()) }
            #expect(v.reduce(0, +) == c["next32_1300_sum"]!.int, "seed \(seed)")
            #expect([v[623], v[624], v[625], v[1299]] == Self.ints(c["next32_at_623_624_625_1299"]), "seed \(seed)")
        }
    }

    @Test func randomRandnRandintChoiceAndShuffleReplayNumpysSequenceExactly() throws {
        var checked = 0
        for c in try Self.cases() {
            let seed = UInt32(c["seed"]!.int)
            var rs = NumPyRandomState(seed: seed)
            #expect((0..<5).map { _ in rs.random() } == c["random_x5"]!.doubles, "seed \(seed)")
            for step in c["sequence"]?.arrayValue ?? [] {
                let s = step.arrayValue ?? []
                let kind = s[0].stringValue ?? ""
                switch kind {
                case "randn3":
                    #expect(rs.randn3() == s[1].doubles, "seed \(seed) randn")
                case "random":
                    #expect(rs.random() == s[1].double, "seed \(seed) random")
                case "randint":
                    #expect(rs.randint(s[1].int) == s[2].int, "seed \(seed) randint(0, \(s[1].int))")
                case "randint_low_high":
                    #expect(rs.randint(s[1].int, s[2].int) == s[3].int, "seed \(seed) randint(\(s[1].int), \(s[2].int))")
                case "choice":
                    let values = s[1].arrayValue ?? []
                    if values.first?.stringValue != nil {
                        #expect(rs.choice(values.compactMap(\.stringValue)) == s[2].stringValue, "seed \(seed) choice")
                    } else {
                        #expect(rs.choice(Self.ints(s[1])) == s[2].int, "seed \(seed) choice")
                    }
                case "shuffle_list", "shuffle_array":
                    var x = Array(0..<s[1].int)
                    rs.shuffle(&x)
                    if let expected = s[2].arrayValue {
                        #expect(x == expected.map(\.int), "seed \(seed) shuffle of \(x.count)")
                    } else {
                        let weighted = x.enumerated().reduce(0) { $0 + $1.offset * $1.element }
                        #expect(weighted == s[2]["sum_i_times_v"]!.int, "seed \(seed) shuffle of \(x.count)")
                        #expect(Array(x.prefix(10)) == Self.ints(s[2]["first10"]))
                        #expect(Array(x.suffix(10)) == Self.ints(s[2]["last10"]))
                    }
                default:
                    Issue.record("unknown step \(kind)")
                }
                checked += 1
            }
        }
        #expect(checked == 5 * 24)
    }
}

/// `numpyLog` against `np.log` of float32 arrays (`Tests/Fixtures/numpy/log_float32.json`,
/// Tests/Fixtures/README.md section 30): bit for bit.
@Suite struct NumPyLogFloat32Tests {
    @Test func float32LogEqualsNumpysBitForBitWhereTheCorrectlyRoundedLogDoesNot() throws {
        let url = TrainFixtures.fixtures.appendingPathComponent("numpy/log_float32.json")
        let bytes = [UInt8](try Data(contentsOf: url))
        let json = try JSONValue.parse(bytes, 0..<bytes.count)
        let x = (json["x_bits"]?.arrayValue ?? []).map { Float(bitPattern: UInt32($0.int)) }
        let y = (json["log_bits"]?.arrayValue ?? []).map { UInt32($0.int) }
        #expect(x.count == 4007 && y.count == x.count)
        let mismatches = zip(x, y).filter { numpyLog($0).bitPattern != $1 }.count
        #expect(mismatches == 0)
        let correctlyRounded = zip(x, y).filter { Float(log(Double($0))).bitPattern != $1 }.count
        #expect(correctlyRounded == json["differs_from_correctly_rounded"]?.int)
    }
}
