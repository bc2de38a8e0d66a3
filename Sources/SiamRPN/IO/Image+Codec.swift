import Foundation

/// The image file formats this package reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg
    case png

    /// The format whose signature starts `bytes` (JPEG: `FF D8 FF`; PNG: `89 'PNG' 0D 0A 1A 0A`),
    /// or nil.
    public init?<Bytes: Collection>(signature bytes: Bytes) where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(8))
        if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF {
            self = .jpeg
        } else if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            self = .png
        } else {
            return nil
        }
    }

    /// The format a file name's extension names: `.png`, `.jpg` or `.jpeg`, case-insensitive.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "jpg", "jpeg": self = .jpeg
        case "png": self = .png
        default: return nil
        }
    }

    /// Names of other image formats recognised by signature, for a helpful error.
    static func otherFormatName(_ head: [UInt8]) -> String? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + prefix.count && Array(head[offset..<(offset + prefix.count)]) == prefix
        }
        let ascii = { (s: String) in Array(s.utf8) }
        if starts(ascii("BM")) { return "BMP" }
        if starts(ascii("GIF87a")) || starts(ascii("GIF89a")) { return "GIF" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "TIFF" }
        if starts(ascii("RIFF")) && starts(ascii("WEBP"), at: 8) { return "WebP" }
        if starts([0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || starts([0xFF, 0x4F, 0xFF, 0x51]) { return "JPEG 2000" }
        if starts(ascii("ftypheic"), at: 4) || starts(ascii("ftypheix"), at: 4) || starts(ascii("ftypmif1"), at: 4) { return "HEIF" }
        if starts(ascii("ftypavif"), at: 4) { return "AVIF" }
        if head.count >= 3 && head[0] == 0x50 && (0x31...0x36).contains(head[1])
            && [0x20, 0x09, 0x0A, 0x0D].contains(head[2])
        {
            return "PNM"
        }
        return nil
    }
}

extension Image {
    /// The largest image (width x height) the decoders accept, as OpenCV's `CV_IO_MAX_IMAGE_PIXELS`
    /// default (2^30); larger headers are rejected before any allocation.
    public static let maxPixels = 1 << 30

    /// Decodes JPEG or PNG bytes (chosen by their signature, not by any name) to BGR8, giving the
    /// pixels `cv2.imdecode(buf, cv2.IMREAD_COLOR)` gives.
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - strict: JPEG only. When false (cv2's behaviour), data libjpeg finishes with a warning
    ///     decodes anyway (a file cut inside the scan data comes out with its missing part
    ///     mid-grey); when true such files throw `ImageError.corrupt`.
    ///   - source: the name used in error messages.
    /// - Throws: `ImageError` (`notAnImage`, `unsupportedFormat`, `corrupt`, `tooLarge`).
    public static func decode(_ data: Data, strict: Bool = false, source: String = "<memory>") throws -> Image {
        try decodeReportingWarning(data, strict: strict, source: source).image
    }

    /// `decode`, also returning the decoder's warning when the data decoded with one (a JPEG
    /// cut inside its scan data, extraneous bytes): what `strict` would have refused.
    public static func decodeReportingWarning(
        _ data: Data, strict: Bool = false,
        source: String = "<memory>"
    ) throws -> (image: Image, warning: String?) {
        try data.withUnsafeBytes { bytes in
            switch ImageFormat(signature: bytes) {
            case .jpeg:
                var warning: String?
                let image = try JPEGCodec.decode(bytes, source: source, strict: strict, warning: &warning)
                return (image, warning)
            case .png:
                return (try PNGCodec.decode(bytes, source: source), nil)
            case nil:
                let head = Array(bytes.prefix(16))
                if let name = ImageFormat.otherFormatName(head) {
                    throw ImageError.unsupportedFormat(source: source, format: name)
                }
                throw ImageError.notAnImage(source: source, firstBytes: Array(head.prefix(8)))
            }
        }
    }

    /// Reads and decodes a JPEG or PNG file (format chosen by content) — `cv2.imread(path)`:
    /// BGR8, EXIF orientation applied to JPEGs, grayscale expanded to three channels.
    ///
    /// - Throws: `ImageError` (`fileNotFound`, `unreadable`, and the decoding errors of
    ///   `decode(_:strict:source:)`).
    public static func load(contentsOf url: URL, strict: Bool = false) throws -> Image {
        try loadReportingWarning(contentsOf: url, strict: strict).image
    }

    /// `load`, also returning the decoder's warning (see `decodeReportingWarning`).
    public static func loadReportingWarning(contentsOf url: URL, strict: Bool = false) throws -> (image: Image, warning: String?) {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageError.fileNotFound(path: path)
        }
        if isDirectory.boolValue {
            throw ImageError.unreadable(path: path, reason: "it is a folder, not a file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ImageError.unreadable(path: path, reason: describeFileError(error))
        }
        return try decodeReportingWarning(data, strict: strict, source: path)
    }

    /// JPEG bytes: baseline, 4:2:0, `quality` 1...100 (95 is cv2.imwrite's default).
    public func jpegData(quality: Int = 95) throws -> Data {
        try JPEGCodec.encode(self, quality: quality)
    }

    /// Lossless 8-bit RGB PNG bytes; `compressionLevel` is zlib's 0...9.
    public func pngData(compressionLevel: Int = 6) throws -> Data {
        try PNGCodec.encode(self, compressionLevel: compressionLevel)
    }

    /// Encodes the image in the format the file name's extension names (`.png`, `.jpg`,
    /// `.jpeg`, case-insensitive) and writes it atomically, replacing any existing file.
    ///
    /// - Parameters:
    ///   - url: the file to write; its extension picks the format.
    ///   - jpegQuality: used for JPEG only (1...100, default 95 like cv2.imwrite).
    /// - Throws: `ImageError` (`unsupportedExtension`, `encodingFailed`, `writeFailed`).
    public func write(to url: URL, jpegQuality: Int = 95) throws {
        guard let format = ImageFormat(pathExtension: url.pathExtension) else {
            throw ImageError.unsupportedExtension(path: url.path)
        }
        let data: Data
        switch format {
        case .jpeg: data = try jpegData(quality: jpegQuality)
        case .png: data = try pngData()
        }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ImageError.writeFailed(path: url.path, reason: describeFileError(error))
        }
    }
}
