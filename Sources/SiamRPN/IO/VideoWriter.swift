import Foundation

/// Writes BGR8 frames to a video file through an `ffmpeg` subprocess: frames go down a pipe as
/// raw `bgr24` (`-f rawvideo -pix_fmt bgr24 -s WxH -r FPS -i pipe:0`) and ffmpeg encodes them.
///
/// The codec is H.264 (libx264, `-preset veryfast -crf 20`) when `ffmpeg -encoders` lists
/// libx264, else MPEG-4 Part 2 (`mpeg4 -q:v 3`); both with `-pix_fmt yuv420p`, which needs even
/// dimensions, so odd widths/heights are padded by one black column/row on the right/bottom.
/// The container follows the file's extension (.mp4, .mkv, .avi, .mov, ...); an existing file is
/// replaced.
///
/// Call `finish()` to complete the file and learn whether ffmpeg succeeded. A writer deallocated
/// without `finish()` still closes the pipe and waits, so the file is completed either way.
public final class VideoWriter {
    /// The encoder ffmpeg uses.
    public enum Codec: String, Sendable, Hashable {
        /// H.264 via libx264 (the default when available).
        case h264 = "libx264"
        /// MPEG-4 Part 2, ffmpeg's built-in encoder (always available).
        case mpeg4
    }

    public let url: URL
    public let frameSize: ImageSize
    public let fps: Double
    public let codec: Codec
    /// Frames accepted so far.
    public private(set) var framesWritten = 0
    /// The full ffmpeg command line (for logs).
    public let commandLine: [String]

    private var process: Subprocess?
    private var finished = false

    /// Starts ffmpeg for `url`.
    ///
    /// - Parameters:
    ///   - url: the video file; its extension picks the container (.mp4, .mkv, .avi, ...).
    ///   - frameSize: the size of every frame that will be written.
    ///   - fps: frames per second (> 0).
    ///   - codec: nil picks libx264 when ffmpeg has it, otherwise mpeg4.
    ///   - tools: where to find ffmpeg (default: `$PATH` and the usual install folders).
    /// - Throws: `VideoWriterError.invalidSize`, `.invalidFrameRate`, `.toolNotInstalled`,
    ///   `.encoderFailed` (the output folder does not exist, or ffmpeg cannot start).
    public init(
        url: URL, frameSize: ImageSize, fps: Double = 25, codec: Codec? = nil,
        tools: FFmpegTools = FFmpegTools()
    ) throws {
        guard frameSize.width > 0, frameSize.height > 0 else {
            throw VideoWriterError.invalidSize(frameSize)
        }
        guard fps.isFinite, fps > 0 else { throw VideoWriterError.invalidFrameRate(fps) }
        guard let ffmpeg = tools.executable("ffmpeg") else { throw VideoWriterError.toolNotInstalled("ffmpeg") }
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw VideoWriterError.encoderFailed(path: url.path, reason: "folder \(folder.path) does not exist")
        }
        self.url = url
        self.frameSize = frameSize
        self.fps = fps
        self.codec = codec ?? (FFmpegTools.hasEncoder("libx264", ffmpeg: ffmpeg) ? .h264 : .mpeg4)
        let arguments = Self.encodeArguments(output: url, frameSize: frameSize, fps: fps, codec: self.codec)
        commandLine = [ffmpeg.path] + arguments
        do {
            process = try Subprocess(ffmpeg, arguments, pipeStdin: true, pipeStdout: false)
        } catch {
            throw VideoWriterError.encoderFailed(path: url.path, reason: "cannot run \(ffmpeg.path): \(error)")
        }
    }

    deinit {
        if !finished {
            process?.closeStdin()
            process?.waitForExit()
        }
        process?.close()
    }

    /// Appends one frame.
    ///
    /// - Throws: `VideoWriterError.frameSizeMismatch`, `.alreadyFinished`, or `.encoderFailed`
    ///   (ffmpeg exited; its stderr says why).
    public func write(_ image: Image) throws {
        guard !finished, let process else { throw VideoWriterError.alreadyFinished(path: url.path) }
        guard image.size == frameSize else {
            throw VideoWriterError.frameSizeMismatch(path: url.path, expected: frameSize, found: image.size)
        }
        do {
            try image.pixels.withUnsafeBytes { try process.writeAll($0) }
        } catch let error as SubprocessError {
            finished = true
            process.closeStdin()
            process.waitForExit()
            let stderr = FFmpegFrameSource.lastLines(process.stderrText())
            throw VideoWriterError.encoderFailed(path: url.path, reason: stderr.isEmpty ? error.message : stderr)
        }
        framesWritten += 1
    }

    /// Ends the input, waits for ffmpeg to finish the file, and reports its failure if any.
    ///
    /// - Throws: `VideoWriterError.encoderFailed` with ffmpeg's stderr, or `.alreadyFinished`.
    public func finish() throws {
        guard !finished, let process else { throw VideoWriterError.alreadyFinished(path: url.path) }
        finished = true
        process.closeStdin()
        let status = process.waitForExit()
        if status != 0 {
            let stderr = FFmpegFrameSource.lastLines(process.stderrText())
            throw VideoWriterError.encoderFailed(path: url.path, reason: stderr.isEmpty ? "ffmpeg exited with status \(status)" : stderr)
        }
    }

    /// The ffmpeg arguments for writing `frameSize` bgr24 frames at `fps` to `output` with `codec`.
    public static func encodeArguments(output: URL, frameSize: ImageSize, fps: Double, codec: Codec) -> [String] {
        let rate = fps == fps.rounded() && fps < 1e9 ? String(Int(fps)) : String(fps)
        var arguments = [
            "-hide_banner", "-v", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", "\(frameSize.width)x\(frameSize.height)",
            "-r", rate, "-i", "pipe:0"
        ]
        if frameSize.width % 2 != 0 || frameSize.height % 2 != 0 {
            arguments += ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]
        }
        switch codec {
        case .h264: arguments += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20"]
        case .mpeg4: arguments += ["-c:v", "mpeg4", "-q:v", "3"]
        }
        arguments += ["-pix_fmt", "yuv420p"]
        if ["mp4", "mov", "m4v"].contains(output.pathExtension.lowercased()) {
            arguments += ["-movflags", "+faststart"]
        }
        return arguments + ["file:" + output.path]
    }
}
