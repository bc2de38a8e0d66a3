import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGINT and SIGTERM turned into a flag that a long loop polls, so the loop can stop between
/// two frames and leave complete files behind instead of dying mid-write. While installed the
/// signals' default action (terminate) is off; `uninstall()` restores it.
// @unchecked Sendable: the mutable state, `received` and `sources`, is read and written only
// while holding `lock` (`sources` is also filled in `init`, before the object can be shared);
// the signal handlers, on Dispatch's global queue, only call `record`, which takes `lock`.
final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.record(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func record(_ number: Int32) {
        lock.lock()
        if received == nil { received = number }
        lock.unlock()
    }

    /// The first signal received, if any.
    var receivedSignal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Stops listening and restores the default actions.
    func uninstall() {
        lock.lock()
        let active = sources
        sources = []
        lock.unlock()
        for source in active { source.cancel() }
        for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
    }

    static func name(_ number: Int32) -> String {
        number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
    }
}
