import Testing

@testable import SiamNN

/// The start-up decision of docs/PERFORMANCE.md: restart with OPENBLAS_CORETYPE only when an
/// AVX2 / AVX-512 CPU runs SSE or AVX kernels and the user has not set the variable.
struct BLASKernelsTests {
    static let avx2 = CPUFeatures(avx: true, avx2: true, fma: true)
    static let avx512 = CPUFeatures(avx: true, avx2: true, fma: true, avx512f: true, avx512bw: true, avx512dq: true, avx512vl: true)
    static let sseOnly = CPUFeatures()

    @Test func prescottOnAnAVX512CPURestartsWithSkylakeXKernels() {
        let k = BLASKernels(cpu: Self.avx512, coreName: "Prescott", coreTypeVariable: nil)
        #expect(k.isNarrowerThanCPU)
        #expect(k.startupAction(relaunched: false) == .relaunch(coreType: "SkylakeX"))
    }

    @Test func sseAndAVXCoresOnAnAVX2CPURestartWithHaswellKernels() {
        for core in ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Barcelona", "Sandybridge"] {
            let k = BLASKernels(cpu: Self.avx2, coreName: core, coreTypeVariable: nil)
            #expect(k.startupAction(relaunched: false) == .relaunch(coreType: "Haswell"), "\(core)")
        }
    }

    @Test func aUsersOpenBLASCoretypeIsNeverOverridden() {
        let k = BLASKernels(cpu: Self.avx512, coreName: "Prescott", coreTypeVariable: "Prescott")
        #expect(k.startupAction(relaunched: false) == .warn(userValue: "Prescott", fitting: "SkylakeX"))
        let fitting = BLASKernels(cpu: Self.avx512, coreName: "Haswell", coreTypeVariable: "Haswell")
        #expect(fitting.startupAction(relaunched: false) == .keep)
    }

    @Test func theRestartedProcessNeverRestartsAgain() {
        let k = BLASKernels(cpu: Self.avx512, coreName: "Prescott", coreTypeVariable: "SkylakeX")
        #expect(k.startupAction(relaunched: true) == .keep)
    }

    @Test func fittingUnknownAndNarrowCPUsKeepOpenBLASsChoice() {
        for (cpu, core) in [
            (Self.avx2, "Haswell"), (Self.avx2, "Zen"), (Self.avx512, "SkylakeX"), (Self.avx512, "Cooperlake"),
            (Self.avx512, "Haswell"), (Self.avx512, "SapphireRapids"), (Self.avx512, "SomeFutureCore"),
            (Self.sseOnly, "Prescott"), (CPUFeatures(avx: true), "Sandybridge"), (Self.avx2, "Accelerate")
        ] {
            #expect(BLASKernels(cpu: cpu, coreName: core, coreTypeVariable: nil).startupAction(relaunched: false) == .keep, "\(core)")
        }
    }

    @Test func avx512NeedsAllFourSubsetsAndFMA() {
        #expect(Self.avx512.vectorClass == .avx512)
        var partial = Self.avx512
        partial.avx512vl = false
        #expect(partial.vectorClass == .avx2)
        #expect(CPUFeatures(avx: true, avx2: true, fma: false).vectorClass == .avx)
        #expect(Self.sseOnly.vectorClass == .sse)
    }

    @Test func thisProcessReportsItsCPUAndOpenBLASCore() {
        let k = BLASKernels.current
        #expect(!k.coreName.isEmpty && k.coreName != "unknown")
        #if arch(x86_64)
            // Every x86-64 CPU has SSE2; a machine this project runs on has at least AVX.
            #expect(k.cpu.vectorClass >= .avx, "\(k.cpu)")
        #endif
    }
}
