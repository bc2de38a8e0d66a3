import ArgumentParser
import Foundation
import SiamRPN

/// `siamrpn convert`: a checkpoint's weights as safetensors.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a PyTorch checkpoint (.pth, either format, state dict or snapshot) to .safetensors (weights only).")

    @Argument(help: "Input checkpoint.")
    var input: String
    @Argument(help: "Output .safetensors file (parent folders are created).")
    var output: String
    @Flag(help: "Replace the output file if it exists.")
    var force = false

    func run() throws {
        try reportingErrors {
            let inputURL = URL(fileURLWithPath: input)
            let outputURL = URL(fileURLWithPath: output)
            if sameFile(inputURL, outputURL) {
                throw CLIError("the output '\(output)' is the input checkpoint; write the safetensors file elsewhere")
            }
            if FileManager.default.fileExists(atPath: outputURL.path) && !force {
                throw CLIError("'\(output)' exists; pass --force to replace it")
            }
            let weights = try StateDict.load(contentsOf: inputURL)
            var metadata = ["format": "pt", "source": inputURL.lastPathComponent]
            if let guess = weights.architectureGuess { metadata["architecture"] = guess }
            try createDirectory(outputURL.deletingLastPathComponent())
            try Safetensors.write(weights, to: outputURL, metadata: metadata)
            print("wrote \(weights.entries.count) tensors (\(weights.parameterCount) parameters) to \(output)")
        }
    }
}
