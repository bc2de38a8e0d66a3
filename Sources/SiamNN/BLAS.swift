// The one file that knows where single-precision GEMM comes from:
// OpenBLAS (CBLAS module, pkg-config `openblas`) on Linux, Accelerate on Apple platforms.
#if canImport(Accelerate)
    import Accelerate
#else
    import CBLAS
#endif

/// Row-major single-precision GEMM: `C = alpha * op(A) * op(B) + beta * C`.
///
/// `A` is m x k (k x m when `transA`), `B` is k x n (n x k when `transB`), `C` is m x n;
/// `lda`, `ldb`, `ldc` are the row strides in elements.
@inline(__always)
public func sgemm(
    transA: Bool = false, transB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    cblas_sgemm(
        CblasRowMajor,
        transA ? CblasTrans : CblasNoTrans,
        transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha,
        a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Sets the number of threads sgemm uses (OpenBLAS; Accelerate manages its own).
func setBLASThreads(_ n: Int) {
    #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(n))
    #endif
}
