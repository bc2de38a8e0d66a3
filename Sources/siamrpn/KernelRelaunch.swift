// Starts the process again with OPENBLAS_CORETYPE when OpenBLAS chose kernels narrower than the
// CPU (its Prescott fallback on CPU models it does not know); see docs/PERFORMANCE.md.
import Foundation
import SiamNN

/// The start-up check of `siamrpn`: before any work, compare OpenBLAS's kernel set with the CPU
/// and, when an AVX2 / AVX-512 CPU runs SSE or AVX kernels and the user has not set
/// `OPENBLAS_CORETYPE`, execute `/proc/self/exe` again with the same arguments and
/// `OPENBLAS_CORETYPE` set (OpenBLAS reads it only when it loads). `relaunchMarker` in the new
/// environment stops a second restart.
enum KernelRelaunch {
    /// Set (to the core chosen) in the restarted process's environment.
    static let relaunchMarker = "SIAMRPN_OPENBLAS_RELAUNCHED"
    /// Testing hook: pretend OpenBLAS reported this core name at start-up (the restarted process
    /// reports the real one). Lets tests drive the restart on machines OpenBLAS knows.
    static let assumedCoreVariable = "SIAMRPN_ASSUME_BLAS_CORE"

    /// Whether this process is the restart.
    static var relaunched: Bool { ProcessInfo.processInfo.environment[relaunchMarker] != nil }

    /// Restarts the process when `BLASKernels.startupAction` says so (does not return then);
    /// prints a warning when the user's `OPENBLAS_CORETYPE` selects narrow kernels.
    static func checkAtStartup() {
        let environment = ProcessInfo.processInfo.environment
        var kernels = BLASKernels.current
        if let assumed = environment[assumedCoreVariable], !relaunched { kernels.coreName = assumed }
        switch kernels.startupAction(relaunched: relaunched) {
        case .keep:
            return
        case .warn(let user, let fitting):
            printError(
                "warning: OPENBLAS_CORETYPE=\(user) runs OpenBLAS's \(kernels.summary); OPENBLAS_CORETYPE=\(fitting) would use its "
                    + "vector unit (kept as set)")
        case .relaunch(let core):
            var env = environment
            env["OPENBLAS_CORETYPE"] = core
            env[relaunchMarker] = core
            let entries = env.map { "\($0.key)=\($0.value)" }
            var envp: [UnsafeMutablePointer<CChar>?] = entries.map { strdup($0) } + [nil]
            execve("/proc/self/exe", CommandLine.unsafeArgv, &envp)
            // Only reached when execve failed (no /proc): go on with the narrow kernels.
            printError("warning: OpenBLAS runs \(kernels.summary); set OPENBLAS_CORETYPE=\(core) for \(core) kernels")
        }
    }

    /// Who chose the kernels of this process: "openblas" (its own detection), "siamrpn" (the
    /// restart) or "user" (OPENBLAS_CORETYPE set by the user).
    static var origin: String {
        if relaunched { return "siamrpn" }
        return ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { $0.isEmpty ? "openblas" : "user" } ?? "openblas"
    }
}
