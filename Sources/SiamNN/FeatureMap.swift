// The operands of the engine operations (Operations/), and why a shape does not fit one
/// A feature map in a workspace: `channels x batch x height x width` Float32 values, row-major,
/// at `base` — channel-major batches (`C x N x H x W`; CHW when `batch` is 1): image n's channel c
/// is plane `c * batch + n`, so a channel's planes of all images are contiguous. Operations read
/// their inputs and write their output through these.
struct FeatureMap {
    let base: UnsafeMutablePointer<Float>
    let channels: Int
    let height: Int
    let width: Int
    /// Images in the batch (1 outside `MultiTracker`-style batched plans).
    let batch: Int

    init(_ base: UnsafeMutablePointer<Float>, shape: [Int], batch: Int = 1) {
        self.base = base
        channels = shape[0]
        height = shape[1]
        width = shape[2]
        self.batch = batch
    }

    /// `height * width`.
    var plane: Int { height * width }
    /// Planes of all images: `channels * batch`.
    var planes: Int { channels * batch }
    /// All values: `channels * batch * height * width`.
    var count: Int { channels * batch * height * width }
}

/// Why an operation cannot take inputs of some shapes (`Plan` turns it into a `PlanError`).
struct OperationShapeError: Error {
    var reason: String
    /// The network runs only on some sizes (not a matter of the input being too small).
    var unsupportedSize = false
}
