import Foundation
import SiamNN
import Testing
@testable import SiamRPN

/// The three fixture networks (random weights from the manifests, pysot's own crops) must give
/// pysot's float64 outputs within |a - t| <= 1e-4 + 1e-4 |t| (Tests/Fixtures/README.md section 3), and
/// every intermediate within 1e-4 * max|t| at the sampled positions.
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
            head: .depthwise(anchorNum: 5, inChannels: 256, outChannels: 256)),
    ]

    static func input(_ model: String, _ file: String) throws -> Tensor {
        try NumPyArray(contentsOf: Fixtures.url("models/\(model)/\(file)")).tensor()
    }

    @Test(arguments: ["siamrpn_r50_l234_dwxcorr", "siamrpn_mobilev2_l234_dwxcorr", "siamrpn_alex_dwxcorr"])
    func clsAndLocMatchPysotFloat64Truth(model: String) throws {
        let net = try SiamRPNModel(spec: Self.specs[model]!, weights: DeterministicWeights.stateDict(model))
        let template = try net.templateFeatures(try Self.input(model, "z.npy"))
        let (cls, loc) = try net.track(try Self.input(model, "x.npy"), template: template)
        for (name, got) in [("cls", cls), ("loc", loc)] {
            let truth = try NumPyArray(contentsOf: Fixtures.url("models/\(model)/\(name)_f64.npy"))
            #expect(got.shape == truth.shape)
            let t = truth.doubles()
            var worst = 0.0
            var failures = 0
            for i in 0..<t.count {
                let err = abs(Double(got.values[i]) - t[i])
                worst = max(worst, err)
                if err > 1e-4 + 1e-4 * abs(t[i]) { failures += 1 }
            }
            #expect(failures == 0, "\(model) \(name): \(failures) values outside tolerance, max abs error \(worst)")
        }
    }

    @Test(arguments: ["siamrpn_r50_l234_dwxcorr", "siamrpn_mobilev2_l234_dwxcorr", "siamrpn_alex_dwxcorr"])
    func everyIntermediateMatchesPysotChecksums(model: String) throws {
        let net = try SiamRPNModel(spec: Self.specs[model]!, weights: DeterministicWeights.stateDict(model))
        let z = try Self.input(model, "z.npy"), x = try Self.input(model, "x.npy")
        let tws = Workspace(plan: try Plan(graph: net.templateGraph, inputSizes: [[z.shape[2], z.shape[3]]], keepingAll: true))
        let template = net.templateFeatures(z, workspace: tws)
        let plan = try Plan(graph: net.searchGraph, inputSizes: [[x.shape[2], x.shape[3]]] + template.kernels.map { Array($0.shape.suffix(2)) },
                        keepingAll: true)
        let sws = Workspace(plan: plan)
        _ = net.track(x, template: template, workspace: sws)

        let root = try Fixtures.json("models/\(model)/intermediates.json") as! [String: Any]
        let tensors = root["tensors"] as! [String: [String: Any]]
        #expect(tensors.count > 0)
        for (name, entry) in tensors.sorted(by: { $0.key < $1.key }) {
            let truth = entry["f64"] as! [String: Any]
            let got: Tensor
            if let v = net.templateGraph.value(named: name) {
                got = tws.tensor(v)
            } else if let v = net.searchGraph.value(named: name) {
                got = sws.tensor(v)
            } else {
                Issue.record("\(model): no value named \(name)")
                continue
            }
            #expect(got.shape == truth["shape"] as! [Int], "\(name) shape")
            let maxAbs = max(abs(truth["min"] as! Double), abs(truth["max"] as! Double))
            let tol = 1e-4 * maxAbs
            for (i, t) in zip(truth["sample_idx"] as! [Int], truth["samples"] as! [Double]) {
                #expect(abs(Double(got.values[i]) - t) <= tol, "\(model) \(name)[\(i)] = \(got.values[i]), pysot \(t)")
            }
            let sum = got.values.reduce(0.0) { $0 + Double($1) }
            let sumSq = got.values.reduce(0.0) { $0 + Double($1) * Double($1) }
            let tSum = truth["sum"] as! Double, tSumSq = truth["sum_sq"] as! Double
            // relative 1e-4 of the sum, measured against the sum of magnitudes' scale (sqrt(n*sum_sq)).
            let n = Double(got.count)
            #expect(abs(sum - tSum) <= 1e-4 * max(abs(tSum), (n * tSumSq).squareRoot() * 1e-2), "\(model) \(name) sum \(sum) vs \(tSum)")
            #expect(abs(sumSq - tSumSq) <= 1e-4 * tSumSq, "\(model) \(name) sum_sq \(sumSq) vs \(tSumSq)")
            #expect(abs(Double(got.values.max()!) - (truth["max"] as! Double)) <= tol, "\(model) \(name) max")
            #expect(abs(Double(got.values.min()!) - (truth["min"] as! Double)) <= tol, "\(model) \(name) min")
        }
    }
}
