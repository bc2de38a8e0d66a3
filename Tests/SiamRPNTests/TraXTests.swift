import Foundation
import Testing

@testable import SiamRPN
@testable import siamrpn

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `siamrpn vot`, the TraX server the VOT toolkit runs: the message, escape and region rules of
/// libtrax (message.c, region.c) in-process, and the built binary driven through a session by a
/// scripted client over stdio and over TCP (TRAX_SOCKET).
@Suite(.serialized)
struct TraXTests {
    // MARK: messages

    @Test func linesAsLibtraxsClientWritesThemAreRead() throws {
        // libtrax quotes every argument and leaves a space before the newline.
        let m = try #require(try TraXMessage.parse(#"@@TRAX:initialize "file:///tmp/a b/00000001.jpg" "397.0000,183.0000,100.0000,113.0000" "#))
        #expect(m.type == .initialize)
        #expect(m.arguments == ["file:///tmp/a b/00000001.jpg", "397.0000,183.0000,100.0000,113.0000"])
        #expect(m.properties.isEmpty)
        let quit = try #require(try TraXMessage.parse("@@TRAX:quit "))
        #expect(quit == TraXMessage(.quit))
        let hello = try #require(try TraXMessage.parse(#"@@TRAX:hello "trax.version=3" trax.name=ncc "trax.identifier=a b" x"#))
        #expect(hello.arguments == ["x"])
        #expect(hello.property("trax.version") == "3" && hello.property("trax.name") == "ncc" && hello.property("trax.identifier") == "a b")
        // Types are case-insensitive, "status" is "state", CRLF and repeated spaces are fine.
        #expect(try TraXMessage.parse("@@TRAX:STATUS   \"1,2,3,4\"\r")?.type == .state)
        #expect(try TraXMessage.parse("@@TRAX:frame \"f\" \"k=1\" \"k=2\"")?.property("k") == "2")
    }

    @Test func escapesRoundTripAndMatchMessageC() throws {
        let tricky = "a \"quoted\" back\\slash\nnew line = and key=value"
        let m = TraXMessage(.state, [tricky, ""], properties: [TraXProperty(key: "trax.reason", value: tricky)])
        let escaped = #"a \"quoted\" back\\slash\nnew line = and key=value"#
        #expect(m.line == "@@TRAX:state \"\(escaped)\" \"\" \"trax.reason=\(escaped)\"")
        #expect(!m.line.contains("\n"))
        #expect(try TraXMessage.parse(m.line) == m)
        // Unquoted arguments take escapes too; `\x` is `x`.
        #expect(try TraXMessage.parse(#"@@TRAX:frame a\ b\qc"#)?.arguments == ["a bqc"])
    }

