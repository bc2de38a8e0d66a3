import ArgumentParser
import Foundation
import SiamRPN

/// `siamrpn inspect`: what a checkpoint holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a checkpoint's tensors (key, dtype, shape), its parameter count and the architecture it looks like.")

    @Argument(help: "A .pth (zip or legacy, state dict or training snapshot) or .safetensors file.")
    var snapshot: String

    func run() throws {
        try reportingErrors {
            let url = URL(fileURLWithPath: snapshot)
            let bytes: [UInt8]
            do {
                bytes = [UInt8](try Data(contentsOf: url))
            } catch {
                throw CLIError("cannot read '\(snapshot)': \(error.localizedDescription)")
            }
            let weights: StateDict
            switch CheckpointFormat.detect(bytes) {
            case .safetensors:
                let contents = try Safetensors.decode(bytes, source: snapshot)
                weights = contents.stateDict
                print("format: safetensors")
                for (k, v) in contents.metadata.sorted(by: { $0.key < $1.key }) { print("metadata \(k): \(v)") }
            default:
                let checkpoint = try TorchCheckpoint(bytes: bytes, source: snapshot)
                weights = checkpoint.stateDict
                switch checkpoint.format {
                case .zip(let archive): print("format: PyTorch zip (archive '\(archive)')")
                case .legacy: print("format: PyTorch legacy pickle")
                }
                if let key = checkpoint.stateDictKey {
                    print("training snapshot; weights from '\(key)'" + (checkpoint.removedModulePrefix ? " ('module.' removed)" : ""))
                    for item in checkpoint.topLevel { print("  \(item.key): \(item.summary)") }
                }
            }
            let width = weights.keys.map(\.count).max() ?? 0
            for e in weights.entries {
                let name = e.name.padding(toLength: width, withPad: " ", startingAt: 0)
                print("\(name)  \(e.dtype.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(e.shape)")
            }
            print("tensors: \(weights.entries.count), parameters: \(weights.parameterCount)")
            print("looks like: \(weights.architectureGuess ?? "no known pysot architecture")")
        }
    }
}
