// Which OpenBLAS kernels run, and whether they fit the CPU: OpenBLAS (DYNAMIC_ARCH) picks its
// kernels from the CPU model at load time (driver/others/dynamic.c) and falls back to Prescott
// (SSE3) on models it does not know; OPENBLAS_CORETYPE, read at load time, overrides the choice.
import Foundation

#if canImport(Accelerate)
    import Accelerate
#else
    import CBLAS
#endif

/// The GEMM kernels in use and whether they leave the CPU's vector unit idle.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` only when the library loads, so a process can only fix a
/// wrong choice by starting again with the variable set: the `siamrpn` tool does that itself
/// (once, before any work) unless the user set the variable; a program using the library sets
/// it in its own environment before it starts (`OPENBLAS_CORETYPE=SkylakeX` on AVX-512 CPUs,
/// `Haswell` on AVX2 CPUs; see docs/PERFORMANCE.md).
public struct BLASKernels: Sendable, Equatable {
    /// The CPU's features.
    public var cpu: CPUFeatures
    /// OpenBLAS's kernel set (`openblas_get_corename()`, e.g. "Haswell", "SkylakeX", "Prescott"),
    /// or "Accelerate" on Apple platforms.
    public var coreName: String
    /// The value of `OPENBLAS_CORETYPE` in this process's environment, if any.
    public var coreTypeVariable: String?

    /// The kernels of this process.
    public static var current: BLASKernels {
        BLASKernels(cpu: .host, coreName: blasCoreName(), coreTypeVariable: getenv("OPENBLAS_CORETYPE").map { String(cString: $0) })
    }

    public init(cpu: CPUFeatures, coreName: String, coreTypeVariable: String?) {
        self.cpu = cpu
        self.coreName = coreName
        self.coreTypeVariable = coreTypeVariable
    }

    /// The vector unit OpenBLAS's kernel set `name` is written for; nil for names this table does
    /// not know (newer OpenBLAS cores, non-x86 cores, Accelerate), which are never second-guessed.
    public static func vectorClass(ofCore name: String) -> VectorClass? {
        switch name.lowercased() {
        case "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn", "dunnington", "nehalem",
            "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat":
            return .sse
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator":
            return .avx
        case "haswell", "zen":
            return .avx2
        case "skylakex", "cooperlake", "sapphirerapids":
            return .avx512
        default:
            return nil
        }
    }

    /// True when the kernels are written for a narrower vector unit than the CPU has and an
    /// AVX2 or AVX-512 kernel set would fit (the "unknown CPU model" fallback).
    public var isNarrowerThanCPU: Bool {
        guard let core = Self.vectorClass(ofCore: coreName) else { return false }
        return core < .avx2 && cpu.vectorClass >= .avx2
    }

    /// The OpenBLAS core that fits the CPU: "SkylakeX" with AVX-512 F/BW/DQ/VL, "Haswell" with
    /// AVX2 + FMA, nil otherwise.
    public var fittingCore: String? {
        switch cpu.vectorClass {
        case .avx512: return "SkylakeX"
        case .avx2: return "Haswell"
        default: return nil
        }
    }

    /// What to do at start-up, given these kernels and whether this process is already the
    /// restart (`relaunched`): restart with `OPENBLAS_CORETYPE` when the kernels are narrower
    /// than the CPU and the user has not set the variable (a user's value is never overridden:
    /// some machines set it because old OpenBLAS builds compute wrong results there).
    public func startupAction(relaunched: Bool) -> StartupAction {
        guard isNarrowerThanCPU, let core = fittingCore else { return .keep }
        if relaunched { return .keep }
        if let user = coreTypeVariable, !user.isEmpty { return .warn(userValue: user, fitting: core) }
        return .relaunch(coreType: core)
    }

    /// `startupAction`'s answer.
    public enum StartupAction: Sendable, Equatable {
        /// The kernels fit (or cannot be improved).
        case keep
        /// Start the process again with `OPENBLAS_CORETYPE=coreType`.
        case relaunch(coreType: String)
        /// The user's `OPENBLAS_CORETYPE` selects narrow kernels; say so, keep it.
        case warn(userValue: String, fitting: String)
    }

    /// One line for people: "OpenBLAS Haswell kernels (AVX2+FMA) on an AVX-512 CPU".
    public var summary: String {
        let kernels = Self.vectorClass(ofCore: coreName).map { " (\($0))" } ?? ""
        return "\(coreName) kernels\(kernels) on an \(cpu.isaName) CPU"
    }
}

/// `openblas_get_corename()`, or "Accelerate".
func blasCoreName() -> String {
    #if canImport(Accelerate)
        return "Accelerate"
    #else
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    #endif
}
