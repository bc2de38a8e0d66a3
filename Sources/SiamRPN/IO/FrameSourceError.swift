/// Why a `FrameSource` could not be opened or could not deliver its next frame. Each
/// description is one sentence saying what went wrong and what to do. (Images in a folder that
/// fail to decode throw the decoder's `ImageError`, which names the file.)
public enum FrameSourceError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Neither a file nor a folder exists at the path.
    case pathNotFound(String)
    /// The folder holds no .jpg, .jpeg or .png file.
    case noImages(folder: String)
    /// ffmpeg/ffprobe cannot open the video (or webcam): `reason` is their own message.
    case unreadableVideo(path: String, reason: String)
    /// `ffmpeg` or `ffprobe` is not on the search path.
    case toolNotInstalled(String)
    /// Frame `index` (0-based) has a different size from the frames before it.
    case frameSizeChanged(source: String, index: Int, expected: ImageSize, found: ImageSize)
    /// The decoder's output ended partway through frame `index` (0-based).
    case truncatedFrame(source: String, index: Int, bytes: Int, expected: Int)
    /// ffmpeg failed after delivering `framesRead` frames; `reason` is its stderr.
    case decoderFailed(source: String, framesRead: Int, reason: String)
    /// The video ended after `framesRead` frames although its container declares `declared`.
    case endedEarly(source: String, framesRead: Int, declared: Int, decoderMessage: String)

    public var description: String {
        switch self {
        case .pathNotFound(let path):
            return "no such video file or image folder: \(path)"
        case .noImages(let folder):
            return "folder \(folder) contains no images (files ending in .jpg, .jpeg or .png)"
        case .unreadableVideo(let path, let reason):
            return "cannot read video \(path): \(reason.isEmpty ? "ffmpeg found no video stream in it" : reason)"
        case .toolNotInstalled(let tool):
            return FFmpegTools.notInstalledMessage(tool)
        case .frameSizeChanged(let source, let index, let expected, let found):
            return
                "frame \(index) of \(source) is \(found) but the frames before it are \(expected); every frame of a sequence must have the same size"
        case .truncatedFrame(let source, let index, let bytes, let expected):
            return "the decoded video \(source) ended in the middle of frame \(index) (\(bytes) of \(expected) bytes); the file is probably truncated"
        case .decoderFailed(let source, let framesRead, let reason):
            return "ffmpeg failed while decoding \(source) after \(framesRead) frames: \(reason.isEmpty ? "no message" : reason)"
        case .endedEarly(let source, let framesRead, let declared, let message):
            return "video \(source) ended after \(framesRead) of the \(declared) frames its container declares; the file is probably truncated"
                + (message.isEmpty ? "" : " (ffmpeg: \(message))")
        }
    }
}
