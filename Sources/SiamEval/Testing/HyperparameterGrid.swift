// Mirrors pysot tools/hp_search.py: its `start,stop,step` ranges (numpy.arange) and the tracker
// folder it names after each setting (`<model>_r<ins>_pk-<pk>_wi-<wi>_lr-<lr>`)
import Foundation
import SiamRPN

/// The grid of tracking hyperparameters `siamrpn hp-search` runs, one tracker folder per point.
public struct HyperparameterGrid: Sendable {
    public var penaltyK: [Double]
    public var windowInfluence: [Double]
    public var lr: [Double]
    public var instanceSize: [Int]

    public init(penaltyK: [Double], windowInfluence: [Double], lr: [Double], instanceSize: [Int]) {
        self.penaltyK = penaltyK
        self.windowInfluence = windowInfluence
        self.lr = lr
        self.instanceSize = instanceSize
    }

    /// Every setting, penalty_k outermost, then window_influence, lr, instance size (pysot's loop
    /// order, without its random shuffles).
    public var points: [TrackHyperparameters] {
        penaltyK.flatMap { pk in
            windowInfluence.flatMap { wi in
                lr.flatMap { lr in instanceSize.map { TrackHyperparameters(penaltyK: pk, windowInfluence: wi, lr: lr, instanceSize: $0) } }
            }
        }
    }

    /// `numpy.arange(start, stop, step)` of a `start,stop,step` argument: `ceil((stop - start) / step)`
    /// values `start + i * delta` with `delta = (start + step) - start` (numpy fills the array from
    /// its first two values), with numpy's float rounding: `0.05,0.5,0.05` gives 9 values
    /// (0.05 ... 0.45, the third 0.15000000000000002), `0.35,0.5,0.05` gives 4 (the last
    /// 0.49999999999999994); a single number is a one-value range.
    public static func range(_ text: String, option: String) throws -> [Double] {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        if parts.count == 1, let v = parts[0] { return [v] }
        guard parts.count == 3, let start = parts[0], let stop = parts[1], let step = parts[2], step != 0, step.isFinite else {
            throw DatasetError("--\(option) \(text): expected start,stop,step (numpy.arange) or one number")
        }
        let count = Int(max(0, ((stop - start) / step).rounded(.up)))
        guard count >= 1, count <= 100_000 else { throw DatasetError("--\(option) \(text): gives \(count) values") }
        // numpy fills an arange from its first two values: delta = (start + step) - start.
        let delta = (start + step) - start
        return (0..<count).map { start + Double($0) * delta }
    }

    /// The integer form (`--search_region`), `numpy.arange` on integers.
    public static func intRange(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        if parts.count == 1, let v = parts[0] { return [v] }
        guard parts.count == 3, let start = parts[0], let stop = parts[1], let step = parts[2], step != 0 else {
            throw DatasetError("--\(option) \(text): expected integers start,stop,step (numpy.arange) or one number")
        }
        let values = Array(stride(from: start, to: stop, by: step))
        guard !values.isEmpty else { throw DatasetError("--\(option) \(text): gives no values") }
        return values
    }

    /// pysot's folder name for a setting: `<model>_r255_pk-0.050_wi-0.100_lr-0.350`.
    public static func trackerName(model: String, _ h: TrackHyperparameters) -> String {
        "\(model)_r\(h.instanceSize)_pk-\(PythonFormat.fixed(h.penaltyK, 3))_wi-\(PythonFormat.fixed(h.windowInfluence, 3))_lr-\(PythonFormat.fixed(h.lr, 3))"
    }
}
