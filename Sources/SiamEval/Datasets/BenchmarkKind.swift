// Mirrors pysot toolkit/datasets/__init__.py (DatasetFactory: which dataset class a name picks) and
// tools/test.py / tools/eval.py (which protocol each class is run and scored with)
import Foundation

/// The benchmark family a dataset name selects, as pysot's `DatasetFactory` decides it: a name
/// containing `OTB`, `UAV` or `NFS` is that family (so `OTB15` is any OTB-layout collection);
/// `LaSOT`, `GOT-10k`, `TrackingNet`, `VOT2016`...`VOT2019` and `VOT2018-LT` must be exact.
public enum BenchmarkKind: Sendable, Equatable {
    case otb, uav, nfs, lasot, got10k, trackingNet
    /// VOT short-term with its year's EAO interval: `VOT2016`, `VOT2017`, `VOT2018`, `VOT2019`.
    case vot(String)
    case votLongTerm

    /// The names accepted besides those containing OTB / UAV / NFS.
    public static let exactNames = ["LaSOT", "GOT-10k", "TrackingNet", "VOT2016", "VOT2017", "VOT2018", "VOT2019", "VOT2018-LT"]

    /// The family of `datasetName`, tested in pysot's order (`OTB` first, then `LaSOT`, `UAV`, `NFS`,
    /// the VOT years, `VOT2018-LT`, `TrackingNet`, `GOT-10k`). Throws for any other name.
    /// (pysot's test.py runs VOT2017 as one-pass; its eval.py scores it as VOT, and so do we.)
    public init(datasetName name: String) throws {
        if name.contains("OTB") {
            self = .otb
        } else if name == "LaSOT" {
            self = .lasot
        } else if name.contains("UAV") {
            self = .uav
        } else if name.contains("NFS") {
            self = .nfs
        } else if ["VOT2016", "VOT2017", "VOT2018", "VOT2019"].contains(name) {
            self = .vot(name)
        } else if name == "VOT2018-LT" {
            self = .votLongTerm
        } else if name == "TrackingNet" {
            self = .trackingNet
        } else if name == "GOT-10k" {
            self = .got10k
        } else {
            throw DatasetError(
                "unknown dataset name '\(name)': a name containing OTB, UAV or NFS (one-pass on that layout), or one of "
                    + Self.exactNames.joined(separator: ", "))
        }
    }

    /// How videos of this family are tracked and scored.
    public var evaluationProtocol: EvaluationProtocol {
        switch self {
        case .otb, .uav, .nfs, .lasot, .got10k, .trackingNet: return .onePass
        case .vot: return .vot
        case .votLongTerm: return .votLongTerm
        }
    }
}

/// pysot's three protocols; the raw value is the `protocol` key of `siamrpn eval --format json`.
public enum EvaluationProtocol: String, Sendable {
    /// One-pass evaluation (OPE): initialise on frame 1, never re-initialise.
    case onePass = "ope"
    /// VOT's supervised reset protocol: re-initialise 5 frames after a failure (zero overlap).
    case vot = "vot"
    /// VOT long-term: one pass, with a confidence per frame.
    case votLongTerm = "vot-lt"
}

/// A dataset that cannot be read: the message names the video and the file.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
