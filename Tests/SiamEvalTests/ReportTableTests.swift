import Foundation
import SiamEval
import Testing

@testable import SiamRPN

/// The result tables equal the text pysot's `show_result` printed on the fixtures
/// (`expected.json → printed`, Tests/Fixtures/README.md sections 22 and 23), byte for byte,
/// colorama's codes included, and Python's formatting rules hold where the fixtures do not reach.
struct ReportTableTests {
    /// The VOT results of a fixture folder's trackers (evaluation order = pysot's sorted glob).
    static func votResults(_ folder: String, _ trackers: [String]) throws -> VOTResults {
        let results = try trackers.map { name in
            let run = try VOTShortTermTests.Run(folder, name)
            let ar = try AccuracyRobustness(run.videos)
            let eao = ExpectedAverageOverlap(run.videos, tags: VOTSequence.tagNames)
            return VOTResults.Tracker(name: name, accuracyRobustness: ar, eao: eao, interval: .vot2018)
        }
        return VOTResults(dataset: "VOT2018", trackers: results)
    }

    static func longTermResults(_ run: String) throws -> LongTermResults {
        let r = try VOTLongTermTests.Run(run)
        return LongTermResults(dataset: "VOT2018-LT", trackers: [.init(name: r.tracker, f1: r.f1)])
    }

    static func printed(_ file: String, _ key: String) throws -> String {
        try EvalFixtures.json(file)["printed"]![key]!.string!
    }

    static let votFolders: [(folder: String, trackers: [String])] = [
        ("vot_st", ["TrkA", "TrkB"]), ("vot_st_reps", ["TrkR15"]), ("protocol", ["NanoTrackV3"])
    ]

    @Test(arguments: votFolders.map(\.folder))
    func votTableWithEAOAndVideoLevelEqualsPysotsPrintedTextByteForByte(_ folder: String) throws {
        let trackers = Self.votFolders.first { $0.folder == folder }!.trackers
        let results = try Self.votResults(folder, trackers)
        let ours = ReportTable.vot(results, showVideoLevel: true, color: true)
        let truth = try Self.printed("\(folder)/expected.json", "ar_show_result_with_eao_video_level")
        #expect(ours == truth, "\n\(ours)\nvs pysot\n\(truth)")
    }

    @Test(arguments: votFolders.map(\.folder))
    func eaoPerTagTableEqualsPysotsPrintedText(_ folder: String) throws {
        let trackers = Self.votFolders.first { $0.folder == folder }!.trackers
        let ours = ReportTable.eaoByTag(try Self.votResults(folder, trackers))
        let truth = try Self.printed("\(folder)/expected.json", "eao_show_result_7_tags")
        #expect(ours == truth, "\n\(ours)\nvs pysot\n\(truth)")
    }

    @Test(arguments: ["vot_lt/LtA", "protocol/NanoTrackV3"])
    func longTermTableWithVideoLevelEqualsPysotsPrintedText(_ run: String) throws {
        let file = run.hasPrefix("protocol") ? "protocol/expected_lt.json" : "vot_lt/expected.json"
        let ours = ReportTable.longTerm(try Self.longTermResults(run), showVideoLevel: true)
        let truth = try Self.printed(file, "f1_show_result_video_level")
        #expect(ours == truth, "\n\(ours)\nvs pysot\n\(truth)")
    }

    @Test func withoutColorTheTextIsPysotsWithTheANSICodesRemoved() throws {
        let results = try Self.votResults("vot_st", ["TrkA", "TrkB"])
        let plain = ReportTable.vot(results, showVideoLevel: true, color: false)
        let truth = try Self.printed("vot_st/expected.json", "ar_show_result_with_eao_video_level")
        #expect(!plain.contains("\u{1B}"))
        #expect(plain == truth.replacingOccurrences(of: "\u{1B}[31m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: ""))
        let lt = ReportTable.longTerm(try Self.longTermResults("vot_lt/LtA"), showVideoLevel: true, color: false)
        #expect(lt.contains("|lt_conf_absent|   0.000   | 0.000  |  nan  |"))
    }

    @Test func withoutVideoLevelOnlyTheSummaryTableIsPrinted() throws {
        let results = try Self.votResults("vot_st", ["TrkA", "TrkB"])
        let truth = try Self.printed("vot_st/expected.json", "ar_show_result_with_eao_video_level")
        let summary = String(truth[..<truth.range(of: "\n\n\n\n")!.lowerBound]) + "\n"
        #expect(ReportTable.vot(results) == summary)
        #expect(summary.split(separator: "\n").count == 6)
    }