    @Test func namedArgumentsNeedAValidKeyBeforeTheFirstEquals() throws {
        let m = try #require(
            try TraXMessage.parse(
                #"@@TRAX:frame "data:image/jpeg;base64,AAA=" "a/b=c" "k=v=w" a\=b "=x" "key_1.x=" "#
                    + "\"\(String(repeating: "k", count: 65))=long\""))
        #expect(m.arguments == ["data:image/jpeg;base64,AAA=", "a/b=c", "a=b", "=x", String(repeating: "k", count: 65) + "=long"])
        #expect(m.properties == [TraXProperty(key: "k", value: "v=w"), TraXProperty(key: "key_1.x", value: "")])
        #expect(TraXMessage.isValidKey(String(repeating: "k", count: 64)) && !TraXMessage.isValidKey("a-b") && !TraXMessage.isValidKey(""))
    }

    @Test func otherOutputIsNotAMessageAndBrokenMessagesAreErrors() throws {
        #expect(try TraXMessage.parse("loading the model...") == nil)
        #expect(try TraXMessage.parse(" @@TRAX:quit") == nil)
        for (line, reason) in [
            ("@@TRAX:bogus 1", "unknown message type 'bogus'"), ("@@TRAX:", "no message type"),
            (#"@@TRAX:frame "unterminated"#, "not closed"), (#"@@TRAX:frame "a"b"#, "not followed by a space"),
            (#"@@TRAX:frame a\"#, "backslash ends the line"), ("@@TRAX:frame\t1", "type is not followed by a space")
        ] {
            #expect(throws: TraXError.self, "\(line)") { try TraXMessage.parse(line) }
            do {
                _ = try TraXMessage.parse(line)
            } catch {
                #expect("\(error)".contains(reason), "\(line): \(error)")
            }
        }
    }

    // MARK: regions

    @Test func regionsAreReadAsRegionCReadsThem() throws {
        #expect(try TraXRegion.parse("397.0000,183.0000,100.0000,113.0000") == .rectangle(x: 397, y: 183, width: 100, height: 113))
        #expect(try TraXRegion.parse("1,2,3,4,5,6") == .polygon([1, 2, 3, 4, 5, 6]))
        #expect(try TraXRegion.parse("rect:1,2,3,4") == .rectangle(x: 1, y: 2, width: 3, height: 4))
        #expect(try TraXRegion.parse("poly:1,2,3,4,5,6,7,8") == .polygon([1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(try TraXRegion.parse("0") == .special(0))
        #expect(try TraXRegion.parse("special:-2") == .special(-2))
        #expect(try TraXRegion.parse("nan,nan,nan,nan") == .special(0))
        #expect(try TraXRegion.parse("nan,nan,nan,2") == .special(-2))
        #expect(try TraXRegion.parse("mask:10,20,4,3,5,2") == .mask(x: 10, y: 20, width: 4, height: 3, runs: [5, 2]))
        #expect(try TraXRegion.parse(" 1.5e1, 2 ,3,4") == .rectangle(x: 15, y: 2, width: 3, height: 4))
        for bad in ["", "1,2", "1,2,3", "1,2,3,4,5", "1,2,x,4", "circle:1,2,3", "rect:1,2,3", "mask:1,2,-3,4", "1,inf,3,4", "1.5"] {
            #expect(throws: TraXError.self, "'\(bad)'") { try TraXRegion.parse(bad) }
        }
        // Written in full precision, read back exactly (C's atof reads these too).
        let r = TraXRegion.rectangle(x: 492.35175022191464, y: 404.4747913217015, width: 47, height: 1e-7)
        #expect(r.text == "492.35175022191464,404.4747913217015,47.0,1e-07")
        #expect(try TraXRegion.parse(r.text) == r)
        for region in [TraXRegion.polygon([1, 2.5, 3, 4, 5, 6]), .special(-1), .mask(x: 1, y: 2, width: 3, height: 4, runs: [0, 3, 2])] {
            #expect(try TraXRegion.parse(region.text) == region)
        }
    }

    static func bounds(x: Int, y: Int, width: Int, height: Int, runs: [Int]) -> [Int]? {
        TraXRegion.maskBounds(x: x, y: y, width: width, height: height, runs: runs).map { [$0.x, $0.y, $0.width, $0.height] }
    }

    @Test func maskBoundsAreTheForegroundsPixelRectangle() {
        // 4 x 3 mask: runs [5, 2] are pixels 5 and 6, row 1, columns 1-2.
        #expect(Self.bounds(x: 10, y: 20, width: 4, height: 3, runs: [5, 2]) == [11, 21, 2, 1])
        // A run that wraps from column 3 of row 0 to column 0 of row 1 spans every column.
        #expect(Self.bounds(x: 0, y: 0, width: 4, height: 3, runs: [3, 2]) == [0, 0, 4, 2])
        // Foreground first (a leading 0 run), several runs, a run past the end is cut.
        #expect(Self.bounds(x: 0, y: 0, width: 4, height: 3, runs: [0, 1, 9, 1, 0, 100]) == [0, 0, 4, 3])
        #expect(Self.bounds(x: 0, y: 0, width: 4, height: 3, runs: [12]) == nil)
        #expect(Self.bounds(x: 0, y: 0, width: 0, height: 3, runs: [0, 5]) == nil)
    }

    @Test func initBoxesFollowPysotsRules() throws {
        #expect(try TraXSession.initBox(.rectangle(x: 492, y: 417, width: 47, height: 46)) == Box(x: 492, y: 417, width: 47, height: 46))
        // VOT's inclusive-corner polygon of that rectangle (libtrax's rectangle-to-polygon) gives it back.
        #expect(
            try TraXSession.initBox(.polygon([492, 417, 538, 417, 538, 462, 492, 462])) == Box(x: 492, y: 417, width: 47, height: 46))
        let rotated = [100.0, 50, 150, 80, 130, 115, 80, 85]
        #expect(try TraXSession.initBox(.polygon(rotated)) == GroundTruthRegion.polygon(rotated).pysotInitBox)
        #expect(try TraXSession.initBox(.polygon([10, 20, 30, 20, 30, 40, 20, 50, 10, 40, 5, 30])) == Box(x: 5, y: 20, width: 26, height: 31))
        #expect(try TraXSession.initBox(.mask(x: 10, y: 20, width: 4, height: 3, runs: [5, 2])) == Box(x: 11, y: 21, width: 2, height: 1))
        #expect(throws: TraXError.self) { try TraXSession.initBox(.special(0)) }
        #expect(throws: TraXError.self) { try TraXSession.initBox(.mask(x: 0, y: 0, width: 2, height: 2, runs: [4])) }
    }

    @Test func imageArgumentsArePathsTakenAsTheyCome() throws {
        #expect(try traxImagePath("file:///tmp/seq/00000001.jpg") == "/tmp/seq/00000001.jpg")
        #expect(try traxImagePath("file:///tmp/a b%20c.jpg") == "/tmp/a b%20c.jpg")
        #expect(try traxImagePath("file:/tmp/x.png") == "/tmp/x.png")
        #expect(try traxImagePath("/tmp/x:y.jpg") == "/tmp/x:y.jpg")
        for bad in ["data:image/jpeg;base64,AAAA", "image:2;2;rgb;AAAA", "http://example.com/1.jpg", ""] {
            #expect(throws: TraXError.self, "\(bad)") { try traxImagePath(bad) }
        }
    }

    // MARK: the binary, driven by a scripted client

    static let sequence = Fixtures.url("sequences/vot_ball1")
    static func frame(_ i: Int) -> URL { sequence.appendingPathComponent(String(format: "img/%04d.jpg", i)) }
    static func groundTruth() throws -> [GroundTruthRegion] {
        try parseGroundTruth(String(contentsOf: sequence.appendingPathComponent("groundtruth_rect.txt"), encoding: .utf8), source: "ball1")
    }

    static func box(of state: TraXMessage) throws -> Box {
        #expect(state.type == .state && state.arguments.count == 1, "\(state.line)")
        guard case .rectangle(let x, let y, let w, let h) = try TraXRegion.parse(state.arguments.first ?? "") else {
            Issue.record("not a rectangle: \(state.line)")
            return Box(x: 0, y: 0, width: 0, height: 0)
        }
        return Box(x: x, y: y, width: w, height: h)
    }

    @Test func aSessionOverStdioTracksExactlyLikeTheLibrary() throws {
        let peer = try TraXPeer.launch()
        let hello = try peer.receive()
        #expect(hello.type == .hello && hello.arguments.isEmpty)
        #expect(hello.property("trax.version") == "3")
        #expect(hello.property("trax.name") == "siamrpn")
        #expect(hello.property("trax.region")?.split(separator: ";").sorted() == ["polygon", "rectangle"])
        #expect(hello.property("trax.image") == "path;" && hello.property("trax.channels") == "color;")

        // The library, in-process: the same model and frames.
        let model = try TrackingModel.bundled()
        let tracker = try model.makeTracker()
        let first = try #require(try Self.groundTruth().first)
        guard case .rectangle(let initBox) = first else { throw CLIError("ball1's ground truth is a rectangle") }
        try tracker.initialize(image: Image.load(contentsOf: Self.frame(1)), box: initBox)

        // As libtrax's client writes it: %.4f rectangle, trailing space.
        try peer.send(
            String(
                format: "@@TRAX:initialize \"file://%@\" \"%.4f,%.4f,%.4f,%.4f\" ", Self.frame(1).path, initBox.x, initBox.y,
                initBox.width, initBox.height))
        let initState = try peer.receive()
        #expect(try Self.box(of: initState) == initBox)
        #expect(initState.property("confidence") == "1.0")
        for i in 2...12 {
            try peer.send(TraXMessage(.frame, ["file://" + Self.frame(i).path], properties: [TraXProperty(key: "ignored", value: "x")]).line)
            let state = try peer.receive()
            let expected = try tracker.update(image: Image.load(contentsOf: Self.frame(i)))
            #expect(try Self.box(of: state) == expected.box, "frame \(i)")
            #expect(state.property("confidence") == "\(expected.score)", "frame \(i)")
            #expect(Float(state.property("confidence") ?? "") == expected.score)
        }

        // A re-initialisation (VOT's reset after a failure) on frame 13 from the 8-number polygon
        // of its ground truth: pysot's get_axis_aligned_bbox init box, then tracking from it.
        let b = try Self.groundTruth()[12].boundingBox
        let polygon = [b.x, b.y, b.x + b.width, b.y, b.x + b.width, b.y + b.height, b.x, b.y + b.height]
        let polygonBox = GroundTruthRegion.polygon(polygon).pysotInitBox
        let restarted = try model.makeTracker()
        try restarted.initialize(image: Image.load(contentsOf: Self.frame(13)), box: polygonBox)
        try peer.send(TraXMessage(.initialize, ["file://" + Self.frame(13).path, TraXRegion.polygon(polygon).text]).line)
        #expect(try Self.box(of: try peer.receive()) == polygonBox)
        for i in 14...21 {
            try peer.send(TraXMessage(.frame, ["file://" + Self.frame(i).path]).line)
            let state = try peer.receive()
            let expected = try restarted.update(image: Image.load(contentsOf: Self.frame(i)))
            #expect(try Self.box(of: state) == expected.box, "frame \(i)")
            #expect(state.property("confidence") == "\(expected.score)", "frame \(i)")
        }

        try peer.send("@@TRAX:quit ")
        let end = try peer.finish()
        #expect(end.status == 0, "\(end.stderr)")
        #expect(end.otherStdout.isEmpty, "stdout carries only protocol lines: \(end.otherStdout)")
        #expect(end.stderr.contains("siamrpn vot: NanoTrackV3"), "\(end.stderr)")
    }

    @Test(arguments: [
        ("@@TRAX:initialize \"unterminated", "a quoted argument is not closed"),
        ("@@TRAX:frame \"file:///x.jpg\"", "unexpected 'frame' message before 'initialize'"),
        ("@@TRAX:initialize \"file:///nonexistent/1.jpg\" \"1,2,3,4\"", "/nonexistent/1.jpg"),
        ("@@TRAX:initialize \"file://FRAME1\" \"1,2,3\"", "neither a rectangle"),
        ("@@TRAX:initialize \"file://FRAME1\"", "needs 2 arguments"),
        ("@@TRAX:initialize \"data:image/jpeg;base64,AAAA\" \"1,2,3,4\"", "not a file path"),
        ("@@TRAX:initialize \"file://FRAME1\" \"5000,10,20,20\"", "outside the image"),
        ("@@TRAX:hello", "unexpected 'hello'"),
        ("@@TRAX:teleport", "unknown message type")
    ])
    func aBadRequestIsAnErrorLineAndAQuitNeverACrash(request: String, reason: String) throws {
        let peer = try TraXPeer.launch()
        #expect(try peer.receive().type == .hello)
        try peer.send("tracker output that is not a message is skipped")
        try peer.send(request.replacingOccurrences(of: "FRAME1", with: Self.frame(1).path))
        let quit = try peer.receive()
        #expect(quit.type == .quit && quit.arguments.isEmpty)
        #expect(quit.property("trax.reason")?.contains(reason) == true, "\(quit.line)")
        let end = try peer.finish()
        #expect(end.status == 1, "\(end.stderr)")
        let last = end.stderr.split(separator: "\n").last ?? ""
        #expect(last.hasPrefix("error: ") && last.contains(reason), "\(end.stderr)")
    }

    @Test func aMissingFrameMidSessionAndAVanishedClientAreErrors() throws {
        let peer = try TraXPeer.launch()
        #expect(try peer.receive().type == .hello)
        try peer.send(TraXMessage(.initialize, ["file://" + Self.frame(1).path, "492,417,47,46"]).line)
        #expect(try peer.receive().type == .state)
        try peer.send(TraXMessage(.frame, ["file:///nonexistent/0002.jpg"]).line)
        let quit = try peer.receive()
        #expect(quit.type == .quit && quit.property("trax.reason")?.contains("/nonexistent/0002.jpg") == true, "\(quit.line)")
        #expect(try peer.finish().status == 1)

        // The client closes the stream without 'quit'.
        let gone = try TraXPeer.launch()
        #expect(try gone.receive().type == .hello)
        let end = try gone.finish()
        #expect(end.status == 1 && end.stderr.contains("without sending 'quit'"), "\(end.stderr)")
    }

    @Test func aModelThatDoesNotLoadIsSaidInTheQuitReason() throws {
        let peer = try TraXPeer.launch(arguments: ["--config", "/nonexistent/config.yaml", "--snapshot", "/nonexistent/model.pth"])
        #expect(try peer.receive().type == .hello)
        let quit = try peer.receive()
        #expect(quit.type == .quit && quit.property("trax.reason")?.contains("/nonexistent/config.yaml") == true, "\(quit.line)")
        let end = try peer.finish()
        #expect(end.status == 1 && end.stderr.contains("error: "), "\(end.stderr)")
    }

    @Test func aSessionOverTCPConnectsToTheClientsPort() throws {
        let listener = try TCPListener()
        let peer = try TraXPeer.launch(environment: ["TRAX_SOCKET": "\(listener.port)"], listener: listener)
        let hello = try peer.receive()
        #expect(hello.type == .hello && hello.property("trax.version") == "3")
        try peer.send(TraXMessage(.initialize, ["file://" + Self.frame(1).path, "492,417,47,46"]).line)
        #expect(try Self.box(of: try peer.receive()) == Box(x: 492, y: 417, width: 47, height: 46))
        let tracker = try TrackingModel.bundled().makeTracker()
        try tracker.initialize(image: Image.load(contentsOf: Self.frame(1)), box: Box(x: 492, y: 417, width: 47, height: 46))
        for i in 2...4 {
            try peer.send(TraXMessage(.frame, ["file://" + Self.frame(i).path]).line)
            let state = try peer.receive()
            let expected = try tracker.update(image: Image.load(contentsOf: Self.frame(i)))
            #expect(try Self.box(of: state) == expected.box && state.property("confidence") == "\(expected.score)")
        }
        try peer.send(TraXMessage(.quit).line)
        let end = try peer.finish()
        #expect(end.status == 0, "\(end.stderr)")
        #expect(end.otherStdout.isEmpty && end.stderr.contains("TCP 127.0.0.1:\(listener.port)"), "\(end.stderr)")

        let bad = try TraXPeer.launch(environment: ["TRAX_SOCKET": "not-a-port"])
        let failed = try bad.finish()
        #expect(failed.status == 1 && failed.stderr.contains("TRAX_SOCKET='not-a-port' is not a TCP port number"), "\(failed.stderr)")
    }
}

