import Foundation
import SiamNN

extension SiamRPNModel {
    /// Builds the network a pysot config describes with the weights of a checkpoint.
    /// Throws `ConfigError`, `CheckpointError` or `ModelLoadError` (each says what to fix).
    public init(config: PysotConfig, weights: StateDict) throws {
        try self.init(spec: config.modelSpec(), weights: weights)
    }

    /// Loads `config.yaml` and a checkpoint (`.pth` zip or legacy, snapshot or state dict, or
    /// `.safetensors`) from disk.
    public static func load(config configURL: URL, snapshot snapshotURL: URL) throws -> (model: SiamRPNModel, config: PysotConfig) {
        let config = try PysotConfig.load(contentsOf: configURL)
        let weights = try StateDict.load(contentsOf: snapshotURL)
        return (try SiamRPNModel(config: config, weights: weights), config)
    }
}
