import Foundation
import Testing

@testable import SiamNN
@testable import SiamRPN

/// The fixture networks run their 3x3 stride-1 convolutions by Winograd unless built with
/// `.direct` (so the parity tests, which build them by default, test the Winograd path), and on
/// ResNet-50 that covers the 74% of a step's MACs that issue 10 counts (flops.py; measured 75.4%;
/// MobileNetV2 43.0%, its head; AlexNet 46.9%: conv3-5 and the head).
struct WinogradModelTests {
    /// The search plan of `net` for pysot's 127 / 255 crops.
    static func searchPlan(_ net: SiamRPNModel) throws -> Plan {
        let template = try Plan(graph: net.templateGraph, inputSizes: [[127, 127]])
        let kernels = net.templateGraph.outputValues.map { Array(template.shapes[$0.id].dropFirst()) }
        return try Plan(graph: net.searchGraph, inputSizes: [[255, 255]] + kernels)
    }

    /// The share of the plan's MACs in convolutions that run the Winograd kernels.
    static func winogradShare(_ plan: Plan) -> Double {
        var macs = 0
        for (i, op) in plan.graph.operations.enumerated() {
            guard let w = op as? WinogradConvolutionOperation else { continue }
            let shapes = w.inputs.map { plan.shapes[$0.id] }
            if w.layout(shapes) != nil { macs += w.macs(shapes, output: plan.shapes[plan.graph.inputs.count + i]) }
        }
        return Double(macs) / Double(plan.macs)
    }

    @Test(arguments: [("siamrpn_r50_l234_dwxcorr", 0.74), ("siamrpn_mobilev2_l234_dwxcorr", 0.42), ("siamrpn_alex_dwxcorr", 0.46)])
    func defaultModelsRunTheirBigConvolutionsByWinograd(model: String, atLeast share: Double) throws {
        let weights = try DeterministicWeights.stateDict(model)
        let spec = ModelParityTests.specs[model]!
        let fast = try Self.winogradShare(Self.searchPlan(SiamRPNModel(spec: spec, weights: weights)))
        let direct = try Self.winogradShare(Self.searchPlan(SiamRPNModel(spec: spec, weights: weights, convolutions: .direct)))
        #expect(fast >= share, "\(model): \(fast) of the step's MACs by Winograd")
        #expect(direct == 0)
    }
}