/// A TCP socket listening on 127.0.0.1 (an ephemeral port), as the VOT toolkit listens.
final class TCPListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw CLIError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 1) == 0 else {
            close(fd)
            throw CLIError("bind/listen: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    /// The tracker's connection, waiting at most `timeout` seconds.
    func accept(timeout: Double) throws -> Int32 {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(timeout * 1000)) == 1 else { throw CLIError("the tracker did not connect within \(timeout) s") }
        #if canImport(Glibc)
            let connection = Glibc.accept(fd, nil, nil)
        #else
            let connection = Darwin.accept(fd, nil, nil)
        #endif
        guard connection >= 0 else { throw CLIError("accept: \(String(cString: strerror(errno)))") }
        return connection
    }

    deinit { close(fd) }
}

/// The client side of a session with the built `siamrpn vot`: sends lines, reads messages (with a
/// timeout, so a hung tracker fails the test instead of hanging it), then collects the exit.
final class TraXPeer {
    struct End {
        var status: Int32
        /// stdout lines that are not protocol messages (there must be none).
        var otherStdout: [String]
        var stderr: String
    }

    private let process: Process
    private let stdout: Pipe
    private let stdin: Pipe
    private let errors = Collected()
    private let group = DispatchGroup()
    private var readFD: Int32
    private var writeFD: Int32
    private var socket: Int32?
    private var pending: [UInt8] = []
    private var otherLines: [String] = []

