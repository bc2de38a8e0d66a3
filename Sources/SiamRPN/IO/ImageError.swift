/// Why an image could not be read, decoded, encoded or written. `source` is the file path, or
/// `"<memory>"` for bytes decoded from memory. Every description is one sentence that says what
/// went wrong and, where there is something to do, what to do.
public enum ImageError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but cannot be read (a folder, no permission, an I/O error).
    case unreadable(path: String, reason: String)
    /// The bytes are neither JPEG nor PNG nor any other known image format (an empty file too).
    case notAnImage(source: String, firstBytes: [UInt8])
    /// A recognised image format this package does not decode (BMP, GIF, TIFF, WebP, ...).
    case unsupportedFormat(source: String, format: String)
    /// JPEG or PNG data that the decoder rejects: truncated, corrupt, or a variant it cannot
    /// handle (12-bit or lossless JPEG, ...). `reason` is the decoder's own message.
    case corrupt(source: String, format: String, reason: String)
    /// The header declares more than `Image.maxPixels` pixels (OpenCV's own limit is the same).
    case tooLarge(source: String, width: Int, height: Int)
    /// `write(to:)` was given a file name whose extension is not .png, .jpg or .jpeg.
    case unsupportedExtension(path: String)
    /// Encoding failed (the encoder's message).
    case encodingFailed(format: String, reason: String)
    /// The encoded bytes could not be written to the file.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "no such image file: \(path)"
        case .unreadable(let path, let reason):
            return "cannot read image file \(path): \(reason)"
        case .notAnImage(let source, let firstBytes):
            if firstBytes.isEmpty {
                return "\(source) is not an image: it is empty"
            }
            let hex = firstBytes.prefix(8).map { byte in
                let s = String(byte, radix: 16)
                return s.count == 1 ? "0" + s : s
            }.joined(separator: " ")
            return "\(source) is not an image: it starts with bytes \(hex), which is neither a JPEG nor a PNG signature"
        case .unsupportedFormat(let source, let format):
            return
                "\(source) is a \(format) image, but only JPEG and PNG are supported; convert it first (for example `ffmpeg -i in.\(format.lowercased()) out.png`)"
        case .corrupt(let source, let format, let reason):
            return "\(source) is a truncated or corrupt \(format) file: \(reason)"
        case .tooLarge(let source, let width, let height):
            return "\(source) declares a \(width)x\(height) image, more than the \(Image.maxPixels) pixels this decoder accepts"
        case .unsupportedExtension(let path):
            return "cannot write \(path): the file name must end in .png, .jpg or .jpeg to choose the format"
        case .encodingFailed(let format, let reason):
            return "\(format) encoding failed: \(reason)"
        case .writeFailed(let path, let reason):
            return "cannot write image file \(path): \(reason)"
        }
    }
}
