import Foundation
import SiamNN
import Testing

@testable import SiamRPN
@testable import SiamTrain

/// pysot's atrous ResNet backbones in training form (`ResNetTraining`) against pysot + PyTorch
/// float64 (Tests/Fixtures/training_arch/resnet/README.md): the shared fixtures' deterministic
/// weights, two calls like pysot's `ModelBuilder.forward` (the `[2, 3, 127, 127]` template, then
/// the `[2, 3, 255, 255]` search batch, sharing the BatchNorm running statistics), loss =
/// sum over both calls and all outputs of `output * R` with `R = DeterministicWeights.tensor(seed:
/// 4242, name: "<call>.output<j>", scale: 1)`, backward.
///
/// Tolerances are 4x PyTorch's own float32-vs-float64 spread on the same run, which each fixture
/// records (`float32_spread`: the worst over the case's outputs, gradients or running statistics;
/// the README lists them; gradients and running statistics per module, `float32_spread_by_module`,
/// since the error grows towards conv1), per kind and term: every stored entry (as a fraction of the tensor's
/// max |t|), the median stored entry, the sum (of sum |t|) and the L2 norm (relative). Gradients
/// in float32 are only good to about 1e-2 of max |g| at a few entries (a ReLU input within
/// rounding of 0 switches its derivative), so the median entry is what catches a small error
/// everywhere.
@Suite struct ResNetBackboneTrainingTests {
    static let directory = TrainFixtures.fixtures.appendingPathComponent("training_arch/resnet")

    #if DEBUG
        /// resnet50's cases take about 50 s each unoptimised (2 cores); they run in release builds (`swift test -c release`).
        static let heavyTestsRun = false
    #else
        static let heavyTestsRun = true
    #endif

    /// One fixture case: a model of the shared fixtures and pysot's `TRAIN_LAYERS` (nil: every
    /// module trains).
    struct Case {
        let fixture: String
        let model: String
        let depth: Int
        let usedLayers: [Int]
        let trainLayers: [String]?

        func trains(_ module: String) -> Bool { trainLayers?.contains(module) ?? true }
    }

    /// Relative errors of one comparison: the worst and the median of |a - t| / max |t| over the
    /// entries the fixture stores, |sum - t| / sum |t|, |L2 - t| / t. The fixture's
    /// `float32_spread` holds PyTorch's own float32-vs-float64 errors in these terms, the worst
    /// over the outputs, the gradients or the running statistics of the case (`elem`, over every
    /// entry, bounds the stored ones; `stored_median`, `sum`, `l2`).
    struct Errors: CustomStringConvertible {
        var entry = 0.0, median = 0.0, sum = 0.0, l2 = 0.0

        init(entry: Double = 0, median: Double = 0, sum: Double = 0, l2: Double = 0) {
            (self.entry, self.median, self.sum, self.l2) = (entry, median, sum, l2)
        }

        init(spread t: JSONValue) {
            self.init(entry: t["elem"]!.double, median: t["stored_median"]!.double, sum: t["sum"]!.double, l2: t["l2"]!.double)
        }

        var terms: [Double] { [entry, median, sum, l2] }

        mutating func merge(_ o: Errors) {
            (entry, median, sum, l2) = (max(entry, o.entry), max(median, o.median), max(sum, o.sum), max(l2, o.l2))
        }

        var description: String { "entry \(entry), median entry \(median), sum \(sum), L2 \(l2)" }
    }

    /// Tolerances are `factor` times PyTorch's float32 spread of the kind (outputs, gradients,
    /// running statistics), each at least `roundoff`.
    static let factor = 4.0
    /// Below float32's unit roundoff (2^-24 = 6e-8) a spread measures luck; spreads count as at least 1e-7.
    static let roundoff = 1e-7

    static func truth(_ fixture: String) throws -> JSONValue {
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(fixture).json")))
        return try JSONValue.parse(bytes, 0..<bytes.count)
    }

