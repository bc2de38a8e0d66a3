/// A sum over the processes of a data-parallel job, for the operations whose result depends on
/// the whole batch (BatchNorm's batch statistics): every process passes its partial sums and gets
/// back the total over all processes, in place. SiamTrain's `ProcessGroup` (MPI) is the one
/// implementation; a layer without one (nil) works on its own batch alone.
///
/// Every process must make the same calls in the same order with buffers of the same size.
package protocol CrossProcessSum: AnyObject, Sendable {
    /// The number of processes (1: the sum is the buffer itself).
    var size: Int { get }
    /// Replaces each element by its sum over the processes.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>)
}
