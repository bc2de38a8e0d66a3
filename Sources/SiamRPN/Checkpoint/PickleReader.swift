/// A restricted unpickler for the pickles inside PyTorch checkpoints. It never executes code.
///
/// Accepted: the opcodes of pickle protocols 0-5 that plain data uses (PROTO, FRAME, STOP, MARK,
/// POP, POP_MARK, DUP; NONE, NEWTRUE, NEWFALSE; INT, BININT, BININT1, BININT2, LONG, LONG1, LONG4;
/// FLOAT, BINFLOAT; BINSTRING, SHORT_BINSTRING, BINUNICODE, SHORT_BINUNICODE, BINUNICODE8;
/// BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8; EMPTY_TUPLE, TUPLE, TUPLE1-3; EMPTY_LIST, LIST,
/// APPEND, APPENDS; EMPTY_DICT, DICT, SETITEM, SETITEMS; EMPTY_SET, ADDITEMS, FROZENSET; PUT,
/// BINPUT, LONG_BINPUT, MEMOIZE, GET, BINGET, LONG_BINGET; GLOBAL, STACK_GLOBAL, REDUCE, NEWOBJ,
/// NEWOBJ_EX, BUILD; BINPERSID). Anything else (INST, OBJ, EXT*, PERSID, STRING, UNICODE, the
/// out-of-band buffer opcodes, unknown bytes) is rejected with `CheckpointError.unsupportedOpcode`.
///
/// Globals are checked against `PickleGlobal`'s whitelist the moment GLOBAL / STACK_GLOBAL names
/// them, before anything else happens; everything else throws `CheckpointError.forbiddenGlobal`.
/// Whitelisted callables are interpreted, never run: `OrderedDict()` makes a dict,
/// `_rebuild_tensor_v2` / `_rebuild_tensor` / `_rebuild_parameter*` make a `PickleTensor`
/// description, numpy scalars and dtypes and `_codecs.encode` make inert data values. Persistent
/// ids (BINPERSID) must be torch storage tuples: `('storage', <T>Storage, key, location, numel)` in
/// ZIP checkpoints, with a sixth `view_metadata` element in legacy ones.
///
/// Composite values (tuples, lists, dicts, storages, tensors, numpy scalars) live in flat arenas
/// of the resulting `PickleDocument` and refer to each other by index, so there is no recursion
/// anywhere: not while reading, and not when a deeply nested or self-referencing value is freed.
/// Resources are bounded by `PickleLimits` (stack, marks, memo, single string or bytes size, and a
/// total work budget proportional to the pickle's length, which defeats quadratic blow-ups such
/// as re-encoding one large string many times).
struct PickleReader {
    private let bytes: [UInt8]
    private let end: Int
    private let source: String
    private let limits: PickleLimits
    /// Whether `end` is the end of the file (legacy checkpoints: running out means the file is
    /// truncated) rather than the end of a complete ZIP entry (running out means a bad pickle).
    private let endIsFileEnd: Bool
    /// Offsets in errors are relative to this position (the pickle's start, or 0 for file offsets).
    private let origin: Int

    private(set) var position: Int
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    private var work = 0
    private var containers = 0
    private var workBudget: Int
    private(set) var document = PickleDocument()
    /// Storage keys already seen, to share one `PickleStorage` between tensors.
    private var storageIndex: [String: Int] = [:]

    /// A reader for the pickle that starts at `start` in `bytes` and must end by `end`. Errors
    /// give offsets relative to `origin` (default: `start`).
    init(bytes: [UInt8], start: Int = 0, end: Int? = nil, origin: Int? = nil, source: String, endIsFileEnd: Bool,
         limits: PickleLimits = PickleLimits()) {
        self.bytes = bytes
        self.position = start
        self.origin = origin ?? start
        self.end = min(end ?? bytes.count, bytes.count)
        self.source = source
        self.limits = limits
        self.endIsFileEnd = endIsFileEnd
        let length = max(0, self.end - start)
        self.workBudget = limits.workPerByte.multipliedReportingOverflow(by: length).partialValue + limits.baseWork
    }

    // MARK: Errors

    private func malformed(_ reason: String, at offset: Int? = nil) -> CheckpointError {
        .malformedPickle(file: source, offset: (offset ?? position) - origin, reason: reason)
    }

