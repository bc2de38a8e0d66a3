/// The allow-list of Python globals a checkpoint pickle may name: the security boundary of the
/// checkpoint readers.
///
/// In CPython's `Lib/pickle.py`, GLOBAL and STACK_GLOBAL call `Unpickler.find_class`, which imports
/// any module and returns any attribute, and REDUCE then calls it: a pickle naming `os.system` runs
/// a shell command. Here GLOBAL / STACK_GLOBAL call `PickleGlobal.resolve` instead, which imports
/// nothing and knows exactly the names below; every other name is refused on the spot with
/// `CheckpointError.forbiddenGlobal` (e.g. `os.system`, `builtins.eval`, `torch.load`), before
/// anything else in the pickle is looked at. A resolved global is inert data: REDUCE, NEWOBJ and
/// BUILD hand it to `TorchPickleRules`, which interprets each case here as data (it makes dicts,
/// tensor descriptions and scalars) and calls nothing. PyTorch's own `weights_only` unpickler
/// (`torch/_weights_only_unpickler.py`) restricts `torch.load` the same way.
enum PickleGlobal: Hashable, Sendable {
    /// `collections.OrderedDict`: the type of every `state_dict()`.
    case orderedDict
    /// `torch._utils._rebuild_tensor_v2` (what `Tensor.__reduce_ex__` names) and its older form
    /// `_rebuild_tensor`.
    case rebuildTensorV2, rebuildTensor
    /// `torch._utils._rebuild_parameter` (what `nn.Parameter.__reduce_ex__` names) and
    /// `_rebuild_parameter_with_state` (a parameter with Python attributes).
    case rebuildParameter, rebuildParameterWithState
    /// A storage class (`torch.FloatStorage`, ...; `torch.cuda.*` in old GPU checkpoints): the
    /// element type named in a storage's persistent id, never called.
    case storageType(StateDict.DType)
    /// `numpy.core.multiarray.scalar` (`numpy._core.multiarray.scalar` from numpy 2) and
    /// `numpy.dtype`: numpy scalars in training snapshots (e.g. a best accuracy).
    case numpyScalar, numpyDType
    /// `_codecs.encode`: how protocol-2 pickles spell `bytes` (CPython's `save_bytes`).
    case codecsEncode

    /// The allowed global `module.name`; anything else throws `CheckpointError.forbiddenGlobal`
    /// naming it (a torch storage class of an element type the loader does not read throws
    /// `.unsupportedDType`).
    static func resolve(module: String, name: String, source: String) throws -> PickleGlobal {
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): return .rebuildTensorV2
        case ("torch._utils", "_rebuild_tensor"): return .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"): return .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): return .rebuildParameterWithState
        case ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"): return .numpyScalar
        case ("numpy", "dtype"): return .numpyDType
        case ("_codecs", "encode"): return .codecsEncode
        case ("torch", _), ("torch.cuda", _):
            if let dtype = storageTypes[name] { return .storageType(dtype) }
            if name.hasSuffix("Storage") {
                throw CheckpointError.unsupportedDType(file: source, dtype: "\(module).\(name)")
            }
        default:
            break
        }
        let shown = module.count + name.count > 200 ? String((module + "." + name).prefix(200)) + "..." : module + "." + name
        throw CheckpointError.forbiddenGlobal(file: source, name: shown)
    }

    /// torch storage class names (also as `torch.cuda.*` in old GPU checkpoints) and their dtypes.
    private static let storageTypes: [String: StateDict.DType] = [
        "FloatStorage": .float32, "DoubleStorage": .float64, "HalfStorage": .float16, "BFloat16Storage": .bfloat16,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8,
        "ByteStorage": .uint8, "BoolStorage": .bool, "UntypedStorage": .uint8
    ]

    /// The global's Python name, for messages and listings.
    var qualifiedName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildTensor: return "torch._utils._rebuild_tensor"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .rebuildParameterWithState: return "torch._utils._rebuild_parameter_with_state"
        case .storageType(let d): return "torch storage of \(d.rawValue)"
        case .numpyScalar: return "numpy.core.multiarray.scalar"
        case .numpyDType: return "numpy.dtype"
        case .codecsEncode: return "_codecs.encode"
        }
    }
}
