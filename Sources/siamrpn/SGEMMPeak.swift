// The SGEMM rate this machine's BLAS reaches on a plan's GEMM shapes (as ../shared/bench/gemm.py's
// "GEMM-bound" figure: every GEMM run alone, im2col and everything else free).
import Foundation
import SiamNN

struct SGEMMPeak {
    /// Floating-point operations of the GEMMs (2 m n k per call).
    var flops: Double
    /// The time of all the plan's GEMMs, each shape at its best measured time, in ms.
    var gemmBoundMilliseconds: Double
    /// `flops / gemmBoundMilliseconds`, in GFLOP/s.
    var gflops: Double { gemmBoundMilliseconds > 0 ? flops / gemmBoundMilliseconds / 1e6 : 0 }

    /// Times each shape of `shapes` (random operands, best of at least 3 calls and 50 ms) with
    /// the current thread setting.
    init(shapes: [Plan.GEMMShape]) {
        var flops = 0.0
        var ms = 0.0
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func random() -> Float {
            seed ^= seed << 13
            seed ^= seed >> 7
            seed ^= seed << 17
            return Float(seed >> 40) * 0x1p-24 - 0.5
        }
        for s in shapes {
            let a = (0..<(s.m * s.k)).map { _ in random() }
            let b = (0..<(s.k * s.n)).map { _ in random() }
            var c = [Float](repeating: 0, count: s.m * s.n)
            var best = Double.infinity
            var spent = 0.0
            var calls = 0
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        func call() {
                            sgemm(
                                m: s.m, n: s.n, k: s.k, a: a.baseAddress!, lda: s.k, b: b.baseAddress!, ldb: s.n, beta: 0,
                                c: c.baseAddress!, ldc: s.n)
                        }
                        call()  // warm-up: threads, caches
                        while calls < 3 || spent < 0.05 {
                            let t0 = OperationTimer.now()
                            call()
                            let t = Double(OperationTimer.now() - t0) / 1e9
                            best = min(best, t)
                            spent += t
                            calls += 1
                        }
                    }
                }
            }
            flops += 2 * Double(s.m) * Double(s.n) * Double(s.k) * Double(s.count)
            ms += best * 1000 * Double(s.count)
        }
        self.flops = flops
        gemmBoundMilliseconds = ms
    }
}