    private func ranOut(_ needed: Int) -> CheckpointError {
        if endIsFileEnd {
            return .truncated(file: source, what: "the pickle at byte \(position)", needed: needed, size: end)
        }
        return malformed("the pickle ends before its STOP opcode")
    }

    private func refused(_ opcode: UInt8, _ name: String, at: Int) -> CheckpointError {
        .unsupportedOpcode(file: source, offset: at - origin, opcode: opcode, name: name)
    }

    private mutating func charge(_ amount: Int) throws {
        work += amount
        if work > workBudget {
            throw CheckpointError.limitExceeded(file: source, what: "pickle work (items copied)", limit: workBudget)
        }
    }

    // MARK: Input

    @inline(__always)
    private mutating func take(_ n: Int) throws -> Int {
        guard n >= 0, n <= end - position else { throw ranOut(position.addingReportingOverflow(n).partialValue) }
        defer { position += n }
        return position
    }

    private mutating func u8() throws -> Int { Int(bytes[try take(1)]) }
    private mutating func u16() throws -> Int { Int(bytes.loadLE16(try take(2))) }
    private mutating func u32() throws -> Int { Int(bytes.loadLE32(try take(4))) }

    /// An 8-byte length; values beyond `Int.max` become `Int.max` (and then fail as too long).
    private mutating func length64() throws -> Int {
        intValue(bytes.loadLE64(try take(8))) ?? Int.max
    }

    /// A `\n`-terminated text argument (protocol 0 opcodes), at most `limits.maxLineLength` bytes.
    private mutating func line() throws -> String {
        let start = position
        var p = position
        while p < end, bytes[p] != 0x0A {
            p += 1
            if p - start > limits.maxLineLength {
                throw CheckpointError.limitExceeded(file: source, what: "pickle text line length", limit: limits.maxLineLength)
            }
        }
        guard p < end else { throw ranOut(p + 1) }
        position = p + 1
        guard let s = String(validating: bytes[start..<p], as: UTF8.self) else {
            throw malformed("text argument is not UTF-8", at: start)
        }
        return s
    }

    private mutating func payload(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n <= end - position else { throw ranOut(position.addingReportingOverflow(n).partialValue) }
        guard n <= limits.maxStringBytes else {
            throw CheckpointError.limitExceeded(file: source, what: "pickle string/bytes size", limit: limits.maxStringBytes)
        }
        let start = try take(n)
        return bytes[start..<(start + n)]
    }

    private mutating func utf8(_ n: Int) throws -> String {
        let at = position
        let raw = try payload(n)
        guard let s = String(validating: raw, as: UTF8.self) else { throw malformed("string is not valid UTF-8", at: at) }
        return s
    }

    // MARK: Stack

    /// Counts a newly created container against `limits.maxContainers`.
    private mutating func created(_ v: PickleValue) throws -> PickleValue {
        containers += 1
        guard containers <= limits.maxContainers else {
            throw CheckpointError.limitExceeded(file: source, what: "pickle containers created", limit: limits.maxContainers)
        }
        return v
    }

    private mutating func push(_ v: PickleValue) throws {
        guard stack.count < limits.maxStack else {
            throw CheckpointError.limitExceeded(file: source, what: "pickle stack size", limit: limits.maxStack)
        }
        stack.append(v)
    }

    private mutating func pop() throws -> PickleValue {
        guard let v = stack.popLast() else { throw malformed("stack underflow") }
        if let m = marks.last, stack.count < m { throw malformed("value popped across a MARK") }
        return v
    }

    private func top() throws -> PickleValue {
        guard let v = stack.last, stack.count > (marks.last ?? 0) else { throw malformed("stack underflow") }
        return v
    }

    /// Pops everything above the innermost MARK, and the mark.
    private mutating func popMark() throws -> [PickleValue] {
        guard let m = marks.popLast() else { throw malformed("no MARK on the stack") }
        let items = Array(stack[m...])
        try charge(items.count)
        stack.removeSubrange(m...)
        return items
    }

    private mutating func popTuple(_ n: Int) throws -> PickleValue {
        guard stack.count - (marks.last ?? 0) >= n else { throw malformed("stack underflow") }
        let items = Array(stack.suffix(n))
        stack.removeLast(n)
        return try created(document.add(tuple: items))
    }

    private mutating func memoize(_ index: Int, _ v: PickleValue) throws {
        if memo[index] == nil, memo.count >= limits.maxMemo {
            throw CheckpointError.limitExceeded(file: source, what: "pickle memo size", limit: limits.maxMemo)
        }
        memo[index] = v
    }

