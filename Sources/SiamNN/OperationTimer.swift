// A profiling hook on `Workspace.run` (siamrpn bench's per-stage times); off unless a caller
// installs a timer for the duration of a call.
import Dispatch

/// Receives the duration of every operation `Workspace.run` executes, and of spans callers
/// mark around other work (`OperationTimer.measure`). Installed for a scope with
/// `OperationTimer.$current.withValue(timer) { ... }`; when none is installed (the default)
/// `run` reads one task-local per call and times nothing.
package protocol OperationTiming: AnyObject, Sendable {
    /// Operation `index` of `graph` (it produced value `graph.inputNames.count + index`) took
    /// `nanoseconds`.
    func record(operation index: Int, of graph: Graph, nanoseconds: UInt64)
    /// A span outside the network (e.g. "crop", "post-processing") took `nanoseconds`.
    func record(span: String, nanoseconds: UInt64)
}

package enum OperationTimer {
    /// The timer of the current task (or thread, outside tasks); nil: nothing is timed.
    @TaskLocal package static var current: (any OperationTiming)?

    /// Monotonic time in nanoseconds.
    @inline(__always)
    package static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Runs `body`, reporting its duration as `span` when a timer is installed.
    @inline(__always)
    package static func measure<R>(_ span: String, _ body: () throws -> R) rethrows -> R {
        guard let timer = current else { return try body() }
        let t0 = now()
        defer { timer.record(span: span, nanoseconds: now() - t0) }
        return try body()
    }
}
