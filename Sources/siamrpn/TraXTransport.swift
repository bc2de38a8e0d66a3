// Follows the TraX reference implementation's streams (votchallenge/trax): src/trax.c
// trax_server_setup_v (TRAX_SOCKET = a port on 127.0.0.1 that the client listens on and the
// tracker connects to; else stdin/stdout, or the descriptors named by TRAX_IN / TRAX_OUT) and
// src/message.c (create_message_stream_socket_connect: TCP_NODELAY, connect retried until the
// client accepts; messages are whole lines, written unbuffered).
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The byte stream a TraX session runs over: whole lines in, whole lines out. Every message is
/// written with one `write` loop straight to the descriptor (no buffering), so it is flushed
/// when `send` returns.
final class TraXTransport {
    private let input: Int32
    private let output: Int32
    private let ownsDescriptors: Bool
    private var pending: [UInt8] = []
    private var atEnd = false
    /// What the session runs over, for logs ("stdin/stdout", "TCP 127.0.0.1:9090").
    let name: String

    /// The longest line read (a `memory`/`data` image would be long; a path is short).
    static let maxLineBytes = 256 << 20

    init(input: Int32, output: Int32, name: String, ownsDescriptors: Bool = false) {
        self.input = input
        self.output = output
        self.name = name
        self.ownsDescriptors = ownsDescriptors
    }

    deinit {
        if ownsDescriptors {
            close(input)
            if output != input { close(output) }
        }
    }

    /// The transport the environment asks for, as libtrax's server chooses it: `TRAX_SOCKET`
    /// (a port number: connect to the client on 127.0.0.1), else `TRAX_IN` / `TRAX_OUT`
    /// (descriptor numbers), else stdin and stdout.
    static func fromEnvironment(_ environment: [String: String], connectTimeout: Double = 30) throws -> TraXTransport {
        if let socket = environment["TRAX_SOCKET"] {
            guard let port = UInt16(socket.trimmingCharacters(in: .whitespaces)), port > 0 else {
                throw TraXError.transport("TRAX_SOCKET='\(socket)' is not a TCP port number (1-65535)")
            }
            return try connect(port: port, timeout: connectTimeout)
        }
        func descriptor(_ key: String, default value: Int32) throws -> Int32 {
            guard let text = environment[key] else { return value }
            guard let fd = Int32(text), fd >= 0, fcntl(fd, F_GETFD) != -1 else {
                throw TraXError.transport("\(key)='\(text)' is not an open file descriptor")
            }
            return fd
        }
        let input = try descriptor("TRAX_IN", default: STDIN_FILENO)
        let output = try descriptor("TRAX_OUT", default: STDOUT_FILENO)
        let name = input == STDIN_FILENO && output == STDOUT_FILENO ? "stdin/stdout" : "descriptors \(input)/\(output)"
        return TraXTransport(input: input, output: output, name: name)
    }

    /// Connects to a client listening on 127.0.0.1:`port`, retrying (the client may not listen
    /// yet) until `timeout` seconds have passed.
    static func connect(port: UInt16, timeout: Double) throws -> TraXTransport {
        let deadline = Date().addingTimeInterval(timeout)
        var address = sockaddr_in()
        #if canImport(Darwin)
            address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        while true {
            #if canImport(Glibc)
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #else
                let fd = socket(AF_INET, SOCK_STREAM, 0)
            #endif
            guard fd >= 0 else { throw TraXError.transport("cannot create a TCP socket: \(String(cString: strerror(errno)))") }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if status == 0 {
                return TraXTransport(input: fd, output: fd, name: "TCP 127.0.0.1:\(port)", ownsDescriptors: true)
            }
            let reason = String(cString: strerror(errno))
            close(fd)
            if Date() >= deadline {
                throw TraXError.transport("cannot connect to the TraX client on 127.0.0.1:\(port) (TRAX_SOCKET): \(reason)")
            }
            usleep(100_000)
        }
    }

    /// The next line without its newline; nil at the end of the stream. A last line without a
    /// newline is returned as a line (message.c completes a message at the end of the stream).
    func readLine() throws -> String? {
        var scanned = 0
        while true {
            if let newline = pending[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            scanned = pending.count
            if atEnd {
                guard !pending.isEmpty else { return nil }
                let line = String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                return line
            }
            guard pending.count <= Self.maxLineBytes else {
                throw TraXError.transport("a line of more than \(Self.maxLineBytes) bytes arrived; no TraX message is that long")
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TraXError.transport("cannot read from the client (\(name)): \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                atEnd = true
            } else {
                pending.append(contentsOf: chunk[..<n])
            }
        }
    }

    /// Writes a message and its newline in full before returning.
    func send(_ message: TraXMessage) throws {
        let bytes = Array((message.line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(output, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TraXError.transport("cannot write to the client (\(name)): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}

#if canImport(Glibc)
    private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
        Glibc.connect(fd, address, length)
    }
#else
    private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
        Darwin.connect(fd, address, length)
    }
#endif
