// Mirrors pysot's testing_dataset/*.json descriptions: what `siamrpn test` would run, and the json to reuse
import ArgumentParser
import Foundation
import SiamEval
import SiamRPN

/// `siamrpn dataset`: shows what a dataset folder holds (videos, frames, problems) as the test and
/// eval commands would read it, checks that every frame exists, and can write pysot's json.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "List a benchmark's videos as siamrpn test reads them, check its frames, write pysot's json.")

    @Option(help: "Dataset name (OTB100, VOT2018, LaSOT, ...); it picks the layout and protocol.")
    var dataset: String
    @Option(name: .customLong("dataset_root"), help: "The dataset folder. Default: testing_dataset/<dataset>.")
    var datasetRoot: String?
    @Option(name: .customLong("write-json"), help: "Write the description in pysot's <NAME>.json format to this file.")
    var writeJSON: String?
    @Flag(help: "Also list every video.")
    var videos = false

    func run() throws {
        try reportingErrors {
            let root = URL(fileURLWithPath: datasetRoot ?? "testing_dataset/\(dataset)")
            let data = try BenchmarkDataset.load(name: dataset, root: root)
            print("\(data.name): \(data.videos.count) videos, \(data.frameCount) frames, \(data.kind.evaluationProtocol.rawValue) protocol")
            print("from: \(data.source)")
            var problems: [String] = []
            for v in data.videos {
                let missing = v.frames.filter { !FileManager.default.fileExists(atPath: $0.path) }
                if let first = missing.first {
                    problems.append("video \(v.name): \(missing.count) of \(v.frames.count) frames are missing, the first \(first.path)")
                }
                if videos {
                    let attributes = v.attributes.isEmpty ? "" : " [\(v.attributes.joined(separator: ","))]"
                    print("  \(v.name): \(v.frames.count) frames, \(v.directory)\(attributes)")
                }
            }
            for note in data.notes { print("note: \(note)") }
            for p in problems { print("problem: \(p)") }
            if let writeJSON {
                let url = URL(fileURLWithPath: writeJSON)
                try refuseOverwritingInputs(
                    outputs: [url], inputs: data.videos.flatMap { v in v.frames.prefix(1).map { (role: "a frame", url: $0) } })
                do {
                    try Data(PysotDatasetFile.encode(data).utf8).write(to: url, options: .atomic)
                } catch {
                    throw CLIError("cannot write \(url.path): \(error.localizedDescription)")
                }
                print("wrote \(url.path)")
            }
            if !problems.isEmpty { throw ExitCode(3) }
        }
    }
}