    /// The backbone bound to the `backbone.*` entries of the model's fixture weights.
    static func backbone(_ c: Case) throws -> (ResNetTraining, TrainingWeights) {
        let all = try TrainFixtures.manifestWeights(c.model)
        let weights = TrainingWeights(
            StateDict(all.entries.filter { $0.name.hasPrefix("backbone.") }), architecture: "resnet\(c.depth)", initializer: nil)
        let backbone = ResNetTraining(depth: c.depth, usedLayers: c.usedLayers, weights: weights, prefix: "backbone.")
        try weights.finish()
        return (backbone, weights)
    }

    static func input(_ name: String) throws -> TrainingBuffer {
        let a = try NumPyArray(contentsOf: TrainFixtures.fixtures.appendingPathComponent("training/\(name).npy"))
        return TrainingBuffer(shape: a.shape, values: a.doubles().map(Float.init))
    }

    /// The sampled positions of a tensor summarised by `samples` entries (the oracle's rule).
    static func sampleIndices(_ count: Int, _ samples: Int) -> [Int] { (0..<samples).map { ($0 + 1) * 2_654_435_761 % count } }

    /// Compares `values` to a fixture summary (`values` whole, or `samples`; `sum`, `l1`, `l2`,
    /// `max_abs`) within `factor` times `spread`; returns the errors.
    static func check(_ values: [Float], _ t: JSONValue, spread: Errors, samples: Int, _ label: String) -> Errors {
        let count = t["count"]!.int
        #expect(values.count == count, "\(label): \(values.count) values, expected \(count)")
        guard values.count == count else { return Errors(entry: .infinity, median: .infinity, sum: .infinity, l2: .infinity) }
        let v = values.map(Double.init)
        let (positions, expected): ([Int], [Double]) =
            t["values"].map { (Array(0..<count), $0.doubles) } ?? (sampleIndices(count, samples), t["samples"]!.doubles)
        let (maxAbs, sum, l1, l2) = (t["max_abs"]!.double, t["sum"]!.double, t["l1"]!.double, t["l2"]!.double)
        let entries = zip(positions, expected).map { abs(v[$0] - $1) / maxAbs }.sorted()
        let e = Errors(
            entry: entries.last ?? 0, median: entries.isEmpty ? 0 : entries[entries.count / 2], sum: abs(v.reduce(0, +) - sum) / l1,
            l2: abs(v.reduce(0) { $0 + $1 * $1 }.squareRoot() - l2) / l2)
        let limits = spread.terms.map { factor * max($0, roundoff) }
        for (name, (error, limit)) in zip(["an entry", "the median entry", "the sum", "the L2 norm"], zip(e.terms, limits)) {
            #expect(error <= limit, "\(label): \(name) is off by \(error) (tolerance \(limit); max |t| \(maxAbs), sum \(sum), L2 \(l2))")
        }
        return e
    }

