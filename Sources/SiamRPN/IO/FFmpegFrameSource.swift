import Foundation

/// Frames of a video file or webcam, decoded by an `ffmpeg` subprocess that writes raw `bgr24`
/// frames (BGR8, row-major HWC, exactly `width * height * 3` bytes each) to a pipe.
///
/// For files this reproduces `cv2.VideoCapture(path).read()` (OpenCV's FFmpeg backend): on
/// pysot's demo/bag.avi (XVID) the 48 reference frames of the shared fixture set match byte for
/// byte (the tests check the 9 in Tests/Fixtures/frames, section 2) with Debian 12's ffmpeg 5.1 (libavcodec 59.37, the same as OpenCV 4.6's). No extra options are
/// needed for that: ffmpeg's default yuv420p -> bgr24 conversion is the one OpenCV's
/// `sws_scale` call performs. The one option that matters is `-fps_mode passthrough`: without it
/// ffmpeg's raw output duplicates or drops frames of variable-frame-rate videos to a constant
/// rate, whereas VideoCapture returns every decoded frame once. Like VideoCapture, ffmpeg applies
/// a display-rotation tag; `frameSize` is the rotated size.
///
/// If a video's frame size changes mid-stream, ffmpeg scales the later frames to the first size
/// (VideoCapture would return them at their own size); such videos are rare in tracking data.
///
/// The subprocess is stopped and reaped by `close()` or when the source is deallocated, so
/// abandoning a source early leaves nothing running.
public final class FFmpegFrameSource: FrameSource {
    /// What ffmpeg reads.
    public enum Input: Sendable, Hashable {
        /// A video file (any container and codec ffmpeg decodes).
        case file(URL)
        /// Camera `index`: `/dev/video<index>` through video4linux2 on Linux, AVFoundation device
        /// `index` on macOS.
        case webcam(index: Int)
    }

    public let input: Input
    public let name: String
    public let frameSize: ImageSize
    public let frameCount: Int?
    public let frameRate: Double?
    /// The frame count the container declares (`nb_frames`, or its duration times its frame
    /// rate); nil when it declares neither. A video that ends before it is reported.
    public let declaredFrameCount: Int?
    /// Whether a video that ends before `declaredFrameCount`, or that ffmpeg decodes with errors,
    /// is an error (otherwise a warning).
    public let strict: Bool
    /// How many frames `next()` has returned.
    public private(set) var framesRead = 0
    /// The full ffmpeg command line this source runs (for logs).
    public let commandLine: [String]

    private var process: Subprocess?
    private let frameBytes: Int
    private var warnings: [String] = []

    /// Opens a video file.
    ///
    /// - Throws: `FrameSourceError.pathNotFound`, `.toolNotInstalled`, `.unreadableVideo`.
    public convenience init(video url: URL, strict: Bool = false, tools: FFmpegTools = FFmpegTools()) throws {
        try self.init(input: .file(url), strict: strict, tools: tools)
    }

    /// Opens webcam `index` (default 0, pysot's `cv2.VideoCapture(0)`). pysot's demo discards the
    /// first 5 frames as warm-up; callers that want the same should do so.
    public convenience init(webcam index: Int = 0, tools: FFmpegTools = FFmpegTools()) throws {
        try self.init(input: .webcam(index: index), tools: tools)
    }

    public init(input: Input, strict: Bool = false, tools: FFmpegTools = FFmpegTools()) throws {
        self.input = input
        self.strict = strict
        let label: String
        switch input {
        case .file(let url):
            label = url.path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw FrameSourceError.pathNotFound(url.path)
            }
            if isDirectory.boolValue {
                throw FrameSourceError.unreadableVideo(path: url.path, reason: "it is a folder (open it with ImageFolderSource)")
            }
            name = FrameSources.sequenceName(url)
        case .webcam(let index):
            label = Self.deviceName(index)
            name = "webcam"
        }
        guard let ffmpeg = tools.executable("ffmpeg") else { throw FrameSourceError.toolNotInstalled("ffmpeg") }
        guard let ffprobe = tools.executable("ffprobe") else { throw FrameSourceError.toolNotInstalled("ffprobe") }

