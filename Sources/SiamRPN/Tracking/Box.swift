/// An axis-aligned box in image pixels: top-left corner `(x, y)` (0-based) and size, as in
/// pysot's `[x, y, w, h]` results and ground-truth files.
public struct Box: Sendable, Equatable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The box centred at `(cx, cy)`.
    public init(centerX cx: Double, centerY cy: Double, width: Double, height: Double) {
        self.init(x: cx - width / 2, y: cy - height / 2, width: width, height: height)
    }

    public var description: String { "\(x),\(y),\(width),\(height)" }

    /// Intersection over union (no +1 on widths; 0 for empty boxes).
    public func iou(_ other: Box) -> Double {
        let ix = max(0, min(x + width, other.x + other.width) - max(x, other.x))
        let iy = max(0, min(y + height, other.y + other.height) - max(y, other.y))
        let inter = ix * iy
        let union = width * height + other.width * other.height - inter
        return union > 0 ? inter / union : 0
    }
}
