import SiamNN

extension ProcessGroup {
    /// Sums every trainable parameter's `grad` over the processes, in place: each process then
    /// holds the gradient of the global batch's loss (the losses' normalisers are global, see
    /// `RPNLoss`), before clipping and the SGD step, which every process does alike. One
    /// all-reduce per parameter, in `parameters`' order (the same on every process).
    package func allReduceGradients(_ parameters: [TrainingParameter]) {
        guard size > 1 else { return }
        for p in parameters where p.requiresGrad {
            p.grad.withUnsafeMutableBufferPointer { allReduceSum($0) }
        }
    }
}
