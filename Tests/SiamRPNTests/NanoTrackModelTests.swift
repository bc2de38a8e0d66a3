import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// NanoTrackV3 with the real checkpoint against NanoTrack's own float64 run on Woman frames 1 -> 2
/// (Tests/Fixtures/README.md section 14): cls/loc within |a - t| <= 1e-4 + 1e-4 |t|,
/// every recorded intermediate within 1e-4 max|t| (samples, min, max) and 1e-4 relative
/// (sum, sum of squares).
struct NanoTrackModelTests {
    static let dir = "models/nanotrack_v3/"

    static func input(_ file: String) throws -> Tensor {
        try NanoTrackFixtures.npy(dir + file).tensor()
    }

    @Test func checkpointLoadsStrictlyAndItsUnusedNeckIsIgnored() throws {
        let weights = NanoTrackFixtures.weights
        #expect(weights.keys.count == 438)
        #expect(weights.keys.filter { $0.hasPrefix("neck.downsample.") }.count == 6)
        _ = try NanoTrackModel(weights: weights)

        var missing = weights
        missing["ban_head.cls_tower.3.weight"] = nil
        #expect { try NanoTrackModel(weights: missing) } throws: { error in
            "\(error)".contains("1 missing key(s): 'ban_head.cls_tower.3.weight'")
        }
        var extra = weights
        extra["ban_head.extra.weight"] = StateDict.Entry(name: "ban_head.extra.weight", dtype: .float32, tensor: Tensor(zeros: [1]))
        #expect { try NanoTrackModel(weights: extra) } throws: { error in
            "\(error)".contains("1 unexpected key(s): 'ban_head.extra.weight'")
        }
        var reshaped = weights
        reshaped["backbone.features.9.conv.5.fc.0.weight"] = StateDict.Entry(
            name: "backbone.features.9.conv.5.fc.0.weight", dtype: .float32, tensor: Tensor(zeros: [72, 289]))
        #expect(throws: ModelLoadError.self) { try NanoTrackModel(weights: reshaped) }
    }

    @Test func clsAndLocMatchNanoTrackFloat64Truth() throws {
        let model = NanoTrackFixtures.model
        let template = try model.templateFeatures(try Self.input("z.npy"))
        #expect(template.kernels.map(\.shape) == [[1, 96, 8, 8], [1, 96, 4, 4], [1, 96, 8, 8], [1, 96, 4, 4]])
        let (cls, loc) = try model.track(try Self.input("x.npy"), template: template)
        #expect(cls.shape == [1, 2, 15, 15] && loc.shape == [1, 4, 15, 15])
        for (name, got) in [("cls", cls), ("loc", loc)] {
            let truth = try NanoTrackFixtures.npy(Self.dir + "\(name)_f64.npy")
            #expect(got.shape == truth.shape)
            let t = truth.doubles()
            var worst = 0.0
            var worstRelative = 0.0
            var failures = 0
            for i in 0..<t.count {
                let err = abs(Double(got.values[i]) - t[i])
                worst = max(worst, err)
                worstRelative = max(worstRelative, err / max(abs(t[i]), 1))
                if err > 1e-4 + 1e-4 * abs(t[i]) { failures += 1 }
            }
            #expect(failures == 0, "\(name): \(failures) values outside tolerance, max abs error \(worst)")
            print("NanoTrackV3 \(name): max abs error \(worst), max error / max(|t|, 1) \(worstRelative)")
        }
    }

    /// Names the fixtures record that no graph can hold: raw convolution outputs before the
    /// BatchNorm folded into them (every `Conv2d` directly followed by a `BatchNorm2d` in
    /// `architecture.json`).
    static func foldedAwayNames() throws -> Set<String> {
        let layers = try NanoTrackFixtures.json(dir + "architecture.json")["layers"] as! [[String: Any]]
        var names: Set<String> = []
        for (a, b) in zip(layers, layers.dropFirst())
        where a["type"] as! String == "Conv2d" && b["type"] as! String == "BatchNorm2d" {
            let name = a["name"] as! String
            for phase in ["template.", "track."] { names.insert(phase + name) }
        }
        return names
    }

    @Test func everyIntermediateMatchesNanoTrackChecksums() throws {
        let model = NanoTrackFixtures.unfusedModel
        let z = try Self.input("z.npy")
        let x = try Self.input("x.npy")
        let tws = Workspace(plan: try Plan(graph: model.templateGraph, inputSizes: [[127, 127]], keepingAll: true))
        let template = model.templateFeatures(z, workspace: tws)
        let sws = Workspace(
            plan: try Plan(
                graph: model.searchGraph, inputSizes: [[255, 255]] + template.kernels.map { Array($0.shape.suffix(2)) },
                keepingAll: true))
        _ = model.track(x, template: template, workspace: sws)

        let tensors = try NanoTrackFixtures.json(Self.dir + "intermediates.json")["tensors"] as! [String: [String: Any]]
        let foldedAway = try Self.foldedAwayNames()
        var compared = 0
        var absent: [String] = []
        var worst = (name: "", error: 0.0)
        for (name, entry) in tensors.sorted(by: { $0.key < $1.key }) {
            let truth = NanoTrackFixtures.Checksum(entry["f64"])
            let found: (Workspace, Graph.Value)? =
                model.templateGraph.value(named: name).map { (tws, $0) }
                ?? model.searchGraph.value(named: name).map { (sws, $0) }
            guard let (ws, value) = found else {
                absent.append(name)
                continue
            }
            #expect([1] + ws.plan.shapes[value.id] == truth.shape, "\(name) shape")
            let (problems, error) = ws.withValueBuffer(value) { truth.mismatches($0) }
            #expect(problems.isEmpty, "\(name): \(problems.joined(separator: "; "))")
            if error > worst.error { worst = (name, error) }
            compared += 1
        }
        // Everything except the folded-away raw conv outputs is compared.
        #expect(Set(absent) == foldedAway.intersection(tensors.keys), "not compared: \(Set(absent).subtracting(foldedAway).sorted())")
        #expect(compared == tensors.count - foldedAway.intersection(tensors.keys).count)
        print(
            "NanoTrackV3 intermediates: \(compared) of \(tensors.count) compared (\(absent.count) are raw conv outputs before a folded BatchNorm); worst sample error / max|t| \(worst.error) at \(worst.name)"
        )
    }

    /// The fused (inference) graph names only what it computes; those values match too.
    @Test func fusedGraphAgreesWithTheInspectionGraph() throws {
        let fused = NanoTrackFixtures.model
        let unfused = NanoTrackFixtures.unfusedModel
        let z = try Self.input("z.npy")
        let x = try Self.input("x.npy")
        let a = try fused.track(x, template: try fused.templateFeatures(z))
        let b = try unfused.track(x, template: try unfused.templateFeatures(z))
        #expect(a.cls.values == b.cls.values)
        let locDifference = zip(a.loc.values, b.loc.values).map { abs($0 - $1) / $1 }.max()!
        #expect(locDifference <= 1e-6)
        #expect(fused.searchGraph.namedValues.count < unfused.searchGraph.namedValues.count)
        #expect(Set(fused.searchGraph.namedValues.keys).isSubset(of: unfused.searchGraph.namedValues.keys))
    }

    @Test func aTemplateOtherThan127ThrowsInsteadOfTrapping() throws {
        let model = NanoTrackFixtures.model
        let template = try model.templateFeatures(Tensor(zeros: [1, 3, 111, 111]))
        #expect(template.kernels[0].shape == [1, 96, 7, 7])
        #expect(throws: PlanError.self) { try model.searchPlan(height: 255, width: 255, template: template) }
        #expect(throws: PlanError.self) { try model.templateFeatures(Tensor(zeros: [1, 3, 63, 63])) }
    }
}
