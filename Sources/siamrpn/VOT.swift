// Follows the TraX protocol specification (votchallenge/trax, docs/protocol.rst): the server side
// of a version 3 single-target session as libtrax's trax_server_wait_sot / trax_server_reply_sot
// run it, and the properties the VOT toolkit (votchallenge/toolkit, vot/tracker/trax.py,
// vot/analysis/longterm.py) reads: one `state` per request, its `confidence` property.
import ArgumentParser
import Foundation
import SiamRPN

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `siamrpn vot`: the tracker as a TraX server, so the VOT toolkit (`protocol = trax`) can run it.
struct VOT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vot",
        abstract: "Track for the VOT toolkit: speak the TraX protocol (version 3) on stdin/stdout or TRAX_SOCKET.",
        discussion: """
            Announces trax.region=rectangle;polygon, trax.image=path, trax.channels=color. Each \
            'initialize' (re)starts the target: a rectangle is taken as given (0-based x,y,w,h), a \
            4-point polygon by pysot's get_axis_aligned_bbox rule, another polygon or a mask by its \
            bounding pixels. Each request is answered by one 'state' with the box as a rectangle \
            and the tracker's score as the property confidence. With TRAX_SOCKET=PORT the tracker \
            connects to the client on 127.0.0.1:PORT instead. Only protocol lines go to stdout; \
            log lines go to stderr. On an error (a bad message, an unreadable image, a model that \
            does not load) it says so in one line on stderr, sends 'quit' with trax.reason and \
            exits 1; after the client's 'quit' it exits 0.
            """)

    @Option(help: "pysot (or NanoTrack) experiment config, config.yaml. Default: the bundled NanoTrackV3.")
    var config: String?
    @Option(help: "Model weights: .pth (zip or legacy) or .safetensors. Default: the bundled NanoTrackV3.")
    var snapshot: String?
    @Option(help: "Threads for the network (default: 1 for NanoTrack, all cores for SiamRPN++; at most the core count).")
    var threads: Int?

    func run() throws {
        // A client that goes away must be an error on write, not a silent death by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let transport: TraXTransport
        do {
            transport = try TraXTransport.fromEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        // The model is loaded before the handshake; if it cannot be, the client still gets a
        // hello and then a quit that gives the reason (the toolkit shows trax.reason).
        let model: TrackingModel
        do {
            model = try loadTrackingModel(config: config, snapshot: snapshot)
            try applyThreads(threads, preferred: model.preferredThreads)
        } catch {
            try? transport.send(TraXSession.hello(identifier: "siamrpn"))
            fail(error, transport: transport)
        }
        printError("siamrpn vot: \(model.name), TraX version \(TraXSession.version) over \(transport.name)")
        var session = TraXSession(model: model)
        do {
            try transport.send(TraXSession.hello(identifier: "\(SiamRPNCommand.configuration.version) \(model.name)"))
            while true {
                guard let line = try transport.readLine() else { throw TraXError.connectionClosed }
                guard let message = try TraXMessage.parse(line) else {
                    printError("warning: TraX: ignored a line that is not a protocol message: \(line.prefix(200))")
                    continue
                }
                guard let reply = try session.handle(message) else { return }
                try transport.send(reply)
            }
        } catch {
            fail(error, transport: transport)
        }
    }

    /// The error on stderr, `quit` with the reason to the client, exit status 1.
    private func fail(_ error: any Error, transport: TraXTransport) -> Never {
        printError("error: \(error)")
        try? transport.send(TraXMessage(.quit, properties: [TraXProperty(key: "trax.reason", value: "\(error)")]))
        Foundation.exit(ExitCode.failure.rawValue)
    }
}

/// The server's side of one session, message by message (no I/O, so tests can drive it).
struct TraXSession {
    /// The protocol version announced: 3, the single-target session every libtrax 3/4 client runs.
    static let version = 3

    private let model: TrackingModel
    private var tracker: (any ObjectTracker)?

    init(model: TrackingModel) { self.model = model }

