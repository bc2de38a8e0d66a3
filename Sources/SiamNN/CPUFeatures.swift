// The CPU's usable vector features (cpuid + xgetbv, CCPUFeatures): what decides which GEMM kernels may run.
import CCPUFeatures

/// The vector features of the CPU this process runs on, each counted only when the operating
/// system also saves its registers (so code may use it). All false on non-x86 CPUs.
public struct CPUFeatures: Sendable, Equatable {
    public var avx: Bool
    public var avx2: Bool
    public var fma: Bool
    public var avx512f: Bool
    public var avx512bw: Bool
    public var avx512dq: Bool
    public var avx512vl: Bool
    /// cpuid's brand string, e.g. "AMD EPYC 9R14 96-Core Processor" (empty where there is none).
    public var brand: String
    /// cpuid leaf 1's family and model (extended fields folded in), -1 where there is no cpuid.
    public var family: Int
    public var model: Int

    public init(
        avx: Bool = false, avx2: Bool = false, fma: Bool = false, avx512f: Bool = false, avx512bw: Bool = false,
        avx512dq: Bool = false, avx512vl: Bool = false, brand: String = "", family: Int = -1, model: Int = -1
    ) {
        self.avx = avx
        self.avx2 = avx2
        self.fma = fma
        self.avx512f = avx512f
        self.avx512bw = avx512bw
        self.avx512dq = avx512dq
        self.avx512vl = avx512vl
        self.brand = brand
        self.family = family
        self.model = model
    }

    /// The CPU of this process.
    public static let host: CPUFeatures = {
        let f = Int(siam_cpu_features())
        func has(_ bit: Int) -> Bool { f & bit != 0 }
        var brand = [CChar](repeating: 0, count: 49)
        siam_cpu_brand(&brand)
        var family: Int32 = -1
        var model: Int32 = -1
        siam_cpu_family_model(&family, &model)
        return CPUFeatures(
            avx: has(Int(SIAM_CPU_AVX)), avx2: has(Int(SIAM_CPU_AVX2)), fma: has(Int(SIAM_CPU_FMA)),
            avx512f: has(Int(SIAM_CPU_AVX512F)), avx512bw: has(Int(SIAM_CPU_AVX512BW)),
            avx512dq: has(Int(SIAM_CPU_AVX512DQ)), avx512vl: has(Int(SIAM_CPU_AVX512VL)),
            brand: String(decoding: brand.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingCharacters(in: " "),
            family: Int(family), model: Int(model))
    }()

    /// The widest vector unit that GEMM kernels can use here.
    public var vectorClass: VectorClass {
        if avx512f && avx512bw && avx512dq && avx512vl && avx2 && fma { return .avx512 }
        if avx2 && fma { return .avx2 }
        if avx { return .avx }
        return .sse
    }

    /// A short name of `vectorClass` ("AVX-512", "AVX2+FMA", "AVX", "SSE").
    public var isaName: String { vectorClass.description }
}

/// The generation of x86 vector unit a kernel set is written for, in increasing width.
public enum VectorClass: Int, Sendable, Comparable, CustomStringConvertible {
    case sse, avx, avx2, avx512

    public static func < (a: VectorClass, b: VectorClass) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .sse: return "SSE"
        case .avx: return "AVX"
        case .avx2: return "AVX2+FMA"
        case .avx512: return "AVX-512"
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s = s.dropFirst() }
        while s.last == c { s = s.dropLast() }
        return String(s)
    }
}
