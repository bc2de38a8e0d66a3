// Mirrors no pysot file: the machine-readable report of `siamrpn eval` (pysot only prints tables);
// its numbers are those of toolkit/evaluation/{ope,ar,eao,f1}_benchmark.py
import Foundation
import SiamRPN

/// A JSON document with deterministic output: object keys sorted by their UTF-8 bytes, numbers in
/// Swift's shortest round-trip form (`0.1`, `1e-05`, `0.6813691204079299`: parsing gives the same
/// Double back, bit for bit), two-space indentation with arrays of numbers or strings on one line.
///
/// Non-finite numbers are written as the strings `"nan"`, `"inf"` and `"-inf"` (JSON has no
/// literal for them; `null` would lose which one it was). That is the convention of pysot's
/// fixture files in this project, so one reader handles both.
public indirect enum ReportJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([ReportJSON])
    case object([String: ReportJSON])

    /// The document as UTF-8 text ending in a newline.
    public func encoded() -> String {
        var out = ""
        write(to: &out, indent: 0)
        return out + "\n"
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .number(let d): out += Self.numberText(d)
        case .string(let s): out += jsonQuoted(s)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
            } else if items.allSatisfy(\.isScalar) {
                out += "["
                for (k, item) in items.enumerated() {
                    if k > 0 { out += ", " }
                    item.write(to: &out, indent: indent)
                }
                out += "]"
            } else {
                let pad = String(repeating: " ", count: indent + 2)
                out += "[\n"
                for (k, item) in items.enumerated() {
                    out += pad
                    item.write(to: &out, indent: indent + 2)
                    out += k == items.count - 1 ? "\n" : ",\n"
                }
                out += String(repeating: " ", count: indent) + "]"
            }
        case .object(let members):
            if members.isEmpty {
                out += "{}"
                return
            }
            let pad = String(repeating: " ", count: indent + 2)
            out += "{\n"
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (k, key) in keys.enumerated() {
                out += pad + jsonQuoted(key) + ": "
                members[key]!.write(to: &out, indent: indent + 2)
                out += k == keys.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// Shortest round-trip decimal; non-finite values as strings.
    static func numberText(_ d: Double) -> String {
        if d.isNaN { return "\"nan\"" }
        if d.isInfinite { return d < 0 ? "\"-inf\"" : "\"inf\"" }
        return d.description
    }
}

extension ReportJSON {
    static func numbers(_ v: [Double]) -> ReportJSON { .array(v.map(ReportJSON.number)) }

    static func document(dataset: String, protocol name: String, trackers: [String: ReportJSON]) -> ReportJSON {
        .object(["dataset": .string(dataset), "protocol": .string(name), "trackers": .object(trackers)])
    }

    /// The one-pass report: `{"dataset", "protocol": "ope", "trackers": {NAME: {...}}}`.
    ///
    /// Per tracker: `success_auc` (pysot's "Success": mean of the per-video AUCs), `precision`
    /// (mean curve at 20 px), `norm_precision` (mean curve at 0.20), `success_curve` (21 values at
    /// IoU 0, 0.05, …, 1), `precision_curve` (51, at 0…50 px), `norm_precision_curve` (51, at 0,
    /// 0.01, …, 0.5): means over videos, point by point; `videos`: the same keys per video (its
    /// AUC = the mean of its curve) plus `mean_precision` (the mean of its precision curve, which
    /// pysot's video table prints). All are fractions in [0, 1]. The normalised precision is always
    /// there, whether or not the table prints it (`reportsNormalizedPrecision`).
    public static func ope(_ results: OPEResults) -> ReportJSON {
        var trackers: [String: ReportJSON] = [:]
        for t in results.trackers {
            var videos: [String: ReportJSON] = [:]
            for v in t.videos {
                videos[v.name] = .object([
                    "success_auc": .number(v.auc), "precision": .number(v.precision), "norm_precision": .number(v.normalizedPrecision),
                    "mean_precision": .number(v.meanPrecision), "success_curve": numbers(v.successCurve),
                    "precision_curve": numbers(v.precisionCurve), "norm_precision_curve": numbers(v.normalizedPrecisionCurve)
                ])
            }
            trackers[t.name] = .object([
                "success_auc": .number(t.auc), "precision": .number(t.precision), "norm_precision": .number(t.normalizedPrecision),
                "success_curve": numbers(t.successCurve), "precision_curve": numbers(t.precisionCurve),
                "norm_precision_curve": numbers(t.normalizedPrecisionCurve), "videos": .object(videos)
            ])
        }
        return document(dataset: results.dataset, protocol: "ope", trackers: trackers)
    }