        let probe: Subprocess.Result
        do {
            probe = try Subprocess.run(ffprobe, Self.probeArguments(for: input))
        } catch {
            throw FrameSourceError.unreadableVideo(path: label, reason: "cannot run \(ffprobe.path): \(error)")
        }
        guard probe.status == 0, let info = Self.parseProbe(probe.stdout) else {
            throw FrameSourceError.unreadableVideo(path: label, reason: Self.lastLines(probe.stderr))
        }
        frameSize = info.size
        frameBytes = info.size.width * info.size.height * 3
        frameRate = info.frameRate
        declaredFrameCount =
            info.frameCount
            ?? info.duration.flatMap { d in
                info.frameRate.map { Int((d * $0).rounded()) }
            }.flatMap { $0 > 0 ? $0 : nil }
        if let count = info.frameCount {
            frameCount = count
        } else if case .file = input {
            frameCount = Self.countPackets(ffprobe: ffprobe, input: input)
        } else {
            frameCount = nil
        }

        let arguments = Self.decodeArguments(for: input, passthrough: FFmpegTools.passthroughOptions(for: FFmpegTools.version(of: ffmpeg)))
        commandLine = [ffmpeg.path] + arguments
        do {
            process = try Subprocess(ffmpeg, arguments, pipeStdin: false, pipeStdout: true)
        } catch {
            throw FrameSourceError.unreadableVideo(path: label, reason: "cannot run \(ffmpeg.path): \(error)")
        }
    }

    deinit { process?.close() }

    /// Stops the decoder now (it is also stopped when the source is deallocated); `next()`
    /// returns nil afterwards.
    public func close() {
        process?.close()
        process = nil
    }

    /// The next frame, or nil after the last.
    ///
    /// - Throws: `FrameSourceError.unreadableVideo` (ffmpeg failed before the first frame),
    ///   `.decoderFailed` (it failed later), `.truncatedFrame` (its output ended mid-frame).
    public func next() throws -> Image? {
        guard let process else { return nil }
        var pixels = [UInt8](repeating: 0, count: frameBytes)
        let got: Int
        do {
            got = try pixels.withUnsafeMutableBytes { try process.readFully(into: $0) }
        } catch let error as SubprocessError {
            close()
            throw FrameSourceError.decoderFailed(source: label, framesRead: framesRead, reason: error.message)
        }
        if got == frameBytes {
            framesRead += 1
            return Image(width: frameSize.width, height: frameSize.height, pixels: pixels)
        }
        let status = process.waitForExit()
        let stderr = Self.lastLines(process.stderrText())
        close()
        if got > 0 {
            throw FrameSourceError.truncatedFrame(source: label, index: framesRead, bytes: got, expected: frameBytes)
        }
        if status != 0 {
            if framesRead == 0 { throw FrameSourceError.unreadableVideo(path: label, reason: stderr) }
            throw FrameSourceError.decoderFailed(source: label, framesRead: framesRead, reason: stderr)
        }
        if let declared = declaredFrameCount, framesRead < declared {
            let problem = FrameSourceError.endedEarly(
                source: label, framesRead: framesRead, declared: declared,
                decoderMessage: stderr)
            if strict { throw problem }
            warnings.append(problem.description)
        } else if !stderr.isEmpty {
            if strict { throw FrameSourceError.decoderFailed(source: label, framesRead: framesRead, reason: stderr) }
            warnings.append("ffmpeg reported problems while decoding \(label): \(stderr)")
        }
        return nil
    }

    public func takeWarnings() -> [String] {
        defer { warnings = [] }
        return warnings
    }

    /// The decoder's process id while it runs (tests check it is reaped).
    var processIdentifier: Int32? { process?.processIdentifier }

    private var label: String {
        switch input {
        case .file(let url): return url.path
        case .webcam(let index): return Self.deviceName(index)
        }
    }

    // MARK: command lines

    static func deviceName(_ index: Int) -> String {
        #if os(macOS)
            return "AVFoundation camera \(index)"
        #else
            return "/dev/video\(index)"
        #endif
    }

    /// ffmpeg's input options for `input`. Files are passed as `file:<path>` so that names
    /// containing ':' are never taken for a protocol.
    static func inputArguments(for input: Input) -> [String] {
        switch input {
        case .file(let url):
            return ["-i", "file:" + url.path]
        case .webcam(let index):
            #if os(macOS)
                return ["-f", "avfoundation", "-framerate", "30", "-i", "\(index):none"]
            #else
                return ["-f", "v4l2", "-i", "/dev/video\(index)"]
            #endif
        }
    }

    /// `ffprobe` arguments that print the first video stream's width, height, frame count and
    /// rotation as JSON.
    public static func probeArguments(for input: Input) -> [String] {
        ["-v", "error"] + inputArguments(for: input) + [
            "-select_streams", "v:0",
            "-show_entries",
            "stream=width,height,nb_frames,avg_frame_rate,r_frame_rate:stream_side_data=rotation:stream_tags=rotate:format=duration",
            "-of", "json"
        ]
    }

    /// `ffmpeg` arguments that decode the first video stream to raw bgr24 frames on stdout.
    /// `passthrough` is the option that keeps every decoded frame exactly once
    /// (`["-fps_mode", "passthrough"]` on ffmpeg >= 5.1).
    public static func decodeArguments(for input: Input, passthrough: [String] = ["-fps_mode", "passthrough"]) -> [String] {
        ["-hide_banner", "-v", "error", "-nostdin"] + inputArguments(for: input)
            + ["-map", "0:v:0"] + passthrough
            + ["-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"]
    }

    struct ProbeInfo: Equatable {
        var size: ImageSize
        var frameCount: Int?
        /// `avg_frame_rate` (else `r_frame_rate`), frames per second.
        var frameRate: Double? = nil
        /// The container's duration in seconds.
        var duration: Double? = nil
    }

    /// Reads ffprobe's JSON: width and height (swapped for a +-90 degree rotation, which ffmpeg
    /// applies when decoding), and `nb_frames` when the container records it.
    static func parseProbe(_ json: Data) -> ProbeInfo? {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let streams = root["streams"] as? [[String: Any]], let stream = streams.first,
            let width = stream["width"] as? Int, let height = stream["height"] as? Int,
            width > 0, height > 0
        else { return nil }
        var rotation = 0
        if let sideData = stream["side_data_list"] as? [[String: Any]] {
            for entry in sideData {
                if let r = entry["rotation"] as? Int { rotation = r } else if let r = entry["rotation"] as? Double { rotation = Int(r.rounded()) }
            }
        }
        if rotation == 0, let tags = stream["tags"] as? [String: Any], let r = (tags["rotate"] as? String).flatMap({ Int($0) }) {
            rotation = r
        }
        let quarterTurn = ((rotation % 180) + 180) % 180 == 90
        let size = quarterTurn ? ImageSize(width: height, height: width) : ImageSize(width: width, height: height)
        let count = (stream["nb_frames"] as? String).flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        let rate = rational(stream["avg_frame_rate"]) ?? rational(stream["r_frame_rate"])
        let duration = ((root["format"] as? [String: Any])?["duration"] as? String).flatMap(Double.init)
            .flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        return ProbeInfo(size: size, frameCount: count, frameRate: rate, duration: duration)
    }

    /// ffprobe's "num/den" rate as a positive number; nil for "0/0" and anything else.
    static func rational(_ value: Any?) -> Double? {
        guard let text = value as? String else { return nil }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let n = Double(parts[0]), let d = Double(parts[1]), n > 0, d > 0 else { return nil }
        let rate = n / d
        return rate.isFinite && rate < 10_000 ? rate : nil
    }

    /// The packet count of the first video stream (demuxing only, no decoding), used as the
    /// frame count for containers without one; nil if ffprobe cannot tell.
    static func countPackets(ffprobe: URL, input: Input) -> Int? {
        let arguments =
            ["-v", "error"] + inputArguments(for: input)
            + ["-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0"]
        guard let result = try? Subprocess.run(ffprobe, arguments), result.status == 0 else { return nil }
        let text = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int(text.split(separator: ",").first ?? "").flatMap { $0 > 0 ? $0 : nil }
    }

    /// The last few lines of a tool's stderr, joined into one line for an error message.
    static func lastLines(_ text: String, count: Int = 3) -> String {
        text.split(whereSeparator: \.isNewline).suffix(count).joined(separator: "; ")
    }
}
