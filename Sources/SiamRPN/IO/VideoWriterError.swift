/// Why a `VideoWriter` could not start, accept a frame or complete its file. One sentence each.
public enum VideoWriterError: Error, CustomStringConvertible, Equatable, Sendable {
    case toolNotInstalled(String)
    case invalidSize(ImageSize)
    case invalidFrameRate(Double)
    case frameSizeMismatch(path: String, expected: ImageSize, found: ImageSize)
    case alreadyFinished(path: String)
    /// ffmpeg could not start, exited early or failed to complete the file; `reason` is its stderr.
    case encoderFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .toolNotInstalled(let tool):
            return FFmpegTools.notInstalledMessage(tool)
        case .invalidSize(let size):
            return "cannot write a video of \(size) frames: width and height must be positive"
        case .invalidFrameRate(let fps):
            return "cannot write a video at \(fps) frames per second: the rate must be a positive number"
        case .frameSizeMismatch(let path, let expected, let found):
            return "cannot add a \(found) frame to \(path), whose frames are \(expected); resize or crop it first"
        case .alreadyFinished(let path):
            return "cannot add frames to \(path): the writer is already finished"
        case .encoderFailed(let path, let reason):
            return "ffmpeg failed to write \(path): \(reason)"
        }
    }
}
