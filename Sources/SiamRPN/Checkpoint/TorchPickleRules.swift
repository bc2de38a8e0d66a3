/// What `torch.load` makes of the allowed globals (`PickleGlobal`) when a pickle applies them,
/// reproduced as data: REDUCE, NEWOBJ / NEWOBJ_EX, BUILD and BINPERSID land here.
///
/// Mirrors `torch/_utils.py` (`_rebuild_tensor`, `_rebuild_tensor_v2`, `_rebuild_parameter`,
/// `_rebuild_parameter_with_state`), `torch/serialization.py` (the `persistent_load` of `_load` for
/// ZIP checkpoints and of `_legacy_load` for pre-1.6 files) and `collections.OrderedDict`'s
/// pickling; numpy scalars and `_codecs.encode` are `NumpyPickleRules`. Nothing is called:
/// `_rebuild_tensor_v2(...)` becomes a `PickleTensor` description over a `PickleStorage`, an
/// OrderedDict a `PickleDict`, a parameter its data tensor. Arguments are checked for exactly the
/// shapes torch writes; anything else is a `CheckpointError`.
struct TorchPickleRules {
    /// Storage keys already seen, to share one `PickleStorage` between tensors.
    private var storageIndex: [String: Int] = [:]

    /// REDUCE: `callable(*arguments)` for an allowed global and an argument tuple.
    func reduce(
        _ callable: PickleValue, _ argsValue: PickleValue, at: Int,
        in context: inout PickleContext
    ) throws -> PickleValue {
        guard case .global(let g) = callable else {
            throw context.malformed("REDUCE on a value that is not a global", at: at)
        }
        guard case .tuple(let argsID) = argsValue else {
            throw context.malformed("REDUCE arguments are not a tuple", at: at)
        }
        let args = context.document.tuples[argsID]
        switch g {
        case .orderedDict:
            return try instantiate(callable, argsValue, kwargs: nil, at: at, in: &context)
        case .rebuildTensorV2, .rebuildTensor:
            return try rebuildTensor(g, args, at: at, in: &context)
        case .rebuildParameter, .rebuildParameterWithState:
            // (data, requires_grad, backward_hooks[, state]): the parameter is its data tensor.
            guard args.count == (g == .rebuildParameter ? 3 : 4), case .tensor = args[0] else {
                throw context.malformed(
                    "\(g.qualifiedName) needs a tensor and \(g == .rebuildParameter ? 2 : 3) more arguments", at: at)
            }
            return args[0]
        case .numpyScalar:
            return try NumpyPickleRules.scalar(args, at: at, in: &context)
        case .numpyDType:
            return try NumpyPickleRules.dtype(args, at: at, in: context)
        case .codecsEncode:
            return try NumpyPickleRules.codecsEncode(args, at: at, in: &context)
        case .storageType:
            throw context.malformed("\(g.qualifiedName) is called directly; storages must come from persistent ids", at: at)
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`
    /// or `_rebuild_tensor(storage, storage_offset, size, stride)`: a tensor description.
    private func rebuildTensor(
        _ g: PickleGlobal, _ args: [PickleValue], at: Int,
        in context: inout PickleContext
    ) throws -> PickleValue {
        let arity = g == .rebuildTensor ? 4...4 : 6...7
        guard arity.contains(args.count) else {
            throw context.malformed("\(g.qualifiedName) expects \(arity.lowerBound) arguments, got \(args.count)", at: at)
        }
        guard case .storage(let storage) = args[0] else {
            throw context.malformed("\(g.qualifiedName) needs a storage as its first argument", at: at)
        }
        guard case .int(let offset) = args[1], offset >= 0 else {
            throw context.malformed("tensor storage offset is not a non-negative integer", at: at)
        }
        let shape = try intTuple(args[2], what: "tensor size", at: at, in: context)
        let strides = try intTuple(args[3], what: "tensor stride", at: at, in: context)
        guard shape.count == strides.count, shape.count <= context.limits.maxRank else {
            throw context.malformed("tensor size \(shape.prefix(8)) and stride \(strides.prefix(8)) do not match", at: at)
        }
        guard shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw context.malformed("tensor size or stride is negative", at: at)
        }
        let tensor = PickleTensor(storage: storage, offset: offset, shape: shape, strides: strides)
        return try context.created(context.document.add(tensor: tensor))
    }

    /// NEWOBJ / NEWOBJ_EX (and REDUCE on the class): `OrderedDict()` or `OrderedDict([(key, value), ...])`,
    /// the only class that may be instantiated.
    func instantiate(
        _ cls: PickleValue, _ argsValue: PickleValue, kwargs: PickleValue?, at: Int,
        in context: inout PickleContext
    ) throws -> PickleValue {
        guard case .global(.orderedDict) = cls else {
            throw context.malformed("only collections.OrderedDict may be instantiated", at: at)
        }
        guard case .tuple(let argsID) = argsValue else {
            throw context.malformed("constructor arguments are not a tuple", at: at)
        }
        if let kwargs {
            guard case .dict(let k) = kwargs, context.document.dicts[k].keys.isEmpty else {
                throw context.malformed("OrderedDict with keyword arguments", at: at)
            }
        }
        let args = context.document.tuples[argsID]
        var d = PickleDict()
        if let initial = args.first {
            guard args.count == 1, case .list(let listID) = initial else {
                throw context.malformed("OrderedDict needs no arguments or one list of pairs", at: at)
            }
            let pairs = context.document.lists[listID]
            try context.charge(pairs.count)
            for pair in pairs {
                guard case .tuple(let t) = pair, context.document.tuples[t].count == 2 else {
                    throw context.malformed("OrderedDict item is not a pair", at: at)
                }
                d.set(context.document.tuples[t][0], context.document.tuples[t][1])
            }
        }
        return try context.created(context.document.add(dict: d))
    }

    /// BUILD sets an object's state; for the objects state dicts contain it changes nothing we use
    /// (an OrderedDict's `_metadata`, a numpy dtype's byte order, a tensor's Python attributes).
    func build(_ object: PickleValue, state: PickleValue, at: Int, in context: inout PickleContext) throws {
        switch object {
        case .dict(let id):
            // Keep the attributes (e.g. `_metadata`) for inspection without interpreting them.
            if case .dict(let s) = state {
                try context.charge(context.document.dicts[s].keys.count)
                context.document.dicts[id].attributes = s
            }
        case .numpyDType, .tensor:
            break
        default:
            throw context.malformed("BUILD on a value that has no state", at: at)
        }
    }

    /// BINPERSID: torch's `persistent_load`. The id must be a storage reference,
    /// `('storage', <T>Storage, key, location, numel)` in ZIP checkpoints, with a sixth
    /// `view_metadata` element (None, or `(view_key, offset, view_size)`) in legacy ones; it becomes
    /// a `PickleStorage` (one per key) and a reference to it or to a window of it.
    mutating func persistentLoad(_ pid: PickleValue, at: Int, in context: inout PickleContext) throws -> PickleValue {
        guard case .tuple(let t) = pid else { throw context.malformed("persistent id is not a tuple", at: at) }
        let items = context.document.tuples[t]
        func text(_ v: PickleValue) -> String? {
            switch v {
            case .string(let s): return s
            case .bytes(let b): return String(validating: b, as: UTF8.self)
            default: return nil
            }
        }
        guard let kind = items.first.flatMap(text) else { throw context.malformed("persistent id has no type name", at: at) }
        if kind == "module" {
            throw CheckpointError.malformedCheckpoint(
                file: context.source,
                reason: "it pickles a whole nn.Module (torch.save(model)) rather than a state dict; "
                    + "save model.state_dict() instead")
        }
        guard kind == "storage", items.count == 5 || items.count == 6 else {
            throw context.malformed("persistent id is not a torch storage reference", at: at)
        }
        guard case .global(.storageType(let dtype)) = items[1] else {
            throw context.malformed("storage reference has no storage type", at: at)
        }
        guard let key = text(items[2]), key.utf8.count <= 256, let location = text(items[3]),
            case .int(let numel) = items[4], numel >= 0
        else {
            throw context.malformed("storage reference has a bad key, location or size", at: at)
        }
        var view: (key: String, offset: Int, count: Int)? = nil
        if items.count == 6, case .tuple(let v) = items[5] {
            // Legacy view_metadata: (view_key, offset, view_size) into the root storage.
            let parts = context.document.tuples[v]
            guard parts.count == 3, let viewKey = text(parts[0]), case .int(let offset) = parts[1],
                case .int(let size) = parts[2], offset >= 0, size >= 0
            else {
                throw context.malformed("storage view metadata is not (key, offset, size)", at: at)
            }
            view = (viewKey, offset, size)
        } else if items.count == 6, items[5] != .none {
            throw context.malformed("storage view metadata is not a tuple", at: at)
        }
        let storage: Int
        if let existing = storageIndex[key] {
            let known = context.document.storages[existing]
            guard known.dtype == dtype, known.count == numel else {
                throw CheckpointError.malformedCheckpoint(
                    file: context.source, reason: "storage '\(key)' is referenced with two different types or sizes")
            }
            storage = existing
        } else {
            storage = context.document.storages.count
            storageIndex[key] = storage
            context.document.storages.append(PickleStorage(key: key, dtype: dtype, location: location, count: numel))
        }
        guard let view else { return .storage(PickleStorageRef(storage: storage, offset: 0, count: numel)) }
        guard view.offset <= numel, view.count <= numel - view.offset else {
            throw CheckpointError.malformedCheckpoint(
                file: context.source, reason: "storage view '\(view.key)' lies outside storage '\(key)'")
        }
        return .storage(PickleStorageRef(storage: storage, offset: view.offset, count: view.count))
    }

    /// A tensor's size or stride: a tuple (or list) of integers.
    private func intTuple(_ v: PickleValue, what: String, at: Int, in context: PickleContext) throws -> [Int] {
        let items: [PickleValue]
        switch v {
        case .tuple(let t): items = context.document.tuples[t]
        case .list(let l): items = context.document.lists[l]
        default: throw context.malformed("\(what) is not a tuple", at: at)
        }
        return try items.map {
            guard case .int(let i) = $0 else { throw context.malformed("\(what) holds a non-integer", at: at) }
            return i
        }
    }
}
