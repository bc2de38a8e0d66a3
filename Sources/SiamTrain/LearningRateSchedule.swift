// Mirrors pysot/utils/lr_scheduler.py: LogScheduler, StepScheduler, MultiStepScheduler, LinearStepScheduler,
// CosStepScheduler, WarmUPScheduler, build_lr_scheduler (NanoTrack's copy is the same)
import Foundation
import SiamRPN

/// pysot's per-epoch learning rates: `lrSpaces[epoch]` (`get_cur_lr()`) and a parameter group's
/// `lr = lrSpaces[epoch] * initial_lr / startLR` (`get_lr()`, float64, in that order), set by
/// `lr_scheduler.step(epoch)` at the start of every epoch (and at `START_EPOCH` by `build_opt_lr`).
///
/// `TRAIN.LR` (`TYPE`, `KWARGS`) over `EPOCH - LR_WARMUP.EPOCH` epochs, preceded when
/// `LR_WARMUP.WARMUP` by `TRAIN.LR_WARMUP` over its `EPOCH` epochs; `startLR` is then the main
/// schedule's first value. Per type (pysot's defaults in brackets; unknown kwargs ignored as pysot's
/// `**kwargs` does):
/// - `log` [start 0.03, end 5e-4]: `10^linspace(log10 start, log10 end, n)` — `linspace` as numpy's
///   (`i * step + start`, the last value `end`), the power by libm `pow`. numpy's own array `power`
///   is SVML's on AVX512 builds and differs from libm by 1 ulp in about a quarter of the values (and
///   between numpy 1.24 and 2.4 on one machine), so these values match pysot's to 1-2 ulp, not bits.
/// - `step` [start 0.01, end none, step 10, mult 0.1]: with `end`, `mult = (end/start)^(1/(n//step))`
///   (or, start none, `start = end / mult^(n//step)`); `start * mult^(i//step)`.
/// - `multi-step` [start 0.01, end none, steps [10, 20, 30, 40], mult 0.5]: with `end`,
///   `mult = (end/start)^(1/len(steps))`; `lr[i] = lr[i-1] * (mult if i in steps)`, stored float32.
/// - `linear` [start 0.01, end 0.005]: `linspace(start, end, n)`.
/// - `cos` [start 0.01, end 0.005]: float32 `end + (start - end) (1 + cos(i π / n)) 0.5`, left to right (numpy's
///   float32 `cos` may differ from the platform's by 1 float32 ulp).
package struct LearningRateSchedule: Sendable, Equatable {
    /// One learning rate per epoch (float32 schedules hold float32 values).
    package var lrSpaces: [Double]
    /// The `start_lr` `get_lr` divides by.
    package var startLR: Double

    /// `build_lr_scheduler(optimizer, epochs=cfg.TRAIN.EPOCH)`.
    ///
    /// - Throws: `ConfigError.invalidValue` for an unknown `TYPE`, a kwarg of the wrong kind, or a
    ///   warm-up as long as the whole run.
    package init(train: TrainConfig, source: String = "<config>") throws {
        let epochs = train.epoch
        if train.lrWarmup.warmup {
            let warmEpochs = train.lrWarmup.epoch
            guard warmEpochs >= 0, warmEpochs < epochs else {
                throw ConfigError.invalidValue(
                    source: source, keyPath: "TRAIN.LR_WARMUP.EPOCH", found: "\(warmEpochs)",
                    expected: "0 or more epochs and fewer than TRAIN.EPOCH (\(epochs))")
            }
            let warm = try Self.single(
                type: train.lrWarmup.type, kwargs: train.lrWarmup.kwargs, epochs: warmEpochs, keyPath: "TRAIN.LR_WARMUP", source: source)
            let main = try Self.single(type: train.lr.type, kwargs: train.lr.kwargs, epochs: epochs - warmEpochs, keyPath: "TRAIN.LR", source: source)
            lrSpaces = warm.lrSpaces + main.lrSpaces
            startLR = main.lrSpaces[0]
        } else {
            self = try Self.single(type: train.lr.type, kwargs: train.lr.kwargs, epochs: epochs, keyPath: "TRAIN.LR", source: source)
        }
    }

    init(lrSpaces: [Double], startLR: Double) {
        self.lrSpaces = lrSpaces
        self.startLR = startLR
    }

    /// `get_cur_lr()` after `step(epoch)`.
    package func currentLR(epoch: Int) -> Double { lrSpaces[epoch] }

    /// A group's `lr` after `step(epoch)`: `lrSpaces[epoch] * initialLR / startLR`.
    package func groupLR(initialLR: Double, epoch: Int) -> Double { lrSpaces[epoch] * initialLR / startLR }

    /// One of `LRs[TYPE](optimizer, epochs=n, **KWARGS)`.
    static func single(type: String, kwargs: [String: ConfigValue], epochs n: Int, keyPath: String, source: String) throws
        -> LearningRateSchedule
    {
        func number(_ key: String, _ fallback: Double?) throws -> Double? {
            guard let v = kwargs[key] else { return fallback }
            if v == .null { return nil }
            guard let d = v.doubleValue else {
                throw ConfigError.invalidValue(source: source, keyPath: "\(keyPath).KWARGS.\(key)", found: "\(v)", expected: "a number")
            }
            return d
        }
        func required(_ key: String, _ fallback: Double) throws -> Double {
            guard let d = try number(key, fallback) else {
                throw ConfigError.invalidValue(source: source, keyPath: "\(keyPath).KWARGS.\(key)", found: "None", expected: "a number")
            }
            return d
        }
        guard n >= 1 else {
            throw ConfigError.invalidValue(source: source, keyPath: keyPath, found: "\(n) epochs", expected: "at least one epoch")
        }
        switch type {
        case "log":
            let start = try required("start_lr", 0.03)
            let end = try required("end_lr", 5e-4)
            let spaces = linspace(log10(start), log10(end), n).map { pow(10.0, $0) }
            return LearningRateSchedule(lrSpaces: spaces, startLR: start)
        case "step":
            var start = try number("start_lr", 0.01)
            let end = try number("end_lr", nil)
            let step =
                try kwargs["step"].map { v -> Int in
                    guard let i = v.intValue else {
                        throw ConfigError.invalidValue(source: source, keyPath: "\(keyPath).KWARGS.step", found: "\(v)", expected: "an integer")
                    }
                    return i
                } ?? 10
            var mult = try required("mult", 0.1)
            guard step >= 1, n / step >= 1 || end == nil else {
                throw ConfigError.invalidValue(
                    source: source, keyPath: "\(keyPath).KWARGS.step", found: "\(step)", expected: "1 or more, at most the schedule's \(n) epochs")
            }
            if let end {
                if let s = start {
                    mult = pow(end / s, 1.0 / Double(n / step))
                } else {
                    start = end / pow(mult, Double(n / step))
                }
            }
            guard let s = start else {
                throw ConfigError.invalidValue(source: source, keyPath: "\(keyPath).KWARGS.start_lr", found: "None", expected: "a number")
            }
            return LearningRateSchedule(lrSpaces: (0..<n).map { s * pow(mult, Double($0 / step)) }, startLR: s)
        case "multi-step":
            let start = try required("start_lr", 0.01)
            let end = try number("end_lr", nil)
            let steps: [Int]
            if let list = kwargs["steps"] {
                guard let values = list.listValue?.compactMap(\.intValue), values.count == list.listValue?.count else {
                    throw ConfigError.invalidValue(
                        source: source, keyPath: "\(keyPath).KWARGS.steps", found: "\(list)", expected: "a list of epochs (integers)")
                }
                steps = values
            } else {
                steps = [10, 20, 30, 40]
            }
            var mult = try required("mult", 0.5)
            if let end, !steps.isEmpty { mult = pow(end / start, 1.0 / Double(steps.count)) }
            var lr = [Double](repeating: start, count: n)
            for i in 1..<max(n, 1) {
                lr[i] = lr[i - 1]
                if steps.contains(i) { lr[i] *= mult }
            }
            return LearningRateSchedule(lrSpaces: lr.map { Double(Float($0)) }, startLR: start)
        case "linear":
            let start = try required("start_lr", 0.01)
            let end = try required("end_lr", 0.005)
            return LearningRateSchedule(lrSpaces: linspace(start, end, n), startLR: start)
        case "cos":
            let start = try required("start_lr", 0.01)
            let end = try required("end_lr", 0.005)
            let pi = Float(Double.pi)
            let delta = Float(start - end)
            let spaces = (0..<n).map { i -> Double in
                let angle = Float(i) * pi / Float(n)
                return Double(Float(end) + delta * (1 + cos(angle)) * 0.5)
            }
            return LearningRateSchedule(lrSpaces: spaces, startLR: start)
        default:
            throw ConfigError.invalidValue(
                source: source, keyPath: "\(keyPath).TYPE", found: "'\(type)'", expected: "one of log, step, multi-step, linear, cos")
        }
    }
}

/// numpy's `linspace(a, b, n)` (endpoint): `i * ((b - a) / (n - 1)) + a`, the last value `b`.
func linspace(_ a: Double, _ b: Double, _ n: Int) -> [Double] {
    if n == 1 { return [a] }
    let step = (b - a) / Double(n - 1)
    var y = (0..<n).map { Double($0) * step + a }
    y[n - 1] = b
    return y
}