    /// The VOT short-term report: `{"dataset", "protocol": "vot", "trackers": {NAME: {...}}}`.
    ///
    /// Per tracker: `accuracy` (frame-weighted mean overlap), `robustness` (failures per 100 frames,
    /// averaged over repetitions), `lost_number` (failures summed over videos, averaged over
    /// repetitions), `frames` (frames evaluated); when EAO was computed, `eao` (tag `all`),
    /// `eao_by_tag` (every tag computed: `all`, `camera_motion`, `illum_change`, `motion_change`,
    /// `size_change`, `occlusion`, `empty`) and `eao_curve` (the float32 expected-overlap curve of
    /// `all` as exact Doubles, index = sequence length − 1). `videos`: per video `accuracy`,
    /// `lost_number` (mean over repetitions) and `failures` (count per repetition).
    public static func vot(_ results: VOTResults) -> ReportJSON {
        var trackers: [String: ReportJSON] = [:]
        for t in results.trackers {
            let ar = t.accuracyRobustness
            var videos: [String: ReportJSON] = [:]
            for v in ar.videos {
                videos[v.name] = .object([
                    "accuracy": .number(v.accuracy), "lost_number": .number(v.lostNumber), "failures": .array(v.failures.map(ReportJSON.int))
                ])
            }
            var members: [String: ReportJSON] = [
                "accuracy": .number(ar.accuracy), "robustness": .number(ar.robustness), "lost_number": .number(ar.lostNumber),
                "frames": .int(ar.length), "videos": .object(videos)
            ]
            if let tags = t.eaoByTag {
                members["eao"] = .number(t.eao)
                members["eao_by_tag"] = .object(tags.mapValues(ReportJSON.number))
            }
            if let curve = t.eaoCurve { members["eao_curve"] = numbers(curve.map(Double.init)) }
            trackers[t.name] = .object(members)
        }
        return document(dataset: results.dataset, protocol: "vot", trackers: trackers)
    }

    /// The VOT long-term report: `{"dataset", "protocol": "vot-lt", "trackers": {NAME: {...}}}`.
    ///
    /// Per tracker: `precision`, `recall`, `f1` at the threshold of maximum F1, `threshold` (that
    /// confidence); `thresholds` (descending, `"inf"` first and `"-inf"` last), `precision_curve`,
    /// `recall_curve` (one value per threshold: the plot's data). `videos`: per video `precision`,
    /// `recall`, `f1`, `threshold` at that video's own argmax of F1 (numpy's: the first NaN if any).
    public static func longTerm(_ results: LongTermResults) -> ReportJSON {
        var trackers: [String: ReportJSON] = [:]
        for t in results.trackers {
            let f = t.f1
            var videos: [String: ReportJSON] = [:]
            for v in f.videos {
                let k = v.bestIndex
                videos[v.name] = .object([
                    "precision": .number(v.precision[k]), "recall": .number(v.recall[k]), "f1": .number(v.f1[k]),
                    "threshold": .number(f.thresholds[k])
                ])
            }
            let b = t.best
            trackers[t.name] = .object([
                "precision": .number(b.precision), "recall": .number(b.recall), "f1": .number(b.f1), "threshold": .number(b.threshold),
                "thresholds": numbers(f.thresholds), "precision_curve": numbers(f.precision), "recall_curve": numbers(f.recall),
                "videos": .object(videos)
            ])
        }
        return document(dataset: results.dataset, protocol: "vot-lt", trackers: trackers)
    }
}
