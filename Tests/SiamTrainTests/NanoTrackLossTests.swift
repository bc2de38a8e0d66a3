import Foundation
import SiamNN
import Testing

@testable import SiamRPN
@testable import SiamTrain

/// NanoTrack's classification + linear IoU losses on the head outputs its trainer recorded
/// (`Tests/Fixtures/training_v2/nanotrack_v3/`, Fixtures README section 27): losses against
/// NanoTrack's float64 values (relative 1e-5, the shared README's section 6), gradients against
/// PyTorch float64 autograd of the same definition (`training_ops/nanotrack_loss/`, 1e-5 of max |t|).
struct NanoTrackLossTests {
    static let root = TrainFixtures.fixtures.appendingPathComponent("training_v2/nanotrack_v3")

    static func buffer(_ name: String) throws -> TrainingBuffer {
        let a = try NumPyArray(contentsOf: root.appendingPathComponent(name + ".npy"))
        return TrainingBuffer(shape: a.shape, values: a.floats())
    }

    static func loss(_ variant: String, dCls: TrainingBuffer, dLoc: TrainingBuffer) throws -> NanoTrackLoss {
        let labels = try NumPyArray(contentsOf: root.appendingPathComponent("label_cls.npy")).doubles().map { Int($0) }
        let loc = try NumPyArray(contentsOf: root.appendingPathComponent("label_loc.npy")).floats()
        return try NanoTrackLoss(
            cls: buffer(variant + "_head_cls_f64"), loc: buffer(variant + "_head_loc_f64"), labelCls: labels, labelLoc: loc,
            clsWeight: 1, locWeight: 1, dCls: dCls, dLoc: dLoc)
    }

    @Test(arguments: ["backbone_trainable_epoch10", "backbone_frozen_epoch0"])
    func lossesMatchNanoTracksTrainer(_ variant: String) throws {
        let loss = try Self.loss(variant, dCls: TrainingBuffer(), dLoc: TrainingBuffer())
        let bytes = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent("losses.json")))
        let truth = try JSONValue.parse(bytes, 0..<bytes.count)[variant]!
        #expect(loss.positives == truth["loss_pieces_f64"]!["num_pos"]!.doubleValue.map { Int($0) })
        #expect(loss.negatives == truth["loss_pieces_f64"]!["num_neg"]!.doubleValue.map { Int($0) })
        for (name, value) in [("cls_loss", loss.clsLoss), ("loc_loss", loss.locLoss), ("total_loss", loss.totalLoss)] {
            let t = truth["losses_f64"]![name]!.doubleValue!
            #expect(abs(value - t) <= 1e-5 * abs(t), "\(variant) \(name): \(value) vs \(t)")
        }
    }

    @Test func gradientsMatchAutogradOfTheSameLosses() throws {
        let dCls = TrainingBuffer()
        let dLoc = TrainingBuffer()
        _ = try Self.loss("backbone_trainable_epoch10", dCls: dCls, dLoc: dLoc)
        for (name, values) in [("dcls", dCls.values), ("dloc", dLoc.values)] {
            let t = try NumPyArray(contentsOf: TrainFixtures.fixtures.appendingPathComponent("training_ops/nanotrack_loss/\(name).npy")).doubles()
            let scale = t.map(abs).max()!
            let e = zip(values, t).map { abs(Double($0) - $1) }.max() ?? .infinity
            #expect(values.count == t.count && e <= 1e-5 * scale, "\(name): off by \(e) of \(scale)")
        }
    }

    @Test func aBatchWithoutPositivesIsRefusedAsNanoTrackDoes() throws {
        let cls = TrainingBuffer(shape: [1, 2, 2, 2], values: [Float](repeating: 0, count: 8))
        let loc = TrainingBuffer(shape: [1, 4, 2, 2], values: [Float](repeating: 1, count: 16))
        #expect(throws: NanoTrackLossError.noPositives) {
            try NanoTrackLoss(
                cls: cls, loc: loc, labelCls: [0, 0, -1, -1], labelLoc: [Float](repeating: 1, count: 16), clsWeight: 1, locWeight: 1,
                dCls: TrainingBuffer(), dLoc: TrainingBuffer())
        }
    }
}