    // @unchecked Sendable: `data` is written by one background block before `group.leave()` and
    // read only after `group.wait()`.
    private final class Collected: @unchecked Sendable { var data = Data() }

    private init(process: Process, stdin: Pipe, stdout: Pipe) {
        self.process = process
        self.stdin = stdin
        self.stdout = stdout
        readFD = stdout.fileHandleForReading.fileDescriptor
        writeFD = stdin.fileHandleForWriting.fileDescriptor
    }

    static func launch(
        arguments: [String] = [], environment: [String: String] = [:], listener: TCPListener? = nil
    ) throws -> TraXPeer {
        signal(SIGPIPE, SIG_IGN)  // a tracker that exits must not kill the test with our next write
        let process = Process()
        process.executableURL = SiamRPNBinary.url
        process.arguments = ["vot"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let peer = TraXPeer(process: process, stdin: stdin, stdout: stdout)
        try process.run()
        let errors = peer.errors
        peer.group.enter()
        DispatchQueue.global().async { [group = peer.group] in
            errors.data = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if let listener {
            let connection = try listener.accept(timeout: 60)
            peer.socket = connection
            peer.readFD = connection
            peer.writeFD = connection
        }
        return peer
    }

    func send(_ line: String) throws {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(writeFD, $0.baseAddress! + offset, bytes.count - offset) }
            guard n > 0 else { throw CLIError("cannot write to the tracker: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// The next protocol message; other lines are kept for `End.otherStdout`.
    func receive(timeout: Double = 60) throws -> TraXMessage {
        while true {
            guard let line = try readLine(timeout: timeout) else { throw CLIError("the tracker closed its output") }
            if let message = try TraXMessage.parse(line) { return message }
            otherLines.append(line)
        }
    }

    private func readLine(timeout: Double) throws -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            var p = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(timeout * 1000)) == 1 else { throw CLIError("no line from the tracker within \(timeout) s") }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if n <= 0 {
                guard !pending.isEmpty else { return nil }
                defer { pending.removeAll() }
                return String(decoding: pending, as: UTF8.self)
            }
            pending.append(contentsOf: chunk[..<n])
        }
    }

    /// Closes the client's end, waits for the tracker to exit, returns what it left.
    func finish() throws -> End {
        if let socket {
            shutdown(socket, Int32(SHUT_WR))
        }
        try stdin.fileHandleForWriting.close()
        // Whatever the tracker still writes on stdout (over TCP: everything it wrote there).
        var rest: [String] = []
        readFD = stdout.fileHandleForReading.fileDescriptor
        if socket == nil {
            while let line = try readLine(timeout: 60) { rest.append(line) }
        } else {
            pending.removeAll()
            while let line = try readLine(timeout: 60) { rest.append(line) }
        }
        group.wait()
        process.waitUntilExit()
        if let socket { close(socket) }
        let unexpected = otherLines + rest.filter { (try? TraXMessage.parse($0)) == nil || socket != nil }
        return End(status: process.terminationStatus, otherStdout: unexpected, stderr: String(decoding: errors.data, as: UTF8.self))
    }
}
