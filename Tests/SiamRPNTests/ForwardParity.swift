import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// The forward-parity checks every fixture network suite runs against numbers pysot computed
/// (Tests/Fixtures/README.md sections 3 and 21, `models_extra/README.md`).
///
/// * `cls` / `loc` against the float64 truth (`cls_f64.npy`, `loc_f64.npy`, NCHW):
///   every element within |a - t| <= 1e-4 + 1e-4 |t|.
/// * every tensor of `intermediates.json` (`tensors.<name>.f64`: `shape`, `sample_idx` /
///   `samples` (flat C-order indices and their values), `sum`, `sum_sq`, `min`, `max`), looked up
///   by name in the template graph, then the search graph: each sample, the min and the max
///   within 1e-4 * max|t| (t = the truth's min / max); the sum within 1e-4 of
///   max(|sum|, 1e-2 * sqrt(n * sum_sq)); the sum of squares within 1e-4 relative.
enum ForwardParity {
    /// The worst element of a cls/loc comparison.
    struct OutputError {
        /// max |a - t|.
        var maxAbs: Double
        /// max |a - t| / (1e-4 + 1e-4 |t|): below 1 passes.
        var maxToTolerance: Double
    }

    /// A `[1, 3, H, W]` crop (uint8 or float32 `.npy`) as the network's input tensor.
    static func crop(_ path: String) throws -> Tensor {
        try NumPyArray(contentsOf: Fixtures.url(path)).tensor()
    }

    /// Runs `net` on the crops and records an issue for every cls/loc element outside
    /// |a - t| <= 1e-4 + 1e-4 |t| of `<truth>/cls_f64.npy` / `loc_f64.npy`.
    ///
    /// - Parameters:
    ///   - z, x: fixture-relative paths of the template (127) and search crops.
    ///   - truth: fixture-relative folder of the float64 outputs.
    /// - Returns: the worst error of cls and of loc (for reports).
    @discardableResult
    static func expectClsAndLocMatch(
        _ net: SiamRPNModel, z: String, x: String, truth: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (cls: OutputError, loc: OutputError) {
        let template = try net.templateFeatures(try crop(z))
        let (cls, loc) = try net.track(try crop(x), template: template)
        var errors: [OutputError] = []
        for (name, got) in [("cls", cls), ("loc", loc)] {
            let truthArray = try NumPyArray(contentsOf: Fixtures.url("\(truth)/\(name)_f64.npy"))
            #expect(got.shape == truthArray.shape, "\(truth) \(name) shape", sourceLocation: sourceLocation)
            let t = truthArray.doubles()
            var error = OutputError(maxAbs: 0, maxToTolerance: 0)
            var failures = 0
            for i in 0..<min(t.count, got.count) {
                let err = abs(Double(got.values[i]) - t[i])
                let tolerance = 1e-4 + 1e-4 * abs(t[i])
                error.maxAbs = max(error.maxAbs, err)
                error.maxToTolerance = max(error.maxToTolerance, err / tolerance)
                if err > tolerance { failures += 1 }
            }
            #expect(
                failures == 0, "\(truth) \(name): \(failures) values outside tolerance, max abs error \(error.maxAbs)",
                sourceLocation: sourceLocation)
            errors.append(error)
        }
        return (errors[0], errors[1])
    }

    /// Runs `net` on the crops with every value kept and records an issue for each tensor of
    /// `intermediates` (a fixture-relative `intermediates.json`) that is missing or off.
    ///
    /// - Returns: the worst sample / min / max error of any tensor over its 1e-4 * max|t| tolerance.
    @discardableResult
    static func expectIntermediatesMatch(
        _ net: SiamRPNModel, z zPath: String, x xPath: String, intermediates: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Double {
        let z = try crop(zPath)
        let x = try crop(xPath)
        let tws = Workspace(plan: try Plan(graph: net.templateGraph, inputSizes: [[z.shape[2], z.shape[3]]], keepingAll: true))
        let template = net.templateFeatures(z, workspace: tws)
        let plan = try Plan(
            graph: net.searchGraph, inputSizes: [[x.shape[2], x.shape[3]]] + template.kernels.map { Array($0.shape.suffix(2)) },
            keepingAll: true)
        let sws = Workspace(plan: plan)
        _ = net.track(x, template: template, workspace: sws)

        let root = try Fixtures.json(intermediates) as! [String: Any]
        let tensors = root["tensors"] as! [String: [String: Any]]
        #expect(tensors.count > 0, sourceLocation: sourceLocation)
        var worst = 0.0
        for (name, entry) in tensors.sorted(by: { $0.key < $1.key }) {
            let truth = entry["f64"] as! [String: Any]
            let got: Tensor
            if let v = net.templateGraph.value(named: name) {
                got = tws.tensor(v)
            } else if let v = net.searchGraph.value(named: name) {
                got = sws.tensor(v)
            } else {
                Issue.record("\(intermediates): no value named \(name)", sourceLocation: sourceLocation)
                continue
            }
            let shape = truth["shape"] as! [Int]
            #expect(got.shape == shape, "\(name) shape", sourceLocation: sourceLocation)
            guard got.shape == shape else { continue }
            let maxAbs = max(abs(truth["min"] as! Double), abs(truth["max"] as! Double))
            let tol = 1e-4 * maxAbs
            func check(_ value: Double, _ t: Double, _ what: String) {
                worst = max(worst, abs(value - t) / tol)
                #expect(abs(value - t) <= tol, "\(name) \(what) = \(value), pysot \(t)", sourceLocation: sourceLocation)
            }
            for (i, t) in zip(truth["sample_idx"] as! [Int], truth["samples"] as! [Double]) {
                check(Double(got.values[i]), t, "[\(i)]")
            }
            check(Double(got.values.max()!), truth["max"] as! Double, "max")
            check(Double(got.values.min()!), truth["min"] as! Double, "min")
            let sum = got.values.reduce(0.0) { $0 + Double($1) }
            let sumSq = got.values.reduce(0.0) { $0 + Double($1) * Double($1) }
            let tSum = truth["sum"] as! Double
            let tSumSq = truth["sum_sq"] as! Double
            // relative 1e-4 of the sum, measured against the sum of magnitudes' scale (sqrt(n*sum_sq)).
            let n = Double(got.count)
            #expect(
                abs(sum - tSum) <= 1e-4 * max(abs(tSum), (n * tSumSq).squareRoot() * 1e-2), "\(name) sum \(sum) vs \(tSum)",
                sourceLocation: sourceLocation)
            #expect(abs(sumSq - tSumSq) <= 1e-4 * tSumSq, "\(name) sum_sq \(sumSq) vs \(tSumSq)", sourceLocation: sourceLocation)
        }
        return worst
    }
}
