import Foundation
import Testing

/// The acceptance run: `siamrpn test` + `eval` with the bundled model on the shared set's 15
/// real sequences (an OTB-layout folder, no json) reproduce the original NanoTrackV3 runs
/// (Tests/Fixtures/eval/otb15/results, NanoTrack's own reference files): success AUC and precision
/// within 0.002 of NanoTrack's, and IoU >= 0.99 with its box on >= 99% of the frames of every video
/// except the two known crop-rounding splits (section 20), which are asserted by name and frame.
/// Needs every frame of the 15 sequences: reported as skipped without the shared set.
struct FifteenSequenceBenchmarkTests {
    /// The videos where the run takes the other side of a crop-rounding tie (a float32 difference of
    /// ~1e-4 px), and the first frame whose IoU with NanoTrack's box is below 0.99.
    static let expectedSplits = ["lasot_airplane-1": 415, "vot_ball1": 24]

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
            if agreeing < 0.99 { splits[String(file.dropLast(4))] = ious.firstIndex { $0 < 0.99 } }
        }
        #expect(splits == Self.expectedSplits)
    }
}
