// Mirrors pysot tools/hp_search.py (its ranges, loop and result folders), sharded like `test`, with a ranking
import ArgumentParser
import Foundation
import SiamEval
import SiamNN
import SiamRPN

/// `siamrpn hp-search`: runs the tracker on a dataset for every point of a hyperparameter grid
/// (each a pysot tracker folder under RESULTS/DATASET/), then ranks the complete settings by the
/// dataset's main measure (one-pass: success AUC; VOT: EAO; VOT-LT: F1).
struct HPSearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hp-search",
        abstract: "Grid-search penalty_k, window_influence, lr and the search region on a benchmark; rank the settings.",
        discussion: """
            Ranges are numpy.arange's start,stop,step (or one value), as pysot's hp_search.py takes them. \
            A grid point x video is one unit of work: --shard splits the units like `siamrpn test`, \
            --jobs runs several at once, a rerun skips complete ones. The ranking lists the settings \
            whose every video is done.
            """)

    @OptionGroup var data: DatasetOptions
    @OptionGroup var model: ModelOptions
    @Option(name: [.customLong("penalty_k"), .customLong("penalty-k")], help: "TRACK.PENALTY_K range.")
    var penaltyK = "0.05,0.5,0.05"
    @Option(name: [.customLong("window_influence"), .customLong("window-influence")], help: "TRACK.WINDOW_INFLUENCE range.")
    var windowInfluence = "0.1,0.8,0.05"
    @Option(help: "TRACK.LR range.")
    var lr = "0.35,0.5,0.05"
    @Option(name: [.customLong("search_region"), .customLong("search-region")], help: "TRACK.INSTANCE_SIZE range (integers).")
    var searchRegion = "255,256,8"
    @Option(help: "Results folder (pysot: hp_search_result).")
    var results = "hp_search_result"
    @OptionGroup var work: ShardOptions
    @Option(help: "How many settings the ranking lists.")
    var top: Int = 20

    func run() throws {
        try reportingErrors {
            let part = try work.resolve()
            let grid = HyperparameterGrid(
                penaltyK: try HyperparameterGrid.range(penaltyK, option: "penalty_k"),
                windowInfluence: try HyperparameterGrid.range(windowInfluence, option: "window_influence"),
                lr: try HyperparameterGrid.range(lr, option: "lr"),
                instanceSize: try HyperparameterGrid.intRange(searchRegion, option: "search_region"))
            let data = try self.data.load()
            let model = try self.model.load()
            for h in Set(grid.points.map(\.instanceSize)) {
                var probe = model.hyperparameters
                probe.instanceSize = h
                _ = try model.makeTracker(hyperparameters: probe)  // refuse an impossible search region now
            }
            let modelName = self.model.modelName
            let base = URL(fileURLWithPath: results).appendingPathComponent(data.name)
            let points = grid.points
            let units = points.flatMap { h in
                let name = HyperparameterGrid.trackerName(model: modelName, h)
                return data.videos.map { v in
                    BenchmarkRun.Unit(video: v, trackerDirectory: base.appendingPathComponent(name), hyperparameters: h, label: "\(name)/\(v.name)")
                }
            }
            let mine = part?.select(units, frames: { $0.video.frames.count }, name: \.label) ?? units
            printError(
                "\(data.name): \(points.count) settings x \(data.videos.count) videos = \(units.count) units"
                    + (part.map { ", shard \($0): \(mine.count)" } ?? "") + "; results in \(base.path)")
            ComputeThreads.set(1)
            let interruption = Interruption()
            defer { interruption.uninstall() }
            let run = BenchmarkRun(
                dataset: data, jobs: work.jobs,
                makeTracker: { try $0.map(model.makeTracker(hyperparameters:)) ?? model.makeTracker() },
                shouldStop: { interruption.receivedSignal != nil },
                output: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) },
                progress: { printError($0) })
            let summary = run.run(mine)
            for f in summary.failed { printError("missing: \(f.video) (failed: \(f.reason))") }
            if let signal = interruption.receivedSignal {
                printError("stopped by \(Interruption.name(signal)); a rerun goes on")
                throw ExitCode(128 + signal)
            }

            let complete = points.filter { h in
                let dir = base.appendingPathComponent(HyperparameterGrid.trackerName(model: modelName, h))
                return data.videos.allSatisfy { BenchmarkRun.Unit(video: $0, trackerDirectory: dir).isComplete(kind: data.kind) }
            }
            FileHandle.standardOutput.write(Data(try ranking(complete, of: points.count, data: data, model: modelName).utf8))
            if !summary.isComplete { throw ExitCode(3) }
        }
    }

    /// The complete settings by the dataset's main measure, best first (ties keep grid order).
    func ranking(_ complete: [TrackHyperparameters], of total: Int, data: BenchmarkDataset, model: String) throws -> String {
        guard !complete.isEmpty else { return "no setting is complete yet (0 of \(total)); rerun when every shard is done\n" }
        let names = complete.map { HyperparameterGrid.trackerName(model: model, $0) }
        let results = URL(fileURLWithPath: self.results)
        var scores: [[Double]]
        let columns: [String]
        switch data.kind.evaluationProtocol {
        case .onePass:
            let r = try ResultScoring.onePass(data, results: results, trackers: names)
            scores = r.trackers.map { [$0.auc, $0.precision] }
            columns = ["Success", "Precision"]
        case .vot:
            let r = try ResultScoring.vot(data, results: results, trackers: names)
            scores = r.trackers.map { [$0.eao, $0.accuracyRobustness.accuracy, $0.accuracyRobustness.robustness] }
            columns = ["EAO", "Accuracy", "Robustness"]
        case .votLongTerm:
            let r = try ResultScoring.longTerm(data, results: results, trackers: names)
            scores = r.trackers.map { [$0.best.f1, $0.best.precision, $0.best.recall] }
            columns = ["F1", "Precision", "Recall"]
        }
        let order = complete.indices.sorted { a, b in
            let (x, y) = (scores[a][0], scores[b][0])
            if x.isNaN != y.isNaN { return y.isNaN }
            return x != y ? x > y : a < b
        }
        var lines = ["\(complete.count) of \(total) settings complete; ranked by \(columns[0]):"]
        let header = ["Rank", "penalty_k", "window_influence", "lr", "instance_size"] + columns + ["Tracker"]
        lines.append(header.joined(separator: " | "))
        for (rank, i) in order.prefix(top).enumerated() {
            let h = complete[i]
            let cells =
                [
                    String(rank + 1), PythonFormat.fixed(h.penaltyK, 3), PythonFormat.fixed(h.windowInfluence, 3), PythonFormat.fixed(h.lr, 3),
                    String(h.instanceSize)
                ]
                + scores[i].map { PythonFormat.fixed($0, 3) } + [names[i]]
            lines.append(cells.joined(separator: " | "))
        }
        let best = complete[order[0]]
        lines.append(
            "best: TRACK.PENALTY_K \(PythonFormat.repr(best.penaltyK)), TRACK.WINDOW_INFLUENCE \(PythonFormat.repr(best.windowInfluence)), "
                + "TRACK.LR \(PythonFormat.repr(best.lr)), TRACK.INSTANCE_SIZE \(best.instanceSize)")
        return lines.joined(separator: "\n") + "\n"
    }
}
