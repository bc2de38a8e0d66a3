import Foundation
import SiamNN
import SiamRPN

/// The model of `--config`/`--snapshot`: both given, a pysot or NanoTrack model (the config
/// says which); neither, the bundled NanoTrackV3. Config warnings (unknown keys) go to stderr.
func loadTrackingModel(config: String?, snapshot: String?, convolutions: ConvolutionAlgorithm = .winograd) throws -> TrackingModel {
    switch (config, snapshot) {
    case (nil, nil):
        return try TrackingModel.bundled(convolutions: convolutions)
    case (let config?, let snapshot?):
        let model = try TrackingModel.load(
            config: URL(fileURLWithPath: config), snapshot: URL(fileURLWithPath: snapshot), convolutions: convolutions)
        for warning in model.warnings { printError("warning: \(config): \(warning)") }
        return model
    default:
        throw CLIError("--config and --snapshot go together: give both (a pysot or NanoTrack model) or neither (the bundled NanoTrackV3)")
    }
}
