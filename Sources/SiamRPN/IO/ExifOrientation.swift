/// The EXIF orientation tag (0x0112) of a JPEG, and how `cv2.imread` undoes it.
///
/// `imread` (without IMREAD_IGNORE_ORIENTATION) reads the tag from the APP1 "Exif" segment and
/// transforms the decoded pixels so that row 0 is the visual top: values 2...8 map to the flips
/// and transposes below (OpenCV's `ExifTransform`); 1, missing or other values leave the image as
/// decoded. Camera datasets rarely carry the tag; phone photos often do.
enum ExifOrientation: Int, Sendable {
    case topLeft = 1
    case topRight, bottomRight, bottomLeft, leftTop, rightTop, rightBottom, leftBottom

    /// Finds the orientation in the first APP1 "Exif" segment before the scan data, if any.
    /// Malformed segments are ignored (nil), never trapped on.
    init?(jpeg bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var pos = 2
        while pos + 4 <= n {
            guard bytes[pos] == 0xFF else { return nil }
            let marker = bytes[pos + 1]
            if marker == 0xFF {
                pos += 1
                continue
            }  // fill byte
            if marker == 0x01 || (0xD0...0xD8).contains(marker) {
                pos += 2
                continue
            }  // no length
            if marker == 0xDA || marker == 0xD9 { return nil }  // scan data / end
            let length = Int(bytes[pos + 2]) << 8 | Int(bytes[pos + 3])  // includes itself
            guard length >= 2, pos + 2 + length <= n else { return nil }
            let start = pos + 4
            let end = pos + 2 + length
            if marker == 0xE1, end - start >= 6,
                bytes[start] == 0x45, bytes[start + 1] == 0x78, bytes[start + 2] == 0x69,
                bytes[start + 3] == 0x66, bytes[start + 4] == 0, bytes[start + 5] == 0
            {  // "Exif\0\0"
                guard let value = Self.orientationTag(tiff: UnsafeRawBufferPointer(rebasing: bytes[(start + 6)..<end])),
                    let orientation = ExifOrientation(rawValue: value)
                else { return nil }
                self = orientation
                return
            }
            pos = end
        }
        return nil
    }

    /// Reads tag 0x0112 from IFD0 of a TIFF structure ("II" or "MM" byte order).
    private static func orientationTag(tiff: UnsafeRawBufferPointer) -> Int? {
        let n = tiff.count
        guard n >= 8 else { return nil }
        let little: Bool
        if tiff[0] == 0x49 && tiff[1] == 0x49 { little = true } else if tiff[0] == 0x4D && tiff[1] == 0x4D { little = false } else { return nil }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= n else { return nil }
            return little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for i in 0..<count {
            let entry = ifd + 2 + 12 * i
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112 { return u16(entry + 8) }  // SHORT value, left-justified in the field
        }
        return nil
    }
}

extension Image {
    /// The image transformed the way OpenCV's `ExifTransform` undoes `orientation`.
    func applying(_ orientation: ExifOrientation) -> Image {
        switch orientation {
        case .topLeft: return self
        case .topRight: return flipped(horizontally: true, vertically: false)
        case .bottomRight: return flipped(horizontally: true, vertically: true)
        case .bottomLeft: return flipped(horizontally: false, vertically: true)
        case .leftTop: return transposed()
        case .rightTop: return transposed().flipped(horizontally: true, vertically: false)
        case .rightBottom: return transposed().flipped(horizontally: true, vertically: true)
        case .leftBottom: return transposed().flipped(horizontally: false, vertically: true)
        }
    }

    /// Mirror image (`cv2.flip` with 1 = horizontal, 0 = vertical, -1 = both).
    func flipped(horizontally: Bool, vertically: Bool) -> Image {
        var out = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<height {
            let sy = vertically ? height - 1 - y : y
            for x in 0..<width {
                let sx = horizontally ? width - 1 - x : x
                let d = (y * width + x) * 3
                let s = (sy * width + sx) * 3
                out[d] = pixels[s]
                out[d + 1] = pixels[s + 1]
                out[d + 2] = pixels[s + 2]
            }
        }
        return Image(width: width, height: height, pixels: out)
    }

    /// Rows become columns (`cv2.transpose`): the result is `height` wide and `width` high.
    func transposed() -> Image {
        var out = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<height {
            for x in 0..<width {
                let d = (x * height + y) * 3
                let s = (y * width + x) * 3
                out[d] = pixels[s]
                out[d + 1] = pixels[s + 1]
                out[d + 2] = pixels[s + 2]
            }
        }
        return Image(width: height, height: width, pixels: out)
    }
}
