import Foundation
import SiamNN
import Testing

@testable import SiamRPN
@testable import SiamTrain

/// `siamrpn train` with a NanoTrack config against NanoTrack's own trainer (Tests/Fixtures/README.md
/// section 37): NanoTrack's `bin/train.py` ran `train_run/nanotrack/config.yaml` on CPU over
/// `trk_dataset/` from the real NanoTrackV3 weights: epochs 9, 10, 11 of 12, two iterations of 4
/// pairs each, the backbone frozen in epoch 9 and trained (a new optimiser) from epoch 10. Its
/// logged losses and lrs (TensorBoard steps counted from epoch 0, as NanoTrack does) and its final
/// weights must be ours within float32 noise. Also: a killed run resumed from its snapshot ends
/// bit-identical to an uninterrupted one.
@Suite struct NanoTrackTrainCommandTests {
    static let folder = TrainFixtures.fixtures.appendingPathComponent("train_run/nanotrack")
    static let config = folder.appendingPathComponent("config.yaml")

    @Test func trainingFollowsNanoTracksTrainerThroughTheBackboneUnfreezing() throws {
        let output = TrainCommandTests.temporary()
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try TrainCommandTests.train(config: Self.config, output: output, pretrained: TrackingModel.bundledSnapshot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("start training backbone."))
        let ours = try TrainCommandTests.scalars(in: output.appendingPathComponent("logs"))
        let lrTags = ["lr/group1", "lr/group2", "lr/group3"]
        let theirs = try TrainCommandTests.pysotScalars(
            Self.folder.appendingPathComponent("nanotrack_scalars.json"), tags: ["cls_loss", "loc_loss", "total_loss"] + lrTags)
        // Each loss within 1e-5 of the larger of itself and the iteration's total loss: the three come
        // from one float32 forward pass whose rounding scales with the total (a cls loss of 7e-4 next
        // to a total of 0.19 carries the total's absolute noise).
        let totals = try #require(theirs["total_loss"]).map(\.value)
        var worstLoss = (difference: 0.0, at: "")
        var firstLoss = Double.nan
        for tag in ["cls_loss", "loc_loss", "total_loss"] {
            let a = try #require(ours[tag])
            let b = try #require(theirs[tag])
            #expect(a.map(\.step) == b.map(\.step) && b.map(\.step) == Array(18..<24), "\(tag) steps")
            for (k, (x, y)) in zip(a, b).enumerated() {
                let d = abs(Double(x.value) - y.value) / max(abs(y.value), totals[k])
                if d > worstLoss.difference { worstLoss = (d, "\(tag) step \(y.step)") }
            }
            if tag == "total_loss", let x = a.first, let y = b.first { firstLoss = abs(Double(x.value) - y.value) / abs(y.value) }
        }
        #expect(firstLoss <= 1e-5, "iteration 1's total loss differs by \(firstLoss) (relative)")
        #expect(worstLoss.difference <= 1e-5, "largest loss difference \(worstLoss)")
        for tag in lrTags {
            let a = try #require(ours[tag])
            let b = try #require(theirs[tag])
            #expect(a.map(\.step) == b.map(\.step) && zip(a, b).allSatisfy { $0.value == Float($1.value) }, "\(tag)")
        }
        let final = try StateDict.load(contentsOf: output.appendingPathComponent("checkpoint_e12.safetensors"))
        let reference = try StateDict.load(contentsOf: Self.folder.appendingPathComponent("nanotrack_final.safetensors"))
        #expect(Set(final.keys) == Set(reference.keys))
        var worst = 0.0
        var worstName = ""
        for entry in reference.entries {
            let mine = try #require(final[entry.name])
            let scale = max(1, Double(entry.tensor.values.map { abs($0) }.max() ?? 0))
            for (x, y) in zip(mine.tensor.values, entry.tensor.values) where Double(abs(x - y)) / scale > worst {
                worst = Double(abs(x - y)) / scale
                worstName = entry.name
            }
        }
        #expect(worst <= 2e-5, "largest weight difference \(worst) (\(worstName); relative to max(1, |tensor|max))")
        print(
            "NanoTrackTrainCommandTests: iteration 1 within \(firstLoss), losses within \(worstLoss.difference) (\(worstLoss.at)), "
                + "weights within \(worst) (\(worstName)) of NanoTrack's trainer")
    }

    @Test func aKilledRunResumedFromItsSnapshotEndsBitIdenticalToAnUninterruptedOne() throws {
        let folder = TrainCommandTests.temporary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let initial = TrackingModel.bundledSnapshot
        let whole = folder.appendingPathComponent("whole")
        #expect(try TrainCommandTests.train(config: Self.config, output: whole, pretrained: initial).status == 0)

        let killed = folder.appendingPathComponent("killed")
        try TrainCommandTests.killTraining(
            [
                "train", "--cfg", Self.config.path, "--data-root", TrainCommandTests.data.path, "--output", killed.path, "--threads", "1",
                "--pretrained", initial.path
            ], once: killed.appendingPathComponent("checkpoint_e10.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("checkpoint_e12.pth").path))

        let resumed = try TrainStepCommandTests.run([
            "train", "--cfg", Self.config.path, "--data-root", TrainCommandTests.data.path, "--output", killed.path, "--threads", "1",
            "--resume", killed.appendingPathComponent("checkpoint_e10.pth").path
        ])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for name in ["checkpoint_e12.safetensors", "checkpoint_e12.pth"] {
            let a = try Data(contentsOf: whole.appendingPathComponent(name))
            let b = try Data(contentsOf: killed.appendingPathComponent(name))
            #expect(a == b, "\(name) differs from the uninterrupted run's")
        }
        let steps = try #require(try TrainCommandTests.scalars(in: killed.appendingPathComponent("logs"))["total_loss"]).map(\.step)
        #expect(steps.suffix(4) == Array(20..<24))
    }
}
