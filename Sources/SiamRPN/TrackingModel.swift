import Foundation
import SiamNN

/// A loaded tracking network of either family this package runs — pysot's SiamRPN++ or
/// NanoTrack — with the tracker its config asks for. Stateless and shareable: each
/// `makeTracker()` gives an independent tracker on the same weights.
///
/// ```swift
/// let model = try TrackingModel.load(config: configURL, snapshot: snapshotURL)  // or .bundled()
/// let tracker = try model.makeTracker()
/// ```
///
/// The family is decided here, once, from the config (`META_ARC` / `BACKBONE.TYPE`); everything
/// after it goes through `network` (a `SiameseNetwork`) and `ObjectTracker`.
public struct TrackingModel: Sendable {
    /// The network, for running it directly (`forward`, benchmarks).
    public let network: any SiameseNetwork
    /// A short name for logs and summaries, e.g. "SiamRPN++: ResNet-50 (layers 2,3,4) + ...".
    public let name: String
    /// The config's warnings (unknown keys), for the caller to show.
    public let warnings: [String]
    /// The thread count the network runs fastest with when the user does not choose (nil: all
    /// cores). NanoTrack's layers are too small to gain from a second thread (measured: 9.4 ms
    /// per step on one thread, 12.6 ms on two); SiamRPN++ networks use all cores.
    public let preferredThreads: Int?
    /// The config's tracking hyperparameters (pysot's `TRACK.*`, NanoTrack's `TRACK`).
    public let hyperparameters: TrackHyperparameters
    /// The template crop side in pixels (TRACK.EXEMPLAR_SIZE).
    package let exemplarSize: Int
    private let tracker: @Sendable (TrackHyperparameters) throws -> any ObjectTracker
    private let multiTracker: @Sendable () throws -> MultiTracker

    /// A new tracker on this model (SiamRPN++: the type `TRACK.TYPE` names; NanoTrack: its tracker).
    public func makeTracker() throws -> any ObjectTracker { try tracker(hyperparameters) }

    /// A new tracker with other hyperparameters (pysot's `tools/hp_search.py` sets the same four
    /// config keys). NanoTrack's head is built for its search size: another `instanceSize` throws.
    public func makeTracker(hyperparameters: TrackHyperparameters) throws -> any ObjectTracker { try tracker(hyperparameters) }

    /// A new tracker of many targets on this model, with the config's hyperparameters: batched
    /// through the network where it can be (SiamRPN++ with depth-wise correlation and the
    /// short-term tracker), else separate trackers one after another (NanoTrack; `MultiTracker`).
    public func makeMultiTracker() throws -> MultiTracker { try multiTracker() }

    /// Loads a config and a checkpoint (`.pth` zip or legacy, snapshot or state dict, or
    /// `.safetensors`); `convolutions` says how the 3x3 stride-1 convolutions run (Winograd
    /// unless `.direct`, the reference path). Throws `ConfigError`, `CheckpointError` or
    /// `ModelLoadError`, each saying what to fix.
    public static func load(
        config configURL: URL, snapshot snapshotURL: URL, convolutions: ConvolutionAlgorithm = .winograd
    ) throws -> TrackingModel {
        try load(config: configURL, weightsSource: snapshotURL.path, convolutions: convolutions) { _ in
            try StateDict.load(contentsOf: snapshotURL)
        }
    }

    /// Loads a config with deterministic weights instead of a checkpoint (`DeterministicWeights`,
    /// seeded by `seed`): the network's real shapes and work, for benchmarks.
    package static func load(
        config configURL: URL, deterministicWeightsSeed seed: Int, convolutions: ConvolutionAlgorithm = .winograd
    ) throws -> TrackingModel {
        try load(config: configURL, weightsSource: "deterministic weights", convolutions: convolutions) { requests in
            DeterministicWeights.stateDict(seed: seed, requests: try requests())
        }
    }

