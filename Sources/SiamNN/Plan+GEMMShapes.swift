// The sgemm calls a plan's operations make (each operation says its own, EngineOperation.gemms):
// what `siamrpn bench` measures the BLAS peak on.
extension Plan {
    /// One sgemm shape: `C[m x n] = A[m x k] * B[k x n]`, called `count` times per run.
    package struct GEMMShape: Hashable, Sendable {
        package var m: Int
        package var n: Int
        package var k: Int
        package var count: Int
    }

    /// The sgemm shapes of one run, in first-use order (convolutions that are not depth-wise,
    /// per group; the full and pixel-wise correlations). Depth-wise convolutions and
    /// correlations are direct loops, not GEMMs.
    package var gemmShapes: [GEMMShape] {
        var result: [GEMMShape] = []
        func add(_ m: Int, _ n: Int, _ k: Int, _ count: Int) {
            if let i = result.firstIndex(where: { $0.m == m && $0.n == n && $0.k == k }) {
                result[i].count += count
            } else {
                result.append(GEMMShape(m: m, n: n, k: k, count: count))
            }
        }
        let inputCount = graph.inputs.count
        for (i, op) in graph.operations.enumerated() {
            for g in op.gemms(op.inputs.map { shapes[$0.id] }, output: shapes[inputCount + i], batch: batch) { add(g.m, g.n, g.k, g.count) }
        }
        return result
    }
}
