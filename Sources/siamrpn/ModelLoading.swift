import Foundation
import SiamRPN

/// Loads a pysot config and a checkpoint, printing the config's warnings (unknown keys) on stderr.
func loadModel(config: String, snapshot: String) throws -> SiamRPNModel {
    let loaded = try SiamRPNModel.load(config: URL(fileURLWithPath: config), snapshot: URL(fileURLWithPath: snapshot))
    for warning in loaded.config.warnings { printError("warning: \(config): \(warning)") }
    return loaded.model
}
