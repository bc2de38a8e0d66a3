/// The opcodes of pickle protocols 0-5, by the byte that spells them in a pickle stream.
///
/// Mirrors the opcode table of CPython's `Lib/pickletools.py` (`opcodes`, with each opcode's
/// `proto`, the protocol that introduced it) and the constants of `Lib/pickle.py`. Case names are
/// pickletools' names in lower camel case (`SHORT_BINUNICODE` is `shortBinunicode`); `name` gives
/// pickletools' spelling. "The stack" and "the mark" are those of the pickle machine
/// (`PickleReader`); "the items above the mark" are everything pushed since the innermost MARK.
///
/// Every opcode is listed, including those `PickleReader` refuses (INST, OBJ, EXT1/2/4, PERSID,
/// STRING, UNICODE, NEXT_BUFFER, READONLY_BUFFER); which ones it accepts is its own decision.
enum PickleOpcode: UInt8 {
    // MARK: Framing and control

    /// PROTO (protocol 2): a 1-byte protocol version follows; it starts a binary pickle.
    case proto = 0x80
    /// FRAME (protocol 4): an 8-byte little-endian length of the frame that follows; frames only
    /// help buffering and change nothing about the opcodes inside them.
    case frame = 0x95
    /// STOP (protocol 0): the end of the pickle; its value is the top of the stack.
    case stop = 0x2E
    /// MARK (protocol 0): pushes the mark that a later TUPLE, LIST, DICT, APPENDS, SETITEMS, ...
    /// collects the items above.
    case mark = 0x28
    /// POP (protocol 0): discards the top of the stack.
    case pop = 0x30
    /// POP_MARK (protocol 1): discards the items above the mark, and the mark.
    case popMark = 0x31
    /// DUP (protocol 0): pushes the top of the stack again.
    case dup = 0x32

    // MARK: Constants and numbers

    /// NONE (protocol 0): pushes None.
    case none = 0x4E
    /// NEWTRUE (protocol 2): pushes True.
    case newtrue = 0x88
    /// NEWFALSE (protocol 2): pushes False.
    case newfalse = 0x89
    /// INT (protocol 0): a decimal integer and a newline follow; "00" and "01" mean False and True.
    case int = 0x49
    /// BININT (protocol 1): a 4-byte little-endian signed integer follows.
    case binint = 0x4A
    /// BININT1 (protocol 1): a 1-byte unsigned integer follows.
    case binint1 = 0x4B
    /// BININT2 (protocol 1): a 2-byte little-endian unsigned integer follows.
    case binint2 = 0x4D
    /// LONG (protocol 0): a decimal integer, optionally ending in "L", and a newline follow.
    case long = 0x4C
    /// LONG1 (protocol 2): a 1-byte length, then that many bytes of a little-endian
    /// two's-complement integer (none: 0).
    case long1 = 0x8A
    /// LONG4 (protocol 2): as LONG1 with a 4-byte little-endian length.
    case long4 = 0x8B
    /// FLOAT (protocol 0): a decimal float (Python's `repr`) and a newline follow.
    case float = 0x46
    /// BINFLOAT (protocol 1): an 8-byte big-endian IEEE 754 double follows.
    case binfloat = 0x47

    // MARK: Strings and bytes

    /// STRING (protocol 0): a quoted, escaped Python 2 string literal and a newline follow.
    case string = 0x53
    /// BINSTRING (protocol 1): a 4-byte little-endian length, then that many bytes of a Python 2
    /// string.
    case binstring = 0x54
    /// SHORT_BINSTRING (protocol 1): as BINSTRING with a 1-byte length.
    case shortBinstring = 0x55
    /// UNICODE (protocol 0): a raw-unicode-escape encoded string and a newline follow.
    case unicode = 0x56
    /// BINUNICODE (protocol 1): a 4-byte little-endian length, then that many bytes of UTF-8.
    case binunicode = 0x58
    /// SHORT_BINUNICODE (protocol 4): as BINUNICODE with a 1-byte length.
    case shortBinunicode = 0x8C
    /// BINUNICODE8 (protocol 4): as BINUNICODE with an 8-byte length.
    case binunicode8 = 0x8D
    /// BINBYTES (protocol 3): a 4-byte little-endian length, then that many bytes of a `bytes`.
    case binbytes = 0x42
    /// SHORT_BINBYTES (protocol 3): as BINBYTES with a 1-byte length.
    case shortBinbytes = 0x43
    /// BINBYTES8 (protocol 4): as BINBYTES with an 8-byte length.
    case binbytes8 = 0x8E
    /// BYTEARRAY8 (protocol 5): an 8-byte length, then that many bytes of a `bytearray`.
    case bytearray8 = 0x96
    /// NEXT_BUFFER (protocol 5): pushes the next out-of-band buffer handed to the unpickler.
    case nextBuffer = 0x97
    /// READONLY_BUFFER (protocol 5): makes the buffer on top of the stack read-only.
    case readonlyBuffer = 0x98

