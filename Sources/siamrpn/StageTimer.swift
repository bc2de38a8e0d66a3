// Attributes the time of a tracking step to its stages (siamrpn bench): the network's operations
// by the name prefix of their values (`track.backbone...`, `track.neck...`, the rest is the head),
// the crop and post-processing by the trackers' spans.
import SiamNN

/// The stages `siamrpn bench` reports, in order.
enum BenchStage: Int, CaseIterable {
    case crop, backbone, neck, head, postProcessing

    var name: String {
        switch self {
        case .crop: return "crop"
        case .backbone: return "backbone"
        case .neck: return "neck"
        case .head: return "head"
        case .postProcessing: return "post_processing"
        }
    }

    /// The stage of every operation of the search graph a plan specialises: an operation belongs
    /// to the stage of the first named value at or after its output (a stage's names mark its
    /// outputs: `<phase>.backbone[.<i>]`, `<phase>.neck[.<i>]`, then head values); operations after
    /// the last name are head.
    static func ofOperations(in plan: Plan) -> [BenchStage] {
        let inputCount = plan.graph.inputNames.count
        let operationCount = plan.shapes.count - inputCount
        var namesByID: [Int: [String]] = [:]
        for (name, value) in plan.graph.namedValues { namesByID[value.id, default: []].append(name) }
        var stages = [BenchStage](repeating: .head, count: operationCount)
        var next = BenchStage.head
        for i in stride(from: operationCount - 1, through: 0, by: -1) {
            if let names = namesByID[inputCount + i] {
                if names.contains(where: { $0.contains(".backbone") || $0.hasPrefix("backbone") }) {
                    next = .backbone
                } else if names.contains(where: { $0.contains(".neck") || $0.hasPrefix("neck") }) {
                    next = .neck
                } else {
                    next = .head
                }
            }
            stages[i] = next
        }
        return stages
    }
}

/// Sums nanoseconds per stage over the operations of one graph (the search graph; other graphs'
/// operations, e.g. a template run, are ignored) and the trackers' spans. Records without
/// allocating; read and reset between steps by one thread.
// @unchecked Sendable: `Workspace.run` and the trackers call it on the thread that runs the step
// (operations run one after another; their inner parallel loops do not call it), and the bench
// reads it on that same thread between steps.
final class StageTimer: OperationTiming, @unchecked Sendable {
    private let searchOutput: Int
    private let stageOfOperation: [BenchStage]
    private(set) var nanoseconds = [UInt64](repeating: 0, count: BenchStage.allCases.count)

    /// Times the operations of `plan`'s graph (a search plan).
    init(plan: Plan) {
        searchOutput = plan.graph.outputValues.first?.id ?? -1
        stageOfOperation = BenchStage.ofOperations(in: plan)
    }

    func record(operation index: Int, of graph: Graph, nanoseconds ns: UInt64) {
        guard graph.outputValues.first?.id == searchOutput, index < stageOfOperation.count else { return }
        nanoseconds[stageOfOperation[index].rawValue] += ns
    }

    func record(span: String, nanoseconds ns: UInt64) {
        switch span {
        case "crop": nanoseconds[BenchStage.crop.rawValue] += ns
        case "post-processing": nanoseconds[BenchStage.postProcessing.rawValue] += ns
        default: break
        }
    }

    func reset() {
        for i in nanoseconds.indices { nanoseconds[i] = 0 }
    }
}
