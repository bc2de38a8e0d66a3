// The width and height of a JPEG or PNG file from its header (what cv2.imread's result shape would be),
// so the data pipeline can plan an item's geometry without decoding its pixels
import Foundation
import SiamRPN

/// `(width, height)` from a JPEG's first SOF marker or a PNG's IHDR; other files are decoded.
///
/// - Throws: `TrainingDataError` naming the file when it cannot be read or holds no size.
package func imageSize(of url: URL) throws -> (width: Int, height: Int) {
    guard let handle = FileHandle(forReadingAtPath: url.path) else {
        throw TrainingDataError("\(url.path): cannot open the crop (is the dataset ROOT right?)")
    }
    defer { try? handle.close() }
    let head = [UInt8](handle.readData(ofLength: 65536))
    if head.count >= 24, head[0] == 0x89, head[1] == 0x50, head[2] == 0x4E, head[3] == 0x47 {
        func be32(_ o: Int) -> Int { Int(head[o]) << 24 | Int(head[o + 1]) << 16 | Int(head[o + 2]) << 8 | Int(head[o + 3]) }
        return (be32(16), be32(20))
    }
    if head.count >= 4, head[0] == 0xFF, head[1] == 0xD8 {
        var i = 2
        while i + 9 < head.count {
            guard head[i] == 0xFF else { break }
            let marker = head[i + 1]
            if marker == 0xFF {
                i += 1
                continue
            }
            let length = Int(head[i + 2]) << 8 | Int(head[i + 3])
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                let h = Int(head[i + 5]) << 8 | Int(head[i + 6])
                let w = Int(head[i + 7]) << 8 | Int(head[i + 8])
                return (w, h)
            }
            i += 2 + length
        }
    }
    let image = try Image.load(contentsOf: url)
    return (image.width, image.height)
}
