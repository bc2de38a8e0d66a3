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
    /// Frames per second of a video (its container's average rate); nil for image folders and
    /// when the container does not say.
    var frameRate: Double? { get }
    /// The next frame, or nil after the last one.
    func next() throws -> Image?
    /// Problems noticed since the last call that did not stop the source (a JPEG decoded with a
    /// warning, a video that ended before its declared frame count), one sentence each; cleared
    /// by the call.
    func takeWarnings() -> [String]
}

/// Opens frame sources from a command-line argument.
public enum FrameSources {
    /// Opens `argument` the way pysot's demo interprets `--video_name`:
    /// - an existing folder: its images, in frame-number order (`ImageFolderSource`), or those of
    ///   its `img/` or `color/` sub-folder (a benchmark sequence folder);
    /// - an existing file: a video decoded by ffmpeg (`FFmpegFrameSource`);
    /// - `""` or a camera number such as `"0"` that is not an existing path: that webcam.
    ///
    /// `strict` turns decoding warnings (a truncated JPEG, a video shorter than its container
    /// says) into errors.
    ///
    /// - Throws: `FrameSourceError` (`pathNotFound`, `noImages`, `unreadableVideo`,
    ///   `toolNotInstalled`), or the `ImageError` of a folder's first image.
    public static func open(_ argument: String, strict: Bool = false, tools: FFmpegTools = FFmpegTools()) throws -> any FrameSource {
        if argument.isEmpty { return try FFmpegFrameSource(webcam: 0, tools: tools) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            let url = URL(fileURLWithPath: argument)
            guard isDirectory.boolValue else { return try FFmpegFrameSource(video: url, strict: strict, tools: tools) }
            return try ImageFolderSource(folder: sequenceFrameFolder(url), strict: strict)
        }
        if argument.allSatisfy(\.isASCII) && argument.allSatisfy(\.isNumber), let index = Int(argument) {
            return try FFmpegFrameSource(webcam: index, tools: tools)
        }
        throw FrameSourceError.pathNotFound(argument)
    }

    /// Sub-folders that benchmark layouts keep a sequence's frames in: OTB, LaSOT, UAV123 and the
    /// copies here use `img/`, VOT2018+ `color/`.
    static let frameSubfolders = ["img", "color"]

    /// The folder holding a sequence's frames: `folder` itself when it has images, else its
    /// `img/` or `color/` sub-folder when that has them (so `Dog/` and `Dog/img/` both work).
    static func sequenceFrameFolder(_ folder: URL) -> URL {
        if ImageFolderSource.hasImages(folder) { return folder }
        for name in frameSubfolders {
            let sub = folder.appendingPathComponent(name, isDirectory: true)
            if ImageFolderSource.hasImages(sub) { return sub }
        }
        return folder
    }

    /// pysot's sequence name for a path: the last component up to its first dot
    /// (`video_name.split('/')[-1].split('.')[0]`), or the whole component if that is empty. A
    /// frame folder named `img` or `color` takes its parent's name (`Dog/img` is "Dog").
    static func sequenceName(_ url: URL) -> String {
        let standardized = url.standardizedFileURL
        let last = standardized.lastPathComponent
        if frameSubfolders.contains(last) {
            let parent = standardized.deletingLastPathComponent().lastPathComponent
            if !parent.isEmpty && parent != "/" { return parent }
        }
        let stem = last.split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return stem.isEmpty ? last : stem
    }
}

extension FrameSource {
    public var frameRate: Double? { nil }
    public func takeWarnings() -> [String] { [] }
}
