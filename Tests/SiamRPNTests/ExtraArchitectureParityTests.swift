import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// The further pysot architectures of `Fixtures/models_extra/` (see its README.md): each network
/// is built from its pysot `config.yaml` (so `PysotConfig.modelSpec()` is exercised too) with the
/// manifest's deterministic weights, and must give pysot's float64 cls/loc within
/// |a - t| <= 1e-4 + 1e-4 |t| and every recorded intermediate within 1e-4 * max|t|
/// (`ForwardParity`).
struct ExtraArchitectureParityTests {
    /// Model -> the `models/` folder whose `z.npy` / `x.npy` it uses. pysot made the same crops
    /// for these models (same frames and init box, 255 or 287 search size), byte for byte, so
    /// they are stored once.
    static let cropFolders: [String: String] = [
        "siamrpn_r18_l234_dwxcorr": "models/siamrpn_r50_l234_dwxcorr",
        "siamrpn_r34_l4_dwxcorr": "models/siamrpn_r50_l234_dwxcorr",
        "siamrpn_alexnet_upxcorr": "models/siamrpn_alex_dwxcorr",
        "siamrpn_r50_l3_dwxcorr": "models/siamrpn_r50_l234_dwxcorr",
        "siamrpn_r50_l234_dwxcorr_otb": "models/siamrpn_r50_l234_dwxcorr"
    ]
    static let models = cropFolders.keys.sorted()

    /// `configs/<model>.yaml` -> `ModelSpec` -> the network, weights from `weights/<model>.manifest.json`.
    static func network(_ model: String) throws -> SiamRPNModel {
        let config = try PysotConfig.load(contentsOf: Fixtures.url("configs/\(model).yaml"))
        return try SiamRPNModel(config: config, weights: DeterministicWeights.stateDict(model))
    }

    /// The generator reproduces every tensor of the new manifests (UPChannelRPN's template-conv
    /// biases have their own, larger scale), so a parity failure points at the model.
    @Test(arguments: models)
    func generatedWeightsMatchTheManifestChecksums(model: String) throws {
        let mismatches = try DeterministicWeights.checksumMismatches(model)
        #expect(mismatches.isEmpty, "\(model): \(mismatches.prefix(5))")
    }

    @Test(arguments: models)
    func clsAndLocMatchPysotFloat64Truth(model: String) throws {
        let crops = Self.cropFolders[model]!
        try ForwardParity.expectClsAndLocMatch(
            try Self.network(model), z: "\(crops)/z.npy", x: "\(crops)/x.npy",
            truth: "models_extra/\(model)")
    }

    @Test(arguments: models)
    func everyIntermediateMatchesPysotChecksums(model: String) throws {
        let crops = Self.cropFolders[model]!
        try ForwardParity.expectIntermediatesMatch(
            try Self.network(model), z: "\(crops)/z.npy", x: "\(crops)/x.npy",
            intermediates: "models_extra/\(model)/intermediates.json")
    }

    /// The crops are shared only where pysot recorded the same crop: same shape, dtype, frame and
    /// `get_subwindow` arguments in both `io.json` files.
    @Test(arguments: models)
    func sharedCropsAreTheOnesPysotRecordedForTheModel(model: String) throws {
        let own = try Fixtures.json("models_extra/\(model)/io.json") as! [String: Any]
        let shared = try Fixtures.json("\(Self.cropFolders[model]!)/io.json") as! [String: Any]
        for crop in ["z", "x"] {
            // Canonical JSON (sorted keys) of both descriptions.
            let a = try JSONSerialization.data(withJSONObject: own[crop]!, options: [.sortedKeys])
            let b = try JSONSerialization.data(withJSONObject: shared[crop]!, options: [.sortedKeys])
            #expect(a == b, "\(model) \(crop): \(String(decoding: a, as: UTF8.self)) vs \(String(decoding: b, as: UTF8.self))")
        }
    }

    /// What pysot's `ModelBuilder` builds from each config (models_extra/README.md table):
    /// single used layers give one level and an `AdjustLayer`, `weighted: False` an unweighted
    /// MultiRPN, `alexnet` the new AlexNet, `feature_in` UPChannelRPN's width.
    @Test func configsDescribeTheArchitecturesPysotBuilds() throws {
        let expected: [String: ModelSpec] = [
            "siamrpn_r18_l234_dwxcorr": ModelSpec(
                backbone: .resnet(depth: 18, usedLayers: [2, 3, 4]),
                neck: .adjustAllLayer(inChannels: [128, 256, 512], outChannels: [256, 256, 256], centerSize: 7),
                head: .multi(anchorNum: 5, inChannels: [256, 256, 256], weighted: true)),
            "siamrpn_r34_l4_dwxcorr": ModelSpec(
                backbone: .resnet(depth: 34, usedLayers: [4]),
                neck: .adjustLayer(inChannels: 512, outChannels: 256, centerSize: 7),
                head: .depthwise(anchorNum: 5, inChannels: 256, outChannels: 256)),
            "siamrpn_alexnet_upxcorr": ModelSpec(
                backbone: .alexNet(widthMult: 1.0), neck: .none, head: .upChannel(anchorNum: 5, featureIn: 256)),
            "siamrpn_r50_l3_dwxcorr": ModelSpec(
                backbone: .resnet(depth: 50, usedLayers: [3]),
                neck: .adjustLayer(inChannels: 1024, outChannels: 256, centerSize: 7),
                head: .depthwise(anchorNum: 5, inChannels: 256, outChannels: 256)),
            "siamrpn_r50_l234_dwxcorr_otb": ModelSpec(
                backbone: .resnet(depth: 50, usedLayers: [2, 3, 4]),
                neck: .adjustAllLayer(inChannels: [512, 1024, 2048], outChannels: [256, 256, 256], centerSize: 7),
                head: .multi(anchorNum: 5, inChannels: [256, 256, 256], weighted: false))
        ]
        #expect(Set(expected.keys) == Set(Self.models))
        for (model, spec) in expected {
            let config = try PysotConfig.load(contentsOf: Fixtures.url("configs/\(model).yaml"))
            #expect(try config.modelSpec() == spec, "\(model)")
        }
    }
}