    static func hello(identifier: String) -> TraXMessage {
        TraXMessage(
            .hello,
            properties: [
                TraXProperty(key: "trax.version", value: "\(version)"),
                TraXProperty(key: "trax.name", value: "siamrpn"),
                TraXProperty(key: "trax.identifier", value: identifier),
                TraXProperty(key: "trax.region", value: "rectangle;polygon;"),
                TraXProperty(key: "trax.image", value: "path;"),
                TraXProperty(key: "trax.channels", value: "color;")
            ])
    }

    /// The reply to a client message: a `state` for `initialize` and `frame`, nil for `quit`
    /// (the session ends). Throws `TraXError` for a message that does not fit the session, and
    /// the library's errors for an unreadable image or a target that cannot be tracked.
    mutating func handle(_ message: TraXMessage) throws -> TraXMessage? {
        switch message.type {
        case .quit:
            return nil
        case .initialize:
            guard message.arguments.count == 2 else {
                throw TraXError.wrongArgumentCount(.initialize, expected: 2, got: message.arguments.count)
            }
            let image = try Image.load(contentsOf: URL(fileURLWithPath: traxImagePath(message.arguments[0])))
            let box = try Self.initBox(TraXRegion.parse(message.arguments[1]))
            let tracker = try model.makeTracker()
            self.tracker = nil
            try tracker.initialize(image: image, box: box)
            self.tracker = tracker
            return Self.state(box.clippedForTracking(imageWidth: image.width, imageHeight: image.height), confidence: 1)
        case .frame:
            guard let tracker else { throw TraXError.unexpectedMessage(.frame, state: "before 'initialize'") }
            guard message.arguments.count == 1 else {
                throw TraXError.wrongArgumentCount(.frame, expected: 1, got: message.arguments.count)
            }
            let image = try Image.load(contentsOf: URL(fileURLWithPath: traxImagePath(message.arguments[0])))
            let result = try tracker.update(image: image)
            return Self.state(result.box, confidence: result.score)
        case .hello, .state:
            throw TraXError.unexpectedMessage(message.type, state: "from the client (it is the tracker's message)")
        }
    }

    static func state(_ box: Box, confidence: Float) -> TraXMessage {
        TraXMessage(
            .state, [TraXRegion.rectangle(x: box.x, y: box.y, width: box.width, height: box.height).text],
            properties: [TraXProperty(key: "confidence", value: "\(confidence)")])
    }

    /// The box a region starts the tracker with. A rectangle as given (VOT's 0-based
    /// left,top,width,height; pysot's VOT runs turn a 4-number box into the 4-corner polygon
    /// whose pysot init box is this same rectangle). A 4-point polygon by pysot's rule
    /// (`get_axis_aligned_bbox`, then `[cx - (w-1)/2, cy - (h-1)/2, w, h]`). Another polygon by
    /// its vertices' pixel bounds (`x1 - x0 + 1` wide, VOT's inclusive corners, which the
    /// 4-point rule gives for an axis-aligned rectangle too); a mask by its foreground's bounds.
    static func initBox(_ region: TraXRegion) throws -> Box {
        switch region {
        case .rectangle(let x, let y, let w, let h):
            return Box(x: x, y: y, width: w, height: h)
        case .polygon(let p) where p.count == 8:
            return GroundTruthRegion.polygon(p).pysotInitBox
        case .polygon(let p):
            let xs = stride(from: 0, to: p.count, by: 2).map { p[$0] }
            let ys = stride(from: 1, to: p.count, by: 2).map { p[$0] }
            let x0 = xs.min()!
            let y0 = ys.min()!
            return Box(x: x0, y: y0, width: xs.max()! - x0 + 1, height: ys.max()! - y0 + 1)
        case .mask(let x, let y, let w, let h, let runs):
            guard let b = TraXRegion.maskBounds(x: x, y: y, width: w, height: h, runs: runs) else {
                throw TraXError.unusableRegion("the initial mask has no foreground pixel")
            }
            return Box(x: Double(b.x), y: Double(b.y), width: Double(b.width), height: Double(b.height))
        case .special(let code):
            throw TraXError.unusableRegion("the initial region is the special code \(code), not a target")
        }
    }
}
