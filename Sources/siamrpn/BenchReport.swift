// `siamrpn bench`'s results and their two formats (a table for people, one JSON object).
import Foundation
import SiamNN

struct BenchReport {
    var model: String
    var threads: Int
    var frames: Int
    var targets: Int
    /// `initialize` (template crop + template branch), ms.
    var templateMs: Summary
    /// One tracker's `update`, ms.
    var stepMs: Summary
    /// Per stage of a step, ms, in `BenchStage` order.
    var stagesMs: [(String, Summary)]
    /// Multiply-accumulates of the search branch (one step) and of the template branch.
    var macsPerStep: Int
    var templateMacs: Int
    /// The plan's GEMMs alone at their best measured rate (GFLOP/s), and their time (ms).
    var sgemmPeakGflops: Double
    var gemmBoundMs: Double
    /// Heap allocations per step (nil where they cannot be counted).
    var allocationsPerStep: Double?
    /// Peak resident memory of the process, MiB.
    var peakRSSMiB: Double
    /// Tracker steps per second over all targets (independent trackers).
    var targetsPerSecond: Double
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
            "targets_mode": "independent trackers",
            "template_ms": templateMs.json, "step_ms": stepMs.json, "stages_ms": stages,
            "macs_per_step": macsPerStep, "template_macs": templateMacs,
            "gflops": gflops, "sgemm_peak_gflops": sgemmPeakGflops, "gemm_bound_ms": gemmBoundMs,
            "allocations_per_step": allocationsPerStep.map { $0 as Any } ?? NSNull(),
            "peak_rss_mb": peakRSSMiB, "targets_per_second": targetsPerSecond,
            "convolutions": convolutions.rawValue, "isa": isa, "blas_core": blasCore, "blas_core_origin": blasCoreOrigin, "cpu": cpu
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
            "threads  \(threads), \(frames) frames after \(Bench.warmUpFrames) warm-up, \(targets) target(s) (independent trackers)",
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
            String(format: "targets x frames/s %.1f (independent trackers)", targetsPerSecond)
        ]
        return lines.joined(separator: "\n")
    }
}
