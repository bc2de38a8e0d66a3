import Foundation

/// A sequence of BGR8 frames of one size, read one at a time: a video file or webcam decoded by
/// ffmpeg (`FFmpegFrameSource`) or a folder of images (`ImageFolderSource`) — the three inputs
/// pysot's `tools/demo.py` accepts.
///
/// ```swift
/// let source = try FrameSources.open("demo/bag.avi")
/// while let frame = try source.next() { ... }
/// ```
public protocol FrameSource: AnyObject {
    /// A short name for logs and result files: pysot's `video_name.split('/')[-1].split('.')[0]`
    /// ("bag" for demo/bag.avi), the folder's name, or "webcam".
    var name: String { get }
    /// The size of every frame, in pixels.
    var frameSize: ImageSize { get }
    /// The number of frames when known in advance (for progress and ETA); nil for a webcam or a
    /// video whose container does not say.
    var frameCount: Int? { get }
    /// The next frame, or nil after the last one.
    func next() throws -> Image?
}

/// Opens frame sources from a command-line argument.
public enum FrameSources {
    /// Opens `argument` the way pysot's demo interprets `--video_name`:
    /// - an existing folder: its images, in frame-number order (`ImageFolderSource`);
    /// - an existing file: a video decoded by ffmpeg (`FFmpegFrameSource`);
    /// - `""` or a camera number such as `"0"` that is not an existing path: that webcam.
    ///
    /// - Throws: `FrameSourceError` (`pathNotFound`, `noImages`, `unreadableVideo`,
    ///   `toolNotInstalled`), or the `ImageError` of a folder's first image.
    public static func open(_ argument: String, tools: FFmpegTools = FFmpegTools()) throws -> any FrameSource {
        if argument.isEmpty { return try FFmpegFrameSource(webcam: 0, tools: tools) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            let url = URL(fileURLWithPath: argument)
            return isDirectory.boolValue ? try ImageFolderSource(folder: url)
                                         : try FFmpegFrameSource(video: url, tools: tools)
        }
        if argument.allSatisfy(\.isASCII) && argument.allSatisfy(\.isNumber), let index = Int(argument) {
            return try FFmpegFrameSource(webcam: index, tools: tools)
        }
        throw FrameSourceError.pathNotFound(argument)
    }

    /// pysot's sequence name for a path: the last component up to its first dot
    /// (`video_name.split('/')[-1].split('.')[0]`), or the whole component if that is empty.
    static func sequenceName(_ url: URL) -> String {
        let last = url.standardizedFileURL.lastPathComponent
        let stem = last.split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return stem.isEmpty ? last : stem
    }
}
