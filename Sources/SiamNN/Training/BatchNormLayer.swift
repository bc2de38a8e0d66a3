// Mirrors torch.nn.BatchNorm2d (train and eval mode, running statistics, autograd's gradients)

/// `nn.BatchNorm2d`'s buffers: running mean, running variance, `num_batches_tracked`.
///
/// A reference type shared by the BatchNorm operations of both Siamese branches, so that the
/// template call and then the search call each update it, as PyTorch's one module does.
package final class BatchNormStatistics {
    package let name: String
    package var runningMean: [Float]
    package var runningVar: [Float]
    package var numBatchesTracked: Int
    /// PyTorch's defaults: momentum 0.1, eps 1e-5.
    package let momentum: Double
    package let eps: Double

    package init(
        name: String, runningMean: [Float], runningVar: [Float], numBatchesTracked: Int, momentum: Double = 0.1,
        eps: Double = 1e-5
    ) {
        precondition(runningMean.count == runningVar.count, "\(name): running mean and variance differ in size")
        self.name = name
        self.runningMean = runningMean
        self.runningVar = runningVar
        self.numBatchesTracked = numBatchesTracked
        self.momentum = momentum
        self.eps = eps
    }
}

/// `nn.BatchNorm2d` with affine weight (gamma) and bias (beta) on `[N, C, H, W]`.
///
/// Train mode (`training = true`, PyTorch's `model.train()`): normalises with the batch's mean
/// and **biased** variance over N*H*W, then updates the running statistics with momentum 0.1
/// and the **unbiased** variance (`var * M / (M - 1)`, `M = N*H*W`) and counts the batch.
/// Backward: `dx = gamma * invstd / M * (M*dy - sum(dy) - xhat * sum(dy*xhat))`,
/// `dgamma = sum(dy*xhat)`, `dbeta = sum(dy)`.
/// Eval mode: `y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta`, the statistics
/// constants (`dx = dy * gamma * invstd`). Statistics and reductions are summed in Double.
///
/// Synchronised (`crossProcess` of size > 1, train mode; `torch.nn.SyncBatchNorm`'s semantics):
/// the batch is the union of every process's batch. The forward sums `sum(x)` and the count `M`
/// over the processes, then `sum((x - mean)^2)` around the global mean (two passes, as on one
/// process, so the variance has no cancellation); the backward sums `sum(dy)` and `sum(dy*xhat)`.
/// Every process then holds the statistics and running statistics of the global batch, and its
/// `dx` is the global batch's for its own samples; `dgamma` / `dbeta` receive the local sums only
/// (the gradient all-reduce adds them up). Equal to one process on the whole batch up to the
/// order of the Double sums.
package final class BatchNormLayer: TrainingLayer {
    package let weight: TrainingParameter
    package let bias: TrainingParameter
    package let statistics: BatchNormStatistics
    package var training: Bool
    /// The processes whose batches form one (SyncBN); nil or size 1: this process's batch alone.
    package var crossProcess: (any CrossProcessSum)?

    private let channels: Int
    private let output = TrainingBuffer()
    private let inputGradient = TrainingBuffer()
    /// The normalised input `xhat` of the last forward, `[N, C, H, W]`.
    private let normalized = TrainingBuffer()
    private var invStd: [Double]
    /// Synchronised mode's sums: `[sum(x) or sum(dy) per channel | M | sum((x-mean)^2) or sum(dy*xhat) per channel]`.
    private var sums: [Double]
    /// The (global) number of values per channel of the last forward.
    private var count = 0.0
    private var lastShape: [Int]?

    package init(weight: TrainingParameter, bias: TrainingParameter, statistics: BatchNormStatistics, training: Bool) {
        channels = weight.count
        precondition(bias.count == channels && statistics.runningMean.count == channels, "\(weight.name): BatchNorm sizes differ")
        self.weight = weight
        self.bias = bias
        self.statistics = statistics
        self.training = training
        invStd = [Double](repeating: 0, count: channels)
        sums = [Double](repeating: 0, count: 2 * channels + 1)
    }

    /// The processes to synchronise with, when there is more than one and the layer trains.
    private var synchronised: (any CrossProcessSum)? {
        guard training, let p = crossProcess, p.size > 1 else { return nil }
        return p
    }

    package func forward(_ x: TrainingBuffer) -> TrainingBuffer {
        precondition(x.channels == channels, "\(weight.name): \(x.channels) channels, expected \(channels)")
        let n = x.batch
        let plane = x.height * x.width
        let channels = channels
        lastShape = x.shape
        output.reshape(x.shape)
        normalized.reshape(x.shape)
        let xp = UnsafePointer(x.pointer)
        let yp = output.pointer
        let hp = normalized.pointer
        let training = training
        let momentum = statistics.momentum
        let eps = statistics.eps
        let group = synchronised
        count = Double(n * plane)
        if let group {
            sums.withUnsafeMutableBufferPointer { s in
                let sp = s.baseAddress!
                parallelChunks(channels) { chans in
                    for c in chans { sp[c] = channelSum(xp, c, n: n, channels: channels, plane: plane) }
                }
                sp[channels] = count
                group.allReduceSum(UnsafeMutableBufferPointer(rebasing: s[0...channels]))
                count = sp[channels]
            }
        }
        precondition(!training || count > 1, "\(weight.name): train-mode BatchNorm needs more than one value per channel")
        let m = count
        if let group {
            sums.withUnsafeMutableBufferPointer { s in
                let sp = s.baseAddress!
                parallelChunks(channels) { chans in
                    for c in chans {
                        sp[channels + 1 + c] = channelSquares(xp, c, mean: sp[c] / m, n: n, channels: channels, plane: plane)
                    }
                }
                group.allReduceSum(UnsafeMutableBufferPointer(rebasing: s[(channels + 1)...]))
            }
        }
        statistics.runningMean.withUnsafeMutableBufferPointer { rm in
            statistics.runningVar.withUnsafeMutableBufferPointer { rv in
                invStd.withUnsafeMutableBufferPointer { inv in
                    weight.value.withUnsafeBufferPointer { gamma in
                        bias.value.withUnsafeBufferPointer { beta in
                            sums.withUnsafeBufferPointer { s in
                                let rm = rm.baseAddress!
                                let rv = rv.baseAddress!
                                let inv = inv.baseAddress!
                                let sp = s.baseAddress!
                                let synced = group != nil
                                parallelChunks(channels) { chans in
                                    for c in chans {
                                        let mean: Double
                                        let variance: Double
                                        if training {
                                            let sum = synced ? sp[c] : channelSum(xp, c, n: n, channels: channels, plane: plane)
                                            mean = sum / m
                                            let sq =
                                                synced
                                                ? sp[channels + 1 + c] : channelSquares(xp, c, mean: mean, n: n, channels: channels, plane: plane)
                                            variance = sq / m
                                            rm[c] = Float((1 - momentum) * Double(rm[c]) + momentum * mean)
                                            rv[c] = Float((1 - momentum) * Double(rv[c]) + momentum * sq / (m - 1))
                                        } else {
                                            mean = Double(rm[c])
                                            variance = Double(rv[c])
                                        }
                                        let istd = 1 / (variance + eps).squareRoot()
                                        inv[c] = istd
                                        let g = Double(gamma[c])
                                        let b = Double(beta[c])
                                        for s in 0..<n {
                                            let off = (s * channels + c) * plane
                                            for i in 0..<plane {
                                                let h = (Double(xp[off + i]) - mean) * istd
                                                hp[off + i] = Float(h)
                                                yp[off + i] = Float(h * g + b)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if training { statistics.numBatchesTracked += 1 }
        return output
    }

    package func backward(_ dy: TrainingBuffer) -> TrainingBuffer {
        guard let shape = lastShape else { preconditionFailure("\(weight.name): backward before forward") }
        precondition(dy.shape == shape, "\(weight.name): gradient shape \(dy.shape), output \(shape)")
        let n = shape[0]
        let plane = shape[2] * shape[3]
        let channels = channels
        let m = count
        inputGradient.reshape(shape)
        let dyp = UnsafePointer(dy.pointer)
        let dxp = inputGradient.pointer
        let hp = UnsafePointer(normalized.pointer)
        let training = training
        let wantsWeight = weight.requiresGrad
        let wantsBias = bias.requiresGrad
        let group = synchronised
        invStd.withUnsafeBufferPointer { inv in
            weight.value.withUnsafeBufferPointer { gamma in
                weight.grad.withUnsafeMutableBufferPointer { dgamma in
                    bias.grad.withUnsafeMutableBufferPointer { dbeta in
                        sums.withUnsafeMutableBufferPointer { s in
                            let inv = inv.baseAddress!
                            let gamma = gamma.baseAddress!
                            let dgamma = dgamma.baseAddress!
                            let dbeta = dbeta.baseAddress!
                            let sp = s.baseAddress!
                            // Alone: per channel, its sums then its dx (one pass). With a group: every
                            // channel's local sums, one all-reduce, then dx from the global sums.
                            let synced = group != nil
                            parallelChunks(channels) { chans in
                                for c in chans {
                                    let (sumDy, sumDyH) = gradientSums(dyp, hp, c, n: n, channels: channels, plane: plane)
                                    if wantsWeight { dgamma[c] += Float(sumDyH) }
                                    if wantsBias { dbeta[c] += Float(sumDy) }
                                    sp[c] = sumDy
                                    sp[channels + 1 + c] = sumDyH
                                    if !synced {
                                        normalizationGradient(
                                            dyp, hp, dxp, c, scale: Double(gamma[c]) * inv[c], sumDy: sumDy, sumDyH: sumDyH, count: m,
                                            training: training, n: n, channels: channels, plane: plane)
                                    }
                                }
                            }
                            if let group {
                                sp[channels] = 0  // unused here; the two sums go in one all-reduce
                                group.allReduceSum(s)
                                parallelChunks(channels) { chans in
                                    for c in chans {
                                        normalizationGradient(
                                            dyp, hp, dxp, c, scale: Double(gamma[c]) * inv[c], sumDy: sp[c], sumDyH: sp[channels + 1 + c],
                                            count: m, training: training, n: n, channels: channels, plane: plane)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}

/// `sum(term(i))` for `i` in `0..<count`, in Double, as four interleaved partial sums (so
/// the additions do not wait on each other); the order differs from a sequential sum by
/// Double rounding only (~1e-16 relative), far below the Float32 results' resolution.
@inline(__always)
private func interleavedSum(_ count: Int, _ term: (Int) -> Double) -> Double {
    var (a, b, c, d) = (0.0, 0.0, 0.0, 0.0)
    var i = 0
    while i + 4 <= count {
        a += term(i)
        b += term(i + 1)
        c += term(i + 2)
        d += term(i + 3)
        i += 4
    }
    while i < count {
        a += term(i)
        i += 1
    }
    return (a + b) + (c + d)
}

/// `sum(x)` over the N*H*W values of channel `c` of `[N, C, H, W]`, in Double.
@inline(__always)
private func channelSum(_ x: UnsafePointer<Float>, _ c: Int, n: Int, channels: Int, plane: Int) -> Double {
    var sum = 0.0
    for s in 0..<n {
        let p = x + (s * channels + c) * plane
        sum += interleavedSum(plane) { Double(p[$0]) }
    }
    return sum
}

/// `sum((x - mean)^2)` over channel `c`, in Double.
@inline(__always)
private func channelSquares(_ x: UnsafePointer<Float>, _ c: Int, mean: Double, n: Int, channels: Int, plane: Int) -> Double {
    var sq = 0.0
    for s in 0..<n {
        let p = x + (s * channels + c) * plane
        sq += interleavedSum(plane) {
            let d = Double(p[$0]) - mean
            return d * d
        }
    }
    return sq
}

/// `(sum(dy), sum(dy * xhat))` over channel `c`, in Double.
@inline(__always)
private func gradientSums(
    _ dy: UnsafePointer<Float>, _ h: UnsafePointer<Float>, _ c: Int, n: Int, channels: Int, plane: Int
) -> (Double, Double) {
    var sumDy = 0.0
    var sumDyH = 0.0
    for s in 0..<n {
        let d = dy + (s * channels + c) * plane
        let x = h + (s * channels + c) * plane
        sumDy += interleavedSum(plane) { Double(d[$0]) }
        sumDyH += interleavedSum(plane) { Double(d[$0]) * Double(x[$0]) }
    }
    return (sumDy, sumDyH)
}

/// Channel `c`'s `dx`: train mode `scale * (dy - sumDy / M - xhat * sumDyH / M)`, eval mode
/// `scale * dy`, with `scale = gamma * invstd`.
@inline(__always)
private func normalizationGradient(
    _ dy: UnsafePointer<Float>, _ h: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ c: Int, scale: Double,
    sumDy: Double, sumDyH: Double, count m: Double, training: Bool, n: Int, channels: Int, plane: Int
) {
    let (meanDy, meanDyH) = (sumDy / m, sumDyH / m)
    for s in 0..<n {
        let off = (s * channels + c) * plane
        if training {
            for i in 0..<plane { dx[off + i] = Float(scale * (Double(dy[off + i]) - meanDy - Double(h[off + i]) * meanDyH)) }
        } else {
            for i in 0..<plane { dx[off + i] = Float(scale * Double(dy[off + i])) }
        }
    }
}
