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
        product.runSmall()
        return
    }
    // Blocks of 16 rows or columns; at least 2^23 multiply-adds per thread, or one call is cheaper.
    let byRows = m >= n
    let blocks = ((byRows ? m : n) + 15) / 16
    let perBlock = Double(byRows ? n : m) * Double(k) * 16
    let minBlocks = max(1, Int((8_388_608 / max(perBlock, 1)).rounded(.up)))
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

    /// The whole product by dot products: `B` (or `op(B)`) is packed as `n` contiguous columns
    /// and a transposed `A` row by row into the thread's scratch, then every `C` entry is one
    /// 16-lane dot product over `k`. Meant for products up to ~10^6 multiply-adds.
    func runSmall() {
        let packedB = transB ? 0 : k * n
        ThreadScratch.withFloats(packedB + (transA ? k : 0) + 1) { scratch in
            let columns: UnsafePointer<Float>
            let columnStride: Int
            if transB {
                (columns, columnStride) = (b, ldb)
            } else {
                for p in 0..<k {
                    let row = b + p * ldb
                    for j in 0..<n { scratch[j * k + p] = row[j] }
                }
                (columns, columnStride) = (UnsafePointer(scratch), k)
            }
            let transposedRow = scratch + packedB
            for i in 0..<m {
                let row: UnsafePointer<Float>
                if transA {
                    for p in 0..<k { transposedRow[p] = a[p * lda + i] }
                    row = UnsafePointer(transposedRow)
                } else {
                    row = a + i * lda
                }
                let out = c + i * ldc
                for j in 0..<n {
                    let d = dotProduct(row, columns + j * columnStride, count: k)
                    out[j] = beta == 0 ? alpha * d : beta * out[j] + alpha * d
                }
            }
        }
    }
}

/// `sum x[i] * y[i]` over `count` floats, 16 lanes at a time.
@inline(__always)
private func dotProduct(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD16<Float>(repeating: 0)
    var i = 0
    let rx = UnsafeRawPointer(x)
    let ry = UnsafeRawPointer(y)
    while i + 16 <= count {
        acc += rx.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) * ry.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        i += 16
    }
    var sum = acc.sum()
    while i < count {
        sum += x[i] * y[i]
        i += 1
    }
    return sum

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
