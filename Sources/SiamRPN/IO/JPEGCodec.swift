import CTurboJPEG
import Foundation

/// JPEG decoding and encoding through libjpeg-turbo's TurboJPEG API.
///
/// Decoding reproduces `cv2.imread(path)` (OpenCV 4.6 on Debian 12, which decodes with the same
/// libjpeg-turbo 2.1.5) byte for byte: TurboJPEG with flags 0 runs libjpeg's defaults, the
/// accurate integer IDCT (JDCT_ISLOW) and fancy (triangle-filter) chroma upsampling, and converts
/// YCbCr to BGR straight into the output (TJPF_BGR = JCS_EXT_BGR, as OpenCV asks libjpeg for).
/// Grayscale JPEGs are expanded to three equal channels by libjpeg, as in OpenCV; CMYK/YCCK JPEGs
/// are decoded to CMYK and converted with OpenCV's own formula. The EXIF orientation is applied
/// afterwards, as `imread` does without IMREAD_IGNORE_ORIENTATION.
enum JPEGCodec {
    /// Decoder flags. 0 = libjpeg defaults (ISLOW IDCT, fancy upsampling); see the type comment.
    static let decodeFlags: Int32 = 0

    /// Decodes JPEG bytes to a BGR image.
    ///
    /// - Parameter strict: when false (the default, cv2's behaviour), data that libjpeg can finish
    ///   with a warning is accepted: a file truncated inside the image data decodes with the
    ///   missing blocks mid-grey, extraneous bytes are skipped. When true such warnings are errors.
    /// - Parameter flags: TurboJPEG flags; tests only (other values break parity with OpenCV).
    /// - Parameter warning: set to libjpeg's warning when the image decoded with one (non-strict).
    static func decode(
        _ bytes: UnsafeRawBufferPointer, source: String, strict: Bool,
        flags baseFlags: Int32 = decodeFlags
    ) throws -> Image {
        var warning: String?
        return try decode(bytes, source: source, strict: strict, flags: baseFlags, warning: &warning)
    }

    static func decode(
        _ bytes: UnsafeRawBufferPointer, source: String, strict: Bool,
        flags baseFlags: Int32 = decodeFlags, warning: inout String?
    ) throws -> Image {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw ImageError.notAnImage(source: source, firstBytes: [])
        }
        let jpeg = base.assumingMemoryBound(to: UInt8.self)
        guard let handle = tjInitDecompress() else {
            throw ImageError.corrupt(source: source, format: "JPEG", reason: "cannot create a TurboJPEG decoder")
        }
        defer { tjDestroy(handle) }

        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        if tjDecompressHeader3(handle, jpeg, UInt(bytes.count), &width, &height, &subsampling, &colorspace) != 0 {
            throw ImageError.corrupt(source: source, format: "JPEG", reason: message(handle))
        }
        // A stream cut before its frame header "succeeds" with a 0x0 size (libjpeg treats the end
        // of data as an end-of-image marker).
        guard width > 0, height > 0 else {
            throw ImageError.corrupt(
                source: source, format: "JPEG",
                reason: "the data ends before the image header (no frame size found)")
        }
        guard Int(width) * Int(height) <= Image.maxPixels else {
            throw ImageError.tooLarge(source: source, width: Int(width), height: Int(height))
        }
        let w = Int(width)
        let h = Int(height)
        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let flags = baseFlags | (strict ? TJFLAG_STOPONWARNING : 0)