    private mutating func recall(_ index: Int) throws {
        guard let v = memo[index] else { throw malformed("memo entry \(index) is read before it is written") }
        try push(v)
    }

    // MARK: Reading

    /// Reads one pickle, up to and including its STOP opcode, and returns its value.
    mutating func read() throws -> PickleValue {
        while true {
            let at = position
            let byte = UInt8(try u8())
            guard let op = PickleOpcode(rawValue: byte) else { throw refused(byte, "unknown", at: at) }
            switch op {
            case .proto:
                let version = try u8()
                guard version <= 5 else { throw malformed("unknown pickle protocol \(version)", at: at) }
            case .frame:  // a length prefix we only bounds-check
                let n = try length64()
                guard n <= end - position else { throw ranOut(position.addingReportingOverflow(n).partialValue) }
            case .stop:
                guard let v = stack.last else { throw malformed("STOP on an empty stack", at: at) }
                return v
            case .mark:
                guard marks.count < limits.maxMarks else {
                    throw CheckpointError.limitExceeded(file: source, what: "pickle MARK nesting",
                                                        limit: limits.maxMarks)
                }
                marks.append(stack.count)
            case .pop:
                if let m = marks.last, m == stack.count {
                    marks.removeLast()  // popping an empty mark frame drops the mark, as CPython does
                } else {
                    _ = try pop()
                }
            case .popMark:
                _ = try popMark()
            case .dup:
                try push(try top())

            case .none: try push(.none)
            case .newtrue: try push(.bool(true))
            case .newfalse: try push(.bool(false))
            case .binint1: try push(.int(try u8()))
            case .binint2: try push(.int(try u16()))
            case .binint: try push(.int(Int(Int32(bitPattern: UInt32(try u32())))))
            case .long1:
                let n = try u8()
                try push(integer(try payload(n)))
            case .long4:
                let n = try u32()
                try push(integer(try payload(n)))
            case .int:  // "00" / "01" are False / True
                let text = try line()
                if text == "00" { try push(.bool(false)) } else if text == "01" { try push(.bool(true)) } else {
                    guard let v = Int(text) else { throw malformed("bad INT argument", at: at) }
                    try push(.int(v))
                }
            case .long:
                var text = try line()
                if text.hasSuffix("L") { text.removeLast() }
                guard let v = Int(text) else { throw malformed("LONG argument out of range", at: at) }
                try push(.int(v))
            case .float:
                guard let v = Double(try line()) else { throw malformed("bad FLOAT argument", at: at) }
                try push(.float(v))
            case .binfloat:
                try push(.float(Double(bitPattern: bytes.loadBE64(try take(8)))))

            case .binunicode: try push(.string(try utf8(try u32())))
            case .shortBinunicode: try push(.string(try utf8(try u8())))
            case .binunicode8: try push(.string(try utf8(try length64())))
            case .binstring, .shortBinstring:  // Python 2 str: UTF-8, else Latin-1
                let raw = try payload(op == .binstring ? u32() : u8())
                try push(.string(String(validating: raw, as: UTF8.self) ?? String(raw.map { Character(Unicode.Scalar($0)) })))
            case .binbytes: try push(.bytes(Array(try payload(try u32()))))
            case .shortBinbytes: try push(.bytes(Array(try payload(try u8()))))
            case .binbytes8, .bytearray8: try push(.bytes(Array(try payload(try length64()))))

            case .emptyTuple: try push(created(document.add(tuple: [])))
            case .tuple: try push(created(document.add(tuple: try popMark())))
            case .tuple1: try push(try popTuple(1))
            case .tuple2: try push(try popTuple(2))
            case .tuple3: try push(try popTuple(3))
            case .emptyList, .emptySet: try push(created(document.add(list: [])))  // a set is kept as a list
            case .list, .frozenset: try push(created(document.add(list: try popMark())))
            case .append:
                let v = try pop()
                guard case .list(let id) = try top() else { throw malformed("APPEND to a non-list", at: at) }
                try charge(1)
                document.lists[id].append(v)
            case .appends, .additems:
                let items = try popMark()
                guard case .list(let id) = try top() else { throw malformed("APPENDS to a non-list", at: at) }
                document.lists[id].append(contentsOf: items)
            case .emptyDict: try push(created(document.add(dict: PickleDict())))
            case .dict:
                let items = try popMark()
                var d = PickleDict()
                try checkPairs(items, at: at)
                for i in stride(from: 0, to: items.count, by: 2) { d.set(items[i], items[i + 1]) }
                try push(created(document.add(dict: d)))
            case .setitem:
                let v = try pop()
                let k = try pop()
                guard case .dict(let id) = try top() else { throw malformed("SETITEM on a non-dict", at: at) }
                try charge(1)
                document.dicts[id].set(k, v)
            case .setitems:
                let items = try popMark()
                guard case .dict(let id) = try top() else { throw malformed("SETITEMS on a non-dict", at: at) }
                try checkPairs(items, at: at)
                for i in stride(from: 0, to: items.count, by: 2) { document.dicts[id].set(items[i], items[i + 1]) }

            case .put: try memoize(try memoIndex(try line(), at: at), try top())
            case .binput: try memoize(try u8(), try top())
            case .longBinput: try memoize(try u32(), try top())
            case .memoize: try memoize(memo.count, try top())
            case .get: try recall(try memoIndex(try line(), at: at))
            case .binget: try recall(try u8())
            case .longBinget: try recall(try u32())

            case .global:  // "module\nname\n"
                let module = try line()
                let name = try line()
                try push(.global(try PickleGlobal.resolve(module: module, name: name, source: source)))
            case .stackGlobal:
                let nameValue = try pop()
                let moduleValue = try pop()
                guard case .string(let name) = nameValue, case .string(let module) = moduleValue else {
                    throw malformed("STACK_GLOBAL needs two strings", at: at)
                }
                try push(.global(try PickleGlobal.resolve(module: module, name: name, source: source)))
            case .reduce:
                let args = try pop()
                let callable = try pop()
                try push(try call(callable, args, at: at))
            case .newobj:
                let args = try pop()
                let cls = try pop()
                try push(try instantiate(cls, args, kwargs: nil, at: at))
            case .newobjEx:
                let kwargs = try pop()
                let args = try pop()
                let cls = try pop()
                try push(try instantiate(cls, args, kwargs: kwargs, at: at))
            case .build:
                let state = try pop()
                let object = try top()
                try build(object, state: state, at: at)
            case .binpersid:
                let pid = try pop()
                try push(try persistentLoad(pid, at: at))

            case .string, .unicode, .persid, .inst, .obj, .ext1, .ext2, .ext4, .nextBuffer, .readonlyBuffer:
                throw refused(op.rawValue, op.name, at: at)
            }
        }
    }

