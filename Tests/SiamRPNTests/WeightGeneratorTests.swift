import Foundation
import Testing

@testable import SiamRPN

/// The generator that rebuilds the fixture models' weights must be bit-exact, or every parity
/// test downstream compares against the wrong network.
struct WeightGeneratorTests {
    @Test func fnvAndSplitmixMatchTheirSanityConstants() {
        #expect(DeterministicWeights.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(DeterministicWeights.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        // splitmix64's first output from state 0: z = 0 + 1 * golden.
        #expect(DeterministicWeights.splitmix(0, 0) == 0xe220_a839_7b1d_cdaf)
    }

    @Test(arguments: [
        (
            1234, "backbone.conv1.weight", 0, UInt32(0x3c23_d70a), UInt32(0), UInt64(0xd068_1b2b_4d6f_1ab7), UInt64(0xb9fa_feea_3afe_5fad),
            UInt32(0x3b94_6e0f)
        ),
        (1234, "backbone.conv1.weight", 12345, 0x3c23_d70a, 0, 0xd068_1b2b_4d6f_1ab7, 0x2178_904b_9ef7_5be5, 0xbbf1_fe8f),
        (1234, "rpn_head.cls_weight", 2, 0x3f80_0000, 0, 0x381d_530a_931f_4d9d, 0x8ba3_1e94_8e94_212d, 0x3dba_31e0),
        (1234, "neck.downsample2.downsample.1.running_var", 7, 0x3f00_0000, 0x3f80_0000, 0x4e6c_93bb_671c_69d2, 0xe9a3_bbbf_9a71_9162, 0x3fb4_d1de),
        (424242, "backbone.bn1.weight", 63, 0x3dcc_cccd, 0x3f80_0000, 0x5042_49f5_0586_9ab7, 0x6524_b984_a856_ab58, 0x3f7a_a0f2)
    ])
    func generatorReproducesTheReadmeVectors(
        seed: Int, name: String, index: Int, scale: UInt32, offset: UInt32, fnv: UInt64, z: UInt64, value: UInt32
    ) {
        let h = DeterministicWeights.fnv1a64("\(seed):\(name)")
        #expect(h == fnv)
        #expect(DeterministicWeights.splitmix(h, index) == z)
        let v = DeterministicWeights.value(
            seed: seed, name: name, index: index,
            scale: Float(bitPattern: scale), offset: Float(bitPattern: offset))
        #expect(v.bitPattern == value)
    }

    @Test(arguments: ["siamrpn_r50_l234_dwxcorr", "siamrpn_mobilev2_l234_dwxcorr", "siamrpn_alex_dwxcorr"])
    func generatedTensorsMatchEveryManifestChecksum(model: String) throws {
        let (seed, params) = try DeterministicWeights.manifest(model)
        for p in params {
            let n = p.shape.reduce(1, *)
            let v = DeterministicWeights.tensor(seed: seed, name: p.name, count: n, scale: p.scale, offset: p.offset)
            #expect(Array(v.prefix(4)).map(\.bitPattern) == Array(p.first4.prefix(min(4, n))), "\(p.name) first values")
            #expect(v.last!.bitPattern == p.last, "\(p.name) last value")
            let sum = v.reduce(0.0) { $0 + Double($1) }
            let sumSq = v.reduce(0.0) { $0 + Double($1) * Double($1) }
            // float64 accumulation in the same order: equal to rounding noise.
            #expect(abs(sum - p.sum) <= 1e-9 * max(1, abs(p.sum)), "\(p.name) sum")
            #expect(abs(sumSq - p.sumSq) <= 1e-9 * max(1, p.sumSq), "\(p.name) sum_sq")
        }
    }
}