    // MARK: Tuples, lists, dicts and sets

    /// EMPTY_TUPLE (protocol 1): pushes `()`.
    case emptyTuple = 0x29
    /// TUPLE (protocol 0): replaces the mark and the items above it by a tuple of those items.
    case tuple = 0x74
    /// TUPLE1 (protocol 2): replaces the top item by a 1-tuple of it.
    case tuple1 = 0x85
    /// TUPLE2 (protocol 2): replaces the top two items by a 2-tuple of them.
    case tuple2 = 0x86
    /// TUPLE3 (protocol 2): replaces the top three items by a 3-tuple of them.
    case tuple3 = 0x87
    /// EMPTY_LIST (protocol 1): pushes `[]`.
    case emptyList = 0x5D
    /// LIST (protocol 0): replaces the mark and the items above it by a list of those items.
    case list = 0x6C
    /// APPEND (protocol 0): pops a value and appends it to the list below it.
    case append = 0x61
    /// APPENDS (protocol 1): pops the mark and the items above it and appends them to the list
    /// below the mark.
    case appends = 0x65
    /// EMPTY_DICT (protocol 1): pushes `{}`.
    case emptyDict = 0x7D
    /// DICT (protocol 0): replaces the mark and the key, value, key, value, ... above it by a dict.
    case dict = 0x64
    /// SETITEM (protocol 0): pops a value and a key and sets `dict[key] = value` in the dict below.
    case setitem = 0x73
    /// SETITEMS (protocol 1): pops the mark and the key, value, ... pairs above it and sets them
    /// in the dict below the mark.
    case setitems = 0x75
    /// EMPTY_SET (protocol 4): pushes an empty set.
    case emptySet = 0x8F
    /// ADDITEMS (protocol 4): pops the mark and the items above it and adds them to the set below.
    case additems = 0x90
    /// FROZENSET (protocol 4): replaces the mark and the items above it by a frozenset of them.
    case frozenset = 0x91

    // MARK: Memo

    /// PUT (protocol 0): a decimal index and a newline follow; stores the top of the stack in the
    /// memo at that index.
    case put = 0x70
    /// BINPUT (protocol 1): as PUT with a 1-byte index.
    case binput = 0x71
    /// LONG_BINPUT (protocol 1): as PUT with a 4-byte little-endian index.
    case longBinput = 0x72
    /// MEMOIZE (protocol 4): stores the top of the stack in the memo at the next free index (the
    /// memo's size).
    case memoize = 0x94
    /// GET (protocol 0): a decimal index and a newline follow; pushes the memo entry at that index.
    case get = 0x67
    /// BINGET (protocol 1): as GET with a 1-byte index.
    case binget = 0x68
    /// LONG_BINGET (protocol 1): as GET with a 4-byte little-endian index.
    case longBinget = 0x6A

    // MARK: Extension registry

    /// EXT1 (protocol 2): pushes the object registered in `copyreg` under a 1-byte extension code.
    case ext1 = 0x82
    /// EXT2 (protocol 2): as EXT1 with a 2-byte code.
    case ext2 = 0x83
    /// EXT4 (protocol 2): as EXT1 with a 4-byte code.
    case ext4 = 0x84

    // MARK: Objects