    /// Loads a config with the weights `weights` hands out (from `weightsSource`, for messages);
    /// its argument lists the keys and shapes the config's network requests.
    private static func load(
        config configURL: URL, weightsSource: String, convolutions: ConvolutionAlgorithm,
        weights: (_ requests: () throws -> [(key: String, shape: [Int])]) throws -> StateDict
    ) throws -> TrackingModel {
        func requests(_ build: (WeightReader) throws -> Void) -> [(key: String, shape: [Int])] {
            let reader = WeightReader(StateDict())
            try? build(reader)  // throws for the missing keys; the requests are complete anyway
            return reader.requests.filter { !$0.ignored }.map { ($0.key, $0.shape) }
        }
        let text: String
        do {
            text = try String(contentsOf: configURL, encoding: .utf8)
        } catch {
            throw ConfigError.unreadableFile(path: configURL.path, reason: describeFileError(error))
        }
        if NanoTrackConfig.describes(text) {
            let (config, warnings) = try NanoTrackConfig.read(yaml: text, source: configURL.path)
            let weights = try weights { requests { _ = try NanoTrackModel(reader: $0, fused: true) } }
            if let guess = weights.architectureGuess, guess.hasPrefix("NanoTrack v1") || guess.hasPrefix("NanoTrack v2") {
                throw ModelLoadError.unsupportedModel(
                    "\(weightsSource) is a \(guess.prefix(12)) checkpoint; only NanoTrackV3 checkpoints run "
                        + "(V1 and V2 are recognised by `siamrpn inspect` but their networks are not implemented)")
            }
            let model = try NanoTrackModel(weights: weights, convolutions: convolutions)
            let defaults = TrackHyperparameters(
                penaltyK: config.penaltyK, windowInfluence: config.windowInfluence, lr: config.lr, instanceSize: config.instanceSize)
            return TrackingModel(
                network: model, name: "NanoTrackV3", warnings: warnings, preferredThreads: 1, hyperparameters: defaults,
                exemplarSize: config.exemplarSize,
                tracker: { h in
                    guard h.instanceSize == config.instanceSize else {
                        throw ModelLoadError.unsupportedModel(
                            "NanoTrack's head is built for a \(config.instanceSize) px search region; it cannot track with \(h.instanceSize)")
                    }
                    var c = config
                    c.penaltyK = h.penaltyK
                    c.windowInfluence = h.windowInfluence
                    c.lr = h.lr
                    return NanoTracker(model: model, config: c)
                },
                // NanoTrack's pixel-wise correlation and channel gates run one image at a time.
                multiTracker: { MultiTracker(makeTracker: { NanoTracker(model: model, config: config) }) })
        }
        let config = try PysotConfig.load(contentsOf: configURL)
        let spec = try config.modelSpec()
        let model = try SiamRPNModel(
            spec: spec, weights: weights { requests { _ = try SiamRPNModel(spec: spec, reader: $0) } }, convolutions: convolutions)
        // Fail now, not at the first frame, when TRACK.TYPE names a tracker that cannot run.
        _ = try SiamRPN.makeTracker(model: model, config: config)
        let defaults = TrackHyperparameters(
            penaltyK: config.track.penaltyK, windowInfluence: config.track.windowInfluence, lr: config.track.lr,
            instanceSize: config.track.instanceSize)
        return TrackingModel(
            network: model, name: "\(config.metaArc) (\(model.spec.summary))", warnings: config.warnings,
            preferredThreads: nil, hyperparameters: defaults, exemplarSize: config.track.exemplarSize,
            tracker: { h in
                var c = config
                c.track.penaltyK = h.penaltyK
                c.track.windowInfluence = h.windowInfluence
                c.track.lr = h.lr
                c.track.instanceSize = h.instanceSize
                return try SiamRPN.makeTracker(model: model, config: c)
            },
            multiTracker: { try MultiTracker(model: model, config: config) })
    }

    /// The default model shipped with the package: NanoTrackV3 (Apache-2.0, HonglinChu/SiamTrackers).
    public static func bundled(convolutions: ConvolutionAlgorithm = .winograd) throws -> TrackingModel {
        try load(config: bundledConfig, snapshot: bundledSnapshot, convolutions: convolutions)
    }

    /// The bundled NanoTrackV3 config (`nanotrackv3.yaml`) and weights (`nanotrackv3.safetensors`).
    public static var bundledConfig: URL { Bundle.module.bundleURL.appendingPathComponent("nanotrack/nanotrackv3.yaml") }
    public static var bundledSnapshot: URL { Bundle.module.bundleURL.appendingPathComponent("nanotrack/nanotrackv3.safetensors") }

    private init(
        network: any SiameseNetwork, name: String, warnings: [String], preferredThreads: Int?, hyperparameters: TrackHyperparameters,
        exemplarSize: Int, tracker: @escaping @Sendable (TrackHyperparameters) throws -> any ObjectTracker,
        multiTracker: @escaping @Sendable () throws -> MultiTracker
    ) {
        self.multiTracker = multiTracker
        self.hyperparameters = hyperparameters
        self.network = network
        self.name = name
        self.warnings = warnings
        self.preferredThreads = preferredThreads
        self.exemplarSize = exemplarSize
        self.tracker = tracker
    }
}

/// The four tracking hyperparameters pysot's `tools/hp_search.py` searches over.
public struct TrackHyperparameters: Sendable, Equatable, Hashable {
    /// Scale / ratio change penalty (`TRACK.PENALTY_K`).
    public var penaltyK: Double
    /// Cosine window weight (`TRACK.WINDOW_INFLUENCE`).
    public var windowInfluence: Double
    /// Size smoothing learning rate (`TRACK.LR`).
    public var lr: Double
    /// Search region side in pixels (`TRACK.INSTANCE_SIZE`).
    public var instanceSize: Int

    public init(penaltyK: Double, windowInfluence: Double, lr: Double, instanceSize: Int) {
        self.penaltyK = penaltyK
        self.windowInfluence = windowInfluence
        self.lr = lr
        self.instanceSize = instanceSize
    }
}
