// Mirrors pysot/utils/bbox.py: Corner, Center, corner2center, center2corner
import Foundation

/// A box by its corners `[x1, y1, x2, y2]` (pysot's `Corner`): 0-based continuous pixel
/// coordinates, `x2 - x1` wide. train.json stores boxes this way.
package struct Corner: Sendable, Equatable {
    package var x1: Double
    package var y1: Double
    package var x2: Double
    package var y2: Double

    package init(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// `center2corner(Center(x, y, w, h))`: `(x - w*0.5, y - h*0.5, x + w*0.5, y + h*0.5)`.
    package init(center: Center) {
        self.init(center.x - center.w * 0.5, center.y - center.h * 0.5, center.x + center.w * 0.5, center.y + center.h * 0.5)
    }

    /// `corner2center`: `((x1 + x2)*0.5, (y1 + y2)*0.5, x2 - x1, y2 - y1)`.
    package var center: Center { Center(x: (x1 + x2) * 0.5, y: (y1 + y2) * 0.5, w: x2 - x1, h: y2 - y1) }

    package var width: Double { x2 - x1 }
    package var height: Double { y2 - y1 }

    /// `[x1, y1, x2, y2]`.
    package var values: [Double] { [x1, y1, x2, y2] }
}

/// A box by its centre and size (pysot's `Center`).
package struct Center: Sendable, Equatable {
    package var x: Double
    package var y: Double
    package var w: Double
    package var h: Double

    package init(x: Double, y: Double, w: Double, h: Double) {
        self.x = x
        self.y = y
        self.w = w
        self.h = h
    }
}
