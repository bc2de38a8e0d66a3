/// Simple annotation drawing: filled and outlined rectangles and bitmap text. Coordinates are
/// pixels, 0-based, x = column (to the right), y = row (down). Everything is clipped to the image;
/// nothing traps on shapes partly or wholly outside it. These are for looking at results, not
/// pixel-exact copies of OpenCV's anti-aliased drawing.
extension Image {
    /// Fills the pixels with `x0...x1`, `y0...y1` (inclusive, either order) with `color`.
    public mutating func fillRectangle(x0: Int, y0: Int, x1: Int, y1: Int, color: Color) {
        let left = max(0, min(x0, x1))
        let right = min(width - 1, max(x0, x1))
        let top = max(0, min(y0, y1))
        let bottom = min(height - 1, max(y0, y1))
        guard left <= right, top <= bottom else { return }
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            for y in top...bottom {
                var i = (y * w + left) * 3
                for _ in left...right {
                    p[i] = color.b
                    p[i + 1] = color.g
                    p[i + 2] = color.r
                    i += 3
                }
            }
        }
    }

    /// Draws the outline of a box the way pysot's demo calls
    /// `cv2.rectangle(img, (x, y), (x + width, y + height), color, thickness)`: the edges run
    /// along columns `x` and `x + width` and rows `y` and `y + height`, and a line `thickness`
    /// pixels wide is centred on each edge (it covers `edge - (thickness - 1) / 2` through
    /// `edge + thickness / 2`). `thickness` below 1 draws nothing.
    public mutating func drawRectangle(x: Int, y: Int, width: Int, height: Int, color: Color, thickness: Int = 3) {
        guard thickness >= 1 else { return }
        let left = min(x, x + width)
        let right = max(x, x + width)
        let top = min(y, y + height)
        let bottom = max(y, y + height)
        let before = (thickness - 1) / 2
        let after = thickness / 2
        fillRectangle(x0: left - before, y0: top - before, x1: right + after, y1: top + after, color: color)
        fillRectangle(x0: left - before, y0: bottom - before, x1: right + after, y1: bottom + after, color: color)
        fillRectangle(x0: left - before, y0: top - before, x1: left + after, y1: bottom + after, color: color)
        fillRectangle(x0: right - before, y0: top - before, x1: right + after, y1: bottom + after, color: color)
    }

    /// Writes `text` with the built-in 5x7 bitmap font, its top-left corner at `(x, y)`.
    ///
    /// Each glyph cell is `6 * scale` pixels wide (5 + 1 spacing) and `8 * scale` high (7 + 1); a
    /// newline starts a new line at `x`. Digits, letters (lower case is drawn as upper case),
    /// space and `. : / # - , % ( ) [ ] @ = _ + ?` are built in; other characters draw as `?`.
    /// With `background`, the text's bounding box plus `scale` pixels around it is filled first,
    /// which keeps it readable over busy frames.
    public mutating func drawText(
        _ text: String, x: Int, y: Int, color: Color, scale: Int = 2,
        background: Color? = nil
    ) {
        guard scale >= 1 else { return }
        if let background {
            let size = Self.textSize(text, scale: scale)
            fillRectangle(
                x0: x - scale, y0: y - scale, x1: x + size.width + scale - 1,
                y1: y + size.height + scale - 1, color: background)
        }
        var penX = x
        var penY = y
        for character in text {
            if character == "\n" {
                penX = x
                penY += BitmapFont.lineHeight * scale
                continue
            }
            let rows = BitmapFont.glyph(for: character)
            for (row, bits) in rows.enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - column)) != 0 {
                    let px = penX + column * scale
                    let py = penY + row * scale
                    fillRectangle(x0: px, y0: py, x1: px + scale - 1, y1: py + scale - 1, color: color)
                }
            }
            penX += BitmapFont.advance * scale
        }
    }

    /// The size in pixels `drawText` covers for `text` at `scale` (without the background margin):
    /// the widest line times 6 * scale minus the trailing spacing, by 8 * scale per line minus
    /// the spacing under the last.
    public static func textSize(_ text: String, scale: Int = 2) -> ImageSize {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let longest = lines.map(\.count).max() ?? 0
        let width = longest == 0 ? 0 : (longest * BitmapFont.advance - 1) * scale
        let height = (lines.count * BitmapFont.lineHeight - 1) * scale
        return ImageSize(width: width, height: height)
    }
}