    private func memoIndex(_ text: String, at: Int) throws -> Int {
        guard let i = Int(text), i >= 0 else { throw malformed("bad memo index '\(text.prefix(20))'", at: at) }
        return i
    }

    /// A two's-complement little-endian integer (LONG1/LONG4 payload).
    private func integer(_ raw: ArraySlice<UInt8>) -> PickleValue {
        if raw.isEmpty { return .int(0) }
        let negative = raw.last! & 0x80 != 0
        let fill: UInt8 = negative ? 0xFF : 0x00
        // Drop redundant sign-extension bytes, then fit into 64 bits when possible.
        var significant = raw.count
        while significant > 1, raw[raw.startIndex + significant - 1] == fill,
              (raw[raw.startIndex + significant - 2] & 0x80 != 0) == negative {
            significant -= 1
        }
        if significant <= 8 {
            var v: UInt64 = negative ? ~0 : 0
            for i in 0..<significant {
                let shift = UInt64(8 * i)
                v = (v & ~(0xFF << shift)) | UInt64(raw[raw.startIndex + i]) << shift
            }
            return .int(Int(Int64(bitPattern: v)))
        }
        return .bigInt(Array(raw.prefix(significant)))
    }

    private func checkPairs(_ items: [PickleValue], at: Int) throws {
        guard items.count % 2 == 0 else { throw malformed("odd number of items for a dict", at: at) }
    }

    // MARK: Whitelisted callables

