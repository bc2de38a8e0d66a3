import Foundation
import SiamNN
import Testing

@testable import SiamRPN
@testable import SiamTrain

/// `BACKBONE.PRETRAINED` as pysot's `load_pretrain(model.backbone, path)` loads it: the file's
/// keys that name backbone tensors, else the same with `features.`, else an error; other keys
/// ignored; `TRAIN.PRETRAINED` over it.
struct PretrainedBackboneTests {
    static func entry(_ name: String, _ shape: [Int], _ value: Float) -> StateDict.Entry {
        StateDict.Entry(name: name, dtype: .float32, tensor: Tensor(shape: shape, values: [Float](repeating: value, count: shape.reduce(1, *))))
    }

    /// The small AlexNet model's own state dict (keys and shapes; `alexnetlegacy`: `backbone.features.N`).
    static func model() throws -> StateDict {
        let config = try PysotConfig.load(contentsOf: TrainFixtures.fixtures.appendingPathComponent("configs/small_alex_dw.yaml"))
        return try SiamRPNTrainingModel(
            spec: config.modelSpec(), stateDict: StateDict(), backbone: .all, initializer: NumPyRandomState(seed: 0)
        ).weights.stateDict()
    }

    @Test func backboneKeysLoadUnderBackboneAndTheWholeModelWeightsWin() throws {
        let model = try Self.model()
        let conv = try #require(model["backbone.features.0.weight"]).shape
        let file = StateDict([
            Self.entry("features.0.weight", conv, 1), Self.entry("features.1.running_var", [19], 2), Self.entry("fc.weight", [10, 4], 3)
        ])
        let whole = StateDict([Self.entry("backbone.features.1.running_var", [19], 5)])
        let merged = try PretrainedBackbone.merge(file, source: "imagenet.pth", whole: whole, model: model)
        #expect(merged.used == 2)
        #expect(merged.unused == ["fc.weight"])
        #expect(merged.weights["backbone.features.0.weight"]?.tensor.values.allSatisfy { $0 == 1 } == true)
        #expect(merged.weights["backbone.features.1.running_var"]?.tensor.values == [Float](repeating: 5, count: 19))
        #expect(merged.weights["fc.weight"] == nil && merged.weights["backbone.fc.weight"] == nil)
    }

    @Test func keysWithoutTheFeaturesPrefixAreTriedWithItAsPysotDoes() throws {
        let model = try Self.model()
        let conv = try #require(model["backbone.features.0.weight"]).shape
        let merged = try PretrainedBackbone.merge(StateDict([Self.entry("0.weight", conv, 1)]), source: "legacy.pth", whole: nil, model: model)
        #expect(merged.used == 1 && merged.weights.keys == ["backbone.features.0.weight"])
    }

    @Test func aFileOfAnotherArchitectureIsRefusedAndAWrongShapeNamed() throws {
        let model = try Self.model()
        #expect(throws: TrainingDataError.self) {
            try PretrainedBackbone.merge(StateDict([Self.entry("conv1.weight", [64, 3, 7, 7], 0)]), source: "r50.pth", whole: nil, model: model)
        }
        do {
            _ = try PretrainedBackbone.merge(StateDict([Self.entry("features.0.weight", [1, 1, 1, 1], 0)]), source: "x.pth", whole: nil, model: model)
            Issue.record("a mis-shaped tensor was loaded")
        } catch let error as TrainingDataError {
            #expect(error.description.contains("'features.0.weight' has shape [1, 1, 1, 1]"), "\(error)")
        }
    }
}
