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
///
/// Threads: the BLAS itself always runs single-threaded; a product worth splitting is cut into
/// blocks of 16 rows of `C` (when `m >= n`: each thread reads its part of `A`, which is where the
/// weights are) or of 16 columns, run on `ComputeThreads.count` threads by `parallelChunks`.
/// OpenBLAS's own threading allocates its job table on every call, and so does its small-matrix
/// path (`sgemm_small_kernel_*`, products up to 100^3 multiply-adds on AVX-512 builds): products
/// that small run in plain loops here instead. Either way no call allocates, and results differ
/// from a single BLAS call only by float32 summation order.
public func sgemm(
    transA: Bool = false, transB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    _ = blasRunsSingleThreaded
    let product = GEMMProduct(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    let multiplyAdds = Double(m) * Double(n) * Double(k)
    if multiplyAdds <= 1_000_000 {
        product.runSmall(columns: 0..<n)
        return
    }
    // Blocks of 16 rows or columns; at least 2^21 multiply-adds per thread, or one call is cheaper.
    let byRows = m >= n
    let blocks = ((byRows ? m : n) + 15) / 16
    let perBlock = Double(byRows ? n : m) * Double(k) * 16
    let minBlocks = max(1, Int((2_097_152 / max(perBlock, 1)).rounded(.up)))
    parallelChunks(blocks, minChunk: minBlocks, GEMMBlocks(product: product, byRows: byRows))
}

/// OpenBLAS runs one thread per call (set once, before the first product).
private let blasRunsSingleThreaded: Void = {
    #if !canImport(Accelerate)
        openblas_set_num_threads(1)
    #endif
}()

/// One `sgemm` call's operands.
private struct GEMMProduct {
    let transA: Bool, transB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>, ldc: Int

    /// Rows `rows` and columns `columns` of `C`, one BLAS call.
    func run(rows: Range<Int>, columns: Range<Int>) {
        guard !rows.isEmpty && !columns.isEmpty else { return }
        let rowsOfA = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
        let columnsOfB = transB ? b + columns.lowerBound * ldb : b + columns.lowerBound
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(rows.count), Int32(columns.count), Int32(k), alpha, rowsOfA, Int32(lda), columnsOfB, Int32(ldb), beta,
            c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
    }

    /// The product on `columns` by plain loops (each `C` entry summed over `k` in order).
    func runSmall(columns: Range<Int>) {
        for i in 0..<m {
            let row = c + i * ldc
            for j in columns { row[j] = beta == 0 ? 0 : beta * row[j] }
            if transB {
                for j in columns {
                    var acc: Float = 0
                    for p in 0..<k { acc += (transA ? a[p * lda + i] : a[i * lda + p]) * b[j * ldb + p] }
                    row[j] += alpha * acc
                }
            } else {
                for p in 0..<k {
                    let x = alpha * (transA ? a[p * lda + i] : a[i * lda + p])
                    let bp = b + p * ldb
                    for j in columns { row[j] += x * bp[j] }
                }
            }
        }
    }
}

/// Blocks of 16 rows (or columns) of one product's `C`.
private struct GEMMBlocks: ChunkedWork {
    let product: GEMMProduct
    let byRows: Bool

    func run(_ blocks: Range<Int>) {
        let p = product
        let lo = 16 * blocks.lowerBound
        if byRows {
            p.run(rows: lo..<min(16 * blocks.upperBound, p.m), columns: 0..<p.n)
        } else {
            p.run(rows: 0..<p.m, columns: lo..<min(16 * blocks.upperBound, p.n))
        }
    }
}
