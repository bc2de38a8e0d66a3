import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process (ffmpeg, ffprobe) with its stdout and/or stdin as pipes and its stderr
/// collected in the background (so a chatty child can never block on a full stderr pipe while we
/// wait on its stdout). Reads and writes are plain POSIX calls on the pipe descriptors.
///
/// Not thread-safe; one owner drives it. Closing: `close()` ends the pipes, asks the child to
/// stop (SIGTERM, then SIGKILL after a grace period) and reaps it; `deinit` does the same.
final class Subprocess {
    let executable: URL
    let arguments: [String]
    private let process = Process()
    private var stdoutHandle: FileHandle?
    private var stdinHandle: FileHandle?
    private let stderrCollector: OutputCollector
    private(set) var exitStatus: Int32?

    /// Starts `executable` with `arguments`. With `pipeStdin`/`pipeStdout` false those streams are
    /// /dev/null.
    init(_ executable: URL, _ arguments: [String], pipeStdin: Bool, pipeStdout: Bool) throws {
        self.executable = executable
        self.arguments = arguments
        process.executableURL = executable
        process.arguments = arguments
        let stdinPipe = pipeStdin ? Pipe() : nil
        let stdoutPipe = pipeStdout ? Pipe() : nil
        let stderrPipe = Pipe()
        process.standardInput = stdinPipe ?? FileHandle.nullDevice
        process.standardOutput = stdoutPipe ?? FileHandle.nullDevice
        process.standardError = stderrPipe
        // Process closes our copies of the child's pipe ends after launching it (so end-of-file
        // arrives when the child exits).
        try process.run()
        stdoutHandle = stdoutPipe?.fileHandleForReading
        stdinHandle = stdinPipe?.fileHandleForWriting
        stderrCollector = OutputCollector(stderrPipe.fileHandleForReading)
    }

    deinit { close() }

    var processIdentifier: Int32 { process.processIdentifier }

    typealias Result = (status: Int32, stdout: Data, stderr: String)

    /// Runs a short command to completion, returning its status, stdout and stderr.
    static func run(_ executable: URL, _ arguments: [String]) throws -> Result {
        let child = try Subprocess(executable, arguments, pipeStdin: false, pipeStdout: true)
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { child.readSome(into: $0) }
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        let status = child.waitForExit()
        return (status, output, child.stderrText())
    }

    /// Reads until `buffer` is full or stdout ends; returns the number of bytes read.
    /// Throws the errno text on a read error.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = readSome(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            if n < 0 { throw SubprocessError(message: String(cString: strerror(errno))) }
            filled += n
        }
        return filled
    }

    /// One read(2) on stdout (retrying on EINTR): > 0 bytes, 0 at end-of-file, -1 on error.
    private func readSome(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let fd = stdoutHandle?.fileDescriptor, let base = buffer.baseAddress else { return 0 }
        while true {
            let n = read(fd, base, buffer.count)
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// Writes all of `bytes` to stdin. Throws (with the errno text, e.g. "Broken pipe" when the
    /// child has exited) if it cannot.
    func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard let fd = stdinHandle?.fileDescriptor else { throw SubprocessError(message: "stdin is closed") }
        Self.ignoreSIGPIPE
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SubprocessError(message: String(cString: strerror(errno)))
            }
            offset += n
        }
    }

    /// Closes stdin, which tells ffmpeg the input has ended.
    func closeStdin() {
        try? stdinHandle?.close()
        stdinHandle = nil
    }

    /// Waits for the child to exit and returns its status (128 + signal when killed by one).
    @discardableResult
    func waitForExit() -> Int32 {
        if let exitStatus { return exitStatus }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        exitStatus = status
        return status
    }

    /// Stops the child if it still runs (pipes closed first, then SIGTERM, then SIGKILL after
    /// `grace` seconds) and reaps it. Safe to call more than once.
    func close(grace: TimeInterval = 2) {
        try? stdoutHandle?.close()
        stdoutHandle = nil
        closeStdin()
        if exitStatus == nil {
            if process.isRunning {
                process.terminate()
                let deadline = Date().addingTimeInterval(grace)
                while process.isRunning && Date() < deadline { usleep(5_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            waitForExit()
        }
    }

    /// The child's stderr so far (the last 64 KiB), trimmed; waits briefly for the collector
    /// when the child has exited.
    func stderrText() -> String {
        stderrCollector.text(waitingUpTo: exitStatus == nil ? 0 : 2)
    }

    /// Writing to a pipe whose reader has gone raises SIGPIPE, which kills the process by
    /// default. Ignore it (once, process-wide) so such writes fail with EPIPE instead; a handler
    /// the application installed itself is put back.
    private static let ignoreSIGPIPE: Void = {
        let previous = signal(SIGPIPE, SIG_IGN)
        if let previous, unsafeBitCast(previous, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) {
            signal(SIGPIPE, previous)
        }
    }()
}

/// An error from a pipe read or write, carrying the system's message.
struct SubprocessError: Error {
    let message: String
}

/// Reads a pipe to its end on a background thread, keeping the last `limit` bytes.
// @unchecked Sendable: the only mutable state, `data`, is read and written only while holding
// `lock` (by the reader thread and by `text`); `done` is a DispatchSemaphore (thread-safe) and
// `lock` and `limit` are constants.
private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    private let limit = 64 * 1024

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            let fd = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                lock.lock()
                data.append(contentsOf: buffer[0..<n])
                if data.count > limit { data.removeFirst(data.count - limit) }
                lock.unlock()
            }
            try? handle.close()
            done.signal()
        }
        thread.start()
    }

    func text(waitingUpTo seconds: TimeInterval) -> String {
        if seconds > 0, done.wait(timeout: .now() + seconds) == .success {
            done.signal()  // later callers need not wait again
        }
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
