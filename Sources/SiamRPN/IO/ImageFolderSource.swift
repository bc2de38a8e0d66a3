import Foundation

/// The images of a folder as a frame sequence: files ending in `.jpg`, `.jpeg` or `.png`
/// (case-insensitive, hidden files skipped), decoded with `Image.load` (cv2.imread's pixels).
///
/// Order follows pysot's demo, `sorted(images, key=lambda x: int(x.split('/')[-1].split('.')[0]))`:
/// when every file name starts with a number before its first dot (`1.jpg`, `0001.jpg`,
/// `10.png`), frames are ordered by that number (ties by name). Otherwise names are compared
/// naturally — runs of digits by value, everything else character by character — so
/// `img2.jpg` comes before `img10.jpg`.
public final class ImageFolderSource: FrameSource {
    /// The folder.
    public let folder: URL
    /// The image files in frame order.
    public let files: [URL]
    public let name: String
    public let frameSize: ImageSize
    public var frameCount: Int? { files.count }
    /// How many frames `next()` has returned.
    public private(set) var framesRead = 0
    /// Whether an image that decodes only with a warning (a truncated JPEG) is an error.
    public let strict: Bool
    private var first: Image?
    private var warnings: [String] = []

    /// Lists and orders the folder's images and decodes the first (for `frameSize`).
    ///
    /// - Throws: `FrameSourceError.pathNotFound` (no such folder), `.noImages`, or the first
    ///   image's `ImageError`.
    public init(folder: URL, strict: Bool = false) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FrameSourceError.pathNotFound(folder.path)
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw FrameSourceError.pathNotFound(folder.path)
        }
        let ordered = Self.frameOrder(names.filter(Self.isImageName))
        guard !ordered.isEmpty else { throw FrameSourceError.noImages(folder: folder.path) }
        self.folder = folder
        self.strict = strict
        files = ordered.map { folder.appendingPathComponent($0) }
        name = FrameSources.sequenceName(folder)
        var warnings: [String] = []
        let image = try Self.load(files[0], index: 0, strict: strict, warnings: &warnings)
        first = image
        frameSize = image.size
        self.warnings = warnings
    }

    /// Whether `folder` exists and holds at least one image file.
    static func hasImages(_ folder: URL) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).contains(where: isImageName)
    }

    private static func isImageName(_ name: String) -> Bool {
        !name.hasPrefix(".") && ImageFormat(pathExtension: (name as NSString).pathExtension) != nil
    }

    private static func load(_ file: URL, index: Int, strict: Bool, warnings: inout [String]) throws -> Image {
        let (image, warning) = try Image.loadReportingWarning(contentsOf: file, strict: strict)
        if let warning {
            warnings.append("frame \(index) (\(file.path)) is damaged and decoded only partly: \(warning)")
        }
        return image
    }

    public func takeWarnings() -> [String] {
        defer { warnings = [] }
        return warnings
    }

    /// The next image, or nil after the last.
    ///
    /// - Throws: the file's `ImageError`, or `FrameSourceError.frameSizeChanged` when its size
    ///   differs from the first image's.
    public func next() throws -> Image? {
        guard framesRead < files.count else { return nil }
        let image: Image
        if framesRead == 0, let first {
            image = first
            self.first = nil
        } else {
            image = try Self.load(files[framesRead], index: framesRead, strict: strict, warnings: &warnings)
        }
        guard image.size == frameSize else {
            throw FrameSourceError.frameSizeChanged(
                source: files[framesRead].path, index: framesRead,
                expected: frameSize, found: image.size)
        }
        framesRead += 1
        return image
    }

    /// `names` in frame order (see the type's documentation).
    public static func frameOrder(_ names: [String]) -> [String] {
        let numbers = names.map { name -> Int? in
            let stem = name.split(separator: ".", omittingEmptySubsequences: false).first ?? ""
            return !stem.isEmpty && stem.allSatisfy({ $0.isASCII && $0.isNumber }) ? Int(stem) : nil
        }
        if numbers.allSatisfy({ $0 != nil }) {
            return zip(names, numbers).sorted { a, b in
                a.1! != b.1! ? a.1! < b.1! : a.0 < b.0
            }.map(\.0)
        }
        return names.sorted { naturalLess($0, $1) }
    }

    /// Natural order: digit runs compare by value (then shorter first, so "01" after "1"),
    /// other characters by Unicode scalar value.
    static func naturalLess(_ a: String, _ b: String) -> Bool {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        var i = 0
        var j = 0
        func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 48 && s.value <= 57 }
        while i < x.count && j < y.count {
            if isDigit(x[i]) && isDigit(y[j]) {
                let si = i
                let sj = j
                while i < x.count && isDigit(x[i]) { i += 1 }
                while j < y.count && isDigit(y[j]) { j += 1 }
                let da = x[si..<i].drop { $0 == "0" }
                let db = y[sj..<j].drop { $0 == "0" }
                if da.count != db.count { return da.count < db.count }
                for (p, q) in zip(da, db) where p != q { return p.value < q.value }
                if i - si != j - sj { return i - si < j - sj }
            } else {
                if x[i] != y[j] { return x[i].value < y[j].value }
                i += 1
                j += 1
            }
        }
        return x.count - i < y.count - j
    }
}
