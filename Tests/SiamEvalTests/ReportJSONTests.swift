import Foundation
import SiamEval
import Testing

@testable import SiamRPN

/// The JSON report: its key set per protocol, numbers that parse back to the same Doubles bit for
/// bit, pysot's dataset-level numbers, non-finite values as strings, and byte-identical output.
struct ReportJSONTests {
    static func parse(_ report: ReportJSON) throws -> JSONValue {
        let bytes = Array(report.encoded().utf8)
        return try JSONValue.parse(bytes, 0..<bytes.count, maxDepth: 64)
    }

    static func keys(_ v: JSONValue?) -> Set<String> {
        guard case .object(let members)? = v else { return [] }
        return Set(members.map(\.name))
    }

    @Test func opeReportHasPysotsNumbersAndRoundTripsExactly() throws {
        let results = try ReportTableTests.opeResults()
        let json = try Self.parse(.ope(results))
        #expect(json["dataset"]?.string == "OTB100" && json["protocol"]?.string == "ope")
        #expect(Self.keys(json["trackers"]) == ["NanoTrackV1", "NanoTrackV2", "NanoTrackV3"])
        let truth = try EvalFixtures.json("ope/metrics.json")
        for t in results.trackers {
            let j = json["trackers"]![t.name]!
            #expect(
                Self.keys(j) == [
                    "success_auc", "precision", "norm_precision", "success_curve", "precision_curve", "norm_precision_curve", "videos"
                ])
            #expect(j["success_curve"]!.doubles.count == 21 && j["precision_curve"]!.doubles.count == 51)
            #expect(j["norm_precision_curve"]!.doubles.count == 51)
            // Exact round trip of what we computed …
            #expect(j["success_auc"]!.double == t.auc && j["precision"]!.double == t.precision)
            #expect(j["norm_precision_curve"]!.doubles == t.normalizedPrecisionCurve)
            // … which is pysot's overall numbers (the fixture's, 1e-12).
            let overall = truth[t.name]!["overall"]!
            #expect(relativelyClose(t.auc, overall["auc"]!.double, 1e-12), "\(t.name) AUC \(t.auc)")
            #expect(relativelyClose(t.precision, overall["precision_at_20px"]!.double, 1e-12))
            #expect(relativelyClose(t.normalizedPrecision, overall["norm_precision_at_0.20"]!.double, 1e-12))
            #expect(zip(t.successCurve, overall["success_curve"]!.doubles).allSatisfy { relativelyClose($0, $1, 1e-12) })
            #expect(Self.keys(j["videos"]).count == 15)
            for v in t.videos {
                let jv = j["videos"]![v.name]!
                #expect(
                    Self.keys(jv) == [
                        "success_auc", "precision", "norm_precision", "mean_precision", "success_curve", "precision_curve",
                        "norm_precision_curve"
                    ])
                #expect(jv["success_curve"]!.doubles == v.successCurve && jv["success_auc"]!.double == v.auc)
                #expect(relativelyClose(v.auc, truth[t.name]!["per_sequence"]![v.name]!["auc"]!.double, 1e-12))
            }
        }
    }

    @Test func votReportHoldsARAndEAOPerTagWithNaNAsAString() throws {
        let results = try ReportTableTests.votResults("vot_st", ["TrkA", "TrkB"])
        let report = ReportJSON.vot(results)
        let text = report.encoded()
        let json = try Self.parse(report)
        #expect(json["protocol"]?.string == "vot")
        let expected = try EvalFixtures.json("vot_st/expected.json")
        for t in results.trackers {
            let j = json["trackers"]![t.name]!
            #expect(
                Self.keys(j) == ["accuracy", "robustness", "lost_number", "frames", "eao", "eao_curve", "eao_by_tag", "videos"])
            #expect(Self.keys(j["eao_by_tag"]) == Set(VOTSequence.tagNames))
            let truth = expected["trackers"]![t.name]!
            #expect(j["accuracy"]!.double == t.accuracyRobustness.accuracy)
            #expect(relativelyClose(j["accuracy"]!.double, truth["accuracy"]!.double, 1e-12))
            #expect(relativelyClose(j["lost_number"]!.double, truth["lost_number"]!.double, 1e-12))
            #expect(j["frames"]!.double == truth["length"]!.double)
            for tag in VOTSequence.tagNames {
                let ours = j["eao_by_tag"]![tag]!.double
                let theirs = truth["eao"]!["VOT2018"]![tag]!.double
                #expect(theirs.isNaN ? ours.isNaN : abs(ours - theirs) <= 1e-9, "\(t.name) \(tag)")
            }
            // illum_change is NaN for both: written as the string "nan".
            #expect(j["eao_by_tag"]!["illum_change"]! == .string("nan"))
            let curve = j["eao_curve"]!.doubles
            #expect(curve.count == t.eaoCurve!.count && zip(curve, t.eaoCurve!).allSatisfy { sameValue($0, Double($1)) })
            for v in t.accuracyRobustness.videos {
                let jv = j["videos"]![v.name]!
                #expect(Self.keys(jv) == ["accuracy", "lost_number", "failures"])
                #expect(jv["failures"]!.ints == v.failures && jv["lost_number"]!.double == v.lostNumber)
                #expect(relativelyClose(jv["accuracy"]!.double, truth["per_video"]![v.name]!["accuracy"]!.double, 1e-12))
            }
        }
        #expect(!text.contains("NaN") && !text.contains("nan,") && text.contains("\"nan\""))
    }

    @Test func longTermReportHoldsBestPrecisionRecallF1AndThreshold() throws {
        let results = try ReportTableTests.longTermResults("vot_lt/LtA")
        let json = try Self.parse(.longTerm(results))
        #expect(json["protocol"]?.string == "vot-lt")
        let j = json["trackers"]!["LtA"]!
        #expect(
            Self.keys(j) == ["precision", "recall", "f1", "threshold", "thresholds", "precision_curve", "recall_curve", "videos"])
        let truth = try EvalFixtures.json("vot_lt/expected.json")["trackers"]!["LtA"]!
        let overall = truth["overall"]!
        #expect(j["threshold"]!.double == overall["threshold"]!.double)
        for key in ["precision", "recall", "f1"] { #expect(relativelyClose(j[key]!.double, overall[key]!.double, 1e-12), "\(key)") }
        let thresholds = j["thresholds"]!.doubles
        #expect(thresholds.count == 100 && thresholds.first == .infinity && thresholds.last == -.infinity)
        #expect(j["thresholds"]!.array!.first! == .string("inf"))
        for (name, pv) in [("lt_conf_absent", truth["per_video"]!["lt_conf_absent"]!), ("lt_reappear", truth["per_video"]!["lt_reappear"]!)] {
            let jv = j["videos"]![name]!
            #expect(Self.keys(jv) == ["precision", "recall", "f1", "threshold"])
            #expect(sameValue(jv["threshold"]!.double, pv["threshold"]!.double), "\(name) threshold")
            #expect(sameValue(jv["f1"]!.double, pv["f1"]!.double) || relativelyClose(jv["f1"]!.double, pv["f1"]!.double, 1e-12))
        }
        #expect(j["videos"]!["lt_conf_absent"]!["f1"]! == .string("nan"))
    }

    @Test func outputIsByteIdenticalAcrossRunsAndKeyOrderIsSorted() throws {
        let results = try ReportTableTests.opeResults()
        let a = ReportJSON.ope(results).encoded()
        var reversed = results
        reversed.trackers.reverse()
        #expect(ReportJSON.ope(reversed).encoded() == a)
        #expect(a.hasPrefix("{\n  \"dataset\": \"OTB100\",\n  \"protocol\": \"ope\",\n  \"trackers\": {\n    \"NanoTrackV1\": {\n"))
        #expect(a.hasSuffix("}\n"))
    }

    @Test func numbersUseTheShortestRoundTripFormAndNonFiniteStrings() throws {
        let doc = ReportJSON.array([
            .number(0.1), .number(1e-5), .number(.leastNonzeroMagnitude), .number(.nan), .number(.infinity), .number(-.infinity), .int(3)
        ])
        #expect(doc.encoded() == "[0.1, 1e-05, 5e-324, \"nan\", \"inf\", \"-inf\", 3]\n")
        #expect(ReportJSON.string("a\"b\\c\n\u{01}é").encoded() == "\"a\\\"b\\\\c\\n\\u0001é\"\n")
        let values = (0..<200).map { Double($0) / 7 + 1e-3 * Double($0 * $0) }
        let parsed = try Self.parse(.array(values.map(ReportJSON.number)))
        #expect(parsed.doubles == values)
    }
}
