import ArgumentParser
import Foundation
import SiamRPN

/// `siamrpn convert`: a checkpoint's weights as safetensors.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a PyTorch checkpoint (.pth, either format, state dict or snapshot) to .safetensors (weights only).")

    @Argument(help: "Input checkpoint.")
    var input: String
    @Argument(help: "Output .safetensors file.")
    var output: String

    func run() throws {
        try reportingErrors {
            let weights = try StateDict.load(contentsOf: URL(fileURLWithPath: input))
            var metadata = ["format": "pt", "source": URL(fileURLWithPath: input).lastPathComponent]
            if let guess = weights.architectureGuess { metadata["architecture"] = guess }
            do {
                try Safetensors.write(weights, to: URL(fileURLWithPath: output), metadata: metadata)
            } catch let error as CheckpointError {
                throw error
            } catch {
                throw CLIError("cannot write '\(output)': \(error.localizedDescription)")
            }
            print("wrote \(weights.entries.count) tensors (\(weights.parameterCount) parameters) to \(output)")
        }
    }
}