        var image: Image
        if isCMYK {
            var cmyk = [UInt8](repeating: 0, count: w * h * 4)
            let status = cmyk.withUnsafeMutableBufferPointer { out in
                tjDecompress2(
                    handle, jpeg, UInt(bytes.count), out.baseAddress, width, 0, height,
                    Int32(TJPF_CMYK.rawValue), flags)
            }
            warning = try check(status, handle: handle, source: source, strict: strict)
            image = Image(width: w, height: h, pixels: cmykToBGR(cmyk))
        } else {
            var bgr = [UInt8](repeating: 0, count: w * h * 3)
            let status = bgr.withUnsafeMutableBufferPointer { out in
                tjDecompress2(
                    handle, jpeg, UInt(bytes.count), out.baseAddress, width, 0, height,
                    Int32(TJPF_BGR.rawValue), flags)
            }
            warning = try check(status, handle: handle, source: source, strict: strict)
            image = Image(width: w, height: h, pixels: bgr)
        }
        if let orientation = ExifOrientation(jpeg: bytes) {
            image = image.applying(orientation)
        }
        return image
    }

    /// Chroma subsampling of an encoded JPEG.
    enum Subsampling {
        case s420, s422, s444, gray

        var turboJPEG: Int32 {
            switch self {
            case .s420: return Int32(TJSAMP_420.rawValue)
            case .s422: return Int32(TJSAMP_422.rawValue)
            case .s444: return Int32(TJSAMP_444.rawValue)
            case .gray: return Int32(TJSAMP_GRAY.rawValue)
            }
        }
    }

    /// Encodes BGR pixels as a baseline JPEG with 4:2:0 chroma subsampling (by default), ISLOW
    /// forward DCT and standard Huffman tables — what `cv2.imwrite` does by default. `quality` is
    /// 1...100 (cv2's default is 95). `.gray` stores the luma only.
    static func encode(_ image: Image, quality: Int, subsampling: Subsampling = .s420) throws -> Data {
        guard (1...100).contains(quality) else {
            throw ImageError.encodingFailed(format: "JPEG", reason: "quality must be in 1...100, got \(quality)")
        }
        guard image.width > 0, image.height > 0 else {
            throw ImageError.encodingFailed(format: "JPEG", reason: "cannot encode an empty \(image.size) image")
        }
        guard let handle = tjInitCompress() else {
            throw ImageError.encodingFailed(format: "JPEG", reason: "cannot create a TurboJPEG encoder")
        }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { p in
            tjCompress2(
                handle, p.baseAddress, Int32(image.width), 0, Int32(image.height),
                Int32(TJPF_BGR.rawValue), &output, &size, subsampling.turboJPEG,
                Int32(quality), TJFLAG_ACCURATEDCT)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else {
            throw ImageError.encodingFailed(format: "JPEG", reason: message(handle))
        }
        return Data(bytes: output, count: Int(size))
    }

    /// Nil on success; libjpeg's warning text when the image decoded with a warning.
    private static func check(_ status: Int32, handle: tjhandle, source: String, strict: Bool) throws -> String? {
        if status == 0 { return nil }
        // Without TJFLAG_STOPONWARNING a warning still returns -1 but leaves a complete image,
        // exactly the image OpenCV returns (it ignores libjpeg warnings too).
        if !strict && tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) { return message(handle) }
        throw ImageError.corrupt(source: source, format: "JPEG", reason: message(handle))
    }

    private static func message(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: text)
    }

    /// OpenCV's `icvCvt_CMYK2BGR_8u_C4C3R`: `c' = k - ((255 - c) * k >> 8)`, likewise for m and y,
    /// then B = y', G = m', R = c' (libjpeg returns Adobe's inverted CMYK as stored).
    static func cmykToBGR(_ cmyk: [UInt8]) -> [UInt8] {
        let n = cmyk.count / 4
        var bgr = [UInt8](repeating: 0, count: n * 3)
        for i in 0..<n {
            let c = Int(cmyk[4 * i])
            let m = Int(cmyk[4 * i + 1])
            let y = Int(cmyk[4 * i + 2])
            let k = Int(cmyk[4 * i + 3])
            bgr[3 * i] = UInt8(truncatingIfNeeded: k - ((255 - y) * k >> 8))
            bgr[3 * i + 1] = UInt8(truncatingIfNeeded: k - ((255 - m) * k >> 8))
            bgr[3 * i + 2] = UInt8(truncatingIfNeeded: k - ((255 - c) * k >> 8))
        }
        return bgr
    }
}