    /// Runs the case (frozen modules' parameters `requiresGrad = false` by name, as the model
    /// does), compares outputs, gradients and BatchNorm buffers with the fixture.
    static func runAndCompare(_ c: Case) throws {
        let truth = try truth(c.fixture)
        let samples = truth["samples"]!.int
        let spread = truth["float32_spread"]!
        let (outputSpread, gradientSpread, runningSpread) = (
            Errors(spread: spread["outputs"]!), Errors(spread: spread["gradients"]!), Errors(spread: spread["running"]!)
        )
        /// The spread of `kind` in `name`'s module (`layer3`), or of the case.
        func moduleSpread(_ name: String, _ kind: String, _ all: Errors) -> Errors {
            let module = String(name.prefix { $0 != "." })
            return truth["float32_spread_by_module"]![module]?[kind].map(Errors.init(spread:)) ?? all
        }
        let (backbone, weights) = try backbone(c)
        for p in weights.parameters {
            p.requiresGrad = backbone.moduleNames.contains { c.trains($0) && p.name.hasPrefix("backbone.\($0).") }
        }
        let calls = [("template", try input("template")), ("search", try input("search"))]
        let branches = calls.map { _ in backbone.branch(trains: c.trains) }
        var worstOutput = Errors()
        var gradients: [[TrainingBuffer]] = []
        for ((call, image), branch) in zip(calls, branches) {
            let outputs = branch.forward(image)
            let expected = truth["outputs"]![call]!.arrayValue!
            #expect(outputs.count == expected.count, "\(call): \(outputs.count) outputs")
            var dOutputs: [TrainingBuffer] = []
            for (j, (y, t)) in zip(outputs, expected).enumerated() {
                #expect(y.shape == t["shape"]!.doubles.map { Int($0) }, "\(call) output \(j): shape \(y.shape)")
                worstOutput.merge(check(y.values, t, spread: outputSpread, samples: samples, "\(call) output \(j)"))
                let r = DeterministicWeights.tensor(seed: truth["seed"]!.int, name: "\(call).output\(j)", count: y.count, scale: 1, offset: 0)
                dOutputs.append(TrainingBuffer(shape: y.shape, values: r))
            }
            gradients.append(dOutputs)
        }
        for (branch, dOutputs) in zip(branches, gradients).reversed() { branch.backward(dOutputs) }

        guard case .object(let expectedGradients) = truth["gradients"]! else { throw CocoaError(.fileReadCorruptFile) }
        #expect(expectedGradients.map { "backbone." + $0.name } == weights.parameters.filter(\.requiresGrad).map(\.name))
        var worstGradient = Errors()
        for p in weights.parameters {
            let name = String(p.name.dropFirst("backbone.".count))
            if let t = truth["gradients"]![name] {
                worstGradient.merge(check(p.grad, t, spread: moduleSpread(name, "gradients", gradientSpread), samples: samples, "\(name) gradient"))
            } else {
                #expect(p.grad.allSatisfy { $0 == 0 }, "\(name): frozen, but has a gradient")
            }
        }
        var worstRunning = Errors()
        for s in weights.batchNorms {
            let name = String(s.name.dropFirst("backbone.".count))
            for (suffix, values) in [("running_mean", s.runningMean), ("running_var", s.runningVar)] {
                let t = try #require(truth["buffers"]![name + "." + suffix], "\(name).\(suffix)")
                worstRunning.merge(check(values, t, spread: moduleSpread(name, "running", runningSpread), samples: samples, "\(name).\(suffix)"))
            }
            #expect(s.numBatchesTracked == truth["buffers"]![name + ".num_batches_tracked"]!.int, "\(name).num_batches_tracked")
        }
        print(
            "\(c.fixture): worst relative errors: outputs \(worstOutput) (PyTorch float32: \(outputSpread)); gradients \(worstGradient) (\(gradientSpread)); running statistics \(worstRunning) (\(runningSpread))"
        )
    }

    @Test(.enabled(if: heavyTestsRun, "resnet50 needs a release build"))
    func resNet50WithEveryModuleTrainedMatchesPyTorch() throws {
        try Self.runAndCompare(Case(fixture: "r50_all", model: "siamrpn_r50_l234_dwxcorr", depth: 50, usedLayers: [2, 3, 4], trainLayers: nil))
    }

    @Test(.enabled(if: heavyTestsRun, "resnet50 needs a release build"))
    func resNet50TrainingLayers2To4KeepsStemAndLayer1FrozenAndMatchesPyTorch() throws {
        try Self.runAndCompare(
            Case(
                fixture: "r50_l234", model: "siamrpn_r50_l234_dwxcorr", depth: 50, usedLayers: [2, 3, 4],
                trainLayers: ["layer2", "layer3", "layer4"]))
    }

    @Test func resNet18WithEveryModuleTrainedMatchesPyTorch() throws {
        try Self.runAndCompare(Case(fixture: "r18_all", model: "siamrpn_r18_l234_dwxcorr", depth: 18, usedLayers: [2, 3, 4], trainLayers: nil))
    }

    /// bn1 trains under a frozen conv1 and layer2 under frozen layer3 / layer4, with frozen
    /// layer1 (eval-mode BatchNorms) between them: the gradient flows through the frozen modules
    /// above and between, and stops at bn1.
    @Test func resNet18TrainingBn1AndLayer2PassesGradientsThroughFrozenModulesAndMatchesPyTorch() throws {
        try Self.runAndCompare(
            Case(fixture: "r18_bn1_l2", model: "siamrpn_r18_l234_dwxcorr", depth: 18, usedLayers: [2, 3, 4], trainLayers: ["bn1", "layer2"]))
    }

