import Foundation
import SiamEval
import Testing

@testable import SiamRPN

/// `votOverlap` equals pysot's region.c `vot_overlap` exactly on 101 recorded calls (boxes,
/// polygons, rotated, degenerate, outside the image; 3 bound variants; both argument orders)
/// (Tests/Fixtures/README.md section 22).
struct VOTOverlapTests {
    @Test func everyRecordedCallMatchesPysotExactlyInBothArgumentOrders() throws {
        let root = try EvalFixtures.json("vot_overlap/cases.json")
        let cases = try #require(root["cases"]?.array)
        #expect(cases.count == 101)
        var compared = 0
        var mismatches: [String] = []
        for c in cases {
            let name = c["name"]!.string!
            let a = c["a"]!.doubles
            let b = c["b"]!.doubles
            let variants = c["bounds_variants"]!.array!
            let expected = c["overlap"]!.doubles
            let swapped = c["overlap_swapped_args"]!.doubles
            for (j, v) in variants.enumerated() {
                let bounds: (width: Double, height: Double)? = v == .null ? nil : (v.doubles[0], v.doubles[1])
                let ours = votOverlap(a, b, bounds: bounds)
                let oursSwapped = votOverlap(b, a, bounds: bounds)
                if !sameValue(ours, expected[j]) { mismatches.append("\(name)[\(j)]: \(ours) vs pysot \(expected[j])") }
                if !sameValue(oursSwapped, swapped[j]) { mismatches.append("\(name)[\(j)] swapped: \(oursSwapped) vs pysot \(swapped[j])") }
                #expect(Double(Float(ours)) == ours || ours.isNaN, "\(name): not a float32 value")
                compared += 2
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(compared): \(mismatches.prefix(20).joined(separator: "; "))")
        #expect(compared > 2 * 101)
    }

    @Test func regionsOfLengthOneGiveNaN() throws {
        let root = try EvalFixtures.json("vot_overlap/cases.json")
        let cases = try #require(root["length_one_inputs_give_nan"]?.array)
        #expect(cases.count == 3)
        for c in cases {
            #expect(c["overlap"]!.double.isNaN)
            #expect(votOverlap(c["a"]!.doubles, c["b"]!.doubles).isNaN)
            #expect(votOverlap(c["a"]!.doubles, c["b"]!.doubles, bounds: (100, 80)).isNaN)
        }
    }

    /// Our one departure from region.c (which would allocate any window): an unbounded call whose
    /// raster window exceeds 2^28 pixels gives NaN; the same boxes bounded by an image are computed.
    @Test func unboundedWindowsBeyond2To28PixelsGiveNaNInsteadOfAllocating() {
        #expect(votOverlap([0, 0, 1e5, 1e5], [10, 10, 1e5, 1e5]).isNaN)
        let bounded = votOverlap([0, 0, 1e5, 1e5], [10, 10, 1e5, 1e5], bounds: (100, 80))
        // In the image both are clipped to columns 0...100 / 10...100, rows 0...80 / 10...80.
        #expect(bounded == Double(Float(91 * 71) / Float(101 * 81)))
    }
}
