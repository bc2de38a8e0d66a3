import CPNG
import Foundation

/// PNG decoding and encoding through libpng (the C helpers in `Sources/CPNG/shim.h` keep libpng's
/// longjmp error handling inside C).
///
/// Decoding follows `cv2.imread(path)` (IMREAD_COLOR): 8-bit gray, gray+alpha, RGB, RGBA and
/// palette images of any bit depth become BGR8; 16-bit samples keep their high byte (libpng's
/// `png_set_strip_16`, as OpenCV); alpha and tRNS transparency are dropped without compositing;
/// gray is replicated to three channels; interlaced images are de-interlaced.
enum PNGCodec {
    static func decode(_ bytes: UnsafeRawBufferPointer, source: String) throws -> Image {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw ImageError.notAnImage(source: source, firstBytes: [])
        }
        var pixels: UnsafeMutablePointer<UInt8>? = nil
        var width: UInt32 = 0
        var height: UInt32 = 0
        var message = [CChar](repeating: 0, count: Int(SIAM_PNG_MESSAGE_SIZE))
        let status = message.withUnsafeMutableBufferPointer { m in
            siam_png_decode_bgr(
                base.assumingMemoryBound(to: UInt8.self), bytes.count, UInt64(Image.maxPixels),
                &pixels, &width, &height, m.baseAddress)
        }
        defer { free(pixels) }
        let reason = cString(message)
        switch Int(status) {
        case Int(SIAM_PNG_OK):
            guard let pixels else { throw ImageError.corrupt(source: source, format: "PNG", reason: "no pixels") }
            let w = Int(width)
            let h = Int(height)
            let copy = [UInt8](UnsafeBufferPointer(start: pixels, count: w * h * 3))
            return Image(width: w, height: h, pixels: copy)
        case Int(SIAM_PNG_TOO_LARGE):
            let (w, h) = headerSize(bytes) ?? (0, 0)
            throw ImageError.tooLarge(source: source, width: w, height: h)
        default:
            throw ImageError.corrupt(source: source, format: "PNG", reason: reason.isEmpty ? "libpng failed" : reason)
        }
    }

    /// Encodes as an 8-bit RGB PNG (no alpha). `compressionLevel` is zlib's 0 (none) ... 9 (smallest).
    static func encode(_ image: Image, compressionLevel: Int) throws -> Data {
        guard (0...9).contains(compressionLevel) else {
            throw ImageError.encodingFailed(format: "PNG", reason: "compression level must be in 0...9, got \(compressionLevel)")
        }
        guard image.width > 0, image.height > 0 else {
            throw ImageError.encodingFailed(format: "PNG", reason: "cannot encode an empty \(image.size) image")
        }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: Int(SIAM_PNG_MESSAGE_SIZE))
        let status = image.pixels.withUnsafeBufferPointer { p in
            message.withUnsafeMutableBufferPointer { m in
                siam_png_encode_bgr(
                    p.baseAddress, UInt32(image.width), UInt32(image.height),
                    Int32(compressionLevel), &output, &size, m.baseAddress)
            }
        }
        defer { free(output) }
        guard Int(status) == Int(SIAM_PNG_OK), let output else {
            throw ImageError.encodingFailed(format: "PNG", reason: cString(message))
        }
        return Data(bytes: output, count: size)
    }

    /// The NUL-terminated text in a C message buffer.
    private static func cString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Width and height from the IHDR chunk (bytes 16..<24), for error messages.
    private static func headerSize(_ bytes: UnsafeRawBufferPointer) -> (Int, Int)? {
        guard bytes.count >= 24 else { return nil }
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 << 8 | Int(bytes[at + $1]) } }
        return (u32(16), u32(20))
    }
}