    @Test func resNet34UsingLayer4AloneWithOnlyLayer4TrainedMatchesPyTorch() throws {
        try Self.runAndCompare(
            Case(fixture: "r34_l4", model: "siamrpn_r34_l4_dwxcorr", depth: 34, usedLayers: [4], trainLayers: ["layer4"]))
    }

    /// Module names, channels, sides and the binding order (pysot's state dict, which the fixture
    /// records); the backward pass starts at the lowest trained module.
    @Test func modulesOutputsAndBindingOrderFollowPysot() throws {
        let c = Case(fixture: "r34_l4", model: "siamrpn_r34_l4_dwxcorr", depth: 34, usedLayers: [4], trainLayers: ["layer4"])
        let (backbone, weights) = try Self.backbone(c)
        #expect(backbone.moduleNames == ["conv1", "bn1", "layer1", "layer2", "layer4"])
        #expect(backbone.outChannels == [512])
        #expect(backbone.outputSides(127) == [15] && backbone.outputSides(255) == [31])
        #expect(backbone.outputSides(12) == nil)
        let order = try Self.truth("r34_l4")["state_dict_order"]!.arrayValue!.compactMap(\.stringValue)
        let buffers = [".running_mean", ".running_var", ".num_batches_tracked"]
        #expect(
            weights.parameters.map(\.name) == order.filter { k in !buffers.contains { k.hasSuffix($0) } }.map { "backbone." + $0 })
        #expect(weights.batchNorms.map { $0.name + ".running_mean" } == order.filter { $0.hasSuffix(".running_mean") }.map { "backbone." + $0 })

        let branch = try #require(backbone.branch(trains: c.trains) as? StagedBackboneBranch)
        // conv1, bn1, ReLU, max-pool, layer1's 3 blocks, layer2's 4, then layer4's first block.
        #expect(branch.lowestTrained == 11)
        let lowest = try #require(branch.units[11] as? ResNetBlockTraining)
        #expect(!lowest.computesInputGradient)
        #expect((branch.units[12] as? ResNetBlockTraining)?.computesInputGradient == true)
        #expect(branch.trainModeBatchNorms.count == 7)  // layer4: 3 blocks x 2 BNs + the downsample's

        let r50 = ResNetTraining(
            depth: 50, usedLayers: [0, 1, 2], weights: TrainingWeights(StateDict(), architecture: "r50", initializer: NumPyRandomState(seed: 1)),
            prefix: "backbone.")
        #expect(r50.moduleNames == ["conv1", "bn1", "layer1", "layer2"])
        #expect(r50.outChannels == [64, 256, 512])
        #expect(r50.outputSides(255) == [125, 63, 31])
    }

    /// With no module training, backward computes nothing even for parameters that ask for
    /// gradients, and eval-mode BatchNorms leave the running statistics alone.
    @Test func backwardDoesNothingWhenNoModuleTrains() throws {
        let c = Case(fixture: "r18_all", model: "siamrpn_r18_l234_dwxcorr", depth: 18, usedLayers: [2, 3, 4], trainLayers: [])
        let (backbone, weights) = try Self.backbone(c)
        let before = weights.batchNorms.map { ($0.runningMean, $0.runningVar) }
        let branch = backbone.branch(trains: c.trains)
        #expect(branch.trainModeBatchNorms.isEmpty)
        let outputs = branch.forward(try Self.input("template"))
        branch.backward(outputs.map { TrainingBuffer(shape: $0.shape, values: [Float](repeating: 1, count: $0.count)) })
        #expect(weights.parameters.allSatisfy { $0.requiresGrad && $0.grad.allSatisfy { $0 == 0 } })
        #expect(zip(weights.batchNorms, before).allSatisfy { $0.runningMean == $1.0 && $0.runningVar == $1.1 && $0.numBatchesTracked == 0 })
    }
}
