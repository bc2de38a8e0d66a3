import Foundation
import Testing

/// The acceptance run: `siamrpn test` + `eval` with the bundled model on the shared set's 15
/// real sequences (an OTB-layout folder, no json) reproduce the original NanoTrackV3 runs
/// (Tests/Fixtures/eval/otb15/results, NanoTrack's own reference files): success AUC and precision
/// within 0.002 of NanoTrack's, and IoU >= 0.99 with its box on >= 99% of the frames of every video
/// except those that split from NanoTrack's run at a crop-rounding tie (section 20): the frame where
/// such a video first leaves NanoTrack's box by more than 0.1 px must be one where NanoTrack's own
/// state lay within float32 noise of a crop rounding boundary (`splitIsACropRoundingTie`).
/// Needs every frame of the 15 sequences: reported as skipped without the shared set.
struct FifteenSequenceBenchmarkTests {
    /// Whether our run may legitimately take the other side of a crop rounding boundary before
    /// `frame` (0-based line): NanoTrack's state before it (from its previous box) is within
    /// `1e-3 + 3 * drift` px of a boundary, where `drift` is how far our previous box was from
    /// NanoTrack's (largest coordinate difference, px; s_x moves up to ~3x a box side's change).
    static func splitIsACropRoundingTie(frame: Int, reference: [[Double]], ours: [[Double]]) -> Bool {
        guard frame >= 2 else { return false }
        let b = reference[frame - 1]
        let drift = zip(ours[frame - 1], b).map { abs($0 - $1) }.max()!
        let margin = NanoTrackerTests.cropRoundingMargin(centerX: b[0] + b[2] / 2, centerY: b[1] + b[3] / 2, width: b[2], height: b[3])
        return margin <= 1e-3 + 3 * drift
    }

    @Test(.enabled(if: NanoTrackerTests.sharedSequences != nil, "needs the shared sequences (../shared/sequences)"))
    func bundledModelReproducesNanoTrackV3OnTheFifteenSequences() throws {
        let sequences = try #require(NanoTrackerTests.sharedSequences)
        let results = try SiamRPNBinary.temporaryFolder()
        let run = try SiamRPNBinary.run(["test", "--dataset", "OTB15", "--dataset_root", sequences.path, "--results", results.path, "--jobs", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        let eval = try SiamRPNBinary.run(["eval", "-p", results.path, "-d", "OTB15", "--dataset_root", sequences.path, "--format", "json"])
        #expect(eval.status == 0)
        let scores = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        let ours = try #require((scores["trackers"] as? [String: Any])?["NanoTrackV3"] as? [String: Any])
        // NanoTrack's evaluation of its own runs (fixture README section 23): AUC 0.6813691204079299, P@20 0.9849200270124078.
        let reference = Fixtures.root.appendingPathComponent("eval/ope/metrics.json")
        let truth = try #require(
            ((try JSONSerialization.jsonObject(with: Data(contentsOf: reference)) as? [String: Any])?["NanoTrackV3"] as? [String: Any])?["overall"]
                as? [String: Any])
        #expect(abs((ours["success_auc"] as! Double) - (truth["auc"] as! Double)) <= 0.002)
        #expect(abs((ours["precision"] as! Double) - (truth["precision_at_20px"] as! Double)) <= 0.002)

        var splits: [String: Int] = [:]
        let referenceDir = Fixtures.root.appendingPathComponent("eval/otb15/results/OTB15/NanoTrackV3")
        for file in try FileManager.default.contentsOfDirectory(atPath: referenceDir.path).sorted() {
            func boxes(_ url: URL) throws -> [[Double]] {
                try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map { Double($0)! } }
            }
            let theirs = try boxes(referenceDir.appendingPathComponent(file))
            let mine = try boxes(results.appendingPathComponent("OTB15/NanoTrackV3/\(file)"))
            #expect(mine.count == theirs.count)
            let ious = zip(mine, theirs).map { a, b -> Double in
                let w = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
                let h = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
                return w * h / (a[2] * a[3] + b[2] * b[3] - w * h)
            }
            let agreeing = Double(ious.filter { $0 >= 0.99 }.count) / Double(ious.count)
            if agreeing < 0.99 {
                let split = try #require(
                    (0..<min(mine.count, theirs.count)).first { i in zip(mine[i], theirs[i]).contains { abs($0 - $1) > 0.1 } })
                splits[String(file.dropLast(4))] = split
                #expect(
                    Self.splitIsACropRoundingTie(frame: split, reference: theirs, ours: mine),
                    "\(file): leaves NanoTrack's run at frame \(split) (\(Int(agreeing * 1000) / 10)% of frames agree), not at a crop rounding tie")
            }
        }
        print(
            "FifteenSequenceBenchmarkTests: splits at crop rounding ties (video: first frame more than 0.1 px from NanoTrack's box): \(splits.sorted { $0.key < $1.key })"
        )
    }
}
