import Foundation
import SiamEval
import Testing

@testable import SiamRPN

/// `hp-search`'s ranges are numpy.arange's and its tracker folders are named as pysot's hp_search.py
/// names them.
struct HyperparameterGridTests {
    /// numpy 1.24 `np.arange(start, stop, step)`: lengths and values (repr) printed by numpy.
    @Test func rangesAreNumpyArange() throws {
        let cases: [(String, Int, [String], String)] = [
            ("0.3,0.5,0.1", 2, ["0.3", "0.4"], "0.4"),
            ("0.1,0.3,0.1", 2, ["0.1", "0.2"], "0.2"),
            ("0.05,0.5,0.05", 9, ["0.05", "0.1", "0.15000000000000002"], "0.45"),
            ("0.35,0.5,0.05", 4, ["0.35", "0.39999999999999997", "0.44999999999999996"], "0.49999999999999994"),
            ("0.1,0.8,0.05", 14, ["0.1", "0.15000000000000002", "0.20000000000000004"], "0.7500000000000002")
        ]
        for (text, count, first, last) in cases {
            let values = try HyperparameterGrid.range(text, option: "lr")
            #expect(values.count == count, "\(text)")
            #expect(values.prefix(3).map(PythonFormat.repr) == first, "\(text)")
            #expect(values.last.map(PythonFormat.repr) == last, "\(text)")
        }
        #expect(try HyperparameterGrid.range("0.44", option: "lr") == [0.44])
        #expect(try HyperparameterGrid.intRange("255,256,8", option: "search_region") == [255])
        #expect(try HyperparameterGrid.intRange("247,272,8", option: "search_region") == [247, 255, 263, 271])
        for bad in ["1,2", "a,b,c", "0.1,0.2,0", "0.5,0.1,0.1"] {
            #expect(throws: DatasetError.self) { try HyperparameterGrid.range(bad, option: "lr") }
        }
    }

    @Test func gridRunsPenaltyOutermostAndNamesFoldersAsPysot() {
        let grid = HyperparameterGrid(penaltyK: [0.05, 0.1], windowInfluence: [0.4], lr: [0.35, 0.39999999999999997], instanceSize: [255])
        let points = grid.points
        #expect(points.count == 4)
        #expect(points.map(\.penaltyK) == [0.05, 0.05, 0.1, 0.1])
        // '_r{}'.format(ins) + '_pk-{:.3f}'.format(pk) + '_wi-{:.3f}'.format(wi) + '_lr-{:.3f}'.format(lr)
        #expect(HyperparameterGrid.trackerName(model: "model", points[1]) == "model_r255_pk-0.050_wi-0.400_lr-0.400")
    }
}
