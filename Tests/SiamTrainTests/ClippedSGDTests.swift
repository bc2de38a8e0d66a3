import Foundation
import SiamNN
import Testing

@testable import SiamTrain

/// `clip_grad_norm_(10)` + `SGD(lr 0.01, momentum 0.9, weight_decay 1e-4)` over two steps against
/// PyTorch float64 (`Tests/Fixtures/training_ops/sgd_two_steps/`, README section 26): the first step
/// is clipped (norm 13.7), the second is not and uses the momentum buffer. Tolerance 1e-5 of the
/// largest value (float32 arithmetic on a handful of terms).
struct ClippedSGDTests {
    static func array(_ name: String) throws -> NumPyArray {
        try NumPyArray(contentsOf: TrainFixtures.fixtures.appendingPathComponent("training_ops/sgd_two_steps/\(name).npy"))
    }

    @Test func twoStepsClipTheFirstGradientAndCarryTheMomentum() throws {
        let p1 = TrainingParameter(name: "p1", shape: [3, 4], value: try Self.array("p1").floats())
        let p2 = TrainingParameter(name: "p2", shape: [5], value: try Self.array("p2").floats())
        let sgd = ClippedSGD(momentum: 0.9, weightDecay: 1e-4, maxNorm: 10)
        let norms = try Self.array("norms").doubles()
        for (step, norm) in zip(1...2, norms) {
            p1.grad = try Self.array("g1_step\(step)").floats()
            p2.grad = try Self.array("g2_step\(step)").floats()
            let clip = sgd.clip([p1, p2])
            #expect(abs(clip.totalNorm - norm) <= 1e-5 * norm, "step \(step): norm \(clip.totalNorm) vs \(norm)")
            #expect((clip.coefficient < 1) == (norm > 10))
            sgd.step([p1, p2]) { _ in 0.01 }
        }
        for (p, name) in [(p1, "p1_after"), (p2, "p2_after")] {
            let t = try Self.array(name).doubles()
            let scale = t.map(abs).max()!
            let e = zip(p.value, t).map { abs(Double($0) - $1) }.max()!
            #expect(e <= 1e-5 * scale, "\(name): off by \(e)")
        }
    }

    @Test func frozenParametersAreLeftBitIdentical() {
        let p = TrainingParameter(name: "frozen", shape: [2], value: [0.25, -1.5], requiresGrad: false)
        p.grad = [100, 100]
        let sgd = ClippedSGD(momentum: 0.9, weightDecay: 1e-4, maxNorm: 10)
        #expect(sgd.clip([p]).totalNorm == 0)
        sgd.step([p]) { _ in 0.01 }
        #expect(p.value == [0.25, -1.5] && p.grad == [100, 100])
    }
}
