// The operands of the engine operations (Operations/), and why a shape does not fit one
/// A feature map in a workspace: `channels x height x width` Float32 values, row-major (CHW,
/// batch 1), at `base`. Operations read their inputs and write their output through these.
struct FeatureMap {
    let base: UnsafeMutablePointer<Float>
    let channels: Int
    let height: Int
    let width: Int

    init(_ base: UnsafeMutablePointer<Float>, shape: [Int]) {
        self.base = base
        channels = shape[0]
        height = shape[1]
        width = shape[2]
    }

    /// `height * width`.
    var plane: Int { height * width }
    /// All values: `channels * height * width`.
    var count: Int { channels * height * width }
}

/// Why an operation cannot take inputs of some shapes (`Plan` turns it into a `PlanError`).
struct OperationShapeError: Error {
    var reason: String
    /// The network runs only on some sizes (not a matter of the input being too small).
    var unsupportedSize = false
}
