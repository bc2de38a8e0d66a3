/// An 8-bit, 3-channel image in OpenCV's layout: **BGR** channel order, row-major **HWC**, no row
/// padding. The sample of channel `c` (0 = blue, 1 = green, 2 = red) at column `x`, row `y`
/// (0-based, origin top-left) is `pixels[(y * width + x) * 3 + c]`.
///
/// This is exactly what `cv2.imread(path)` / `cv2.VideoCapture.read()` return as a NumPy array of
/// shape `(height, width, 3)`, and what pysot feeds to its crops. A value type: copies are
/// independent (copy-on-write storage).
public struct Image: Sendable, Hashable {
    /// Width in pixels (number of columns).
    public let width: Int
    /// Height in pixels (number of rows).
    public let height: Int
    /// `width * height * 3` bytes, BGR, row-major HWC.
    public internal(set) var pixels: [UInt8]

    /// A BGR colour (each channel 0...255).
    public struct Color: Sendable, Hashable {
        public var b: UInt8
        public var g: UInt8
        public var r: UInt8

        public init(b: UInt8, g: UInt8, r: UInt8) {
            self.b = b
            self.g = g
            self.r = r
        }

        public static let black = Color(b: 0, g: 0, r: 0)
        public static let white = Color(b: 255, g: 255, r: 255)
        public static let red = Color(b: 0, g: 0, r: 255)
        /// pysot's demo box colour, `(0, 255, 0)` in BGR.
        public static let green = Color(b: 0, g: 255, r: 0)
        public static let blue = Color(b: 255, g: 0, r: 0)
        public static let yellow = Color(b: 0, g: 255, r: 255)
    }

    /// Wraps existing BGR bytes. `pixels.count` must be `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "Image size must be non-negative")
        precondition(
            pixels.count == width * height * 3,
            "Image \(width)x\(height) needs \(width * height * 3) BGR bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled with one colour (black by default).
    public init(width: Int, height: Int, color: Color = .black) {
        precondition(width >= 0 && height >= 0, "Image size must be non-negative")
        self.width = width
        self.height = height
        if color == .black {
            pixels = [UInt8](repeating: 0, count: width * height * 3)
        } else {
            var p = [UInt8](repeating: 0, count: width * height * 3)
            for i in stride(from: 0, to: p.count, by: 3) {
                p[i] = color.b
                p[i + 1] = color.g
                p[i + 2] = color.r
            }
            pixels = p
        }
    }

    /// Width and height in pixels.
    public var size: ImageSize { ImageSize(width: width, height: height) }

    /// Whether `(x, y)` (0-based column, row) lies inside the image.
    @inlinable
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    /// The pixel at column `x`, row `y` (0-based, origin top-left). Traps when out of bounds.
    public subscript(x: Int, y: Int) -> Color {
        get {
            precondition(contains(x: x, y: y), "pixel (\(x), \(y)) is outside the \(width)x\(height) image")
            let i = (y * width + x) * 3
            return Color(b: pixels[i], g: pixels[i + 1], r: pixels[i + 2])
        }
        set {
            precondition(contains(x: x, y: y), "pixel (\(x), \(y)) is outside the \(width)x\(height) image")
            let i = (y * width + x) * 3
            pixels[i] = newValue.b
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.r
        }
    }

    /// Gives `body` mutable access to the BGR bytes (row-major HWC, `width * height * 3` of them).
    public mutating func withUnsafeMutablePixels<R>(
        _ body: (UnsafeMutableBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        try pixels.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Per-channel mean `[b, g, r]` over all pixels, as float64 — numpy's
    /// `np.mean(img, axis=(0, 1))`, which pysot uses as `channel_average` to pad crops.
    ///
    /// The sums are accumulated exactly in integers (they stay far below 2^53, so numpy's pairwise
    /// float64 summation is exact too, whatever its order) and divided once in float64, so the
    /// result equals numpy's bit for bit. An empty image gives NaNs, as numpy does.
    public func channelMeans() -> [Double] {
        var sums: (UInt64, UInt64, UInt64) = (0, 0, 0)
        pixels.withUnsafeBufferPointer { p in
            var i = 0
            // Partial sums over 4096 pixels fit easily in UInt32 (at most 4096 * 255).
            while i < p.count {
                let end = min(p.count, i + 3 * 4096)
                var b: UInt32 = 0
                var g: UInt32 = 0
                var r: UInt32 = 0
                while i < end {
                    b &+= UInt32(p[i])
                    g &+= UInt32(p[i + 1])
                    r &+= UInt32(p[i + 2])
                    i += 3
                }
                sums.0 += UInt64(b)
                sums.1 += UInt64(g)
                sums.2 += UInt64(r)
            }
        }
        let n = Double(width * height)
        return [Double(sums.0) / n, Double(sums.1) / n, Double(sums.2) / n]
    }
}

/// A width and height in pixels.
public struct ImageSize: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// `"480x360"` (width x height).
    public var description: String { "\(width)x\(height)" }
}