    private mutating func call(_ callable: PickleValue, _ argsValue: PickleValue, at: Int) throws -> PickleValue {
        guard case .global(let g) = callable else { throw malformed("REDUCE on a value that is not a global", at: at) }
        guard case .tuple(let argsID) = argsValue else { throw malformed("REDUCE arguments are not a tuple", at: at) }
        let args = document.tuples[argsID]
        switch g {
        case .orderedDict:
            return try instantiate(callable, argsValue, kwargs: nil, at: at)
        case .rebuildTensorV2, .rebuildTensor:
            // (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])
            let arity = g == .rebuildTensor ? 4...4 : 6...7
            guard arity.contains(args.count) else {
                throw malformed("\(g.qualifiedName) expects \(arity.lowerBound) arguments, got \(args.count)", at: at)
            }
            guard case .storage(let storage) = args[0] else {
                throw malformed("\(g.qualifiedName) needs a storage as its first argument", at: at)
            }
            guard case .int(let offset) = args[1], offset >= 0 else {
                throw malformed("tensor storage offset is not a non-negative integer", at: at)
            }
            let shape = try intTuple(args[2], what: "tensor size", at: at)
            let strides = try intTuple(args[3], what: "tensor stride", at: at)
            guard shape.count == strides.count, shape.count <= limits.maxRank else {
                throw malformed("tensor size \(shape.prefix(8)) and stride \(strides.prefix(8)) do not match", at: at)
            }
            guard shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
                throw malformed("tensor size or stride is negative", at: at)
            }
            return try created(document.add(tensor: PickleTensor(storage: storage, offset: offset, shape: shape, strides: strides)))
        case .rebuildParameter, .rebuildParameterWithState:
            // (data, requires_grad, backward_hooks[, state]): the parameter is its data tensor.
            guard args.count == (g == .rebuildParameter ? 3 : 4), case .tensor = args[0] else {
                throw malformed("\(g.qualifiedName) needs a tensor and \(g == .rebuildParameter ? 2 : 3) more arguments", at: at)
            }
            return args[0]
        case .numpyScalar:
            // numpy.core.multiarray.scalar(dtype, raw bytes)
            guard args.count == 2, case .numpyDType(let dtype) = args[0] else {
                throw malformed("numpy scalar needs a dtype and its bytes", at: at)
            }
            let raw: [UInt8]
            switch args[1] {
            case .bytes(let b): raw = b
            case .string(let s): raw = try latin1(s, at: at)
            default: throw malformed("numpy scalar data is not bytes", at: at)
            }
            return try created(document.add(scalar: NumpyScalar(dtype: dtype, bytes: raw)))
        case .numpyDType:
            // numpy.dtype(name, align, copy)
            guard (1...3).contains(args.count), case .string(let name) = args[0], name.utf8.count <= 16 else {
                throw malformed("numpy.dtype needs a short type name", at: at)
            }
            return .numpyDType(name)
        case .codecsEncode:
            // _codecs.encode(text, encoding): how protocol-2 pickles spell Python 3 bytes.
            guard args.count == 2, case .string(let text) = args[0], case .string(let encoding) = args[1] else {
                throw malformed("_codecs.encode needs a string and an encoding", at: at)
            }
            try charge(text.utf8.count)
            switch encoding.lowercased() {
            case "latin1", "latin-1", "iso-8859-1", "iso8859-1": return .bytes(try latin1(text, at: at))
            case "utf-8", "utf8": return .bytes(Array(text.utf8))
            case "ascii" where text.utf8.allSatisfy({ $0 < 0x80 }): return .bytes(Array(text.utf8))
            default: throw malformed("_codecs.encode with unsupported encoding '\(encoding.prefix(20))'", at: at)
            }
        case .storageType:
            throw malformed("\(g.qualifiedName) is called directly; storages must come from persistent ids", at: at)
        }
    }

    private mutating func instantiate(_ cls: PickleValue, _ argsValue: PickleValue, kwargs: PickleValue?,
                                      at: Int) throws -> PickleValue {
        guard case .global(.orderedDict) = cls else {
            throw malformed("only collections.OrderedDict may be instantiated", at: at)
        }
        guard case .tuple(let argsID) = argsValue else { throw malformed("constructor arguments are not a tuple", at: at) }
        if let kwargs {
            guard case .dict(let k) = kwargs, document.dicts[k].keys.isEmpty else {
                throw malformed("OrderedDict with keyword arguments", at: at)
            }
        }
        let args = document.tuples[argsID]
        var d = PickleDict()
        if let initial = args.first {
            // OrderedDict([(key, value), ...])
            guard args.count == 1, case .list(let listID) = initial else {
                throw malformed("OrderedDict needs no arguments or one list of pairs", at: at)
            }
            let pairs = document.lists[listID]
            try charge(pairs.count)
            for pair in pairs {
                guard case .tuple(let t) = pair, document.tuples[t].count == 2 else {
                    throw malformed("OrderedDict item is not a pair", at: at)
                }
                d.set(document.tuples[t][0], document.tuples[t][1])
            }
        }
        return try created(document.add(dict: d))
    }

    /// BUILD sets an object's state; for the objects state dicts contain it changes nothing we use
    /// (an OrderedDict's `_metadata`, a numpy dtype's byte order, a tensor's Python attributes).
    private mutating func build(_ object: PickleValue, state: PickleValue, at: Int) throws {
        switch object {
        case .dict(let id):
            // Keep the attributes (e.g. `_metadata`) for inspection without interpreting them.
            if case .dict(let s) = state {
                try charge(document.dicts[s].keys.count)
                document.dicts[id].attributes = s
            }
        case .numpyDType, .tensor:
            break
        default:
            throw malformed("BUILD on a value that has no state", at: at)
        }
    }

    private mutating func persistentLoad(_ pid: PickleValue, at: Int) throws -> PickleValue {
        guard case .tuple(let t) = pid else { throw malformed("persistent id is not a tuple", at: at) }
        let items = document.tuples[t]
        func text(_ v: PickleValue) -> String? {
            switch v {
            case .string(let s): return s
            case .bytes(let b): return String(validating: b, as: UTF8.self)
            default: return nil
            }
        }
        guard let kind = items.first.flatMap(text) else { throw malformed("persistent id has no type name", at: at) }
        if kind == "module" {
            throw CheckpointError.malformedCheckpoint(
                file: source,
                reason: "it pickles a whole nn.Module (torch.save(model)) rather than a state dict; "
                    + "save model.state_dict() instead")
        }
        guard kind == "storage", items.count == 5 || items.count == 6 else {
            throw malformed("persistent id is not a torch storage reference", at: at)
        }
        guard case .global(.storageType(let dtype)) = items[1] else {
            throw malformed("storage reference has no storage type", at: at)
        }
        guard let key = text(items[2]), key.utf8.count <= 256, let location = text(items[3]),
              case .int(let numel) = items[4], numel >= 0 else {
            throw malformed("storage reference has a bad key, location or size", at: at)
        }
        var view: (key: String, offset: Int, count: Int)? = nil
        if items.count == 6, case .tuple(let v) = items[5] {
            // Legacy view_metadata: (view_key, offset, view_size) into the root storage.
            let parts = document.tuples[v]
            guard parts.count == 3, let viewKey = text(parts[0]), case .int(let offset) = parts[1],
                  case .int(let size) = parts[2], offset >= 0, size >= 0 else {
                throw malformed("storage view metadata is not (key, offset, size)", at: at)
            }
            view = (viewKey, offset, size)
        } else if items.count == 6, items[5] != .none {
            throw malformed("storage view metadata is not a tuple", at: at)
        }
        let storage: Int
        if let existing = storageIndex[key] {
            let known = document.storages[existing]
            guard known.dtype == dtype, known.count == numel else {
                throw CheckpointError.malformedCheckpoint(
                    file: source, reason: "storage '\(key)' is referenced with two different types or sizes")
            }
            storage = existing
        } else {
            storage = document.storages.count
            storageIndex[key] = storage
            document.storages.append(PickleStorage(key: key, dtype: dtype, location: location, count: numel))
        }
        guard let view else { return .storage(PickleStorageRef(storage: storage, offset: 0, count: numel)) }
        guard view.offset <= numel, view.count <= numel - view.offset else {
            throw CheckpointError.malformedCheckpoint(
                file: source, reason: "storage view '\(view.key)' lies outside storage '\(key)'")
        }
        return .storage(PickleStorageRef(storage: storage, offset: view.offset, count: view.count))
    }

    private func intTuple(_ v: PickleValue, what: String, at: Int) throws -> [Int] {
        let items: [PickleValue]
        switch v {
        case .tuple(let t): items = document.tuples[t]
        case .list(let l): items = document.lists[l]
        default: throw malformed("\(what) is not a tuple", at: at)
        }
        return try items.map {
            guard case .int(let i) = $0 else { throw malformed("\(what) holds a non-integer", at: at) }
            return i
        }
    }

    private func latin1(_ s: String, at: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            guard u.value < 256 else { throw malformed("character beyond Latin-1 in encoded bytes", at: at) }
            out.append(UInt8(u.value))
        }
        return out
    }
}