    @Test func votTableWithoutEAOKeepsEvaluationOrderAndDropsTheColumn() throws {
        var results = try Self.votResults("vot_st", ["TrkA", "TrkB"])
        for i in results.trackers.indices { results.trackers[i].eaoByTag = nil }
        let text = ReportTable.vot(results)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[1] == "|Tracker Name| Accuracy | Robustness | Lost Number |")
        #expect(lines[3].hasPrefix("|    TrkA    |") && lines[4].hasPrefix("|    TrkB    |"))
    }

    // MARK: OPE (no pysot text in the fixtures: the rules checked one by one)

    /// Three trackers with the curves of NanoTrack V1/V2/V3's OTB runs (Tests/Fixtures/eval/ope).
    static func opeResults(dataset: String = "OTB100") throws -> OPEResults {
        let json = try EvalFixtures.json("ope/metrics.json")
        let trackers = ["NanoTrackV3", "NanoTrackV2", "NanoTrackV1"].map { name in
            guard case .object(let videos) = json[name]!["per_sequence"]! else { preconditionFailure() }
            return OPEResults.Tracker(
                name: name,
                videos: videos.map { m in
                    OPEResults.Video(
                        name: m.name, successCurve: m.value["success_curve"]!.doubles, precisionCurve: m.value["precision_curve"]!.doubles,
                        normalizedPrecisionCurve: m.value["norm_precision_curve"]!.doubles)
                })
        }
        return OPEResults(dataset: dataset, trackers: trackers)
    }

    static func opePrinted(_ key: String) throws -> String { try EvalFixtures.json("ope/printed.json")[key]!.string! }

    @Test func opeTableAndVideoTableEqualPysotsPrintedTextOnOTB() throws {
        // OTB: eval.py passes no normalised precision, so pysot prints 0.000 in that column.
        let results = try Self.opeResults()
        #expect(!results.reportsNormalizedPrecision)
        let ours = ReportTable.ope(results, showVideoLevel: true)
        let truth = try Self.opePrinted("otb_success_precision_video_level")
        #expect(ours == truth, "\n\(ours)\nvs pysot\n\(truth)")
        // The AUCs sorted: 0.692 (V2), 0.681 (V3), 0.645 (V1), the fixture's overall numbers.
        #expect(results.trackers.map { PythonFormat.fixed($0.auc, 3) } == ["0.681", "0.692", "0.645"])
    }

    @Test func opeTableOnLaSOTEqualsPysotsPrintedTextWithNormalisedPrecision() throws {
        let results = try Self.opeResults(dataset: "LaSOT")
        #expect(results.reportsNormalizedPrecision)
        #expect(ReportTable.ope(results) == (try Self.opePrinted("lasot_with_norm_precision")))
    }

    @Test func opeVideoTableNeedsFewerThan10Trackers() throws {
        let results = try Self.opeResults()
        var nine = results
        nine.trackers = (0..<9).map { i in OPEResults.Tracker(name: "T\(i)", videos: results.trackers[i % 3].videos) }
        #expect(ReportTable.ope(nine, showVideoLevel: true).contains("Video name"))
        var ten = results
        ten.trackers = (0..<10).map { i in OPEResults.Tracker(name: "T\(i)", videos: results.trackers[i % 3].videos) }
        #expect(!ReportTable.ope(ten, showVideoLevel: true).contains("Video name"))
    }

    @Test func opeKeepsTheFirst20OfATieInEvaluationOrder() throws {
        let base = try Self.opeResults()
        var many = base
        many.trackers = (0..<25).map { i in OPEResults.Tracker(name: "T\(i)", videos: base.trackers[i % 3].videos) }
        let lines = ReportTable.ope(many).split(separator: "\n").dropFirst(3).dropLast()
        let rows = lines.map { $0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces) }
        // V2 (index 1 mod 3) first, then V3 (0 mod 3), then V1; equal AUCs keep their order; 20 rows.
        let expected = (0..<25).filter { $0 % 3 == 1 } + (0..<25).filter { $0 % 3 == 0 } + (0..<25).filter { $0 % 3 == 2 }
        #expect(rows == expected.prefix(20).map { "T\($0)" })
    }

    // MARK: Markdown

    @Test func markdownTablesHoldTheSameRowsOrderAndNumbers() throws {
        let ope = ReportTable.markdown(ope: try Self.opeResults())
        #expect(
            ope == """
                | Tracker | Success | Norm Precision | Precision |
                | :-- | --: | --: | --: |
                | NanoTrackV2 | 0.692 | 0.000 | 0.975 |
                | NanoTrackV3 | 0.681 | 0.000 | 0.985 |
                | NanoTrackV1 | 0.645 | 0.000 | 0.952 |

                """)
        let vot = ReportTable.markdown(vot: try Self.votResults("vot_st", ["TrkA", "TrkB"]), showVideoLevel: true)
        let lines = vot.split(separator: "\n").map(String.init)
        #expect(lines[2] == "| TrkB | 0.641 | 0.255 | 3.000 | 0.396 |" && lines[3] == "| TrkA | 0.763 | 0.766 | 9.000 | 0.331 |")
        #expect(lines[4] == "| Video | TrkA Acc | TrkA LN | TrkB Acc | TrkB LN |")
        #expect(lines[6] == "| axis_mid | 0.801 | 2.000 | 0.759 | 0.000 |")
        let lt = ReportTable.markdown(longTerm: try Self.longTermResults("vot_lt/LtA"), showVideoLevel: true)
        #expect(lt.contains("| LtA | 0.737 | 0.761 | 0.749 |\n") && lt.contains("| lt_conf_absent | 0.000 | 0.000 | nan |\n"))
        let tags = ReportTable.markdown(eaoByTag: try Self.votResults("vot_st", ["TrkA", "TrkB"]))
        #expect(tags.contains("| TrkB | 0.396 | 0.258 | nan | 0.166 | 0.486 | 0.489 | 0.248 |"))
        #expect(!vot.contains("\u{1B}"))
        var piped = try Self.opeResults()
        piped.trackers[0].name = "a|b"
        #expect(ReportTable.markdown(ope: piped).contains("| a\\|b | 0.681 |"))
    }

    // MARK: Python's rules

    @Test func fixedFormattingRoundsTheBinaryValueHalfEvenAsPython() {
        #expect(PythonFormat.fixed(0.0625, 3) == "0.062")  // exact tie: to even
        #expect(PythonFormat.fixed(0.0635, 3) == "0.064")  // binary value above the tie
        #expect(PythonFormat.fixed(2.675, 2) == "2.67")  // binary value below the tie
        #expect(PythonFormat.fixed(0.0005, 3) == "0.001")  // 0.0005 is 0.000500000000000000010408...
        #expect(PythonFormat.fixed(-0.0, 3) == "-0.000")
        #expect(PythonFormat.fixed(.nan, 3) == "nan" && PythonFormat.fixed(-.nan, 3) == "nan")
        #expect(PythonFormat.fixed(.infinity, 1) == "inf" && PythonFormat.fixed(-.infinity, 1) == "-inf")
        #expect(PythonFormat.fixed(1e300, 1).count == 303)
        #expect(PythonFormat.center("ab", 7) == "  ab   " && PythonFormat.center("toolong", 3) == "toolong")
    }

    @Test func descendingSortLeavesNaNWherePython3_11Does() {
        // Orders produced by CPython 3.11: sorted(keys, reverse=True).
        func order(_ keys: [Double]) -> [Int] { pythonSortedDescending(Array(keys.indices)) { keys[$0] } }
        #expect(order([0.3, 0.5, 0.1]) == [1, 0, 2])
        #expect(order([0.5, 0.5, 0.1, 0.5]) == [0, 1, 3, 2])
        // sorted([0.3, nan, 0.5, 0.1], reverse=True) == [0.3, nan, 0.5, 0.1]; [nan, 0.2, 0.9] -> [nan, 0.9, 0.2].
        #expect(order([0.3, .nan, 0.5, 0.1]) == [0, 1, 2, 3])
        #expect(order([.nan, 0.2, 0.9]) == [0, 2, 1])
        #expect(order([0.5, 0.5, 0.5, .nan]) == [0, 1, 2, 3])
        #expect(order([0.3, 0.1, 0.5, 0.47, 0.3, 0.1]) == [2, 3, 0, 4, 1, 5])
        #expect(order([0.1, 0.5, .nan, .nan, 0.5, 0.04, 0.03, 0.5, 0.3]) == [1, 2, 3, 4, 7, 8, 0, 5, 6])
        #expect(order([0.3, 0.39, 0.1, .nan, 0.3, 0.5, 0.5, 0.3, 0.3, 0.5, 0.5, 0.2]) == [3, 5, 6, 9, 10, 1, 0, 4, 7, 8, 11, 2])
    }
}