    /// GLOBAL (protocol 0): a module name and an attribute name follow, each ending in a newline;
    /// pushes `module.name` (in Python: imports the module and looks the name up).
    case global = 0x63
    /// STACK_GLOBAL (protocol 4): as GLOBAL, with the module and the name popped off the stack
    /// (the name on top).
    case stackGlobal = 0x93
    /// REDUCE (protocol 0): pops an argument tuple and a callable and pushes
    /// `callable(*arguments)` (in Python: calls it).
    case reduce = 0x52
    /// BUILD (protocol 0): pops a state and applies it to the object below it
    /// (`__setstate__(state)`, or an update of its `__dict__`).
    case build = 0x62
    /// INST (protocol 0): a module and a class name follow, each ending in a newline; replaces the
    /// mark and the items above it by an instance of the class made from those items.
    case inst = 0x69
    /// OBJ (protocol 1): as INST with the class popped off the stack, just above the mark.
    case obj = 0x6F
    /// NEWOBJ (protocol 2): pops an argument tuple and a class and pushes
    /// `cls.__new__(cls, *arguments)`.
    case newobj = 0x81
    /// NEWOBJ_EX (protocol 4): as NEWOBJ with a keyword-argument dict popped off the stack first.
    case newobjEx = 0x92

    // MARK: Persistent ids

    /// PERSID (protocol 0): a persistent id and a newline follow; pushes
    /// `persistent_load(id)`.
    case persid = 0x50
    /// BINPERSID (protocol 1): pops a persistent id (any object) and pushes
    /// `persistent_load(id)` (torch: a storage reference).
    case binpersid = 0x51

    /// The opcode's name as pickletools spells it (`SHORT_BINUNICODE`), for messages.
    var name: String {
        switch self {
        case .proto: return "PROTO"
        case .frame: return "FRAME"
        case .stop: return "STOP"
        case .mark: return "MARK"
        case .pop: return "POP"
        case .popMark: return "POP_MARK"
        case .dup: return "DUP"
        case .none: return "NONE"
        case .newtrue: return "NEWTRUE"
        case .newfalse: return "NEWFALSE"
        case .int: return "INT"
        case .binint: return "BININT"
        case .binint1: return "BININT1"
        case .binint2: return "BININT2"
        case .long: return "LONG"
        case .long1: return "LONG1"
        case .long4: return "LONG4"
        case .float: return "FLOAT"
        case .binfloat: return "BINFLOAT"
        case .string: return "STRING"
        case .binstring: return "BINSTRING"
        case .shortBinstring: return "SHORT_BINSTRING"
        case .unicode: return "UNICODE"
        case .binunicode: return "BINUNICODE"
        case .shortBinunicode: return "SHORT_BINUNICODE"
        case .binunicode8: return "BINUNICODE8"
        case .binbytes: return "BINBYTES"
        case .shortBinbytes: return "SHORT_BINBYTES"
        case .binbytes8: return "BINBYTES8"
        case .bytearray8: return "BYTEARRAY8"
        case .nextBuffer: return "NEXT_BUFFER"
        case .readonlyBuffer: return "READONLY_BUFFER"
        case .emptyTuple: return "EMPTY_TUPLE"
        case .tuple: return "TUPLE"
        case .tuple1: return "TUPLE1"
        case .tuple2: return "TUPLE2"
        case .tuple3: return "TUPLE3"
        case .emptyList: return "EMPTY_LIST"
        case .list: return "LIST"
        case .append: return "APPEND"
        case .appends: return "APPENDS"
        case .emptyDict: return "EMPTY_DICT"
        case .dict: return "DICT"
        case .setitem: return "SETITEM"
        case .setitems: return "SETITEMS"
        case .emptySet: return "EMPTY_SET"
        case .additems: return "ADDITEMS"
        case .frozenset: return "FROZENSET"
        case .put: return "PUT"
        case .binput: return "BINPUT"
        case .longBinput: return "LONG_BINPUT"
        case .memoize: return "MEMOIZE"
        case .get: return "GET"
        case .binget: return "BINGET"
        case .longBinget: return "LONG_BINGET"
        case .ext1: return "EXT1"
        case .ext2: return "EXT2"
        case .ext4: return "EXT4"
        case .global: return "GLOBAL"
        case .stackGlobal: return "STACK_GLOBAL"
        case .reduce: return "REDUCE"
        case .build: return "BUILD"
        case .inst: return "INST"
        case .obj: return "OBJ"
        case .newobj: return "NEWOBJ"
        case .newobjEx: return "NEWOBJ_EX"
        case .persid: return "PERSID"
        case .binpersid: return "BINPERSID"
        }
    }
}
