// Mirrors pysot/tools/train.py: load_pretrain(model.backbone, cfg.BACKBONE.PRETRAINED), and
// pysot/utils/model_load.py: load_pretrain, check_keys (NanoTrack's bin/train.py does the same)
import SiamRPN

/// `BACKBONE.PRETRAINED`: ImageNet weights of the backbone alone (keys without `backbone.`, e.g.
/// pysot's `resnet50.model`), loaded into the model's backbone before `TRAIN.PRETRAINED`.
///
/// pysot's rules: the file's keys (its `state_dict`, `module.` removed — `StateDict.load` does
/// both) that name a backbone tensor are loaded; when none does, the keys are tried again with a
/// `features.` prefix; when still none does, it stops ("load NONE from pretrained checkpoint").
/// The file's other keys (an ImageNet classifier's `fc.*`) are ignored; a used key of another
/// shape is an error (PyTorch's `load_state_dict` raises on it). The whole-model weights
/// (`TRAIN.PRETRAINED` / `--pretrained`) are loaded after, so their backbone tensors win.
package enum PretrainedBackbone {
    package struct Merged {
        /// The backbone file's used tensors (as `backbone.<key>`) with `whole`'s entries over them.
        package var weights: StateDict
        /// How many of the file's tensors were loaded.
        package var used: Int
        /// The file's keys the backbone does not have.
        package var unused: [String]
    }

    /// - Parameters:
    ///   - file: the `BACKBONE.PRETRAINED` state dict; `source` names it in errors.
    ///   - whole: the `TRAIN.PRETRAINED` weights, or nil.
    ///   - model: the model's own state dict (every key and shape).
    package static func merge(_ file: StateDict, source: String, whole: StateDict?, model: StateDict) throws -> Merged {
        var shapes: [String: [Int]] = [:]
        for e in model.entries where e.name.hasPrefix("backbone.") { shapes[e.name] = e.shape }
        func used(_ prefix: String) -> [StateDict.Entry] {
            file.entries.filter { shapes["backbone." + prefix + $0.name] != nil }
        }
        var prefix = ""
        var loaded = used(prefix)
        if loaded.isEmpty {
            prefix = "features."
            loaded = used(prefix)
        }
        guard !loaded.isEmpty else {
            throw TrainingDataError(
                "BACKBONE.PRETRAINED \(source): none of its \(file.entries.count) tensors names a tensor of the model's backbone "
                    + "(pysot: 'load NONE from pretrained checkpoint'); is it the backbone of another architecture?")
        }
        var entries: [StateDict.Entry] = []
        for e in loaded {
            let name = "backbone." + prefix + e.name
            guard e.shape == shapes[name] else {
                throw TrainingDataError(
                    "BACKBONE.PRETRAINED \(source): '\(e.name)' has shape \(e.shape), the model's '\(name)' is \(shapes[name]!)")
            }
            entries.append(StateDict.Entry(name: name, dtype: e.dtype, tensor: e.tensor))
        }
        if let whole {
            let overridden = Set(whole.keys)
            entries = entries.filter { !overridden.contains($0.name) } + whole.entries
        }
        let usedNames = Set(loaded.map(\.name))
        return Merged(weights: StateDict(entries), used: loaded.count, unused: file.keys.filter { !usedNames.contains($0) })
    }
}
