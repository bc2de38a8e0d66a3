/// How a `GraphBuilder` runs the 3x3 stride-1 convolutions it is given.
///
/// Chosen per graph (not process-wide), so tests and `siamrpn bench` can run both in one process.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// Winograd F(4x4, 3x3) for 3x3 stride-1 groups-1 convolutions (dilated ones through their
    /// sub-sampled grids) whose shape makes it pay; the rest im2col + sgemm. The default.
    case winograd
    /// im2col + sgemm for every convolution: the reference the Winograd path is tested against.
    case direct
}
