import ArgumentParser
import Foundation
import SiamNN
import SiamRPN

/// `siamrpn forward`: one template + search forward pass, outputs as NumPy files, to check a
/// converted model against PyTorch.
struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the network on a template and a search image given as NumPy arrays.",
        discussion: """
            Inputs are .npy arrays of shape (1,3,H,W), uint8 or float32, holding 0..255 BGR values \
            (pysot's crops). Writes OUTPUT/cls.npy and OUTPUT/loc.npy, float32: SiamRPN++ \
            (1,2A,S,S) scores and (1,4A,S,S) anchor deltas; NanoTrack (1,2,S,S) scores and \
            (1,4,S,S) distances. Without --config/--snapshot the bundled NanoTrackV3 runs.
            """)

    @Option(help: "pysot (or NanoTrack) experiment config, config.yaml. Default: the bundled NanoTrackV3.")
    var config: String?
    @Option(help: "Model weights: .pth (zip or legacy format) or .safetensors. Default: the bundled NanoTrackV3.")
    var snapshot: String?
    @Option(help: "Template crop, .npy (1,3,h,w).")
    var template: String
    @Option(help: "Search crop, .npy (1,3,H,W).")
    var search: String
    @Option(help: "Output folder (created if missing).")
    var output: String
    @Option(help: "Threads for the network (default: the model's best, all cores for SiamRPN++).")
    var threads: Int?

    func run() throws {
        try reportingErrors {
            let model = try loadTrackingModel(config: config, snapshot: snapshot)
            try applyThreads(threads, preferred: model.preferredThreads)
            let z = try readImageArray(template, role: "template")
            let x = try readImageArray(search, role: "search")
            let start = Date()
            let features = try model.network.templateFeatures(z)
            let (cls, loc) = try model.network.track(x, template: features)
            let seconds = Date().timeIntervalSince(start)
            let dir = URL(fileURLWithPath: output, isDirectory: true)
            try createDirectory(dir)
            do {
                try NumPyArray(cls).write(to: dir.appendingPathComponent("cls.npy"))
                try NumPyArray(loc).write(to: dir.appendingPathComponent("loc.npy"))
            } catch {
                throw CLIError("cannot write to '\(output)': \(describeFileError(error))")
            }
            print("cls \(cls.shape) loc \(loc.shape) -> \(dir.path) (\(String(format: "%.1f", seconds * 1000)) ms)")
        }
    }
}

/// Reads a (1,3,H,W) uint8 or float32 NumPy array of 0...255 BGR values as a tensor.
func readImageArray(_ path: String, role: String) throws -> Tensor {
    let array: NumPyArray
    do {
        array = try NumPyArray(contentsOf: URL(fileURLWithPath: path))
    } catch let error as NumPyError {
        throw CLIError("\(role) '\(path)': \(error)")
    } catch {
        throw CLIError("cannot read \(role) '\(path)': \(describeFileError(error))")
    }
    guard array.shape.count == 4, array.shape[0] == 1, array.shape[1] == 3, array.shape[2] > 0, array.shape[3] > 0 else {
        throw CLIError("\(role) '\(path)' has shape \(array.shape); expected (1, 3, H, W) BGR")
    }
    guard array.dtype == .uint8 || array.dtype == .float32 else {
        throw CLIError("\(role) '\(path)' is \(array.dtype); expected uint8 or float32 holding 0..255 BGR values")
    }
    return array.tensor()
}
