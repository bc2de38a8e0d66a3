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
package final class BatchNormLayer: TrainingLayer {
    package let weight: TrainingParameter
    package let bias: TrainingParameter
    package let statistics: BatchNormStatistics
    package var training: Bool

    private let channels: Int
    private let output = TrainingBuffer()
    private let inputGradient = TrainingBuffer()
    /// The normalised input `xhat` of the last forward, `[N, C, H, W]`.
    private let normalized = TrainingBuffer()
    private var invStd: [Double]
    private var lastShape: [Int]?

    package init(weight: TrainingParameter, bias: TrainingParameter, statistics: BatchNormStatistics, training: Bool) {
        channels = weight.count
        precondition(bias.count == channels && statistics.runningMean.count == channels, "\(weight.name): BatchNorm sizes differ")
        self.weight = weight
        self.bias = bias
        self.statistics = statistics
        self.training = training
        invStd = [Double](repeating: 0, count: channels)
    }

    package func forward(_ x: TrainingBuffer) -> TrainingBuffer {
        precondition(x.channels == channels, "\(weight.name): \(x.channels) channels, expected \(channels)")
        let n = x.batch
        let plane = x.height * x.width
        let m = n * plane
        precondition(!training || m > 1, "\(weight.name): train-mode BatchNorm needs more than one value per channel")
        lastShape = x.shape
        output.reshape(x.shape)
        normalized.reshape(x.shape)
        let xp = x.pointer
        let yp = output.pointer
        let hp = normalized.pointer
        let training = training
        let momentum = statistics.momentum
        let eps = statistics.eps
        statistics.runningMean.withUnsafeMutableBufferPointer { rm in
            statistics.runningVar.withUnsafeMutableBufferPointer { rv in
                invStd.withUnsafeMutableBufferPointer { inv in
                    weight.value.withUnsafeBufferPointer { gamma in
                        bias.value.withUnsafeBufferPointer { beta in
                            let rm = rm.baseAddress!
                            let rv = rv.baseAddress!
                            let inv = inv.baseAddress!
                            parallelChunks(channels) { chans in
                                for c in chans {
                                    let mean: Double
                                    let variance: Double
                                    if training {
                                        var sum = 0.0
                                        for s in 0..<n {
                                            let p = xp + (s * channels + c) * plane
                                            for i in 0..<plane { sum += Double(p[i]) }
                                        }
                                        mean = sum / Double(m)
                                        var sq = 0.0
                                        for s in 0..<n {
                                            let p = xp + (s * channels + c) * plane
                                            for i in 0..<plane {
                                                let d = Double(p[i]) - mean
                                                sq += d * d
                                            }
                                        }
                                        variance = sq / Double(m)
                                        rm[c] = Float((1 - momentum) * Double(rm[c]) + momentum * mean)
                                        rv[c] = Float((1 - momentum) * Double(rv[c]) + momentum * sq / Double(m - 1))
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
        if training { statistics.numBatchesTracked += 1 }
        return output
    }

    package func backward(_ dy: TrainingBuffer) -> TrainingBuffer {
        guard let shape = lastShape else { preconditionFailure("\(weight.name): backward before forward") }
        precondition(dy.shape == shape, "\(weight.name): gradient shape \(dy.shape), output \(shape)")
        let n = shape[0]
        let plane = shape[2] * shape[3]
        let m = Double(n * plane)
        inputGradient.reshape(shape)
        let dyp = dy.pointer
        let dxp = inputGradient.pointer
        let hp = normalized.pointer
        let training = training
        let wantsWeight = weight.requiresGrad
        let wantsBias = bias.requiresGrad
        invStd.withUnsafeBufferPointer { inv in
            weight.value.withUnsafeBufferPointer { gamma in
                weight.grad.withUnsafeMutableBufferPointer { dgamma in
                    bias.grad.withUnsafeMutableBufferPointer { dbeta in
                        let inv = inv.baseAddress!
                        let gamma = gamma.baseAddress!
                        let dgamma = dgamma.baseAddress!
                        let dbeta = dbeta.baseAddress!
                        parallelChunks(channels) { chans in
                            for c in chans {
                                var sumDy = 0.0
                                var sumDyH = 0.0
                                for s in 0..<n {
                                    let off = (s * channels + c) * plane
                                    for i in 0..<plane {
                                        let d = Double(dyp[off + i])
                                        sumDy += d
                                        sumDyH += d * Double(hp[off + i])
                                    }
                                }
                                if wantsWeight { dgamma[c] += Float(sumDyH) }
                                if wantsBias { dbeta[c] += Float(sumDy) }
                                let scale = Double(gamma[c]) * inv[c]
                                for s in 0..<n {
                                    let off = (s * channels + c) * plane
                                    for i in 0..<plane {
                                        let d = Double(dyp[off + i])
                                        dxp[off + i] =
                                            training
                                            ? Float(scale * (d - sumDy / m - Double(hp[off + i]) * sumDyH / m))
                                            : Float(scale * d)
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
