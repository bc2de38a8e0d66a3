import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// The three fixture networks (random weights from the manifests, pysot's own crops) must give
/// pysot's float64 outputs within |a - t| <= 1e-4 + 1e-4 |t| (Tests/Fixtures/README.md section 3), and
/// every intermediate within 1e-4 * max|t| at the sampled positions (`ForwardParity`).
struct ModelParityTests {
    static let specs: [String: ModelSpec] = [
        "siamrpn_r50_l234_dwxcorr": ModelSpec(
            backbone: .resnet(depth: 50, usedLayers: [2, 3, 4]),
            neck: .adjustAllLayer(inChannels: [512, 1024, 2048], outChannels: [256, 256, 256], centerSize: 7),
            head: .multi(anchorNum: 5, inChannels: [256, 256, 256], weighted: true)),
        "siamrpn_mobilev2_l234_dwxcorr": ModelSpec(
            backbone: .mobileNetV2(widthMult: 1.4, usedLayers: [3, 5, 7]),
            neck: .adjustAllLayer(inChannels: [44, 134, 448], outChannels: [256, 256, 256], centerSize: 7),
            head: .multi(anchorNum: 5, inChannels: [256, 256, 256], weighted: false)),
        "siamrpn_alex_dwxcorr": ModelSpec(
            backbone: .alexNetLegacy(widthMult: 1.0), neck: .none,
            head: .depthwise(anchorNum: 5, inChannels: 256, outChannels: 256))
    ]

    @Test(arguments: ["siamrpn_r50_l234_dwxcorr", "siamrpn_mobilev2_l234_dwxcorr", "siamrpn_alex_dwxcorr"])
    func clsAndLocMatchPysotFloat64Truth(model: String) throws {
        let net = try SiamRPNModel(spec: Self.specs[model]!, weights: DeterministicWeights.stateDict(model))
        try ForwardParity.expectClsAndLocMatch(net, z: "models/\(model)/z.npy", x: "models/\(model)/x.npy", truth: "models/\(model)")
    }

    @Test(arguments: ["siamrpn_r50_l234_dwxcorr", "siamrpn_mobilev2_l234_dwxcorr", "siamrpn_alex_dwxcorr"])
    func everyIntermediateMatchesPysotChecksums(model: String) throws {
        let net = try SiamRPNModel(spec: Self.specs[model]!, weights: DeterministicWeights.stateDict(model))
        try ForwardParity.expectIntermediatesMatch(
            net, z: "models/\(model)/z.npy", x: "models/\(model)/x.npy",
            intermediates: "models/\(model)/intermediates.json")
    }
}
