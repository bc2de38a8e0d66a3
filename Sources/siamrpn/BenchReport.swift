// `siamrpn bench`'s results and their two formats (a table for people, one JSON object).
import Foundation
import SiamNN

struct BenchReport {
    /// How the targets of a run are tracked: one tracker (T = 1), a `MultiTracker` batching them
    /// through the network, or a `MultiTracker` running them one after another.
    enum TargetsMode: String {
        case single = "single tracker"
        case batched = "batched"
        case oneByOne = "one by one"
    }

    var model: String
    var threads: Int
    var frames: Int
    var targets: Int
    var targetsMode: TargetsMode
    /// `initialize` (template crop + template branch), ms.
    var templateMs: Summary
    /// One step, ms: a tracker's `update` (T = 1), a `MultiTracker`'s of all T targets (T > 1).
    var stepMs: Summary
    /// Per stage of a step, ms, in `BenchStage` order.
    var stagesMs: [(String, Summary)]
    /// Multiply-accumulates of one step (all its targets) and of the template branch.
    var macsPerStep: Int
    var templateMacs: Int
    /// The plan's GEMMs alone at their best measured rate (GFLOP/s), and their time (ms).
    var sgemmPeakGflops: Double
    var gemmBoundMs: Double
    /// Heap allocations per step (nil where they cannot be counted).
    var allocationsPerStep: Double?
    /// Peak resident memory of the process, MiB.
    var peakRSSMiB: Double
    /// Targets x frames per second of the steps above.
    var targetsPerSecond: Double
    /// T > 1: the same run's T separate trackers, each stepping every frame (the reference of
    /// the batched path).
    var separate: SeparateTrackers?
    var isa: String
    var blasCore: String
    var blasCoreOrigin: String
    var cpu: String
    /// How the 3x3 stride-1 convolutions ran (`--convolutions`: winograd or direct).
    var convolutions = ConvolutionAlgorithm.winograd

    /// GFLOP/s of a median step: 2 MACs / time.
    var gflops: Double { stepMs.median > 0 ? 2 * Double(macsPerStep) / (stepMs.median * 1e6) : 0 }

    var json: String {
        var stages: [String: Any] = [:]
        for (name, s) in stagesMs { stages[name] = s.json }
        let object: [String: Any] = [
            "model": model, "threads": threads, "frames": frames, "targets": targets,
            "targets_mode": targetsMode.rawValue,
            "template_ms": templateMs.json, "step_ms": stepMs.json, "stages_ms": stages,
            "macs_per_step": macsPerStep, "template_macs": templateMacs,
            "gflops": gflops, "sgemm_peak_gflops": sgemmPeakGflops, "gemm_bound_ms": gemmBoundMs,
            "allocations_per_step": allocationsPerStep.map { $0 as Any } ?? NSNull(),
            "peak_rss_mb": peakRSSMiB, "targets_per_second": targetsPerSecond,
            "convolutions": convolutions.rawValue, "isa": isa, "blas_core": blasCore, "blas_core_origin": blasCoreOrigin, "cpu": cpu,
            "separate": separate.map { s -> Any in
                [
                    "step_ms": s.stepMs.json, "targets_per_second": s.targetsPerSecond,
                    "stages_ms": Dictionary(uniqueKeysWithValues: s.stagesMs.map { ($0.0, $0.1.json) }),
                    "allocations_per_step": s.allocationsPerStep.map { $0 as Any } ?? NSNull(),
                    "speedup": targetsPerSecond / s.targetsPerSecond
                ] as [String: Any]
            } ?? NSNull()
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    var table: String {
        func ms(_ v: Double) -> String { String(format: "%9.2f", v) }
        func row(_ name: String, _ s: Summary) -> String {
            name.padding(toLength: 18, withPad: " ", startingAt: 0) + ms(s.median) + ms(s.min) + ms(s.max)
        }
        var lines = [
            "model    \(model)",
            "kernels  \(isa) CPU (\(cpu)); OpenBLAS core \(blasCore) (chosen by \(blasCoreOrigin))",
            "convs    3x3 stride-1 convolutions: \(convolutions.rawValue)",
            "threads  \(threads), \(frames) frames after \(Bench.warmUpFrames) warm-up, \(targets) target(s) (\(targetsMode.rawValue))",
            "",
            "ms                   median      min      max",
            row("template (init)", templateMs)
        ]
        for (name, s) in stagesMs { lines.append(row("  " + name.replacingOccurrences(of: "_", with: "-"), s)) }
        lines.append(row("step", stepMs))
        lines += [
            "",
            String(format: "MACs per step      %.1f M (template %.1f M)", Double(macsPerStep) / 1e6, Double(templateMacs) / 1e6),
            String(
                format: "GFLOP/s            %.1f of an SGEMM peak of %.1f on the plan's GEMM shapes (%.0f%%; GEMM-bound step %.2f ms)",
                gflops, sgemmPeakGflops, sgemmPeakGflops > 0 ? 100 * gflops / sgemmPeakGflops : 0, gemmBoundMs),
            "allocations/step   " + (allocationsPerStep.map { String(format: "%.1f", $0) } ?? "not counted on this platform"),
            String(format: "peak RSS           %.1f MiB", peakRSSMiB),
            String(format: "targets x frames/s %.1f", targetsPerSecond) + " (\(targetsMode.rawValue))"
        ]
        if let s = separate {
            lines += [
                String(
                    format: "  separate         %.1f (%d separate trackers, step %.2f ms median): %.2fx", s.targetsPerSecond, targets,
                    s.stepMs.median, targetsPerSecond / s.targetsPerSecond),
                "  separate allocations/step " + (s.allocationsPerStep.map { String(format: "%.1f", $0) } ?? "not counted")
            ]
        }
        return lines.joined(separator: "\n")
    }
}

/// The separate trackers' side of a `--targets T` run: one tracker step each and its stages, ms;
/// targets x frames per second; allocations per tracker step.
struct SeparateTrackers {
    var stepMs: Summary
    var stagesMs: [(String, Summary)]
    var targetsPerSecond: Double
    var allocationsPerStep: Double?
}
