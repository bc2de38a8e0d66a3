/// The pickle machine: a restricted unpickler for the pickles inside PyTorch checkpoints, which
/// decodes opcodes and never executes code.
///
/// Mirrors CPython's `Lib/pickle.py` `_Unpickler` (its `load` loop and `load_*` dispatch: the
/// stack, the mark stack and the memo) for the opcodes of protocols 0-5 that plain data uses
/// (`PickleOpcode`, as `Lib/pickletools.py` documents them): PROTO, FRAME, STOP, MARK, POP,
/// POP_MARK, DUP; NONE, NEWTRUE, NEWFALSE; INT, BININT, BININT1, BININT2, LONG, LONG1, LONG4;
/// FLOAT, BINFLOAT; BINSTRING, SHORT_BINSTRING, BINUNICODE, SHORT_BINUNICODE, BINUNICODE8;
/// BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8; EMPTY_TUPLE, TUPLE, TUPLE1-3; EMPTY_LIST, LIST,
/// APPEND, APPENDS; EMPTY_DICT, DICT, SETITEM, SETITEMS; EMPTY_SET, ADDITEMS, FROZENSET; PUT,
/// BINPUT, LONG_BINPUT, MEMOIZE, GET, BINGET, LONG_BINGET; GLOBAL, STACK_GLOBAL, REDUCE, NEWOBJ,
/// NEWOBJ_EX, BUILD; BINPERSID. Anything else (INST, OBJ, EXT*, PERSID, STRING, UNICODE, the
/// out-of-band buffer opcodes, unknown bytes) is refused with `CheckpointError.unsupportedOpcode`.
///
/// The machine knows nothing of torch. GLOBAL / STACK_GLOBAL names go to `PickleGlobal.resolve`,
/// the allow-list, the moment they are read (anything not on it is refused by name); REDUCE,
/// NEWOBJ / NEWOBJ_EX, BUILD and BINPERSID go to `TorchPickleRules`, which interprets the allowed
/// globals as data.
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
    /// Whether `end` is the end of the file (legacy checkpoints: running out means the file is
    /// truncated) rather than the end of a complete ZIP entry (running out means a bad pickle).
    private let endIsFileEnd: Bool

    private(set) var position: Int
    private var stack: [PickleValue] = []
    /// Stack heights at each open MARK, innermost last.
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    private var context: PickleContext
    private var rules = TorchPickleRules()

    /// The arenas of every composite value read so far.
    var document: PickleDocument { context.document }

    /// A reader for the pickle that starts at `start` in `bytes` and must end by `end`. Errors
    /// give offsets relative to `origin` (default: `start`).
    init(
        bytes: [UInt8], start: Int = 0, end: Int? = nil, origin: Int? = nil, source: String, endIsFileEnd: Bool,
        limits: PickleLimits = PickleLimits()
    ) {
        self.bytes = bytes
        self.position = start
        self.end = min(end ?? bytes.count, bytes.count)
        self.endIsFileEnd = endIsFileEnd
        self.context = PickleContext(
            source: source, limits: limits, origin: origin ?? start,
            length: max(0, self.end - start))
    }

    // MARK: Errors

    private func malformed(_ reason: String, at offset: Int? = nil) -> CheckpointError {
        context.malformed(reason, at: offset ?? position)
    }

    private func ranOut(_ needed: Int) -> CheckpointError {
        if endIsFileEnd {
            return .truncated(file: context.source, what: "the pickle at byte \(position)", needed: needed, size: end)
        }
        return malformed("the pickle ends before its STOP opcode")
    }

    private func refused(_ opcode: UInt8, _ name: String, at: Int) -> CheckpointError {
        .unsupportedOpcode(file: context.source, offset: at - context.origin, opcode: opcode, name: name)
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
            if p - start > context.limits.maxLineLength {
                throw CheckpointError.limitExceeded(
                    file: context.source, what: "pickle text line length",
                    limit: context.limits.maxLineLength)
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
        guard n <= context.limits.maxStringBytes else {
            throw CheckpointError.limitExceeded(
                file: context.source, what: "pickle string/bytes size",
                limit: context.limits.maxStringBytes)
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

    private mutating func push(_ v: PickleValue) throws {
        guard stack.count < context.limits.maxStack else {
            throw CheckpointError.limitExceeded(file: context.source, what: "pickle stack size", limit: context.limits.maxStack)
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
        try context.charge(items.count)
        stack.removeSubrange(m...)
        return items
    }

    private mutating func popTuple(_ n: Int) throws -> PickleValue {
        guard stack.count - (marks.last ?? 0) >= n else { throw malformed("stack underflow") }
        let items = Array(stack.suffix(n))
        stack.removeLast(n)
        return try context.created(context.document.add(tuple: items))
    }

    private mutating func memoize(_ index: Int, _ v: PickleValue) throws {
        if memo[index] == nil, memo.count >= context.limits.maxMemo {
            throw CheckpointError.limitExceeded(file: context.source, what: "pickle memo size", limit: context.limits.maxMemo)
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
                guard marks.count < context.limits.maxMarks else {
                    throw CheckpointError.limitExceeded(
                        file: context.source, what: "pickle MARK nesting",
                        limit: context.limits.maxMarks)
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
                if text == "00" {
                    try push(.bool(false))
                } else if text == "01" {
                    try push(.bool(true))
                } else {
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

            case .emptyTuple: try push(context.created(context.document.add(tuple: [])))
            case .tuple: try push(context.created(context.document.add(tuple: try popMark())))
            case .tuple1: try push(try popTuple(1))
            case .tuple2: try push(try popTuple(2))
            case .tuple3: try push(try popTuple(3))
            case .emptyList, .emptySet: try push(context.created(context.document.add(list: [])))  // a set is kept as a list
            case .list, .frozenset: try push(context.created(context.document.add(list: try popMark())))
            case .append:
                let v = try pop()
                guard case .list(let id) = try top() else { throw malformed("APPEND to a non-list", at: at) }
                try context.charge(1)
                context.document.lists[id].append(v)
            case .appends, .additems:
                let items = try popMark()
                guard case .list(let id) = try top() else { throw malformed("APPENDS to a non-list", at: at) }
                context.document.lists[id].append(contentsOf: items)
            case .emptyDict: try push(context.created(context.document.add(dict: PickleDict())))
            case .dict:
                let items = try popMark()
                var d = PickleDict()
                try checkPairs(items, at: at)
                for i in stride(from: 0, to: items.count, by: 2) { d.set(items[i], items[i + 1]) }
                try push(context.created(context.document.add(dict: d)))
            case .setitem:
                let v = try pop()
                let k = try pop()
                guard case .dict(let id) = try top() else { throw malformed("SETITEM on a non-dict", at: at) }
                try context.charge(1)
                context.document.dicts[id].set(k, v)
            case .setitems:
                let items = try popMark()
                guard case .dict(let id) = try top() else { throw malformed("SETITEMS on a non-dict", at: at) }
                try checkPairs(items, at: at)
                for i in stride(from: 0, to: items.count, by: 2) { context.document.dicts[id].set(items[i], items[i + 1]) }

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
                try push(.global(try PickleGlobal.resolve(module: module, name: name, source: context.source)))
            case .stackGlobal:
                let nameValue = try pop()
                let moduleValue = try pop()
                guard case .string(let name) = nameValue, case .string(let module) = moduleValue else {
                    throw malformed("STACK_GLOBAL needs two strings", at: at)
                }
                try push(.global(try PickleGlobal.resolve(module: module, name: name, source: context.source)))
            case .reduce:
                let args = try pop()
                let callable = try pop()
                try push(try rules.reduce(callable, args, at: at, in: &context))
            case .newobj:
                let args = try pop()
                let cls = try pop()
                try push(try rules.instantiate(cls, args, kwargs: nil, at: at, in: &context))
            case .newobjEx:
                let kwargs = try pop()
                let args = try pop()
                let cls = try pop()
                try push(try rules.instantiate(cls, args, kwargs: kwargs, at: at, in: &context))
            case .build:
                let state = try pop()
                let object = try top()
                try rules.build(object, state: state, at: at, in: &context)
            case .binpersid:
                let pid = try pop()
                try push(try rules.persistentLoad(pid, at: at, in: &context))

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
            (raw[raw.startIndex + significant - 2] & 0x80 != 0) == negative
        {
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
}
