import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// Anchors and cosine windows must be pysot's exactly (Tests/Fixtures/README.md section 5): a single
/// swapped index or an off-by-one hanning changes every chosen box.
struct AnchorTests {
    @Test(arguments: [25, 21, 17, 97])
    func anchorsEqualPysotGenerateAnchorBitForBit(scoreSize: Int) throws {
        let truth = try NumPyArray(contentsOf: Fixtures.url("anchors/anchors_s\(scoreSize).npy"))
        let a = Anchors(stride: 8, ratios: [0.33, 0.5, 1, 2, 3], scales: [8], scoreSize: scoreSize)
        #expect(truth.shape == [a.count, 4])
        #expect(a.values.map(\.bitPattern) == truth.floats().map(\.bitPattern))
    }

    @Test func baseAnchorShapesUsePythonIntTruncation() {
        let a = Anchors(stride: 8, ratios: [0.33, 0.5, 1, 2, 3], scales: [8], scoreSize: 1)
        let shapes: [[Float]] = (0..<5).map { (i: Int) -> [Float] in [a.values[4 * i + 2], a.values[4 * i + 3]] }
        let expected: [[Float]] = [[104, 32], [88, 40], [64, 64], [40, 80], [32, 96]]
        #expect(shapes == expected)
    }

    @Test(arguments: [25, 21, 17, 97])
    func cosineWindowEqualsNumpyHanningOuterTiled(scoreSize: Int) throws {
        let truth = try NumPyArray(contentsOf: Fixtures.url("anchors/window_s\(scoreSize).npy")).doubles()
        let w = cosineWindow(scoreSize: scoreSize, anchorCount: 5)
        #expect(w.count == truth.count)
        let worst = zip(w, truth).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-15, "max difference \(worst)")
        #expect(w.first == 0 && w[scoreSize * scoreSize - 1] == 0)
    }
}
