// Mirrors the snapshot pysot's tools/train.py saves — torch.save({'epoch', 'state_dict', 'optimizer'},
// 'checkpoint_e%d.pth') — and what restore_from (pysot/utils/model_load.py) reads back
import Foundation
import SiamNN
import SiamRPN

/// A training snapshot `checkpoint_e{epoch}.pth`, in pysot's layout so pysot's `restore_from`
/// and `torch.load` read it:
///
/// ```
/// {'epoch': e,                                   # epochs done
///  'state_dict': OrderedDict(pysot names),       # parameters + BatchNorm buffers
///  'optimizer': {'state': {i: {'momentum_buffer': Tensor}},      # i: index over the groups' params
///                'param_groups': [{'lr', 'momentum', 'dampening': 0, 'weight_decay',
///                                  'nesterov': False, 'maximize': False, 'foreach': None,
///                                  'differentiable': False, 'fused': None, 'initial_lr', 'params': [i...]}]},
///  'siamrpn_resume': {'version': 1, 'iteration': n, 'seed': s,
///                     'mt19937_key': [624 ints], 'mt19937_pos': p, 'has_gauss': 0|1, 'cached_gaussian': g}}
/// ```
///
/// `siamrpn_resume` (ignored by pysot) is what makes `--resume` exact: the iterations done and
/// numpy's generator after the last item trained, so the data stream continues where it stopped.
package struct TrainingCheckpoint {
    package var epoch: Int
    package var stateDict: StateDict
    /// The optimiser's groups in order (`build_opt_lr`), with each group's current lr.
    package var groups: [OptimizerGroup]
    package var groupLRs: [Double]
    package var momentum: Double
    package var weightDecay: Double
    /// Momentum buffers by parameter name (parameters that have taken a step).
    package var buffers: [String: [Float]]
    /// Where the data stream stands; nil in a snapshot written by pysot.
    package var resume: ResumePoint?

    /// The iterations done and numpy's generator after the last trained item.
    package struct ResumePoint {
        package var iteration: Int
        package var seed: Int
        package var random: NumPyRandomState

        package init(iteration: Int, seed: Int, random: NumPyRandomState) {
            self.iteration = iteration
            self.seed = seed
            self.random = random
        }
    }

    package init(
        epoch: Int, stateDict: StateDict, groups: [OptimizerGroup], groupLRs: [Double], momentum: Double, weightDecay: Double,
        buffers: [String: [Float]], resume: ResumePoint?
    ) {
        self.epoch = epoch
        self.stateDict = stateDict
        self.groups = groups
        self.groupLRs = groupLRs
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.buffers = buffers
        self.resume = resume
    }

    /// Writes the snapshot atomically (a temporary file renamed over `url`), so a killed run
    /// never leaves a partial checkpoint.
    package func write(to url: URL) throws {
        typealias V = TorchCheckpointWriter.Value
        var state: [(PickleObject, V)] = []
        var groupValues: [V] = []
        var index = 0
        let shapes = Dictionary(stateDict.entries.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        for (g, group) in groups.enumerated() {
            var params: [PickleObject] = []
            for name in group.parameters {
                if let buffer = buffers[name], let shape = shapes[name] {
                    state.append(
                        (.int(index), .dict([(.string("momentum_buffer"), .tensor(.init(shape: shape, values: buffer)))])))
                }
                params.append(.int(index))
                index += 1
            }
            let entries: [(PickleObject, PickleObject)] = [
                (.string("lr"), .float(groupLRs[g])), (.string("momentum"), .float(momentum)), (.string("dampening"), .int(0)),
                (.string("weight_decay"), .float(weightDecay)), (.string("nesterov"), .bool(false)),
                (.string("maximize"), .bool(false)), (.string("foreach"), .none), (.string("differentiable"), .bool(false)),
                (.string("fused"), .none), (.string("initial_lr"), .float(group.initialLR)), (.string("params"), .list(params))
            ]
            groupValues.append(.object(.dict(entries)))
        }
        var top: [(PickleObject, V)] = [
            (.string("epoch"), .object(.int(epoch))),
            (.string("state_dict"), TorchCheckpointWriter.stateDictValue(stateDict)),
            (.string("optimizer"), .dict([(.string("state"), .dict(state)), (.string("param_groups"), .list(groupValues))]))
        ]
        if let resume {
            let r = resume.random
            top.append(
                (
                    .string("siamrpn_resume"),
                    .object(
                        .dict([
                            (.string("version"), .int(1)), (.string("iteration"), .int(resume.iteration)), (.string("seed"), .int(resume.seed)),
                            (.string("mt19937_key"), .list(r.key624.map { .int(Int($0)) })), (.string("mt19937_pos"), .int(r.keyPosition)),
                            (.string("has_gauss"), .int(r.cachedGaussian == nil ? 0 : 1)),
                            (.string("cached_gaussian"), .float(r.cachedGaussian ?? 0))
                        ]))
                ))
        }
        try TorchCheckpointWriter.write(.dict(top), to: url)
    }

    /// Reads a snapshot written by `write` or by pysot. `groups` are the optimiser groups the
    /// resumed run builds at the snapshot's epoch; the snapshot's must match them in number and
    /// size (torch's `load_state_dict` rule), and its momentum buffers the parameters' shapes.
    package static func read(_ url: URL, groups: [OptimizerGroup]) throws -> TrainingCheckpoint {
        let file = try TorchCheckpoint(contentsOf: url)
        func bad(_ what: String) -> TrainingDataError { TrainingDataError("\(url.path): \(what)") }
        guard file.stateDictKey != nil, let epoch = file.epoch else {
            throw bad("is a bare state dict, not a training snapshot ({'epoch', 'state_dict', 'optimizer'}); use it as --pretrained")
        }
        guard epoch >= 0 else { throw bad("has epoch \(epoch)") }
        guard let optimizer = file.entries["optimizer"], let saved = optimizer["param_groups"]?.list else {
            throw bad("has no 'optimizer' entry with 'param_groups' (pysot's snapshots have one)")
        }
        guard saved.count == groups.count else {
            throw bad("its optimizer has \(saved.count) parameter groups, but the run at epoch \(epoch) has \(groups.count)")
        }
        var lrs: [Double] = []
        var buffers: [String: [Float]] = [:]
        var momentum = 0.0
        var weightDecay = 0.0
        let shapes = Dictionary(file.stateDict.entries.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        for (g, (value, group)) in zip(saved, groups).enumerated() {
            guard let params = value["params"]?.list?.compactMap(\.int), params.count == group.parameters.count else {
                throw bad("its optimizer's group \(g + 1) does not hold the \(group.parameters.count) parameters of the run's \(group.module) group")
            }
            guard let lr = value["lr"]?.double else { throw bad("its optimizer's group \(g + 1) has no lr") }
            lrs.append(lr)
            momentum = value["momentum"]?.double ?? momentum
            weightDecay = value["weight_decay"]?.double ?? weightDecay
            for (index, name) in zip(params, group.parameters) {
                guard let buffer = optimizer["state"]?[index: index]?["momentum_buffer"]?.tensor else { continue }
                guard buffer.shape == shapes[name] else {
                    throw bad("the momentum buffer of \(name) has shape \(buffer.shape), the parameter \(shapes[name] ?? [])")
                }
                buffers[name] = buffer.values
            }
        }
        var resume: ResumePoint?
        if let r = file.entries["siamrpn_resume"] {
            guard r["version"]?.int == 1, let iteration = r["iteration"]?.int, let seed = r["seed"]?.int,
                let key = r["mt19937_key"]?.list?.compactMap(\.int), key.allSatisfy({ (0...Int(UInt32.max)).contains($0) }),
                let pos = r["mt19937_pos"]?.int, let hasGauss = r["has_gauss"]?.int, let gauss = r["cached_gaussian"]?.double,
                let random = NumPyRandomState(key: key.map { UInt32($0) }, position: pos, cachedGaussian: hasGauss != 0 ? gauss : nil)
            else { throw bad("its 'siamrpn_resume' entry is damaged") }
            resume = ResumePoint(iteration: iteration, seed: seed, random: random)
        }
        return TrainingCheckpoint(
            epoch: epoch, stateDict: file.stateDict, groups: groups, groupLRs: lrs, momentum: momentum, weightDecay: weightDecay,
            buffers: buffers, resume: resume)
    }
}
