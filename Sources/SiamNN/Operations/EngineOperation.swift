// The one definition of every engine operation (shape rule, scratch, MACs, kernel call)
/// One operation of a `Graph`, defined in one place: which values it reads, the shape rule of its
/// output, the scratch it needs, its multiply-accumulates and the kernel that runs it.
///
/// Shapes are `[C, H, W]` of one image. A plan may run a batch of N images at once (`Plan.batch`,
/// channel-major `C x N x H x W` buffers, `FeatureMap`); only operations with `supportsBatch` take
/// N > 1. Each operation produces exactly one new value. `run` must not allocate; `scratch` holds
/// at least `scratchCount(inputs, batch:)` floats (shared by all operations of a plan).
protocol EngineOperation: Sendable {
    /// The values read, in order.
    var inputs: [Graph.Value] { get }
    /// Output channels for inputs with these channel counts (checked when the graph is built).
    func outputChannels(_ inputChannels: [Int]) -> Int
    /// The output shape for inputs of `shapes`; throws when they do not fit.
    func outputShape(_ shapes: [[Int]]) throws(OperationShapeError) -> [Int]
    /// Whether `run` takes batches of more than one image (default false).
    var supportsBatch: Bool { get }
    /// Floats of scratch for inputs of `shapes` (default 0).
    func scratchCount(_ shapes: [[Int]]) -> Int
    /// Floats of scratch for a batch of `batch` images (default: `scratchCount(shapes)`).
    func scratchCount(_ shapes: [[Int]], batch: Int) -> Int
    /// Multiply-accumulates of one run (default 0: data movement and element-wise work).
    func macs(_ shapes: [[Int]], output: [Int]) -> Int
    /// The sgemm calls of one run, `C[m x n] = A[m x k] * B[k x n]` `count` times (default none:
    /// direct loops); what `siamrpn bench` measures the BLAS peak on.
    func gemms(_ shapes: [[Int]], output: [Int]) -> [(m: Int, n: Int, k: Int, count: Int)]
    /// The sgemm calls for a batch of `batch` images (default: `gemms(shapes, output:)`).
    func gemms(_ shapes: [[Int]], output: [Int], batch: Int) -> [(m: Int, n: Int, k: Int, count: Int)]
    /// Computes the output from the inputs.
    func run(_ inputs: [FeatureMap], output: FeatureMap, scratch: UnsafeMutablePointer<Float>)
}

extension EngineOperation {
    var supportsBatch: Bool { false }
    func scratchCount(_ shapes: [[Int]]) -> Int { 0 }
    func scratchCount(_ shapes: [[Int]], batch: Int) -> Int { scratchCount(shapes) }
    func gemms(_ shapes: [[Int]], output: [Int], batch: Int) -> [(m: Int, n: Int, k: Int, count: Int)] {
        gemms(shapes, output: output)
    }
    func macs(_ shapes: [[Int]], output: [Int]) -> Int { 0 }
    func gemms(_ shapes: [[Int]], output: [Int]) -> [(m: Int, n: Int, k: Int, count: Int)] { [] }
}
