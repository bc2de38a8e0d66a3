import Foundation
import SiamNN

/// A loaded tracking network of either family this package runs — pysot's SiamRPN++ or
/// NanoTrack — with the tracker settings of its config. Stateless and shareable: each
/// `makeTracker()` gives an independent tracker on the same weights.
public enum TrackingModel: Sendable {
    case siamRPN(SiamRPNModel, PysotConfig)
    case nanoTrack(NanoTrackModel, NanoTrackConfig)

    /// Loads a config and a checkpoint; the family comes from the config (`META_ARC` /
    /// `BACKBONE.TYPE`). Warnings (unknown pysot keys) are returned, not printed.
    public static func load(config configURL: URL, snapshot snapshotURL: URL) throws -> (model: TrackingModel, warnings: [String]) {
        let text: String
        do {
            text = try String(contentsOf: configURL, encoding: .utf8)
        } catch {
            throw ConfigError.unreadableFile(path: configURL.path, reason: error.localizedDescription)
        }
        if NanoTrackConfig.describes(text) {
            let config = try NanoTrackConfig(yaml: text, source: configURL.path)
            let model = try NanoTrackModel(weights: StateDict.load(contentsOf: snapshotURL))
            return (.nanoTrack(model, config), [])
        }
        let (model, config) = try SiamRPNModel.load(config: configURL, snapshot: snapshotURL)
        return (.siamRPN(model, config), config.warnings)
    }

    /// The default model shipped with the package: NanoTrackV3 (Apache-2.0, HonglinChu/SiamTrackers).
    public static func bundled() throws -> TrackingModel {
        let dir = Bundle.module.bundleURL.appendingPathComponent("nanotrack")
        return try load(config: dir.appendingPathComponent("nanotrackv3.yaml"),
                        snapshot: dir.appendingPathComponent("nanotrackv3.safetensors")).model
    }

    /// A new tracker on this model (SiamRPN++: the type `TRACK.TYPE` names).
    public func makeTracker() throws -> any ObjectTracker {
        switch self {
        case .siamRPN(let model, let config): return try SiamRPN.makeTracker(model: model, config: config)
        case .nanoTrack(let model, let config): return NanoTracker(model: model, config: config)
        }
    }

    /// A short name for logs and summaries.
    public var name: String {
        switch self {
        case .siamRPN(let model, let config): return "\(config.metaArc) (\(model.spec.summary))"
        case .nanoTrack: return "NanoTrackV3"
        }
    }
}
